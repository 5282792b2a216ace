//! A token bucket: a burst up to a capacity, then a steady refill rate.
//!
//! The bucket holds up to `capacity` tokens and starts full. Each call
//! takes one token; a new token drips in every `1 s / refill_per_second`
//! while the bucket is not full. So a quiet client may fire `capacity`
//! calls at once, and a busy one settles to the refill rate. This is what
//! most APIs mean by "5 requests a second, bursts of 3".
//!
//! Tokens are counted lazily: the bucket stores how many tokens it had at
//! the last refill and when that was, and works out how many have dripped
//! in since whenever someone asks. No background task tops it up, so there
//! is nothing to start, stop or leak. Time comes from
//! [`tokio::time::Instant`], which follows tokio's paused clock, so tests
//! check exact instants without waiting.
//!
//! # Fair, and safe to cancel: a queue that holds the lock while it sleeps
//!
//! [`TokenBucket::acquire`] takes a [`tokio::sync::Mutex`] and, if no token
//! is there, *sleeps with the lock held* until the next one drips in. This
//! is the rare case where holding a lock across `.await` is the point:
//!
//! - **Fairness.** Tokio's mutex hands the lock out in the order callers
//!   asked for it, so callers get tokens first come, first served, and a
//!   caller that arrives later cannot overtake one that is already waiting.
//!   [`TokenBucket::try_acquire`] never jumps the queue either: while
//!   someone holds the lock it answers `false`.
//! - **Cancellation.** A waiting caller owns nothing but the lock. If its
//!   `acquire()` future is dropped (a `timeout` fires, a `select!` takes
//!   another branch), the lock goes to the next caller in line and the
//!   token it was waiting for is still in the bucket: no token is lost.
//!
//! The other common design *reserves* future slots: under a short
//! `std::sync::Mutex`, each caller takes the next free instant
//! ("you go at 400 ms") and sleeps without any lock. That is also fair and
//! never holds a lock across `.await`. Done naively, a caller that is
//! cancelled after reserving wastes its slot, and everyone behind it waits
//! one period longer. It need not be naive: Go's `rate.Limiter.Wait`
//! reserves this way and, when its context ends first, cancels the
//! reservation, giving the token back as far as later reservations allow;
//! in Rust a guard whose `Drop` returns the reservation does the same for a
//! dropped future. The test `a_cancelled_acquire_loses_no_token` shows that
//! ours loses no token either.
//!
//! It has to be tokio's mutex: a `std::sync::Mutex` guard held across the
//! sleep would make the future `!Send` (so `tokio::spawn` rejects it), and
//! every caller behind it would block its whole thread in `lock()` instead
//! of yielding to other tasks. The `sync-primitives` crate has that rule.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::{ConfigError, period};

// ANCHOR: token_bucket
/// A token bucket shared by every caller that holds a reference to it
/// (wrap it in an `Arc` to share it between tasks).
///
/// See the [module docs](self) for the mechanics.
#[derive(Debug)]
pub struct TokenBucket {
    /// The most tokens the bucket holds: the largest burst.
    capacity: u32,
    /// How long one token takes to drip in: `1 s / refill_per_second`.
    refill_every: Duration,
    /// The token count, behind an async mutex that is also the queue of
    /// waiting callers: whoever holds it is next, and may sleep holding it.
    state: Mutex<State>,
}

/// What the bucket knows between two calls.
#[derive(Debug)]
struct State {
    /// Tokens in the bucket as of `counted_at`.
    tokens: u32,
    /// When `tokens` was last brought up to date. While the bucket is not
    /// full, the next token drips in at `counted_at + refill_every`.
    counted_at: Instant,
}
// ANCHOR_END: token_bucket

impl TokenBucket {
    /// A full bucket of `capacity` tokens that refills `refill_per_second`
    /// tokens a second.
    ///
    /// The refill clock starts now, on tokio's clock: in a test with a
    /// paused clock, create the bucket inside the runtime.
    ///
    /// # Errors
    ///
    /// [`ConfigError::ZeroCapacity`], [`ConfigError::ZeroRate`] or
    /// [`ConfigError::RateTooHigh`].
    pub fn new(capacity: u32, refill_per_second: u32) -> Result<TokenBucket, ConfigError> {
        if capacity == 0 {
            return Err(ConfigError::ZeroCapacity);
        }
        Ok(TokenBucket {
            capacity,
            refill_every: period(refill_per_second)?,
            state: Mutex::new(State {
                tokens: capacity,
                counted_at: Instant::now(),
            }),
        })
    }

    /// The most tokens the bucket holds.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// How long one token takes to drip in.
    pub fn refill_every(&self) -> Duration {
        self.refill_every
    }

    // ANCHOR: acquire
    /// Waits until a token is free and takes it.
    ///
    /// Callers are served in the order they called. Dropping the future
    /// before it completes takes no token, and lets the next caller in line
    /// go on: it is cancel-safe.
    pub async fn acquire(&self) {
        // Join the queue. The guard is held until we have our token,
        // including while we sleep for it, so nobody behind us gets ahead.
        let mut state = self.state.lock().await;
        loop {
            self.refill(&mut state, Instant::now());
            if state.tokens > 0 {
                state.tokens -= 1;
                return;
            }
            // Empty: the next token drips in one period after the last
            // count. If this future is dropped here, the guard is dropped
            // with it and the token stays in the bucket.
            tokio::time::sleep_until(state.counted_at + self.refill_every).await;
        }
    }
    // ANCHOR_END: acquire

    // ANCHOR: try_acquire
    /// Takes a token if one is free right now, without waiting.
    ///
    /// Returns `false` if the bucket is empty, and also while another caller
    /// holds the queue (it is inside [`acquire`](Self::acquire)): a token
    /// that has just dripped in belongs to whoever is already waiting.
    pub fn try_acquire(&self) -> bool {
        let Ok(mut state) = self.state.try_lock() else {
            return false;
        };
        self.refill(&mut state, Instant::now());
        if state.tokens > 0 {
            state.tokens -= 1;
            true
        } else {
            false
        }
    }
    // ANCHOR_END: try_acquire

    // ANCHOR: refill
    /// Adds the tokens that dripped in between `state.counted_at` and `now`.
    fn refill(&self, state: &mut State, now: Instant) {
        if state.tokens >= self.capacity {
            // A full bucket overflows: time spent full earns nothing, so the
            // drip for the next token starts now.
            state.counted_at = now;
            return;
        }
        let elapsed = now.saturating_duration_since(state.counted_at);
        let dripped = elapsed.as_nanos() / self.refill_every.as_nanos();
        if dripped == 0 {
            return;
        }
        let tokens = u128::from(state.tokens) + dripped;
        if tokens >= u128::from(self.capacity) {
            state.tokens = self.capacity;
            state.counted_at = now;
        } else {
            // Fewer than `capacity` tokens dripped in, so the counts fit a
            // `u32`. Move the clock by whole tokens only: the part of a
            // period already elapsed counts towards the next token.
            let dripped = u32::try_from(dripped).expect("fewer than `capacity` (a u32) dripped in");
            state.tokens += dripped;
            state.counted_at += self.refill_every * dripped;
        }
    }
    // ANCHOR_END: refill
}
