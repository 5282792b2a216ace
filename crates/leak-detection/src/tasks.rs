//! Task-leak checks: did the code under test leave tokio tasks alive?
//!
//! A tokio runtime counts its live tasks
//! ([`RuntimeMetrics::num_alive_tasks`](tokio::runtime::RuntimeMetrics::num_alive_tasks)):
//! the counter goes up when a task is spawned and down when it finishes or is
//! aborted. The check reads it before and after the code under test and
//! expects it back at its starting value. Tokio does not name tasks on stable
//! Rust, so a task leak is reported as a count, not a list.
//!
//! These checks work on every platform. They see the tasks of the runtime the
//! check runs on; tasks of other runtimes, and threads, are the business of
//! [`crate::threads`].

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;

use crate::Leak;

/// The number of live tasks on the current tokio runtime.
///
/// The async cousin of Go's `runtime.NumGoroutine()`.
///
/// # Panics
///
/// Outside a tokio runtime.
pub fn alive_tasks() -> usize {
    Handle::current().metrics().num_alive_tasks()
}

// ANCHOR: check_tasks
/// Runs `fut` to completion on the current task, then verifies that every
/// task it spawned has finished or been aborted within `grace`.
///
/// `fut` is awaited in place, not spawned, so it does not count itself.
/// While waiting out the grace period the check sleeps in short steps,
/// which lets the runtime finish tasks that are already winding down; on a
/// paused clock those sleeps advance virtual time, while `grace` is measured
/// in real time.
pub async fn check_tasks<F: Future>(grace: Duration, fut: F) -> Result<F::Output, Leak> {
    let before = alive_tasks();
    let output = fut.await;
    let deadline = Instant::now() + grace;
    loop {
        let after = alive_tasks();
        if after <= before {
            return Ok(output);
        }
        if Instant::now() >= deadline {
            return Err(Leak::Tasks {
                before,
                after,
                grace,
            });
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
// ANCHOR_END: check_tasks

/// [`check_tasks`] with the default grace period, panicking on a leak.
///
/// ```
/// use leak_detection::assert_no_task_leaks;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let answer = assert_no_task_leaks(async {
///     // Awaiting the handle means the task is over when we return.
///     tokio::spawn(async { 42 }).await.unwrap()
/// })
/// .await;
/// assert_eq!(answer, 42);
/// # }
/// ```
pub async fn assert_no_task_leaks<F: Future>(fut: F) -> F::Output {
    match check_tasks(crate::DEFAULT_GRACE, fut).await {
        Ok(output) => output,
        Err(leak) => panic!("{leak}"),
    }
}
