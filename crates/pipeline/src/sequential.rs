//! The pipeline without channels: an iterator chain.
//!
//! Rust's iterators are already pipelines. `map` and `filter` are stages,
//! and items flow through them one at a time, on demand: `collect` asks
//! `filter` for an item, `filter` asks `map`, `map` asks the source. Nothing
//! is buffered, nothing is spawned, and nothing needs closing or joining.
//! This is the right default, and the reference the concurrent forms are
//! tested against.
//!
//! What channels add, at the price of a thread (or task) per stage and a
//! hand-over per item:
//!
//! - **Stages run at the same time.** While `filter` looks at item 1,
//!   `square` can already work on item 2, on another core. An iterator chain
//!   runs one stage at a time on one thread.
//! - **A slow stage does not stall the others.** While one stage waits (for
//!   a disk, a network, a lock), the stages before it keep producing into
//!   the channel until it is full.
//! - **Backpressure.** A full bounded channel blocks its producer, so a slow
//!   consumer slows the whole pipeline down instead of letting it pile up
//!   items without limit.
//!
//! If the stages are all quick computations, the chain is usually faster:
//! see [`crate::batched`] for why, and for how to win some of it back.

use crate::squared;

// ANCHOR: even_squares
/// Squares every number and keeps the even squares: the Go tutorial's
/// pipeline as one lazy iterator chain on the caller's thread.
///
/// # Panics
///
/// If a square overflows a `u64` (see [`squared`]).
pub fn even_squares(nums: impl IntoIterator<Item = u64>) -> impl Iterator<Item = u64> {
    nums.into_iter().map(squared).filter(|n| n % 2 == 0)
}
// ANCHOR_END: even_squares
