//! Step 1: the smallest rate limiter, Go's ticker loop.
//!
//! One item per tick of a `tokio::time::interval`. Right: items start one
//! period apart, the first at once, and dropping the future stops it (there
//! is nothing spawned, and the interval owns only a timer). Wrong: tokio's
//! default `MissedTickBehavior::Burst` fires every missed tick at once after
//! a slow item, so two items start at the same instant.

use std::future::Future;
use std::time::Duration;

// ANCHOR: paced
/// Calls `f` on one item per `period`, the first at once.
pub async fn paced<T, R, Fut: Future<Output = R>>(
    items: impl IntoIterator<Item = T>,
    period: Duration,
    mut f: impl FnMut(T) -> Fut,
) -> Vec<R> {
    let mut ticker = tokio::time::interval(period); // Missed ticks: `Burst`.
    let mut results = Vec::new();
    for item in items {
        ticker.tick().await; // Go's `<-ticker.C`.
        results.push(f(item).await);
    }
    results
}
// ANCHOR_END: paced
