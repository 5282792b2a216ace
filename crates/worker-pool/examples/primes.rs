//! Tests a batch of large numbers for primality on one worker thread per core.
//!
//! ```text
//! cargo run -p worker-pool --example primes
//! ```
//!
//! CPU-bound work, so the pool gets `available_parallelism()` threads. Each
//! job reports which worker ran it; the program prints the results in input
//! order, then how many jobs each worker took. The counts change from run to
//! run (whichever worker is free takes the next job); the results do not.

use std::collections::BTreeMap;
use std::thread;

use worker_pool::{default_workers, threads};

/// Trial division: slow on purpose, so that the work is worth spreading.
fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n.is_multiple_of(2) {
        return n == 2;
    }
    let mut divisor = 3;
    while divisor * divisor <= n {
        if n.is_multiple_of(divisor) {
            return false;
        }
        divisor += 2;
    }
    true
}

fn main() -> Result<(), worker_pool::PoolError> {
    // ANCHOR: main
    let workers = default_workers();
    // The odd numbers just above a trillion: most are composite; proving one
    // prime takes half a million divisions.
    let numbers: Vec<u64> = (1..64).step_by(2).map(|k| 1_000_000_000_000 + k).collect();

    let results = threads::run_in_order(workers, numbers.iter().copied(), |n| {
        // The pool names its threads `pool-worker-<id>`.
        let worker = thread::current().name().unwrap_or("?").to_owned();
        (is_prime(n), worker)
    })?;
    // ANCHOR_END: main

    println!(
        "{} numbers on {workers} worker thread(s), in input order:",
        numbers.len()
    );
    let mut per_worker: BTreeMap<String, usize> = BTreeMap::new();
    for (n, result) in numbers.iter().zip(&results) {
        match result {
            Ok((prime, worker)) => {
                let verdict = if *prime { "prime" } else { "composite" };
                println!("  {n:>14}  {verdict:<9}  ({worker})");
                *per_worker.entry(worker.clone()).or_default() += 1;
            }
            Err(error) => println!("  {n:>14}  {error}"),
        }
    }
    println!("jobs per worker:");
    for (worker, count) in &per_worker {
        println!("  {worker}: {count}");
    }
    Ok(())
}
