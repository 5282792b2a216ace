//! Exercise: one generic pipeline stage, on a thread.
//!
//! `stage(input, f)` starts a thread that takes each item of `input`, sends
//! `f(item)` to a bounded output channel, and returns that channel's
//! receiver. Stages compose: the output of one is the input of the next.
//!
//! ```text
//! let squares = stage(numbers, |n: u64| n * n);
//! let labels = stage(squares, |n: u64| format!("#{n}"));
//! for label in labels { println!("{label}"); }  // ends when `numbers` closes
//! ```
//!
//! A stage must wind down in both directions by itself, the way the book's
//! Pipeline chapter explains: **downstream** when its input ends, and
//! **upstream** when its consumer drops the output (Go's classic goroutine
//! leak, which Rust's ownership rules out if the stage listens).
//!
//! # The contract (what the spec checks)
//!
//! 1. The output yields `f(item)` for every item of `input`, **in order**.
//! 2. `f` is an `FnMut`: it is called on the stage's thread, one item at a
//!    time, in order, so it may keep state (a running total, a counter).
//! 3. `stage` **returns at once**, even when `input` is open and empty: the
//!    work happens on a thread of its own.
//! 4. Each item is passed on **as soon as it is ready**, while the input is
//!    still open (not after the input has ended).
//! 5. The output is **bounded**, of capacity at most [`CAPACITY`].
//! 6. A slow consumer holds the stage back: with nobody reading, the stage
//!    takes from its input only what fits in its output, plus the one item
//!    in its hands. Memory stays flat.
//! 7. When the input is closed and every item passed on, the output
//!    **closes**, and the stage's thread ends.
//! 8. When the consumer **drops the output** while the stage is blocked
//!    sending to it, the stage's thread ends at once, and so its input is
//!    dropped: the input's senders see it closed.
//! 9. When the consumer drops the output while the stage waits for input,
//!    the stage ends at its next item (its send fails), and drops its input.
//! 10. So dropping the end of a chain of stages stops **every** stage, and
//!     the source feeding the first one, without any other signal.
//!
//! No thread may be left running and no thread may panic: a `send` that
//! fails is information (nobody is listening), not an error to `unwrap`.
//!
//! # How to check your work
//!
//! ```text
//! cargo xtask check pipeline-stage     # judge this exercise against its spec
//! cargo xtask hint pipeline-stage      # the next hint, when you are stuck
//! ```
//!
//! Read the book's Pipeline chapter first (`cargo xtask book --open`), its
//! thread form above all: this exercise is its `stage`, by hand.

// TODO: remove this line when you are done: it keeps the compiler quiet about
// the parameters and imports the starter code does not use yet.
#![allow(
    unused_variables,
    unused_imports,
    clippy::todo,
    reason = "starter code: the bodies are yours to write"
)]

use crossbeam::channel::{self, Receiver, Sender};

/// The most items a stage's output channel may hold. A bounded channel is
/// what keeps memory flat when the consumer is slower than the stage: a
/// stage whose output is full waits.
pub const CAPACITY: usize = 8;

/// Starts a stage: a thread that sends `f(item)` for each item of `input`,
/// in order, to the returned channel.
///
/// Nobody joins the thread: it ends on its own, when `input` is closed and
/// drained, or when the returned receiver is dropped.
pub fn stage<T, U, F>(input: Receiver<T>, f: F) -> Receiver<U>
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnMut(T) -> U + Send + 'static,
{
    // TODO: create a bounded output channel, start a thread that owns `input`,
    // `f` and the output's Sender, and return the output's Receiver.
    // TODO: in the thread, pass on `f(item)` for each item, and stop when the
    // input ends or when a send fails.
    todo!()
}
