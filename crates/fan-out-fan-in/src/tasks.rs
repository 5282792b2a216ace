//! Fan-out and fan-in on tokio tasks and `tokio::sync::mpsc` channels.
//!
//! The shape is the thread form's ([`crate::threads`]): each function
//! spawns its tasks into a [`JoinSet`] you pass in and returns the receiving
//! end of its output. The differences are in sharing the input, in who owns
//! the tasks, and in how far cancellation reaches.
//!
//! # Sharing one receiver between tasks
//!
//! Tokio has no multi-consumer work queue. Its [`mpsc`] channel has one
//! `Receiver` that cannot be cloned; [`broadcast`](tokio::sync::broadcast)
//! gives every receiver a *copy* of every message, which is the opposite
//! of sharing work out; [`watch`](tokio::sync::watch) keeps only the latest
//! value. There are three honest ways to fan out over tokio:
//!
//! - **One `mpsc::Receiver` behind `Arc<tokio::sync::Mutex<_>>`**, which
//!   this module uses. A worker locks it, waits for the next item, and
//!   unlocks it *before* working on the item, so the workers take turns at
//!   receiving (cheap) and work in parallel (the expensive part). Tokio's
//!   mutex is fair, first come first served, so idle workers get items in
//!   turn. The price is one lock per item, nothing next to work worth
//!   fanning out.
//! - **A dispatcher task with one channel per worker.** Handing items out
//!   round-robin gives an item to a busy worker while another sits idle,
//!   unless the dispatcher keeps track of who is free: more code for the
//!   same result.
//! - **A real multi-consumer async channel** from a crate (`async-channel`,
//!   `flume`): its `Receiver` is `Clone`, exactly crossbeam's shape. Worth it
//!   when items are many and tiny. (Never call crossbeam's blocking `recv`
//!   inside a task: it blocks the runtime's thread, not just the task.)
//!
//! # Who owns the tasks
//!
//! The [`JoinSet`] you pass in plays the part of the thread form's scope:
//! await `join_next` until it returns `None` to wait for every task (and to
//! see a worker's panic as a `JoinError`), or drop it to abort them all. A
//! scope cannot be left before its threads end; a `JoinSet` can, by being
//! dropped, which is why it aborts. An abort only tells each task to stop
//! at its next `.await`; [`JoinSet::shutdown`] aborts and waits.
//!
//! # Cancellation
//!
//! Every task races its whole loop against two stop signals, with
//! [`tokio::select!`]: the [`CancellationToken`] and
//! [`Sender::closed`](mpsc::Sender::closed) (the output's receiver is gone).
//! When either fires, `select!` drops the loop's future, and with it
//! whatever the loop was waiting on: the lock, a receive from an empty
//! input, a send to a full output, or **the work itself**. That is the big
//! difference from threads: a thread can only be asked to stop, while a
//! future is stopped at its current `.await` by being dropped. What that
//! loses depends on where the task was: a receive that had not completed
//! loses nothing (an `mpsc` receive is cancel safe), but the item a worker
//! had taken and was working on is lost, and so is a result waiting in a
//! `send` to a full output (tokio's `Sender::send` says so: the message is
//! not sent, and it is dropped). For a flow being cancelled that is the
//! point; a flow that must account for every item stops its source instead
//! and lets the workers drain.
//! `tokio_util`'s `CancellationToken::run_until_cancelled` does the same
//! race in one call.
//!
//! | Channel | Sender(s) | Closed when |
//! |---------|-----------|-------------|
//! | the output of [`fan_out`] | a clone in each worker task | the last worker task ends |
//! | the output of [`fan_in`] | a clone in each forwarding task | the last forwarding task ends |
//!
//! A worker or forwarder ends when its input is closed and empty, when its
//! output's receiver is dropped (at once, even while waiting for input),
//! or when the token is cancelled (at once, even in the middle of `work`).
//!
//! For fan-in without tasks, `futures::stream::select_all` merges streams
//! inside the consumer's own task and ends when they have all ended. It
//! needs each input as a `Stream`; the forwarding tasks here work with
//! plain receivers and look like the thread form.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::FanOutError;

/// The capacity of the output channels: 1, the smallest a tokio channel can
/// have (it has no rendezvous mode, unlike Go's `make(chan T)`).
pub const CAPACITY: usize = 1;

// ANCHOR: until_stopped
/// Runs `relay` until it ends by itself, `cancel` fires, or `output`'s
/// receiver is dropped, whichever comes first.
async fn until_stopped<T>(
    cancel: &CancellationToken,
    output: &mpsc::Sender<T>,
    relay: impl Future<Output = ()>,
) {
    tokio::select! {
        // Check the stop signals first, in this order, every time the task
        // wakes up: once cancelled, a worker takes no further step.
        biased;
        () = cancel.cancelled() => {}
        () = output.closed() => {}
        () = relay => {}
    }
}
// ANCHOR_END: until_stopped

// ANCHOR: fan_out
/// Fan-out: spawns `workers` tasks into `tasks` that share `input`, await
/// `work(worker, item)` for each item, and send the results to the returned
/// channel.
///
/// `worker` is the number (`0..workers`) of the task that handled the item.
/// Results come in the order the workers finish them.
///
/// The returned channel has capacity [`CAPACITY`] and closes when the last
/// worker ends: when `input` is closed and drained, when the returned
/// receiver is dropped, or when `cancel` is cancelled. Cancelling stops a
/// worker even in the middle of `work`: its future is dropped.
///
/// # Errors
///
/// [`FanOutError::NoWorkers`] if `workers` is zero. No task is spawned, and
/// `input` is dropped, so senders to it see it closed.
///
/// # Panics
///
/// Outside a tokio runtime (it spawns tasks). A panic inside `work` ends
/// that worker's task only; the `JoinSet` reports it.
pub fn fan_out<J, T, F, Fut>(
    tasks: &mut JoinSet<()>,
    input: mpsc::Receiver<J>,
    workers: usize,
    work: F,
    cancel: &CancellationToken,
) -> Result<mpsc::Receiver<T>, FanOutError>
where
    J: Send + 'static,
    T: Send + 'static,
    F: Fn(usize, J) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send,
{
    if workers == 0 {
        return Err(FanOutError::NoWorkers);
    }
    let (output_tx, output_rx) = mpsc::channel(CAPACITY);
    // The one receiver, shared: the workers take turns to receive from it.
    let input = Arc::new(Mutex::new(input));
    let work = Arc::new(work);
    for worker in 0..workers {
        let input = Arc::clone(&input);
        let output_tx = output_tx.clone();
        let work = Arc::clone(&work);
        let cancel = cancel.clone();
        tasks.spawn(async move {
            until_stopped(&cancel, &output_tx, async {
                while let Some(item) = next_item(&input).await {
                    let result = work(worker, item).await;
                    if output_tx.send(result).await.is_err() {
                        return; // The output's receiver is gone.
                    }
                }
            })
            .await;
        });
    }
    // The workers hold the only Senders now: the output closes when the
    // last of them ends.
    drop(output_tx);
    Ok(output_rx)
}

// ANCHOR: next_item
/// Takes the next item from the shared input, holding the lock only while
/// waiting for it.
///
/// This is a function of its own on purpose. Written inline as
/// `while let Some(item) = input.lock().await.recv().await { ... }`, the
/// lock guard is a temporary of the `while let` condition, and those live
/// until the end of the loop body: the worker would hold the lock while it
/// works, and the workers would run one at a time.
async fn next_item<J>(input: &Mutex<mpsc::Receiver<J>>) -> Option<J> {
    input.lock().await.recv().await
}
// ANCHOR_END: next_item
// ANCHOR_END: fan_out

// ANCHOR: fan_in
/// Fan-in: spawns one forwarding task per input into `tasks`, each passing
/// its input's items on to the returned channel as they come.
///
/// The returned channel has capacity [`CAPACITY`] and closes when the last
/// forwarder ends: once *every* input has closed (and been drained), or
/// when the returned receiver is dropped, or when `cancel` is cancelled.
/// With no inputs at all it is closed from the start. Items from one input
/// keep their order; items from different inputs interleave.
///
/// # Panics
///
/// Outside a tokio runtime (it spawns tasks).
pub fn fan_in<T>(
    tasks: &mut JoinSet<()>,
    inputs: impl IntoIterator<Item = mpsc::Receiver<T>>,
    cancel: &CancellationToken,
) -> mpsc::Receiver<T>
where
    T: Send + 'static,
{
    let (merged_tx, merged_rx) = mpsc::channel(CAPACITY);
    for mut input in inputs {
        let merged_tx = merged_tx.clone();
        let cancel = cancel.clone();
        tasks.spawn(async move {
            until_stopped(&cancel, &merged_tx, async {
                while let Some(item) = input.recv().await {
                    if merged_tx.send(item).await.is_err() {
                        return; // The merged channel's receiver is gone.
                    }
                }
            })
            .await;
        });
    }
    // The forwarders hold the only Senders now: the merged channel closes
    // when the last one ends, which is when the last input has closed.
    drop(merged_tx);
    merged_rx
}
// ANCHOR_END: fan_in
