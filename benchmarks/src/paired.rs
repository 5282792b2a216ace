//! Two runs taken in turns, the median of each: a ratio that a busy machine
//! and a lucky run disturb as little as they can.
//!
//! Criterion measures one benchmark after the other, so on a machine whose
//! load drifts (other builds start and stop), the two sides of a ratio can
//! meet different loads, seconds apart. For the figures that have a target,
//! the benches also run the two sides in turns, `rounds` times each, so
//! that both meet the same load, and keep the **median** run of each.
//!
//! Why not the fastest run of each? An earlier version kept it, as "the run
//! that other work disturbed least", and it compared luck instead of code:
//! on a multi-threaded runtime, where the tasks happen to land decides a
//! run's time, and one run in fifteen can be twice as fast as the rest. In
//! one run of the pub/sub bench here, the bare loop's 15 runs at 4
//! subscribers took 41 to 56 ms but one took 19.4 ms, so the best of each
//! put the broker at 0.47× the loop, where the medians (46.9 and 44.8 ms)
//! put it at 0.96×. The median is the run in the middle, whichever way the
//! others stray.
//!
//! ```
//! use benchmarks::paired::median_of_interleaved;
//!
//! let (a, b) = median_of_interleaved(3, || std::hint::black_box(1 + 1), || std::hint::black_box(2 + 2));
//! assert!(a > 0.0 && b > 0.0);
//! ```

use std::time::Instant;

/// Runs `a` and `b` in turns (`a, b`, then `b, a`, and so on) `rounds`
/// times each, and returns the median time of each, in nanoseconds.
///
/// # Panics
///
/// If `rounds` is 0.
pub fn median_of_interleaved<A, B>(
    rounds: usize,
    mut a: impl FnMut() -> A,
    mut b: impl FnMut() -> B,
) -> (f64, f64) {
    assert!(rounds > 0, "at least one round");
    let time = |run: &mut dyn FnMut()| {
        let start = Instant::now();
        run();
        start.elapsed().as_secs_f64() * 1e9
    };
    let (mut times_a, mut times_b) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    for round in 0..rounds {
        let mut run_a = || {
            std::hint::black_box(a());
        };
        let mut run_b = || {
            std::hint::black_box(b());
        };
        if round % 2 == 0 {
            times_a.push(time(&mut run_a));
            times_b.push(time(&mut run_b));
        } else {
            times_b.push(time(&mut run_b));
            times_a.push(time(&mut run_a));
        }
    }
    (median(times_a), median(times_b))
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    let n = times.len();
    if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn one_lucky_run_does_not_move_the_median() {
        let runs = vec![45.0, 19.4, 41.2, 44.9, 56.2];
        assert_eq!(median(runs), 44.9);
        assert_eq!(median(vec![3.0, 1.0, 2.0, 10.0]), 2.5);
    }
}
