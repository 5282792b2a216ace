//! Exercise: fan-in, with threads and with tokio tasks.
//!
//! Several channels carry items; one consumer wants them all. `merge` takes
//! the receiving ends of several crossbeam channels and returns one
//! receiver that yields every item of every input, as they come, and closes
//! exactly when every input has closed. `merge_tasks` does the same for
//! tokio's `mpsc` channels, with tasks instead of threads.
//!
//! ```text
//! let merged = merge(vec![rx_a, rx_b, rx_c]);
//! for item in merged {        // ends once rx_a, rx_b and rx_c have all closed
//!     println!("{item}");
//! }
//! ```
//!
//! # The contract (what the spec checks)
//!
//! `merge(receivers)`, on threads:
//!
//! 1. delivers **every item of every input exactly once**: none lost, none
//!    twice, and the items of one input in that input's order;
//! 2. passes each item on **as it comes**: a quiet input (open, but sending
//!    nothing) never holds up the items of the others;
//! 3. **stays open while any input is open**, even after the others closed;
//! 4. **closes once every input has closed** (and its items were passed
//!    on), and then no thread of `merge` is left running;
//! 5. with no inputs at all, returns a channel that is already closed;
//! 6. returns a **bounded** channel, of capacity at most [`CAPACITY`];
//! 7. when the merged receiver is dropped, each of its threads stops at its
//!    next item (its send fails) and drops its input, so the input's
//!    senders see their channel closed.
//!
//! `merge_tasks(receivers)`, on tokio tasks (call it inside a runtime):
//!
//! 8. delivers every item of every input exactly once, in each input's order;
//! 9. passes each item on at the instant it is sent (the spec runs on
//!    tokio's paused clock, so "at once" means the same virtual instant);
//! 10. closes at the very instant the last input closes;
//! 11. with no inputs at all, returns a channel that is already closed;
//! 12. returns a channel of capacity at most [`CAPACITY`];
//! 13. when the merged receiver is dropped, **every task of `merge_tasks`
//!     ends at once**, even one waiting on an input that never sends.
//!
//! Nothing else is given: this exercise is the few lines of each function.
//!
//! # How to check your work
//!
//! ```text
//! cargo xtask check fan-in     # judge this exercise against its spec
//! cargo xtask hint fan-in      # the next hint, when you are stuck
//! ```
//!
//! Read the book's Fan-out and fan-in chapter first (`cargo xtask book
//! --open`), its fan-in sections above all: this exercise is that merge, by
//! hand, without the cancel signal, and without a scope: start the threads
//! with `std::thread::spawn` and the tasks with `tokio::spawn`, and return
//! at once. Nobody joins them; each ends when its input closes (or when the
//! merged channel's receiver is dropped).

// TODO: remove this line when you are done: it keeps the compiler quiet about
// the parameters and imports the starter code does not use yet.
#![allow(
    unused_variables,
    unused_imports,
    clippy::todo,
    reason = "starter code: the bodies are yours to write"
)]

use crossbeam::channel::{self, Receiver, Sender};
use tokio::sync::mpsc;

/// The most items the merged channel may hold. A bounded channel keeps
/// memory flat when the consumer is slower than the inputs: a forwarder
/// whose send finds the channel full waits.
pub const CAPACITY: usize = 16;

/// Merges `receivers` into one channel, with threads.
///
/// The returned receiver yields every item of every input, as they come,
/// and closes once every input has closed. Nobody joins the threads this
/// starts: each must end on its own.
pub fn merge<T: Send + 'static>(receivers: Vec<Receiver<T>>) -> Receiver<T> {
    // TODO: create a bounded output channel, start one thread per input that
    // passes its items on, and make sure the output closes when the last of
    // those threads ends (who holds the output's Senders?).
    todo!()
}

/// Merges `receivers` into one channel, with tokio tasks.
///
/// The returned receiver yields every item of every input, as they come,
/// and closes once every input has closed. Every task this spawns ends on
/// its own, at the latest when the returned receiver is dropped.
///
/// # Panics
///
/// Outside a tokio runtime (it spawns tasks).
pub fn merge_tasks<T: Send + 'static>(receivers: Vec<mpsc::Receiver<T>>) -> mpsc::Receiver<T> {
    // TODO: the same with `tokio::spawn`, and each task must also end as
    // soon as the output's receiver is dropped, even while its input is quiet.
    todo!()
}
