//! Locks in async code: `std::sync::Mutex` almost always, and
//! `tokio::sync::Mutex` when the lock must be held across an `.await`.
//!
//! The rule, as tokio's own docs put it: it is fine, and often better, to
//! use the standard library's `Mutex` in async code. Lock it, change the
//! data, let the guard drop, *then* await. [`PageViews`] does this. A std
//! lock held for a few nanoseconds blocks nobody for long, and it is
//! faster than tokio's.
//!
//! **Never hold a std guard across `.await`.** While the task is suspended
//! at the `.await`, the lock stays locked, and any other task on the runtime
//! that calls `lock()` blocks its whole worker thread, not just itself,
//! possibly the very thread the suspended task needs to finish: a deadlock.
//! Rust catches the common case at compile time. A `std::sync::MutexGuard`
//! is not `Send`, so a future that holds one across an `.await` is not
//! `Send` either, and `tokio::spawn` refuses it:
//!
//! ```compile_fail,E0277
//! use std::sync::{Arc, Mutex};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let count = Arc::new(Mutex::new(0));
//! tokio::spawn(async move {
//!     let mut n = count.lock().unwrap();
//!     tokio::task::yield_now().await; // the guard lives across this await
//!     *n += 1;
//! });
//! # }
//! ```
//!
//! (The check is not complete: it applies only to futures that something
//! requires to be `Send`. The future `block_on` runs, the body of
//! `#[tokio::main]` and a task on a `LocalSet` need not be, and there the
//! mistake compiles. A future inside `join!` is no exception: it is part of
//! the future around it, and if that one is spawned, it must be `Send` too.
//! Clippy's `await_holding_lock` lint, on by default, catches what the
//! compiler lets through.)
//!
//! **When the lock must span an `.await`**, use [`tokio::sync::Mutex`].
//! Its `lock()` is itself async: a task that waits for it yields to the
//! runtime instead of blocking the thread, and its guard may be held across
//! `.await`. The typical case is a resource used in several awaited steps
//! that must not interleave with another task's steps: a connection that
//! writes a message in parts ([`Connection`]), or the token bucket in the
//! `rate-limiting` crate, which sleeps for the next token while holding its
//! place in the queue.
//!
//! | Go | Rust, async |
//! |----|-------------|
//! | `mu.Lock(); n++; mu.Unlock()` | `std::sync::Mutex`: lock, change, drop the guard, then await |
//! | `mu.Lock(); defer mu.Unlock(); conn.Write(...); conn.Write(...)` | `tokio::sync::Mutex`: the guard lives across the awaits |

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

// ANCHOR: page_views
/// Page views counted by many tasks: a std `Mutex`, locked only between
/// awaits.
#[derive(Debug, Default)]
pub struct PageViews {
    counts: Mutex<HashMap<String, u64>>,
}

impl PageViews {
    /// An empty tally.
    pub fn new() -> PageViews {
        PageViews::default()
    }

    /// Counts one view of `page` and returns its new count.
    ///
    /// A plain, non-async method: it cannot hold the lock across an
    /// `.await` because it has none. Calling it from async code is fine.
    pub fn record(&self, page: &str) -> u64 {
        // Poisoning ignored: one `+= 1` cannot be left half-done.
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(page.to_owned()).or_insert(0);
        *count += 1;
        *count
    }

    /// The views of `page` so far.
    pub fn count(&self, page: &str) -> u64 {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.get(page).copied().unwrap_or(0)
    }
}
// ANCHOR_END: page_views

// ANCHOR: connection
/// A connection shared by many tasks, on which each message is written in
/// several awaited parts that must not interleave with another message's.
///
/// The "wire" is a `Vec<String>` here; in real code it would be a socket,
/// and each `.await` a write that may have to wait for the network.
#[derive(Debug, Default)]
pub struct Connection {
    /// Held for a whole message, across its awaits: tokio's `Mutex`.
    wire: tokio::sync::Mutex<Vec<String>>,
}

impl Connection {
    /// A connection with nothing written yet.
    pub fn new() -> Connection {
        Connection::default()
    }

    /// Writes `parts` as one message from `sender`, each part one awaited
    /// write. Other senders wait (asynchronously) until the whole message is
    /// out.
    ///
    /// If this future is dropped halfway, the guard is dropped with it: the
    /// lock is released and the next sender goes on, after a partial
    /// message (as with a real socket, where the caller must then close the
    /// connection).
    pub async fn send(&self, sender: &str, parts: &[&str]) {
        let mut wire = self.wire.lock().await;
        for part in parts {
            wire.push(format!("{sender}: {part}"));
            // Stands in for `socket.write_all(part).await`: the task may
            // be suspended here, with the lock held.
            tokio::task::yield_now().await;
        }
    }

    /// Everything written so far, in order.
    pub async fn written(&self) -> Vec<String> {
        self.wire.lock().await.clone()
    }
}
// ANCHOR_END: connection
