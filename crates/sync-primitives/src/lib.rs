//! Sync primitives: the shared-memory tools for when a channel is overkill.
//!
//! Channels move data between threads; the tools in this crate let threads
//! *share* data in place. Reach for them when the data is naturally shared
//! (a cache, a configuration, a counter) rather than handed from one
//! owner to the next: a channel to a "cache thread" that answers lookups
//! would work, but a lock around a map is simpler and faster.
//!
//! Rust's versions differ from Go's in one way that runs through the whole
//! crate: **the lock owns the data**. A Go `sync.Mutex` sits next to the
//! fields it protects, and the programmer must remember to lock it. A Rust
//! `Mutex<T>` *contains* the `T`, the only way to the `T` is through
//! `lock()`, and the guard that `lock()` returns unlocks when it is dropped.
//! "Forgot to lock" does not compile; "forgot to unlock" cannot happen.
//!
//! | Go | Rust | here |
//! |----|------|------|
//! | `sync.Once` + package `var` | `OnceLock<T>` (`get_or_init`), `LazyLock<T>` | [`once`]: [`db`], [`CONFIG`] |
//! | `sync.RWMutex` next to a `map` | `RwLock<HashMap<K, V>>` | [`Cache`] |
//! | `mu.Lock()` + `defer mu.Unlock()` | `let guard = m.lock()`; dropped at the end of the scope | everywhere |
//! | `sync.Map` | `dashmap::DashMap` (sharded locks), rarely | [`HitCounter`] |
//! | `sync.Mutex` around a counter | `Mutex<u64>` | [`count_with_mutex`] |
//! | `atomic.Int64` | `AtomicU64`, with an `Ordering` | [`count_with_atomic`], [`Mailbox`] |
//! | `sync.Cond`, or `close(ready)` | `Condvar` + `Mutex<bool>` | [`Gate`] |
//! | a `WaitGroup` as a start line | `std::sync::Barrier` | the tests |
//! | `sync.Mutex` held while a goroutine does I/O | `tokio::sync::Mutex`, only when the guard lives across `.await`; std's otherwise | [`Connection`]; [`PageViews`] |
//!
//! # Which one
//!
//! - Initialised once, then only read: [`OnceLock`](std::sync::OnceLock) or
//!   [`LazyLock`](std::sync::LazyLock). No lock on reads after the first.
//! - Read often, written sometimes: `RwLock`. Written as often as read, or
//!   held very briefly: `Mutex` (simpler, and often as fast).
//! - One number: an atomic.
//! - Many threads writing many different keys, and a profile that shows
//!   them waiting on one lock: `DashMap`.
//! - Waiting for something to happen: a [`Gate`] (`Condvar`), a `Barrier`,
//!   or a channel after all. Inside async code, their `tokio::sync`
//!   cousins (`watch`, `Notify`, `Barrier`, `OnceCell`), whose waiting is an
//!   `.await`: a `Condvar` wait, a `Barrier::wait`, a `get_or_init` waiting
//!   for another thread's initialiser, and a lock held for long all block
//!   the runtime's thread.
//!
//! Not for: handing work from one thread to another, which is a channel's
//! job (see the `worker-pool` and `pipeline` crates).
//!
//! # Errors and poisoning
//!
//! Nothing in this crate returns an error. Std locks report a *poisoned*
//! lock (a thread panicked while holding it) as an `Err`; each type says
//! whether it propagates that or ignores it, and why (see [`cache`]).
//!
//! # Example
//!
//! A cache shared by a writer and two readers, on scoped threads.
//!
//! ```
//! use sync_primitives::Cache;
//!
//! // `Cache` wraps an `RwLock<HashMap>`: `&self` methods, so threads can
//! // share it by reference.
//! let cache: Cache<String, u32> = Cache::new();
//! cache.set("answer".to_owned(), 42);
//!
//! // `scope` joins every thread it started before it returns, so the
//! // threads may borrow `cache` from this stack frame.
//! std::thread::scope(|s| {
//!     // One writer: takes the write lock for each `set`.
//!     s.spawn(|| cache.set("question".to_owned(), 6 * 7));
//!     // Two readers: read locks, which do not exclude each other.
//!     for _ in 0..2 {
//!         s.spawn(|| assert_eq!(cache.get("answer"), Some(42)));
//!     }
//! });
//!
//! // Every thread has been joined: the writer's value is in.
//! assert_eq!(cache.get("question"), Some(42));
//! // Two readers and one lookup here hit; nothing missed.
//! assert_eq!(cache.stats().hits, 3);
//! assert_eq!(cache.stats().misses, 0);
//! ```
#![doc(test(attr(deny(warnings))))]

pub mod async_mutex;
pub mod cache;
pub mod concurrent_map;
pub mod counters;
pub mod gate;
pub mod once;
pub mod steps;

pub use async_mutex::{Connection, PageViews};
pub use cache::{Cache, Lookup, Stats};
pub use concurrent_map::HitCounter;
pub use counters::{Mailbox, count_with_atomic, count_with_mutex};
pub use gate::Gate;
pub use once::{CONFIG, Config, Db, db};
