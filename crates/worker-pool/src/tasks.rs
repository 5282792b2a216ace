//! The async form: at most `N` tokio tasks in a [`JoinSet`], one per job.
//!
//! Tasks are cheap, so there is no need for long-lived workers taking jobs
//! off a channel: each job gets a task of its own, and the pool only makes
//! sure that no more than `N` exist at a time. A [`JoinSet`] holds them:
//!
//! - **It is the WaitGroup.** [`JoinSet::join_next_with_id`] waits for
//!   whichever task finishes next and returns `None` once the set is empty.
//! - **Its length is the limit.** The pool starts a job only while
//!   `set.len() < N`, and starts the next one each time one finishes, so at
//!   most `N` jobs run at once with no separate counter.
//! - **It isolates panics.** Tokio catches a panic inside a task and hands it
//!   back as a [`JoinError`] whose payload carries the message; the other
//!   tasks run on. The error names the task by its [`Id`], so the pool keeps
//!   a map from task id to job index to say *which* job failed.
//! - **It cancels on drop.** Dropping a `JoinSet` aborts every task still in
//!   it. If the caller drops the pool's future (a `tokio::time::timeout`
//!   that fires, a `select!` that takes another branch), every running job
//!   is told to stop, and stops at its next `.await`. The drop does not wait
//!   for that: a job that is computing, or blocked in a call that does not
//!   yield, runs on until it reaches an `.await`, and a job's
//!   `spawn_blocking` work is never aborted at all. No new job starts. When
//!   the caller must know that the jobs have stopped, it cannot learn it
//!   from a dropped future: hold the `JoinSet` yourself and call
//!   [`JoinSet::shutdown`]`().await`, which aborts and then waits for every
//!   task (the `cancellation` crate's `ErrGroup::shutdown` does that).
//!
//! # Two other shapes
//!
//! - **`JoinSet` plus a [`Semaphore`](tokio::sync::Semaphore)**: acquire an
//!   owned permit before each `spawn` and move it into the task, which
//!   releases it when it ends. Reach for it when the limit is shared by code
//!   that spawns from many places (every request handler of a server calling
//!   the same backend, say); with one loop that does all the spawning, as
//!   here, the set's own length already counts the running jobs.
//! - **`N` worker tasks on a bounded channel**, Go's shape: worth it when
//!   jobs arrive over time rather than as a batch, or when each worker holds
//!   something expensive (a connection). Tokio's `mpsc::Receiver` has a
//!   single consumer, so the workers would share it behind an
//!   `Arc<tokio::sync::Mutex<_>>`; the `fan-out-fan-in` crate shows that.
//!
//! Without spawning at all, `futures::StreamExt::buffer_unordered(n)` runs
//! up to `n` futures at once inside the caller's own task: fine for I/O, but
//! everything then shares one thread, and a panic in one future is a panic
//! of the caller. And the futures make progress only while the stream is
//! polled: a consumer loop that awaits something slow between two `next()`
//! calls freezes every request in flight, while their timeouts (which count
//! from when they started) keep running, so requests that the server
//! answered in time can still time out. Spawned tasks run whether or not the
//! caller is looking.
//!
//! # What runs where
//!
//! `work` is called on the caller's task and returns a future; only that
//! future runs as a task of its own. Write `|job| async move { ... }` and
//! keep the closure's body inside the `async` block, so that its panics are
//! caught too. The future runs on the runtime's worker threads, so it must
//! not do long CPU work: wrap that in [`tokio::task::spawn_blocking`].

use std::collections::HashMap;
use std::future::Future;

use tokio::task::{Id, JoinError, JoinSet};

use crate::{JobError, PoolError};

// ANCHOR: run_as_completed
/// Runs the future `work(job)` for every job as a tokio task, at most
/// `workers` at a time, and calls `on_result` with `(index, result)` as each
/// job finishes, in completion order.
///
/// `index` is the job's position in `jobs`. `on_result` runs on the caller's
/// task, one call at a time. Returns once every job has been reported.
///
/// Dropping the returned future aborts every job still running: each stops
/// at its next `.await` (see the module docs for what that does not reach).
///
/// # Errors
///
/// [`PoolError::NoWorkers`] when `workers` is zero, before anything runs.
///
/// # Panics
///
/// A panic inside a job's future becomes that job's [`JobError`]. A panic
/// in `work` itself (outside the future it returns) or in `on_result` is
/// the caller's; the `JoinSet` is then dropped, which aborts the jobs.
pub async fn run_as_completed<I, T, F, Fut, C>(
    workers: usize,
    jobs: I,
    mut work: F,
    mut on_result: C,
) -> Result<(), PoolError>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
    C: FnMut(usize, Result<T, JobError>),
{
    if workers == 0 {
        return Err(PoolError::NoWorkers);
    }
    let mut jobs = jobs.into_iter().enumerate();
    // The running jobs. Dropped (and so aborted) if this future is dropped.
    let mut running = JoinSet::new();
    // A failed task's `JoinError` knows the task's id, not our job index.
    let mut index_of: HashMap<Id, usize> = HashMap::new();

    // ANCHOR: top_up
    loop {
        // Top up: start jobs until `workers` run or the batch is used up.
        while running.len() < workers {
            let Some((index, job)) = jobs.next() else {
                break;
            };
            let task = running.spawn(work(job));
            index_of.insert(task.id(), index);
        }
        // Wait for whichever job finishes first. `None`: nothing is running
        // and the loop above found nothing left to start, so we are done.
        let Some(joined) = running.join_next_with_id().await else {
            break;
        };
        let (id, outcome) = match joined {
            Ok((id, value)) => (id, Ok(value)),
            Err(error) => (error.id(), Err(error)),
        };
        let index = index_of
            .remove(&id)
            .expect("every task in the set was recorded when spawned");
        on_result(index, outcome.map_err(|error| job_error(index, error)));
    }
    // ANCHOR_END: top_up
    Ok(())
}
// ANCHOR_END: run_as_completed

// ANCHOR: run_in_order
/// Runs the future `work(job)` for every job, at most `workers` at a time,
/// and returns the results in the order of `jobs`.
///
/// This is [`run_as_completed`] writing each result into its slot. Dropping
/// the returned future aborts every job still running, each at its next
/// `.await`.
///
/// # Errors
///
/// [`PoolError::NoWorkers`] when `workers` is zero. A job that panicked is
/// an `Err(JobError)` in its slot; the other slots are unaffected.
pub async fn run_in_order<I, T, F, Fut>(
    workers: usize,
    jobs: I,
    work: F,
) -> Result<Vec<Result<T, JobError>>, PoolError>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut slots: Vec<Option<Result<T, JobError>>> = Vec::new();
    run_as_completed(workers, jobs, work, |index, outcome| {
        if slots.len() <= index {
            slots.resize_with(index + 1, || None);
        }
        slots[index] = Some(outcome);
    })
    .await?;
    Ok(slots
        .into_iter()
        .map(|slot| slot.expect("every job is reported exactly once"))
        .collect())
}
// ANCHOR_END: run_in_order

/// A task that did not return a value either panicked or was cancelled.
/// The pool aborts nothing while it is still collecting, so cancellation
/// only happens when the runtime itself shuts down under us.
fn job_error(index: usize, error: JoinError) -> JobError {
    match error.try_into_panic() {
        Ok(payload) => JobError::from_panic(index, &*payload),
        Err(_) => JobError {
            index,
            message: "the task was cancelled: its runtime shut down".to_owned(),
        },
    }
}
