//! The crate's own globals, `db()` and `CONFIG`, raced for by many threads:
//! one connection and one config load per process. These tests live in a
//! file of their own because each test binary is its own process: no other
//! test can have touched the globals first.

use std::sync::Barrier;

use sync_primitives::{CONFIG, Config, Db, db};

#[test]
fn db_connects_once_however_many_threads_ask() {
    test_kit::run(|| {
        const THREADS: usize = 8;
        let start = Barrier::new(THREADS);
        let handles: Vec<&'static Db> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..THREADS)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        db()
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().expect("no panic"))
                .collect()
        });
        assert_eq!(Db::connections_made(), 1);
        assert!(handles.iter().all(|handle| std::ptr::eq(*handle, db())));
        assert_eq!(db().serial(), 1);
        // `db()` read the config on the way, which loaded it once.
        assert_eq!(db().url(), CONFIG.db_url);
        assert_eq!(Config::loads(), 1);
    });
}

#[test]
fn config_loads_once_however_many_threads_read_it() {
    test_kit::run(|| {
        const THREADS: usize = 8;
        let start = Barrier::new(THREADS);
        std::thread::scope(|s| {
            for _ in 0..THREADS {
                s.spawn(|| {
                    start.wait();
                    assert!(CONFIG.workers >= 1);
                });
            }
        });
        // Also 1 if the other test got there first: once per process.
        assert_eq!(Config::loads(), 1);
    });
}
