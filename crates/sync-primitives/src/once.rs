//! Run once: `OnceLock` and `LazyLock`, Go's `sync.Once` with the value
//! inside.
//!
//! Go pairs a `sync.Once` with a package variable: `once.Do(func() {
//! instance = connect() })`, then `return instance`. Nothing stops other
//! code from reading `instance` without going through `once.Do`, or from
//! assigning it twice. Rust puts the value *inside* the once-cell, so the
//! only way to reach it is through the call that initialises it:
//!
//! - [`OnceLock<T>`](std::sync::OnceLock) is a cell that is set at most
//!   once. [`get_or_init(f)`](std::sync::OnceLock::get_or_init) runs `f` if
//!   the cell is empty and returns `&T`. When several threads call it at
//!   once, exactly one runs `f`; the others block until it is done and then
//!   all get the same `&T`. Use it when the initialiser needs arguments
//!   or lives in a function, as in Go's `GetDB()`: see [`db`].
//! - [`LazyLock<T>`](std::sync::LazyLock) is a `OnceLock` with its
//!   initialiser built in: a `static` that computes itself on first use.
//!   Use it for the Go package-level `var x = compute()`: see [`CONFIG`].
//!
//! Both are in the standard library (Rust 1.70 and 1.80); the `once_cell`
//! and `lazy_static` crates that older code uses are no longer needed.
//! [`std::sync::Once`] still exists for a side effect with no value.
//!
//! **If the initialiser panics.** `OnceLock::get_or_init` passes the panic
//! to its caller and leaves the cell empty, so the next caller tries again.
//! `LazyLock` is *poisoned* instead: every later access panics too. The
//! tests check both. Go's `sync.Once` is unlike either: if `f` panics, `Do`
//! counts it as done and never runs `f` again, and the variable keeps its
//! zero value.
//!
//! **From async code.** `get_or_init` blocks while another thread's
//! initialiser runs, and in a task that blocks the runtime's thread. For an
//! initialiser that awaits, or one that tasks wait for, use
//! `tokio::sync::OnceCell::get_or_init`, whose waiting is an `.await`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, OnceLock};

/// Settings read once, on first use, and shared read-only by everyone.
#[derive(Debug)]
pub struct Config {
    /// Where the database is: `$WORKSHOP_DB_URL`, or a default.
    pub db_url: String,
    /// How many worker threads to use: one per core.
    pub workers: usize,
}

/// How many times [`Config::load`] has run in this process.
static CONFIG_LOADS: AtomicUsize = AtomicUsize::new(0);

impl Config {
    /// Reads the settings from the environment. [`CONFIG`] calls it once.
    pub fn load() -> Config {
        CONFIG_LOADS.fetch_add(1, Ordering::Relaxed);
        Config {
            db_url: std::env::var("WORKSHOP_DB_URL")
                .unwrap_or_else(|_| "postgres://localhost/workshop".to_owned()),
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }

    /// How many times the settings have been loaded in this process: 1 once
    /// anything has touched [`CONFIG`], however many threads did.
    pub fn loads() -> usize {
        CONFIG_LOADS.load(Ordering::Relaxed)
    }
}

// ANCHOR: config
/// The settings, loaded the first time anyone reads them.
///
/// Go: `var config = loadConfig()` at package level, except that it runs on
/// first use rather than at start-up, and a thread that reads it while
/// another is loading it waits for that load instead of starting its own.
pub static CONFIG: LazyLock<Config> = LazyLock::new(Config::load);
// ANCHOR_END: config

/// A database handle: a stand-in for anything expensive to create that the
/// whole program should share (a connection pool, an HTTP client, a
/// compiled regex set).
#[derive(Debug)]
pub struct Db {
    url: String,
    /// Which connection this is, counting from 1 for the first ever made.
    serial: usize,
    /// How many queries this handle has served.
    queries: AtomicUsize,
}

/// How many times [`Db::connect`] has run in this process.
static CONNECTIONS: AtomicUsize = AtomicUsize::new(0);

impl Db {
    /// Opens a new connection (here: counts it and remembers the URL).
    pub fn connect(url: &str) -> Db {
        let serial = CONNECTIONS.fetch_add(1, Ordering::Relaxed) + 1;
        Db {
            url: url.to_owned(),
            serial,
            queries: AtomicUsize::new(0),
        }
    }

    /// How many connections have been opened in this process.
    pub fn connections_made() -> usize {
        CONNECTIONS.load(Ordering::Relaxed)
    }

    /// Where this handle is connected to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which connection this is: 1 for the first one made in this process.
    pub fn serial(&self) -> usize {
        self.serial
    }

    /// Looks a user's name up (here: makes one up), counting the query.
    pub fn load_user(&self, id: u32) -> String {
        self.queries.fetch_add(1, Ordering::Relaxed);
        format!("user-{id}")
    }

    /// How many queries this handle has served.
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::Relaxed)
    }
}

// ANCHOR: db
/// The program's one database handle, connected on first use.
///
/// Go's `GetDB()` with a `sync.Once`. The `static` lives inside the
/// function, so nothing else can reach the cell: the only way to the handle
/// is through `get_or_init`. The handle is never dropped; it lives as long
/// as the program.
pub fn db() -> &'static Db {
    static DB: OnceLock<Db> = OnceLock::new();
    DB.get_or_init(|| Db::connect(&CONFIG.db_url))
}
// ANCHOR_END: db
