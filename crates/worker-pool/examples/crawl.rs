//! "Crawls" sixteen pages with at most four requests in flight, printing each
//! page as it arrives and then all of them in input order.
//!
//! ```text
//! cargo run -p worker-pool --example crawl
//! ```
//!
//! The requests are simulated with `tokio::time::sleep`, so the example needs
//! no network: what matters is that the work is waiting, not computing,
//! which is what async tasks are for. Sixteen pages of 50 to 200 ms each
//! would take about two seconds one after the other; four at a time, about a
//! quarter of that.

use std::time::Duration;

use tokio::time::Instant;
use worker_pool::tasks;

/// A pretend HTTP GET: waits as long as a slow server would, then returns
/// the page's size in bytes.
async fn fetch(page: u64) -> u64 {
    let latency = 50 + (page * 37) % 151; // 50 to 200 ms, scattered.
    tokio::time::sleep(Duration::from_millis(latency)).await;
    1_000 + page * 100
}

#[tokio::main]
async fn main() -> Result<(), worker_pool::PoolError> {
    let pages: Vec<u64> = (1..=16).collect();
    let start = Instant::now();

    // ANCHOR: main
    let mut sizes = vec![0; pages.len()];
    println!("as they complete (4 in flight):");
    tasks::run_as_completed(4, pages.iter().copied(), fetch, |index, result| {
        let at = start.elapsed().as_millis();
        match result {
            Ok(bytes) => {
                println!("  {at:>4} ms  /page/{:<2} {bytes} bytes", pages[index]);
                sizes[index] = bytes;
            }
            Err(error) => println!("  {at:>4} ms  {error}"),
        }
    })
    .await?;
    // ANCHOR_END: main

    // Each result went into its page's slot, so this is in input order.
    println!("sizes in input order: {sizes:?}");
    println!(
        "total {} bytes in {} ms",
        sizes.iter().sum::<u64>(),
        start.elapsed().as_millis()
    );
    Ok(())
}
