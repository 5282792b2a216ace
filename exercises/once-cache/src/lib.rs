//! Exercise: a cache that computes each missing value exactly once.
//!
//! A read-mostly cache shared by many threads: a map behind an `RwLock`,
//! where hits only read. The twist is the miss. When many threads ask for
//! the same missing key at once, the value (a slow query, an expensive
//! parse) must be computed **exactly once**, and every caller gets that one
//! value. And **no lock may be held while computing**: a slow computation
//! must not stall the readers of other keys, and a computation may itself
//! use the cache.
//!
//! ```text
//! let cache = OnceCache::new();
//! let page = cache.get_or_compute("/index".to_owned(), || render("/index"));
//! assert_eq!(cache.get(&"/index".to_owned()), Some(page));
//! ```
//!
//! The two obvious designs each keep one half: holding the map's write lock
//! while computing runs `compute` once but stalls everyone (and deadlocks a
//! computation that uses the cache); computing without any lock and storing
//! the result afterwards stalls no one but computes the same key several
//! times at once. The book's Sync primitives chapter shows the way out.
//!
//! # The contract (what the spec checks)
//!
//! 1. `get_or_compute(key, compute)` returns the value stored for `key`; if
//!    there is none, it calls `compute()`, stores its result and returns it.
//!    A stored value is returned without calling `compute`.
//! 2. `get(&key)` returns a copy of the stored value, or `None`. It never
//!    computes anything, and never stores anything.
//! 3. When many threads call `get_or_compute` for the same missing key at
//!    once, `compute` runs **exactly once**: one caller computes, the others
//!    wait for that computation, and all of them get the same value.
//! 4. Missing values of **different keys are computed at the same time**:
//!    a slow computation for one key does not keep another key's from
//!    starting.
//! 5. While a value is being computed, **hits on other keys return at once**,
//!    and `get` of the key being computed returns `None` at once: no lock
//!    is held while computing.
//! 6. A computation **may use the cache**: `compute` for one key may call
//!    `get` and `get_or_compute` for other keys.
//! 7. If `compute` **panics**, the panic reaches its caller, nothing is
//!    stored, and no caller is left waiting: a caller that was waiting for
//!    that computation computes the value itself, and the cache works on.
//!
//! `compute` for a key must not ask for that same key (a computation that
//! waits for itself waits forever, in any design); the spec never does.
//!
//! # How to check your work
//!
//! ```text
//! cargo xtask check once-cache     # judge this exercise against its spec
//! cargo xtask hint once-cache      # the next hint, when you are stuck
//! ```
//!
//! Read the book's Sync primitives chapter first (`cargo xtask book
//! --open`): "Run once: `OnceLock` and `LazyLock`" and "A cache behind an
//! `RwLock`" have the two halves of the answer.

// TODO: remove this line when you are done: it keeps the compiler quiet about
// the parameters and imports the starter code does not use yet.
#![allow(
    unused_variables,
    unused_imports,
    dead_code,
    clippy::todo,
    reason = "starter code: the bodies are yours to write"
)]

use std::collections::HashMap;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError, RwLock};

/// A cache shared by many threads that computes each missing value once.
///
/// Share it by reference (`std::thread::scope`) or in an `Arc`.
pub struct OnceCache<K, V> {
    // TODO: replace this with the cache's state: an `RwLock` around a map,
    // and for each key, something that lets one caller compute its value
    // while the others wait for it, without holding the map's lock.
    entries: PhantomData<(K, V)>,
}

impl<K: Hash + Eq + Clone, V: Clone> Default for OnceCache<K, V> {
    fn default() -> Self {
        OnceCache::new()
    }
}

impl<K: Hash + Eq + Clone, V: Clone> OnceCache<K, V> {
    /// An empty cache.
    pub fn new() -> Self {
        // TODO: an empty map.
        todo!()
    }

    /// A copy of the value stored for `key`, or `None`. Never computes, and
    /// never waits for a computation in progress.
    pub fn get(&self, key: &K) -> Option<V> {
        // TODO: look the key up under the read lock.
        todo!()
    }

    /// The value for `key`: the stored one, or else `compute()`'s, stored.
    /// `compute` runs at most once per key at a time, and without a lock held.
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce() -> V) -> V {
        // TODO: a hit under the read lock; on a miss, find or make the
        // key's entry under the write lock, release the lock, and only then
        // compute (or wait for the caller that computes).
        todo!()
    }
}
