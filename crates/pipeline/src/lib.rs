//! Pipelines: stages that each run on their own thread (or task), joined by
//! bounded channels.
//!
//! A pipeline splits a computation into stages: a source generates items,
//! each middle stage transforms or filters what it receives and sends the
//! result on, and the consumer reads the end. Every stage runs concurrently
//! with the others, and each channel between two stages is bounded, so a
//! slow stage holds back the ones before it instead of letting work pile up.
//!
//! The Go version closes each channel by hand and leaks a goroutine whenever
//! the consumer stops reading early. In Rust, both jobs are done by
//! ownership: a stage's `Sender` is dropped when its thread returns (which
//! closes the channel), and a `send` to a dropped `Receiver` fails instead of
//! blocking (which stops the stage). [`threads`] explains the full rules.
//!
//! | Go | Rust | Why |
//! |----|------|-----|
//! | `out := make(chan int)` | `crossbeam::channel::bounded(0)` | both are rendezvous channels: a send waits for a receive |
//! | `go func() { ... }()` per stage | a named thread, its `JoinHandle` kept in a [`Stage`] | someone must be able to wait for the thread and see its panic |
//! | `close(out)` | nothing: returning drops the `Sender` | the channel closes when its last `Sender` is gone |
//! | `for n := range in` | `for n in input` | ends when the channel is closed and empty |
//! | `<-chan int` as the return type | [`Stage<T>`]: the receiver plus every thread's handle | dropping it stops and joins the whole pipeline |
//! | a stage blocked forever on `out <- v` (a leak) | `send` returns `Err` once the receiver is dropped | the stage returns, and the stop travels upstream |
//! | `nums \| square \| filter` done in one loop | `iter.map(..).filter(..)` ([`sequential`]) | a lazy iterator chain is the sequential pipeline |
//!
//! **When to use it:** the stages do real work (computation worth a core, or
//! waiting on I/O), and you want them to overlap; or you need a memory bound
//! between a fast producer and a slow consumer. **When not to:** every stage
//! is a quick computation: an iterator chain does the same without a single
//! hand-over, and `rayon`-style data parallelism beats a pipeline when items
//! are independent. If you do use a pipeline for small items, send them in
//! batches ([`batched`]).
//!
//! The forms in this crate:
//!
//! - [`threads`] (re-exported here): OS threads and crossbeam channels.
//! - [`batched`]: the same stages over `Vec<T>` batches.
//! - [`tasks`]: tokio tasks and `tokio::sync::mpsc` channels.
//! - [`sequential`]: the iterator chain they are all tested against.
//!
//! ```
//! use pipeline::{filter, generate, square};
//!
//! // Each call starts one named thread and returns its output as a `Stage`.
//! let nums = generate(1..=10u64); // sends 1, 2, ..., 10, then closes
//! let squared = square(nums); // squares each number it receives
//! let even = filter(squared, |n| n % 2 == 0); // passes on the even ones
//!
//! // The stage owns all three threads. Reading it to the end...
//! let results: Vec<u64> = even.into_iter().collect();
//! assert_eq!(results, [4, 16, 36, 64, 100]);
//! // ...and dropping the iterator (which `collect` did) joined them.
//!
//! // Stopping early is just dropping: here after two items of an endless
//! // source. Both threads stop, and are joined when the iterator is dropped
//! // at the end of this statement.
//! let first: Vec<u64> = square(generate(1..)).into_iter().take(2).collect();
//! assert_eq!(first, [1, 4]);
//! ```
#![doc(test(attr(deny(warnings))))]

pub mod batched;
pub mod parallel;
pub mod sequential;
pub mod steps;
pub mod tasks;
pub mod threads;

pub use threads::{
    DEFAULT_CAPACITY, Stage, StagePanicked, filter, generate, generate_with_capacity, square, stage,
};

/// `n * n`.
///
/// # Panics
///
/// If the square overflows a `u64` (`n` above `u32::MAX`), in debug and
/// release builds alike, with a message that says so. In a stage, that
/// panic ends the stage, and [`Stage::join`] reports it.
pub fn squared(n: u64) -> u64 {
    n.checked_mul(n)
        .unwrap_or_else(|| panic!("{n} squared overflows a u64"))
}
