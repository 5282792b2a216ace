//! The failure the Sync primitives chapter's cache-aside step has, and the
//! fix.
//!
//! `cargo test -p sync-primitives --test steps`, inside `test_kit::run`.

use std::sync::mpsc;
use std::thread;

use sync_primitives::Cache;
use sync_primitives::steps::step1_get_then_set;

/// A reader misses user 7 and loads it; while the load is in flight, a
/// writer renames the user. Returns what the reader got and what the
/// cache holds afterwards.
fn rename_during_a_fill(
    fill: impl FnOnce(&Cache<u32, String>, &dyn Fn(&u32) -> String) -> String + Send,
) -> (String, Option<String>) {
    let cache = Cache::new();
    let (loading_tx, loading_rx) = mpsc::channel();
    let (renamed_tx, renamed_rx) = mpsc::channel();
    let got = thread::scope(|s| {
        let cache = &cache;
        let reader = s.spawn(move || {
            let slow_load = |id: &u32| {
                loading_tx.send(()).unwrap(); // "I am loading"...
                renamed_rx.recv().unwrap(); // ...and the writer renames meanwhile.
                format!("user-{id}")
            };
            fill(cache, &slow_load)
        });
        loading_rx.recv().unwrap();
        cache.set(7, "user-7 (renamed)".to_owned());
        renamed_tx.send(()).unwrap();
        reader.join().unwrap()
    });
    (got, cache.get(&7))
}

// ANCHOR: step1_fails
#[test]
fn step1_get_then_set_overwrites_a_newer_value_with_a_stale_one() {
    test_kit::run(|| {
        let (got, held) =
            rename_during_a_fill(|cache, load| step1_get_then_set::get_or_load(cache, 7, load));
        assert_eq!(got, "user-7");
        assert_eq!(held.as_deref(), Some("user-7"), "the rename is lost");
    });
}
// ANCHOR_END: step1_fails

// ANCHOR: step2_fixed
#[test]
fn step2_insert_if_absent_keeps_the_newer_value() {
    test_kit::run(|| {
        let (got, held) = rename_during_a_fill(|cache, load| cache.get_or_load(7, load).0);
        assert_eq!(
            got, "user-7 (renamed)",
            "the reader gets what the cache holds"
        );
        assert_eq!(held.as_deref(), Some("user-7 (renamed)"));
    });
}
// ANCHOR_END: step2_fixed
