//! The three limiters side by side, on the real clock: when did each call
//! get through?
//!
//! ```text
//! cargo run -p rate-limiting --example bucket
//! ```
//!
//! Prints one line per limiter with the start offset of each call, in
//! milliseconds from when that limiter's first call was made. Expect
//! (give or take a millisecond or two of scheduling):
//!
//! ```text
//! ticker, tokio interval, 10/s          0 100 200 300 400
//! ticker, crossbeam tick, 10/s          100 200 300 400 500
//! token bucket, burst 3, 10/s           0 0 0 100 200 300 400 500
//! semaphore, 3 at once, 200 ms jobs     0 0 0 200 200 200 400 400
//! ```
//!
//! The whole run takes about two seconds.

use std::sync::Arc;
use std::time::Duration;

use rate_limiting::{ConcurrencyLimit, TokenBucket, rate_limited, rate_limited_blocking};
use tokio::time::Instant;

// One thread is plenty here, and on one thread tasks first run in the order
// they were spawned, so caller `i` reaches each limiter `i`-th and the
// offsets come out in order.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    // ANCHOR: example_ticker
    let start = Instant::now();
    let offsets = rate_limited(0..5, 10, |_item| async move { start.elapsed() }).await?;
    show("ticker, tokio interval, 10/s", &offsets);

    // The thread form blocks its thread: run it on tokio's blocking pool,
    // never on the thread that drives the runtime's tasks.
    let offsets = tokio::task::spawn_blocking(|| {
        let start = std::time::Instant::now();
        rate_limited_blocking(0..5, 10, |_item| start.elapsed())
    })
    .await??;
    show("ticker, crossbeam tick, 10/s", &offsets);
    // ANCHOR_END: example_ticker

    // ANCHOR: example_bucket
    // Eight callers at once, sharing one bucket.
    let bucket = Arc::new(TokenBucket::new(3, 10)?);
    let start = Instant::now();
    let mut calls = Vec::new();
    for _ in 0..8 {
        let bucket = Arc::clone(&bucket);
        calls.push(tokio::spawn(async move {
            bucket.acquire().await;
            start.elapsed()
        }));
    }
    let mut offsets = Vec::new();
    for call in calls {
        offsets.push(call.await?);
    }
    show("token bucket, burst 3, 10/s", &offsets);
    // ANCHOR_END: example_bucket

    // ANCHOR: example_semaphore
    // Eight jobs of 200 ms at once, at most three running.
    let limit = Arc::new(ConcurrencyLimit::new(3)?);
    let start = Instant::now();
    let mut jobs = Vec::new();
    for _ in 0..8 {
        let limit = Arc::clone(&limit);
        jobs.push(tokio::spawn(async move {
            limit
                .run(async {
                    let started = start.elapsed();
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    started
                })
                .await
        }));
    }
    let mut offsets = Vec::new();
    for job in jobs {
        offsets.push(job.await?);
    }
    show("semaphore, 3 at once, 200 ms jobs", &offsets);
    // ANCHOR_END: example_semaphore
    Ok(())
}

/// Prints `label` and each offset in whole milliseconds.
fn show(label: &str, offsets: &[Duration]) {
    let millis: Vec<String> = offsets.iter().map(|d| d.as_millis().to_string()).collect();
    println!("{label:<37} {}", millis.join(" "));
}
