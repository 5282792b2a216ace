//! Properties of the thread pool: every result arrives once, in the order
//! asked for; at most `N` jobs run at once, and `N` is reached; a panicking
//! job fails alone; zero workers is an error; nothing hangs or leaks.
//!
//! Every test body runs inside `test_kit::run`, which fails on a hang (a
//! deadline) and on a thread that outlives the body.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};

use crossbeam::channel::{self, Receiver, Sender};
use worker_pool::{JobError, PoolError, threads};

#[test]
fn in_order_returns_every_result_in_input_order() {
    test_kit::run(|| {
        // Job i waits for job i + 1 to finish its work, so the jobs finish
        // roughly in reverse: the order of the output comes from the
        // indices, not from the schedule.
        let (done_tx, done_rx): (Vec<Sender<()>>, Vec<Receiver<()>>) =
            (0..8).map(|_| channel::bounded(1)).unzip();
        let results = threads::run_in_order(8, 0..8, |i: usize| {
            if i < 7 {
                done_rx[i].recv().expect("job i + 1 signals before it ends");
            }
            if i > 0 {
                done_tx[i - 1].send(()).expect("room for one signal");
            }
            i * 10
        })
        .expect("eight workers");

        let expected: Vec<Result<usize, JobError>> = (0..8).map(|i| Ok(i * 10)).collect();
        assert_eq!(results, expected);
    });
}

// ANCHOR: test_as_completed
#[test]
fn as_completed_reports_each_result_the_moment_its_job_finishes() {
    test_kit::run(|| {
        // Job i may finish only after the caller has *received* job i + 1's
        // result. If results were held back until the batch was done, job 0
        // would wait forever and the deadline would fail the test.
        let (go_tx, go_rx): (Vec<Sender<()>>, Vec<Receiver<()>>) =
            (0..4).map(|_| channel::bounded(1)).unzip();
        let mut order = Vec::new();
        threads::run_as_completed(
            4,
            0..4,
            |i: usize| {
                if i < 3 {
                    go_rx[i].recv().expect("the caller lets job i go");
                }
                i * i
            },
            |index, result| {
                assert_eq!(result, Ok(index * index));
                order.push(index);
                if index > 0 {
                    go_tx[index - 1].send(()).expect("room for one signal");
                }
            },
        )
        .expect("four workers");

        assert_eq!(order, [3, 2, 1, 0]);
    });
}
// ANCHOR_END: test_as_completed

#[test]
fn as_completed_reports_every_job_exactly_once() {
    test_kit::run(|| {
        let mut seen = Vec::new();
        threads::run_as_completed(
            3,
            0..500_u64,
            |n| n * n,
            |index, result| seen.push((index, result)),
        )
        .expect("three workers");

        seen.sort_by_key(|(index, _)| *index);
        let expected: Vec<(usize, Result<u64, JobError>)> =
            (0..500).map(|n| (n as usize, Ok(n * n))).collect();
        assert_eq!(seen, expected);
    });
}

// ANCHOR: test_bounded
#[test]
fn at_most_n_jobs_run_at_once_and_n_is_reached() {
    test_kit::run(|| {
        for workers in [1, 2, 3, 5] {
            let in_flight = AtomicUsize::new(0);
            let peak = AtomicUsize::new(0);
            // Each job waits at the barrier until `workers` jobs are inside
            // it at once. With fewer running at a time the barrier never
            // opens (and the deadline fails the test), so reaching `workers`
            // does not depend on timing.
            let barrier = Barrier::new(workers);
            let jobs = 4 * workers; // A multiple of `workers`: every round fills.

            let results = threads::run_in_order(workers, 0..jobs, |i| {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                barrier.wait();
                in_flight.fetch_sub(1, Ordering::SeqCst);
                i
            })
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

// ANCHOR: test_panic
#[test]
fn a_panicking_job_fails_alone_with_its_message() {
    test_kit::run(|| {
        let results = threads::run_in_order(3, 0..100_u32, |n| {
            match n {
                13 => panic!("thirteen is unlucky"), // A `&str` payload.
                42 => panic!("no answer for {n}"),   // A `String` payload.
                _ => n + 1,
            }
        })
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
// ANCHOR_END: test_panic

#[test]
fn a_panic_with_a_value_that_is_not_a_string_is_still_reported() {
    test_kit::run(|| {
        let results = threads::run_in_order(2, [0, 1], |n| {
            if n == 1 {
                panic::panic_any(404_u16);
            }
            n
        })
        .expect("two workers");

        assert_eq!(results[0], Ok(0));
        let error = results[1].as_ref().expect_err("job 1 panicked");
        assert_eq!(error.index, 1);
        assert!(error.message.contains("not a string"), "{error}");
        assert!(error.to_string().starts_with("job 1 panicked: "));
    });
}

#[test]
fn zero_workers_is_an_error_not_a_hang() {
    test_kit::run(|| {
        let ran = AtomicUsize::new(0);
        let work = |n: u32| {
            ran.fetch_add(1, Ordering::SeqCst);
            n
        };
        assert_eq!(
            threads::run_in_order(0, [1, 2, 3], work),
            Err(PoolError::NoWorkers)
        );
        let mut reported = 0;
        assert_eq!(
            threads::run_as_completed(0, [1, 2, 3], work, |_, _| reported += 1),
            Err(PoolError::NoWorkers)
        );
        // Even with nothing to do, zero workers is a configuration bug.
        assert_eq!(
            threads::run_in_order(0, Vec::<u32>::new(), work),
            Err(PoolError::NoWorkers)
        );
        assert_eq!(ran.load(Ordering::SeqCst), 0);
        assert_eq!(reported, 0);
        assert_eq!(
            PoolError::NoWorkers.to_string(),
            "a worker pool needs at least one worker"
        );
    });
}

#[test]
fn an_empty_batch_returns_at_once_without_running_anything() {
    test_kit::run(|| {
        let ran = AtomicUsize::new(0);
        let results = threads::run_in_order(4, Vec::<u32>::new(), |n| {
            ran.fetch_add(1, Ordering::SeqCst);
            n
        });
        assert_eq!(results, Ok(Vec::new()));
        assert_eq!(ran.load(Ordering::SeqCst), 0);
    });
}

#[test]
fn a_panic_in_on_result_reaches_the_caller_and_stops_the_pool() {
    test_kit::run(|| {
        let workers = 2;
        let started = AtomicUsize::new(0);
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            threads::run_as_completed(
                workers,
                0..10_000,
                |n: u32| {
                    started.fetch_add(1, Ordering::SeqCst);
                    n
                },
                |_, _| panic!("the caller gave up"),
            )
        }));

        let payload = outcome.expect_err("the callback's panic reaches us");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"the caller gave up"));
        // When the callback panicked, at most one result per slot of the
        // results channel and one job per worker were under way; every
        // worker stops at its next send, so the rest never start.
        let started = started.load(Ordering::SeqCst);
        assert!(started <= 1 + 2 * workers, "{started} jobs started");
    });
}

#[test]
fn a_panic_in_the_jobs_iterator_reaches_the_caller_without_a_hang() {
    test_kit::run(|| {
        let finished = AtomicUsize::new(0);
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            let jobs = (0..10).map(|n| if n == 5 { panic!("no job 5") } else { n });
            threads::run_in_order(2, jobs, |n: u32| {
                finished.fetch_add(1, Ordering::SeqCst);
                n
            })
        }));

        let payload = outcome.expect_err("the feeder's panic reaches us");
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"a scoped thread panicked")
        );
        // The five jobs sent before the panic were all done.
        assert_eq!(finished.load(Ordering::SeqCst), 5);
    });
}
