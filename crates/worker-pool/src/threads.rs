//! The thread form: `N` OS threads share one bounded crossbeam channel of jobs.
//!
//! Inside [`std::thread::scope`], a feeder thread sends the jobs into a
//! bounded channel, `N` worker threads take them out, and the calling thread
//! receives the results from a second channel. This is Go's worker pool
//! almost line for line, with two differences worth knowing.
//!
//! # The scope is the WaitGroup
//!
//! Go starts goroutines that nothing owns, so it needs a `sync.WaitGroup` to
//! wait for them. A scoped thread belongs to its scope: `thread::scope`
//! returns only after every thread spawned in it has finished. There is no
//! counter to forget to increment and no `Wait` to forget to call; a pool
//! built this way cannot leak a thread. The scope also lets the threads
//! *borrow* from the caller (here the `work` closure, by reference), where
//! `std::thread::spawn` would demand `'static` data and an `Arc`.
//!
//! # Why crossbeam's `Receiver`, not std's
//!
//! Every worker needs its own handle on the job channel. A crossbeam channel
//! is multi-producer **multi-consumer**: its [`Receiver`](crossbeam::channel::Receiver)
//! is `Clone` (and `Sync`), every clone takes messages from the same queue,
//! and each message goes to exactly one of them, like several goroutines
//! ranging over one Go channel. [`std::sync::mpsc`] is, as its name says,
//! multi-producer **single-consumer**: its `Receiver` is neither `Clone` nor
//! `Sync`, so to share it you would wrap it in `Arc<Mutex<Receiver>>` and
//! make the workers take turns at the lock. (A multi-consumer channel exists
//! in std only as the unstable `std::sync::mpmc`.)
//!
//! # Who closes what
//!
//! | Channel | Sender(s) | Closed when |
//! |---------|-----------|-------------|
//! | jobs | the feeder thread only | the feeder has sent the last job and returns |
//! | results | one clone per worker | the last worker finishes (Go's `wg.Wait(); close(resultCh)`) |
//!
//! The calling thread receives results until the results channel closes,
//! then the scope joins every thread, which by then have all returned. If
//! your `on_result` callback panics, its receiver is dropped while the panic
//! unwinds; each worker's next `send` then fails and it stops, the feeder's
//! next `send` fails in turn, and the scope re-raises your panic once they
//! have all been joined.

use std::panic::{self, AssertUnwindSafe};
use std::thread;

use crossbeam::channel;

use crate::{JobError, PoolError};

// ANCHOR: run_as_completed
/// Runs `work` on every job with `workers` threads and calls `on_result`
/// with `(index, result)` as each job finishes, in completion order.
///
/// `index` is the job's position in `jobs`. `on_result` runs on the calling
/// thread, one call at a time, so it may mutate what it borrows. Returns once
/// every job has been reported and every thread has been joined.
///
/// # Errors
///
/// [`PoolError::NoWorkers`] when `workers` is zero, before anything runs.
///
/// # Panics
///
/// A panic in `work` is caught and reported as that job's [`JobError`]; it
/// never reaches the caller. (Caught with `std::panic::catch_unwind`, which
/// does nothing in a program built with `panic = "abort"`: there the first
/// panic ends the process.) A panic in `on_result` stops the pool and
/// reaches the caller once every thread has ended. A panic in the `jobs`
/// iterator (which the feeder thread drives) ends the feeder; the workers
/// finish the jobs already sent, and then [`std::thread::scope`] panics with
/// "a scoped thread panicked". If the OS refuses to start a thread, this
/// panics, as [`std::thread::spawn`] does.
pub fn run_as_completed<I, T, F, C>(
    workers: usize,
    jobs: I,
    work: F,
    mut on_result: C,
) -> Result<(), PoolError>
where
    I: IntoIterator,
    I::IntoIter: Send,
    I::Item: Send,
    T: Send,
    F: Fn(I::Item) -> T + Sync,
    C: FnMut(usize, Result<T, JobError>),
{
    if workers == 0 {
        return Err(PoolError::NoWorkers);
    }
    let mut jobs = jobs.into_iter().enumerate().peekable();
    if jobs.peek().is_none() {
        return Ok(()); // An empty batch: no thread to start.
    }

    // Room for one waiting job per worker: a worker that finishes never waits
    // for the feeder, and the feeder never runs far ahead of the workers.
    let (job_tx, job_rx) = channel::bounded(workers);
    let (result_tx, result_rx) = channel::bounded(workers);
    let work = &work; // Each worker borrows the same closure: `F: Sync`.

    thread::scope(|scope| {
        // The feeder owns the only job Sender: when it returns, the job
        // channel closes and the workers' loops end once it is empty.
        spawn_named(scope, "pool-feeder".to_owned(), move || {
            for job in jobs {
                if job_tx.send(job).is_err() {
                    return; // Every worker is gone: nobody wants more jobs.
                }
            }
        });

        for id in 0..workers {
            // A clone of the one Receiver: each job goes to exactly one worker.
            let job_rx = job_rx.clone();
            let result_tx = result_tx.clone();
            spawn_named(scope, format!("pool-worker-{id}"), move || {
                for (index, job) in job_rx {
                    // `AssertUnwindSafe`: a job that panics halfway leaves
                    // nothing of ours half-updated. (Your own state behind a
                    // `Mutex` shows the panic as a poisoned lock.)
                    let outcome = panic::catch_unwind(AssertUnwindSafe(|| work(job)))
                        .map_err(|payload| JobError::from_panic(index, &*payload));
                    if result_tx.send((index, outcome)).is_err() {
                        return; // The caller stopped listening.
                    }
                }
            });
        }
        // Drop our own handles, so that the workers and the feeder hold the
        // only ones: the results channel then closes when the last worker
        // returns, which ends the loop below. That is Go's
        // `go func() { wg.Wait(); close(resultCh) }()`, done by ownership.
        drop(job_rx);
        drop(result_tx);

        for (index, outcome) in result_rx {
            on_result(index, outcome);
        }
    }); // Joins the feeder and every worker.
    Ok(())
}
// ANCHOR_END: run_as_completed

// ANCHOR: run_in_order
/// Runs `work` on every job with `workers` threads and returns the results
/// in the order of `jobs`: `results[i]` belongs to the `i`-th job.
///
/// This is [`run_as_completed`] writing each result into its slot. Nothing
/// comes back until the whole batch is done; use [`run_as_completed`] to
/// see results as they finish.
///
/// # Errors
///
/// [`PoolError::NoWorkers`] when `workers` is zero. A job that panicked is
/// an `Err(JobError)` in its slot; the other slots are unaffected.
///
/// # Panics
///
/// As [`run_as_completed`].
pub fn run_in_order<I, T, F>(
    workers: usize,
    jobs: I,
    work: F,
) -> Result<Vec<Result<T, JobError>>, PoolError>
where
    I: IntoIterator,
    I::IntoIter: Send,
    I::Item: Send,
    T: Send,
    F: Fn(I::Item) -> T + Sync,
{
    // ANCHOR: slots
    let mut slots: Vec<Option<Result<T, JobError>>> = Vec::new();
    run_as_completed(workers, jobs, work, |index, outcome| {
        if slots.len() <= index {
            slots.resize_with(index + 1, || None);
        }
        slots[index] = Some(outcome);
    })?;
    Ok(slots
        .into_iter()
        .map(|slot| slot.expect("every job is reported exactly once"))
        .collect())
    // ANCHOR_END: slots
}
// ANCHOR_END: run_in_order

/// Starts a named scoped thread: names show up in debuggers, in panic
/// messages and in the workshop's leak reports.
fn spawn_named<'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    name: String,
    f: impl FnOnce() + Send + 'scope,
) {
    thread::Builder::new()
        .name(name)
        .spawn_scoped(scope, f)
        .expect("the OS refused to start a thread");
}
