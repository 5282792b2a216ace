//! Writes the book's tables and plots from one run of the benchmarks.
//!
//! ```text
//! cargo bench -p benchmarks [-- --quick]
//! cargo run --release -p benchmarks --bin summarize
//! ```
//!
//! Reads `target/criterion` and `target/bench-results`, and writes
//! `book/src/costs/results.md` and `book/src/costs/*.svg`. Options:
//! `--criterion DIR`, `--results DIR`, `--out DIR` to read or write
//! elsewhere. Prints every figure that has a target, and whether it met it.
//! Exits with an error if a figure could not be computed (a bench was not
//! run, or its results are older than its last run).

use std::path::PathBuf;

use anyhow::{Context, bail};
use benchmarks::report::{Inputs, write};
use benchmarks::results::{results_dir, target_dir, workspace_root};

fn main() -> anyhow::Result<()> {
    let mut inputs = Inputs::new(target_dir().join("criterion"), results_dir());
    let mut out = workspace_root().join("book").join("src").join("costs");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || -> anyhow::Result<PathBuf> {
            args.next()
                .map(PathBuf::from)
                .with_context(|| format!("{arg} needs a folder"))
        };
        match arg.as_str() {
            "--criterion" => inputs.criterion = value()?,
            "--results" => inputs.results = value()?,
            "--out" => out = value()?,
            other => bail!(
                "unknown argument `{other}`: the options are --criterion, --results and --out"
            ),
        }
    }
    let headlines = write(&inputs, &out)?;
    let mut unmeasured = 0;
    println!();
    for headline in &headlines {
        let verdict = match headline.verdict {
            Some(verdict) => verdict.markdown().trim_matches('*'),
            None => {
                unmeasured += 1;
                "not measured"
            }
        };
        println!(
            "{verdict:>12}  {}: {} (target {})",
            headline.figure, headline.measured, headline.target
        );
    }
    if unmeasured > 0 {
        bail!(
            "{unmeasured} part(s) of the results were not measured in this run (see the warnings above): \
             run `cargo bench -p benchmarks` and summarize again"
        );
    }
    Ok(())
}
