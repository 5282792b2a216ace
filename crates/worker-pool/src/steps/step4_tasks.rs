//! Step 4, the task form, first without a limit.
//!
//! Tasks are cheap, so an async pool needs no long-lived workers: each job
//! gets a task of its own in a [`JoinSet`]. This version spawns every job at
//! once, so nothing bounds how many run together; the crate's
//! [`crate::tasks::run_as_completed`] tops the set up to `workers` instead.

use std::future::Future;

use tokio::task::JoinSet;

// ANCHOR: spawn_all
/// Runs `work(job)` for every job as a task, all at once, and returns the
/// results in completion order.
pub async fn run_all_at_once<J, T, Fut>(
    jobs: impl IntoIterator<Item = J>,
    work: impl Fn(J) -> Fut,
) -> Vec<T>
where
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut running = JoinSet::new();
    for job in jobs {
        running.spawn(work(job)); // No limit: a million jobs, a million tasks.
    }
    let mut results = Vec::new();
    while let Some(joined) = running.join_next().await {
        results.push(joined.expect("no job panics here"));
    }
    results
}
// ANCHOR_END: spawn_all
