//! Properties of the async pool: every result arrives once, in the order
//! asked for and at the virtual instant it should; at most `N` jobs run at
//! once, and `N` is reached; a panicking job fails alone; zero workers is an
//! error; dropping the pool's future aborts its jobs; no task leaks.
//!
//! Tests about time run on tokio's paused clock, so their instants are exact.
//! Every test body runs under `test_kit`'s deadline and task- and
//! thread-leak checks.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use test_kit::Harness;
use tokio::sync::Barrier;
use tokio::time::{Instant, sleep};
use worker_pool::{JobError, PoolError, tasks};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn in_order_returns_results_in_input_order_though_they_finish_reversed() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        // Job i takes 5 - i seconds: job 4 finishes first, job 0 last.
        let results = tasks::run_in_order(5, 0..5_u64, |i| async move {
            sleep(secs(5 - i)).await;
            i * 10
        })
        .await
        .expect("five workers");

        let expected: Vec<Result<u64, JobError>> = (0..5).map(|i| Ok(i * 10)).collect();
        assert_eq!(results, expected);
        assert_eq!(start.elapsed(), secs(5)); // All five ran at once.
    });
}

// ANCHOR: test_as_completed
#[test]
fn as_completed_reports_each_result_at_the_instant_its_job_finishes() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let mut reports = Vec::new();
        tasks::run_as_completed(
            4,
            [4, 3, 2, 1],
            |seconds| async move {
                sleep(secs(seconds)).await;
                seconds
            },
            |index, result| reports.push((index, result, start.elapsed())),
        )
        .await
        .expect("four workers");

        assert_eq!(
            reports,
            [
                (3, Ok(1), secs(1)),
                (2, Ok(2), secs(2)),
                (1, Ok(3), secs(3)),
                (0, Ok(4), secs(4)),
            ]
        );
    });
}
// ANCHOR_END: test_as_completed

#[test]
fn as_completed_reports_every_job_exactly_once() {
    test_kit::run_async(|| async {
        let mut seen = Vec::new();
        tasks::run_as_completed(
            8,
            0..500_u64,
            |n| async move {
                tokio::task::yield_now().await;
                n * n
            },
            |index, result| seen.push((index, result)),
        )
        .await
        .expect("eight workers");

        seen.sort_by_key(|(index, _)| *index);
        let expected: Vec<(usize, Result<u64, JobError>)> =
            (0..500).map(|n| (n as usize, Ok(n * n))).collect();
        assert_eq!(seen, expected);
    });
}

// ANCHOR: test_bounded
#[test]
fn at_most_n_jobs_run_at_once_and_n_is_reached() {
    test_kit::run_async(|| async {
        for workers in [1, 2, 3, 5] {
            let in_flight = Arc::new(AtomicUsize::new(0));
            let peak = Arc::new(AtomicUsize::new(0));
            // As in the thread test: the barrier opens only when `workers`
            // jobs wait at it together, so reaching `workers` is certain.
            let barrier = Arc::new(Barrier::new(workers));
            let jobs = 4 * workers;

            let results = tasks::run_in_order(workers, 0..jobs, |i| {
                let (in_flight, peak, barrier) = (in_flight.clone(), peak.clone(), barrier.clone());
                async move {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    barrier.wait().await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    i
                }
            })
            .await
            .expect("at least one worker");

            assert_eq!(results.len(), jobs);
            assert_eq!(
                peak.load(Ordering::SeqCst),
                workers,
                "with {workers} workers"
            );
        }
    });
}
// ANCHOR_END: test_bounded

// ANCHOR: test_timing
#[test]
fn ten_one_second_jobs_on_three_workers_take_exactly_four_seconds() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let results = tasks::run_in_order(3, 0..10, |_| async move {
            let started = start.elapsed();
            sleep(secs(1)).await;
            started
        })
        .await
        .expect("three workers");

        // Three at 0 s, three at 1 s, three at 2 s, the last one at 3 s.
        let starts: Vec<u64> = results
            .iter()
            .map(|r| r.clone().unwrap().as_secs())
            .collect();
        assert_eq!(starts, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
        assert_eq!(start.elapsed(), secs(4));
    });
}
// ANCHOR_END: test_timing

#[test]
fn a_panicking_job_fails_alone_with_its_message() {
    test_kit::run_async(|| async {
        let results = tasks::run_in_order(3, 0..100_u32, |n| async move {
            match n {
                13 => panic!("thirteen is unlucky"),
                42 => panic!("no answer for {n}"),
                _ => n + 1,
            }
        })
        .await
        .expect("three workers");

        assert_eq!(results.len(), 100);
        for (i, result) in results.iter().enumerate() {
            match i {
                13 => assert_eq!(
                    result,
                    &Err(JobError {
                        index: 13,
                        message: "thirteen is unlucky".into()
                    })
                ),
                42 => assert_eq!(
                    result,
                    &Err(JobError {
                        index: 42,
                        message: "no answer for 42".into()
                    })
                ),
                _ => assert_eq!(result, &Ok(i as u32 + 1)),
            }
        }
    });
}

#[test]
fn zero_workers_is_an_error_not_a_hang() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let none = tasks::run_in_order(0, [1, 2, 3], |n| async move { n }).await;
        assert_eq!(none, Err(PoolError::NoWorkers));

        let mut reported = 0;
        let none =
            tasks::run_as_completed(0, [1, 2, 3], |n| async move { n }, |_, _| reported += 1).await;
        assert_eq!(none, Err(PoolError::NoWorkers));
        assert_eq!(reported, 0);
        assert_eq!(start.elapsed(), Duration::ZERO);
    });
}

#[test]
fn an_empty_batch_returns_at_once_without_running_anything() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let mut called = 0;
        let results = tasks::run_in_order(4, Vec::<u32>::new(), |n| {
            called += 1;
            async move { n }
        })
        .await;
        assert_eq!(results, Ok(Vec::new()));
        assert_eq!(called, 0);
        assert_eq!(start.elapsed(), Duration::ZERO);
    });
}

// ANCHOR: test_drop
#[test]
fn dropping_the_pool_future_aborts_the_running_jobs() {
    Harness::new().paused_clock().run_async(|| async {
        let started = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicUsize::new(0));
        let pool = tasks::run_in_order(2, 0..10, |_| {
            let (started, finished) = (started.clone(), finished.clone());
            async move {
                started.fetch_add(1, Ordering::SeqCst);
                sleep(secs(1)).await;
                finished.fetch_add(1, Ordering::SeqCst);
            }
        });

        // Give up at 2.5 s: the timeout drops the pool's future.
        let outcome = tokio::time::timeout(Duration::from_millis(2500), pool).await;
        assert!(outcome.is_err(), "the batch needs 5 s");

        // Jobs 0-1 ran from 0 s to 1 s and jobs 2-3 from 1 s to 2 s; jobs
        // 4-5 started at 2 s and were aborted mid-sleep. Nothing else runs,
        // however long we wait, and the harness sees no task left.
        sleep(secs(10)).await;
        assert_eq!(started.load(Ordering::SeqCst), 6);
        assert_eq!(finished.load(Ordering::SeqCst), 4);
    });
}
// ANCHOR_END: test_drop

#[test]
fn a_panic_in_on_result_aborts_the_jobs_still_running() {
    Harness::new().paused_clock().run_async(|| async {
        let started = Arc::new(AtomicUsize::new(0));
        let pool = tasks::run_as_completed(
            2,
            0..10,
            {
                let started = started.clone();
                move |_| {
                    started.fetch_add(1, Ordering::SeqCst);
                    sleep(secs(1))
                }
            },
            |_, _| panic!("the caller gave up"),
        );

        // Run the pool as a task of its own, so that its panic comes back
        // to us as a `JoinError`.
        let error = tokio::spawn(pool).await.expect_err("the callback panicked");
        assert!(error.is_panic());
        // The first report came at 1 s, before the pool started job 2. The
        // pool's `JoinSet` was dropped while the panic unwound, so no job
        // outlives it (the harness checks that no task is left).
        sleep(secs(10)).await;
        assert_eq!(started.load(Ordering::SeqCst), 2);
    });
}

// ANCHOR: test_drop_busy
#[test]
fn a_dropped_pool_only_tells_a_busy_job_to_stop() {
    // A multi-threaded runtime: the busy job holds one worker thread.
    test_kit::run_async(|| async {
        let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let release_rx = Arc::new(std::sync::Mutex::new(release_rx));
        let stopped = Arc::new(AtomicUsize::new(0));
        let past_the_await = Arc::new(AtomicUsize::new(0));
        let pool = tasks::run_in_order(1, [()], {
            let (stopped, past_the_await) = (Arc::clone(&stopped), Arc::clone(&past_the_await));
            move |()| {
                let (started_tx, release_rx) = (started_tx.clone(), Arc::clone(&release_rx));
                let (stopped, past_the_await) = (Arc::clone(&stopped), Arc::clone(&past_the_await));
                async move {
                    /// Counts the job's future being dropped: where it stopped.
                    struct Stopped(Arc<AtomicUsize>);
                    impl Drop for Stopped {
                        fn drop(&mut self) {
                            self.0.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    let _stopped = Stopped(stopped);
                    started_tx.send(()).expect("the test waits for this");
                    // Blocks its thread, as a long computation would.
                    let release = release_rx.lock().expect("not poisoned").recv();
                    release.expect("the test releases the job");
                    tokio::task::yield_now().await; // Where the abort lands.
                    past_the_await.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        // Run the pool until its job has started, then drop its future.
        let mut pool = Box::pin(pool);
        tokio::select! {
            _ = &mut pool => panic!("the job cannot finish before it is released"),
            () = async {
                while started_rx.try_recv().is_err() {
                    tokio::task::yield_now().await;
                }
            } => {}
        }
        drop(pool);
        assert_eq!(
            stopped.load(Ordering::SeqCst),
            0,
            "the drop returned while the job was still running: an abort waits for its next `.await`"
        );
        release_tx.send(()).expect("the job waits for this");
        while stopped.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            past_the_await.load(Ordering::SeqCst),
            0,
            "the job stopped at its first `.await` after the abort, and never ran past it"
        );
    });
}
// ANCHOR_END: test_drop_busy
