//! `OnceLock` and `LazyLock` on local cells: the initialiser runs exactly
//! once however many threads race for it, and what a panicking initialiser
//! does to each.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, LazyLock, OnceLock};
use std::time::Duration;

// ANCHOR: init_runs_exactly_once
#[test]
fn init_runs_exactly_once_under_contention() {
    test_kit::run(|| {
        const THREADS: usize = 16;
        let cell: OnceLock<String> = OnceLock::new();
        let inits = AtomicUsize::new(0);
        // The start line: no thread calls `get_or_init` until all are ready.
        let start = Barrier::new(THREADS);
        let seen: Vec<&String> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..THREADS)
                .map(|i| {
                    let (cell, inits, start) = (&cell, &inits, &start);
                    s.spawn(move || {
                        start.wait();
                        cell.get_or_init(|| {
                            inits.fetch_add(1, Ordering::Relaxed);
                            // A slow initialiser: the others arrive while it
                            // runs, and must wait for it, not run their own.
                            std::thread::sleep(Duration::from_millis(20));
                            format!("made by thread {i}")
                        })
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().expect("no panic"))
                .collect()
        });
        assert_eq!(inits.load(Ordering::Relaxed), 1);
        // Every thread got a reference to the very same value.
        assert!(seen.iter().all(|value| std::ptr::eq(*value, seen[0])));
    });
}
// ANCHOR_END: init_runs_exactly_once

#[test]
fn a_panicking_initialiser_leaves_a_once_lock_empty_for_the_next_caller() {
    let cell: OnceLock<u32> = OnceLock::new();
    let failed = panic::catch_unwind(AssertUnwindSafe(|| {
        cell.get_or_init(|| panic!("the database is down"));
    }));
    assert!(failed.is_err());
    assert_eq!(cell.get(), None);
    // The next caller tries again, and this time it works.
    assert_eq!(*cell.get_or_init(|| 7), 7);
}

#[test]
fn a_panicking_initialiser_poisons_a_lazy_lock_for_good() {
    let lazy: LazyLock<u32> = LazyLock::new(|| panic!("the database is down"));
    let first = panic::catch_unwind(AssertUnwindSafe(|| *lazy));
    assert!(first.is_err());
    // The initialiser does not run again: every later access panics.
    let second = panic::catch_unwind(AssertUnwindSafe(|| *lazy));
    assert!(second.is_err());
}
