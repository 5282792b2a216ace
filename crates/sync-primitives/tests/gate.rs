//! The `Condvar` gate: waiters are held until it opens, all are released
//! then, a signal sent before anyone waits is not lost, and a bounded wait
//! gives up. And why tasks need another gate: a `Condvar` wait blocks the
//! runtime's thread.

use std::panic;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use sync_primitives::Gate;

// ANCHOR: gate_test
#[test]
fn waiters_are_held_until_the_gate_opens_then_all_pass() {
    test_kit::run(|| {
        let gate = Gate::new();
        let (passed_tx, passed_rx) = mpsc::channel();
        std::thread::scope(|s| {
            for i in 0..4 {
                let (gate, passed_tx) = (&gate, passed_tx.clone());
                s.spawn(move || {
                    gate.wait();
                    passed_tx.send(i).expect("the test holds the receiver");
                });
            }
            // Closed: nobody can get through, however long we give them.
            let early = passed_rx.recv_timeout(Duration::from_millis(50));
            assert_eq!(early, Err(mpsc::RecvTimeoutError::Timeout));
            gate.open();
            let mut passed: Vec<i32> = (0..4)
                .map(|_| passed_rx.recv().expect("every waiter passes"))
                .collect();
            passed.sort_unstable();
            assert_eq!(passed, [0, 1, 2, 3]);
        });
    });
}
// ANCHOR_END: gate_test

#[test]
fn a_gate_opened_before_anyone_waits_does_not_lose_the_signal() {
    // A bare `Condvar::notify_all` with nobody waiting is lost; the `bool`
    // the gate keeps under its mutex is what makes a late waiter pass.
    test_kit::run(|| {
        let gate = Gate::new();
        gate.open();
        std::thread::scope(|s| {
            s.spawn(|| gate.wait());
        });
        assert!(gate.is_open());
    });
}

#[test]
fn a_bounded_wait_gives_up_on_a_closed_gate() {
    let gate = Gate::new();
    assert!(!gate.wait_timeout(Duration::from_millis(20)));
    gate.open();
    gate.open(); // Opening twice is harmless.
    assert!(
        gate.wait_timeout(Duration::from_secs(3600)),
        "open: returns at once"
    );
}

// ANCHOR: gate_in_async
#[test]
fn a_task_waiting_on_a_condvar_gate_blocks_its_runtime_thread() {
    // On a current-thread runtime, one task waits on the gate and another
    // would open it. `Gate::wait` blocks the runtime's only thread, so the
    // opener never runs: a deadlock that no `.await` can break.
    test_kit::run(|| {
        let gate = Arc::new(Gate::new());
        let in_runtime = Arc::clone(&gate);
        let hung = panic::catch_unwind(|| {
            test_kit::within(Duration::from_millis(300), move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .expect("build a runtime");
                runtime.block_on(async move {
                    let opener = tokio::spawn({
                        let gate = Arc::clone(&in_runtime);
                        async move { gate.open() }
                    });
                    in_runtime.wait(); // Blocks the thread the opener needs.
                    opener.await.expect("the opener does not panic");
                });
            })
        });
        let message = hung
            .expect_err("the runtime should hang")
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(
            message.starts_with("did not finish within"),
            "expected the deadline to catch the blocked runtime, got: {message}"
        );
        // Open it from here, so that the stuck thread finishes and the
        // thread check around us sees it end.
        gate.open();
    });
}

#[test]
fn a_tokio_watch_channel_is_the_gate_for_tasks() {
    // The same two tasks with `tokio::sync::watch`: waiting is an `.await`,
    // so the waiting task yields its thread and the opener runs.
    test_kit::Harness::new().paused_clock().run_async(|| async {
        let (open_tx, mut open_rx) = tokio::sync::watch::channel(false);
        let opener = tokio::spawn(async move {
            open_tx.send_replace(true);
        });
        let open = open_rx
            .wait_for(|open| *open)
            .await
            .map(|open| *open)
            .expect("the opener sent before it dropped the sender");
        assert!(open, "the waiter passes once the gate is open");
        opener.await.expect("the opener does not panic");
    });
}
// ANCHOR_END: gate_in_async
