//! Locks in async code: tokio's `Mutex` keeps a multi-part message whole
//! across its awaits where a std lock taken per part does not; a cancelled
//! holder releases the lock; std's `Mutex` between awaits counts exactly on
//! a multi-threaded runtime.

use std::sync::{Arc, Mutex};

use sync_primitives::{Connection, PageViews};
use test_kit::Harness;

/// Whether `sender`'s three parts sit next to each other, in order.
fn whole(written: &[String], sender: &str) -> bool {
    let parts = ["1", "2", "3"].map(|part| format!("{sender}: {part}"));
    written.windows(3).any(|window| window == parts)
}

// ANCHOR: messages_stay_whole
#[test]
fn messages_stay_whole_when_the_lock_spans_the_awaits() {
    Harness::new().paused_clock().run_async(|| async {
        let connection = Arc::new(Connection::new());
        let senders: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|sender| {
                let connection = Arc::clone(&connection);
                tokio::spawn(async move { connection.send(sender, &["1", "2", "3"]).await })
            })
            .collect();
        for sender in senders {
            sender.await.expect("no panic");
        }
        let written = connection.written().await;
        assert_eq!(written.len(), 6);
        assert!(whole(&written, "a") && whole(&written, "b"), "{written:?}");
    });
}

#[test]
fn messages_interleave_when_each_part_takes_the_lock_anew() {
    // The same two senders with a std `Mutex` locked per part (the guard is
    // dropped before each await, as it must be): the parts interleave.
    Harness::new().paused_clock().run_async(|| async {
        let wire = Arc::new(Mutex::new(Vec::new()));
        let senders: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|sender| {
                let wire = Arc::clone(&wire);
                tokio::spawn(async move {
                    for part in ["1", "2", "3"] {
                        wire.lock()
                            .expect("no panic")
                            .push(format!("{sender}: {part}"));
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for sender in senders {
            sender.await.expect("no panic");
        }
        let written = wire.lock().expect("no panic").clone();
        assert_eq!(written.len(), 6);
        // Each sender yields after every part, and the other one runs then.
        assert!(
            !whole(&written, "a") && !whole(&written, "b"),
            "{written:?}"
        );
    });
}
// ANCHOR_END: messages_stay_whole

#[test]
fn a_sender_cancelled_halfway_releases_the_lock() {
    Harness::new().paused_clock().run_async(|| async {
        let connection = Connection::new();
        {
            let mut halfway = std::pin::pin!(connection.send("a", &["1", "2", "3"]));
            // One poll: part 1 is written, and the sender waits with the lock.
            assert!(futures::poll!(halfway.as_mut()).is_pending());
        } // Dropped here, guard and all.
        connection.send("b", &["1"]).await;
        assert_eq!(connection.written().await, ["a: 1", "b: 1"]);
    });
}

#[test]
fn a_std_mutex_between_awaits_counts_exactly_on_many_threads() {
    let views = test_kit::run_async(|| async {
        let views = Arc::new(PageViews::new());
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let views = Arc::clone(&views);
                tokio::spawn(async move {
                    for _ in 0..100 {
                        views.record("/");
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("no panic");
        }
        views.count("/")
    });
    assert_eq!(views, 800);
}
