//! Fan-out and fan-in: several workers share one channel, several channels
//! merge into one.
//!
//! **Fan-out** spreads the items of one channel over `N` workers: every
//! worker receives from the same channel, each item goes to exactly one of
//! them (whichever is free), and they all send their results into one output
//! channel. **Fan-in** merges several channels into one: a forwarder per
//! input passes items on as they come, and the merged channel closes once
//! every input has closed. Together they parallelise the middle of a flow
//! and bring the pieces back together.
//!
//! Both come in two forms with the same shape:
//!
//! - [`threads`]: OS threads and crossbeam channels, owned by a
//!   [`std::thread::scope`], cancelled by closing a channel.
//! - [`tasks`]: tokio tasks and `tokio::sync::mpsc` channels, owned by a
//!   [`tokio::task::JoinSet`], cancelled by a
//!   [`CancellationToken`](tokio_util::sync::CancellationToken).
//!
//! # Who closes the output
//!
//! In Go, the output channel needs an owner that closes it after every
//! writer is done, so each fan-out or fan-in starts one more goroutine:
//! `go func() { wg.Wait(); close(out) }()`. In Rust a channel closes when
//! its last `Sender` is dropped. Each worker (or forwarder) owns a clone of
//! the output's `Sender`, the function drops its own copy before it returns,
//! and so the output closes exactly when the last worker returns. No
//! WaitGroup, no extra goroutine, and no way to close too early or never.
//!
//! # Stopping
//!
//! Every worker and forwarder stops, and its `Sender` with it, in one of
//! three ways:
//!
//! - **Its input closes** (and is drained): the normal end.
//! - **The output's receiver is dropped**: its next send fails, it returns,
//!   and the drop travels upstream, since its own input receiver is dropped
//!   in turn. A thread notices only at its next send; a task also notices
//!   while it waits for input (tokio's `Sender::closed`).
//! - **Cancellation**: every blocking point (a receive from an empty
//!   channel, a send to a full one, and for tasks the work itself) also
//!   waits for the cancel signal, so everything stops at once, even a flow
//!   that is stuck. The outputs then close.
//!
//! | Go | Rust, threads ([`threads`]) | Rust, tasks ([`tasks`]) |
//! |----|-----------------------------|--------------------------|
//! | `N` goroutines ranging over one channel | `N` threads, each with a clone of one crossbeam `Receiver` | `N` tasks sharing `Arc<Mutex<mpsc::Receiver>>` |
//! | `go func() { wg.Wait(); close(out) }()` | nothing: the last thread drops the last `Sender` | nothing: the last task drops the last `Sender` |
//! | goroutines nobody owns | threads owned by a `thread::scope`, which joins them | tasks owned by a `JoinSet`, which aborts them on drop (each at its next `.await`) |
//! | `ctx.Done()` | a `Receiver<Infallible>` closed by dropping its `Sender` | `CancellationToken::cancelled()` |
//! | `select { case <-ctx.Done(): ...; case out <- v: ... }` | `crossbeam::select! { recv(done) -> _ => ..., send(out, v) -> r => ... }` | `tokio::select! { () = cancel.cancelled() => ..., r = out.send(v) => ... }` |
//! | `fanIn(chans...)` | [`threads::fan_in`]: a forwarding thread per input | [`tasks::fan_in`]: a forwarding task per input |
//!
//! # When to use it, and when not
//!
//! Fan-out when one stage of a flow is slow and its items are independent:
//! several workers on that stage, while the rest of the flow stays as it is.
//! Fan-in when results come from several sources (feeds, shards, replicas)
//! and one consumer wants them all. Neither keeps order: if you need the
//! input order, carry an index and sort, or use the `worker-pool` crate's
//! `run_in_order`. For a fixed batch rather than a stream, the worker pool
//! is simpler too.
//!
//! # Errors
//!
//! Fan-out with zero workers returns [`FanOutError::NoWorkers`]: nobody
//! would ever read the input, so its producer would block forever. Fan-in
//! of zero inputs is not an error: the merged channel is closed at once,
//! like Go's `fanIn()` with no arguments.
//!
//! # Example
//!
//! ```
//! use std::thread;
//!
//! use crossbeam::channel;
//! use fan_out_fan_in::threads::{cancel_signal, fan_in, fan_out};
//!
//! // Two sources, each a channel holding a few numbers, then closed.
//! let (odd_tx, odd_rx) = channel::unbounded();
//! let (even_tx, even_rx) = channel::unbounded();
//! for n in [1, 3, 5] {
//!     odd_tx.send(n).unwrap();
//!     even_tx.send(n + 1).unwrap();
//! }
//! drop((odd_tx, even_tx)); // Closing: nothing more will come.
//!
//! // The cancel signal. Nobody cancels here, but every thread listens.
//! let (_cancel, done) = cancel_signal();
//!
//! let mut squares: Vec<u64> = thread::scope(|s| {
//!     // Fan in: a thread per source forwards into one merged channel.
//!     let merged = fan_in(s, [odd_rx, even_rx], &done);
//!     // Fan out: three workers share the merged channel.
//!     let squared = fan_out(s, merged, 3, |_worker, n: u64| n * n, &done)
//!         .expect("three workers is not zero");
//!     // `squared` closes when the last worker returns, so this ends.
//!     squared.iter().collect()
//! }); // The scope joins all five threads.
//!
//! squares.sort(); // Arrival order depends on the schedule.
//! assert_eq!(squares, [1, 4, 9, 16, 25, 36]);
//! ```
#![doc(test(attr(deny(warnings))))]

use std::error::Error;
use std::fmt;

pub mod steps;
pub mod tasks;
pub mod threads;

/// Why a fan-out could not start.
///
/// A typed error rather than `anyhow`, because the fix is in the caller's
/// code: a worker count computed as zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FanOutError {
    /// Zero workers were asked for. Nobody would ever receive from the
    /// input, so whoever sends to it would wait forever; we refuse instead.
    NoWorkers,
}

impl fmt::Display for FanOutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FanOutError::NoWorkers => write!(f, "a fan-out needs at least one worker"),
        }
    }
}

impl Error for FanOutError {}
