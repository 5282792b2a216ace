//! The ordered parallel stage: one stage's work spread over `n` worker
//! threads, its results put back in the input's order, with a bound on the
//! items inside it.
//!
//! A plain pipeline overlaps *different* stages: each runs on its own
//! thread, so a pipeline is never faster than its slowest stage. When one
//! stage does nearly all the work (the prime test of the prime pipeline),
//! the others wait for it, and the pipeline cannot beat an iterator chain
//! on one core. [`stage`] widens that one stage: `workers` threads take the
//! items from a shared queue, and a reorder buffer sends the results on in
//! the order the items came in.
//!
//! # How it works
//!
//! ```text
//!                        +-> worker 0 -+
//! input -> <name>-in ----+-> worker 1 -+--> <name>-order --> output
//!          numbers items +-> ...      -+    reorder buffer
//!          0, 1, 2, ...                     keyed by number
//! ```
//!
//! - `<name>-in` (the dispatcher) numbers each item it takes from the input
//!   and puts `(number, item)` on a queue that every worker reads (a
//!   crossbeam channel is multi-consumer: each item goes to one worker).
//! - `<name>-0`, `<name>-1`, ... (the workers) call `f` and send
//!   `(number, result)` on, in whatever order they finish.
//! - `<name>-order` keeps the results that came early in a `BTreeMap` keyed
//!   by number, and sends on the next one in line as soon as it is there.
//!
//! # Bounded
//!
//! A worker stuck on item 5 must not let the others run arbitrarily far
//! ahead: everything they finish waits in the reorder buffer. So the stage
//! holds a fixed number of permits: the dispatcher takes one before it takes
//! an item from the input, and the reorder thread gives it back once that
//! item's result has gone into the output channel (or was `None`). The stage
//! holds at most as many items as `workers + 2` ordinary stages would
//! (a channel of the pipeline's capacity each, and one item in each
//! thread's hands), so [`Stage::max_in_flight`] stays a true bound for the
//! whole pipeline, and it is reached (a test shows both).
//!
//! # Who closes what, who stops whom
//!
//! The rules of [`crate::threads`], thread by thread:
//!
//! - **The input runs out.** The dispatcher returns and drops the work
//!   queue's only `Sender`; the workers drain it and return, dropping every
//!   result `Sender`; the reorder thread sends what is left, in order, and
//!   returns, which closes the output.
//! - **The consumer stops.** The reorder thread's next send fails, and it
//!   returns, dropping the results receiver and the permits. Each worker's
//!   next send fails; the dispatcher's next permit fails (at once, even if
//!   it was waiting for one), so it returns and drops the input: the stage
//!   before it stops at its next send, as always.
//! - **A worker panics.** Its item will never have a result, so the reorder
//!   thread would wait for it forever. A guard in each worker sends a
//!   "panicked" note as the panic unwinds; the reorder thread then returns,
//!   the stream ends early, and the rest stops as above. [`Stage::join`]
//!   reports the panic with the worker's thread name.
//!
//! As with any stage, one that never sends (an `f` that returns `None` for
//! everything) learns that its consumer left only when the input runs out.
//!
//! **When to use it:** one stage's work per item is worth more than a
//! channel hop (microseconds, not nanoseconds), the items are independent,
//! and the order matters. For tiny items, send batches ([`batched_stage`]).
//! When the order does not matter, a fan-out (the `fan-out-fan-in` crate)
//! needs no reorder buffer; when there is no pipeline at all, `rayon`'s
//! `par_iter().map(..).collect()` keeps the order for free.
//!
//! ```
//! use pipeline::{generate, parallel};
//!
//! // The squares of 1..=8, computed on 3 threads, in the input's order.
//! let squares = parallel::stage(generate(1..=8u64), "square", 3, |n| Some(n * n));
//! assert_eq!(squares.threads(), 1 + 3 + 2, "source, workers, dispatcher and reorder");
//! let results: Vec<u64> = squares.into_iter().collect();
//! assert_eq!(results, [1, 4, 9, 16, 25, 36, 49, 64]);
//! ```

use std::collections::BTreeMap;
use std::mem;
use std::sync::Arc;
use std::thread;

use crossbeam::channel::{self, Sender};

use crate::threads::{Stage, spawn_named};

/// What a worker sends the reorder thread.
enum Done<U> {
    /// The result of the item numbered `.0`.
    Item(u64, Option<U>),
    /// A worker panicked: an item will never have a result.
    Panicked,
}

/// A worker's end of the results channel. If the worker panics, dropping
/// this while the panic unwinds tells the reorder thread, which would
/// otherwise wait for the lost item forever.
struct Results<U> {
    tx: Sender<Done<U>>,
}

impl<U> Drop for Results<U> {
    fn drop(&mut self) {
        if thread::panicking() {
            // The channel has room: the lost item's place is free. An error
            // means the reorder thread is gone already, which is fine too.
            let _ = self.tx.send(Done::Panicked);
        }
    }
}

/// How many items the stage may hold at once: as many as `workers + 2`
/// ordinary stages with channels of `capacity` (one channel and one item in
/// hand each), less the output channel, which [`Stage::max_in_flight`]
/// counts on its own.
fn permits(workers: usize, capacity: usize) -> usize {
    (workers + 2) * (capacity + 1) - capacity
}

// ANCHOR: parallel_stage
/// Adds an ordered parallel stage: `workers` threads named `<name>-0`,
/// `<name>-1`, ... call `f` on the items of `input`, and the results that
/// are `Some` come out in the input's order (like
/// [`Iterator::filter_map`]).
///
/// Two more threads, `<name>-in` and `<name>-order`, number the items and
/// put the results back in order. The output channel has the input's
/// capacity; the stage holds at most [`Stage::max_in_flight`]'s share of
/// `workers + 2` threads (see the [module docs](self)).
///
/// # Panics
///
/// If `workers` is 0, at once, on the calling thread. A panic in `f` ends
/// that worker, and the stream after the items already sent;
/// [`Stage::join`] reports it.
pub fn stage<T, U, F>(mut input: Stage<T>, name: &str, workers: usize, f: F) -> Stage<U>
where
    T: Send + 'static,
    U: Send + 'static,
    F: Fn(T) -> Option<U> + Send + Sync + 'static,
{
    assert!(workers > 0, "a parallel stage needs at least 1 worker");
    // Take the input's parts out; the emptied `Stage` has nothing to join.
    let items = mem::replace(&mut input.output, channel::never());
    let mut threads = mem::take(&mut input.threads);
    drop(input);
    let capacity = items
        .capacity()
        .expect("every channel of a pipeline is bounded");
    let limit = permits(workers, capacity);
    // Never full: the permits keep at most `limit` items in the stage.
    let (work_tx, work_rx) = channel::bounded::<(u64, T)>(limit);
    let (done_tx, done_rx) = channel::bounded::<Done<U>>(limit);
    let (permit_tx, permit_rx) = channel::bounded::<()>(limit);
    let (output_tx, output) = channel::bounded(capacity);

    threads.push(spawn_named(&format!("{name}-in"), move || {
        for number in 0.. {
            // One permit per item: waits while `limit` are in the stage.
            // Fails at once when the reorder thread is gone.
            if permit_tx.send(()).is_err() {
                return;
            }
            let Ok(item) = items.recv() else {
                return; // The input is closed and drained.
            };
            if work_tx.send((number, item)).is_err() {
                return; // Every worker is gone.
            }
        }
    }));

    let f = Arc::new(f);
    for worker in 0..workers {
        let work = work_rx.clone();
        let results = Results {
            tx: done_tx.clone(),
        };
        let f = Arc::clone(&f);
        threads.push(spawn_named(&format!("{name}-{worker}"), move || {
            // Ends when the dispatcher drops the queue's only `Sender`.
            for (number, item) in work {
                let out = f(item);
                if results.tx.send(Done::Item(number, out)).is_err() {
                    return; // The reorder thread is gone.
                }
            }
        }));
    }
    // The workers hold the only copies now: the results channel closes when
    // the last worker returns.
    drop((work_rx, done_tx));

    threads.push(spawn_named(&format!("{name}-order"), move || {
        reorder(&done_rx, &permit_rx, &output_tx);
    }));
    Stage { output, threads }
}
// ANCHOR_END: parallel_stage

// ANCHOR: reorder
/// The reorder thread's loop: keeps the results that came early, sends on
/// the next one in line, and gives back its item's permit.
fn reorder<U>(
    done: &channel::Receiver<Done<U>>,
    permits: &channel::Receiver<()>,
    output: &Sender<U>,
) {
    let mut next = 0;
    let mut early = BTreeMap::new();
    for result in done {
        let Done::Item(number, out) = result else {
            return; // A worker panicked: its item never comes.
        };
        early.insert(number, out);
        while let Some(out) = early.remove(&next) {
            next += 1;
            if let Some(out) = out
                && output.send(out).is_err()
            {
                return; // The consumer is gone.
            }
            // The item has left the stage: one more may come in. (Its permit
            // was sent before the item was taken, so it is there.)
            let _ = permits.recv();
        }
    }
}
// ANCHOR_END: reorder

/// [`stage`] over batches: `f` runs on every item of a `Vec<T>` batch (like
/// [`Iterator::filter_map`]), each batch on one worker, and the non-empty
/// results come out as batches, in order. Read them with
/// `.into_iter().flatten()`. Batches pay the hand-overs once per batch,
/// which is what lets tiny per-item work run faster than one thread can.
///
/// # Panics
///
/// As [`stage`].
pub fn batched_stage<T, U, F>(
    input: Stage<Vec<T>>,
    name: &str,
    workers: usize,
    f: F,
) -> Stage<Vec<U>>
where
    T: Send + 'static,
    U: Send + 'static,
    F: Fn(T) -> Option<U> + Send + Sync + 'static,
{
    stage(input, name, workers, move |batch: Vec<T>| {
        let out: Vec<U> = batch.into_iter().filter_map(&f).collect();
        // A batch that the filter emptied carries nothing: skip the hop.
        (!out.is_empty()).then_some(out)
    })
}

#[cfg(test)]
mod tests {
    use super::permits;

    #[test]
    fn the_stage_holds_what_workers_plus_two_stages_would() {
        // Rendezvous channels: one item in each thread's hands.
        assert_eq!(permits(2, 0), 4);
        // Channels of 16: (2 + 2) threads x 17, less the output's 16.
        assert_eq!(permits(2, 16), 4 * 17 - 16);
    }
}
