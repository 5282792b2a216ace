//! Rate limiters: the rate each one achieves against the rate asked for,
//! compared with `governor`; and what one check costs.
//!
//! ```text
//! cargo bench -p benchmarks --bench rate_limiting [-- --quick]
//! ```
//!
//! **Achieved rate** (not a timing; written to
//! `target/bench-results/rate_limiting.json`): each limiter is asked for
//! 1000 permits a second with no burst, for 2 s (1 s in quick mode). The
//! time of every grant is recorded; the achieved rate is
//! `(grants - 1) / (last grant - first grant)`, and the error is its
//! distance from 1000, in percent. Limiters:
//!
//! - `ticker`: `rate_limiting::rate_limited` (a `tokio::time::interval`);
//! - `ticker_blocking`: `rate_limiting::rate_limited_blocking`
//!   (`crossbeam::channel::tick`, on the calling thread);
//! - `token_bucket`: `rate_limiting::TokenBucket::new(1, 1000)`, `acquire` in
//!   a loop;
//! - `governor` (the baseline): `RateLimiter::direct` with a quota of 1000 a
//!   second and a burst of 1, `until_ready` in a loop;
//! - `governor_tokio_timer` (the like-for-like baseline at burst 1):
//!   governor's own `until_ready` loop (`check`, then sleep for the wait it
//!   names) with the sleep on tokio's timer, the bucket's, instead of
//!   `futures-timer`;
//! - `token_bucket_burst2`, `governor_burst2`, `token_bucket_burst10` and
//!   `governor_burst10`: the same with a burst of 2 and of 10, the rate
//!   measured after the first burst. A late wake-up then leaves its token
//!   in the bucket instead of losing it.
//!
//! With a burst of 1, a limiter may never grant twice within one period, so
//! every late wake-up is lost: on tokio's 1 ms timer (the bucket's) that is
//! most of a period at 1000 a second; governor sleeps on its own, finer
//! timer (`futures-timer`, a thread that parks with a timeout), and
//! `governor_tokio_timer` shows what the same algorithm gets on tokio's.
//!
//! **Cost of one check** (criterion group `rate_check`): an uncontended
//! non-blocking check on a limiter that always has room:
//! `TokenBucket::try_acquire` (an async mutex and tokio's clock) against
//! governor's `check` (one atomic compare-and-swap on a timestamp).

use std::num::NonZeroU32;
use std::time::Instant;

use benchmarks::Mode;
use benchmarks::results::BenchRun;
use criterion::Criterion;
use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};
use rate_limiting::{TokenBucket, rate_limited, rate_limited_blocking};
use serde_json::{Value, json};

/// The rate asked of every limiter.
const RATE: u32 = 1000;

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("a positive constant")
}

/// The achieved rate of a run that granted at `grants`, in grants per second.
fn achieved(grants: &[Instant]) -> f64 {
    let (Some(first), Some(last)) = (grants.first(), grants.last()) else {
        return 0.0;
    };
    let span = last.duration_since(*first).as_secs_f64();
    if span == 0.0 {
        return 0.0;
    }
    (grants.len() - 1) as f64 / span
}

/// The grants after the first burst: a bucket that starts full lets
/// `burst` through at once, which says nothing about its rate.
fn steady(grants: Vec<Instant>, burst: u32) -> Vec<Instant> {
    let skip = usize::try_from(burst - 1).expect("a small burst");
    grants.into_iter().skip(skip).collect()
}

// ANCHOR: achieved_rate
/// Runs every limiter for `permits` grants and reports what it achieved.
fn achieved_rates(runtime: &tokio::runtime::Runtime, permits: u32) -> anyhow::Result<Value> {
    let mut runs: Vec<(&str, Vec<Instant>)> = Vec::new();

    let ticker = runtime.block_on(rate_limited(0..permits, RATE, |_| async { Instant::now() }))?;
    runs.push(("ticker", ticker));

    let blocking = rate_limited_blocking(0..permits, RATE, |_| Instant::now())?;
    runs.push(("ticker_blocking", blocking));

    for burst in [1, 2, 10] {
        let bucket = runtime.block_on(async {
            let bucket = TokenBucket::new(burst, RATE)?;
            let mut grants = Vec::new();
            for _ in 0..permits {
                bucket.acquire().await;
                grants.push(Instant::now());
            }
            anyhow::Ok(grants)
        })?;
        let name = match burst {
            1 => "token_bucket",
            2 => "token_bucket_burst2",
            _ => "token_bucket_burst10",
        };
        runs.push((name, steady(bucket, burst)));

        let governor = runtime.block_on(async {
            let quota = Quota::per_second(nonzero(RATE)).allow_burst(nonzero(burst));
            let limiter = RateLimiter::direct(quota);
            let mut grants = Vec::new();
            for _ in 0..permits {
                limiter.until_ready().await;
                grants.push(Instant::now());
            }
            grants
        });
        let name = match burst {
            1 => "governor",
            2 => "governor_burst2",
            _ => "governor_burst10",
        };
        runs.push((name, steady(governor, burst)));
    }

    // Governor's `until_ready` loop, with the sleep on tokio's timer.
    let governor_tokio = runtime.block_on(async {
        let clock = DefaultClock::default();
        let quota = Quota::per_second(nonzero(RATE)).allow_burst(nonzero(1));
        let limiter = RateLimiter::direct_with_clock(quota, clock.clone());
        let mut grants = Vec::new();
        for _ in 0..permits {
            while let Err(not_until) = limiter.check() {
                tokio::time::sleep(not_until.wait_time_from(clock.now())).await;
            }
            grants.push(Instant::now());
        }
        grants
    });
    runs.push(("governor_tokio_timer", governor_tokio));

    let mut report = serde_json::Map::new();
    for (name, grants) in runs {
        let rate = achieved(&grants);
        let error_percent = (rate / f64::from(RATE) - 1.0).abs() * 100.0;
        println!("rate_limiting/{name}: {rate:.1} per second, error {error_percent:.2} %");
        report.insert(
            name.to_owned(),
            json!({ "grants": grants.len(), "achieved_per_second": rate, "error_percent": error_percent }),
        );
    }
    Ok(Value::Object(report))
}
// ANCHOR_END: achieved_rate

fn check_cost(c: &mut Criterion, runtime: &tokio::runtime::Runtime) -> anyhow::Result<()> {
    let _in_runtime = runtime.enter(); // tokio's clock, for the bucket.
    // Room for far more checks than criterion makes, refilled at the
    // highest rate the bucket accepts: the check never waits, never fails.
    let bucket = TokenBucket::new(u32::MAX, 1_000_000_000)?;
    let limiter = RateLimiter::direct(Quota::per_second(nonzero(u32::MAX)));
    let mut group = c.benchmark_group("rate_check");
    group.bench_function("token_bucket", |b| b.iter(|| bucket.try_acquire()));
    group.bench_function("governor", |b| b.iter(|| limiter.check().is_ok()));
    group.finish();
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let mode = Mode::from_args();
    let run = BenchRun::start("rate_limiting", mode);
    let seconds = mode.pick(1, 2);
    let runtime = tokio::runtime::Runtime::new()?;
    let rates = achieved_rates(&runtime, RATE * seconds)?;
    let mut criterion = mode.criterion();
    check_cost(&mut criterion, &runtime)?;
    criterion.final_summary();
    run.finish(json!({
        "target_per_second": RATE,
        "seconds": seconds,
        "limiters": rates,
    }))?;
    Ok(())
}
