//! Pipelines against the sequential iterator chain: the prime pipeline (the
//! reference solution and the `pipeline` crate's stages), the cost of one
//! channel hop, and what batching wins back.
//!
//! ```text
//! cargo bench -p benchmarks --bench pipeline [-- --quick]
//! ```
//!
//! Criterion groups, each over the numbers `1..=N` (`N` = 1,000,000):
//!
//! - `prime_pipeline`: the squares of the primes (`primes::is_prime`), summed.
//!   `sequential` is the iterator chain (the baseline); `solution` is
//!   `prime_pipeline_solution::prime_squares` (three threads, channels of 16,
//!   `select!` on every send and receive for cancellation);
//!   `threads/16` is the same three stages built with `pipeline::stage` on
//!   channels of capacity 16; `batched/<b>` sends batches of `b` = 64,
//!   1024 or 16,384 numbers (through the `batched` module's channels of
//!   capacity 0); `parallel/<b>` is the ordered parallel stage
//!   (`pipeline::parallel::batched_stage`) with one worker per core, on
//!   batches of `b` = 1024 or 16,384, its results in order.
//! - `channel_hop`: no work at all, only the hand-over. `iterator` sums the
//!   numbers on one thread; `threads/<c>` sends each through one channel of
//!   capacity `c` = 16, 64 or 1024 (`pipeline::generate_with_capacity`);
//!   `batched/<b>` sends them in batches. The difference to `iterator`,
//!   divided by `N`, is the cost of one hop per item.
//!   `channel_hop_small` does the same through channels of capacity 0 and 1
//!   over fewer numbers (20,000 in quick mode, 50,000 in full), since each
//!   hop then wakes a thread. Together they are the capacity lesson for a
//!   pipeline stage.
//! - `even_squares`: the Go tutorial's pipeline (square, keep the even
//!   ones), whose per-item work is a nanosecond: `sequential` is
//!   `pipeline::sequential::even_squares`.

use std::hint::black_box;

use benchmarks::Mode;
use benchmarks::paired::median_of_interleaved;
use benchmarks::results::BenchRun;
use criterion::SamplingMode;
use criterion::{BenchmarkId, Criterion, Throughput};
use pipeline::{batched, filter, generate_with_capacity, parallel, sequential, square, stage};
use prime_pipeline_solution::{Cancel, prime_squares};
use serde_json::json;

/// The square of a prime, as the solution computes it: a `u128` fits any.
fn square_wide(n: u64) -> u128 {
    u128::from(n) * u128::from(n)
}

/// The baseline: the squares of the primes in `1..=n`, summed by an
/// iterator chain on one thread.
fn chain_sum(n: u64) -> u128 {
    (1..=n)
        .filter(|&k| primes::is_prime(k))
        .map(square_wide)
        .sum()
}

// ANCHOR: parallel_bench
/// The channels of the ordered parallel stage, in batches. With room for a
/// few batches, a worker that finishes one finds the next already queued;
/// at capacity 0 it waits until the source and the dispatcher get a core,
/// which both workers hold (about 1.45× the chain's speed here at
/// capacity 0, about 1.75× at 4, in a scratch run of medians of 11).
const PARALLEL_CAPACITY: usize = 4;

/// The same with the prime test on `workers` threads: an ordered parallel
/// stage over batches of `batch` numbers, through channels of
/// [`PARALLEL_CAPACITY`] batches.
fn parallel_sum(n: u64, batch: usize, workers: usize) -> u128 {
    let nums = batched::generate_with_capacity(1..=n, batch, PARALLEL_CAPACITY);
    let squares = parallel::batched_stage(nums, "primes", workers, |k| {
        primes::is_prime(k).then(|| square_wide(k))
    });
    squares.into_iter().flatten().sum()
}
// ANCHOR_END: parallel_bench

// ANCHOR: prime_pipeline_bench
fn prime_pipeline(c: &mut Criterion, n: u64, workers: usize) {
    // Once, outside the timings: the parallel stage gives the chain's
    // squares in the chain's order (the timed runs only sum them).
    let chain: Vec<u128> = (1..=n)
        .filter(|&k| primes::is_prime(k))
        .map(square_wide)
        .collect();
    let parallel: Vec<u128> =
        parallel::batched_stage(batched::generate(1..=n, 1024), "primes", workers, |k| {
            primes::is_prime(k).then(|| square_wide(k))
        })
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(
        parallel, chain,
        "the ordered parallel stage keeps the order"
    );
    let mut group = c.benchmark_group("prime_pipeline");
    group.throughput(Throughput::Elements(n));
    // The solution takes seconds per run: criterion's minimum of ten
    // samples, each of the same number of runs.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("sequential", |b| b.iter(|| chain_sum(black_box(n))));
    // Right after the chain, so that the ratio of the two is taken as close
    // together in time as criterion allows, on a machine whose load drifts.
    for batch in [1024, 16_384] {
        group.bench_with_input(BenchmarkId::new("parallel", batch), &batch, |b, &batch| {
            b.iter(|| parallel_sum(black_box(n), batch, workers));
        });
    }
    group.bench_function("solution", |b| {
        b.iter(|| {
            let cancel = Cancel::new();
            prime_squares(1..=black_box(n), &cancel)
                .iter()
                .sum::<u128>()
        });
    });
    group.bench_with_input(BenchmarkId::new("threads", 16), &16, |b, &cap| {
        b.iter(|| {
            let nums = generate_with_capacity(1..=black_box(n), cap);
            let primes = stage(nums, "filter-primes", |k| primes::is_prime(k).then_some(k));
            let squares = stage(primes, "square", |k| Some(square_wide(k)));
            squares.into_iter().sum::<u128>()
        });
    });
    for batch in [64, 1024, 16_384] {
        group.bench_with_input(BenchmarkId::new("batched", batch), &batch, |b, &batch| {
            b.iter(|| {
                let nums = batched::generate(1..=black_box(n), batch);
                let primes = batched::batched_stage(nums, "filter-primes", |k| {
                    primes::is_prime(k).then_some(k)
                });
                let squares = batched::batched_stage(primes, "square", |k| Some(square_wide(k)));
                squares.into_iter().flatten().sum::<u128>()
            });
        });
    }
    group.finish();
}
// ANCHOR_END: prime_pipeline_bench

// ANCHOR: channel_hop_bench
fn channel_hop(c: &mut Criterion, n: u64, small_n: u64) {
    let hop = |n: u64, cap: usize| {
        generate_with_capacity(1..=black_box(n), cap)
            .into_iter()
            .map(black_box)
            .sum::<u64>()
    };
    let mut group = c.benchmark_group("channel_hop");
    group.throughput(Throughput::Elements(n));
    group.bench_function("iterator", |b| {
        b.iter(|| (1..=black_box(n)).map(black_box).sum::<u64>());
    });
    for capacity in [16, 64, 1024] {
        group.bench_with_input(
            BenchmarkId::new("threads", capacity),
            &capacity,
            |b, &cap| {
                b.iter(|| hop(n, cap));
            },
        );
    }
    group.bench_with_input(BenchmarkId::new("batched", 1024), &1024, |b, &batch| {
        b.iter(|| {
            batched::generate(1..=black_box(n), batch)
                .into_iter()
                .flatten()
                .map(black_box)
                .sum::<u64>()
        });
    });
    group.finish();

    // Capacity 0 (Go's unbuffered channel) and 1 wake the other thread for
    // nearly every item: fewer items, or a run would take minutes.
    let mut group = c.benchmark_group("channel_hop_small");
    group.throughput(Throughput::Elements(small_n));
    group.sampling_mode(SamplingMode::Flat);
    for capacity in [0, 1] {
        group.bench_with_input(
            BenchmarkId::new("threads", capacity),
            &capacity,
            |b, &cap| {
                b.iter(|| hop(small_n, cap));
            },
        );
    }
    group.finish();
}
// ANCHOR_END: channel_hop_bench

fn even_squares(c: &mut Criterion, n: u64) {
    let is_even = |k: &u64| k.is_multiple_of(2);
    let mut group = c.benchmark_group("even_squares");
    group.throughput(Throughput::Elements(n));
    group.bench_function("sequential", |b| {
        b.iter(|| sequential::even_squares(1..=black_box(n)).sum::<u64>());
    });
    group.bench_with_input(BenchmarkId::new("threads", 64), &64, |b, &cap| {
        b.iter(|| {
            filter(
                square(generate_with_capacity(1..=black_box(n), cap)),
                is_even,
            )
            .into_iter()
            .sum::<u64>()
        });
    });
    group.bench_with_input(BenchmarkId::new("batched", 1024), &1024, |b, &batch| {
        b.iter(|| {
            batched::filter(
                batched::square(batched::generate(1..=black_box(n), batch)),
                is_even,
            )
            .into_iter()
            .flatten()
            .sum::<u64>()
        });
    });
    group.finish();
}

fn main() -> anyhow::Result<()> {
    let mode = Mode::from_args();
    let run = BenchRun::start("pipeline", mode);
    let n = 1_000_000;
    let small_n = mode.pick(20_000, 50_000);
    // One worker per core: more would only take turns on the same cores.
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    let mut criterion = mode.criterion();
    prime_pipeline(&mut criterion, n, workers);
    channel_hop(&mut criterion, n, small_n);
    even_squares(&mut criterion, n);
    criterion.final_summary();
    // The target's two sides once more, in turns, the median of each.
    let rounds = mode.pick(5, 15);
    let (chain, parallel) =
        median_of_interleaved(rounds, || chain_sum(n), || parallel_sum(n, 16_384, workers));
    println!(
        "prime_pipeline, median of {rounds} in turns: chain {:.1} ms, parallel/16384 {:.1} ms: {:.3}x",
        chain / 1e6,
        parallel / 1e6,
        chain / parallel
    );
    run.finish(json!({
        "n": n,
        "small_n": small_n,
        "parallel_workers": workers,
        "paired": { "rounds": rounds, "sequential": chain, "parallel/16384": parallel },
    }))?;
    Ok(())
}
