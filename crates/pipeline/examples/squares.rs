//! The Go tutorial's pipeline (generate, square, keep the even ones) as an
//! iterator chain, on threads, in batches, and on tokio tasks; then a rough
//! look at what batching saves when the per-item work is tiny.
//!
//! ```text
//! cargo run -p pipeline --example squares
//! ```
//!
//! The timings are one run on whatever machine you use, not a benchmark; try
//! `--release` too.

use std::time::Instant;

use pipeline::{batched, filter, generate, generate_with_capacity, sequential, square, tasks};

fn is_even(n: &u64) -> bool {
    n.is_multiple_of(2)
}

fn main() {
    // ANCHOR: threads
    let nums = generate(1..=10u64);
    let squared = square(nums);
    let even = filter(squared, is_even);
    print!("threads:    ");
    for v in &even {
        print!(" {v}");
    }
    println!();
    // All three threads have finished; this joins them and reports a panic.
    even.join().expect("no stage panics");
    // ANCHOR_END: threads

    let chained: Vec<u64> = sequential::even_squares(1..=10).collect();
    println!("iterators:   {chained:?}");

    // ANCHOR: batched
    let batches = batched::filter(batched::square(batched::generate(1..=10u64, 4)), is_even);
    let batches: Vec<Vec<u64>> = batches.into_iter().collect();
    println!("batches of 4: {batches:?}");
    // ANCHOR_END: batched

    let runtime = tokio::runtime::Runtime::new().expect("start a tokio runtime");
    let from_tasks = runtime.block_on(async {
        let even = tasks::filter(tasks::square(tasks::generate(1..=10u64)), is_even);
        even.collect().await.expect("no stage panics")
    });
    println!("tokio tasks: {from_tasks:?}");

    // The same pipeline over more numbers. Every stage does one arithmetic
    // operation per item, so the channel hand-overs are nearly all the cost:
    // with capacity 0 (Go's unbuffered channel), every item waits for the next
    // thread to wake up, at every stage.
    let n = 20_000u64;
    println!("\nsumming the even squares of 1..={n}:");
    let start = Instant::now();
    let sum: u64 = sequential::even_squares(1..=n).sum();
    println!("  iterator chain        {sum}  {:>8.1?}", start.elapsed());
    for capacity in [0, 64] {
        let start = Instant::now();
        let even = filter(square(generate_with_capacity(1..=n, capacity)), is_even);
        let sum: u64 = even.into_iter().sum();
        println!(
            "  threads, capacity {capacity:<3} {sum}  {:>8.1?}",
            start.elapsed()
        );
    }
    for batch_size in [16, 1024] {
        let start = Instant::now();
        let batches = batched::filter(
            batched::square(batched::generate(1..=n, batch_size)),
            is_even,
        );
        let sum: u64 = batches.into_iter().flatten().sum();
        println!(
            "  batches of {batch_size:<4}       {sum}  {:>8.1?}",
            start.elapsed()
        );
    }
}
