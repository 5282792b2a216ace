//! Peak memory of a pipeline with a slow consumer, as the input grows.
//!
//! ```text
//! cargo bench -p benchmarks --bench pipeline_memory [-- --quick]
//! ```
//!
//! Not a timing: this binary installs a counting global allocator
//! ([`peak_alloc`]) and reports, for each run, the peak of heap bytes
//! allocated above what was allocated before the run started. The
//! consumer burns CPU on every item, so it is slower than the producer and
//! every channel in front of it fills up: this is the case where a pipeline
//! must hold back its source.
//!
//! Variants, each over `1..=N` for `N` = 10^5, 10^6, 10^7:
//!
//! - `threads`: `pipeline`'s generate, square and filter stages on channels of
//!   capacity 16;
//! - `batched`: the same stages in batches of 1024 (`pipeline::batched`);
//! - `solution`: `prime_pipeline_solution::prime_squares` (channels of 16);
//!   at 10^7 only in full mode, as it takes about 20 s there;
//! - `unbounded` (the baseline): a producer thread sends every number into
//!   a `crossbeam::channel::unbounded`, what a program without backpressure
//!   does.
//!
//! Thread stacks are mapped by the OS, not allocated on the heap, so they
//! are not counted: they are a constant (a few threads) anyway.
//! Writes `target/bench-results/pipeline_memory.json`.

use std::hint::black_box;
use std::time::Instant;

use benchmarks::Mode;
use benchmarks::results::BenchRun;
use benchmarks::work::spin;
use peak_alloc::PeakAlloc;
use pipeline::{batched, filter, generate_with_capacity, square};
use prime_pipeline_solution::{Cancel, prime_squares};
use serde_json::json;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

/// The consumer's work per item: enough to be slower than any stage.
const CONSUMER_SPIN: u32 = 64;

/// The peak of heap bytes that `run` allocates beyond what was allocated
/// when it started, and how long it took.
fn peak_of(run: impl FnOnce() -> u64) -> (usize, f64) {
    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let start = Instant::now();
    black_box(run());
    let seconds = start.elapsed().as_secs_f64();
    (ALLOCATOR.peak_usage().saturating_sub(before), seconds)
}

/// A slow consumer: spins on every item, and returns a checksum.
fn consume(items: impl Iterator<Item = u64>) -> u64 {
    items.fold(0, |sum, item| sum.wrapping_add(item ^ spin(CONSUMER_SPIN)))
}

// ANCHOR: memory_variants
fn threads(n: u64) -> u64 {
    let even = filter(square(generate_with_capacity(1..=n, 16)), |k| {
        k.is_multiple_of(2)
    });
    consume(even.into_iter())
}

fn batches(n: u64) -> u64 {
    let even = batched::filter(batched::square(batched::generate(1..=n, 1024)), |k| {
        k.is_multiple_of(2)
    });
    consume(even.into_iter().flatten())
}

fn solution(n: u64) -> u64 {
    let cancel = Cancel::new();
    // The squares are `u128`; the consumer takes their low half.
    consume(prime_squares(1..=n, &cancel).iter().map(|k| k as u64))
}

/// The baseline: no backpressure. The producer never waits, so everything
/// the consumer has not taken yet piles up in the channel.
fn unbounded(n: u64) -> u64 {
    let (tx, rx) = crossbeam::channel::unbounded();
    let producer = std::thread::spawn(move || {
        for k in 1..=n {
            tx.send(k * k).expect("the consumer reads to the end");
        }
    });
    let sum = consume(rx.iter().filter(|k| k.is_multiple_of(2)));
    producer.join().expect("the producer does not panic");
    sum
}
// ANCHOR_END: memory_variants

/// One way to run the pipeline over `1..=n`, returning a checksum.
type Variant = fn(u64) -> u64;

fn main() -> anyhow::Result<()> {
    let mode = Mode::from_args();
    let run = BenchRun::start("pipeline_memory", mode);
    let sizes: [u64; 3] = [100_000, 1_000_000, 10_000_000];
    let variants: [(&str, Variant); 4] = [
        ("threads", threads),
        ("batched", batches),
        ("solution", solution),
        ("unbounded", unbounded),
    ];
    let mut results = serde_json::Map::new();
    for (name, variant) in variants {
        let mut points = Vec::new();
        for n in sizes {
            if name == "solution" && n > 1_000_000 && mode == Mode::Quick {
                continue;
            }
            let (peak, seconds) = peak_of(|| variant(n));
            println!("pipeline_memory/{name}/{n:<9} peak {peak:>11} bytes  ({seconds:.2} s)");
            points.push(json!({ "n": n, "peak_bytes": peak, "seconds": seconds }));
        }
        results.insert(name.to_owned(), json!(points));
    }
    run.finish(json!({
        "consumer_spin": CONSUMER_SPIN,
        "variants": results,
    }))?;
    Ok(())
}
