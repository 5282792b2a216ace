//! A worker pool: a fixed number of workers share a batch of jobs.
//!
//! You have a batch of jobs (numbers to test, files to hash, URLs to fetch)
//! and want them done concurrently, but not all at once: at most `N` at a
//! time, because you have `N` cores, or because the database takes `N`
//! connections. A worker pool starts `N` workers; each takes the next job,
//! does it, reports the result and takes another, until the batch is done.
//!
//! This crate offers the pool in two forms that share one shape:
//!
//! - [`threads`]: `N` OS threads inside [`std::thread::scope`] share one
//!   bounded crossbeam channel of jobs. For CPU-bound work.
//! - [`tasks`]: at most `N` tokio tasks in a [`tokio::task::JoinSet`]. For
//!   I/O-bound work.
//!
//! Each form hands back results in one of two orders:
//!
//! - `run_in_order` returns `Vec<Result<T, JobError>>` in the order of the
//!   input: result `i` belongs to job `i`. Use it when the results go
//!   together (a table, a report, a zip with the input) and you need all of
//!   them anyway. Each result carries its job's index, and the pool puts it
//!   in its slot.
//! - `run_as_completed` calls you back with `(index, result)` the moment
//!   each job finishes. Use it to show progress, to write results out as
//!   they come instead of holding them all, or to act on the first ones
//!   early. The order depends on timing, so never rely on it.
//!
//! `run_in_order` is built on `run_as_completed`: it is the same pool plus a
//! vector of slots.
//!
//! A job that panics becomes a [`JobError`] carrying the panic message, for
//! that job only: the worker catches the panic and takes the next job, and
//! every other result arrives as usual. A pool of zero workers is
//! [`PoolError::NoWorkers`], returned at once (with no worker, nothing would
//! ever take a job, and the call would wait forever). An empty batch returns
//! at once.
//!
//! | Go | Rust, threads ([`threads`]) | Rust, tasks ([`tasks`]) |
//! |----|-----------------------------|--------------------------|
//! | `go func() { for job := range jobCh { ... } }()`, `N` times | `N` scoped threads, each iterating over a clone of one crossbeam `Receiver` | one task per job, at most `N` in a `JoinSet` at once |
//! | `jobCh := make(chan Job, n)` | `crossbeam::channel::bounded(n)` | none: the `JoinSet`'s length is the count |
//! | `wg.Add(1)` / `defer wg.Done()` / `wg.Wait()` | the end of `std::thread::scope` joins every thread | `join_next` until the set is empty |
//! | `go func() { wg.Wait(); close(resultCh) }()` | the last worker to finish drops the last result `Sender` | `join_next` returns `None` |
//! | `defer func() { recover() }()` per job | `std::panic::catch_unwind` | tokio catches it: `JoinError::try_into_panic` |
//! | `runtime.NumCPU()` | [`std::thread::available_parallelism`] ([`default_workers`]) | more: see below |
//!
//! # How many workers
//!
//! **CPU-bound work** (hashing, compressing, testing primes) goes on threads,
//! one per core: [`default_workers`] asks
//! [`std::thread::available_parallelism`]. More threads than cores only adds
//! switching between them; fewer leaves cores idle.
//!
//! **I/O-bound work** (HTTP calls, database queries) spends its time
//! waiting, so run many more at once than you have cores: tens or hundreds,
//! bounded by what the other side accepts (a server's rate limit, a
//! connection pool's size). Use tasks for it. A thread blocked on I/O still
//! costs an OS thread: a kernel scheduling entry and a stack of megabytes
//! (Rust reserves 2 MiB for each thread it spawns). A tokio task waiting on
//! I/O is a state machine on the heap holding what the job keeps across its
//! `.await`s, a few hundred bytes for a small job, and it takes no CPU at all
//! until its I/O is ready. Ten thousand waiting tasks are routine; ten
//! thousand threads are not.
//!
//! The reverse holds too: **an async task must not do long CPU work**. A
//! task runs on one of the runtime's few worker threads until it reaches an
//! `.await`; a task that computes for a second holds that thread for a
//! second. The tasks queued on that worker wait: the one in its LIFO slot
//! (the task it woke last) until it is free again, the rest of its queue
//! until another worker steals them. One such task makes a runtime slower
//! and its latencies uneven; enough of them to occupy every worker stop it
//! altogether, timers included. Move such work to
//! [`tokio::task::spawn_blocking`] or to the thread pool of this crate.
//!
//! # When to use it, and when not
//!
//! Use a pool when you have a batch (or a stream) of independent jobs and a
//! limit on how many may run at once. When the jobs depend on each other, a
//! pipeline of stages fits better; when you only need to merge a few
//! streams, see fan-in. For data-parallel loops over a collection,
//! [rayon](https://docs.rs/rayon)'s `par_iter` is the production answer for
//! CPU work: work stealing, no channel per job. This crate builds the pool
//! by hand to show the mechanics.
//!
//! # Errors
//!
//! The functions return two layers of typed errors, because the caller acts
//! on each differently: the outer [`PoolError`] means the batch did not run
//! at all (a bug in the caller's configuration); the inner
//! `Result<T, JobError>` per job means that one job failed, and the caller
//! decides whether to retry it, report it, or give up.
//!
//! # Example
//!
//! ```
//! use worker_pool::{JobError, threads};
//!
//! # fn main() -> Result<(), worker_pool::PoolError> {
//! // Three worker threads square six numbers. Job 3 panics.
//! let results = threads::run_in_order(3, [1, 2, 3, 4, 5, 6], |n| {
//!     if n == 4 {
//!         panic!("four is unlucky"); // Caught by the worker: job 3 fails alone.
//!     }
//!     n * n
//! })?; // `?` only for `PoolError`: zero workers, say.
//!
//! // One result per job, in the order of the input, however the jobs
//! // were spread over the workers and whichever finished first.
//! assert_eq!(results.len(), 6);
//! assert_eq!(results[0], Ok(1));
//! assert_eq!(results[5], Ok(36));
//!
//! // The panic became an error for job 3 only, with its message.
//! let expected = JobError { index: 3, message: "four is unlucky".into() };
//! assert_eq!(results[3], Err(expected));
//!
//! // Zero workers is an error, not a hang.
//! let none = threads::run_in_order(0, [1, 2, 3], |n| n);
//! assert_eq!(none, Err(worker_pool::PoolError::NoWorkers));
//! # Ok(())
//! # }
//! ```
#![doc(test(attr(deny(warnings))))]

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::num::NonZeroUsize;

pub mod steps;
pub mod tasks;
pub mod threads;

// ANCHOR: errors
/// Why a pool could not run a batch at all.
///
/// A typed error rather than `anyhow`, because the caller can act on it: it
/// is a configuration bug (for example a worker count computed as zero) and
/// the fix is in the caller's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolError {
    /// The pool was asked for zero workers. With no worker to take a job,
    /// the batch would never finish; the pool refuses at once instead.
    NoWorkers,
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::NoWorkers => write!(f, "a worker pool needs at least one worker"),
        }
    }
}

impl Error for PoolError {}

/// One job that produced no result because it panicked.
///
/// The pool catches the panic in the worker, so the worker lives on, takes
/// the next job, and every other job's result arrives as usual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobError {
    /// The job's position in the input batch.
    pub index: usize,
    /// The panic message (`panic!("...")`'s text), or a placeholder when the
    /// panic carried something other than a string.
    pub message: String,
}
// ANCHOR_END: errors

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job {} panicked: {}", self.index, self.message)
    }
}

impl Error for JobError {}

impl JobError {
    /// Turns the payload of a caught panic into an error for job `index`.
    ///
    /// `panic!("literal")` carries a `&'static str` and `panic!("{x}")` a
    /// `String`; `std::panic::panic_any` can carry any type, which we cannot
    /// print.
    pub(crate) fn from_panic(index: usize, payload: &(dyn Any + Send)) -> JobError {
        let message = if let Some(text) = payload.downcast_ref::<&str>() {
            (*text).to_owned()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "the panic carried a value that is not a string".to_owned()
        };
        JobError { index, message }
    }
}

// ANCHOR: default_workers
/// The number of workers for CPU-bound work: one per core this process may
/// use, as [`std::thread::available_parallelism`] reports (it accounts for
/// CPU affinity and, on Linux, cgroup quotas), or 1 if it cannot tell.
///
/// For I/O-bound work use many more; see [the crate docs](crate#how-many-workers).
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}
// ANCHOR_END: default_workers
