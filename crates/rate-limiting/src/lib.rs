//! Rate limiting: three different limits, and how to tell which one you need.
//!
//! "Rate limiting" gets used for three different things, and the Go
//! tutorial this workshop ports blurs them. This crate names them apart:
//!
//! - A **ticker** lets one thing through every period: a fixed rate and no
//!   burst. Ten items at 5 a second start at 0, 200, 400, ... ms, even if
//!   the limiter had been idle for an hour. See [`ticker`](mod@ticker):
//!   [`ticker()`], [`rate_limited`], [`rate_limited_blocking`].
//! - A **token bucket** lets a burst through at once, then a steady rate:
//!   the bucket holds up to `capacity` tokens, each call takes one, and
//!   tokens drip back in at the refill rate. Ten calls at 5 a second with a
//!   burst of 3 start at 0, 0, 0, 200, 400, ... ms. See [`TokenBucket`].
//! - A **concurrency limit** lets at most N things run *at the same time*,
//!   however long each takes: a semaphore. It says nothing about rate: N
//!   instant jobs let N more start at once. The Go tutorial's buffered
//!   channel `RateLimiter` is one of these. See [`ConcurrencyLimit`].
//!
//! Real services often want two of them together: a token bucket to stay
//! within an API's quota, and a semaphore so a slow API does not pile up
//! thousands of open requests.
//!
//! | Go | Rust, here | limits |
//! |----|------------|--------|
//! | `ticker := time.NewTicker(d)`; `<-ticker.C` per item | [`ticker()`] (`tokio::time::interval`), [`rate_limited`] | rate, no burst |
//! | the same on a goroutine | [`rate_limited_blocking`] (`crossbeam::channel::tick`) | rate, no burst |
//! | `defer ticker.Stop()` | nothing: dropping the interval or receiver stops it | |
//! | `case <-ctx.Done(): return` | drop the future (`timeout`, `select!`) | |
//! | `rate.NewLimiter(5, 3)` (`golang.org/x/time/rate`) | [`TokenBucket::new(3, 5)`](TokenBucket::new) | rate, with burst |
//! | `limiter.Wait(ctx)` / `limiter.Allow()` | [`TokenBucket::acquire`] / [`TokenBucket::try_acquire`] | |
//! | `tokens := make(chan struct{}, n)`, pre-filled | [`ConcurrencyLimit::new(n)`](ConcurrencyLimit::new) (`tokio::sync::Semaphore`) | concurrency |
//! | `<-tokens`; `defer func() { tokens <- struct{}{} }()` | a permit, returned on drop: [`ConcurrencyLimit::run`] | |
//!
//! # When to use which, and when to use a crate instead
//!
//! A ticker when work should be spread evenly (polling, a steady stream of
//! writes). A token bucket when someone else sets a quota with bursts
//! (most HTTP APIs). A semaphore when a resource has a fixed capacity
//! (connections, file handles, memory), whatever the time.
//!
//! These are written to be read. In production:
//!
//! - [`governor`](https://docs.rs/governor) implements GCRA, the token
//!   bucket's exact equivalent that keeps a single timestamp in an atomic
//!   instead of a count behind a mutex, so checks are lock-free. It has
//!   *keyed* limiters (one limit per user or IP address in one structure),
//!   jitter for waiters, and years of production use. Reach for it when the
//!   limit is on a hot path or per key.
//! - In a service built on `tower` (axum, tonic, hyper), put the limit on
//!   the service rather than at each call site:
//!   `tower::limit::ConcurrencyLimitLayer` is a semaphore like ours, and
//!   `tower::limit::RateLimitLayer` allows `num` requests per window of
//!   `per`, a fixed window rather than a bucket.
//!
//! # Errors
//!
//! Constructors return [`ConfigError`] for settings that could never let
//! anything through (a rate or capacity of zero); nothing else fails.
//!
//! # Example
//!
//! A token bucket with room for 3 tokens and one new token every 200 ms.
//! This example runs on tokio's paused clock, so the times are exact and it
//! takes no real time at all.
//!
//! ```
//! use std::time::Duration;
//!
//! use rate_limiting::TokenBucket;
//! use tokio::time::Instant;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), rate_limiting::ConfigError> {
//! // Bursts of up to 3, then 5 a second. The bucket starts full.
//! let bucket = TokenBucket::new(3, 5)?;
//! let start = Instant::now();
//! let mut offsets = Vec::new();
//! for _ in 0..5 {
//!     // Wait until a token is free, and take it.
//!     bucket.acquire().await;
//!     // Note when this call got through.
//!     offsets.push(start.elapsed());
//! }
//! // Three at once from the full bucket, then one per refill.
//! let ms = Duration::from_millis;
//! assert_eq!(offsets, [ms(0), ms(0), ms(0), ms(200), ms(400)]);
//! # Ok(())
//! # }
//! ```
#![doc(test(attr(deny(warnings))))]

pub mod bucket;
pub mod concurrency;
pub mod error;
pub mod steps;
pub mod ticker;

pub use bucket::TokenBucket;
pub use concurrency::ConcurrencyLimit;
pub use error::ConfigError;
pub use ticker::{paced_by, rate_limited, rate_limited_blocking, ticker};
