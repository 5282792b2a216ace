//! The book's Rate limiting chapter, one step at a time.
//!
//! The smallest rate limiter, then the change the chapter makes to it, for
//! a failure that `tests/steps.rs` shows (`cargo test -p rate-limiting
//! --test steps`). The finished limiters are [`crate::ticker()`],
//! [`crate::TokenBucket`] and [`crate::ConcurrencyLimit`].
//!
//! | Step | What it adds | The failure it prevents |
//! |------|--------------|-------------------------|
//! | [`step1_smallest`] | one item per tick of a plain `tokio::time::interval` | |
//! | [`crate::rate_limited`] | `MissedTickBehavior::Delay` | after a slow item, two requests at the same instant |

pub mod step1_smallest;
