//! Merges three sources into one channel (fan-in), spreads the items over
//! three worker threads (fan-out), and prints which worker handled what.
//!
//! ```text
//! cargo run -p fan-out-fan-in --example merge
//! ```
//!
//! Each item takes a moment of simulated work, so that all three workers get
//! a share. Which worker gets which item changes from run to run; the sorted
//! result at the end does not.

use std::thread;
use std::time::Duration;

use crossbeam::channel::{self, Receiver};
use fan_out_fan_in::threads::{cancel_signal, fan_in, fan_out};

/// A source: a thread that sends `(name, n)` for each number, then closes
/// its channel by returning.
fn source<'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    name: &'static str,
    numbers: [u64; 4],
) -> Receiver<(&'static str, u64)> {
    let (tx, rx) = channel::bounded(0);
    scope.spawn(move || {
        for n in numbers {
            if tx.send((name, n)).is_err() {
                return;
            }
        }
    });
    rx
}

fn main() {
    // Nobody cancels here; `_cancel` lives until the end of `main`.
    let (_cancel, done) = cancel_signal();

    // ANCHOR: main
    let mut squares = thread::scope(|s| {
        let sources = [
            source(s, "a", [1, 2, 3, 4]),
            source(s, "b", [10, 20, 30, 40]),
            source(s, "c", [100, 200, 300, 400]),
        ];
        // Fan in: one forwarding thread per source, one merged channel.
        let merged = fan_in(s, sources, &done);
        // Fan out: three workers share the merged channel.
        let results = fan_out(
            s,
            merged,
            3,
            |worker, (name, n)| {
                thread::sleep(Duration::from_millis(20)); // Pretend this is hard.
                println!("worker {worker} squared {n:>3} from source {name}");
                n * n
            },
            &done,
        )
        .expect("three workers");
        // Ends when the last worker is done: every source has closed.
        results.iter().collect::<Vec<u64>>()
    }); // Joins the 3 sources, 3 forwarders and 3 workers.
    // ANCHOR_END: main

    squares.sort_unstable();
    println!("merged result, sorted: {squares:?}");
}
