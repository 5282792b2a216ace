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

use std::hint::black_box;

use benchmarks::Mode;
use benchmarks::results::BenchRun;
use benchmarks::work::{is_prime, primes_above};
use criterion::{BenchmarkId, Criterion};
use rayon::prelude::*;
use serde_json::json;
use worker_pool::threads;

// ANCHOR: worker_pool_bench
fn bench(c: &mut Criterion, numbers: &[u64]) {
    let mut group = c.benchmark_group("worker_pool");
    group.bench_function("sequential", |b| {
        b.iter(|| {
            let found: Vec<bool> = black_box(numbers).iter().map(|&n| is_prime(n)).collect();
            found
        });
    });
    for workers in [1, 2, 4, 8] {
        group.bench_with_input(BenchmarkId::new("pool", workers), &workers, |b, &w| {
            b.iter(|| {
                threads::run_in_order(w, black_box(numbers).iter().copied(), is_prime)
                    .expect("at least one worker")
            });
        });
    }
    group.bench_function("rayon", |b| {
        b.iter(|| {
            let found: Vec<bool> = black_box(numbers)
                .par_iter()
                .map(|&n| is_prime(n))
                .collect();
            found
        });
    });
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
    run.finish(json!({
        "jobs": numbers.len(),
        "first_job": numbers[0],
        "rayon_threads": rayon::current_num_threads(),
    }))?;
    Ok(())
}
