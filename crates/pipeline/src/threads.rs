//! The pipeline on OS threads: one named thread per stage, joined by bounded
//! crossbeam channels.
//!
//! Each function here takes the previous stage, starts one thread, and
//! returns a [`Stage`]: the new thread's output channel plus the
//! `JoinHandle`s of every thread so far. Stages compose in any order because
//! each one only sees "a channel of `T` coming in" and "a channel of `U`
//! going out".
//!
//! # Who closes what
//!
//! Nobody calls `close`. A channel closes when its last `Sender` is dropped,
//! and every `Sender` here lives inside exactly one stage thread, so:
//!
//! - **Downstream, when the input runs out.** The source's loop ends, its
//!   closure returns and drops its `Sender`. The next stage's
//!   `for item in input` loop then ends, and it drops *its* `Sender`, and so
//!   on down to the consumer, whose loop ends last.
//! - **Upstream, when the consumer stops early.** Dropping the [`Stage`]
//!   drops the last `Receiver`. The last stage's next `send` returns an
//!   error, so it returns, which drops its input `Receiver`; the stage before
//!   it sees its next `send` fail, and so on up to the source.
//!
//! In Go the second case is the classic goroutine leak: a stage blocked
//! forever on `out <- v` because nobody reads `out` any more. Here a send to
//! a dropped receiver cannot block, so the leak cannot happen.
//!
//! # Who joins what
//!
//! The [`Stage`] you hold owns every thread of the pipeline. [`Stage::join`]
//! and dropping the [`Stage`] both drop the output receiver first (so the
//! threads wind down as above) and then join every thread, source first. A
//! panic in a stage thread is reported by [`Stage::join`] as
//! [`StagePanicked`], and re-raised by `drop` (as [`std::thread::scope`]
//! does), so a stage that died half way never goes unnoticed.
//! [`Stage::into_receiver`] gives the threads up instead (Go's shape): nobody
//! joins them, and they still end by the closing rules above.
//!
//! # What ownership does not cover
//!
//! A stage learns that its consumer is gone only when it *sends*. A
//! [`filter`] that rejects every item never sends, so with an endless source
//! it runs (and dropping its [`Stage`] waits) forever; so does
//! `(1..).filter(|_| false).next()` in a plain iterator chain. With a finite
//! source it stops when the source runs out, having read all of it (a test
//! shows this). A pipeline that must stop on request regardless needs an
//! explicit signal: see the `cancellation` crate.
//!
//! # Memory
//!
//! Each channel holds at most `capacity` items, and each thread holds at most
//! one more in its hands (just received, or blocked sending it). So a
//! pipeline of `n` threads holds at most `n × (capacity + 1)` items that the
//! consumer has not taken yet ([`Stage::max_in_flight`]), however slow the
//! consumer. A stage blocked on a full channel uses no CPU.

use std::any::Any;
use std::fmt;
use std::mem;
use std::thread::{self, JoinHandle};

use crossbeam::channel::{self, Receiver};

use crate::squared;

/// The capacity of the channels [`generate`] makes: 0, like Go's
/// `make(chan int)`, so every send waits for the next stage to take the item.
///
/// That is the tightest memory bound, and the slowest hand-over: a goroutine
/// switch is cheap, but here every item waits for an OS thread to wake up.
/// When per-item work is small, give the channels room
/// ([`generate_with_capacity`]) or send batches ([`crate::batched`]); the
/// `squares` example shows the difference.
pub const DEFAULT_CAPACITY: usize = 0;

// ANCHOR: stage_type
/// The output end of a pipeline, and the owner of every thread in it.
///
/// Read it like a channel ([`Stage::recv`], `for item in stage`); stop it by
/// dropping it or calling [`Stage::join`].
pub struct Stage<T> {
    /// The last stage's output. Its only `Sender` lives in the last stage's
    /// thread, which closes the channel by returning. Dropping this receiver
    /// is how the consumer says "no more": the last stage's next send fails.
    pub(crate) output: Receiver<T>,
    /// Every thread of the pipeline so far, source first. Joined by
    /// [`Stage::join`] or on drop; detached by [`Stage::into_receiver`].
    pub(crate) threads: Vec<JoinHandle<()>>,
}
// ANCHOR_END: stage_type

// ANCHOR: generate
/// Starts the source of a pipeline: a thread named `generate` that sends each
/// item of `items`, in order, through a channel of [`DEFAULT_CAPACITY`].
///
/// The thread closes the channel when `items` runs out, and stops early if
/// the next stage has gone (its receiver was dropped). `items` may be
/// endless (`1..`): the consumer stops it by dropping the pipeline.
pub fn generate<I>(items: I) -> Stage<I::Item>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
{
    generate_with_capacity(items, DEFAULT_CAPACITY)
}

/// [`generate`] with a channel of `capacity` items. Every later stage copies
/// the capacity of its input, so this sets it for the whole pipeline.
pub fn generate_with_capacity<I>(items: I, capacity: usize) -> Stage<I::Item>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
{
    let (tx, rx) = channel::bounded(capacity);
    let thread = spawn_named("generate", move || {
        for item in items {
            // `send` fails only if the receiver is gone: nobody wants more.
            if tx.send(item).is_err() {
                return;
            }
        }
        // `tx` is dropped as the closure returns: that closes the channel,
        // and the next stage's loop over it ends.
    });
    Stage {
        output: rx,
        threads: vec![thread],
    }
}
// ANCHOR_END: generate

// ANCHOR: stage
/// Adds a stage: a thread named `name` that calls `f` on each item of
/// `input`, in order, and sends on every `Some` (like
/// [`Iterator::filter_map`]).
///
/// Its output channel has the same capacity as its input channel. The thread
/// ends when `input` is closed and drained (then it closes its own output) or
/// when a send fails because the consumer is gone (then it drops `input`,
/// which stops the stage before it the same way).
pub fn stage<T, U, F>(input: Stage<T>, name: &str, mut f: F) -> Stage<U>
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnMut(T) -> Option<U> + Send + 'static,
{
    let (input, mut threads) = input.into_parts();
    let capacity = input
        .capacity()
        .expect("every channel of a pipeline is bounded");
    let (tx, rx) = channel::bounded(capacity);
    threads.push(spawn_named(name, move || {
        // Ends when the stage before us drops its `Sender`.
        for item in input {
            let Some(out) = f(item) else { continue };
            if tx.send(out).is_err() {
                // The consumer is gone. Returning drops `input` (owned by the
                // loop) and `tx`: the stop travels upstream.
                return;
            }
        }
    }));
    Stage {
        output: rx,
        threads,
    }
}
// ANCHOR_END: stage

// ANCHOR: square_filter
/// Adds a stage, on a thread named `square`, that sends `n * n` for every `n`.
///
/// # Panics
///
/// The `square` thread panics if `n * n` overflows a `u64` (`n` above
/// `u32::MAX`). Like any stage panic, it reaches you from [`Stage::join`] or
/// when the [`Stage`] is dropped.
pub fn square(input: Stage<u64>) -> Stage<u64> {
    stage(input, "square", |n| Some(squared(n)))
}

/// Adds a stage, on a thread named `filter`, that passes on the items for
/// which `pred` returns `true`, in order.
pub fn filter<T, P>(input: Stage<T>, mut pred: P) -> Stage<T>
where
    T: Send + 'static,
    P: FnMut(&T) -> bool + Send + 'static,
{
    stage(input, "filter", move |item| pred(&item).then_some(item))
}
// ANCHOR_END: square_filter

impl<T> Stage<T> {
    /// Waits for the next item; `None` once the pipeline has finished (or a
    /// stage panicked: [`Stage::join`] tells which).
    pub fn recv(&self) -> Option<T> {
        self.output.recv().ok()
    }

    /// A blocking iterator over the items, borrowing the stage.
    pub fn iter(&self) -> channel::Iter<'_, T> {
        self.output.iter()
    }

    /// The capacity of each channel in the pipeline.
    pub fn capacity(&self) -> usize {
        // Every channel this crate makes is bounded, so this is `Some`.
        self.output.capacity().unwrap_or(0)
    }

    /// How many threads the pipeline runs (one per stage, source included).
    pub fn threads(&self) -> usize {
        self.threads.len()
    }

    /// The most items the pipeline holds that the consumer has not taken:
    /// a full channel per thread, plus one item in each thread's hands.
    pub fn max_in_flight(&self) -> usize {
        self.threads() * (self.capacity() + 1)
    }

    // ANCHOR: join
    /// Stops the pipeline and waits for every thread.
    ///
    /// Drops the output receiver first: if items are left, the last stage's
    /// next send fails and the stop travels upstream; if the pipeline has
    /// finished, this just joins. Call it after the loop to learn whether a
    /// stage panicked (which also ends the stream early).
    pub fn join(mut self) -> Result<(), StagePanicked> {
        self.stop_and_join()
    }
    // ANCHOR_END: join

    /// Detaches the threads and returns the bare output channel: Go's shape,
    /// `<-chan T`.
    ///
    /// Nobody will join the threads, but they still end by the rules above:
    /// when the input runs out, or soon after the returned receiver is
    /// dropped. A stage panic is then lost.
    pub fn into_receiver(self) -> Receiver<T> {
        let (output, threads) = self.into_parts();
        // Dropping a `JoinHandle` detaches its thread.
        drop(threads);
        output
    }

    /// Takes the receiver and the handles out, leaving an empty stage
    /// behind for `drop` (which then has nothing to stop or join).
    fn into_parts(mut self) -> (Receiver<T>, Vec<JoinHandle<()>>) {
        let output = mem::replace(&mut self.output, channel::never());
        (output, mem::take(&mut self.threads))
    }

    fn stop_and_join(&mut self) -> Result<(), StagePanicked> {
        // Drop the receiver *before* joining, or a stage blocked on a send to
        // us would wait forever, and so would we.
        drop(mem::replace(&mut self.output, channel::never()));
        let mut first_panic = Ok(());
        for thread in self.threads.drain(..) {
            let stage = thread.thread().name().unwrap_or("unnamed").to_owned();
            if let Err(payload) = thread.join() {
                // The most upstream panic is the cause; later stages only see
                // their input end early.
                if first_panic.is_ok() {
                    first_panic = Err(StagePanicked {
                        stage,
                        message: panic_message(payload.as_ref()),
                    });
                }
            }
        }
        first_panic
    }
}

// ANCHOR: drop
/// Dropping a stage stops the pipeline and joins every thread, like
/// [`Stage::join`]; a stage panic is re-raised here (unless this thread is
/// already panicking).
impl<T> Drop for Stage<T> {
    fn drop(&mut self) {
        if let Err(panicked) = self.stop_and_join()
            && !thread::panicking()
        {
            panic!("{panicked}");
        }
    }
}
// ANCHOR_END: drop

impl<T> fmt::Debug for Stage<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.threads.iter().map(|t| t.thread().name()).collect();
        f.debug_struct("Stage")
            .field("threads", &names)
            .field("capacity", &self.capacity())
            .finish()
    }
}

/// An owning iterator over a [`Stage`]'s items. When it is dropped, the
/// pipeline is stopped and joined as if the [`Stage`] were dropped.
#[derive(Debug)]
pub struct IntoIter<T> {
    stage: Stage<T>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.stage.recv()
    }
}

impl<T> IntoIterator for Stage<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        IntoIter { stage: self }
    }
}

impl<'a, T> IntoIterator for &'a Stage<T> {
    type Item = T;
    type IntoIter = channel::Iter<'a, T>;

    fn into_iter(self) -> channel::Iter<'a, T> {
        self.iter()
    }
}

/// A stage thread panicked. The stream it fed ended early.
///
/// A typed error rather than `anyhow`, so a caller can tell which stage
/// failed. Stages have no other way to fail: work that can fail per item
/// sends `Result`s down the pipeline instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagePanicked {
    /// The name of the stage's thread (or task).
    pub stage: String,
    /// The panic message, if it was a string.
    pub message: String,
}

impl fmt::Display for StagePanicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pipeline stage `{}` panicked: {}",
            self.stage, self.message
        )
    }
}

impl std::error::Error for StagePanicked {}

/// The text of a panic payload (`panic!` makes a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

/// Starts a thread with a name, so a leak report or a panic names its stage.
/// The kernel keeps the first 15 bytes of it.
pub(crate) fn spawn_named(name: &str, body: impl FnOnce() + Send + 'static) -> JoinHandle<()> {
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(body)
        .expect("the OS refused to start a thread")
}
