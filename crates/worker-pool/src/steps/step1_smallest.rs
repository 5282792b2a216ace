//! Step 1: the smallest worker pool that works.
//!
//! `workers` scoped threads share one crossbeam channel of jobs; each puts
//! its results in the job's slot. Right: every job runs exactly once, on at
//! most `workers` threads, the results come back in input order, and the
//! scope joins every thread. Wrong: the whole batch is queued before the
//! first job starts, and nothing comes back until the last one ends.

use std::sync::Mutex;
use std::thread;

use crossbeam::channel;

/// Runs `work` on every job with `workers` threads; results in input order.
// ANCHOR: pool
pub fn pool<J: Send, T: Send>(
    jobs: impl IntoIterator<Item = J>,
    workers: usize,
    work: impl Fn(J) -> T + Sync,
) -> Vec<T> {
    let (job_tx, job_rx) = channel::unbounded();
    for job in jobs.into_iter().enumerate() {
        job_tx.send(job).expect("we hold the receiver");
    }
    drop(job_tx); // Closed: each worker's loop ends once the queue is empty.
    let slots = Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                // A `&Receiver` iterates too: all workers take from one queue.
                for (index, job) in &job_rx {
                    let result = work(job);
                    slots
                        .lock()
                        .expect("no panic under the lock")
                        .push((index, result));
                }
            });
        }
    }); // The WaitGroup: the scope joins every worker.
    let mut slots = slots.into_inner().expect("no panic under the lock");
    slots.sort_by_key(|(index, _)| *index);
    slots.into_iter().map(|(_, result)| result).collect()
}
// ANCHOR_END: pool
