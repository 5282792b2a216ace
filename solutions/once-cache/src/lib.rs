//! Reference solution: a cache that computes each missing value exactly once.
//!
//! The exercise (`exercises/once-cache`) states the task and the contract;
//! this file explains the choices.
//!
//! # The design
//!
//! The map does not hold values: it holds one `Arc<OnceLock<V>>` per key, a
//! cell that is filled once. The `RwLock` only protects *which cells exist*;
//! the cells themselves do the running-once.
//!
//! - **A hit** takes the read lock, clones the value out of a filled cell,
//!   and releases the lock at the end of the statement. Readers run in
//!   parallel.
//! - **A miss** clones the key's cell out of the map (creating it under the
//!   write lock if it is not there yet) and releases the lock. Only then
//!   does it call [`OnceLock::get_or_init`] on the cell. Of all the threads
//!   that call it on one cell, exactly one runs its closure; the others
//!   block *on the cell*, not on the map, and all get the one value
//!   (contract point 3). No lock of the map is held meanwhile (4, 5, 6).
//! - The `Arc` is what makes "release the lock, then compute" possible: the
//!   caller holds its own handle on the cell, which stays valid whatever
//!   happens to the map afterwards.
//! - **A panic** in `compute` leaves the cell empty: `get_or_init` passes the
//!   panic on to its caller, and a thread that was waiting on the cell runs
//!   its own closure instead (7). Nothing to clean up, because nothing was
//!   locked.
//!
//! `get` returns `None` for a cell that is still being filled
//! (`OnceLock::get` never waits), so it never waits for a computation (5).
//!
//! # Alternatives that also pass
//!
//! - A `Mutex<Option<V>>` per key, in an `Arc`, locked while computing: a
//!   lock per key is held, but never the map's, and waiters for that key
//!   wait on it. A panic poisons that key's mutex, which the next caller
//!   must treat as "not computed yet".
//! - One `Mutex<HashMap<K, State<V>>>` with a `Condvar`, where a key is
//!   `Computing` or `Ready(v)`: the computing caller releases the mutex
//!   while it computes, then stores the value and calls `notify_all`;
//!   waiters wait on the `Condvar` in a loop. A guard whose `Drop` removes
//!   the `Computing` marker and notifies when `compute` panics is what keeps
//!   waiters from waiting forever.
//!
//! # Tempting designs that fail
//!
//! - Holding the write lock while computing (with or without checking the
//!   map again first): exactly once, but every other key and every reader
//!   waits, and a computation that uses the cache deadlocks on the lock.
//! - A plain `Mutex<HashMap<K, V>>` held while computing: the same.
//! - Computing without a lock and storing afterwards (first store wins):
//!   no one waits, but the same key is computed by several threads at once.
//! - `self.map.read().unwrap().get(&key).map(|cell| cell.get_or_init(compute))`:
//!   the read guard is a temporary of that expression, so the read lock is
//!   held while computing, and a computation that needs the write lock
//!   deadlocks.
//! - A `Condvar` with `notify_one`: one waiter wakes, the others sleep on.
//! - A `Computing` marker that a panicking `compute` leaves behind: every
//!   later caller waits forever.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

// ANCHOR: cache
/// A cache shared by many threads that computes each missing value once.
///
/// Share it by reference (`std::thread::scope`) or in an `Arc`.
pub struct OnceCache<K, V> {
    /// One cell per key that was ever asked for. The lock guards the map
    /// (which cells exist), never a computation: each cell runs its own.
    entries: RwLock<HashMap<K, Arc<OnceLock<V>>>>,
}
// ANCHOR_END: cache

impl<K: Hash + Eq + Clone, V: Clone> Default for OnceCache<K, V> {
    fn default() -> Self {
        OnceCache::new()
    }
}

impl<K: Hash + Eq + Clone, V: Clone> OnceCache<K, V> {
    /// An empty cache.
    pub fn new() -> Self {
        OnceCache {
            entries: RwLock::new(HashMap::new()),
        }
    }

    // ANCHOR: get
    /// A copy of the value stored for `key`, or `None`. Never computes, and
    /// never waits for a computation in progress.
    pub fn get(&self, key: &K) -> Option<V> {
        // No code of ours runs under these locks but the map's own, so a
        // poisoned lock still holds a valid map: use it.
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        // `OnceLock::get` is `None` while the cell is being filled.
        entries.get(key).and_then(|cell| cell.get().cloned())
    }
    // ANCHOR_END: get

    // ANCHOR: get_or_compute
    /// The value for `key`: the stored one, or else `compute()`'s, stored.
    /// `compute` runs at most once per key at a time, and without a lock held.
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce() -> V) -> V {
        // The common case, a hit: the read lock only, for one statement.
        if let Some(value) = self.get(&key) {
            return value;
        }
        // A miss: find or make the key's cell, and take a handle on it.
        let cell = {
            let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(entries.entry(key).or_default())
        }; // The write lock is released here, before any computing.

        // Exactly one caller per cell runs `compute`; the others wait on the
        // cell (not on the map) and get its value. If `compute` panics, the
        // cell stays empty and a waiting caller runs its own `compute`.
        cell.get_or_init(compute).clone()
    }
    // ANCHOR_END: get_or_compute
}
