//! A concurrent map: `DashMap`, and when a plain locked `HashMap` is better.
//!
//! [`dashmap::DashMap`] splits one map into *shards*, each a small
//! `RwLock<HashMap>`, and picks the shard by the key's hash. Two threads
//! that touch keys in different shards do not wait for each other, so
//! under heavy write traffic on many keys it scales where one
//! `RwLock<HashMap>` makes every writer queue. Its methods take `&self`, so
//! it is shared like any other synchronised type.
//!
//! The Go tutorial's advice is that `sync.Map` is rarely what you want and
//! a map behind a `sync.RWMutex` usually is. The Rust version of that
//! advice: start with [`Cache`](crate::Cache)'s `RwLock<HashMap>` (or a
//! `Mutex<HashMap>` if reads are not the bulk) and switch to `DashMap` when
//! a profile shows threads waiting on that one lock. A single lock is better
//! when:
//!
//! - **Several entries must change together.** A `DashMap` locks one shard
//!   at a time: it cannot move a value from one key to another, or store a
//!   batch, so that no reader sees a half-done state. One lock can
//!   ([`Cache::set_many`](crate::Cache::set_many)).
//! - **You need a consistent view.** [`DashMap::iter`] locks one shard at a
//!   time and moves on: it is not a snapshot. Entries added or removed while
//!   it runs may or may not appear, depending on which shard they land in,
//!   and a sum over the map while writers run is a mix of before and after.
//!   A read lock over a whole `HashMap` gives an exact snapshot (and keeps
//!   writers out while you read). The test
//!   `iteration_is_not_a_snapshot` shows this.
//! - **Contention is low.** An uncontended lock costs a few nanoseconds;
//!   the shards cost memory and a hash to pick one.
//!
//! # The deadlock to know about
//!
//! [`DashMap::get`] returns a [`Ref`](dashmap::mapref::one::Ref) that holds
//! its shard's read lock until it is dropped, and `get_mut`, `entry` and
//! `iter` return guards too. Touching the *same shard* again while holding
//! one deadlocks the thread, with no error: `get_mut` waits for the read
//! lock to be released, and the thread that would release it is the one
//! waiting. Which keys share a shard depends on their
//! hash, so code that works in a test can hang in production. The rules:
//!
//! - Copy the value out and let the guard drop at the end of the
//!   statement: `map.get(k).map(|v| *v)`, as [`HitCounter::count`] does.
//! - Never call into the map while a `Ref`, `RefMut`, `Entry` or iterator
//!   item is alive in the same scope.
//!
//! The tests `holding_a_ref_locks_its_shard` and
//! `iterating_locks_each_shard_in_turn` use `try_get_mut`, which reports
//! `Locked` instead of waiting, to show the lock that a plain `get_mut`
//! would deadlock on.

use std::collections::BTreeMap;

use dashmap::DashMap;

// ANCHOR: hit_counter
/// Counts hits per page, from many threads at once.
///
/// Each page's count lives in one shard, so threads counting different
/// pages rarely wait for each other.
#[derive(Debug, Default)]
pub struct HitCounter {
    counts: DashMap<String, u64>,
}

impl HitCounter {
    /// An empty counter.
    pub fn new() -> HitCounter {
        HitCounter::default()
    }

    /// Adds one hit for `page` and returns its new count.
    pub fn record(&self, page: &str) -> u64 {
        // `entry` write-locks the page's shard, and the guard `count` keeps
        // it locked until we return: the read-add-write is atomic. Nothing
        // in between touches the map, which would deadlock.
        let mut count = self.counts.entry(page.to_owned()).or_insert(0);
        *count += 1;
        *count
    }

    /// The hits for `page` so far.
    pub fn count(&self, page: &str) -> u64 {
        // Copy the number out: the `Ref` (and its shard's read lock) is
        // dropped at the end of the statement, before anything else can
        // touch the map.
        self.counts.get(page).map_or(0, |count| *count)
    }

    /// Every page and its count, sorted by page.
    ///
    /// Not a snapshot: the shards are read one after another, so while other
    /// threads record hits, the result mixes counts from different moments.
    /// Once the writers are done, it is exact.
    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.counts
            .iter()
            .map(|entry| (entry.key().clone(), *entry.value()))
            .collect()
    }
}
// ANCHOR_END: hit_counter
