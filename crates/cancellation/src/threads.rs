//! Cancellation for plain threads: a [`Done`] signal and an error group on
//! [`std::thread::scope`].
//!
//! A thread cannot be *safely* aborted from outside: std has no call for it,
//! because a thread killed half way would leave its locks held and its
//! destructors unrun (Go cannot kill a goroutine either). It stops when its
//! code decides to, so the code must look for the signal:
//!
//! - **Between chunks of work**, with [`Done::is_cancelled`]: one atomic
//!   load, cheap enough to call in a hot loop.
//! - **While waiting**, by waiting on the signal too: [`Done::sleep`]
//!   instead of `thread::sleep`, or a crossbeam `select!` over your channel
//!   and [`Done::channel`]. A thread blocked in a plain `recv()` or `sleep()`
//!   hears nothing until that call returns.
//!
//! [`run_all`] is the errgroup: it runs one scoped thread per worker, and
//! the first worker to fail cancels the [`Done`] the others watch.
//! `std::thread::scope` joins every thread before it returns, so nothing the
//! group starts can outlive it.

use std::convert::Infallible;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use crossbeam::channel::{self, Receiver, RecvTimeoutError, Sender};

use crate::{TaskPanicked, WorkError};

// ANCHOR: done
/// A one-way "stop" signal for threads, readable two ways: a flag to check
/// between chunks, and a channel that closes, to wait on.
///
/// This is Go's `done := make(chan struct{})` / `close(done)`. The channel
/// carries [`Infallible`], a type with no values, so nothing can ever be
/// sent on it: the only event is its closing, which wakes every receiver at
/// once.
#[derive(Debug)]
pub struct Done {
    /// Set by [`Done::cancel`], read by [`Done::is_cancelled`].
    cancelled: AtomicBool,
    /// The only `Sender`. [`Done::cancel`] drops it, which closes the
    /// channel. A `Mutex` because any thread may be the one that cancels.
    closer: Mutex<Option<Sender<Infallible>>>,
    /// Becomes ready (disconnected) when the channel closes.
    channel: Receiver<Infallible>,
}

impl Done {
    /// A signal that has not fired.
    pub fn new() -> Done {
        let (closer, channel) = channel::bounded(0);
        Done {
            cancelled: AtomicBool::new(false),
            closer: Mutex::new(Some(closer)),
            channel,
        }
    }

    /// Fires the signal: sets the flag and closes the channel. Calling it
    /// again does nothing.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        // The lock guards no invariant a panic could break: take it anyway.
        let mut closer = self.closer.lock().unwrap_or_else(PoisonError::into_inner);
        // Dropping the only `Sender` closes the channel.
        drop(closer.take());
    }

    /// Whether the signal has fired. Cheap: check it between chunks.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// The channel that closes when the signal fires, for a crossbeam
    /// `select!`: `recv(done.channel()) -> _ => return Err(..)` runs once it
    /// is closed (there is never a message to receive).
    pub fn channel(&self) -> &Receiver<Infallible> {
        &self.channel
    }

    /// Sleeps for `duration`, or until the signal fires, whichever is
    /// first: [`WorkError::Cancelled`] in the second case.
    pub fn sleep(&self, duration: Duration) -> Result<(), WorkError> {
        match self.channel.recv_timeout(duration) {
            Err(RecvTimeoutError::Timeout) => Ok(()),
            Err(RecvTimeoutError::Disconnected) => Err(WorkError::Cancelled),
            Ok(never) => match never {},
        }
    }
}
// ANCHOR_END: done

impl Default for Done {
    fn default() -> Self {
        Done::new()
    }
}

// ANCHOR: blocking_long_running
/// Runs `do_chunk(0)`, ..., `do_chunk(chunks - 1)` on the current thread,
/// checking `done` before each chunk: stops within one chunk of the cancel,
/// with [`WorkError::Cancelled`]. A chunk's error stops it with
/// [`WorkError::Failed`].
pub fn long_running(
    done: &Done,
    chunks: u64,
    mut do_chunk: impl FnMut(u64) -> anyhow::Result<()>,
) -> Result<(), WorkError> {
    for chunk in 0..chunks {
        if done.is_cancelled() {
            return Err(WorkError::Cancelled);
        }
        do_chunk(chunk).map_err(WorkError::Failed)?;
    }
    Ok(())
}
// ANCHOR_END: blocking_long_running

// ANCHOR: run_all
/// Runs each worker on a scoped thread of its own (named `worker-0`,
/// `worker-1`, ...) and returns their values in order, or the first error
/// (in time).
///
/// The first worker to fail or panic records its error and cancels `done`;
/// the others are expected to notice and return (their errors, usually
/// [`WorkError::Cancelled`], are dropped). Cancelling `done` from outside
/// stops the group the same way. Every thread is joined before `run_all`
/// returns, so a worker that ignores `done` keeps it waiting.
pub fn run_all<T, E, F>(done: &Done, workers: impl IntoIterator<Item = F>) -> Result<Vec<T>, E>
where
    T: Send,
    E: From<TaskPanicked> + Send,
    F: FnOnce(&Done) -> Result<T, E> + Send,
{
    let first_error: Mutex<Option<E>> = Mutex::new(None);
    let values: Vec<Option<T>> = thread::scope(|scope| {
        let threads: Vec<_> = workers
            .into_iter()
            .enumerate()
            .map(|(index, worker)| {
                let first_error = &first_error;
                thread::Builder::new()
                    .name(format!("worker-{index}"))
                    .spawn_scoped(scope, move || {
                        // A panic is an error like any other: catch it here,
                        // so that it cancels the others too. (Under
                        // `panic = "abort"` there is nothing to catch: the
                        // first panic ends the process.)
                        let outcome = panic::catch_unwind(AssertUnwindSafe(|| worker(done)))
                            .unwrap_or_else(|payload| {
                                Err(E::from(TaskPanicked::new(index, payload.as_ref())))
                            });
                        match outcome {
                            Ok(value) => Some(value),
                            Err(error) => {
                                let mut first =
                                    first_error.lock().unwrap_or_else(PoisonError::into_inner);
                                if first.is_none() {
                                    *first = Some(error);
                                    done.cancel();
                                }
                                None
                            }
                        }
                    })
                    .expect("the OS refused to start a thread")
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().expect("the worker catches its own panic"))
            .collect()
    });
    match first_error
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
    {
        Some(error) => Err(error),
        None => Ok(values
            .into_iter()
            .map(|value| value.expect("no worker failed, so each left a value"))
            .collect()),
    }
}
// ANCHOR_END: run_all
