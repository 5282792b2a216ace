//! Reference solution: a token bucket that never drifts, and a concurrency
//! limit kept apart from it.
//!
//! The exercise (`exercises/token-bucket`) states the task and the
//! contract; this file explains the choices.
//!
//! # The bucket: one instant instead of a count
//!
//! A bucket that counts tokens has to decide, at every call, how many have
//! dripped in since it last looked, and what to do with the part of a
//! period that has passed but not yet made a whole token. Every way of
//! getting that wrong makes the bucket drift. This one keeps no count at
//! all. It keeps a single instant, **when the bucket will be full again**
//! (`full_at`), which is how GCRA (the "generic cell rate algorithm", what
//! the `governor` crate implements) sees a token bucket:
//!
//! - the bucket holds `burst - (full_at - now) / period` tokens, so it is
//!   full when `full_at <= now`;
//! - taking a token moves `full_at` one period later;
//! - a caller may take a token as soon as the bucket holds one, that is at
//!   `full_at - (burst - 1) * period`.
//!
//! So `acquire` works out, under a short lock, the instant its token is
//! there (`ready_at`), moves `full_at` on by one period, lets go of the
//! lock, and sleeps until `ready_at`. Everything is computed from instants,
//! never from when a caller happened to wake up, so a timer that wakes on
//! the next whole millisecond (334 ms for a token due at 333.33 ms) costs
//! nothing: the next token is still due at 666.67 ms (contract point 6).
//! The part of a period that has passed is part of `full_at` (point 5), and
//! `max(full_at, now)` is the cap: time spent full earns nothing (point 4).
//!
//! Callers are served in the order they take the lock, each one reserving
//! the next instant, so two callers can never take the same token (point
//! 3). The lock is a `std::sync::Mutex`, held for a few arithmetic
//! operations and never across the sleep.
//!
//! One consequence of reserving: a caller whose `acquire` future is dropped
//! while it sleeps has already moved `full_at`, so its token is wasted and
//! the callers behind it wait one period longer. The contract does not ask
//! for more; the workshop's `rate-limiting` crate shows the other trade-off
//! (a tokio mutex held across the sleep, so a cancelled caller loses
//! nothing).
//!
//! # The limiter: slot first, then token
//!
//! [`Limiter::run`] takes a permit of a `tokio::sync::Semaphore` (the
//! concurrency limit), then a token (the rate), then runs the job. The
//! permit is a guard: it goes back when it is dropped, whether the job ended
//! or the `run` future was dropped (point 10). The order matters (point 9):
//! a job that took its token first and then waited for a slot would start
//! long after its token, and when slots free up, every job already holding
//! a token would start at once.
//!
//! # Alternatives that also pass
//!
//! - **A count and the instant it was counted**, behind a `tokio::sync::Mutex`
//!   held across the sleep (the `rate-limiting` crate's design), as long as
//!   the count moves by whole periods from the last count and keeps the
//!   part of a period that has passed.
//! - **A lock, a check, a sleep, and a check again**: take a token if one
//!   is there, otherwise sleep until the next one is due and try again.
//! - **A credit in nanoseconds**: the bucket's content as time
//!   (`burst * period` when full), topped up by the time elapsed and capped,
//!   a token costing one period of it.
//!
//! # Tempting designs that fail
//!
//! - **Sleeping one period per token** from when you woke: every sleep is
//!   rounded up to the millisecond, and the bucket falls behind (668 ms
//!   instead of 667 ms, 10.02 s instead of 10 s).
//! - **Counting from "now" each time tokens are added**, which throws away
//!   the part of a period that has passed.
//! - **Rounding the period to whole milliseconds** (`1000 / 3 = 333` ms):
//!   the bucket runs fast.
//! - **A bucket that starts empty**, or one that saves up more than `burst`
//!   tokens while idle.
//! - **Sleeping, then taking the token without checking again**: two
//!   callers who slept until the same instant both take the one token.
//! - **A semaphore as the rate limit** (the Go tutorial's `RateLimiter`),
//!   or **a bucket as the concurrency limit**: each bounds the wrong thing.
//! - **Token first, then slot**: a stall turns into a burst.
//! - **Giving the slot back by hand after the job** (`forget` and
//!   `add_permits`): a cancelled job never gives it back.
//! - **A refill ticker** (Go's `time.Ticker` filling a channel of tokens):
//!   the ticker keeps its own grid, so after the bucket was full the next
//!   token comes at the next tick, less than a period after the last one
//!   was taken: time spent full counted after all. And a refill task
//!   nobody stops outlives the bucket.
//! - **`std::thread::sleep` in `acquire`**: it blocks the runtime's thread,
//!   and on the paused clock time never moves.

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

// ANCHOR: bucket
/// A token bucket: `burst` tokens at once, then `per_second` a second.
///
/// Share it between tasks with an `Arc`; every method takes `&self`.
pub struct TokenBucket {
    /// How long one token takes to drip in: `1 s / per_second`.
    period: Duration,
    /// `burst - 1` periods: how far ahead of `full_at` a token may be taken.
    /// With a burst of 1 it is zero: a token only when the bucket is full.
    slack: Duration,
    /// When the bucket will be full again, if nobody takes a token until
    /// then. In the past (or now) means it is full. A `std` mutex: it is
    /// held for a few additions, never across an `.await`.
    full_at: Mutex<Instant>,
}
// ANCHOR_END: bucket

impl TokenBucket {
    /// A full bucket of `burst` tokens that refills `per_second` tokens a
    /// second. Its clock starts now, on tokio's clock.
    ///
    /// # Panics
    ///
    /// If `burst` or `per_second` is 0: such a bucket never lets anything
    /// through.
    pub fn new(burst: u32, per_second: u32) -> TokenBucket {
        assert!(burst > 0, "a token bucket needs a burst of at least 1");
        assert!(per_second > 0, "a token bucket needs a rate of at least 1");
        let period = Duration::from_secs(1) / per_second;
        TokenBucket {
            period,
            slack: period.saturating_mul(burst - 1),
            full_at: Mutex::new(Instant::now()),
        }
    }

    // ANCHOR: acquire
    /// Waits until a token is in the bucket, and takes it.
    pub async fn acquire(&self) {
        let ready_at = {
            let mut full_at = self.full_at.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            // A bucket that has been full since some time ago is full now:
            // the time it spent full earned nothing.
            let from = (*full_at).max(now);
            // Our token is there once the bucket is at most `burst - 1`
            // tokens short of full. (`checked_sub`: a huge burst at a slow
            // rate reaches back before the clock began; that means now.)
            let ready_at = from.checked_sub(self.slack).map_or(now, |at| at.max(now));
            // Taking it puts the bucket one more period away from full.
            *full_at = from + self.period;
            ready_at
        };
        // The lock is released: sleep without it. The timer wakes on the
        // first whole millisecond at or after `ready_at`; the next caller's
        // instant is computed from `full_at`, not from when we woke.
        tokio::time::sleep_until(ready_at).await;
    }
    // ANCHOR_END: acquire
}

// ANCHOR: limiter
/// Two limits on the same jobs, kept apart: a rate (a [`TokenBucket`]) and
/// a concurrency limit (a semaphore).
pub struct Limiter {
    /// How fast jobs may start.
    bucket: TokenBucket,
    /// How many may run at once: one permit per running job.
    slots: Semaphore,
}

impl Limiter {
    /// Starts jobs no faster than `per_second` a second (bursts of `burst`),
    /// with at most `max_in_flight` running at once.
    ///
    /// # Panics
    ///
    /// If any of the three is 0.
    pub fn new(burst: u32, per_second: u32, max_in_flight: usize) -> Limiter {
        assert!(max_in_flight > 0, "a limiter needs at least 1 slot");
        Limiter {
            bucket: TokenBucket::new(burst, per_second),
            slots: Semaphore::new(max_in_flight),
        }
    }

    /// Waits for a slot, then for a token, then runs `job` and returns its
    /// output. The slot is free again when `job` ends, or when this future is
    /// dropped.
    pub async fn run<F: Future>(&self, job: F) -> F::Output {
        // The slot first: the token must be taken when the job starts, not
        // long before it.
        let _slot = self
            .slots
            .acquire()
            .await
            .expect("the semaphore is never closed");
        self.bucket.acquire().await;
        job.await
        // `_slot` is dropped here, or wherever this future is dropped.
    }
}
// ANCHOR_END: limiter
