//! A cache behind an `RwLock`: many readers at once, or one writer.
//!
//! This is the Go tutorial's `Cache` with a `sync.RWMutex`. The Rust version
//! differs in two ways that matter:
//!
//! - **The lock owns the data.** [`RwLock<HashMap<K, V>>`](std::sync::RwLock)
//!   holds the map, and the only way to the map is through
//!   [`read()`](std::sync::RwLock::read) or [`write()`](std::sync::RwLock::write).
//!   In Go, the mutex and the map are neighbours in a struct, and nothing
//!   stops a method from touching `c.data` without `c.mu.RLock()`.
//! - **Unlocking is not your job.** `read()` and `write()` return guards,
//!   and dropping a guard unlocks. The lock is released at the end of the
//!   scope, on an early `return`, on `?` and on a panic, so "forgot to
//!   unlock", Go's reason for `defer c.mu.Unlock()`, cannot happen. The
//!   flip side: a guard kept alive too long (stored in a variable at the top
//!   of a long function) holds the lock too long. Keep the scopes short.
//!
//! [`Cache::get`] returns a clone of the value, not a reference: a
//! reference into the map would keep the read lock, and a writer waiting
//! for it, for as long as the caller kept the reference. Store `Arc<T>`
//! values if cloning them is expensive.
//!
//! # Poisoning: ignored, on purpose
//!
//! If a thread panics while it holds a std lock for writing, the lock is
//! *poisoned*: later `read()` and `write()` return `Err`, to warn that the
//! data may be half-updated. Most code calls `.unwrap()` and so spreads
//! one panic to every thread that touches the lock afterwards.
//!
//! This cache takes the data anyway
//! ([`PoisonError::into_inner`](std::sync::PoisonError::into_inner)). The
//! only code that runs under its write lock is the `HashMap`'s own, the
//! key's `Hash` and `Eq`, and the `Drop` of a value that loses its place;
//! new values are built before the lock is taken. A panic there (a bug in
//! one of those impls) leaves a valid map that may lack an entry or, for
//! [`Cache::set_many`], hold part of a batch. For a cache, whose source of
//! truth lives elsewhere, that is a miss or a stale entry: better than a
//! cache that panics forever. Where an invariant spans several steps and a
//! half-done update would be wrong (an account balance and its ledger),
//! let the poison propagate instead. The test
//! `a_panic_under_the_lock_does_not_break_the_cache` checks our choice.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

// ANCHOR: cache
/// A map shared by many threads: reads run in parallel, a write runs alone.
///
/// Share it by reference (`std::thread::scope`) or in an `Arc`.
#[derive(Debug)]
pub struct Cache<K, V> {
    /// The entries. Every access goes through this lock.
    map: RwLock<HashMap<K, V>>,
    /// Lookups that found their key. Counters that nothing else depends on:
    /// atomics with `Relaxed` ordering, no lock needed.
    hits: AtomicU64,
    /// Lookups that did not.
    misses: AtomicU64,
}
// ANCHOR_END: cache

/// How many lookups hit and missed, as counted by [`Cache::get`],
/// [`Cache::get_or_load`] and [`Cache::get_or_insert_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Lookups that found their key.
    pub hits: u64,
    /// Lookups that did not.
    pub misses: u64,
}

/// Where [`Cache::get_or_load`] found its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// In the cache.
    Hit,
    /// Not in the cache: it was loaded (and stored, unless someone stored a
    /// value first).
    Miss,
}

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Cache {
            map: RwLock::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }
}

impl<K: Hash + Eq, V: Clone> Cache<K, V> {
    /// An empty cache.
    pub fn new() -> Self {
        Cache::default()
    }

    /// Shared access; see the module docs on why poisoning is ignored.
    fn read(&self) -> RwLockReadGuard<'_, HashMap<K, V>> {
        self.map.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Exclusive access; see the module docs on why poisoning is ignored.
    fn write(&self) -> RwLockWriteGuard<'_, HashMap<K, V>> {
        self.map.write().unwrap_or_else(PoisonError::into_inner)
    }

    // ANCHOR: get_set
    /// A copy of the value for `key`, if there is one.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // The guard is a temporary: the read lock is released at the end of
        // this statement, after the value has been cloned out.
        let value = self.read().get(key).cloned();
        self.count(value.is_some());
        value
    }

    /// Stores `value` under `key` and returns the value it replaced.
    pub fn set(&self, key: K, value: V) -> Option<V> {
        // The old value is moved out and dropped after the lock is released.
        self.write().insert(key, value)
    }
    // ANCHOR_END: get_set

    // ANCHOR: get_or_load
    /// The value for `key`, from the cache or, on a miss, from `load`, and
    /// which of the two it was: a cache-aside read, safe to race with
    /// writers.
    ///
    /// On a miss, `load` runs *without* the lock: a slow `load` (a database
    /// query) does not stall every other reader, and a `load` that uses this
    /// cache does not deadlock on it. While it runs, a writer may store a
    /// newer value under `key`. So the fill inserts only if the key is still
    /// absent, and returns whatever the cache holds: `get`, then on a miss
    /// `set(key, load(key))`, would overwrite the writer's newer value with
    /// the older one it loaded (a check-then-act race), and the cache would
    /// serve that stale value until the next write.
    ///
    /// Two callers that miss the same key at the same time both run `load`;
    /// the first to store its value wins, and both get that value. If `load`
    /// must run exactly once per key, store a `OnceLock<V>` per key and call
    /// `get_or_init` on it.
    pub fn get_or_load(&self, key: K, load: impl FnOnce(&K) -> V) -> (V, Lookup) {
        if let Some(value) = self.get(&key) {
            return (value, Lookup::Hit);
        }
        // ANCHOR: insert_if_absent
        let loaded = load(&key);
        // Insert if absent, under one write lock: if someone stored a value
        // since we looked, theirs is at least as new as ours, so keep it.
        let value = self.write().entry(key).or_insert(loaded).clone();
        // ANCHOR_END: insert_if_absent
        (value, Lookup::Miss)
    }
    // ANCHOR_END: get_or_load

    /// The value for `key`, made with `make` and stored if there was none:
    /// [`Cache::get_or_load`] without the [`Lookup`].
    pub fn get_or_insert_with(&self, key: K, make: impl FnOnce() -> V) -> V {
        self.get_or_load(key, |_| make()).0
    }

    // ANCHOR: set_many
    /// Stores every entry under one write lock: a reader sees all of them or
    /// none, never part of the batch (unless a panic stops it halfway, see
    /// the module docs).
    pub fn set_many(&self, entries: impl IntoIterator<Item = (K, V)>) {
        // Collect first, so the caller's iterator runs before the lock.
        let entries: Vec<(K, V)> = entries.into_iter().collect();
        let mut map = self.write();
        map.extend(entries);
    }

    /// The values for `keys`, all read under one read lock: a consistent
    /// view, with no write in between.
    pub fn get_many<Q>(&self, keys: &[&Q]) -> Vec<Option<V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let map = self.read();
        keys.iter().map(|key| map.get(*key).cloned()).collect()
    }
    // ANCHOR_END: set_many

    /// How many entries the cache holds.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// A copy of every entry, taken under one read lock.
    pub fn snapshot(&self) -> HashMap<K, V>
    where
        K: Clone,
    {
        self.read().clone()
    }

    /// Whether a thread has panicked while writing to the cache. The cache
    /// carries on regardless (see the module docs); this is for tests and
    /// for logging.
    pub fn is_poisoned(&self) -> bool {
        self.map.is_poisoned()
    }

    /// Hits and misses so far.
    pub fn stats(&self) -> Stats {
        Stats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    fn count(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
