//! What the patterns cost: shared pieces of the workshop's benchmarks.
//!
//! Every pattern crate and reference solution has a bench target in
//! `benches/` that measures it against a baseline that does the same job,
//! **in the same run**, so that the ratios between them mean something even
//! on a noisy, shared machine: the tool a learner would otherwise reach for
//! (a sequential loop, `rayon`, `async-broadcast`, `governor`, a plain
//! `Mutex<HashMap>`), or the bare loop that is the limit of the pattern's
//! design ([`baselines`]: one `mpsc` channel per subscriber, a crossbeam
//! channel shared by the workers).
//!
//! Two kinds of measurement:
//!
//! - **Time per iteration**, taken by [criterion](https://docs.rs/criterion):
//!   it writes `target/criterion/<group>/<function>/<parameter>/new/estimates.json`.
//! - **Everything else** (an achieved rate and its error, the peak memory of
//!   a pipeline, messages lost, the machine's load average) is measured by
//!   the bench's own code and written as JSON under `target/bench-results/`
//!   ([`results`]).
//!
//! The figures that have a target are also taken a second way, the two
//! sides run in turns and the median of each kept ([`paired`]), so that a
//! load that drifts during a run, or one lucky run, disturbs their ratio as
//! little as it can.
//!
//! Each bench binary also records when it started ([`results::BenchRun`]), so
//! the summarizer (`cargo run --release -p benchmarks --bin summarize`, built
//! on [`report`]) can refuse criterion estimates left over from an older run:
//! every ratio it prints compares two numbers from the same run. It writes
//! the book's chapter data, `book/src/costs/results.md` and the SVG plots
//! ([`svg`]).
//!
//! ```text
//! cargo bench -p benchmarks [-- --quick]              # measure
//! cargo run --release -p benchmarks --bin summarize   # tables and plots
//! ```
//!
//! | Go | Rust, here |
//! |----|------------|
//! | `func BenchmarkX(b *testing.B)` | a criterion function in `benches/<pattern>.rs` |
//! | `go test -bench . -benchtime 1x` | `cargo bench -p benchmarks -- --quick` |
//! | `benchstat old.txt new.txt` | ratios against a baseline from the same run ([`summary`]) |
//!
//! **When to use these numbers:** to see the *shape* of a cost (how a pool
//! scales with workers, what a channel hop costs next to the work it
//! carries). **When not to:** as absolute speeds of your machine; they are
//! taken on two shared cores with other work running.
//!
//! # Example
//!
//! The summarizer's ratio maths, on made-up numbers:
//!
//! ```
//! use benchmarks::summary::{Direction, Verdict, judge};
//!
//! // A pool took 52 ms where the sequential loop took 100 ms: speedup 1.92.
//! let speedup = 100.0 / 52.0;
//! // The target is "at least 1.8x": higher is better.
//! let verdict = judge(speedup, Direction::AtLeast(1.8));
//! assert_eq!(verdict, Verdict::Met);
//! // A ratio of time against a baseline, where lower is better.
//! assert_eq!(judge(1.15, Direction::AtMost(1.10)), Verdict::Missed);
//! ```
#![doc(test(attr(deny(warnings))))]

pub mod baselines;
pub mod machine;
pub mod mode;
pub mod paired;
pub mod report;
pub mod results;
pub mod summary;
pub mod svg;
pub mod work;

pub use mode::Mode;
