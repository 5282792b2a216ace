//! The thread checks catch a deliberately leaked thread, pass clean code, and
//! say what they found in words a learner understands.
//!
//! Every test here starts its threads inside a check (see the `threads`
//! module docs for why); the task checks have a test file of their own.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use leak_detection::{Leak, check_threads};

const GRACE: Duration = Duration::from_millis(200);

#[test]
fn a_joined_thread_is_not_a_leak() {
    let result = check_threads(GRACE, || std::thread::spawn(|| 2 + 2).join().unwrap());
    assert_eq!(result, Ok(4));
}

#[test]
fn a_detached_thread_that_finishes_within_the_grace_period_is_not_a_leak() {
    let result = check_threads(GRACE, || {
        std::thread::spawn(|| std::thread::sleep(Duration::from_millis(20)));
    });
    assert_eq!(result, Ok(()));
}

#[cfg(target_os = "linux")]
#[test]
fn a_thread_still_running_is_reported_by_name() {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let leak = check_threads(GRACE, move || {
        std::thread::Builder::new()
            .name("spinning-worker-with-a-long-name".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
            .unwrap();
    })
    .unwrap_err();
    stop.store(true, Ordering::Relaxed);

    let Leak::Threads { threads, grace } = &leak else {
        panic!("expected a thread leak, got {leak:?}");
    };
    assert_eq!(*grace, GRACE);
    assert_eq!(threads.len(), 1);
    // The kernel keeps 15 bytes of a thread's name.
    assert_eq!(threads[0].name, "spinning-worker");
    let message = leak.to_string();
    assert!(
        message.starts_with(
            "leak detected: 1 thread started by the code under test was still running"
        )
    );
    assert!(message.contains("\"spinning-worker\" (tid "), "{message}");
}

#[test]
fn threads_that_existed_before_the_check_are_not_blamed() {
    // The outer check keeps this test's own threads inside the lock; the
    // inner one, on the same thread, nests without waiting for it.
    check_threads(GRACE, || {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let old = std::thread::spawn(move || rx.recv());
        let result = check_threads(GRACE, || "clean");
        assert_eq!(result, Ok("clean"));
        drop(tx);
        old.join().unwrap().unwrap_err();
    })
    .unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_check_on_a_helper_thread_that_inherits_the_section_nests_and_still_finds_leaks() {
    // The outer check holds the process-wide lock while it waits for the
    // helper; the helper's own check must nest in it (it would wait for that
    // lock forever otherwise) and still see the thread it leaks.
    let (tx, rx) = crossbeam::channel::bounded::<()>(0);
    let outer = check_threads(GRACE, move || {
        let check = leak_detection::threads::InheritedCheck::current();
        let helper = std::thread::spawn(move || {
            check.run(|| {
                check_threads(GRACE, move || {
                    std::thread::Builder::new()
                        .name("helper-leak".into())
                        .spawn(move || rx.recv())
                        .expect("the OS starts a thread");
                })
            })
        });
        let inner = helper.join().expect("the helper does not panic");
        drop(tx); // Lets the leaked thread end before the outer check looks.
        inner
    });
    let inner = outer.expect("the outer check sees every thread end");
    let Err(Leak::Threads { threads, .. }) = &inner else {
        panic!("expected the nested check to report the helper's thread, got {inner:?}");
    };
    assert_eq!(
        threads.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["helper-leak"],
        "the nested check blames the thread started inside it, and nothing else"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn an_awaited_spawn_blocking_leaves_an_idle_thread_on_a_runtime_built_before_the_check() {
    // The outer check keeps this test's threads inside the lock. The runtime
    // is built before the inner check; the blocking pool's thread that the
    // inner check sees start stays idle (for ten seconds, tokio's default
    // keep-alive) after its closure returned, so the inner check blames it.
    check_threads(GRACE, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("build a runtime");
        let inner = check_threads(GRACE, || {
            runtime.block_on(async {
                tokio::task::spawn_blocking(|| 2 + 2)
                    .await
                    .expect("no panic")
            })
        });
        let Err(Leak::Threads { threads, .. }) = &inner else {
            panic!("expected the idle blocking-pool thread to be reported, got {inner:?}");
        };
        assert_eq!(
            threads.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            [leak_detection::TOKIO_THREAD_NAME],
            "the one thread left is the blocking pool's idle thread"
        );
        // Shutting the runtime down inside the outer check joins that thread.
        drop(runtime);
    })
    .expect("dropping the runtime joins its blocking pool");
}

#[test]
fn assert_no_thread_leaks_panics_with_the_report() {
    let (tx, rx) = crossbeam::channel::bounded::<()>(0);
    let panic = std::panic::catch_unwind(move || {
        leak_detection::assert_no_thread_leaks(move || {
            std::thread::spawn(move || rx.recv());
        })
    })
    .unwrap_err();
    drop(tx);
    let message = panic.downcast_ref::<String>().unwrap();
    if cfg!(target_os = "linux") {
        assert!(message.starts_with("leak detected"), "{message}");
    }
}
