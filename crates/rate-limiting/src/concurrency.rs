//! A concurrency limiter: at most N jobs at once, however fast they come.
//!
//! A [`tokio::sync::Semaphore`] holds N permits. A job takes one before it
//! starts and gives it back when it ends, so at most N run at the same time.
//! The semaphore knows nothing about time: N jobs that each take an hour
//! hold all the permits for an hour, and N jobs that take no time at all
//! let N more start at the very same instant. It limits *concurrency*, not
//! *rate*.
//!
//! That is also all the Go tutorial's `RateLimiter` does: a buffered channel
//! pre-filled with N tokens, taken before `f()` and put back after. Despite
//! its name it never waits for time to pass, so it is a semaphore, not a
//! token bucket. The tests `a_semaphore_limits_concurrency_not_rate` and
//! `a_bucket_limits_rate_not_concurrency` show the difference.
//!
//! **Drop and cancel.** A permit is a guard: it goes back to the semaphore
//! when it is dropped, whether the job finished, panicked or was cancelled,
//! so a slot cannot leak. Tokio's semaphore serves waiters first come,
//! first served, and a waiter that is dropped leaves the queue without
//! taking a permit.
//!
//! **Acquire before you spawn.** A limit taken *inside* a spawned task
//! ([`ConcurrencyLimit::run`] as the task's body) bounds how many jobs run,
//! but not how many tasks exist: a loop that spawns a task per job never
//! waits, and the tasks pile up, each holding its job, waiting for a permit.
//! Take the permit in the spawning loop, before the spawn, and move it into
//! the task: then the loop waits while the limit is reached, and nothing
//! piles up (backpressure). A [`ConcurrencyLimit`]'s permit borrows the
//! limiter, so it can move into a task only if the limiter lives for the
//! whole program; otherwise use an `Arc<tokio::sync::Semaphore>` and
//! `acquire_owned`, whose permit owns its share of the semaphore.

use std::future::Future;

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::ConfigError;

// ANCHOR: concurrency_limit
/// At most `limit` jobs at once (share it between tasks with an `Arc`).
#[derive(Debug)]
pub struct ConcurrencyLimit {
    /// One permit per job that may run; never closed.
    semaphore: Semaphore,
    /// The number of permits it started with.
    limit: usize,
}

impl ConcurrencyLimit {
    /// A limiter that lets `limit` jobs run at once.
    ///
    /// # Errors
    ///
    /// [`ConfigError::ZeroConcurrency`] for 0, and
    /// [`ConfigError::TooManyPermits`] above [`Semaphore::MAX_PERMITS`].
    pub fn new(limit: usize) -> Result<ConcurrencyLimit, ConfigError> {
        if limit == 0 {
            return Err(ConfigError::ZeroConcurrency);
        }
        if limit > Semaphore::MAX_PERMITS {
            return Err(ConfigError::TooManyPermits { limit });
        }
        Ok(ConcurrencyLimit {
            semaphore: Semaphore::new(limit),
            limit,
        })
    }

    /// Waits for a free slot and returns its permit; the slot is free again
    /// when the permit is dropped.
    pub async fn acquire(&self) -> SemaphorePermit<'_> {
        self.semaphore
            .acquire()
            .await
            .expect("the semaphore is never closed")
    }

    // ANCHOR: run
    /// Runs `job` in a slot: waits for a permit, awaits `job`, and frees the
    /// slot when `job` finishes or this future is dropped.
    pub async fn run<F: Future>(&self, job: F) -> F::Output {
        let _permit = self.acquire().await;
        job.await
    }
    // ANCHOR_END: run

    /// How many jobs may run at once.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// How many slots are free right now.
    pub fn available(&self) -> usize {
        self.semaphore.available_permits()
    }
}
// ANCHOR_END: concurrency_limit
