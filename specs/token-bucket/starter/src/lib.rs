//! Exercise: a token bucket that never drifts, and a concurrency limit kept
//! apart from it.
//!
//! "5 requests a second, bursts of 3" is a token bucket: it holds up to 3
//! tokens and starts full, each call takes one, and a new one drips in
//! every 200 ms. "At most 3 requests at once" is a different limit, a
//! concurrency limit: it says nothing about time. The Go tutorial's
//! `RateLimiter` (a buffered channel of tokens, taken before the work and
//! put back after) is the second one under the first one's name. Here you
//! write both, and keep them apart:
//!
//! - [`TokenBucket`]: `acquire().await` waits for a token and takes it.
//! - [`Limiter`]: runs a job when *both* limits allow it: a token from its
//!   bucket (the rate) and a slot from a `tokio::sync::Semaphore` (how many
//!   run at once).
//!
//! # The contract (what the spec checks)
//!
//! `TokenBucket::new(burst, per_second)` holds at most `burst` tokens and
//! starts full; one token drips in every `period = 1 s / per_second` while
//! it is not full. Everything is on tokio's clock (`tokio::time::Instant`),
//! which the spec pauses, so the instants below are exact.
//!
//! 1. **A burst.** The first `burst` calls to `acquire` return at once.
//! 2. **Then the rate.** After that, one call returns every period:
//!    burst 3 at 5 a second gives 0, 0, 0, 200, 400, 600 ms...
//! 3. **Shared.** Many tasks calling `acquire` at once on one bucket (in an
//!    `Arc`) get tokens at exactly those instants, one token each.
//! 4. **Idle time refills, up to the burst.** After a quiet spell, at most
//!    `burst` calls return at once. Time spent full earns nothing: a token
//!    taken from a full bucket drips back one whole period later (a refill
//!    ticker on a grid of its own would bring it back sooner).
//! 5. **Time between calls counts.** A caller who comes back 300 ms after
//!    the bucket ran dry (at 5 a second) finds one token and half of the
//!    next: that half is not thrown away, so the next token is there 100 ms
//!    later.
//! 6. **No drift.** tokio's timer wakes on whole milliseconds, so a token
//!    due at 333.33 ms (3 a second) is taken at 334 ms. The next one is due
//!    at 666.67 ms and must be taken at 667 ms, not at 668: the tokens owed
//!    are computed from the time elapsed, never by sleeping one period per
//!    token from whenever you woke up. After the burst, the 30th token at 3 a
//!    second comes at exactly 10 s.
//!
//! `Limiter::new(burst, per_second, max_in_flight)`; `run(job)` waits for a
//! slot, then for a token, then runs `job` and returns its output.
//!
//! 7. **The rate holds for instant jobs.** Jobs that take no time still
//!    start no faster than the bucket allows: a concurrency limit alone
//!    would let them all through at once.
//! 8. **At most `max_in_flight` jobs run at once**, however fast the
//!    tokens come: a bucket alone would let them all run together.
//! 9. **A stall does not turn into a burst.** A job takes its slot first and
//!    its token second, and starts at once: a token taken while waiting for
//!    a slot would be long spent by the time the job starts, and tokens
//!    saved up that way would come out all at once when slots free up.
//! 10. **A cancelled job frees its slot** (the `run` future dropped by a
//!     timeout, say).
//!
//! Nothing may be left running when the test ends: if you start a task
//! (a refill task, say), it must end when its bucket is dropped.
//!
//! # How to check your work
//!
//! ```text
//! cargo xtask check token-bucket     # judge this exercise against its spec
//! cargo xtask hint token-bucket      # the next hint, when you are stuck
//! ```
//!
//! The book's chapter "Rate limiting" (`cargo xtask book --open`) explains
//! the three limits; its sections "A token bucket" and "A concurrency
//! limit" are the ones you need.

// TODO: remove this line when you are done: it keeps the compiler quiet about
// the parameters, imports and placeholder fields the starter code does not
// use yet.
#![allow(
    unused_variables,
    unused_imports,
    dead_code,
    clippy::todo,
    reason = "starter code: the bodies are yours to write"
)]

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

/// A token bucket: `burst` tokens at once, then `per_second` a second.
///
/// Share it between tasks with an `Arc`; every method takes `&self`.
pub struct TokenBucket {
    // TODO: replace this placeholder with the bucket's state: the period,
    // the burst, and what changes as tokens are taken (behind a lock, since
    // `acquire` takes `&self`).
    placeholder: (),
}

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
        // TODO: a full bucket, as of `Instant::now()`.
        todo!()
    }

    /// Waits until a token is in the bucket, and takes it.
    pub async fn acquire(&self) {
        // TODO: work out, from the time elapsed, when the next whole token
        // is (or was) there; wait until then (`tokio::time::sleep_until`)
        // and take it. Never hold a `std::sync::Mutex` guard across an
        // `.await`.
        todo!()
    }
}

/// Two limits on the same jobs, kept apart: a rate (a [`TokenBucket`]) and
/// a concurrency limit (a semaphore).
pub struct Limiter {
    // TODO: replace this placeholder with a `TokenBucket` and a
    // `tokio::sync::Semaphore` of `max_in_flight` permits.
    placeholder: (),
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
        // TODO: a bucket and a semaphore.
        todo!()
    }

    /// Waits for a slot, then for a token, then runs `job` and returns its
    /// output. The slot is free again when `job` ends, or when this future is
    /// dropped.
    pub async fn run<F: Future>(&self, job: F) -> F::Output {
        // TODO: slot first, then token, then the job.
        todo!()
    }
}
