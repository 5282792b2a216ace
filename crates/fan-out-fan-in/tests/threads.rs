//! Properties of fan-out and fan-in on threads: every item is delivered
//! exactly once; the merged channel closes exactly when every input has
//! closed; the work is spread over all the workers; cancellation stops every
//! thread promptly even when they are blocked; dropping the output stops
//! everything upstream; nothing leaks.
//!
//! Every test body runs inside `test_kit::run`, which fails on a hang (a
//! deadline) and on a thread that outlives the body.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam::channel::{self, Receiver, Sender};
use fan_out_fan_in::FanOutError;
use fan_out_fan_in::threads::{cancel_signal, fan_in, fan_out};

/// Starts a producer thread in `scope` that sends `items` and then closes
/// its channel by returning.
fn produce<'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    items: impl IntoIterator<Item = u64> + Send + 'scope,
) -> Receiver<u64> {
    let (tx, rx) = channel::bounded(0);
    scope.spawn(move || {
        for item in items {
            if tx.send(item).is_err() {
                return;
            }
        }
    });
    rx
}

// ANCHOR: test_exactly_once
#[test]
fn every_item_is_delivered_exactly_once() {
    test_kit::run(|| {
        let (_cancel, done) = cancel_signal();
        let mut delivered: Vec<u64> = thread::scope(|s| {
            // Three sources of 200 distinct items each, merged, then spread
            // over four workers that double them.
            let sources = (0..3).map(|k| produce(s, k * 1000..k * 1000 + 200));
            let merged = fan_in(s, sources, &done);
            let doubled = fan_out(s, merged, 4, |_, n| 2 * n, &done).expect("four workers");
            doubled.iter().collect()
        });

        // As multisets: sort both sides, so the schedule does not matter.
        delivered.sort_unstable();
        let mut expected: Vec<u64> = (0..3)
            .flat_map(|k| (k * 1000..k * 1000 + 200).map(|n| 2 * n))
            .collect();
        expected.sort_unstable();
        assert_eq!(delivered, expected);
    });
}
// ANCHOR_END: test_exactly_once

// ANCHOR: test_closes_when_all_closed
#[test]
fn the_merged_channel_closes_exactly_when_every_input_has_closed() {
    test_kit::run(|| {
        let (_cancel, done) = cancel_signal();
        let (inputs_tx, inputs_rx): (Vec<Sender<u64>>, Vec<Receiver<u64>>) =
            (0..3).map(|_| channel::bounded(0)).unzip();
        thread::scope(|s| {
            let merged = fan_in(s, inputs_rx, &done);
            let mut inputs_tx = inputs_tx.into_iter();
            let (first, second, third) = (
                inputs_tx.next().unwrap(),
                inputs_tx.next().unwrap(),
                inputs_tx.next().unwrap(),
            );

            first.send(1).unwrap();
            assert_eq!(merged.recv(), Ok(1));
            drop(first);
            drop(second);
            // Two inputs closed, one open: the merged channel still works.
            third.send(3).unwrap();
            assert_eq!(merged.recv(), Ok(3));
            // The last input closes: so does the merged channel.
            drop(third);
            assert!(merged.recv().is_err(), "closed after the last input");
        });
    });
}
// ANCHOR_END: test_closes_when_all_closed

#[test]
fn fan_in_of_no_inputs_is_closed_at_once() {
    test_kit::run(|| {
        let (_cancel, done) = cancel_signal();
        thread::scope(|s| {
            let merged = fan_in(s, Vec::<Receiver<u64>>::new(), &done);
            assert!(merged.recv().is_err());
        });
    });
}

// ANCHOR: test_spread
#[test]
fn the_work_is_spread_over_every_worker() {
    test_kit::run(|| {
        let (_cancel, done) = cancel_signal();
        let workers = 4;
        // Each item waits at the barrier until four items are being worked
        // on at once. A worker handles one item at a time, so each round of
        // four takes all four workers; if fewer took part, the barrier would
        // never open and the deadline would fail the test.
        let barrier = Barrier::new(workers);
        let per_worker: BTreeMap<usize, usize> = thread::scope(|s| {
            let items = produce(s, 0..4 * workers as u64);
            let handled_by = fan_out(
                s,
                items,
                workers,
                |worker, _item| {
                    barrier.wait();
                    worker
                },
                &done,
            )
            .expect("four workers");
            let mut counts = BTreeMap::new();
            for worker in handled_by {
                *counts.entry(worker).or_default() += 1;
            }
            counts
        });

        assert_eq!(per_worker, BTreeMap::from([(0, 4), (1, 4), (2, 4), (3, 4)]));
    });
}
// ANCHOR_END: test_spread

// ANCHOR: test_cancel
#[test]
fn cancelling_stops_every_thread_even_when_blocked() {
    test_kit::run(|| {
        let (cancel, done) = cancel_signal();
        // An input that never sends and never closes: its forwarder waits on
        // an empty channel. We keep its sender to the end.
        let (idle_tx, idle_rx) = channel::bounded::<u64>(0);
        let mut cancelled_at = None;
        thread::scope(|s| {
            // An endless source: only a failed send stops it.
            let busy = produce(s, 0..);
            let merged = fan_in(s, [busy, idle_rx], &done);
            let results = fan_out(s, merged, 3, |_, n| n, &done).expect("three workers");

            // Items flow. Now nobody reads `results`, so the workers block
            // on their sends, the busy forwarder on its send to the merged
            // channel, and the idle forwarder on its receive.
            assert!(results.recv().is_ok());
            cancelled_at = Some(Instant::now());
            drop(cancel);
            // The output closes: a thread whose send was ready at the
            // moment of the cancel may deliver one last item, none waits.
            for _ in results.iter() {}
        }); // Joins every thread: the producer stopped when its forwarder did.

        let took = cancelled_at.expect("set in the scope").elapsed();
        assert!(took < Duration::from_secs(1), "stopping took {took:?}");
        // The idle forwarder is gone too: nobody receives on its input.
        assert!(idle_tx.send(1).is_err());
    });
}
// ANCHOR_END: test_cancel

#[test]
fn a_thread_busy_in_work_stops_once_the_work_returns() {
    test_kit::run(|| {
        let (cancel, done) = cancel_signal();
        let (started_tx, started_rx) = channel::bounded(1);
        let (release_tx, release_rx) = channel::bounded::<()>(0);
        thread::scope(|s| {
            let items = produce(s, 0..); // Endless.
            let work = |_, n| {
                let _ = started_tx.try_send(());
                // Blocks until released, then returns at once forever after
                // (`recv` fails when `release_tx` is gone).
                let _ = release_rx.recv();
                n
            };
            let results = fan_out(s, items, 1, work, &done).expect("one worker");

            started_rx.recv().unwrap(); // The worker is inside `work`.
            drop(cancel);
            // The cancel cannot interrupt `work`: the worker is still in it,
            // and takes our release.
            release_tx.send(()).unwrap();
            drop(release_tx);
            // Back in its loop, it passes on the item it holds, sees the
            // cancel and stops, so the output closes.
            let left = results.iter().count();
            assert!(left <= 1, "{left} items after the cancel");
        });
    });
}

#[test]
fn the_output_has_the_inputs_room() {
    test_kit::run(|| {
        let (_cancel, done) = cancel_signal();
        thread::scope(|s| {
            for (input, room) in [
                (channel::bounded::<u64>(0).1, Some(0)),
                (channel::bounded::<u64>(16).1, Some(16)),
                // Unbounded in, bounded out: a rendezvous channel.
                (channel::unbounded::<u64>().1, Some(0)),
            ] {
                let output = fan_out(s, input, 2, |_, n| n, &done).expect("two workers");
                assert_eq!(output.capacity(), room);
            }
        });
    });
}

#[test]
fn a_cancel_stops_workers_whose_input_never_runs_dry() {
    test_kit::run(|| {
        let (cancel, done) = cancel_signal();
        // An input with far more items waiting than the test reads: no
        // worker ever waits for input, so its receive never reaches the
        // `select!` that would see the cancel. Each must still look at
        // `done` before it takes the next item.
        let (tx, rx) = channel::unbounded();
        for n in 0..100_000u64 {
            tx.send(n).unwrap();
        }
        let workers = 3;
        let after_cancel = thread::scope(|s| {
            let results = fan_out(s, rx, workers, |_, n| n, &done).expect("three workers");
            for _ in 0..10 {
                results.recv().unwrap();
            }
            drop(cancel);
            results.iter().count()
        });
        // A worker may pass on the one item it held at the cancel, no more.
        assert!(
            after_cancel <= workers,
            "{after_cancel} items after the cancel, from {workers} workers"
        );
        drop(tx); // Kept to the end: only the cancel stops the workers.
    });
}

// ANCHOR: test_drop_output
#[test]
fn dropping_the_output_stops_everything_upstream() {
    test_kit::run(|| {
        // The cancel signal stays alive throughout: only the drop acts.
        let (_cancel, done) = cancel_signal();
        let (sent_tx, sent_rx) = channel::unbounded();
        thread::scope(|s| {
            // Two endless sources that count what they manage to send.
            let sources = (0..2).map(|_| {
                let (tx, rx) = channel::bounded(0);
                let sent_tx = sent_tx.clone();
                s.spawn(move || {
                    let mut sent = 0_u64;
                    while tx.send(sent).is_ok() {
                        sent += 1;
                    }
                    sent_tx.send(sent).unwrap(); // Reached only when the send failed.
                });
                rx
            });
            let merged = fan_in(s, sources, &done);
            let results = fan_out(s, merged, 3, |_, n| n, &done).expect("three workers");

            let first_five: Vec<u64> = results.iter().take(5).collect();
            assert_eq!(first_five.len(), 5);
            drop(results);
            // Each worker's next send fails, so it returns and drops its
            // share of the merged channel; then each forwarder's send fails,
            // so it drops its input; then each source's send fails.
        }); // Returns only because every thread did.

        drop(sent_tx);
        let sent: Vec<u64> = sent_rx.iter().collect();
        assert_eq!(sent.len(), 2, "both sources stopped");
    });
}
// ANCHOR_END: test_drop_output

#[test]
fn a_thread_waiting_on_an_empty_input_notices_a_dropped_output_only_at_its_next_send() {
    test_kit::run(|| {
        let (_cancel, done) = cancel_signal();
        let (idle_tx, idle_rx) = channel::bounded::<u64>(0);
        thread::scope(|s| {
            let merged = fan_in(s, [idle_rx], &done);
            drop(merged);
            // The forwarder is still there, waiting on its input: this
            // rendezvous send succeeds only because it receives the item.
            assert_eq!(idle_tx.send(7), Ok(()));
            // Its send to the merged channel then fails and it returns,
            // dropping its input: the next send fails.
            assert!(idle_tx.send(8).is_err());
        });
    });
}

#[test]
fn zero_workers_is_an_error_and_closes_the_input() {
    test_kit::run(|| {
        let (_cancel, done) = cancel_signal();
        let (tx, rx) = channel::bounded::<u64>(0);
        thread::scope(|s| {
            let outcome = fan_out(s, rx, 0, |_, n| n, &done);
            assert_eq!(outcome.err(), Some(FanOutError::NoWorkers));
        });
        // Nobody will ever read the input: a send fails instead of blocking.
        assert!(tx.send(1).is_err());
        assert_eq!(
            FanOutError::NoWorkers.to_string(),
            "a fan-out needs at least one worker"
        );
    });
}

#[test]
fn a_panicking_worker_ends_alone_and_the_scope_reports_it() {
    test_kit::run(|| {
        let (_cancel, done) = cancel_signal();
        let (delivered_tx, delivered_rx) = channel::unbounded();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            thread::scope(|s| {
                let items = produce(s, 0..100);
                let results = fan_out(
                    s,
                    items,
                    3,
                    |_, n| {
                        if n == 13 {
                            panic!("thirteen is unlucky");
                        }
                        n
                    },
                    &done,
                )
                .expect("three workers");
                for n in results {
                    delivered_tx.send(n).unwrap();
                }
            })
        }));

        let payload = outcome.expect_err("the scope re-raises the worker's panic");
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"a scoped thread panicked")
        );
        // The two other workers handled everything else.
        drop(delivered_tx);
        let mut delivered: Vec<u64> = delivered_rx.iter().collect();
        delivered.sort_unstable();
        let expected: Vec<u64> = (0..100).filter(|&n| n != 13).collect();
        assert_eq!(delivered, expected);
    });
}
