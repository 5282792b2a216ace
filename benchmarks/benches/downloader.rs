//! The bounded downloader (the reference solution) against the loopback
//! server, and how its wall time falls as the limit rises.
//!
//! ```text
//! cargo bench -p benchmarks --bench downloader [-- --quick]
//! ```
//!
//! The server answers every path after 50 ms. In the criterion group
//! `downloader`:
//!
//! - `single_request`: one URL, limit 1: the real cost of one round trip on
//!   this machine (50 ms plus the server's timer and the HTTP exchange);
//! - `limit/<n>`: 100 URLs with `n` = 1, 2, 5, 10, 20, 50 requests in flight.
//!
//! The ideal for `limit/<n>` is `ceil(100 / n)` rounds of 50 ms. Each limit
//! gets a fresh server, whose exact peak of requests in flight is recorded
//! in `target/bench-results/downloader.json`: it shows that the limit was
//! both respected and used.

use std::hint::black_box;
use std::time::Duration;

use benchmarks::Mode;
use benchmarks::results::BenchRun;
use criterion::{BenchmarkId, Criterion};
use downloader_solution::download_all;
use serde_json::json;
use test_kit::server::{Reply, TestServer};

/// The server's latency for every request.
const LATENCY: Duration = Duration::from_millis(50);
/// How many URLs a batch has.
const URLS: usize = 100;
/// The limits of the curve.
const LIMITS: [usize; 6] = [1, 2, 5, 10, 20, 50];

/// A client with a timeout far above the latency: a stuck request fails the
/// bench instead of hanging it.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a plain HTTP client builds")
}

/// Downloads every URL with `limit` in flight and checks each answer.
async fn download(client: &reqwest::Client, urls: &[String], limit: usize) {
    let pages = download_all(client, urls, limit)
        .await
        .expect("the limit is at least 1");
    for page in pages {
        let page = page.expect("the loopback server answers every path");
        assert_eq!(page.body, "ok");
    }
}

/// A fresh loopback server that answers every path with `ok` after
/// [`LATENCY`], and the URLs of a batch on it.
fn server() -> (TestServer, Vec<String>) {
    let server = TestServer::builder()
        .fallback(Reply::ok("ok").after(LATENCY))
        .start();
    let urls = (0..URLS)
        .map(|i| server.url(&format!("/page/{i}")))
        .collect();
    (server, urls)
}

// ANCHOR: downloader_bench
/// Measures the batches, and returns the server's peak of requests in
/// flight for each limit: one fresh server per limit, so the peak (which
/// the server never resets) belongs to that limit alone.
fn bench(c: &mut Criterion, runtime: &tokio::runtime::Runtime) -> serde_json::Value {
    let client = client();
    let mut group = c.benchmark_group("downloader");
    // A batch at limit 1 takes 5 s: criterion's minimum of ten samples.
    group.sample_size(10);
    let (_server, urls) = server();
    group.bench_function("single_request", |b| {
        b.iter(|| runtime.block_on(download(&client, black_box(&urls[..1]), 1)));
    });
    let mut peaks = serde_json::Map::new();
    for limit in LIMITS {
        let (server, urls) = server();
        group.bench_with_input(BenchmarkId::new("limit", limit), &limit, |b, &limit| {
            b.iter(|| runtime.block_on(download(&client, black_box(&urls), limit)));
        });
        peaks.insert(limit.to_string(), json!(server.peak_in_flight()));
    }
    group.finish();
    serde_json::Value::Object(peaks)
}
// ANCHOR_END: downloader_bench

fn main() -> anyhow::Result<()> {
    let mode = Mode::from_args();
    let run = BenchRun::start("downloader", mode);
    let runtime = tokio::runtime::Runtime::new()?;
    let mut criterion = mode.criterion();
    let peaks = bench(&mut criterion, &runtime);
    criterion.final_summary();
    run.finish(json!({
        "urls": URLS,
        "latency_ms": LATENCY.as_millis(),
        "limits": LIMITS,
        "peak_in_flight": peaks,
    }))?;
    Ok(())
}
