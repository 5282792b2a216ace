//! `DashMap`: exact counts under contention, the shard lock a `Ref` holds
//! (the deadlock to avoid, shown with `try_get_mut`, which reports the lock
//! instead of waiting on it), and iteration that is not a snapshot.

use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;

use dashmap::DashMap;
use sync_primitives::HitCounter;

#[test]
fn hit_counts_are_exact_under_contention() {
    test_kit::run(|| {
        const PAGES: [&str; 3] = ["/", "/about", "/blog"];
        let counter = HitCounter::new();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for i in 0..3000 {
                        counter.record(PAGES[i % 3]);
                    }
                });
            }
        });
        // 4 threads x 1000 hits on each page: none lost.
        let expected = PAGES
            .map(|page| (page.to_owned(), 4000))
            .into_iter()
            .collect();
        assert_eq!(counter.counts(), expected);
        assert_eq!(counter.count("/about"), 4000);
        assert_eq!(counter.count("/missing"), 0);
    });
}

// ANCHOR: holding_a_ref_locks_its_shard
#[test]
fn holding_a_ref_locks_its_shard() {
    let map = DashMap::new();
    map.insert("a", 1);
    let a = map.get("a").expect("just inserted");
    // Another read of the same shard is fine: read locks are shared.
    assert!(map.try_get("a").is_present());
    // A write waits for our own read lock: `map.get_mut("a")` here would
    // never return. `try_get_mut` reports the lock instead of waiting.
    assert!(map.try_get_mut("a").is_locked());
    // Copy what you need and let the guard go: then writes go through.
    let value = *a;
    drop(a);
    assert!(map.try_get_mut("a").is_present());
    assert_eq!(value, 1);
}
// ANCHOR_END: holding_a_ref_locks_its_shard

#[test]
fn iterating_locks_each_shard_in_turn() {
    let map: DashMap<u32, u32> = (0..100).map(|n| (n, n)).collect();
    let mut iter = map.iter();
    let first = *iter.next().expect("100 entries").key();
    // The iterator holds the read lock of the shard it is in: inserting
    // into that shard from inside the loop would deadlock.
    assert!(map.try_get_mut(&first).is_locked());
    drop(iter);
    assert!(map.try_get_mut(&first).is_present());
}

// ANCHOR: iteration_is_not_a_snapshot
#[test]
fn iteration_is_not_a_snapshot() {
    // A fixed hasher and shard count, so that which key lands in which
    // shard is the same on every run.
    let hasher = BuildHasherDefault::<DefaultHasher>::default();
    let map: DashMap<String, u32, _> = DashMap::with_hasher_and_shard_amount(hasher, 8);
    for n in 0..100 {
        map.insert(format!("old-{n}"), n);
    }
    let mut iter = map.iter();
    // Halfway through: some shards are done, one is locked, the rest to come.
    for _ in 0..50 {
        iter.next().expect("100 entries");
    }
    // Add 1000 entries mid-iteration, skipping the shard the iterator holds
    // (`try_entry` returns `None` there rather than deadlock).
    let mut added = 0;
    for n in 0..1000 {
        if let Some(entry) = map.try_entry(format!("new-{n}")) {
            entry.or_insert(n);
            added += 1;
        }
    }
    let seen_new = iter.filter(|entry| entry.key().starts_with("new-")).count();
    // Entries in shards still to come show up; those in shards already
    // visited do not. The iteration saw neither the map before the inserts
    // nor the map after them.
    assert!(
        0 < seen_new && seen_new < added,
        "saw {seen_new} of {added}"
    );
}
// ANCHOR_END: iteration_is_not_a_snapshot
