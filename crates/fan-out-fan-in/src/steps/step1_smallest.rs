//! Step 1: the smallest fan-in.
//!
//! One forwarding thread per input passes each item on to one merged
//! channel. Right: the merged channel closes exactly when the last input has
//! closed (each forwarder owns a clone of the only `Sender`s), and a dropped
//! output stops each forwarder at its next send. Wrong: a forwarder waiting
//! on an input that never sends again hears nothing, so nothing can stop
//! it, and the scope that owns it never returns.

use std::thread::Scope;

use crossbeam::channel::{self, Receiver};

// ANCHOR: merge
/// Merges `inputs` into one channel, on one scoped thread per input.
pub fn merge<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    inputs: impl IntoIterator<Item = Receiver<T>>,
) -> Receiver<T> {
    let (merged_tx, merged_rx) = channel::bounded(0);
    for input in inputs {
        let merged_tx = merged_tx.clone(); // One Sender per forwarder.
        scope.spawn(move || {
            for item in input {
                if merged_tx.send(item).is_err() {
                    return; // Nobody reads the merged channel any more.
                }
            }
        });
    }
    drop(merged_tx); // The forwarders hold the only Senders now.
    merged_rx
}
// ANCHOR_END: merge
