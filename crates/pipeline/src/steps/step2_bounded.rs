//! Step 2: rendezvous channels, like Go's `make(chan T)`.
//!
//! Step 1 with one line changed in each function: `bounded(0)` instead of
//! `unbounded()`. A send now waits until the next stage takes the item, so
//! a pipeline of `n` threads holds at most `n` items the consumer has not
//! taken. Still wrong: nobody joins the threads, so a stage that panics
//! ends the stream early and nobody hears of it.

use std::thread;

use crossbeam::channel::{self, Receiver};

/// The source, sending through a rendezvous channel.
pub fn generate<T: Send + 'static>(
    items: impl IntoIterator<Item = T> + Send + 'static,
) -> Receiver<T> {
    // ANCHOR: bounded
    let (tx, rx) = channel::bounded(0); // A send waits for the next stage.
    // ANCHOR_END: bounded
    thread::spawn(move || {
        for item in items {
            if tx.send(item).is_err() {
                return;
            }
        }
    });
    rx
}

/// A stage, sending through a rendezvous channel.
pub fn stage<T: Send + 'static, U: Send + 'static>(
    input: Receiver<T>,
    mut f: impl FnMut(T) -> Option<U> + Send + 'static,
) -> Receiver<U> {
    let (tx, rx) = channel::bounded(0);
    thread::spawn(move || {
        for item in input {
            if let Some(out) = f(item)
                && tx.send(out).is_err()
            {
                return;
            }
        }
    });
    rx
}
