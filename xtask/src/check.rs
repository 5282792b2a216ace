//! `cargo xtask check`: judge exercises against their specs.
//!
//! The steps, each of which can end an exercise's judgement:
//!
//! 1. the protected files (spec, snapshots, spec runner, cargo config) are
//!    the shipped ones ([`crate::manifest`]);
//! 2. one build for every exercise, which refuses set-ups that could change
//!    the spec while it compiles ([`crate::build`]); then the protected files
//!    are compared again;
//! 3. the spec binary must list exactly the tests the shipped spec has;
//! 4. every test runs in a process of its own, several at once, within time
//!    and memory limits ([`crate::runner`]), with a private, read-only copy
//!    of the snapshots, and becomes a verdict ([`crate::verdict`]);
//! 5. the protected files and the private snapshots are compared once more:
//!    a test that changed one proves nothing.
//!
//! Only then is an exercise *passed*. Rendering the reports is
//! [`crate::report`]'s job; this module decides, it does not print.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;

use crate::build::{self, Built, CompileError};
use crate::exercises::{Exercise, Target};
use crate::manifest::{self, Edited};
use crate::mistakes::{self, Mistake};
use crate::runner::{self, Limits, Running};
use crate::state;
use crate::ui::Ui;
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
    /// How many more times each scheduling-sensitive test runs once every
    /// test of an exercise has passed (0: never).
    pub stress: usize,
    /// Tell only the first exercise that does not pass in detail, and the
    /// ones after it in a line each (when every exercise is checked).
    pub brief_after_first: bool,
    /// When a test runs out of time, also ask gdb (where installed) for the
    /// line of the judged code each thread was at. Off for fixtures, whose
    /// code is not in `exercises/`.
    pub where_threads_are: bool,
}

/// How many more runs a scheduling-sensitive test gets by default, once its
/// exercise passes: enough to catch a race that shows one run in five, few
/// enough to keep a re-check within a few seconds.
pub const DEFAULT_STRESS: usize = 20;

/// The verdict on a whole exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every test of its spec ran to its end and passed.
    Passed,
    /// Every test stops at a `todo!()`.
    NotStarted,
    /// Some tests do not pass.
    Failing,
    /// The crate or its spec does not compile.
    DoesNotCompile,
    /// A spec, snapshot, spec runner or support crate was changed, before or
    /// during the check: no verdict can be trusted.
    SpecEdited,
    /// The exercise is set up in a way that no verdict could be trusted (a
    /// build script, a spec binary that lists other tests, ...).
    CannotJudge,
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
            Verdict::CannotJudge => "cannot_judge",
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
    /// Every test of the spec that ran, in the spec's order.
    pub tests: Vec<TestResult>,
    /// Compiler errors, if it does not compile.
    pub compile_errors: Vec<CompileError>,
    /// Protected files that were changed, if any.
    pub edited: Vec<Edited>,
    /// Why it cannot be judged, for [`Verdict::CannotJudge`].
    pub problem: Option<String>,
    /// The known mistakes its failures look like (usually one).
    pub mistakes: Vec<Mistake>,
    /// The workspace root, for the book references a report makes.
    pub workspace_root: Option<PathBuf>,
}

impl Report {
    fn new(exercise: &'static Exercise) -> Report {
        Report {
            exercise,
            verdict: Verdict::Passed,
            tests: Vec::new(),
            compile_errors: Vec::new(),
            edited: Vec::new(),
            problem: None,
            mistakes: Vec::new(),
            workspace_root: None,
        }
    }

    /// Whether a verdict has been reached that no later step can change.
    fn settled(&self) -> bool {
        matches!(
            self.verdict,
            Verdict::SpecEdited | Verdict::DoesNotCompile | Verdict::CannotJudge
        )
    }

    fn edited(&mut self, edited: Vec<Edited>) {
        if !edited.is_empty() {
            self.verdict = Verdict::SpecEdited;
            for file in edited {
                if !self.edited.contains(&file) {
                    self.edited.push(file);
                }
            }
        }
    }

    fn cannot_judge(&mut self, problem: String) {
        if !self.settled() {
            self.verdict = Verdict::CannotJudge;
            self.problem = Some(problem);
        }
    }
}

/// The environment every spec test runs in: insta never writes or forgives
/// a snapshot, whatever the learner's environment or config says, and reads
/// them from `snapshots_root` (a private copy); panics print no backtrace
/// (the verdict shows the message).
fn test_env(snapshots_root: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("INSTA_UPDATE", "no".into()),
        ("INSTA_FORCE_PASS", "0".into()),
        ("INSTA_REQUIRE_FULL_MATCH", "0".into()),
        ("INSTA_OUTPUT", "diff".into()),
        ("INSTA_WORKSPACE_ROOT", snapshots_root.display().to_string()),
        ("RUST_BACKTRACE", "0".into()),
        ("NO_COLOR", "1".into()),
        ("CLICOLOR", "0".into()),
        ("CLICOLOR_FORCE", "0".into()),
    ]
}

/// A private, read-only copy of an exercise's shipped snapshots, laid out
/// the way insta looks for them (the spec's own path, relative to a root).
struct PrivateSnapshots {
    root: PathBuf,
    /// The file whose removal lets one stuck test of the exercise ask gdb
    /// where its threads are (see `thread_states::TOKEN_ENV`).
    gdb_token: PathBuf,
    /// Each copied file, relative to `root`, and its shipped hash.
    files: Vec<(PathBuf, String)>,
}

impl PrivateSnapshots {
    fn create(
        root: &Path,
        binary: &Path,
        exercise: &Exercise,
        target: Target,
    ) -> anyhow::Result<PrivateSnapshots> {
        // Beside the build output: `target/xtask/snapshots/<exercise>-<pid>`.
        let target_dir = binary
            .parent()
            .and_then(Path::parent)
            .and_then(Path::parent)
            .unwrap_or(root);
        let private = target_dir.join("xtask").join("snapshots").join(format!(
            "{}-{}-{}",
            exercise.package(target),
            std::process::id(),
            unique()
        ));
        remove_tree(&private);
        // insta joins the root with the directory of `file!()` of the spec:
        // `<crate>/tests/../../../specs/<name>/`, so that path must exist.
        fs::create_dir_all(private.join(exercise.dir(target)).join("tests"))
            .with_context(|| format!("creating {}", private.display()))?;
        let mut files = Vec::new();
        let prefix = format!("specs/{}/snapshots/", exercise.name);
        for (path, hash) in crate::shipped::FILES {
            if !path.starts_with(&prefix) {
                continue;
            }
            let copy = private.join(path);
            fs::create_dir_all(copy.parent().expect("a file in a folder"))?;
            fs::copy(root.join(path), &copy)
                .with_context(|| format!("copying {path} for the tests"))?;
            set_read_only(&copy, true);
            files.push((PathBuf::from(path), (*hash).to_owned()));
        }
        if let Some(dir) = private.join(&prefix).parent() {
            set_read_only(&dir.join("snapshots"), true);
        }
        let gdb_token = private.join("gdb-token");
        fs::write(&gdb_token, "").with_context(|| format!("creating {}", gdb_token.display()))?;
        Ok(PrivateSnapshots {
            root: private,
            gdb_token,
            files,
        })
    }

    /// The copies that a test changed or removed.
    fn edited(&self) -> Vec<Edited> {
        let mut edited = Vec::new();
        for (path, hash) in &self.files {
            let copy = self.root.join(path);
            let now = fs::read(&copy)
                .ok()
                .map(|bytes| format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&bytes)));
            if now.as_deref() != Some(hash.as_str()) {
                edited.push(Edited {
                    path: format!(
                        "{} (the checker's private copy of it, changed while the tests ran)",
                        manifest::slash_path(path)
                    ),
                    missing: now.is_none(),
                });
            }
        }
        edited
    }
}

impl Drop for PrivateSnapshots {
    fn drop(&mut self) {
        remove_tree(&self.root);
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn set_read_only(path: &Path, read_only: bool) {
    if let Ok(metadata) = fs::metadata(path) {
        let mut permissions = metadata.permissions();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = match (metadata.is_dir(), read_only) {
                (true, true) => 0o555,
                (true, false) => 0o755,
                (false, true) => 0o444,
                (false, false) => 0o644,
            };
            permissions.set_mode(mode);
        }
        #[cfg(not(unix))]
        permissions.set_readonly(read_only);
        let _ = fs::set_permissions(path, permissions);
    }
}

/// Removes a private folder of the checker's, read-only parts included.
fn remove_tree(dir: &Path) {
    if !dir.exists() {
        return;
    }
    let mut stack = vec![dir.to_owned()];
    while let Some(next) = stack.pop() {
        set_read_only(&next, false);
        if let Ok(entries) = fs::read_dir(&next) {
            for entry in entries.flatten() {
                let path = entry.path();
                set_read_only(&path, false);
                if path.is_dir() {
                    stack.push(path);
                }
            }
        }
    }
    let _ = fs::remove_dir_all(dir);
}

/// The folder of the code being judged, as the debug information names
/// its files (relative to the workspace): where a stuck test's report looks
/// for the line each thread was at.
fn judged_source(
    exercise: &Exercise,
    target: Target,
    options: &Options,
    snapshots: &PrivateSnapshots,
) -> Vec<(&'static str, String)> {
    if !options.where_threads_are {
        return Vec::new();
    }
    let dir = exercise.dir(target);
    vec![
        (thread_states::SOURCE_ENV, format!("{}/src/", dir.display())),
        (
            thread_states::TOKEN_ENV,
            snapshots.gdb_token.display().to_string(),
        ),
    ]
}

/// One test waiting to run.
struct Job {
    report: usize,
    binary: PathBuf,
    stamp: Stamp,
    cwd: PathBuf,
    name: String,
    snapshots: PathBuf,
    /// Environment variables of this run only.
    extra_env: Vec<(&'static str, String)>,
}

/// What a file is, cheaply: a binary replaced or rewritten after the build
/// (by something a test started, say) has another stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let metadata = fs::metadata(path).ok()?;
        Some(Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            #[cfg(unix)]
            inode: {
                use std::os::unix::fs::MetadataExt;
                (metadata.dev(), metadata.ino())
            },
        })
    }
}

/// Checks `exercises` and returns one report each, in the same order.
pub fn check(
    root: &Path,
    exercises: &[&'static Exercise],
    options: &Options,
    ui: &Ui,
) -> anyhow::Result<Vec<Report>> {
    let target = options.target;
    let mut reports: Vec<Report> = exercises.iter().map(|e| Report::new(e)).collect();
    for report in &mut reports {
        report.workspace_root = Some(root.to_owned());
    }

    // 1. An edited spec or snapshot means no verdict.
    for report in &mut reports {
        report.edited(manifest::edited(root, report.exercise, target));
    }
    let to_build: Vec<&'static Exercise> = reports
        .iter()
        .filter(|report| !report.settled())
        .map(|report| report.exercise)
        .collect();
    if to_build.is_empty() {
        return Ok(reports);
    }

    // 2. One build for everything, then the same comparison again: a build
    //    must not have changed what it built from.
    ui.progress().set("Building the specs...");
    let built = build::build(root, &to_build, target, ui)?;
    for report in &mut reports {
        if report.settled() {
            continue;
        }
        report.edited(manifest::edited(root, report.exercise, target));
        match built.get(report.exercise.name) {
            Some(Built::Errors(errors)) if !report.settled() => {
                report.verdict = Verdict::DoesNotCompile;
                report.compile_errors = errors.clone();
            }
            Some(Built::Edited(edited)) => report.edited(edited.clone()),
            Some(Built::Refused(problem)) => report.cannot_judge(problem.clone()),
            _ => {}
        }
    }

    let binaries: BTreeMap<usize, (PathBuf, PathBuf)> = reports
        .iter()
        .enumerate()
        .filter_map(|(index, report)| match built.get(report.exercise.name) {
            Some(Built::Binary(binary)) if !report.settled() => Some((
                index,
                (binary.clone(), root.join(report.exercise.dir(target))),
            )),
            _ => None,
        })
        .collect();
    run_specs(root, &mut reports, &binaries, options, ui)?;
    Ok(reports)
}

/// Judges one spec binary built elsewhere (`cargo xtask judge`, which the
/// workshop's own tests use to judge fixtures exactly as the checker
/// judges a learner's code).
pub fn judge_binary(
    root: &Path,
    exercise: &'static Exercise,
    binary: &Path,
    cwd: &Path,
    options: &Options,
    ui: &Ui,
) -> anyhow::Result<Report> {
    let mut reports = vec![Report::new(exercise)];
    let binaries = BTreeMap::from([(0, (binary.to_owned(), cwd.to_owned()))]);
    run_specs(root, &mut reports, &binaries, options, ui)?;
    Ok(reports.remove(0))
}

/// Steps 3 to 6 for the reports whose spec binary (and the folder to run
/// it in) is in `binaries`, by index.
fn run_specs(
    root: &Path,
    reports: &mut [Report],
    binaries: &BTreeMap<usize, (PathBuf, PathBuf)>,
    options: &Options,
    ui: &Ui,
) -> anyhow::Result<()> {
    let target = options.target;
    // 3. The tests the binary has must be the tests the spec has.
    let mut queue = VecDeque::new();
    let mut private = Vec::new();
    for (index, report) in reports.iter_mut().enumerate() {
        let Some((binary, cwd)) = binaries.get(&index) else {
            continue;
        };
        let cwd = cwd.clone();
        let listed: Vec<String> = build::list_tests(binary, &cwd)?
            .into_iter()
            .map(|name| name.strip_prefix("spec::").unwrap_or(&name).to_owned())
            .collect();
        let shipped = manifest::shipped_tests(report.exercise);
        let missing: Vec<&str> = shipped
            .iter()
            .map(|test| test.name)
            .filter(|name| !listed.iter().any(|l| l == name))
            .collect();
        let unexpected: Vec<&str> = listed
            .iter()
            .map(String::as_str)
            .filter(|name| !shipped.iter().any(|test| test.name == *name))
            .collect();
        if !missing.is_empty() || !unexpected.is_empty() || shipped.is_empty() {
            report.cannot_judge(format!(
                "the spec binary of `{}` lists {} test(s), but the spec has {}{}{}. The binary was not built \
                 from the shipped spec, or something changed what it reports.",
                report.exercise.name,
                listed.len(),
                shipped.len(),
                if missing.is_empty() {
                    String::new()
                } else {
                    format!("; missing: {}", missing.join(", "))
                },
                if unexpected.is_empty() {
                    String::new()
                } else {
                    format!("; not in the spec: {}", unexpected.join(", "))
                },
            ));
            continue;
        }
        let snapshots = PrivateSnapshots::create(root, binary, report.exercise, target)?;
        let stamp = Stamp::of(binary).context("reading the spec binary's metadata")?;
        for test in shipped {
            let name = test.name;
            queue.push_back(Job {
                report: index,
                binary: binary.clone(),
                stamp: stamp.clone(),
                cwd: cwd.clone(),
                name: format!("spec::{name}"),
                snapshots: snapshots.root.clone(),
                extra_env: judged_source(report.exercise, target, options, &snapshots),
            });
        }
        private.push((index, snapshots, binary.clone(), stamp));
    }

    // 4. Every test in a process of its own, `jobs` at a time, the ones
    //    that took longest last time first: a test that waits in real time
    //    then overlaps the quick ones instead of ending the run alone.
    let took = state::test_durations(root);
    state::longest_first(queue.make_contiguous(), &took, |job| {
        let test = job.name.strip_prefix("spec::").unwrap_or(&job.name);
        state::duration_key(&reports[job.report].exercise.dir(target), test)
    });
    let limits = Limits {
        time: options.timeout,
        memory: runner::MEMORY_LIMIT,
    };
    let outcome = run_jobs(queue, options.jobs, limits, ui, "Running the specs")?;
    state::record_test_durations(
        root,
        outcome.results.iter().map(|(index, result)| {
            let key = state::duration_key(&reports[*index].exercise.dir(target), &result.name);
            let millis = u64::try_from(result.duration.as_millis()).unwrap_or(u64::MAX);
            (key, millis)
        }),
    );
    for (index, result) in outcome.results {
        reports[index].tests.push(result);
    }
    let mut replaced = outcome.replaced;

    // 4b. Once every test of an exercise passed, the ones that catch races
    //     run again, many times, spread over the cores.
    if options.stress > 0 {
        let mut again = VecDeque::new();
        for (index, snapshots, binary, stamp) in &private {
            let report = &reports[*index];
            let all_passed = !report.settled()
                && report.tests.len() == manifest::shipped_tests(report.exercise).len()
                && report
                    .tests
                    .iter()
                    .all(|t| t.verdict == TestVerdict::Passed);
            if !all_passed {
                continue;
            }
            for test in manifest::shipped_tests(report.exercise)
                .iter()
                .filter(|t| t.scheduling_sensitive)
            {
                for run in 0..options.stress {
                    again.push_back(Job {
                        report: *index,
                        binary: binary.clone(),
                        stamp: stamp.clone(),
                        cwd: root.join(report.exercise.dir(target)),
                        name: format!("spec::{}", test.name),
                        snapshots: snapshots.root.clone(),
                        // A different number of runtime workers each time:
                        // more schedules for a race to show in.
                        extra_env: [("TEST_KIT_WORKER_THREADS", (1 + run % 4).to_string())]
                            .into_iter()
                            .chain(judged_source(report.exercise, target, options, snapshots))
                            .collect(),
                    });
                }
            }
        }
        if !again.is_empty() {
            let outcome = run_jobs(
                again,
                options.jobs,
                limits,
                ui,
                "Running the race-sensitive tests again",
            )?;
            replaced.extend(outcome.replaced);
            for (index, runs) in group_by_test(outcome.results) {
                let report = &mut reports[index];
                for (name, runs) in runs {
                    let failed: Vec<&TestResult> = runs
                        .iter()
                        .filter(|r| r.verdict != TestVerdict::Passed)
                        .collect();
                    let Some(first) = failed.first() else {
                        continue;
                    };
                    if let Some(test) = report.tests.iter_mut().find(|t| t.name == name) {
                        let mut flaky = (*first).clone();
                        flaky.message = format!(
                            "passed once, then failed {} of {} more runs: a race, which shows only when the \
                             threads happen to interleave badly. Rerun it with `cargo xtask check {} --stress 100`. \
                             The first failure said:\n{}",
                            failed.len(),
                            runs.len(),
                            report.exercise.name,
                            first.message
                        );
                        flaky.verdict = TestVerdict::Flaky;
                        *test = flaky;
                    }
                }
            }
        }
    }

    // 5. Nothing the tests did may have changed what they were judged by.
    for (index, snapshots, binary, stamp) in &private {
        reports[*index].edited(snapshots.edited());
        if Stamp::of(binary).as_ref() != Some(stamp) {
            replaced.push((*index, binary.clone()));
        }
    }
    for (index, binary) in replaced {
        reports[index].cannot_judge(format!(
            "the spec binary ({}) was replaced or changed while the tests ran, after it was built: \
             code under test must not write the build's output",
            binary.display()
        ));
    }
    drop(private);
    for report in reports.iter_mut() {
        report.edited(manifest::edited(root, report.exercise, target));
    }

    // 6. One verdict per exercise, the tests in the spec's order, and the
    //    known mistake it looks like, if any.
    for report in reports.iter_mut() {
        let order = manifest::shipped_tests(report.exercise);
        report
            .tests
            .sort_by_key(|test| order.iter().position(|shipped| shipped.name == test.name));
        if report.settled() {
            continue;
        }
        let all = report.tests.len();
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
        report.verdict = if all > 0 && passed == all && all == order.len() {
            Verdict::Passed
        } else if all > 0 && not_started == all {
            Verdict::NotStarted
        } else {
            Verdict::Failing
        };
        if report.verdict == Verdict::Failing {
            report.mistakes = mistakes::recognise(root, report);
        }
    }
    Ok(())
}

/// What running a queue of tests found.
struct Outcome {
    /// Each test's result, with the index of its report.
    results: Vec<(usize, TestResult)>,
    /// The reports whose spec binary changed before one of its tests ran.
    replaced: Vec<(usize, PathBuf)>,
}

/// Runs every job, `jobs` at a time, each in a process of its own.
fn run_jobs(
    queue: VecDeque<Job>,
    jobs: usize,
    limits: Limits,
    ui: &Ui,
    doing: &str,
) -> anyhow::Result<Outcome> {
    let total = queue.len();
    let queue = Mutex::new(queue);
    let results: Mutex<Vec<(usize, TestResult)>> = Mutex::new(Vec::new());
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let replaced: Mutex<Vec<(usize, PathBuf)>> = Mutex::new(Vec::new());
    let running = Running::default();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let Some(job) = queue.lock().expect("no panics under this lock").pop_front()
                    else {
                        return;
                    };
                    let done = results.lock().expect("no panics under this lock").len();
                    ui.progress()
                        .set(&format!("{doing}: {done}/{total} ({})", job.name));
                    if Stamp::of(&job.binary).as_ref() != Some(&job.stamp) {
                        // Whatever runs from it now is not what was built.
                        replaced
                            .lock()
                            .expect("no panics under this lock")
                            .push((job.report, job.binary.clone()));
                        continue;
                    }
                    let mut env = test_env(&job.snapshots);
                    env.extend(job.extra_env.iter().cloned());
                    match runner::run_test(&job.binary, &job.name, &job.cwd, &env, limits, &running)
                    {
                        Ok(run) => {
                            let result = verdict::judge(&job.name, &run, limits);
                            results
                                .lock()
                                .expect("no panics under this lock")
                                .push((job.report, result));
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
    crate::procs::reap_adopted(&[]);
    if let Some(err) = failure.into_inner().expect("no panics under this lock") {
        return Err(err);
    }
    Ok(Outcome {
        results: results.into_inner().expect("no panics under this lock"),
        replaced: replaced.into_inner().expect("no panics under this lock"),
    })
}

/// Results grouped by report, then by test name.
fn group_by_test(
    results: Vec<(usize, TestResult)>,
) -> std::collections::BTreeMap<usize, std::collections::BTreeMap<String, Vec<TestResult>>> {
    let mut grouped: std::collections::BTreeMap<
        usize,
        std::collections::BTreeMap<String, Vec<TestResult>>,
    > = std::collections::BTreeMap::new();
    for (index, result) in results {
        grouped
            .entry(index)
            .or_default()
            .entry(result.name.clone())
            .or_default()
            .push(result);
    }
    grouped
}
