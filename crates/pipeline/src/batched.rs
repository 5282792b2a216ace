//! The same pipeline, sending `Vec<T>` batches instead of single items.
//!
//! Every trip through a channel costs something: a lock, and when the
//! receiver is asleep, waking its thread, which takes microseconds. Squaring
//! a number takes a nanosecond. A pipeline whose per-item work is that small
//! spends nearly all of its time handing items over, and the stages mostly
//! wait for each other. Sending `B` items per message pays the hand-over once
//! per `B` items.
//!
//! **When batching pays:** per-item work is small next to a channel hop (a
//! few arithmetic operations, a parse of a short line), and what matters is
//! throughput. **When it does not:** per-item work is large (a request, a
//! file, a millisecond of computation), so the hop is already noise; or
//! latency matters, since the first result waits until a whole batch has
//! gone through each stage. Batching also coarsens backpressure: a channel
//! of capacity `c` now holds `c × B` items, so the in-flight bound is
//! [`Stage::max_in_flight`] × `B` items.
//!
//! A batched stage is an ordinary [`stage`] whose item type is `Vec<T>`:
//! the same per-item function runs over each batch, and the closing and
//! joining rules of [`crate::threads`] apply unchanged. Read the output with
//! `.into_iter().flatten()`.

use crossbeam::channel;

use crate::squared;
use crate::threads::{Stage, spawn_named, stage};

// ANCHOR: generate_batches
/// Starts a source that sends `items` in order, `batch_size` at a time (the
/// last batch may be shorter), on a thread named `generate`, through a
/// channel of [`crate::threads::DEFAULT_CAPACITY`] batches.
///
/// # Panics
///
/// If `batch_size` is 0, at once, on the calling thread (as
/// [`slice::chunks`] does).
pub fn generate<I>(items: I, batch_size: usize) -> Stage<Vec<I::Item>>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
{
    generate_with_capacity(items, batch_size, crate::threads::DEFAULT_CAPACITY)
}

/// [`generate`] through a channel of `capacity` batches. The stages after
/// it take the same capacity for their own output channels.
///
/// # Panics
///
/// As [`generate`].
pub fn generate_with_capacity<I>(
    items: I,
    batch_size: usize,
    capacity: usize,
) -> Stage<Vec<I::Item>>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
{
    assert!(batch_size > 0, "a batch size must be at least 1");
    let (tx, rx) = channel::bounded(capacity);
    let thread = spawn_named("generate", move || {
        let mut items = items.into_iter();
        loop {
            let batch: Vec<_> = items.by_ref().take(batch_size).collect();
            // An empty batch means `items` ran out; a failed send means the
            // consumer is gone. Either way, returning drops `tx`.
            if batch.is_empty() || tx.send(batch).is_err() {
                return;
            }
        }
    });
    Stage {
        output: rx,
        threads: vec![thread],
    }
}
// ANCHOR_END: generate_batches

// ANCHOR: batched_stage
/// Adds a stage that runs `f` over every item of every batch (like
/// [`Iterator::filter_map`]) and sends the non-empty results as one batch.
pub fn batched_stage<T, U, F>(input: Stage<Vec<T>>, name: &str, mut f: F) -> Stage<Vec<U>>
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnMut(T) -> Option<U> + Send + 'static,
{
    stage(input, name, move |batch: Vec<T>| {
        let out: Vec<U> = batch.into_iter().filter_map(&mut f).collect();
        // A batch that the filter emptied carries nothing: skip the hop.
        (!out.is_empty()).then_some(out)
    })
}
// ANCHOR_END: batched_stage

/// [`crate::threads::square`], a batch at a time, on a thread named `square`.
///
/// # Panics
///
/// As [`crate::threads::square`]: the thread panics on overflow.
pub fn square(input: Stage<Vec<u64>>) -> Stage<Vec<u64>> {
    batched_stage(input, "square", |n| Some(squared(n)))
}

/// [`crate::threads::filter`], a batch at a time, on a thread named `filter`.
pub fn filter<T, P>(input: Stage<Vec<T>>, mut pred: P) -> Stage<Vec<T>>
where
    T: Send + 'static,
    P: FnMut(&T) -> bool + Send + 'static,
{
    batched_stage(input, "filter", move |item| pred(&item).then_some(item))
}
