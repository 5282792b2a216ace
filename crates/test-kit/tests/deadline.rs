//! When a deadline passes, the failure says what each thread of the code
//! under test was doing, so that a deadlock, a busy loop and a blocked
//! runtime can be told apart.
//!
//! These tests leave stuck threads behind on purpose (Rust cannot end a
//! thread), so they live in a test binary of their own, without leak checks.

#![cfg(target_os = "linux")]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

/// The table lists every thread started since the deadline began, so these
/// tests run one at a time (as the checker runs every spec test in a process
/// of its own).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The message `f` panics with, with no other of these tests running.
fn panic_message(f: impl FnOnce()) -> String {
    let _alone = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .expect_err("the deadline should have passed");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

#[test]
fn a_deadlock_between_two_named_threads_names_both_as_waiting() {
    let message = panic_message(|| {
        test_kit::within(Duration::from_millis(300), || {
            let a = Arc::new(Mutex::new(()));
            let b = Arc::new(Mutex::new(()));
            let both = Arc::new(Barrier::new(2));
            let spawn = |name: &str, first: Arc<Mutex<()>>, second: Arc<Mutex<()>>| {
                let both = Arc::clone(&both);
                std::thread::Builder::new()
                    .name(name.into())
                    .spawn(move || {
                        let _first = first.lock().unwrap();
                        both.wait();
                        let _second = second.lock().unwrap();
                    })
                    .unwrap()
            };
            // Each takes one lock, then waits for the other's.
            let left = spawn("left", Arc::clone(&a), Arc::clone(&b));
            let right = spawn("right", b, a);
            left.join().unwrap();
            right.join().unwrap();
        });
    });
    for expected in [
        "did not finish within",
        "  left ",
        "  right ",
        "waiting on a lock, a channel or a condition variable",
        "Every thread was waiting",
    ] {
        assert!(
            message.contains(expected),
            "expected {expected:?} in: {message}"
        );
    }
}

#[test]
fn a_busy_loop_is_reported_as_running() {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let message = panic_message(|| {
        test_kit::within(Duration::from_millis(300), move || {
            std::thread::Builder::new()
                .name("spinner".into())
                .spawn(move || {
                    while !flag.load(Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                })
                .unwrap()
                .join()
                .unwrap();
        });
    });
    stop.store(true, Ordering::Relaxed);
    assert!(
        message.contains("spinner") && message.contains("running without pause"),
        "{message}"
    );
    assert!(message.contains("never stopped running"), "{message}");
}

#[test]
fn a_runtime_blocked_by_a_sleeping_task_is_reported_as_such() {
    let message = panic_message(|| {
        test_kit::within(Duration::from_millis(300), || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                // A blocking sleep inside a task: its worker cannot run anything else.
                tokio::spawn(async { std::thread::sleep(Duration::from_secs(30)) })
                    .await
                    .unwrap();
            });
        });
    });
    assert!(
        message.contains("tokio-rt-worker") && message.contains("sleeping (std::thread::sleep)"),
        "{message}"
    );
    assert!(
        message.contains("is stuck in a call that does not yield"),
        "{message}"
    );
}

#[test]
fn a_deadline_on_a_runtime_says_how_many_tasks_are_alive() {
    let message = panic_message(|| {
        test_kit::Harness::new()
            .limit(Duration::from_millis(500))
            .run_async(|| async {
                // Three tasks nobody awaits or ends, and a body that waits forever.
                for _ in 0..3 {
                    tokio::spawn(std::future::pending::<()>());
                }
                std::future::pending::<()>().await;
            });
    });
    assert!(message.contains("did not finish within"), "{message}");
    assert!(
        message.contains("3 tokio tasks were alive on the test's runtime"),
        "{message}"
    );
}
