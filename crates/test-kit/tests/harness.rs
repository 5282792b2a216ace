//! The harness turns hangs and leaks into failures with a clear message, and
//! lets a correct test body through untouched.
//!
//! Tests that start threads outside the harness wrap themselves in
//! `check_threads`, so that the thread checks of parallel tests stay exact.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use test_kit::Harness;

const GRACE: Duration = Duration::from_millis(500);

fn panic_message(f: impl FnOnce()) -> String {
    let payload = panic::catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap()
}

#[test]
fn a_deadline_catches_a_blocked_closure() {
    let message = test_kit::check_threads(GRACE, || {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let started = std::time::Instant::now();
        let message = panic_message(|| {
            test_kit::within(Duration::from_millis(200), move || {
                let _ = rx.recv();
            });
        });
        assert!(started.elapsed() < Duration::from_secs(2));
        drop(tx); // Let the stuck thread go.
        message
    })
    .unwrap();
    assert!(
        message.starts_with("did not finish within 200ms.\n"),
        "{message}"
    );
    // What the stuck thread was doing, then the usual causes.
    assert!(
        message.contains("waiting on a lock, a channel or a condition variable"),
        "{message}"
    );
    assert!(message.contains("This looks like a deadlock"), "{message}");
    assert!(message.contains("a channel nobody closes"), "{message}");
}

#[test]
fn a_panic_inside_the_deadline_comes_through_unchanged() {
    let message = test_kit::check_threads(GRACE, || {
        panic_message(|| test_kit::within(Duration::from_secs(5), || panic!("assertion: 2 != 3")))
    })
    .unwrap();
    assert_eq!(message, "assertion: 2 != 3");
}

#[test]
fn a_clean_body_passes_and_returns_its_value() {
    let doubled = test_kit::run(|| std::thread::scope(|s| s.spawn(|| 21 * 2).join().unwrap()));
    assert_eq!(doubled, 42);
    let value = test_kit::run_async(|| async { tokio::spawn(async { 7 }).await.unwrap() });
    assert_eq!(value, 7);
}

#[cfg(target_os = "linux")]
#[test]
fn a_leaked_thread_fails_the_test() {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let message = panic_message(|| {
        Harness::new()
            .grace(Duration::from_millis(100))
            .run(move || {
                std::thread::Builder::new()
                    .name("orphan".into())
                    .spawn(move || {
                        let _ = rx.recv();
                    })
                    .unwrap();
            })
    });
    drop(tx);
    assert!(message.starts_with("leak detected: 1 thread"), "{message}");
    assert!(message.contains("\"orphan\""), "{message}");
}

#[test]
fn a_leaked_task_fails_the_test() {
    let message = panic_message(|| {
        Harness::new()
            .grace(Duration::from_millis(100))
            .run_async(|| async {
                tokio::spawn(std::future::pending::<()>());
            })
    });
    assert!(
        message.starts_with("leak detected: 1 tokio task"),
        "{message}"
    );
}

#[test]
fn a_hung_async_body_is_caught_by_the_deadline() {
    let message = panic_message(|| {
        Harness::new()
            .limit(Duration::from_millis(200))
            .run_async(|| async {
                // Blocking the runtime's thread: the worst case, which no
                // tokio::time::timeout inside the runtime could catch.
                std::thread::sleep(Duration::from_millis(700));
            })
    });
    assert!(
        message.starts_with("did not finish within 200ms"),
        "{message}"
    );
}

#[test]
fn the_paused_clock_makes_timers_exact_and_instant() {
    let real = std::time::Instant::now();
    let virtual_elapsed = Harness::new().paused_clock().run_async(|| async {
        let start = tokio::time::Instant::now();
        let mut ticker = tokio::time::interval(Duration::from_secs(1));
        for _ in 0..=10 {
            ticker.tick().await;
        }
        start.elapsed()
    });
    assert_eq!(virtual_elapsed, Duration::from_secs(10));
    assert!(real.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_panic_on_a_thread_nobody_joins_fails_the_test_when_denied() {
    let message = panic_message(|| {
        Harness::new().deny_thread_panics().run(|| {
            let (tx, rx) = std::sync::mpsc::channel::<u8>();
            std::thread::spawn(move || {
                let _ = tx.send(255);
                // Overflow, after the last send: the receiver sees the value
                // and then a closed channel, as if all went well.
                let x: u8 = std::hint::black_box(255);
                let _ = tx.send(x + 1);
            });
            assert_eq!(rx.iter().collect::<Vec<_>>(), [255]);
        })
    });
    assert!(
        message.starts_with("a thread panicked while the test ran"),
        "{message}"
    );
    assert!(
        message.contains("attempt to add with overflow"),
        "{message}"
    );
}

#[test]
fn a_caught_panic_does_not_fail_the_test_unless_denied() {
    let value = test_kit::run(|| std::thread::spawn(|| panic!("on purpose")).join().is_err());
    assert!(value);
}

#[test]
fn a_leak_check_nested_in_run_does_not_wait_for_the_lock_run_holds() {
    // `run` holds the process-wide check lock on the test thread and runs
    // the body on a worker thread of its deadline; a check inside the body
    // runs on that worker, and must nest in `run`'s check, not queue behind it.
    let message = panic::catch_unwind(|| {
        Harness::new().limit(Duration::from_secs(2)).run(|| {
            let inner = test_kit::check_threads(GRACE, || {
                std::thread::spawn(|| 2 + 2).join().expect("no panic")
            });
            assert_eq!(
                inner,
                Ok(4),
                "a clean nested check passes and returns its body's value"
            );
        })
    })
    .err()
    .map(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default()
    });
    assert_eq!(
        message, None,
        "a check nested in test_kit::run must run, not wait for the lock run holds; \
         a message starting with `did not finish within` means the worker queued behind its own test thread"
    );
}

#[test]
fn on_the_paused_clock_tasks_that_never_rest_are_reported_as_a_leak_not_a_hang() {
    // Two detached tasks that hand a value back and forth forever: the
    // runtime is never idle, so the paused clock never moves, and a grace
    // period that waits on a timer would never end.
    let message = panic_message(|| {
        Harness::new()
            .paused_clock()
            .limit(Duration::from_secs(3))
            .grace(Duration::from_millis(200))
            .run_async(|| async {
                let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u8>(1);
                let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u8>(1);
                ping_tx.send(0).await.expect("room for one");
                tokio::spawn(async move {
                    while let Some(n) = ping_rx.recv().await {
                        let _ = pong_tx.send(n).await;
                    }
                });
                tokio::spawn(async move {
                    while let Some(n) = pong_rx.recv().await {
                        let _ = ping_tx.send(n).await;
                    }
                });
            })
    });
    assert!(
        message.starts_with("leak detected: 2 tokio tasks"),
        "expected the two busy tasks to be reported as leaked, got: {message}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_detached_blocking_loop_is_reported_as_a_leaked_thread() {
    // `spawn_blocking` work is not a tokio task: the task check cannot see
    // it. It runs on a thread of the runtime's blocking pool, which
    // `run_async` starts inside its thread check and shuts down before the
    // check ends; the loop keeps its thread, and the thread check names it.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let message = panic_message(|| {
        Harness::new()
            .limit(Duration::from_secs(3))
            .grace(Duration::from_millis(200))
            .run_async(|| async move {
                // Detached: the handle is dropped at once.
                drop(tokio::task::spawn_blocking(move || {
                    while !flag.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }));
            })
    });
    stop.store(true, Ordering::SeqCst);
    assert!(
        message.starts_with("leak detected: 1 thread"),
        "expected the blocking pool's thread to be reported as leaked, got: {message} \
         (a `did not finish within` means the runtime's shutdown waited for the loop)"
    );
    assert!(
        message.contains("\"tokio-rt-worker\""),
        "expected the leaked thread to carry the name tokio gives its threads; got: {message}"
    );
}
