//! [`ErrGroup`]: Go's `errgroup.WithContext` for tokio tasks.
//!
//! Tasks that can fail, run together; the first failure cancels the rest and
//! is the one reported. Built from two tokio pieces: a
//! [`JoinSet`], which owns the tasks and yields their
//! results as they finish, and a [`CancellationToken`], which tells them to
//! stop.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;

use tokio::task::{Id, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::TaskPanicked;

// ANCHOR: errgroup
/// A group of tasks where the first error (or panic) cancels the others.
///
/// - **Cancellation is cooperative first.** Each task gets a child of the
///   group's token. A task that returns an error or panics cancels the
///   group's token itself, at that moment, whether or not anyone is in
///   [`ErrGroup::wait`] yet, like Go's errgroup, which cancels its context
///   when the goroutine returns its error. [`ErrGroup::wait`] waits until
///   every task has returned, like Go's `Wait`. A task that ignores its
///   token keeps `wait` waiting.
/// - **Dropping the group aborts every task** still running (the
///   [`JoinSet`] inside does it). That includes dropping the `wait` future,
///   for instance when a [`crate::with_timeout`] around it expires. An abort
///   is a request, not a wait: each task stops at its next `.await`, so one
///   that is computing, or blocked in a call that never yields, runs on
///   until it gets there, and `spawn_blocking` work it started is never
///   aborted. Use [`ErrGroup::shutdown`] when you must know that every task
///   has stopped.
/// - **A panic is an error.** A task that panics fails the group with
///   `E::from(TaskPanicked { .. })`.
///
/// `E` defaults to [`anyhow::Error`]; any error type with a
/// `From<TaskPanicked>` works ([`crate::WorkError`] has one).
pub struct ErrGroup<T, E = anyhow::Error> {
    /// Owns the tasks. Its `Drop` aborts any still running.
    tasks: JoinSet<Result<T, E>>,
    /// Which task is which: the tokio task id to the order of `spawn` calls.
    order: HashMap<Id, usize>,
    /// Cancelled on the first error; each task holds a child of it.
    token: CancellationToken,
}
// ANCHOR_END: errgroup

impl<T, E> fmt::Debug for ErrGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrGroup")
            .field("running", &self.tasks.len())
            .field("cancelled", &self.token.is_cancelled())
            .finish()
    }
}

impl<T, E> Default for ErrGroup<T, E>
where
    T: Send + 'static,
    E: From<TaskPanicked> + Send + 'static,
{
    fn default() -> Self {
        ErrGroup::new()
    }
}

impl<T, E> ErrGroup<T, E>
where
    T: Send + 'static,
    E: From<TaskPanicked> + Send + 'static,
{
    /// An empty group with a token of its own.
    pub fn new() -> Self {
        ErrGroup::with_token(CancellationToken::new())
    }

    /// An empty group whose token is a child of `parent`, like
    /// `errgroup.WithContext(ctx)`: cancelling `parent` cancels the group's
    /// tasks; the group's first error does not cancel `parent`.
    pub fn with_parent(parent: &CancellationToken) -> Self {
        ErrGroup::with_token(parent.child_token())
    }

    fn with_token(token: CancellationToken) -> Self {
        ErrGroup {
            tasks: JoinSet::new(),
            order: HashMap::new(),
            token,
        }
    }

    /// The group's token: cancel it to stop every task from outside.
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }

    // ANCHOR: spawn
    /// Spawns the task that `task` makes, handing it a child of the group's
    /// token. The task should stop when its token fires (see
    /// [`crate::long_running`]).
    ///
    /// If the task returns an error or panics, it cancels the group's token
    /// as it ends, so the others are told at once, even while nobody awaits
    /// [`ErrGroup::wait`].
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn spawn<F, Fut>(&mut self, task: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        let index = self.order.len();
        let work = task(self.token.child_token());
        let group = self.token.clone();
        // ANCHOR: drop_guard
        let handle = self.tasks.spawn(async move {
            // Cancels the group when dropped: when the task ends with an
            // error, and when a panic ends it (tokio drops the future after
            // catching the panic). Disarmed only on success.
            let cancel_group = group.drop_guard();
            let result = work.await;
            if result.is_ok() {
                cancel_group.disarm();
            }
            result
        });
        // ANCHOR_END: drop_guard
        self.order.insert(handle.id(), index);
    }
    // ANCHOR_END: spawn

    // ANCHOR: wait
    /// Waits for every task. Returns their values in the order they were
    /// spawned, or the first error (in time), after cancelling the others
    /// and waiting for them to return.
    pub async fn wait(mut self) -> Result<Vec<T>, E> {
        let mut values: Vec<Option<T>> = (0..self.order.len()).map(|_| None).collect();
        let mut first_error = None;
        while let Some(joined) = self.tasks.join_next_with_id().await {
            let error = match joined {
                Ok((id, Ok(value))) => {
                    values[self.position(id)] = Some(value);
                    continue;
                }
                Ok((_, Err(error))) => error,
                // We never abort a task while the group is alive, so a
                // failed join is a panic.
                Err(join_error) => {
                    let task = self.position(join_error.id());
                    let message = match join_error.try_into_panic() {
                        Ok(payload) => TaskPanicked::new(task, payload.as_ref()),
                        Err(_cancelled) => TaskPanicked {
                            task,
                            message: "aborted from outside the group".to_owned(),
                        },
                    };
                    E::from(message)
                }
            };
            // Later errors are usually just the others reporting that they
            // were cancelled: the first one is the cause. The failed task
            // has cancelled the token already; an abort from outside has not.
            if first_error.is_none() {
                self.token.cancel();
                first_error = Some(error);
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(values
                .into_iter()
                .map(|value| value.expect("every task succeeded, so each left a value"))
                .collect()),
        }
    }
    // ANCHOR_END: wait

    // ANCHOR: shutdown
    /// Stops every task and waits until each has: cancels the group's token
    /// (so tasks that listen can stop cleanly), aborts every task still
    /// running, and waits for each to end.
    ///
    /// Dropping the group only *tells* its tasks to stop; this is the way
    /// to know they have. A task stops at its next `.await`, so `shutdown`
    /// waits for one that is computing until it reaches one. What no abort
    /// reaches is `spawn_blocking` work: a blocking closure that a task
    /// started runs on after its task is gone, and only a signal it checks
    /// (a token, a flag) stops it.
    pub async fn shutdown(mut self) {
        self.token.cancel();
        self.tasks.shutdown().await;
    }
    // ANCHOR_END: shutdown

    /// The position of a task in spawn order.
    fn position(&self, id: Id) -> usize {
        *self
            .order
            .get(&id)
            .expect("spawn records every task's id before wait runs")
    }
}
