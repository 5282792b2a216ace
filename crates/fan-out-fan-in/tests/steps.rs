//! The failures each step of the Fan-out and fan-in chapter prevents: each
//! test shows a step's flaw, and the next step's test shows it gone.
//!
//! `cargo test -p fan-out-fan-in --test steps`. Every body runs inside
//! `test_kit::run` or `test_kit::run_async` (deadline and leak checks).

use std::thread;
use std::time::Duration;

use crossbeam::channel;
use fan_out_fan_in::steps::{step1_smallest, step3_tasks};
use fan_out_fan_in::{tasks, threads};
use test_kit::{Leak, check_threads};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

#[test]
fn step1_the_merged_channel_closes_when_every_input_has() {
    test_kit::run(|| {
        let (a_tx, a_rx) = channel::unbounded();
        let (b_tx, b_rx) = channel::unbounded();
        a_tx.send(1).unwrap();
        b_tx.send(2).unwrap();
        drop((a_tx, b_tx));
        let mut merged: Vec<i32> =
            thread::scope(|s| step1_smallest::merge(s, [a_rx, b_rx]).iter().collect());
        merged.sort();
        assert_eq!(merged, [1, 2]);
    });
}

// ANCHOR: step1_fails
#[test]
fn step1_a_forwarder_on_a_silent_input_cannot_be_stopped() {
    test_kit::run(|| {
        let (silent_tx, silent_rx) = channel::bounded::<u32>(0); // never sends
        let found = check_threads(Duration::from_millis(300), || {
            thread::spawn(move || {
                thread::scope(|s| drop(step1_smallest::merge(s, [silent_rx])));
            })
        });
        // The consumer dropped the merged channel, yet the forwarder, and
        // the scope waiting for it, are still there.
        assert!(matches!(found, Err(Leak::Threads { .. })));
        drop(silent_tx); // Only closing its input lets the forwarder end.
    });
}
// ANCHOR_END: step1_fails

// ANCHOR: step2_fixed
#[test]
fn step2_a_cancel_stops_a_forwarder_on_a_silent_input() {
    test_kit::run(|| {
        let (_silent_tx, silent_rx) = channel::bounded::<u32>(0); // never sends
        let (cancel, done) = threads::cancel_signal();
        thread::scope(|s| {
            let merged = threads::fan_in(s, [silent_rx], &done);
            drop(cancel); // Closes `done`: every select! on it wakes up.
            assert_eq!(merged.recv().ok(), None, "the merged channel closed");
        });
    });
}
// ANCHOR_END: step2_fixed

/// Four one-second items through four workers; returns how long it took.
async fn four_items_on_four_workers(
    fan_out: impl FnOnce(&mut JoinSet<()>, mpsc::Receiver<u32>) -> mpsc::Receiver<u32>,
) -> Duration {
    let start = Instant::now();
    let (tx, rx) = mpsc::channel(4);
    for item in 0..4 {
        tx.send(item).await.unwrap();
    }
    drop(tx);
    let mut tasks = JoinSet::new();
    let mut output = fan_out(&mut tasks, rx);
    while output.recv().await.is_some() {}
    tasks.join_all().await;
    start.elapsed()
}

async fn one_second(item: u32) -> u32 {
    sleep(Duration::from_secs(1)).await;
    item
}

// ANCHOR: step3_fails
#[test]
fn step3_holding_the_lock_while_working_runs_one_worker_at_a_time() {
    let took = test_kit::Harness::new().paused_clock().run_async(|| {
        four_items_on_four_workers(|tasks, rx| {
            step3_tasks::fan_out_holding_the_lock(tasks, rx, 4, one_second)
        })
    });
    assert_eq!(took, Duration::from_secs(4), "one item at a time");
}
// ANCHOR_END: step3_fails

// ANCHOR: step3_fixed
#[test]
fn step3_the_crates_fan_out_lets_go_of_the_lock_before_it_works() {
    let took = test_kit::Harness::new().paused_clock().run_async(|| {
        four_items_on_four_workers(|tasks, rx| {
            let cancel = CancellationToken::new();
            tasks::fan_out(tasks, rx, 4, |_, item| one_second(item), &cancel).unwrap()
        })
    });
    assert_eq!(took, Duration::from_secs(1), "four items at once");
}
// ANCHOR_END: step3_fixed
