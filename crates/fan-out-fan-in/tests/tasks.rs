//! Properties of fan-out and fan-in on tokio tasks: every item is delivered
//! exactly once; the merged channel closes at the exact instant the last
//! input closes; the work is spread over all the workers; cancellation and
//! a dropped output stop every task at that very instant, whatever it was
//! waiting on; nothing leaks.
//!
//! Tests about time run on tokio's paused clock, so their instants are
//! exact. Every test body runs under `test_kit`'s deadline and task- and
//! thread-leak checks.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use fan_out_fan_in::FanOutError;
use fan_out_fan_in::tasks::{CAPACITY, fan_in, fan_out};
use test_kit::Harness;
use tokio::sync::{Barrier, mpsc};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Spawns a producer into `tasks` that sends `items`, then closes its
/// channel by ending.
fn produce<I>(tasks: &mut JoinSet<()>, items: I) -> mpsc::Receiver<u64>
where
    I: IntoIterator<Item = u64> + Send + 'static,
    I::IntoIter: Send,
{
    let (tx, rx) = mpsc::channel(CAPACITY);
    tasks.spawn(async move {
        for item in items {
            if tx.send(item).await.is_err() {
                return;
            }
        }
    });
    rx
}

/// Awaits every task in the set, failing on a panic.
async fn join_all(tasks: &mut JoinSet<()>) {
    while let Some(joined) = tasks.join_next().await {
        joined.expect("no task panicked");
    }
}

#[test]
fn every_item_is_delivered_exactly_once() {
    // A multi-threaded runtime: the tasks really run in parallel here.
    test_kit::run_async(|| async {
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let sources: Vec<_> = (0..3)
            .map(|k| produce(&mut tasks, k * 1000..k * 1000 + 200))
            .collect();
        let merged = fan_in(&mut tasks, sources, &cancel);
        let mut doubled = fan_out(
            &mut tasks,
            merged,
            4,
            |_, n| async move {
                tokio::task::yield_now().await;
                2 * n
            },
            &cancel,
        )
        .expect("four workers");

        let mut delivered = Vec::new();
        while let Some(n) = doubled.recv().await {
            delivered.push(n);
        }
        join_all(&mut tasks).await;

        delivered.sort_unstable();
        let mut expected: Vec<u64> = (0..3)
            .flat_map(|k| (k * 1000..k * 1000 + 200).map(|n| 2 * n))
            .collect();
        expected.sort_unstable();
        assert_eq!(delivered, expected);
    });
}

// ANCHOR: test_closes_when_all_closed
#[test]
fn the_merged_channel_closes_at_the_instant_the_last_input_closes() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        // Input k sends k at k seconds, then closes.
        let inputs: Vec<_> = (1..=3)
            .map(|k| {
                let (tx, rx) = mpsc::channel(CAPACITY);
                tasks.spawn(async move {
                    sleep(secs(k)).await;
                    tx.send(k).await.expect("the forwarder is listening");
                });
                rx
            })
            .collect();
        let mut merged = fan_in(&mut tasks, inputs, &cancel);

        let mut arrivals = Vec::new();
        while let Some(k) = merged.recv().await {
            arrivals.push((k, start.elapsed()));
        }
        let closed_at = start.elapsed();

        assert_eq!(arrivals, [(1, secs(1)), (2, secs(2)), (3, secs(3))]);
        assert_eq!(closed_at, secs(3)); // Not before the last input closed.
        join_all(&mut tasks).await;
    });
}
// ANCHOR_END: test_closes_when_all_closed

#[test]
fn fan_in_of_no_inputs_is_closed_at_once() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let mut tasks = JoinSet::new();
        let mut merged = fan_in::<u64>(&mut tasks, [], &CancellationToken::new());
        assert_eq!(merged.recv().await, None);
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert!(tasks.is_empty());
    });
}

#[test]
fn the_work_is_spread_over_every_worker() {
    Harness::new().paused_clock().run_async(|| async {
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let workers = 4;
        // As in the thread test: each round of four items needs all four
        // workers at the barrier at once. This also proves that a worker
        // lets go of the shared receiver while it works.
        let barrier = Arc::new(Barrier::new(workers));
        let items = produce(&mut tasks, 0..4 * workers as u64);
        let mut handled_by = fan_out(
            &mut tasks,
            items,
            workers,
            move |worker, _item| {
                let barrier = Arc::clone(&barrier);
                async move {
                    barrier.wait().await;
                    worker
                }
            },
            &cancel,
        )
        .expect("four workers");

        let mut per_worker = BTreeMap::new();
        while let Some(worker) = handled_by.recv().await {
            *per_worker.entry(worker).or_insert(0) += 1;
        }
        join_all(&mut tasks).await;
        assert_eq!(per_worker, BTreeMap::from([(0, 4), (1, 4), (2, 4), (3, 4)]));
    });
}

// ANCHOR: test_cancel
#[test]
fn cancelling_stops_every_task_at_that_instant_even_mid_work() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        // An input that never sends and never closes: we keep its sender.
        let (idle_tx, idle_rx) = mpsc::channel::<u64>(CAPACITY);
        let busy = produce(&mut tasks, 0..); // Endless.
        let merged = fan_in(&mut tasks, [busy, idle_rx], &cancel);
        // Every item takes ten seconds of work.
        let mut results = fan_out(
            &mut tasks,
            merged,
            3,
            |_, n| async move {
                sleep(secs(10)).await;
                n
            },
            &cancel,
        )
        .expect("three workers");

        // Cancel at 3 s, in the middle of the first items' work.
        let canceller = cancel.clone();
        tasks.spawn(async move {
            sleep(secs(3)).await;
            canceller.cancel();
        });

        // The workers' futures were dropped mid-sleep: no result, ever.
        assert_eq!(results.recv().await, None);
        assert_eq!(start.elapsed(), secs(3));
        join_all(&mut tasks).await; // The producer too.
        assert_eq!(start.elapsed(), secs(3));
        assert!(idle_tx.is_closed(), "the idle forwarder is gone");
    });
}
// ANCHOR_END: test_cancel

#[test]
fn cancelling_stops_tasks_blocked_on_a_full_output_and_an_empty_input() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let (idle_tx, idle_rx) = mpsc::channel::<u64>(CAPACITY);
        let busy = produce(&mut tasks, 0..);
        let merged = fan_in(&mut tasks, [busy, idle_rx], &cancel);
        let mut results = fan_out(&mut tasks, merged, 3, |_, n| async move { n }, &cancel)
            .expect("three workers");

        // Nobody reads `results` for 2 s: the output fills, the workers
        // wait to send, the busy forwarder waits to send, the idle one
        // waits to receive. Then we cancel.
        sleep(secs(2)).await;
        cancel.cancel();
        join_all(&mut tasks).await;
        assert_eq!(start.elapsed(), secs(2));

        // What was already in the output is still there; then it is closed.
        let mut left = 0;
        while results.recv().await.is_some() {
            left += 1;
        }
        assert!(left <= CAPACITY, "{left} items left");
        assert!(idle_tx.is_closed());
    });
}

// ANCHOR: test_drop_output
#[test]
fn dropping_the_output_stops_everything_upstream_at_that_instant() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let cancel = CancellationToken::new(); // Never cancelled here.
        let mut tasks = JoinSet::new();
        let (idle_tx, idle_rx) = mpsc::channel::<u64>(CAPACITY);
        let busy = produce(&mut tasks, 0..);
        let merged = fan_in(&mut tasks, [busy, idle_rx], &cancel);
        let mut results = fan_out(
            &mut tasks,
            merged,
            3,
            |_, n| async move {
                sleep(secs(1)).await;
                n
            },
            &cancel,
        )
        .expect("three workers");

        // Three results at 1 s, three at 2 s: the fifth comes at 2 s.
        for _ in 0..5 {
            results.recv().await.expect("an endless source");
        }
        assert_eq!(start.elapsed(), secs(2));
        drop(results);

        // Every task ends at once: the workers (even those mid-work) see
        // their output closed; then the forwarders see theirs closed, even
        // the one waiting on its empty input; then the producer's send fails.
        join_all(&mut tasks).await;
        assert_eq!(start.elapsed(), secs(2));
        assert!(idle_tx.is_closed());
    });
}
// ANCHOR_END: test_drop_output

#[test]
fn zero_workers_is_an_error_and_closes_the_input() {
    Harness::new().paused_clock().run_async(|| async {
        let mut tasks = JoinSet::new();
        let (tx, rx) = mpsc::channel::<u64>(CAPACITY);
        let outcome = fan_out(
            &mut tasks,
            rx,
            0,
            |_, n| async move { n },
            &CancellationToken::new(),
        );
        assert_eq!(outcome.err(), Some(FanOutError::NoWorkers));
        assert!(tasks.is_empty(), "no task was spawned");
        assert!(tx.is_closed(), "nobody will ever read the input");
    });
}

#[test]
fn a_panicking_worker_ends_alone_and_the_join_set_reports_it() {
    Harness::new().paused_clock().run_async(|| async {
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let items = produce(&mut tasks, 0..100);
        let mut results = fan_out(
            &mut tasks,
            items,
            3,
            |_, n| async move {
                if n == 13 {
                    panic!("thirteen is unlucky");
                }
                n
            },
            &cancel,
        )
        .expect("three workers");

        let mut delivered = Vec::new();
        while let Some(n) = results.recv().await {
            delivered.push(n);
        }
        delivered.sort_unstable();
        let expected: Vec<u64> = (0..100).filter(|&n| n != 13).collect();
        assert_eq!(delivered, expected, "the other workers handled the rest");

        let mut panics = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            if let Err(error) = joined {
                let payload = error.into_panic();
                panics.push(*payload.downcast::<&str>().expect("a &str message"));
            }
        }
        assert_eq!(panics, ["thirteen is unlucky"]);
    });
}
