//! Reference solution: a prime pipeline with cancellation.
//!
//! Three stages, each on its own thread, joined by bounded crossbeam
//! channels: `generate` sends numbers, `filter_primes` keeps the primes,
//! `square` squares them. The exercise (`exercises/prime-pipeline`) states
//! the task and the contract; this file explains the choices.
//!
//! # The design
//!
//! Every stage is the same loop: wait for *either* the next input *or*
//! cancellation, then wait for *either* room in the output *or*
//! cancellation. `crossbeam::select!` is what waits on two channels at once,
//! and [`Cancel::done`] is a channel that never carries a message but closes
//! when [`Cancel::cancel`] is called, so "cancelled" is just "that channel is
//! ready". This is Go's `select { case <-ctx.Done(): ... case out <- v: }`.
//!
//! A stage returns (and its thread ends) in four cases, and each one closes
//! its output channel, because returning drops the stage's `Sender`:
//!
//! 1. its input is used up (the upstream stage ended and dropped its `Sender`),
//! 2. its output was dropped (sending fails with an error),
//! 3. cancellation fired while it waited for input,
//! 4. cancellation fired while it waited for room in its output.
//!
//! Case 4 is the one that leaks goroutines in Go and threads in a careless
//! Rust version: a plain `tx.send(v)` on a full channel waits for a reader
//! that, after cancellation, may never come.
//!
//! # Alternatives that also pass
//!
//! - Checking `cancel.is_cancelled()` at the top of the loop *as well as*
//!   selecting on `done` while blocked: same behaviour, one more branch.
//! - `send_timeout` in a loop that checks a flag between attempts: it stops,
//!   but only at the next timeout, and it polls for nothing in between.
//!
//! # Tempting designs that fail
//!
//! - `for n in input { ... tx.send(..) }` and a cancel check between items:
//!   it cannot stop while blocked in `recv` or `send`.
//! - Unbounded channels: a fast generator and a slow consumer fill memory.
//! - Several threads in `filter_primes` for speed: the output order is lost.

use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, PoisonError};

use crossbeam::channel::{self, Receiver, Sender};
use crossbeam::select;

/// How many items each stage's output channel holds. Bounded channels are
/// what keep memory flat when the consumer is slower than the producer: a
/// stage whose output is full waits.
pub const CAPACITY: usize = 16;

/// A cancellation signal shared by every stage: the Rust shape of Go's
/// `ctx.Done()`.
///
/// Inside is a channel on which nothing is ever sent. [`Cancel::cancel`]
/// drops its only `Sender`, which closes it; from then on a `recv` on
/// [`Cancel::done`] returns at once, so a stage can wait on its work and on
/// cancellation in one `crossbeam::select!`. Clones share the signal.
#[derive(Debug, Clone)]
pub struct Cancel {
    trigger: Arc<Mutex<Option<Sender<()>>>>,
    done: Receiver<()>,
}

impl Default for Cancel {
    fn default() -> Self {
        Cancel::new()
    }
}

impl Cancel {
    /// A signal that has not fired.
    pub fn new() -> Cancel {
        let (trigger, done) = channel::bounded(0);
        Cancel {
            trigger: Arc::new(Mutex::new(Some(trigger))),
            done,
        }
    }

    /// Fires the signal for every clone. Calling it again does nothing.
    pub fn cancel(&self) {
        self.trigger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Whether [`Cancel::cancel`] has been called.
    pub fn is_cancelled(&self) -> bool {
        matches!(
            self.done.try_recv(),
            Err(channel::TryRecvError::Disconnected)
        )
    }

    /// A channel that becomes ready (closed) on cancel: use it as
    /// `recv(cancel.done()) -> _ => ...` in `crossbeam::select!`.
    pub fn done(&self) -> &Receiver<()> {
        &self.done
    }
}

// ANCHOR: send_or_cancel
/// Sends `value`, unless cancellation comes first or the receiver is gone.
/// Returns whether the stage should go on.
fn send_or_cancel<T>(tx: &Sender<T>, value: T, cancel: &Cancel) -> bool {
    select! {
        send(tx, value) -> sent => sent.is_ok(),
        recv(cancel.done()) -> _ => false,
    }
}

/// The next input, unless cancellation comes first or the input is used up.
fn recv_or_cancel<T>(input: &Receiver<T>, cancel: &Cancel) -> Option<T> {
    select! {
        recv(input) -> next => next.ok(),
        recv(cancel.done()) -> _ => None,
    }
}
// ANCHOR_END: send_or_cancel

/// Starts a stage on a named thread and returns the receiving end of its
/// output. The thread is not joined by anyone: it ends on its own in one of
/// the four cases in the crate docs, and the spec checks that it does.
fn spawn_stage<T: Send + 'static>(
    name: &str,
    body: impl FnOnce(Sender<T>) + Send + 'static,
) -> Receiver<T> {
    let (tx, rx) = channel::bounded(CAPACITY);
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || body(tx))
        .expect("the OS refused to start a pipeline thread");
    rx
}

// ANCHOR: stages
/// Sends every number of `range`, in order, then closes its output.
pub fn generate(range: RangeInclusive<u64>, cancel: &Cancel) -> Receiver<u64> {
    let cancel = cancel.clone();
    spawn_stage("generate", move |tx| {
        // Iterating the range (not `n += 1`) is what makes `..=u64::MAX`
        // safe: the last step never computes `u64::MAX + 1`.
        for n in range {
            if !send_or_cancel(&tx, n, &cancel) {
                return;
            }
        }
    })
}

/// Passes on the primes of `input`, in order.
pub fn filter_primes(input: Receiver<u64>, cancel: &Cancel) -> Receiver<u64> {
    let cancel = cancel.clone();
    spawn_stage("filter-primes", move |tx| {
        while let Some(n) = recv_or_cancel(&input, &cancel) {
            // `primes::is_prime` says no to 0 and 1, as it should.
            if primes::is_prime(n) && !send_or_cancel(&tx, n, &cancel) {
                return;
            }
        }
    })
}

/// Passes on the square of each number of `input`, in order, as a `u128`:
/// the square of any `u64` fits.
pub fn square(input: Receiver<u64>, cancel: &Cancel) -> Receiver<u128> {
    let cancel = cancel.clone();
    spawn_stage("square", move |tx| {
        while let Some(n) = recv_or_cancel(&input, &cancel) {
            let n = u128::from(n);
            if !send_or_cancel(&tx, n * n, &cancel) {
                return;
            }
        }
    })
}

/// The whole pipeline: the squares of the primes in `range`, in order.
pub fn prime_squares(range: RangeInclusive<u64>, cancel: &Cancel) -> Receiver<u128> {
    square(filter_primes(generate(range, cancel), cancel), cancel)
}
// ANCHOR_END: stages
