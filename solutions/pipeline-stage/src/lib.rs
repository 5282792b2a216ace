//! Reference solution: one generic pipeline stage, on a thread.
//!
//! The exercise (`exercises/pipeline-stage`) states the task and the
//! contract; this file explains the choices.
//!
//! # The design
//!
//! The stage of the book's Pipeline chapter, without the `Stage` type that
//! keeps the `JoinHandle`s: a thread that owns three things, and ownership
//! does the rest.
//!
//! - **The input `Receiver`.** `for item in input` ends when every `Sender`
//!   of the input is gone and the channel is drained: the stage's input has
//!   ended (contract point 7). When the thread returns, for whatever reason,
//!   the `Receiver` is dropped, and whoever sends to the input sees it
//!   closed (8, 9): that is how a stop travels upstream (10).
//! - **The only output `Sender`.** When the thread returns, it is dropped,
//!   and the output closes: that is how the end travels downstream (7).
//!   The function keeps no copy; the channel is bounded (5), so a full
//!   output makes the stage wait instead of growing (6).
//! - **`f`.** Moved into the thread and called there, one item at a time,
//!   which is why an `FnMut` is enough (2).
//!
//! A `send` fails only when the output's `Receiver` is gone, and then
//! nobody will ever read again: the stage returns. A stage blocked in
//! `send` on a full output notices at once (8); a stage waiting in `recv`
//! notices at its next item (9). That is the limit of a thread: it learns
//! that its consumer left only when it tries to send.
//!
//! # Alternatives that also pass
//!
//! - A rendezvous output (`channel::bounded(0)`, Go's `make(chan T)`): every
//!   item waits for the consumer; slower, same guarantees.
//! - `while let Ok(item) = input.recv()` with a `match` on the send, or
//!   `input.iter().map(f).try_for_each(|out| tx.send(out))`.
//! - A named thread (`std::thread::Builder::new().name(..)`), which shows
//!   up in debuggers and leak reports.
//!
//! # Tempting designs that fail
//!
//! - `let _ = tx.send(out);`: a stage that ignores a failed send keeps
//!   draining its input for nobody, and the source never stops.
//! - `tx.send(out).unwrap()`: the thread panics when the consumer leaves.
//! - An unbounded output: a slow consumer lets it grow without limit.
//! - Collecting the input first, then sending: nothing comes out until the
//!   input ends, and memory holds the whole stream.
//! - Doing the work before returning (or joining the thread): `stage` only
//!   returns once the input has ended.
//! - `try_recv` and stopping at `Empty`: a pause of the producer ends the
//!   stream early.
//! - Two worker threads for speed: the order is lost.

use crossbeam::channel::{self, Receiver, Sender};

/// The most items a stage's output channel may hold. A bounded channel is
/// what keeps memory flat when the consumer is slower than the stage: a
/// stage whose output is full waits.
pub const CAPACITY: usize = 8;

// ANCHOR: stage
/// Starts a stage: a thread that sends `f(item)` for each item of `input`,
/// in order, to the returned channel.
///
/// Nobody joins the thread: it ends on its own, when `input` is closed and
/// drained, or when the returned receiver is dropped.
pub fn stage<T, U, F>(input: Receiver<T>, mut f: F) -> Receiver<U>
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnMut(T) -> U + Send + 'static,
{
    let (tx, rx): (Sender<U>, Receiver<U>) = channel::bounded(CAPACITY);
    std::thread::spawn(move || {
        // Ends when the input's last Sender is dropped and it is drained.
        for item in input {
            if tx.send(f(item)).is_err() {
                // The consumer dropped the output. Returning drops `input`
                // (its senders now see it closed) and `tx`.
                return;
            }
        }
        // The input ended: returning drops `tx`, which closes the output.
    });
    rx
}
// ANCHOR_END: stage
