//! Two runs taken in turns, the best of each: a ratio that a busy machine
//! disturbs as little as it can.
//!
//! Criterion measures one benchmark after the other, so on a machine whose
//! load drifts (other builds start and stop), the two sides of a ratio can
//! meet different loads, seconds apart. For the figures that have a target,
//! the benches also run the two sides in turns, `rounds` times each, and
//! keep the fastest run of each: the run that other work disturbed least.
//! For CPU-bound work, that is the closest a shared machine gets to an idle
//! one; the criterion means next to it say what the same code does when it
//! has to share.
//!
//! ```
//! use benchmarks::paired::best_of_interleaved;
//!
//! let (a, b) = best_of_interleaved(3, || std::hint::black_box(1 + 1), || std::hint::black_box(2 + 2));
//! assert!(a > 0.0 && b > 0.0);
//! ```

use std::time::Instant;

/// Runs `a` and `b` in turns (`a, b`, then `b, a`, and so on) `rounds`
/// times each, and returns the shortest time of each, in nanoseconds.
pub fn best_of_interleaved<A, B>(
    rounds: usize,
    mut a: impl FnMut() -> A,
    mut b: impl FnMut() -> B,
) -> (f64, f64) {
    let time = |run: &mut dyn FnMut()| {
        let start = Instant::now();
        run();
        start.elapsed().as_secs_f64() * 1e9
    };
    let (mut best_a, mut best_b) = (f64::INFINITY, f64::INFINITY);
    for round in 0..rounds {
        let mut run_a = || {
            std::hint::black_box(a());
        };
        let mut run_b = || {
            std::hint::black_box(b());
        };
        if round % 2 == 0 {
            best_a = best_a.min(time(&mut run_a));
            best_b = best_b.min(time(&mut run_b));
        } else {
            best_b = best_b.min(time(&mut run_b));
            best_a = best_a.min(time(&mut run_a));
        }
    }
    (best_a, best_b)
}
