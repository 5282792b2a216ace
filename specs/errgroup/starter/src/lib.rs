//! Exercise: an error group, where the first error cancels the rest.
//!
//! Run fallible tasks together; the first one to fail tells the others to
//! stop, and its error is the group's. This is Go's
//! `errgroup.WithContext`: `g.Go(f)` is [`Group::spawn`], `g.Wait()` is
//! [`Group::wait`], and the `ctx` every goroutine watches is the
//! [`CancellationToken`] each task is handed. Build it from a
//! [`tokio::task::JoinSet`], which owns the tasks and aborts them when it is
//! dropped, and a token, which asks them to stop.
//!
//! ```text
//! let mut group = Group::new();
//! group.spawn(|token| async move { fetch("a", token).await });   // Result<T, String>
//! group.spawn(|token| async move { fetch("b", token).await });
//! let pages: Vec<T> = group.wait().await?;                         // or the first Error
//! ```
//!
//! # The contract (what the spec checks)
//!
//! Task `n` is the `n`-th task spawned, counting from 0.
//!
//! 1. `spawn` starts the task at once, like `g.Go`, and hands it a
//!    `CancellationToken`: the task runs whether or not anyone awaits `wait`.
//! 2. When every task succeeds, `wait` returns their values **in spawn
//!    order** (not the order they finished), when the last one ends. Tasks
//!    run at the same time. A group with no tasks returns `Ok(vec![])`.
//! 3. The first task to fail cancels every other task's token **at that
//!    instant**.
//! 4. ...**even if nobody is awaiting `wait` yet.** A caller may call
//!    `wait` long after the failure; the others must already have been told.
//!    (Go's errgroup cancels when the failing goroutine returns, not when
//!    someone calls `Wait`.)
//! 5. `wait` returns only when **every** task has returned: a cancelled task
//!    may take a while to clean up, and `wait` waits for it, like Go's
//!    `Wait`. Cancelling asks; it does not abort.
//! 6. `wait` returns **the first error in time**, as [`Error::Failed`]: not
//!    the first in spawn order, not the last one. Later errors (usually the
//!    others saying "cancelled") are dropped.
//! 7. **A panic is an error**: a task that panics cancels the others at that
//!    instant, and `wait` returns [`Error::Panicked`] with its message
//!    ([`panic_message`] reads it).
//! 8. **Dropping aborts.** Dropping the group, or dropping the `wait()`
//!    future before it completes (a timeout around it), aborts every task
//!    still running, at once. Nothing the group spawned outlives it.
//!
//! Every test runs on tokio's paused clock, so the instants it asserts
//! (a task fails at 1 s, the others hear their token at exactly 1 s) are
//! exact, and the tests take no real time. Every test also checks that no
//! task is left alive.
//!
//! # How to check your work
//!
//! ```text
//! cargo xtask check errgroup     # judge this exercise against its spec
//! cargo xtask hint errgroup      # the next hint, when you are stuck
//! ```
//!
//! The book's chapter "Cancellation and error groups"
//! (`cargo xtask book --open`), section "ErrGroup: tasks that can fail,
//! together", explains the pieces. Point 4 is the one to think about before
//! you write anything: *where* does the cancel happen?

// TODO: remove this line when you are done: it keeps the compiler quiet about
// the parameters and imports the starter code does not use yet.
#![allow(
    unused_variables,
    unused_imports,
    clippy::todo,
    reason = "starter code: the bodies are yours to write"
)]

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError};

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

/// A group of tasks where the first error (or panic) cancels the others.
///
/// `T` is what each task returns when it succeeds.
pub struct Group<T> {
    // TODO: replace this placeholder with the group's state: what owns the
    // tasks (so that dropping the group aborts them), the token they are
    // handed, how many tasks were spawned, and where the first error goes.
    placeholder: PhantomData<T>,
}

impl<T: Send + 'static> Default for Group<T> {
    fn default() -> Self {
        Group::new()
    }
}

impl<T: Send + 'static> Group<T> {
    /// An empty group.
    pub fn new() -> Group<T> {
        // TODO: an empty JoinSet, a fresh token, no error yet.
        todo!()
    }

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
        // TODO: spawn the task's future, wrapped so that the moment it
        // fails or panics, the group's error is recorded (if it is the
        // first) and the token is cancelled: in the task, not in `wait`.
        todo!()
    }

    /// Waits for every task, and returns their values in spawn order, or
    /// the first error in time.
    pub async fn wait(self) -> Result<Vec<T>, Error> {
        // TODO: join every task (even after an error: the others may still
        // be cleaning up), put each value in its task's slot, then return
        // the first error if there was one.
        todo!()
    }
}
