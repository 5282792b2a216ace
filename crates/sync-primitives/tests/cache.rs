//! The `RwLock<HashMap>` cache: what readers see while writers write, the
//! exact final state, `get_or_insert_with` under contention, and a panic
//! under the write lock.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};

use sync_primitives::{Cache, Lookup, Stats};

#[test]
fn get_set_and_stats() {
    let cache: Cache<String, u32> = Cache::new();
    assert!(cache.is_empty());
    assert_eq!(cache.get("a"), None);
    assert_eq!(cache.set("a".to_owned(), 1), None);
    assert_eq!(cache.set("a".to_owned(), 2), Some(1));
    assert_eq!(cache.get("a"), Some(2));
    assert_eq!(cache.get_or_insert_with("b".to_owned(), || 3), 3);
    assert_eq!(cache.get_or_insert_with("b".to_owned(), || 4), 3);
    assert_eq!(cache.len(), 2);
    // Misses: `get("a")` before the set, the first `get_or_insert_with`.
    assert_eq!(cache.stats(), Stats { hits: 2, misses: 2 });
}

const WRITERS: u64 = 2;
const READERS: usize = 4;
const VERSIONS: u64 = 300;

/// Writer `w`'s two keys, always written together.
fn pair(w: u64) -> [String; 2] {
    [format!("w{w}-left"), format!("w{w}-right")]
}

// ANCHOR: consistent_under_contention
#[test]
fn readers_see_whole_batches_and_the_final_map_is_exact() {
    test_kit::run(|| {
        let cache: Cache<String, u64> = Cache::new();
        for w in 0..WRITERS {
            cache.set_many(pair(w).map(|key| (key, 0)));
        }
        let start = Barrier::new(WRITERS as usize + READERS);
        std::thread::scope(|s| {
            for w in 0..WRITERS {
                let (cache, start) = (&cache, &start);
                s.spawn(move || {
                    start.wait();
                    for version in 1..=VERSIONS {
                        // Both halves of the pair, under one write lock.
                        cache.set_many(pair(w).map(|key| (key, version)));
                        // A key whose value says which key it is.
                        cache.set(format!("w{w}-{version}"), w * 1000 + version);
                    }
                });
            }
            for _ in 0..READERS {
                let (cache, start) = (&cache, &start);
                s.spawn(move || {
                    start.wait();
                    let mut last_seen = [0; WRITERS as usize];
                    for round in 0..VERSIONS {
                        let w = round % WRITERS;
                        let [left, right] = pair(w);
                        let seen = cache.get_many(&[left.as_str(), right.as_str()]);
                        let (Some(left), Some(right)) = (seen[0], seen[1]) else {
                            panic!("the pair was set before the threads started");
                        };
                        // Never half a batch, and never going back in time.
                        assert_eq!(left, right, "saw half of writer {w}'s batch");
                        assert!(left >= last_seen[w as usize], "writer {w}'s pair went back");
                        last_seen[w as usize] = left;
                        if let Some(value) = cache.get(&format!("w{w}-{round}")) {
                            assert_eq!(value, w * 1000 + round);
                        }
                    }
                });
            }
        });
        // Every thread is joined: the map is exactly what the writers wrote.
        let mut expected = HashMap::new();
        for w in 0..WRITERS {
            for key in pair(w) {
                expected.insert(key, VERSIONS);
            }
            for version in 1..=VERSIONS {
                expected.insert(format!("w{w}-{version}"), w * 1000 + version);
            }
        }
        assert_eq!(cache.snapshot(), expected);
    });
}
// ANCHOR_END: consistent_under_contention

#[test]
fn racing_get_or_insert_with_callers_all_get_the_stored_value() {
    test_kit::run(|| {
        const THREADS: usize = 8;
        let cache: Cache<&str, usize> = Cache::new();
        let makes = AtomicUsize::new(0);
        let start = Barrier::new(THREADS);
        let got: Vec<usize> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..THREADS)
                .map(|i| {
                    let (cache, makes, start) = (&cache, &makes, &start);
                    s.spawn(move || {
                        start.wait();
                        cache.get_or_insert_with("key", || {
                            makes.fetch_add(1, Ordering::Relaxed);
                            i
                        })
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().expect("no panic"))
                .collect()
        });
        // `make` may have run more than once, but one value won, and every
        // caller got that value.
        let stored = cache.get("key").expect("stored");
        assert!(
            got.iter().all(|&value| value == stored),
            "{got:?} vs {stored}"
        );
        let makes = makes.load(Ordering::Relaxed);
        assert!((1..=THREADS).contains(&makes));
        // Every miss ran `make` once; every other call was a hit (+1: our get).
        assert_eq!(cache.stats().misses, makes as u64);
        assert_eq!(cache.stats().hits, (THREADS - makes + 1) as u64);
    });
}

// ANCHOR: fill_keeps_newer_value
#[test]
fn a_fill_after_a_miss_never_overwrites_a_value_written_meanwhile() {
    test_kit::run(|| {
        let cache: Cache<u32, String> = Cache::new();
        let (loading_tx, loading_rx) = std::sync::mpsc::channel::<()>();
        let (renamed_tx, renamed_rx) = std::sync::mpsc::channel::<()>();
        std::thread::scope(|s| {
            // A reader misses user 7 and loads it: slowly, so that...
            let cache = &cache;
            let reader = s.spawn(move || {
                cache.get_or_load(7, |id| {
                    loading_tx.send(()).expect("the test waits for this");
                    renamed_rx.recv().expect("the test renames first");
                    format!("user-{id}")
                })
            });
            // ...a writer renames the user while the load is in flight.
            loading_rx.recv().expect("the reader starts loading");
            cache.set(7, "user-7 (renamed)".to_owned());
            renamed_tx.send(()).expect("the reader waits for this");
            let (value, lookup) = reader.join().expect("the reader does not panic");
            assert_eq!(lookup, Lookup::Miss, "the reader found nothing at first");
            assert_eq!(
                value, "user-7 (renamed)",
                "the reader should return the value in the cache, not the older one it loaded"
            );
        });
        assert_eq!(
            cache.get(&7).as_deref(),
            Some("user-7 (renamed)"),
            "the fill after the miss overwrote the writer's newer value with the stale one \
             it loaded: check-then-act, where the fill must insert only if the key is still absent"
        );
    });
}
// ANCHOR_END: fill_keeps_newer_value

/// A key whose `Hash` panics for the value 13: a bug in user code that runs
/// under the cache's write lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Touchy(u32);

impl Hash for Touchy {
    fn hash<H: Hasher>(&self, state: &mut H) {
        assert_ne!(self.0, 13, "unlucky key");
        self.0.hash(state);
    }
}

// ANCHOR: poisoning
#[test]
fn a_panic_under_the_lock_does_not_break_the_cache() {
    let cache: Cache<Touchy, &str> = Cache::new();
    cache.set(Touchy(1), "one");
    let crashed = panic::catch_unwind(AssertUnwindSafe(|| cache.set(Touchy(13), "thirteen")));
    assert!(crashed.is_err());
    // The panic happened while the write lock was held: the lock is poisoned.
    assert!(cache.is_poisoned());
    // The cache carries on: the old entry is there, new ones go in.
    assert_eq!(cache.get(&Touchy(1)), Some("one"));
    cache.set(Touchy(2), "two");
    assert_eq!(cache.len(), 2);
}
// ANCHOR_END: poisoning
