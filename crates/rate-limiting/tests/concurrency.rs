//! The concurrency limiter, and how it differs from the token bucket: a
//! semaphore bounds how many jobs run at once, a bucket spaces their starts
//! in time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rate_limiting::{ConcurrencyLimit, ConfigError, TokenBucket};
use test_kit::Harness;
use tokio::time::Instant;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

// ANCHOR: in_flight
/// Counts the jobs running right now and remembers the most seen at once.
#[derive(Debug, Default)]
struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    /// Runs `job`, counted while it runs.
    async fn count<F: Future>(&self, job: F) -> F::Output {
        let running = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(running, Ordering::SeqCst);
        let output = job.await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        output
    }

    fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}
// ANCHOR_END: in_flight

/// Waits for every task, in spawn order, and returns their outputs.
async fn join_in_order<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut outputs = Vec::new();
    for task in tasks {
        outputs.push(task.await.expect("no job panics"));
    }
    outputs
}

// ANCHOR: at_most_n_at_once
#[test]
fn at_most_three_jobs_run_at_once_and_three_do() {
    Harness::new().paused_clock().run_async(|| async {
        let limit = Arc::new(ConcurrencyLimit::new(3).expect("valid limit"));
        let in_flight = Arc::new(InFlight::default());
        let start = Instant::now();
        // Nine jobs of one second each, all submitted at once.
        let jobs = (0..9)
            .map(|_| {
                let (limit, in_flight) = (Arc::clone(&limit), Arc::clone(&in_flight));
                tokio::spawn(async move {
                    limit
                        .run(in_flight.count(async {
                            let started = start.elapsed();
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            started
                        }))
                        .await
                })
            })
            .collect();
        let starts = join_in_order(jobs).await;
        // Three at a time, each three starting when the last three end.
        let expected = [0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000].map(ms);
        assert_eq!(starts, expected);
        assert_eq!(in_flight.peak(), 3);
        assert_eq!(limit.available(), limit.limit(), "every permit came back");
    });
}
// ANCHOR_END: at_most_n_at_once

#[test]
fn the_limit_holds_on_a_multi_thread_runtime() {
    // Real threads, real interleavings: whatever the schedule, never more
    // than 4 at once.
    test_kit::run_async(|| async {
        let limit = Arc::new(ConcurrencyLimit::new(4).expect("valid limit"));
        let in_flight = Arc::new(InFlight::default());
        let jobs = (0..64)
            .map(|_| {
                let (limit, in_flight) = (Arc::clone(&limit), Arc::clone(&in_flight));
                tokio::spawn(async move {
                    limit
                        .run(in_flight.count(async {
                            for _ in 0..3 {
                                tokio::task::yield_now().await;
                            }
                        }))
                        .await
                })
            })
            .collect();
        join_in_order(jobs).await;
        assert!(
            (1..=4).contains(&in_flight.peak()),
            "peak {}",
            in_flight.peak()
        );
        assert_eq!(limit.available(), 4);
    });
}

// ANCHOR: a_cancelled_job_frees_its_slot
#[test]
fn a_cancelled_job_frees_its_slot_at_once() {
    Harness::new().paused_clock().run_async(|| async {
        let limit = Arc::new(ConcurrencyLimit::new(1).expect("valid limit"));
        let start = Instant::now();
        // A job that would take an hour, cancelled by a timeout at 100 ms.
        let cancelled = {
            let limit = Arc::clone(&limit);
            tokio::spawn(async move {
                let job = limit.run(tokio::time::sleep(Duration::from_secs(3600)));
                tokio::time::timeout(ms(100), job).await
            })
        };
        // Waits for the slot.
        let next = {
            let limit = Arc::clone(&limit);
            tokio::spawn(async move { limit.run(async { start.elapsed() }).await })
        };
        assert!(cancelled.await.expect("no panic").is_err());
        assert_eq!(next.await.expect("no panic"), ms(100));
        assert_eq!(limit.available(), 1);
    });
}
// ANCHOR_END: a_cancelled_job_frees_its_slot

#[test]
fn a_cancelled_waiter_takes_no_permit() {
    Harness::new().paused_clock().run_async(|| async {
        let limit = ConcurrencyLimit::new(1).expect("valid limit");
        let held = limit.acquire().await;
        {
            // Queue up once, then give up.
            let mut waiter = std::pin::pin!(limit.acquire());
            assert!(futures::poll!(waiter.as_mut()).is_pending());
        }
        drop(held);
        assert_eq!(
            limit.available(),
            1,
            "the dropped waiter did not keep the permit"
        );
    });
}

// ANCHOR: concurrency_not_rate
#[test]
fn a_semaphore_limits_concurrency_not_rate() {
    Harness::new().paused_clock().run_async(|| async {
        let limit = Arc::new(ConcurrencyLimit::new(3).expect("valid limit"));
        let start = Instant::now();
        // Nine jobs that take no time: nothing holds a slot for long, so
        // all nine start at the same instant. The Go tutorial's buffered
        // channel "RateLimiter" behaves exactly like this.
        let jobs = (0..9)
            .map(|_| {
                let limit = Arc::clone(&limit);
                tokio::spawn(async move { limit.run(async { start.elapsed() }).await })
            })
            .collect();
        assert_eq!(join_in_order(jobs).await, [ms(0); 9]);
    });
}

#[test]
fn a_bucket_limits_rate_not_concurrency() {
    Harness::new().paused_clock().run_async(|| async {
        let bucket = Arc::new(TokenBucket::new(3, 5).expect("valid settings"));
        let in_flight = Arc::new(InFlight::default());
        let start = Instant::now();
        // Nine jobs of 950 ms each: the bucket spaces their starts, but
        // never waits for one to finish, so they pile up.
        let jobs = (0..9)
            .map(|_| {
                let (bucket, in_flight) = (Arc::clone(&bucket), Arc::clone(&in_flight));
                tokio::spawn(async move {
                    bucket.acquire().await;
                    in_flight
                        .count(async {
                            let started = start.elapsed();
                            tokio::time::sleep(ms(950)).await;
                            started
                        })
                        .await
                })
            })
            .collect();
        let starts = join_in_order(jobs).await;
        assert_eq!(starts, [0, 0, 0, 200, 400, 600, 800, 1000, 1200].map(ms));
        // At 800 ms: the three from 0 ms and those from 200 to 800 ms.
        assert_eq!(in_flight.peak(), 7);
    });
}
// ANCHOR_END: concurrency_not_rate

#[test]
fn a_zero_limit_is_an_error() {
    assert_eq!(
        ConcurrencyLimit::new(0).map(|_| ()),
        Err(ConfigError::ZeroConcurrency)
    );
    let too_many = usize::MAX;
    assert_eq!(
        ConcurrencyLimit::new(too_many).map(|_| ()),
        Err(ConfigError::TooManyPermits { limit: too_many })
    );
}
