//! Step 3, the task form, with the trap in it.
//!
//! Tokio's `mpsc::Receiver` cannot be cloned, so the workers share it behind
//! an `Arc<tokio::sync::Mutex<_>>`. Written the short way, the lock guard is
//! a temporary of the `while let` condition and lives until the end of the
//! loop body: each worker holds the lock while it works, and the workers
//! run one at a time. The crate's [`crate::tasks::fan_out`] takes the next
//! item in a function of its own, so the guard is dropped before the work.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;

/// A fan-out over tasks that holds the shared receiver's lock while it
/// works: correct results, no parallelism.
pub fn fan_out_holding_the_lock<J, T, F, Fut>(
    tasks: &mut JoinSet<()>,
    input: mpsc::Receiver<J>,
    workers: usize,
    work: F,
) -> mpsc::Receiver<T>
where
    J: Send + 'static,
    T: Send + 'static,
    F: Fn(J) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send,
{
    let (output_tx, output_rx) = mpsc::channel(1);
    let (input, work) = (Arc::new(Mutex::new(input)), Arc::new(work));
    for _ in 0..workers {
        let (input, output_tx, work) = (Arc::clone(&input), output_tx.clone(), Arc::clone(&work));
        tasks.spawn(async move {
            // ANCHOR: trap
            // The guard lives until the end of the body: the lock is held
            // while this worker works, and the others wait for it.
            while let Some(item) = input.lock().await.recv().await {
                if output_tx.send(work(item).await).await.is_err() {
                    return;
                }
            }
            // ANCHOR_END: trap
        });
    }
    output_rx
}
