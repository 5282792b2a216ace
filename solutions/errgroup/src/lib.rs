//! Reference solution: an error group, where the first error cancels the rest.
//!
//! The exercise (`exercises/errgroup`) states the task and the contract;
//! this file explains the choices.
//!
//! # The design
//!
//! Three pieces, each doing one job:
//!
//! - A [`JoinSet`] owns the tasks. `wait` joins them one by one, and when
//!   the set is dropped (with the group, or with the `wait` future, which
//!   owns the group) it aborts every task still in it. That is contract
//!   point 8 for free.
//! - One [`CancellationToken`], a clone of which every task gets.
//! - A first-error slot shared by the tasks, `Arc<Mutex<Option<Error>>>`.
//!
//! The heart of it is that **each task is wrapped**: the wrapper awaits the
//! task's own future, catches its panic (`FutureExt::catch_unwind`), and if
//! the task failed or panicked it records the error (unless one is already
//! there) and cancels the token, right there, at that instant. So the
//! others hear their token the moment the first error happens, whether or
//! not anyone is awaiting `wait` (contract points 3, 4 and 7), and "first"
//! means first in time (point 6), because the slot is filled in the order
//! the failures happen.
//!
//! `wait` then has nothing clever left to do: it joins every task (point 5:
//! cancelling asks, it does not abort), puts each value in the slot of its
//! spawn index (point 2), and returns the recorded error if there is one.
//!
//! # Alternatives that also pass
//!
//! - **A drop guard instead of catching panics.** Each wrapper holds
//!   `token.clone().drop_guard()`, and disarms it only when the task
//!   succeeds: a failure *and* a panic both drop the guard, which cancels.
//!   The error is then read in `wait`, from the task's output or from the
//!   `JoinError` of the panic; joining in completion order (what
//!   `JoinSet::join_next` does) makes the first one joined the first in
//!   time. No `catch_unwind`, no shared slot.
//! - **`AbortOnDropHandle`s in a `Vec`** (from `tokio_util::task`) instead
//!   of a `JoinSet`, awaited in spawn order: dropping them aborts their
//!   tasks, and the wrapper still records the first error in time.
//!
//! # Tempting designs that fail
//!
//! - **Cancelling in `wait`**, when it joins a failed task (as the
//!   trap found in the workshop's own `cancellation::ErrGroup`): the others are told
//!   only when someone awaits `wait`. A caller that spawns, does other work
//!   for ten seconds, then waits, lets the others run on for ten seconds.
//! - **Futures kept in a `Vec` and run in `wait`** (`join_all`): futures do
//!   nothing until polled, so no task starts before `wait`.
//! - **Returning at the first error** (or aborting the others): the others
//!   never finish their clean-up; Go's `Wait` waits for every goroutine.
//! - **Keeping the last error, or the first in spawn order**: the cause is
//!   the first failure in time; the later errors are mostly the others
//!   saying "cancelled".
//! - **Not catching panics**: an `unwrap` on the `JoinError` panics in
//!   `wait`, and a panic skipped by the wrapper cancels nobody.
//! - **`tokio::spawn` with the `JoinHandle`s in a `Vec`**: dropping a
//!   `JoinHandle` detaches its task, so dropping the group leaves every task
//!   running.
//! - **Collecting values in the order tasks finish**: `wait` promises spawn
//!   order.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};

use futures::FutureExt;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Why a group failed: the first task to fail, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Task number `task` returned `Err(message)`.
    Failed {
        /// The task's position in spawn order, from 0.
        task: usize,
        /// The message the task returned.
        message: String,
    },
    /// Task number `task` panicked with `message`.
    Panicked {
        /// The task's position in spawn order, from 0.
        task: usize,
        /// The panic's message, as [`panic_message`] reads it.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Failed { task, message } => write!(f, "task {task} failed: {message}"),
            Error::Panicked { task, message } => write!(f, "task {task} panicked: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// The message of a panic, from its payload: `panic!("...")` makes a
/// `&'static str` or a `String`; anything else has no message to read.
///
/// A panic's payload is what `std::panic::catch_unwind` (or
/// `futures::FutureExt::catch_unwind`) returns as `Err`, and what
/// `tokio::task::JoinError::into_panic` gives back.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

// ANCHOR: group
/// A group of tasks where the first error (or panic) cancels the others.
///
/// `T` is what each task returns when it succeeds.
pub struct Group<T> {
    /// Owns the tasks; dropping it aborts those still running. Each task
    /// returns its spawn index and its value, or `None` if it failed.
    tasks: JoinSet<(usize, Option<T>)>,
    /// Every task holds a clone; the first error cancels it.
    token: CancellationToken,
    /// The first error in time, filled in by the task that failed.
    first_error: Arc<Mutex<Option<Error>>>,
    /// How many tasks were spawned: the next task's index.
    spawned: usize,
}
// ANCHOR_END: group

impl<T: Send + 'static> Default for Group<T> {
    fn default() -> Self {
        Group::new()
    }
}

impl<T: Send + 'static> Group<T> {
    /// An empty group.
    pub fn new() -> Group<T> {
        Group {
            tasks: JoinSet::new(),
            token: CancellationToken::new(),
            first_error: Arc::new(Mutex::new(None)),
            spawned: 0,
        }
    }

    // ANCHOR: spawn
    /// Starts the task that `task` makes, at once, handing it a token that
    /// fires on the group's first error. The task should stop when its token
    /// fires (`token.cancelled().await` in a `tokio::select!`).
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn spawn<F, Fut>(&mut self, task: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = Result<T, String>> + Send + 'static,
    {
        let index = self.spawned;
        self.spawned += 1;
        let work = task(self.token.clone());
        let token = self.token.clone();
        let first_error = Arc::clone(&self.first_error);
        self.tasks.spawn(async move {
            // The panic is caught here, in the task, so that it cancels the
            // others now, like any error. `AssertUnwindSafe`: after a panic
            // we only read the payload; nothing of the task is used again.
            let error = match AssertUnwindSafe(work).catch_unwind().await {
                Ok(Ok(value)) => return (index, Some(value)),
                Ok(Err(message)) => Error::Failed {
                    task: index,
                    message,
                },
                Err(payload) => Error::Panicked {
                    task: index,
                    message: panic_message(payload.as_ref()),
                },
            };
            // First come, first kept: the slot is filled in the order the
            // failures happen. The lock is held for an instant, never
            // across an `.await`.
            first_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get_or_insert(error);
            // Tell the others, now, whether or not anyone awaits `wait`.
            token.cancel();
            (index, None)
        });
    }
    // ANCHOR_END: spawn

    // ANCHOR: wait
    /// Waits for every task, and returns their values in spawn order, or
    /// the first error in time.
    pub async fn wait(mut self) -> Result<Vec<T>, Error> {
        let mut values: Vec<Option<T>> = (0..self.spawned).map(|_| None).collect();
        // Every task, even after an error: a cancelled task may still be
        // cleaning up, and Go's `Wait` waits for it too.
        while let Some(joined) = self.tasks.join_next().await {
            // The wrapper catches the task's panic, and nothing aborts a
            // task while the group is alive, so joining cannot fail.
            let (index, value) = joined.expect("the wrapper catches every panic of its task");
            values[index] = value;
        }
        let first_error = self
            .first_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match first_error {
            Some(error) => Err(error),
            None => Ok(values
                .into_iter()
                .map(|value| value.expect("no task failed, so each left its value"))
                .collect()),
        }
    }
    // ANCHOR_END: wait
}
