//! A token bucket: a burst up to a capacity, then a steady refill rate.
//!
//! The bucket holds up to `capacity` tokens and starts full. Each call
//! takes one token; a new token drips in every `1 s / refill_per_second`
//! while the bucket is not full. So a quiet client may fire `capacity`
//! calls at once, and a busy one settles to the refill rate. This is what
//! most APIs mean by "5 requests a second, bursts of 3".
//!
//! Tokens are counted lazily, the way GCRA (the generic cell rate
//! algorithm, which `governor` implements) does: the bucket stores one
//! instant, `full_at`, when it will be full again if nobody takes a token
//! until then. Each token taken pushes `full_at` one period further; a token
//! is there whenever `full_at` is at most `capacity - 1` periods away. No
//! background task tops it up, so there is nothing to start, stop or leak.
//! Time comes from [`tokio::time::Instant`], which follows tokio's paused
//! clock, so tests check exact instants without waiting.
//!
//! # Oversleeping is paid back, given room for two tokens
//!
//! Tokio's timer wakes a sleeper on the first whole millisecond at or after
//! its deadline, so a waiter usually gets its token a little late. The
//! tokens owed are computed from the time elapsed (from `full_at`), never
//! from when the waiter woke, so that lateness is not lost: the next token
//! is due one period after the last one was *due*, and a waiter that wakes
//! late finds it there already. That needs room in the bucket: with a
//! `capacity` of 1 the bucket is full at the instant the token is due, and
//! time spent full earns nothing (that is what a burst of 1 means: never
//! two grants less than a period apart). So a bucket of capacity 1 at 1000
//! a second on a 1 ms timer gets about one grant every 2 ms: any correct
//! bucket of capacity 1 does, whatever its arithmetic; only a finer timer
//! helps. From a capacity of 2 on, a late wake-up of up to
//! `capacity - 1` periods costs nothing. The costs chapter of the book
//! measures both.
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
    /// `capacity - 1` periods: how far ahead of now `full_at` may be when a
    /// token is taken. Zero for a capacity of 1: a token only from a full
    /// bucket.
    slack: Duration,
    /// The token count, behind an async mutex that is also the queue of
    /// waiting callers: whoever holds it is next, and may sleep holding it.
    state: Mutex<State>,
}

/// What the bucket knows between two calls: one instant.
#[derive(Debug)]
struct State {
    /// When the bucket will be full again if nobody takes a token until
    /// then; in the past (or now) means it is full. Each token taken moves
    /// it one period later; a token is there while it is at most
    /// `capacity - 1` periods ahead of now.
    full_at: Instant,
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
        let refill_every = period(refill_per_second)?;
        Ok(TokenBucket {
            capacity,
            refill_every,
            slack: refill_every.saturating_mul(capacity - 1),
            state: Mutex::new(State {
                full_at: Instant::now(),
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
            match self.take(&mut state, Instant::now()) {
                Ok(()) => return,
                // Empty: sleep until our token is due. If this future is
                // dropped here, the guard is dropped with it and the token
                // stays in the bucket. The timer may wake us late; the
                // token after ours is still due one period after ours was.
                Err(due) => tokio::time::sleep_until(due).await,
            }
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
        self.take(&mut state, Instant::now()).is_ok()
    }
    // ANCHOR_END: try_acquire

    // ANCHOR: refill
    /// Takes a token at `now` if one is there; else returns when it will be.
    fn take(&self, state: &mut State, now: Instant) -> Result<(), Instant> {
        // A bucket that has been full since some time ago is full now: the
        // time it spent full earned nothing.
        let from = state.full_at.max(now);
        // A token is there once the bucket is at most `capacity - 1` tokens
        // short of full. (`checked_sub`: a large capacity at a slow rate
        // reaches back before the clock began, which means now.)
        let due = from.checked_sub(self.slack).map_or(now, |at| at.max(now));
        if due > now {
            return Err(due);
        }
        // Taking it puts the bucket one more period away from full. This
        // counts from `full_at`, not from `now`: a caller that comes late
        // (a timer that overslept) does not push later tokens back.
        state.full_at = from + self.refill_every;
        Ok(())
    }
    // ANCHOR_END: refill
}
