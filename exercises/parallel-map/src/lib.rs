//! Exercise: a parallel map on a pool of scoped threads.
//!
//! `parallel_map(items, workers, f)` computes `f(item)` for every item on a
//! pool of `workers` threads and returns the results in the order of the
//! items. It is the thread form of the worker pool, for CPU-bound work:
//! start the workers once, let each take the next item whenever it is free,
//! and put every result in its item's slot. A panicking `f` costs one item
//! its result, never the whole call.
//!
//! ```text
//! let results = parallel_map(vec![1, 2, 3], 2, |n| n * 10)?;
//! assert_eq!(results, [Ok(10), Ok(20), Ok(30)]);
//! ```
//!
//! # The contract (what the spec checks)
//!
//! 1. `Ok(results)` has one result per item, **in the order of `items`**:
//!    `results[i]` is the result of `f(items[i])`, whatever order the items
//!    finish in.
//! 2. `f` is called **exactly once** per item: none lost, none done twice.
//! 3. An empty `items` gives `Ok(vec![])` at once. More workers than items
//!    is fine.
//! 4. `workers == 0` is `Err(ZeroWorkers)` at once, even for an empty
//!    `items`, and `f` is never called. Never a hang.
//! 5. **Never more than `workers`** calls of `f` run at the same time.
//! 6. **`workers` calls do run at the same time** when there are enough
//!    items: the pool really is parallel.
//! 7. `f` runs on **at most `workers` threads**, started once: each worker
//!    takes item after item (a thread per item is not a pool).
//! 8. **A free worker takes the next item at once**: one slow item holds up
//!    no other item (no fixed shares, no rounds).
//! 9. An item whose `f` panics gets `Err(JobPanicked { index, message })` in
//!    its own slot, with the panic's message; every other item's result is
//!    unaffected, and the worker carries on with the next item.
//! 10. Every thread has ended when `parallel_map` returns: use
//!     [`std::thread::scope`], which also lets the threads borrow `f`.
//!
//! [`JobPanicked`], [`ZeroWorkers`] and [`panic_message`] are given.
//!
//! # How to check your work
//!
//! ```text
//! cargo xtask check parallel-map     # judge this exercise against its spec
//! cargo xtask hint parallel-map      # the next hint, when you are stuck
//! ```
//!
//! Read the book's Worker pool chapter first (`cargo xtask book --open`),
//! its thread form above all: this exercise is that pool, by hand.

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
use std::panic::{self, AssertUnwindSafe};
use std::thread;

/// The result slot of an item whose `f` panicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPanicked {
    /// The item's position in `items`.
    pub index: usize,
    /// The panic's message: what [`panic_message`] makes of its payload.
    pub message: String,
}

impl fmt::Display for JobPanicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item {} panicked: {}", self.index, self.message)
    }
}

impl std::error::Error for JobPanicked {}

/// `parallel_map` was asked for zero workers: with nobody to take an item,
/// it would wait forever, so it refuses at once instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZeroWorkers;

impl fmt::Display for ZeroWorkers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "parallel_map needs at least one worker")
    }
}

impl std::error::Error for ZeroWorkers {}

/// The message of a caught panic, from the payload that
/// [`std::panic::catch_unwind`] returns as its `Err`.
///
/// `panic!("literal")` carries a `&'static str` and `panic!("{x}")` a
/// `String`; anything else (`std::panic::panic_any(42)`) has no text.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "the panic carried a value that is not a string".to_owned()
    }
}

/// Computes `f(item)` for every item on `workers` scoped threads.
///
/// Returns one result per item, in the order of `items`: `Ok(f(item))`, or
/// `Err(JobPanicked)` for an item whose `f` panicked. The outer `Err` is only
/// for a call that cannot work at all (`workers == 0`).
pub fn parallel_map<T, U, F>(
    items: Vec<T>,
    workers: usize,
    f: F,
) -> Result<Vec<Result<U, JobPanicked>>, ZeroWorkers>
where
    T: Send,
    U: Send,
    F: Fn(T) -> U + Sync,
{
    // TODO: refuse zero workers.
    // TODO: inside `thread::scope`, start `workers` threads that each take
    // the next `(index, item)` until none are left, call `f` under
    // `panic::catch_unwind`, and send `(index, result)` back.
    // TODO: put each result into the slot of its index, and return the slots.
    todo!()
}
