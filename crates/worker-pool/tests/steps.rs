//! The failures each step of the Worker pool chapter prevents: each test
//! shows a step's flaw, and the next step's test shows it gone.
//!
//! `cargo test -p worker-pool --test steps`. Every body runs inside
//! `test_kit::run` or `test_kit::run_async` (deadline and leak checks).

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, OnceLock};
use std::time::Duration;

use tokio::time::{Instant, sleep};
use worker_pool::steps::{step1_smallest, step2_bounded, step3_panics, step4_tasks};
use worker_pool::{JobError, tasks};

/// Jobs `0..n` that count how many have been taken from the iterator.
fn counted(n: usize, taken: &AtomicUsize) -> impl Iterator<Item = usize> + Send + '_ {
    (0..n).inspect(move |_| {
        taken.fetch_add(1, Ordering::SeqCst);
    })
}

#[test]
fn step1_the_smallest_pool_works() {
    test_kit::run(|| {
        let squares = step1_smallest::pool(0..100u64, 4, |n| n * n);
        assert_eq!(squares, (0..100u64).map(|n| n * n).collect::<Vec<_>>());
    });
}

// ANCHOR: step1_fails
#[test]
fn step1_queues_the_whole_batch_before_the_first_job_starts() {
    test_kit::run(|| {
        let taken = AtomicUsize::new(0);
        let taken_at_the_first_job = OnceLock::new();
        step1_smallest::pool(counted(10_000, &taken), 4, |_| {
            taken_at_the_first_job.get_or_init(|| taken.load(Ordering::SeqCst));
        });
        // All 10,000 jobs sat in the channel before a worker took the first.
        assert_eq!(taken_at_the_first_job.get(), Some(&10_000));
    });
}
// ANCHOR_END: step1_fails

// ANCHOR: step2_fixed
#[test]
fn step2_takes_only_a_few_jobs_ahead_of_the_workers() {
    test_kit::run(|| {
        let (workers, taken, ahead) = (4, AtomicUsize::new(0), AtomicUsize::new(0));
        let all_busy = Barrier::new(workers);
        let work = |job| {
            if job < workers {
                all_busy.wait(); // Every worker holds one of the first jobs...
                std::thread::sleep(Duration::from_millis(50)); // ...and the feeder runs ahead.
                ahead.fetch_max(taken.load(Ordering::SeqCst), Ordering::SeqCst);
                all_busy.wait(); // Nobody finishes before everyone has looked.
            }
        };
        step2_bounded::run_as_completed(counted(10_000, &taken), workers, work, |_, ()| {});
        // One job in each worker's hands, a full channel, one in the feeder's hand.
        assert!(ahead.load(Ordering::SeqCst) <= 2 * workers + 1);
    });
}
// ANCHOR_END: step2_fixed

#[test]
fn step2_reports_each_result_as_its_job_finishes() {
    test_kit::run(|| {
        let (release_tx, release_rx) = crossbeam::channel::bounded::<()>(0);
        let mut order = Vec::new();
        step2_bounded::run_as_completed(
            0..2,
            2,
            |job| {
                if job == 0 {
                    release_rx.recv().expect("released once job 1 is reported");
                }
                job
            },
            |index, _| {
                order.push(index);
                if index == 1 {
                    release_tx.send(()).expect("job 0 is waiting");
                }
            },
        );
        assert_eq!(order, [1, 0]);
    });
}

// ANCHOR: step2_fails
#[test]
fn step2_one_panicking_job_takes_the_batch_down() {
    test_kit::run(|| {
        let mut reported = 0;
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            step2_bounded::run_as_completed(
                0..100,
                4,
                |n| {
                    assert_ne!(n, 13, "thirteen is unlucky");
                    n
                },
                |_, _| reported += 1,
            );
        }));
        assert!(outcome.is_err(), "the scope re-raises the worker's panic");
        assert!(reported < 100, "job 13's result never came");
    });
}
// ANCHOR_END: step2_fails

// ANCHOR: step3_fixed
#[test]
fn step3_a_panicking_job_fails_alone() {
    test_kit::run(|| {
        let mut results = vec![None; 100];
        step3_panics::run_as_completed(
            0..100,
            4,
            |n| {
                assert_ne!(n, 13, "thirteen is unlucky");
                n
            },
            |index, result| results[index] = Some(result),
        );
        assert_eq!(results.iter().flatten().filter(|r| r.is_ok()).count(), 99);
        let JobError { index, message } = results[13].clone().unwrap().unwrap_err();
        assert_eq!(index, 13);
        assert!(message.contains("thirteen is unlucky"));
    });
}
// ANCHOR_END: step3_fixed

/// Ten one-second jobs that record how many run at once.
async fn one_second_job(running: &'static AtomicUsize, peak: &'static AtomicUsize) {
    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
    peak.fetch_max(now, Ordering::SeqCst);
    sleep(Duration::from_secs(1)).await;
    running.fetch_sub(1, Ordering::SeqCst);
}

// ANCHOR: step4_fails
#[test]
fn step4_spawning_every_job_at_once_has_no_limit() {
    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);
    let elapsed = test_kit::Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        step4_tasks::run_all_at_once(0..10, |_| one_second_job(&RUNNING, &PEAK)).await;
        start.elapsed()
    });
    assert_eq!(PEAK.load(Ordering::SeqCst), 10, "all ten at once");
    assert_eq!(elapsed, Duration::from_secs(1));
}
// ANCHOR_END: step4_fails

// ANCHOR: step4_fixed
#[test]
fn step4_the_crates_task_pool_keeps_at_most_n() {
    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);
    let elapsed = test_kit::Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        tasks::run_in_order(3, 0..10, |_| one_second_job(&RUNNING, &PEAK))
            .await
            .unwrap();
        start.elapsed()
    });
    assert_eq!(PEAK.load(Ordering::SeqCst), 3, "three at a time");
    assert_eq!(elapsed, Duration::from_secs(4)); // 3 + 3 + 3 + 1
}
// ANCHOR_END: step4_fixed
