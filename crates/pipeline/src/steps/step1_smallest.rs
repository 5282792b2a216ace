//! Step 1: the smallest pipeline, in Go's shape.
//!
//! Each function starts a thread and returns its output channel. Right: a
//! stage's loop ends when the stage before it returns (it owned the only
//! `Sender`), and a send to a dropped receiver fails, so a consumer that
//! stops early stops every stage. Wrong: the channels are unbounded, so an
//! endless source runs as far ahead of a slow consumer as memory allows;
//! and nobody joins the threads.

use std::thread;

use crossbeam::channel::{self, Receiver};

// ANCHOR: smallest
/// The source: a thread that sends every item, then closes by returning.
pub fn generate<T: Send + 'static>(
    items: impl IntoIterator<Item = T> + Send + 'static,
) -> Receiver<T> {
    let (tx, rx) = channel::unbounded();
    thread::spawn(move || {
        for item in items {
            if tx.send(item).is_err() {
                return; // Nobody reads: stop.
            }
        }
    }); // `tx` is dropped as the thread returns: the channel closes.
    rx
}

/// A stage: a thread that sends `f(item)` for every item `f` keeps.
pub fn stage<T: Send + 'static, U: Send + 'static>(
    input: Receiver<T>,
    mut f: impl FnMut(T) -> Option<U> + Send + 'static,
) -> Receiver<U> {
    let (tx, rx) = channel::unbounded();
    thread::spawn(move || {
        for item in input {
            // Ends when the stage before drops its Sender.
            if let Some(out) = f(item)
                && tx.send(out).is_err()
            {
                return; // Returning drops `input`: the stop travels upstream.
            }
        }
    });
    rx
}
// ANCHOR_END: smallest
