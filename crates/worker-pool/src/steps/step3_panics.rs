//! Step 3: a panicking job fails alone.
//!
//! The worker runs each job inside `std::panic::catch_unwind`, and sends the
//! panic on as that job's error; it lives on and takes the next job. This
//! is step 2 with three lines changed, and it is the crate's
//! [`crate::threads::run_as_completed`] without its error for zero workers
//! and its thread names.

use std::panic::{self, AssertUnwindSafe};
use std::thread;

use crossbeam::channel;

use crate::JobError;

/// Step 2's pool, where a panicking job becomes that job's [`JobError`].
pub fn run_as_completed<J: Send, T: Send>(
    jobs: impl IntoIterator<Item = J, IntoIter: Send>,
    workers: usize,
    work: impl Fn(J) -> T + Sync,
    mut on_result: impl FnMut(usize, Result<T, JobError>),
) {
    let (job_tx, job_rx) = channel::bounded(workers);
    let (result_tx, result_rx) = channel::bounded(workers);
    let work = &work;
    thread::scope(|scope| {
        let jobs = jobs.into_iter().enumerate();
        scope.spawn(move || {
            for job in jobs {
                if job_tx.send(job).is_err() {
                    return;
                }
            }
        });
        for _ in 0..workers {
            let (job_rx, result_tx) = (job_rx.clone(), result_tx.clone());
            scope.spawn(move || {
                for (index, job) in job_rx {
                    // ANCHOR: catch
                    // `AssertUnwindSafe`: a job that panics half-way leaves
                    // nothing of ours half-updated.
                    let result = panic::catch_unwind(AssertUnwindSafe(|| work(job)))
                        .map_err(|payload| JobError::from_panic(index, &*payload));
                    // ANCHOR_END: catch
                    if result_tx.send((index, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(result_tx);
        for (index, result) in result_rx {
            on_result(index, result);
        }
    });
}
