//! Step 2: bounded channels, a feeder, and results as they come.
//!
//! A feeder thread sends the jobs into a channel of `workers` slots, so it
//! never runs far ahead of the workers; the workers send each result into a
//! second bounded channel, which the caller reads *inside* the scope, while
//! the workers run. Nobody calls `close`: the job channel closes when the
//! feeder returns, the result channel when the last worker does. Still
//! wrong: a job that panics ends its worker, and the scope re-raises the
//! panic once it has joined the others.

use std::thread;

use crossbeam::channel;

/// Runs `work` on every job with `workers` threads, calling `on_result`
/// with `(index, result)` as each job finishes.
pub fn run_as_completed<J: Send, T: Send>(
    jobs: impl IntoIterator<Item = J, IntoIter: Send>,
    workers: usize,
    work: impl Fn(J) -> T + Sync,
    mut on_result: impl FnMut(usize, T),
) {
    // ANCHOR: bounded
    let (job_tx, job_rx) = channel::bounded(workers);
    let (result_tx, result_rx) = channel::bounded(workers);
    let work = &work;
    thread::scope(|scope| {
        let jobs = jobs.into_iter().enumerate();
        scope.spawn(move || {
            for job in jobs {
                // Waits while the channel is full; fails once every worker is gone.
                if job_tx.send(job).is_err() {
                    return;
                }
            }
        }); // The feeder owned the only job Sender: its return closes the channel.
        for _ in 0..workers {
            let (job_rx, result_tx) = (job_rx.clone(), result_tx.clone());
            scope.spawn(move || {
                for (index, job) in job_rx {
                    if result_tx.send((index, work(job))).is_err() {
                        return; // The caller stopped listening.
                    }
                }
            });
        }
        drop(result_tx); // Or the loop below never ends: we would hold a Sender.
        for (index, result) in result_rx {
            on_result(index, result);
        }
    });
    // ANCHOR_END: bounded
}
