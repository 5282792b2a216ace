//! Exercise: a prime pipeline with cancellation.
//!
//! Generate numbers, keep the primes, square them: three stages, each on its
//! own thread, joined by bounded channels, and every stage stops promptly
//! when cancelled. This is the Go tutorial's second exercise ("a pipeline
//! that generates numbers, filters primes, squares them, with context
//! cancellation at each stage"), with crossbeam channels and threads.
//!
//! # The contract (what the spec checks)
//!
//! - `generate(range, cancel)`, `filter_primes(input, cancel)` and
//!   `square(input, cancel)` each start **one thread** and return the
//!   receiving end of a **bounded** channel (capacity at most [`CAPACITY`]);
//!   `prime_squares(range, cancel)` chains the three.
//! - The output is in input order. 0 and 1 are not prime. Squares never
//!   overflow (they are `u128`), and ranges that end at `u64::MAX` work.
//! - After `cancel.cancel()`, every stage finishes within a second, **even
//!   while it is blocked** sending to a full channel or waiting on an empty
//!   one; the output channel then closes; no thread is left running.
//! - Dropping the output receiver, without cancelling, also stops every stage.
//! - A slow consumer never makes memory grow: a stage whose output is full waits.
//!
//! [`Cancel`] is given: it is a channel that closes when cancelled, which
//! `crossbeam::select!` can wait on next to your real work, like Go's
//! `ctx.Done()`. Read its docs first.
//!
//! # How to check your work
//!
//! ```text
//! cargo xtask check prime-pipeline     # judge this exercise against its spec
//! cargo xtask hint prime-pipeline      # the next hint, when you are stuck
//! ```
//!
//! The book's chapters on pipelines and on cancellation
//! (`cargo xtask book --open`) explain the ideas you need.

// TODO: remove this line when you are done: it keeps the compiler quiet about
// the parameters and imports the starter code does not use yet.
#![allow(
    unused_variables,
    unused_imports,
    clippy::todo,
    reason = "starter code: the bodies are yours to write"
)]

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

/// Sends every number of `range`, in order, then closes its output.
pub fn generate(range: RangeInclusive<u64>, cancel: &Cancel) -> Receiver<u64> {
    // TODO: start a thread that sends each number of `range` into a bounded
    // channel, and stops when the receiver is gone or `cancel` fires, even
    // while the channel is full.
    todo!()
}

/// Passes on the primes of `input`, in order.
pub fn filter_primes(input: Receiver<u64>, cancel: &Cancel) -> Receiver<u64> {
    // TODO: start a thread that keeps the primes (`primes::is_prime`), and
    // stops when its input is used up, its output is gone, or `cancel` fires.
    todo!()
}

/// Passes on the square of each number of `input`, in order, as a `u128`.
pub fn square(input: Receiver<u64>, cancel: &Cancel) -> Receiver<u128> {
    // TODO: like `filter_primes`, squaring each number without overflow.
    todo!()
}

/// The whole pipeline: the squares of the primes in `range`, in order.
pub fn prime_squares(range: RangeInclusive<u64>, cancel: &Cancel) -> Receiver<u128> {
    // TODO: chain the three stages.
    todo!()
}
