//! The `Condvar` gate: waiters are held until it opens, all are released
//! then, a signal sent before anyone waits is not lost, and a bounded wait
//! gives up.

use std::sync::mpsc;
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
