//! Reference solution: fan-in, with threads and with tokio tasks.
//!
//! The exercise (`exercises/fan-in`) states the task and the contract; this
//! file explains the choices.
//!
//! # The design
//!
//! One forwarder per input, and a merged channel whose only `Sender`s are
//! the forwarders' clones:
//!
//! - Each forwarder takes its own input's items and sends them on, so a
//!   quiet input only keeps its own forwarder waiting (contract points 2
//!   and 9), and the items of one input keep their order (1 and 8).
//! - `merge` clones the merged `Sender` once per forwarder and then drops
//!   its own. A channel closes when its last `Sender` is dropped, so the
//!   merged channel closes exactly when the last forwarder returns, which
//!   is when the last input has closed (3, 4, 10). That is Go's
//!   `go func() { wg.Wait(); close(out) }()`, done by ownership. With no
//!   inputs there is no forwarder and no `Sender` left: the channel is
//!   closed from the start (5, 11).
//! - A forwarder whose send fails stops: the merged receiver is gone (7).
//!   A thread cannot notice that while it waits on a quiet input; a task
//!   can, because it waits in `tokio::select!` on its input *and* on
//!   [`mpsc::Sender::closed`], which completes when the receiver is dropped
//!   (13).
//!
//! # Alternatives that also pass
//!
//! - One thread for all inputs, waiting on all of them at once with
//!   `crossbeam::channel::Select` and removing each input as it closes.
//! - One task for all inputs, polling every receiver in a
//!   `std::future::poll_fn` (`poll_recv` on each) raced against `closed()`.
//! - A `JoinSet` of forwarders owned by one supervising task, which ends
//!   with them (or aborts them all when the output is dropped).
//!
//! # Tempting designs that fail
//!
//! - Keeping the original `Sender` (no `drop`): the merged channel never
//!   closes, and the consumer's loop waits forever.
//! - One input after another on one thread: a quiet input holds up the rest.
//! - Returning from a `Select` loop at the first closed input: the merged
//!   channel closes while others are still open.
//! - `try_recv` and stopping at `Empty`: items still to come are lost.
//! - `let _ = tx.send(item)`: a forwarder that ignores a failed send keeps
//!   draining its input for nobody.
//! - `loop { if let Ok(item) = rx.recv() { .. } }`: a closed input makes
//!   `recv` fail at once, forever, and the thread spins without end.
//! - An unbounded merged channel: a slow consumer lets it grow without limit.
//! - Tasks without `closed()`: a task waiting on a quiet input outlives the
//!   dropped merged receiver.
//! - Tasks in a `JoinSet` that `merge_tasks` drops as it returns: dropping a
//!   `JoinSet` aborts its tasks, so the merged channel closes at once, empty.
//! - `std::thread::spawn` with `blocking_recv` in `merge_tasks`: threads in
//!   an async merge, and one waiting on a quiet input never ends.

use crossbeam::channel::{self, Receiver, Sender};
use tokio::sync::mpsc;

/// The most items the merged channel may hold. A bounded channel keeps
/// memory flat when the consumer is slower than the inputs: a forwarder
/// whose send finds the channel full waits.
pub const CAPACITY: usize = 16;

// ANCHOR: merge
/// Merges `receivers` into one channel, with threads.
///
/// The returned receiver yields every item of every input, as they come,
/// and closes once every input has closed. Nobody joins the threads this
/// starts: each must end on its own.
pub fn merge<T: Send + 'static>(receivers: Vec<Receiver<T>>) -> Receiver<T> {
    let (merged_tx, merged_rx) = channel::bounded(CAPACITY);
    for (n, input) in receivers.into_iter().enumerate() {
        let merged_tx: Sender<T> = merged_tx.clone();
        std::thread::Builder::new()
            .name(format!("merge-{n}"))
            .spawn(move || {
                // Ends when the input is closed and drained.
                for item in input {
                    if merged_tx.send(item).is_err() {
                        return; // The merged receiver is gone: stop.
                    }
                }
            })
            .expect("the OS refused to start a thread");
    }
    // The forwarders hold the only Senders now: the merged channel closes
    // when the last of them returns. (Returning drops ours too; dropping it
    // here says so where the rule matters.)
    drop(merged_tx);
    merged_rx
}
// ANCHOR_END: merge

// ANCHOR: merge_tasks
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
    let (merged_tx, merged_rx) = mpsc::channel(CAPACITY);
    for mut input in receivers {
        let merged_tx = merged_tx.clone();
        // Detached on purpose: the task ends on its own, in one of the
        // three ways below, so its JoinHandle is not needed.
        tokio::spawn(async move {
            loop {
                let item = tokio::select! {
                    // The merged receiver was dropped, even while our
                    // input is quiet: stop at once.
                    () = merged_tx.closed() => return,
                    item = input.recv() => match item {
                        Some(item) => item,
                        None => return, // The input is closed and drained.
                    },
                };
                if merged_tx.send(item).await.is_err() {
                    return; // The merged receiver is gone.
                }
            }
        });
    }
    drop(merged_tx);
    merged_rx
}
// ANCHOR_END: merge_tasks
