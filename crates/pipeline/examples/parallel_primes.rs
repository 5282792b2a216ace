//! The prime filter of the prime pipeline three ways: the iterator chain, a
//! batched pipeline (one thread for the filter), and the ordered parallel
//! stage (the filter on every core, the order kept).
//!
//! ```text
//! cargo run --release -p pipeline --example parallel_primes
//! ```
//!
//! Prints the sum of the squares of the primes in `1..=2,000,000` from each,
//! with its time. They agree, and the parallel stage gives the primes in
//! the chain's order. The timings are one run on whatever machine you use,
//! not a benchmark: `cargo xtask bench` measures the same thing properly.

use std::time::Instant;

use pipeline::{batched, parallel};

/// Trial division: most numbers fail after a few divisions, primes take
/// up to `√n / 2`.
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

fn prime_square(k: u64) -> Option<u128> {
    is_prime(k).then(|| u128::from(k) * u128::from(k))
}

fn main() {
    let n = 2_000_000u64;
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    println!("the squares of the primes in 1..={n}, summed:");

    let start = Instant::now();
    let chain: u128 = (1..=n).filter_map(prime_square).sum();
    println!(
        "  iterator chain                  {chain}  {:>9.1?}",
        start.elapsed()
    );

    let start = Instant::now();
    let one_thread =
        batched::batched_stage(batched::generate(1..=n, 16_384), "primes", prime_square);
    let piped: u128 = one_thread.into_iter().flatten().sum();
    println!(
        "  batched pipeline, 1 filter      {piped}  {:>9.1?}",
        start.elapsed()
    );

    // ANCHOR: parallel
    let start = Instant::now();
    let batches = batched::generate(1..=n, 16_384);
    let primes = parallel::batched_stage(batches, "primes", workers, prime_square);
    let squares: Vec<u128> = primes.into_iter().flatten().collect();
    let elapsed = start.elapsed();
    // ANCHOR_END: parallel
    let parallel: u128 = squares.iter().sum();
    println!("  ordered parallel, {workers} workers     {parallel}  {elapsed:>9.1?}");

    assert_eq!(chain, piped);
    assert_eq!(chain, parallel);
    assert!(
        squares.is_sorted(),
        "the primes come out in the input's order"
    );
}
