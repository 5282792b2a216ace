//! `cargo xtask check`: judge exercises against their specs.
//!
//! The steps: verify that the specs and snapshots are the ones that shipped;
//! build every spec binary in one cargo invocation; run each test in its own
//! process, several at once, each with a time limit; turn each run into a
//! verdict; report.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;

use crate::build::{self, Built, CompileError};
use crate::exercises::{Exercise, Target};
use crate::manifest::{self, Edited};
use crate::runner;
use crate::ui::{Style, Ui};
use crate::verdict::{self, TestResult, TestVerdict};

/// How to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// The learner's exercises or the reference solutions.
    pub target: Target,
    /// The time limit of each test.
    pub timeout: Duration,
    /// How many tests run at once.
    pub jobs: usize,
    /// Show the full compiler output and each failing test's whole output.
    pub verbose: bool,
}

/// The verdict on a whole exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every test of its spec passes.
    Passed,
    /// Every test stops at a `todo!()`.
    NotStarted,
    /// Some tests do not pass.
    Failing,
    /// The crate or its spec does not compile.
    DoesNotCompile,
    /// A spec, snapshot or spec runner was changed: no verdict can be trusted.
    SpecEdited,
}

impl Verdict {
    /// A stable identifier for `--json` and the status file.
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::NotStarted => "not_started",
            Verdict::Failing => "failing",
            Verdict::DoesNotCompile => "does_not_compile",
            Verdict::SpecEdited => "spec_edited",
        }
    }
}

/// Everything the checker found out about one exercise.
#[derive(Debug, Clone)]
pub struct Report {
    /// The exercise.
    pub exercise: &'static Exercise,
    /// The overall verdict.
    pub verdict: Verdict,
    /// Every test of the spec, in the spec's order.
    pub tests: Vec<TestResult>,
    /// Compiler errors, if it does not compile.
    pub compile_errors: Vec<CompileError>,
    /// Protected files that were changed, if any.
    pub edited: Vec<Edited>,
}

/// The environment every spec test runs in: insta never writes or forgives
/// a snapshot, whatever the learner's environment or config says, and
/// panics print no backtrace (the verdict shows the message).
fn test_env(root: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("INSTA_UPDATE", "no".into()),
        ("INSTA_FORCE_PASS", "0".into()),
        ("INSTA_REQUIRE_FULL_MATCH", "0".into()),
        ("INSTA_OUTPUT", "diff".into()),
        ("INSTA_WORKSPACE_ROOT", root.display().to_string()),
        ("RUST_BACKTRACE", "0".into()),
        ("NO_COLOR", "1".into()),
        ("CLICOLOR", "0".into()),
        ("CLICOLOR_FORCE", "0".into()),
    ]
}

/// Checks `exercises` and returns one report each, in the same order.
pub fn check(
    root: &Path,
    exercises: &[&'static Exercise],
    options: &Options,
    ui: &Ui,
) -> anyhow::Result<Vec<Report>> {
    let mut reports: Vec<Report> = exercises
        .iter()
        .map(|exercise| Report {
            exercise,
            verdict: Verdict::Passed,
            tests: Vec::new(),
            compile_errors: Vec::new(),
            edited: Vec::new(),
        })
        .collect();

    // 1. Honesty first: an edited spec or snapshot means no verdict.
    for report in &mut reports {
        report.edited = manifest::edited(root, report.exercise, options.target)?;
        if !report.edited.is_empty() {
            report.verdict = Verdict::SpecEdited;
        }
    }
    let to_build: Vec<&Exercise> = reports
        .iter()
        .filter(|report| report.verdict != Verdict::SpecEdited)
        .map(|report| report.exercise)
        .collect();
    if to_build.is_empty() {
        return Ok(reports);
    }

    // 2. One build for everything.
    ui.progress().set("Building the specs...");
    let built = build::build(root, &to_build, options.target, ui)?;

    // 3. Every test in a process of its own, `jobs` at a time.
    let mut queue = VecDeque::new();
    for (index, report) in reports.iter_mut().enumerate() {
        match built.get(report.exercise.name) {
            Some(Built::Errors(errors)) => {
                report.verdict = Verdict::DoesNotCompile;
                report.compile_errors = errors.clone();
            }
            Some(Built::Binary(binary)) => {
                let cwd = root.join(report.exercise.dir(options.target));
                for name in build::list_tests(binary, &cwd)? {
                    queue.push_back((index, binary.clone(), cwd.clone(), name));
                }
            }
            None => {}
        }
    }
    let total = queue.len();
    let queue = Mutex::new(queue);
    let results: Mutex<Vec<(usize, String, TestResult)>> = Mutex::new(Vec::new());
    let env = test_env(root);
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let Some((index, binary, cwd, name)) =
                        queue.lock().expect("no panics under this lock").pop_front()
                    else {
                        return;
                    };
                    let done = results.lock().expect("no panics under this lock").len();
                    ui.progress()
                        .set(&format!("Running the specs: {done}/{total} ({name})"));
                    match runner::run_test(&binary, &name, &cwd, &env, options.timeout) {
                        Ok(run) => {
                            let result = verdict::judge(&name, &run, options.timeout);
                            results
                                .lock()
                                .expect("no panics under this lock")
                                .push((index, name, result));
                        }
                        Err(err) => {
                            failure
                                .lock()
                                .expect("no panics under this lock")
                                .get_or_insert(err);
                        }
                    }
                }
            });
        }
    });
    ui.progress().clear();
    if let Some(err) = failure.into_inner().expect("no panics under this lock") {
        return Err(err);
    }
    let mut results = results.into_inner().expect("no panics under this lock");
    results.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    for (index, _, result) in results {
        reports[index].tests.push(result);
    }

    // 4. One verdict per exercise.
    for report in &mut reports {
        if matches!(
            report.verdict,
            Verdict::SpecEdited | Verdict::DoesNotCompile
        ) {
            continue;
        }
        let passed = report
            .tests
            .iter()
            .filter(|t| t.verdict == TestVerdict::Passed)
            .count();
        let not_started = report
            .tests
            .iter()
            .filter(|t| t.verdict == TestVerdict::NotStarted)
            .count();
        report.verdict = if passed == report.tests.len() {
            Verdict::Passed
        } else if passed == 0 && not_started == report.tests.len() {
            Verdict::NotStarted
        } else {
            Verdict::Failing
        };
    }
    Ok(reports)
}

/// Sorts `file:line:column` by file, then by line and column as numbers.
fn location_key(location: &str) -> (String, u64, u64) {
    let mut parts = location.rsplitn(3, ':');
    let column = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    let line = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
    (parts.next().unwrap_or_default().to_owned(), line, column)
}

/// How many lines of a message the report shows (all with `--verbose`).
const MESSAGE_LINES: usize = 12;

/// Breaks a long paragraph into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> String {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("never empty");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines.join("\n")
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|line| format!("{by}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn first_lines(text: &str, n: usize, verbose: bool) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if verbose || lines.len() <= n {
        return text.to_owned();
    }
    format!(
        "{}\n[... {} more lines: run with --verbose to see them ...]",
        lines[..n].join("\n"),
        lines.len() - n
    )
}

/// The human report.
pub fn render(reports: &[Report], options: &Options, ui: &Ui) -> String {
    let mut out = String::new();
    let noun = match options.target {
        Target::Exercises => "exercise",
        Target::Solutions => "solution",
    };
    for report in reports {
        out.push_str(&render_one(report, options, ui));
        out.push('\n');
    }
    let passed = reports
        .iter()
        .filter(|r| r.verdict == Verdict::Passed)
        .count();
    let plural = if reports.len() == 1 { "" } else { "s" };
    let summary = format!(
        "{passed} of {} {noun}{plural} pass{}.",
        reports.len(),
        if reports.len() == 1 { "es" } else { "" }
    );
    let style = if passed == reports.len() {
        Style::Green
    } else {
        Style::Bold
    };
    out.push_str(&ui.paint(&summary, style));
    out.push('\n');
    if options.target == Target::Exercises {
        out.push_str(&next_step(reports));
        out.push('\n');
    }
    out
}

fn render_one(report: &Report, options: &Options, ui: &Ui) -> String {
    let exercise = report.exercise;
    let name = exercise.name;
    let passed = report
        .tests
        .iter()
        .filter(|t| t.verdict == TestVerdict::Passed)
        .count();
    let (mark, headline, style) = match report.verdict {
        Verdict::Passed => (
            "✓",
            format!("passed ({} tests)", report.tests.len()),
            Style::Green,
        ),
        Verdict::NotStarted => ("○", "not started".to_owned(), Style::Yellow),
        Verdict::Failing => (
            "✗",
            format!("{passed} of {} tests pass", report.tests.len()),
            Style::Red,
        ),
        Verdict::DoesNotCompile => ("✗", "does not compile".to_owned(), Style::Red),
        Verdict::SpecEdited => ("✗", "spec edited".to_owned(), Style::Red),
    };
    let mut out = format!(
        "{} {}: {}\n",
        ui.paint(mark, style),
        ui.paint(name, Style::Bold),
        ui.paint(&headline, style)
    );
    let crate_dir = exercise.dir(options.target);
    match report.verdict {
        Verdict::Passed => return out,
        Verdict::NotStarted => {
            let first_todo = report
                .tests
                .iter()
                .filter_map(|t| t.todo_at.as_deref())
                .min_by_key(|at| location_key(at));
            out.push_str(&format!(
                "    Every test stops at a todo!(){}.\n",
                first_todo
                    .map(|at| format!(" (the first at {at})"))
                    .unwrap_or_default()
            ));
            out.push_str(&format!(
                "    The task and its contract are at the top of {}.\n",
                crate_dir.join("src").join("lib.rs").display()
            ));
        }
        Verdict::DoesNotCompile => {
            let errors = &report.compile_errors;
            if options.verbose {
                for error in errors {
                    out.push_str(&indent(&error.rendered, "    "));
                    out.push_str("\n\n");
                }
            } else if let Some(first) = errors.first() {
                out.push_str(&indent(&first_lines(&first.rendered, 20, false), "    "));
                out.push('\n');
                let more = if errors.len() > 1 {
                    format!("{} errors; ", errors.len())
                } else {
                    String::new()
                };
                out.push_str(&ui.paint(
                    &format!("    ({more}the first is shown; `cargo xtask check {name} --verbose` shows the compiler's full output)\n"),
                    Style::Dim,
                ));
            }
        }
        Verdict::SpecEdited => {
            out.push_str("    These files differ from the ones that shipped, so no verdict can be trusted:\n");
            for edited in &report.edited {
                out.push_str(&format!(
                    "      {} ({})\n",
                    edited.path,
                    if edited.missing { "missing" } else { "changed" }
                ));
            }
            let paths: Vec<&str> = report.edited.iter().map(|e| e.path.as_str()).collect();
            out.push_str(&format!(
                "    Restore them with: git checkout -- {}\n",
                paths.join(" ")
            ));
        }
        Verdict::Failing => {
            for test in report
                .tests
                .iter()
                .filter(|t| t.verdict != TestVerdict::Passed)
            {
                out.push_str(&render_test(test, options, ui));
            }
            if report
                .tests
                .iter()
                .any(|t| t.verdict == TestVerdict::TimedOut)
            {
                out.push_str(&indent(&wrap(verdict::HANG_ADVICE, 92), "    "));
                out.push('\n');
            }
        }
    }
    if options.target == Target::Exercises {
        out.push_str(&ui.paint(
            &format!(
                "    Book: Exercises > {} (cargo xtask book --open). Stuck? cargo xtask hint {name}\n",
                exercise.title
            ),
            Style::Dim,
        ));
    }
    out
}

fn render_test(test: &TestResult, options: &Options, ui: &Ui) -> String {
    let style = match test.verdict {
        TestVerdict::NotStarted | TestVerdict::Leaked => Style::Yellow,
        _ => Style::Red,
    };
    let mut out = format!(
        "    {} {}: {}\n",
        ui.paint("✗", style),
        test.name,
        ui.paint(test.verdict.label(), style)
    );
    if test.verdict == TestVerdict::NotStarted {
        if let Some(at) = &test.todo_at {
            out.push_str(&format!("        stops at the todo!() at {at}\n"));
        }
        return out;
    }
    // The advice after a deadline message is given once per exercise.
    let message = match test.message.find(" This looks like a deadlock") {
        Some(at) if test.verdict == TestVerdict::TimedOut => &test.message[..at],
        _ => &test.message,
    };
    out.push_str(&indent(
        &first_lines(message, MESSAGE_LINES, options.verbose),
        "        ",
    ));
    out.push('\n');
    if let Some(diff) = &test.snapshot_diff {
        out.push_str(&indent(diff, "        | "));
        out.push('\n');
    }
    if let Some(location) = &test.location {
        out.push_str(&ui.paint(&format!("        at {location}\n"), Style::Dim));
    }
    if let Some(at) = test
        .todo_at
        .as_ref()
        .filter(|_| test.verdict != TestVerdict::NotStarted)
    {
        out.push_str(&format!(
            "        (a todo!() was reached at {at}: that part is not written yet)\n"
        ));
    }
    if options.verbose && !test.output.trim().is_empty() {
        out.push_str("        --- the test's output ---\n");
        out.push_str(&indent(test.output.trim_end(), "        "));
        out.push('\n');
    }
    out
}

/// The one thing to do next, for the first exercise (in book order) that
/// does not pass yet.
fn next_step(reports: &[Report]) -> String {
    let Some(report) = reports.iter().find(|r| r.verdict != Verdict::Passed) else {
        return "Next: compare your code with the reference solutions (solutions/), explained in the book's \
                Solutions part (cargo xtask book --open)."
            .to_owned();
    };
    let name = report.exercise.name;
    let lib = report.exercise.lib_rs();
    match report.verdict {
        Verdict::NotStarted => format!(
            "Next: start `{name}`: read the task at the top of {}, and the book's page on it \
             (cargo xtask book --open); then run `cargo xtask check {name}`.",
            lib.display()
        ),
        Verdict::DoesNotCompile => format!(
            "Next: make `{name}` compile{}, then run `cargo xtask check {name}`.",
            report
                .compile_errors
                .first()
                .and_then(|e| e.location.as_deref())
                .map(|at| format!(" (start at {at})"))
                .unwrap_or_default()
        ),
        Verdict::SpecEdited => format!(
            "Next: restore the spec of `{name}` (the command is above), then run `cargo xtask check {name}`."
        ),
        Verdict::Failing => {
            let first = report
                .tests
                .iter()
                .find(|t| t.verdict != TestVerdict::Passed)
                .map(|t| t.name.as_str())
                .unwrap_or("");
            format!(
                "Next: in `{name}`, make `{first}` pass; `cargo xtask watch {name}` re-checks on every save, \
                 and `cargo xtask hint {name}` helps when you are stuck."
            )
        }
        Verdict::Passed => unreachable!("found a report that does not pass"),
    }
}

/// The machine-readable report (`--json`).
pub fn to_json(reports: &[Report], options: &Options) -> serde_json::Value {
    let exercises: Vec<serde_json::Value> = reports
        .iter()
        .map(|report| {
            json!({
                "name": report.exercise.name,
                "verdict": report.verdict.id(),
                "tests": report.tests.iter().map(|t| json!({
                    "name": t.name,
                    "verdict": t.verdict.id(),
                    "message": t.message,
                    "location": t.location,
                    "todo_at": t.todo_at,
                    "snapshot_diff": t.snapshot_diff,
                    "duration_ms": u64::try_from(t.duration.as_millis()).unwrap_or(u64::MAX),
                })).collect::<Vec<_>>(),
                "compile_errors": report.compile_errors.iter().map(|e| json!({
                    "rendered": e.rendered,
                    "location": e.location,
                })).collect::<Vec<_>>(),
                "edited": report.edited.iter().map(|e| json!({"path": e.path, "missing": e.missing})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "target": match options.target { Target::Exercises => "exercises", Target::Solutions => "solutions" },
        "passed": reports.iter().filter(|r| r.verdict == Verdict::Passed).count(),
        "total": reports.len(),
        "exercises": exercises,
    })
}
