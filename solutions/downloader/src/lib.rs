//! Reference solution: a bounded downloader.
//!
//! Downloads many URLs concurrently with at most `limit` requests in flight,
//! and returns one result per URL, in the order of the input. The exercise
//! (`exercises/downloader`) states the task and the contract; this file
//! explains the choices made here and the alternatives that also pass.
//!
//! # The design in one paragraph
//!
//! Each URL becomes a future (`fetch`). A stream of those futures goes
//! through [`StreamExt::buffer_unordered`], which keeps at most `limit` of
//! them running and yields each result as soon as it is ready. Each result
//! carries the index of its URL, so it lands in its slot of the output no
//! matter when it finishes. The futures all live inside the one future that
//! `download_all` returns: nothing is spawned, so nothing can outlive the
//! call, and dropping that future drops every download in flight, which
//! closes their connections.
//!
//! # Alternatives that also pass the spec
//!
//! - A `tokio::task::JoinSet` plus a `tokio::sync::Semaphore` with `limit`
//!   permits: each task acquires a permit before its request. The tasks run
//!   on all of the runtime's threads, and a `JoinSet` aborts its tasks when
//!   it is dropped, so cancellation still works. More moving parts, no gain
//!   for I/O-bound work.
//! - `limit` worker tasks pulling URLs from a shared queue: the Go shape.
//! - A `FuturesUnordered`, or a `JoinSet`, topped up by hand: one new
//!   download each time one finishes.
//!
//! # Tempting designs that fail
//!
//! - `buffered(limit)` instead of `buffer_unordered(limit)`: results come in
//!   input order, so a download that finished waits behind a slow one at the
//!   head and keeps its slot meanwhile; the spec sees a free slot left empty.
//! - Batches of `limit` (`urls.chunks(limit)` with `join_all`, or a
//!   `WaitGroup`-style wait for each batch): the slowest URL of each batch
//!   holds up the next batch.
//! - `tokio::spawn` per URL with the `JoinHandle`s in a `Vec`: dropping a
//!   `JoinHandle` does not stop its task, so cancelling the call leaves the
//!   downloads running (the spec's leak check says so).
//! - `futures::future::join_all` on every URL: no limit at all.
//! - `?` on each result, or `try_join_all`: the first failure throws away
//!   every other result.
//! - Results kept in a `HashMap` by URL: a URL listed twice has two slots.
//! - A permit released before `text()`: the body still counts.
//! - `std::thread::sleep`, `block_on` or a blocking `recv` inside the async
//!   code: it blocks the runtime's thread.
//!
//! The book's page on this solution explains each, and
//! `xtask/tests/fixtures/downloader/` holds each as a fixture that the spec
//! must fail.

use anyhow::{Context, ensure};
use futures::stream::{self, StreamExt};

/// One downloaded page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The URL it came from.
    pub url: String,
    /// The HTTP status code (always a 2xx: anything else is an error).
    pub status: u16,
    /// The body, as text.
    pub body: String,
}

// ANCHOR: download_all
/// Downloads every URL in `urls` with at most `limit` requests in flight.
///
/// Returns exactly one result per URL, in the order of `urls`: a
/// [`Page`], or an error that says what went wrong with that URL. One
/// failure never stops the other downloads. The outer `Err` is only for a
/// call that cannot work at all: `limit == 0`.
///
/// Timeouts are the client's: build it with `reqwest::Client::builder()
/// .timeout(...)`. Dropping the returned future cancels every download in
/// flight.
pub async fn download_all(
    client: &reqwest::Client,
    urls: &[String],
    limit: usize,
) -> anyhow::Result<Vec<anyhow::Result<Page>>> {
    // With no permits, a semaphore-based version would wait forever; say so
    // instead of hanging.
    ensure!(
        limit > 0,
        "limit must be at least 1: with 0 requests allowed in flight, nothing could ever be downloaded"
    );
    let mut results: Vec<Option<anyhow::Result<Page>>> = urls.iter().map(|_| None).collect();
    // A lazy stream of downloads, each tagged with the index of its URL.
    // Nothing starts until `buffer_unordered` polls it.
    let mut downloads = stream::iter(urls.iter().enumerate())
        .map(|(index, url)| async move { (index, fetch(client, url).await) })
        .buffer_unordered(limit);
    while let Some((index, result)) = downloads.next().await {
        results[index] = Some(result);
    }
    Ok(results
        .into_iter()
        .map(|result| result.expect("buffer_unordered yields every download exactly once"))
        .collect())
}
// ANCHOR_END: download_all

// ANCHOR: fetch
/// Downloads one URL: a `GET`, a success status, and the body as text.
///
/// Every error names the URL and what failed (the request, the status, or
/// the body); the cause from reqwest (a timeout, a refused connection, an
/// invalid URL) stays attached to it for `{:#}` to show.
pub async fn fetch(client: &reqwest::Client, url: &str) -> anyhow::Result<Page> {
    let response = client
        .get(url)
        .send()
        .await
        .with_context(|| format!("GET {url} failed"))?;
    let status = response.status();
    ensure!(
        status.is_success(),
        "GET {url}: the server answered {status}"
    );
    let body = response
        .text()
        .await
        .with_context(|| format!("GET {url}: reading the body failed"))?;
    Ok(Page {
        url: url.to_owned(),
        status: status.as_u16(),
        body,
    })
}
// ANCHOR_END: fetch
