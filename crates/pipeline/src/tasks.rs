//! The pipeline on tokio tasks, joined by bounded `tokio::sync::mpsc`
//! channels.
//!
//! The shape is the thread form's, with `.await` at every channel operation:
//! a stage waiting for input or for room downstream yields its worker thread
//! to other tasks instead of blocking it. This fits when stages wait on I/O
//! (a socket, a database, another service) and the per-item computation is
//! short. Long computations in a stage would hold a runtime worker hostage;
//! use the thread form, or `tokio::task::spawn_blocking`, for those.
//!
//! # Closing and stopping
//!
//! The same ownership rules as [`crate::threads`]: each task owns the only
//! `Sender` of its output and drops it when it returns, which ends the next
//! stage's `while let Some(item) = input.recv().await` loop; and when a
//! receiver is dropped, `send(..).await` returns an error, so the stage
//! before it returns too.
//!
//! # Who awaits what
//!
//! A [`Stage`] holds a handle on every task in the pipeline.
//! [`Stage::join`] drops the output and awaits them all, reporting a panic.
//! Dropping a [`Stage`] cannot await anything (there is no async `Drop`),
//! and a plain `JoinHandle` that is dropped detaches its task. The closing
//! rules above would still stop most tasks at their next send, but not a
//! stage that never sends (a `filter` that rejects everything, on an
//! endless source): it and its source would hand items to each other
//! forever. So each handle is a `tokio_util::task::AbortOnDropHandle`, and
//! dropping a [`Stage`] *aborts* every task: each stops at its next
//! `.await`, sending or not. Aborting is told, not waited for: the drop
//! returns at once, and a task that computes without an `.await` runs on
//! until its next one. Call [`Stage::join`] to know that every task has
//! ended.
//!
//! Threads cannot be safely aborted, so the thread form
//! ([`crate::threads`]) has no such drop: a thread stage that never sends
//! needs a cancel signal.

use tokio::sync::mpsc;
use tokio_util::task::AbortOnDropHandle;

use crate::squared;
use crate::threads::{StagePanicked, panic_message};

/// The capacity of the channels [`generate`] makes: 1, the smallest a tokio
/// channel can have (it has no rendezvous mode).
pub const DEFAULT_CAPACITY: usize = 1;

// ANCHOR: stage_type
/// The output end of an async pipeline, and the owner of its tasks.
#[derive(Debug)]
pub struct Stage<T> {
    /// The last stage's output. Its only `Sender` lives in the last task.
    output: mpsc::Receiver<T>,
    /// Every task of the pipeline so far, source first, with its name.
    /// Awaited by [`Stage::join`]; aborted when the stage is dropped.
    tasks: Vec<(&'static str, AbortOnDropHandle<()>)>,
}
// ANCHOR_END: stage_type

// ANCHOR: generate
/// Spawns the source task, `generate`: it sends each item of `items`, in
/// order, through a channel of [`DEFAULT_CAPACITY`], then closes it.
///
/// # Panics
///
/// Outside a tokio runtime (it calls `tokio::spawn`).
pub fn generate<I>(items: I) -> Stage<I::Item>
where
    I: IntoIterator + Send + 'static,
    I::IntoIter: Send,
    I::Item: Send + 'static,
{
    let (tx, rx) = mpsc::channel(DEFAULT_CAPACITY);
    let task = tokio::spawn(async move {
        for item in items {
            // Fails only if the receiver is gone: nobody wants more.
            if tx.send(item).await.is_err() {
                return;
            }
        }
        // Returning drops `tx`, which closes the channel.
    });
    Stage {
        output: rx,
        tasks: vec![("generate", AbortOnDropHandle::new(task))],
    }
}
// ANCHOR_END: generate

// ANCHOR: stage
/// Spawns a stage task called `name` that calls `f` on each item of `input`,
/// in order, and sends on every `Some`. Its channel has the capacity of its
/// input's.
///
/// # Panics
///
/// Outside a tokio runtime.
pub fn stage<T, U, F>(input: Stage<T>, name: &'static str, mut f: F) -> Stage<U>
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnMut(T) -> Option<U> + Send + 'static,
{
    let Stage {
        output: mut input,
        mut tasks,
    } = input;
    let (tx, rx) = mpsc::channel(input.max_capacity());
    let task = tokio::spawn(async move {
        // Ends when the stage before us drops its `Sender`.
        while let Some(item) = input.recv().await {
            let Some(out) = f(item) else { continue };
            if tx.send(out).await.is_err() {
                // The consumer is gone; returning drops `input`, and the stop
                // travels upstream.
                return;
            }
        }
    });
    tasks.push((name, AbortOnDropHandle::new(task)));
    Stage { output: rx, tasks }
}
// ANCHOR_END: stage

/// Adds a `square` task that sends `n * n` for every `n`.
///
/// # Panics
///
/// Outside a tokio runtime. The task panics if `n * n` overflows a `u64`;
/// [`Stage::join`] reports it.
pub fn square(input: Stage<u64>) -> Stage<u64> {
    stage(input, "square", |n| Some(squared(n)))
}

/// Adds a `filter` task that passes on the items for which `pred` is `true`.
///
/// # Panics
///
/// Outside a tokio runtime.
pub fn filter<T, P>(input: Stage<T>, mut pred: P) -> Stage<T>
where
    T: Send + 'static,
    P: FnMut(&T) -> bool + Send + 'static,
{
    stage(input, "filter", move |item| pred(&item).then_some(item))
}

impl<T> Stage<T> {
    /// Waits for the next item; `None` once the pipeline has finished (or a
    /// task panicked: [`Stage::join`] tells which).
    pub async fn recv(&mut self) -> Option<T> {
        self.output.recv().await
    }

    /// Receives every remaining item, then joins the pipeline.
    pub async fn collect(mut self) -> Result<Vec<T>, StagePanicked> {
        let mut items = Vec::new();
        while let Some(item) = self.output.recv().await {
            items.push(item);
        }
        self.join().await?;
        Ok(items)
    }

    // ANCHOR: join
    /// Stops the pipeline and waits for every task: drops the output
    /// receiver (so the last task's next send fails and the stop travels
    /// upstream), then awaits the tasks, source first.
    ///
    /// Like every channel-based stop, this waits for a stage that never
    /// sends until its input runs out. If the `join` future itself is
    /// dropped, the tasks not yet awaited are aborted.
    pub async fn join(self) -> Result<(), StagePanicked> {
        let Stage { output, tasks } = self;
        drop(output);
        let mut first_panic = Ok(());
        for (stage, task) in tasks {
            if let Err(error) = task.await
                && first_panic.is_ok()
            {
                let message = if error.is_panic() {
                    panic_message(error.into_panic().as_ref())
                } else {
                    // We abort only on drop, and `join` owns the stage, so
                    // only a runtime shutting down cancels them here.
                    "cancelled: its runtime shut down".to_owned()
                };
                first_panic = Err(StagePanicked {
                    stage: stage.to_owned(),
                    message,
                });
            }
        }
        first_panic
    }
    // ANCHOR_END: join
}
