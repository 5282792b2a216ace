//! Reference solution: a parallel map on a pool of scoped threads.
//!
//! The exercise (`exercises/parallel-map`) states the task and the contract;
//! this file explains the choices.
//!
//! # The design
//!
//! The worker pool of the book's Worker pool chapter, cut down to a batch
//! that is already in memory:
//!
//! - Every `(index, item)` goes into one crossbeam channel up front, and the
//!   only `Sender` is dropped: the channel is a queue that closes when it is
//!   empty. Its `Receiver` is `Clone`, and each item goes to exactly one
//!   clone, so the workers share the queue like goroutines ranging over one
//!   Go channel. A worker that is free takes the next item at once: that is
//!   what keeps one slow item from holding up the others (contract point 8).
//! - `workers` threads are started once, inside [`std::thread::scope`]. The
//!   scope is the `sync.WaitGroup`: it returns only when every thread has
//!   ended (point 10), and it lets the threads borrow `f` (`F: Sync`), where
//!   `std::thread::spawn` would need `'static` data and an `Arc`.
//! - Each worker calls `f` inside [`std::panic::catch_unwind`], so a panic
//!   becomes `Err(JobPanicked)` for that item and the worker takes the next
//!   one (point 9).
//! - Results come back to the calling thread on a second channel as
//!   `(index, result)`, and the caller writes each into its slot: the order
//!   comes from the indices, not from who finished first (point 1). The
//!   caller drops its own result `Sender`, so the channel closes when the
//!   last worker returns, and the collecting loop ends.
//!
//! # Alternatives that also pass
//!
//! - A `Mutex` around the items' iterator, each worker taking
//!   `let next = queue.lock().unwrap().next();` (the lock held for that one
//!   statement only) and returning its `(index, result)` pairs from its
//!   thread, which the caller collects with `join`.
//! - An `AtomicUsize` with the next index to take (`fetch_add(1)`), the items
//!   in `Mutex<Option<T>>` slots to take them out of, and the results put
//!   in `Mutex<Option<_>>` slots too (a `OnceLock` slot would need
//!   `U: Sync`, which the signature does not promise).
//! - `std::sync::mpsc` with its `Receiver` shared behind a `Mutex`: std's
//!   channel has one consumer, so the workers take turns at the lock.
//! - `workers - 1` threads and the calling thread as the last worker.
//!
//! # Tempting designs that fail
//!
//! - Pushing results in the order they finish: the order is lost.
//! - `while let Some(item) = queue.lock().unwrap().next() { f(item) }`: the
//!   guard of a `while let` lives until the end of the loop body, so the
//!   lock is held while `f` runs and the workers take turns.
//! - A thread per item: unbounded, or in rounds of `workers` joined one
//!   round at a time (the slowest item of a round holds up the next round).
//! - Fixed shares (`chunks`, or item `i` to worker `i % workers`): a worker
//!   with a slow item holds the rest of its share while others are idle.
//! - No `catch_unwind`: one panic ends the whole call.
//! - No check for zero workers: a division by zero, or a wait for results
//!   nobody will compute.

use std::any::Any;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::thread;

use crossbeam::channel;

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

// ANCHOR: parallel_map
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
    if workers == 0 {
        return Err(ZeroWorkers);
    }
    let len = items.len();

    // The queue: every item, with its index, and no Sender left once it is
    // filled, so that a worker's loop ends when the queue is empty. The items
    // are already in memory, so an unbounded channel only moves them.
    let (job_tx, job_rx) = channel::unbounded();
    for job in items.into_iter().enumerate() {
        job_tx.send(job).expect("we hold the Receiver");
    }
    drop(job_tx);

    let (result_tx, result_rx) = channel::unbounded();
    let f = &f; // Every worker borrows the one closure: `F: Sync`.
    let mut slots: Vec<Option<Result<U, JobPanicked>>> = (0..len).map(|_| None).collect();

    thread::scope(|scope| {
        for _ in 0..workers.min(len) {
            let job_rx = job_rx.clone();
            let result_tx = result_tx.clone();
            scope.spawn(move || {
                // Whichever worker is free takes the next item.
                for (index, item) in job_rx {
                    // `AssertUnwindSafe`: a panicking `f` leaves nothing of
                    // ours half-updated; the item is gone with it.
                    let result =
                        panic::catch_unwind(AssertUnwindSafe(|| f(item))).map_err(|payload| {
                            JobPanicked {
                                index,
                                message: panic_message(&*payload),
                            }
                        });
                    result_tx
                        .send((index, result))
                        .expect("the caller collects until we end");
                }
            });
        }
        // Only the workers hold result Senders now: the loop below ends when
        // the last of them returns.
        drop(result_tx);
        for (index, result) in result_rx {
            slots[index] = Some(result);
        }
    }); // Joins every worker.

    Ok(slots
        .into_iter()
        .map(|slot| slot.expect("every item is taken by exactly one worker"))
        .collect())
}
// ANCHOR_END: parallel_map
