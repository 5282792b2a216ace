//! Exercise: a bounded downloader.
//!
//! Download many URLs concurrently, with at most `limit` requests in flight
//! at any moment, and collect every result and every error.
//!
//! This is the Go tutorial's first exercise ("download 100 URLs with at most
//! 10 in flight"). In Go you would reach for a worker pool or a buffered
//! channel used as a semaphore. In async Rust the same idea takes a few
//! lines, and the hard part is getting the edges right.
//!
//! # The contract (what the spec checks, in the spec's order)
//!
//! `download_all(client, urls, limit)`:
//!
//! 1. returns exactly one result per entry of `urls`, **in the order of
//!    `urls`**: not the order the downloads finish in, not sorted by URL.
//!    Each `Page` carries its URL, the status the server sent, and the whole
//!    body. Each entry is its own download, requested once: a URL listed
//!    twice is requested twice and has a result in each of its slots;
//! 2. counts **any 2xx** as a success (`201`, `204` with an empty body...),
//!    with its own status code in the `Page`;
//! 3. turns each failure into an `Err` for **that URL alone**, with a message
//!    that says what happened, while the other downloads carry on:
//!    - a status that is not 2xx (the message includes the code, like `404`),
//!    - a connection that fails or is dropped (the message says "connect" or
//!      "connection"),
//!    - a timeout, which is the client's own (`reqwest::ClientBuilder::timeout`;
//!      the message says "timed out" or "timeout"),
//!    - a URL that does not parse (the message says "URL", "invalid" or "builder"),
//!    - a body cut short: the headers promise more bytes than arrive before
//!      the connection closes (an error, never a shorter page);
//! 4. rejects `limit == 0` with an outer `Err` whose message mentions the
//!    limit (never a hang), and returns `Ok(vec![])` at once for no URLs;
//! 5. never has more than `limit` requests in flight, counting a download
//!    **until its body has been read**, and really uses that concurrency:
//!    with enough slow URLs, `limit` requests are in flight at once;
//! 6. **uses a free slot at once**: whenever fewer than `limit` requests are
//!    in flight and URLs remain, the next request starts (within a few
//!    milliseconds). Batches of `limit`, results that wait in order behind a
//!    slow one (`buffered`), and URLs shared out to workers in advance all
//!    leave slots empty;
//! 7. **never blocks its runtime**: no blocking call inside `download_all` or
//!    `fetch` (`std::thread::sleep`, `block_on`, a blocking `recv` on a std
//!    channel, joining a thread), even when the results are right. The spec
//!    also runs it on a runtime with a single thread;
//! 8. leaves no task running when it returns, and when its future is dropped
//!    mid-way, the downloads in flight are cancelled (their connections close).
//!
//! Use the `client` you are given: it carries the timeout.
//!
//! # How to check your work
//!
//! ```text
//! cargo xtask check downloader     # judge this exercise against its spec
//! cargo xtask hint downloader      # the next hint, when you are stuck
//! ```
//!
//! The book's chapter on the worker pool and the one on this exercise
//! (`cargo xtask book --open`) explain the ideas you need.

// TODO: remove this line when you are done: it keeps the compiler quiet about
// the parameters the starter code does not use yet.
#![allow(
    unused_variables,
    clippy::todo,
    reason = "starter code: the bodies are yours to write"
)]

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

/// Downloads every URL in `urls` with at most `limit` requests in flight.
///
/// Returns one result per URL, in the order of `urls`. The outer `Err` is
/// only for a call that cannot work at all (`limit == 0`).
pub async fn download_all(
    client: &reqwest::Client,
    urls: &[String],
    limit: usize,
) -> anyhow::Result<Vec<anyhow::Result<Page>>> {
    // TODO: reject `limit == 0` with a clear error.
    // TODO: run at most `limit` calls of `fetch` at a time, and put each
    // result in the slot of its URL.
    todo!()
}

/// Downloads one URL: a `GET`, a success status, and the body as text.
pub async fn fetch(client: &reqwest::Client, url: &str) -> anyhow::Result<Page> {
    // TODO: send the request, turn a non-2xx status into an error, read the
    // body. `anyhow::Context` lets you say which URL failed.
    todo!()
}
