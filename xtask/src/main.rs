//! `cargo xtask`: the workshop's checker.
//!
//! `cargo xtask check` judges your exercises against their specs and tells
//! you where you stand and what to do next. It never hangs (every test runs
//! in a process of its own, with a time limit), it never lies (snapshots are
//! never updated, and edited specs are reported as such), and it never
//! writes your files. Run `cargo xtask --help` for every command.

mod build;
mod check;
mod diagnostics;
mod exercises;
mod hints;
mod manifest;
mod mistakes;
mod procs;
mod report;
mod reset;
mod runner;
mod shipped;
mod state;
mod terminal;
mod ui;
mod verdict;
mod watch;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::exercises::{EXERCISES, Exercise, Target};
use crate::ui::Ui;

/// The workshop's checker: judges your exercises, gives hints, builds the book.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Judge exercises against their specs (all of them, in book order, when none is named).
    Check {
        /// Exercises to check: downloader, prime-pipeline, pubsub.
        exercises: Vec<String>,
        /// Check the reference solutions instead of your exercises.
        #[arg(long)]
        solutions: bool,
        /// The time limit of each test, in seconds.
        #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
        timeout: f64,
        /// How many tests run at once (default: four times the number of CPUs, from 4 to 16).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Show the compiler's full output and each failing test's whole output.
        #[arg(long, short)]
        verbose: bool,
        /// Print the verdicts as JSON, for editors and tools.
        #[arg(long)]
        json: bool,
        /// No colour and no progress line, even on a terminal.
        #[arg(long)]
        plain: bool,
        /// How many more times each race-sensitive test runs once an exercise passes (0: never).
        #[arg(long, value_name = "RUNS", default_value_t = check::DEFAULT_STRESS)]
        stress: usize,
    },
    /// Show the next hint for an exercise (or the one you ask for).
    Hint {
        /// The exercise.
        exercise: String,
        /// Which hint: 1 (a nudge), 2 (the approach) or 3 (nearly the answer).
        #[arg(long, value_name = "N")]
        level: Option<usize>,
    },
    /// Re-check an exercise every time you save one of its files.
    Watch {
        /// The exercise to watch (default: all of them; the one you save is checked).
        exercise: Option<String>,
        /// Look for changes by polling, where file events do not arrive.
        #[arg(long)]
        poll: bool,
        /// The time limit of each test, in seconds.
        #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
        timeout: f64,
    },
    /// Restore an exercise's starter code, after saving your version to a backup.
    Reset {
        /// The exercise.
        exercise: String,
        /// Do not ask (required when not run from a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// List the exercises, their last verdicts, and the book pages that teach them.
    List,
    /// Run the benchmarks and write the book's "What the patterns cost" tables and plots.
    Bench {
        /// A smoke run (small inputs, short measurements, under 3 minutes once built);
        /// its tables and plots go to target/bench-quick/, leaving the book's untouched.
        #[arg(long)]
        quick: bool,
    },
    /// Build the book (and open it with --open). Needs nothing but Rust.
    Book {
        /// Open the book in your browser.
        #[arg(long)]
        open: bool,
    },
    /// For the workshop's own tests: judge a spec binary built elsewhere (a fixture), as JSON.
    #[command(hide = true)]
    Judge {
        /// The exercise whose spec the binary was built from.
        exercise: String,
        /// The spec binary.
        #[arg(long)]
        binary: PathBuf,
        /// The folder to run it in.
        #[arg(long)]
        cwd: PathBuf,
        /// The fixture it was built from: its header is printed along, as the checker reads it.
        #[arg(long)]
        fixture: Option<String>,
        /// How many tests run at once.
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// How many more times each race-sensitive test runs once every test passed.
        #[arg(long, value_name = "RUNS", default_value_t = 0)]
        stress: usize,
    },
    /// For the workshop's authors: rewrite xtask/src/shipped.rs after changing a spec, a snapshot or a starter.
    #[command(hide = true)]
    Manifest {
        /// Only check that the manifest is up to date.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ended = run(cli);
    terminal::stop_if_interrupted();
    match ended {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root: the nearest folder above the current one whose
/// `Cargo.toml` has a `[workspace]` (so that `cargo xtask` works from any
/// folder of the workspace, and in a copy of it).
fn workspace_root() -> anyhow::Result<PathBuf> {
    let start = std::env::current_dir().context("reading the current folder")?;
    for dir in start.ancestors() {
        let manifest = dir.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest)
            && text.lines().any(|line| line.trim() == "[workspace]")
            && dir.join("specs").is_dir()
        {
            return Ok(dir.canonicalize().unwrap_or_else(|_| dir.to_owned()));
        }
    }
    anyhow::bail!(
        "could not find the workshop's workspace above {}: run `cargo xtask` from inside the cloned repository",
        start.display()
    )
}

fn seconds(value: f64) -> anyhow::Result<Duration> {
    match Duration::try_from_secs_f64(value) {
        Ok(limit) if limit > Duration::ZERO && limit <= MAX_TIMEOUT => Ok(limit),
        _ => anyhow::bail!(
            "--timeout must be a number of seconds above 0 and at most {} (an hour), not {value}",
            MAX_TIMEOUT.as_secs()
        ),
    }
}

/// The longest time limit a test may be given: a test that needs more is
/// waiting for something that will not come.
const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// Spec tests spend most of their time waiting (on timers, on a loopback
/// server, on channels), so four times as many run at once as there are
/// cores: at least 4, at most 16 (each is a process with its own runtime
/// and, for some specs, its own server).
///
/// Measured on 2 cores, a solved downloader re-checked with nothing to
/// rebuild: 1.47 to 1.77 s at 4 jobs, 1.06 to 1.08 s at 8. All ten solutions
/// with their stress repeats passed 20 times of 20 at 8 jobs, and 10 of 10
/// with two busy loops taking both cores.
fn default_jobs() -> usize {
    (4 * std::thread::available_parallelism().map_or(2, usize::from)).clamp(4, 16)
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let root = workspace_root()?;
    // Whatever a test starts and abandons is adopted by the checker, which
    // then finds it and ends it (see `procs`).
    procs::become_subreaper();
    // Ctrl-C ends the tests too, and leaves the terminal as it was.
    terminal::on_interrupt();
    match cli.command {
        Command::Check {
            exercises,
            solutions,
            timeout,
            jobs,
            verbose,
            json,
            plain,
            stress,
        } => {
            let selected = exercises::select(&exercises)?;
            let options = check::Options {
                target: if solutions {
                    Target::Solutions
                } else {
                    Target::Exercises
                },
                timeout: seconds(timeout)?,
                jobs: jobs.unwrap_or_else(default_jobs),
                verbose,
                stress,
                brief_after_first: exercises.is_empty() && !verbose,
                where_threads_are: true,
            };
            let ui = Ui::detect(plain || json);
            let reports = check::check(&root, &selected, &options, &ui)?;
            // Tests ended by an interrupt have no verdict to show or keep.
            terminal::stop_if_interrupted();
            if options.target == Target::Exercises {
                for report in &reports {
                    state::record_status(&root, report.exercise, report.verdict.id())?;
                }
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report::to_json(&reports, &options))?
                );
            } else {
                print!("{}", report::render(&reports, &options, &ui));
            }
            let all_pass = reports.iter().all(|r| r.verdict == check::Verdict::Passed);
            Ok(if all_pass {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Hint { exercise, level } => {
            let exercise = find(&exercise)?;
            print!("{}", hints::show(&root, exercise, level)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Watch {
            exercise,
            poll,
            timeout,
        } => {
            let selected = match exercise {
                Some(name) => vec![find(&name)?],
                None => EXERCISES.iter().collect(),
            };
            let options = check::Options {
                target: Target::Exercises,
                timeout: seconds(timeout)?,
                jobs: default_jobs(),
                verbose: false,
                stress: check::DEFAULT_STRESS,
                brief_after_first: false,
                where_threads_are: true,
            };
            let ui = Ui::detect(false);
            watch::watch(
                &root,
                &selected,
                poll,
                |exercise| match check::check(&root, &[exercise], &options, &ui) {
                    Ok(reports) => {
                        terminal::stop_if_interrupted();
                        for report in &reports {
                            let _ =
                                state::record_status(&root, report.exercise, report.verdict.id());
                        }
                        print!("{}", report::render(&reports, &options, &ui));
                    }
                    Err(err) => eprintln!("error: {err:#}"),
                },
                |exercise| match hints::show(&root, exercise, None) {
                    Ok(text) => print!("{text}"),
                    Err(err) => eprintln!("error: {err:#}"),
                },
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Reset { exercise, yes } => {
            let exercise = find(&exercise)?;
            if !yes {
                anyhow::ensure!(
                    std::io::stdin().is_terminal(),
                    "`cargo xtask reset {0}` replaces your code in {1}; without a terminal to ask you, \
                     add --yes to confirm (your version is backed up first)",
                    exercise.name,
                    exercise.dir(Target::Exercises).display()
                );
                if !confirm(&format!(
                    "Replace your code in {} with the starter code? Your version is backed up first. [y/N] ",
                    exercise.dir(Target::Exercises).display()
                ))? {
                    println!("Nothing changed.");
                    return Ok(ExitCode::FAILURE);
                }
            }
            let backup = reset::reset(&root, exercise)?;
            hints::forget(&root, exercise)?;
            let shown = backup.strip_prefix(&root).unwrap_or(&backup);
            let crate_dir = exercise.dir(Target::Exercises);
            println!(
                "Restored the starter code of `{}`. Your previous version is in {}\n\
                 To bring it back: cp -r {}/. {}/",
                exercise.name,
                shown.display(),
                shown.display(),
                crate_dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::List => {
            print!("{}", list(&root)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { quick } => {
            // The benchmarks live in their own package, so that criterion,
            // rayon and governor never slow down `cargo xtask check`.
            let mut bench = build::cargo();
            bench
                .current_dir(&root)
                .args(["bench", "--package", "benchmarks"]);
            if quick {
                bench.args(["--", "--quick"]);
            }
            let status = bench
                .status()
                .context("running `cargo bench -p benchmarks`")?;
            anyhow::ensure!(
                status.success(),
                "`cargo bench -p benchmarks` failed ({status})"
            );
            let mut summarize = build::cargo();
            summarize.current_dir(&root).args([
                "run",
                "--quiet",
                "--release",
                "--package",
                "benchmarks",
                "--bin",
                "summarize",
            ]);
            let out = if quick {
                root.join("target/bench-quick")
            } else {
                root.join("book/src/costs")
            };
            if quick {
                summarize.arg("--").arg("--out").arg(&out);
            }
            let status = summarize
                .status()
                .context("running the benchmark summarizer")?;
            anyhow::ensure!(
                status.success(),
                "the benchmark summarizer failed ({status})"
            );
            println!(
                "The tables and plots are in {}",
                out.strip_prefix(&root).unwrap_or(&out).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Book { open } => {
            let mut command = build::cargo();
            command.current_dir(&root).args([
                "run",
                "--quiet",
                "--package",
                "book-builder",
                "--",
                "build",
            ]);
            if open {
                command.arg("--open");
            }
            let status = command
                .status()
                .context("running the book builder (`cargo run -p book-builder`)")?;
            Ok(if status.success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Judge {
            exercise,
            binary,
            cwd,
            fixture,
            jobs,
            stress,
        } => {
            let exercise = find(&exercise)?;
            let options = check::Options {
                target: Target::Solutions,
                timeout: seconds(10.0)?,
                jobs: jobs.unwrap_or_else(default_jobs),
                verbose: false,
                stress,
                brief_after_first: false,
                // A fixture's code is not in exercises/: gdb would find no
                // line of it, and take seconds for each stuck test.
                where_threads_are: false,
            };
            let report =
                check::judge_binary(&root, exercise, &binary, &cwd, &options, &Ui::detect(true))?;
            let mut json = report::to_json(std::slice::from_ref(&report), &options);
            if let Some(name) = fixture {
                let path = root
                    .join("xtask/tests/fixtures")
                    .join(exercise.name)
                    .join(format!("{name}.rs"));
                let source = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                json["fixture"] = match mistakes::parse(&name, &source) {
                    Ok(header) => report::mistake_json(&root, &header),
                    Err(problem) => serde_json::json!({ "error": problem }),
                };
            }
            println!("{}", serde_json::to_string_pretty(&json)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Manifest { check } => {
            let expected = manifest::compute(&root)?;
            if check {
                let current =
                    std::fs::read_to_string(root.join(manifest::SHIPPED)).unwrap_or_default();
                anyhow::ensure!(
                    current == expected,
                    "{} is out of date: a spec, a snapshot, a starter or a support crate changed. \
                     Run `cargo xtask manifest` and commit the result.",
                    manifest::SHIPPED
                );
                println!("{} is up to date", manifest::SHIPPED);
            } else {
                manifest::write(&root)?;
                println!("wrote {}", manifest::SHIPPED);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn find(name: &str) -> anyhow::Result<&'static Exercise> {
    Exercise::find(name).ok_or_else(|| {
        anyhow::anyhow!(
            "there is no exercise called `{name}`; the exercises are: {}",
            exercises::names()
        )
    })
}

fn confirm(question: &str) -> anyhow::Result<bool> {
    use std::io::Write;
    print!("{question}");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// `cargo xtask list`: one line per exercise, from the last check.
fn list(root: &Path) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut passed = 0;
    let mut rows = Vec::new();
    for (number, exercise) in EXERCISES.iter().enumerate() {
        let status = match state::last_status(root, exercise) {
            None => "not checked yet".to_owned(),
            Some((verdict, fingerprint)) => {
                if verdict == "passed" && state::fingerprint(root, exercise)? == fingerprint {
                    passed += 1;
                }
                let verdict = verdict.replace('_', " ");
                if state::fingerprint(root, exercise)? == fingerprint {
                    verdict
                } else {
                    format!("{verdict} (changed since)")
                }
            }
        };
        rows.push((number + 1, exercise, status));
    }
    out.push_str(&format!(
        "Progress: {passed} of {} exercises pass (as of their last check).\n",
        EXERCISES.len()
    ));
    for (heading, projects) in [
        ("One small exercise per pattern, after its chapter:", false),
        ("The projects, which put the patterns together:", true),
    ] {
        out.push_str(&format!("\n{heading}\n"));
        for (number, exercise, status) in rows.iter().filter(|(_, e, _)| e.project == projects) {
            out.push_str(&format!(
                "{number:>3}. {:<15} {:<32} book: Exercises > {} (practises: {})\n",
                exercise.name, status, exercise.title, exercise.pattern_chapter
            ));
        }
    }
    out.push_str("\n`cargo xtask check` refreshes these verdicts; `cargo xtask book --open` opens the book.\n");
    Ok(out)
}
