//! The worker pool on CPU-bound work, against a sequential loop and rayon.
//!
//! ```text
//! cargo bench -p benchmarks --bench worker_pool [-- --quick]
//! ```
//!
//! The jobs are primality tests of large primes by trial division, all of
//! the same cost. Measured in one run, in the criterion group `worker_pool`:
//!
//! - `sequential`: a plain loop on the calling thread (the baseline);
//! - `pool/<w>`: `worker_pool::threads::run_in_order` with `w` = 1, 2, 4, 8
//!   worker threads;
//! - `rayon`: `par_iter().map(..).collect()` on rayon's global pool (one
//!   thread per core), what a Rust programmer would reach for.
//!
//! The two targets (the speedup of 2 workers over the loop, and their time
//! against rayon's) are judged on runs in turns: after criterion, the loop
//! and the pool of 2, then the pool of 2 and rayon, run alternately
//! (15 times each; 5 in quick mode), and the median run of each is kept
//! ([`benchmarks::paired`]).

use std::hint::black_box;

use benchmarks::Mode;
use benchmarks::paired::median_of_interleaved;
use benchmarks::results::BenchRun;
use benchmarks::work::{is_prime, primes_above};
use criterion::{BenchmarkId, Criterion};
use rayon::prelude::*;
use serde_json::json;
use worker_pool::threads;

// ANCHOR: worker_pool_bench
/// The baseline: a plain loop on the calling thread.
fn sequential(numbers: &[u64]) -> Vec<bool> {
    black_box(numbers).iter().map(|&n| is_prime(n)).collect()
}

/// The pattern: the crate's pool of `workers` threads, results in order
/// (each a `Result`: a job that panics is an error of its own).
fn pool(workers: usize, numbers: &[u64]) -> Vec<Result<bool, worker_pool::JobError>> {
    threads::run_in_order(workers, black_box(numbers).iter().copied(), is_prime)
        .expect("at least one worker")
}

/// What a Rust programmer would reach for: rayon's global pool.
fn rayon(numbers: &[u64]) -> Vec<bool> {
    black_box(numbers)
        .par_iter()
        .map(|&n| is_prime(n))
        .collect()
}

fn bench(c: &mut Criterion, numbers: &[u64]) {
    let mut group = c.benchmark_group("worker_pool");
    group.bench_function("sequential", |b| b.iter(|| sequential(numbers)));
    for workers in [1, 2, 4, 8] {
        group.bench_with_input(BenchmarkId::new("pool", workers), &workers, |b, &w| {
            b.iter(|| pool(w, numbers));
        });
    }
    group.bench_function("rayon", |b| b.iter(|| rayon(numbers)));
    group.finish();
}
// ANCHOR_END: worker_pool_bench

fn main() -> anyhow::Result<()> {
    let mode = Mode::from_args();
    let run = BenchRun::start("worker_pool", mode);
    // 64 primes above 10^12, about 1 ms each: big enough that handing a job
    // to a thread (microseconds here) is noise. Smaller jobs in quick mode
    // would measure the hand-over instead of the pool, so both modes use them.
    let numbers = primes_above(1_000_000_000_000, 64);
    let mut criterion = mode.criterion();
    bench(&mut criterion, &numbers);
    criterion.final_summary();
    // The targets' two sides once more, in turns, the median of each.
    let rounds = mode.pick(5, 15);
    let (loop_time, pool_time) =
        median_of_interleaved(rounds, || sequential(&numbers), || pool(2, &numbers));
    let (pool_again, rayon_time) =
        median_of_interleaved(rounds, || pool(2, &numbers), || rayon(&numbers));
    println!(
        "worker_pool, median of {rounds} in turns: speedup of 2 workers {:.3}, time against rayon's {:.3}",
        loop_time / pool_time,
        pool_again / rayon_time
    );
    run.finish(json!({
        "paired": {
            "rounds": rounds,
            "sequential": loop_time,
            "pool/2": pool_time,
            "pool/2 beside rayon": pool_again,
            "rayon": rayon_time,
        },
        "jobs": numbers.len(),
        "first_job": numbers[0],
        "rayon_threads": rayon::current_num_threads(),
    }))?;
    Ok(())
}
