//! Quick or full: how long the benchmarks may take.
//!
//! `cargo bench -p benchmarks -- --quick` passes `--quick` to every bench
//! binary. Criterion reads it too and switches to its own quick mode (it
//! doubles the iterations until the estimate settles or the measurement time
//! runs out, without a warm-up); [`Mode::criterion`] shortens that time, and
//! the benches' own measurements use smaller inputs where [`Mode::pick`]
//! says so.

use std::time::Duration;

use criterion::Criterion;

/// How thoroughly to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A smoke run: the whole suite in under three minutes on two cores.
    Quick,
    /// The numbers the book shows: more samples, longer measurements.
    Full,
}

impl Mode {
    /// `Quick` if the process was started with `--quick`, else `Full`.
    pub fn from_args() -> Mode {
        Mode::from_arg_list(std::env::args())
    }

    /// `Quick` if `args` holds `--quick`, else `Full`.
    pub fn from_arg_list(args: impl IntoIterator<Item = String>) -> Mode {
        if args.into_iter().any(|arg| arg == "--quick") {
            Mode::Quick
        } else {
            Mode::Full
        }
    }

    /// The mode's name, as written in the results: `quick` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Quick => "quick",
            Mode::Full => "full",
        }
    }

    /// `quick` in quick mode, `full` otherwise.
    pub fn pick<T>(self, quick: T, full: T) -> T {
        match self {
            Mode::Quick => quick,
            Mode::Full => full,
        }
    }

    /// Criterion, configured for this mode, then from the command line (a
    /// name filter, `--quick`, ...).
    ///
    /// Full mode takes 20 samples after a 1 s warm-up, over about 3 s; quick
    /// mode stops after at most 1 s per benchmark. Plots are off: the
    /// summarizer draws the book's own.
    pub fn criterion(self) -> Criterion {
        let criterion = Criterion::default()
            .without_plots()
            .nresamples(20_000)
            .noise_threshold(0.05);
        let criterion = match self {
            Mode::Quick => criterion
                .sample_size(10)
                .warm_up_time(Duration::from_millis(200))
                .measurement_time(Duration::from_secs(1)),
            Mode::Full => criterion
                .sample_size(20)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(3)),
        };
        criterion.configure_from_args()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_only_when_asked() {
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(Mode::from_arg_list(args(&["bench", "--bench"])), Mode::Full);
        assert_eq!(
            Mode::from_arg_list(args(&["bench", "--bench", "--quick"])),
            Mode::Quick
        );
        assert_eq!(Mode::Quick.pick(1, 2), 1);
        assert_eq!(Mode::Full.pick(1, 2), 2);
    }
}
