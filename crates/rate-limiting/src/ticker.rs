//! A ticker: one event every period, at a fixed rate, with no burst.
//!
//! This is the Go tutorial's `time.NewTicker` loop: wait for a tick, process
//! one item, repeat. It spaces items evenly and never lets two through
//! faster than the rate, but it cannot save up: an idle second does not buy
//! a burst later (that is what [`TokenBucket`](crate::TokenBucket) is for).
//!
//! # Async: `tokio::time::interval`
//!
//! [`ticker`] is a [`tokio::time::Interval`] whose first tick completes at
//! once and each next one a period later. The question every interval must
//! answer is what to do when the code that calls `tick()` falls behind, say
//! because one item took three periods to process. Tokio's
//! [`MissedTickBehavior`] offers three answers:
//!
//! | behaviour | after falling behind | starts, 200 ms period, item 1 takes 500 ms |
//! |-----------|----------------------|--------------------------------------------|
//! | `Burst` (the default) | fires every missed tick at once to catch up | 0, 200, 700, 700, 800 |
//! | `Delay` (**ours**) | the next tick is a full period after the late one | 0, 200, 700, 900, 1100 |
//! | `Skip` | drops the missed ticks, keeps to the original grid | 0, 200, 700, 800, 1000 |
//!
//! We choose `Delay` because a rate limit is a promise to whoever is on the
//! other side ("at most 5 requests a second"), and only `Delay` keeps it
//! after a hiccup: `Burst` sends two requests at the same instant, `Skip`
//! sends two 100 ms apart. `Burst` is right when ticks count something (a
//! clock that must not lose time), `Skip` when they drive a periodic job
//! that must stay on a grid (a report every full minute). The test
//! `missed_tick_behaviours_compared` checks the table row by row.
//!
//! One fine print, from tokio's source: a tick less than 5 ms late counts
//! as on time, and the next one stays on the grid, so under `Delay` two
//! starts can be up to 5 ms closer than a period.
//!
//! # Threads: `crossbeam::channel::tick`
//!
//! For code on plain threads, [`crossbeam::channel::tick`] is a receiver
//! that yields an `Instant` every period. No thread stands behind it: each
//! message is made when someone asks for it, so there is nothing to stop or
//! join, and dropping the receiver is all the clean-up there is. A late
//! receiver gets one tick at once and the next a full period later, the
//! same policy as `Delay`. Unlike tokio's interval (and like Go's ticker),
//! its *first* tick comes after one period, not at once.

// ANCHOR: imports
use std::future::Future;

use crossbeam::channel::Receiver;
use tokio::time::{Interval, MissedTickBehavior};

use crate::error::{ConfigError, period};
// ANCHOR_END: imports

// ANCHOR: ticker
/// An interval that ticks `per_second` times a second: the first tick at
/// once, then one per period, and after a hiccup a full period after the
/// late tick ([`MissedTickBehavior::Delay`], see the [module docs](self)).
///
/// The interval owns a timer and nothing else: dropping it is all the
/// clean-up there is.
///
/// # Errors
///
/// [`ConfigError::ZeroRate`] or [`ConfigError::RateTooHigh`].
///
/// # Panics
///
/// Outside a tokio runtime, like every tokio timer.
pub fn ticker(per_second: u32) -> Result<Interval, ConfigError> {
    let mut interval = tokio::time::interval(period(per_second)?);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    Ok(interval)
}
// ANCHOR_END: ticker

// ANCHOR: rate_limited
/// Calls `f` on each item, at most `per_second` items a second: one item per
/// tick of a [`ticker`], the first at once. Returns the results in order.
///
/// Each item is awaited before the next tick is awaited, so at most one
/// item is in progress and a slow item delays the rest (see the table in
/// the [module docs](self)). Go's version starts a goroutine per tick
/// (`go process(item)`) instead: then the ticker paces only the *starts*,
/// and nothing bounds how many run at once. To get that here, spawn in `f`,
/// and take a concurrency permit in `f` *before* spawning, moving it into
/// the task: then `f` waits while the limit is reached, and so does this
/// loop (backpressure). A [`ConcurrencyLimit`](crate::ConcurrencyLimit)
/// used inside the spawned task instead bounds the work but not the tasks,
/// which pile up waiting for a permit. (Its permit borrows the limiter; a
/// permit that moves into a task comes from an `Arc<Semaphore>` and
/// `acquire_owned`.)
///
/// **Cancellation.** Dropping the returned future (a `timeout`, a lost
/// `select!` branch) stops it at its next `.await`: the item in progress is
/// dropped with it and no further item starts. Nothing is spawned, so
/// nothing is left running.
///
/// # Errors
///
/// [`ConfigError::ZeroRate`] or [`ConfigError::RateTooHigh`], before any
/// item is touched.
pub async fn rate_limited<T, R, F, Fut>(
    items: impl IntoIterator<Item = T>,
    per_second: u32,
    mut f: F,
) -> Result<Vec<R>, ConfigError>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = R>,
{
    let mut ticker = ticker(per_second)?;
    let mut results = Vec::new();
    for item in items {
        // The Go loop's `case <-ticker.C:`. There is no `case <-ctx.Done():`
        // because dropping this future is how an async caller cancels it.
        ticker.tick().await;
        results.push(f(item).await);
    }
    Ok(results)
}
// ANCHOR_END: rate_limited

// ANCHOR: rate_limited_blocking
/// The thread form of [`rate_limited`]: blocks the calling thread, calls `f`
/// on each item after each tick of [`crossbeam::channel::tick`], and returns
/// the results in order.
///
/// The first item waits one period, like Go's ticker. No thread is started;
/// `f` runs on the caller's thread.
///
/// # Errors
///
/// [`ConfigError::ZeroRate`] or [`ConfigError::RateTooHigh`], before any
/// item is touched.
pub fn rate_limited_blocking<T, R>(
    items: impl IntoIterator<Item = T>,
    per_second: u32,
    f: impl FnMut(T) -> R,
) -> Result<Vec<R>, ConfigError> {
    let ticks = crossbeam::channel::tick(period(per_second)?);
    Ok(paced_by(&ticks, items, f))
}
// ANCHOR_END: rate_limited_blocking

// ANCHOR: paced_by
/// Calls `f` on one item per message received from `ticks`, on the
/// caller's thread, and returns the results in order.
///
/// Any receiver paces it: [`crossbeam::channel::tick`] for a fixed rate, or
/// a channel you feed yourself (the tests drive it one tick at a time).
///
/// **Stopping early.** When every sender of `ticks` is dropped, the channel
/// is disconnected and the loop stops before the next item, returning the
/// results so far: the owner of the senders decides when pacing ends.
/// A `tick` receiver never disconnects.
pub fn paced_by<M, T, R>(
    ticks: &Receiver<M>,
    items: impl IntoIterator<Item = T>,
    mut f: impl FnMut(T) -> R,
) -> Vec<R> {
    let mut results = Vec::new();
    for item in items {
        if ticks.recv().is_err() {
            break;
        }
        results.push(f(item));
    }
    results
}
// ANCHOR_END: paced_by
