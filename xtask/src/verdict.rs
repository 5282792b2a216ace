//! Turning what a test process did into a verdict a learner understands.

use std::time::Duration;

use crate::runner::{Ending, Limits, Run};

/// The verdict on one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestVerdict {
    /// It passed.
    Passed,
    /// It stopped at a `todo!()`: that part is not written yet.
    NotStarted,
    /// An assertion failed or the code panicked.
    Failing,
    /// It did not finish in time: most likely a deadlock or a livelock.
    TimedOut,
    /// It passed its assertions but left threads, tasks or processes running.
    Leaked,
    /// It passed, then failed in some of the runs that repeat it: a race.
    Flaky,
    /// Its memory grew past the runner's limit and it was stopped.
    TooMuchMemory,
    /// The process ended before the test did, without a test failure: a
    /// stack overflow, an abort, or an `exit` call.
    Crashed,
}

impl TestVerdict {
    /// The verdict in a few words, as the report shows it.
    pub fn label(self) -> &'static str {
        match self {
            TestVerdict::Passed => "passed",
            TestVerdict::NotStarted => "not started",
            TestVerdict::Failing => "failing",
            TestVerdict::TimedOut => "timed out",
            TestVerdict::Leaked => "leaked",
            TestVerdict::Flaky => "flaky",
            TestVerdict::TooMuchMemory => "used too much memory",
            TestVerdict::Crashed => "crashed",
        }
    }

    /// A stable identifier for `--json`.
    pub fn id(self) -> &'static str {
        match self {
            TestVerdict::Passed => "passed",
            TestVerdict::NotStarted => "not_started",
            TestVerdict::Failing => "failing",
            TestVerdict::TimedOut => "timed_out",
            TestVerdict::Leaked => "leaked",
            TestVerdict::Flaky => "flaky",
            TestVerdict::TooMuchMemory => "too_much_memory",
            TestVerdict::Crashed => "crashed",
        }
    }
}

/// One test's result, ready to report.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// The test's name without the `spec::` prefix.
    pub name: String,
    /// What happened.
    pub verdict: TestVerdict,
    /// What the test said (its panic message), or what the checker saw.
    pub message: String,
    /// Where it failed, when that place helps (a spec line, the learner's code).
    pub location: Option<String>,
    /// Where a `todo!()` was hit, if one was.
    pub todo_at: Option<String>,
    /// For a snapshot mismatch: insta's diff of expected against actual.
    pub snapshot_diff: Option<String>,
    /// The test's output, for `--verbose`.
    pub output: String,
    /// How long it ran.
    pub duration: Duration,
}

/// What usually causes a hang in this workshop's exercises.
pub const HANG_ADVICE: &str = "This looks like a deadlock or a livelock. The usual causes: a channel nobody closes \
(a Sender kept alive, so a loop over the Receiver never ends), a receiver nobody drains (so a send on a full \
channel waits forever), a thread or task nobody tells to stop, or a lock held across an .await.";

/// One panic found in a test's output.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Panic {
    thread: String,
    location: String,
    message: String,
}

/// Finds the panics in a test's standard error, in order.
fn panics(stderr: &str) -> Vec<Panic> {
    let mut found: Vec<Panic> = Vec::new();
    let mut current: Option<Panic> = None;
    for line in stderr.lines() {
        if let Some(panic) = panic_header(line) {
            found.extend(current.take());
            current = Some(panic);
            continue;
        }
        let Some(panic) = current.as_mut() else {
            continue;
        };
        let ends = line.starts_with("note: run with `RUST_BACKTRACE")
            || line.starts_with("stack backtrace:")
            || line.starts_with("test ")
            || line.starts_with("failures:")
            || line.starts_with("error: test failed");
        if ends {
            found.extend(current.take());
        } else {
            if !panic.message.is_empty() {
                panic.message.push('\n');
            }
            panic.message.push_str(line);
        }
    }
    found.extend(current);
    for panic in &mut found {
        panic.message = panic.message.trim_end().to_owned();
    }
    found
}

/// Parses `thread 'name' (123) panicked at src/lib.rs:1:2:` (the `(123)`
/// thread id appears in newer Rust versions).
fn panic_header(line: &str) -> Option<Panic> {
    let rest = line.strip_prefix("thread '")?;
    let (thread, rest) = rest.split_once("' ")?;
    let rest = match rest.strip_prefix('(') {
        Some(with_id) => with_id.split_once(") ")?.1,
        None => rest,
    };
    let location = rest.strip_prefix("panicked at ")?.strip_suffix(':')?;
    Some(Panic {
        thread: thread.to_owned(),
        location: tidy_path(location),
        message: String::new(),
    })
}

/// `exercises/x/tests/../../../specs/x/spec.rs:3:1` becomes `specs/x/spec.rs:3:1`.
pub fn tidy_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            "." => {}
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

/// Insta's report of a snapshot that does not match, if there is one.
///
/// Only the diff is kept: insta's banner, its advice (which is about
/// `cargo insta`, not this workshop), and the checker's private copy of the
/// snapshot (`Source:`) are left out, and the snapshot's path is tidied.
fn snapshot_diff(output: &str) -> Option<String> {
    let start = output
        .find("Snapshot Summary")
        .or_else(|| output.find("Snapshot file:"))?;
    let rest = &output[start..];
    let end = rest
        .find("\nthread '")
        .or_else(|| rest.find("\nStopped on the first failure"))
        .unwrap_or(rest.len());
    let lines: Vec<String> = rest[..end]
        .lines()
        // libtest's own report of the failure follows the diff.
        .take_while(|line| {
            !(line.trim() == "FAILED"
                || line.ends_with(" FAILED")
                || line.starts_with("failures:")
                || line.starts_with("test result:")
                || line.starts_with("test spec::"))
        })
        .filter(|line| {
            !(line.contains("Snapshot Summary")
                || line.starts_with("Source:")
                || line.starts_with("Stopped on the first failure")
                || line.contains("cargo insta")
                || line.starts_with("info:")
                || line.starts_with("To update snapshots"))
        })
        .map(|line| match line.strip_prefix("Snapshot file: ") {
            Some(path) => format!("Snapshot file: {}", tidy_path(path)),
            None => line.to_owned(),
        })
        .collect();
    let shown = lines.len().min(60);
    let mut diff = lines[..shown].join("\n");
    if lines.len() > shown {
        diff.push_str(&format!("\n[... {} more lines ...]", lines.len() - shown));
    }
    Some(diff)
}

/// Where a failure is worth pointing at: not inside the test kit, not inside
/// a crate from the registry or the standard library (insta's own source,
/// for a snapshot).
fn worth_showing(location: &str) -> bool {
    !(location.starts_with("crates/test-kit/")
        || location.starts_with('/')
        || location.contains(".cargo/registry")
        || location.starts_with("/rustc/"))
}

/// `specs/x/spec.rs:121` for insta's "snapshot assertion for 'x' failed in
/// line 121": the spec is the one beside the snapshot's folder.
fn snapshot_location(message: &str, diff: &str) -> Option<String> {
    let line = message
        .split("failed in line ")
        .nth(1)?
        .split(|c: char| !c.is_ascii_digit())
        .next()?;
    let snapshot = diff
        .lines()
        .find_map(|l| l.strip_prefix("Snapshot file: "))?;
    let (folder, _) = snapshot.rsplit_once("/snapshots/")?;
    Some(format!("{folder}/spec.rs:{line}"))
}

/// Whether libtest itself reported `full_name` as passed: its line for the
/// test (output of the test itself may sit between the name and the `ok`)
/// and its summary of one test passed and none failed.
fn harness_reported_a_pass(stdout: &str, full_name: &str) -> bool {
    let started = format!("test {full_name} ... ");
    let Some(at) = stdout.find(&started) else {
        return false;
    };
    stdout[at..]
        .lines()
        .any(|line| line.starts_with("test result: ok. 1 passed; 0 failed;"))
}

/// Judges one run of the test `full_name` (`spec::...`).
pub fn judge(full_name: &str, run: &Run, limits: Limits) -> TestResult {
    let stderr = run.stderr.text();
    let stdout = run.stdout.text();
    let output = format!("{stdout}{stderr}");
    let name = full_name
        .strip_prefix("spec::")
        .unwrap_or(full_name)
        .to_owned();
    let found = panics(&stderr);
    let todo_at = found
        .iter()
        .find(|panic| panic.message.starts_with("not yet implemented"))
        .map(|panic| panic.location.clone());
    let mut result = TestResult {
        name,
        verdict: TestVerdict::Failing,
        message: String::new(),
        location: None,
        todo_at,
        snapshot_diff: None,
        output,
        duration: run.duration,
    };
    // A test that was still growing when its time ran out was not stuck:
    // it was filling memory.
    let growing = run.peak_resident >= limits.memory / 2;
    let status = match &run.ending {
        Ending::TimedOut if growing => {
            result.verdict = TestVerdict::TooMuchMemory;
            result.message = growth_message(limits.time, run.peak_resident);
            return result;
        }
        Ending::TimedOut => {
            result.verdict = TestVerdict::TimedOut;
            result.message = format!(
                "still running after {:?}, so it was stopped.\n{}",
                limits.time, run.threads
            )
            .trim_end()
            .to_owned();
            return result;
        }
        Ending::OutOfMemory { resident } => {
            result.verdict = TestVerdict::TooMuchMemory;
            result.message = format!(
                "used more than {} of memory ({} when it was stopped): something grows without bound \
                 (an unbounded channel or queue, a buffer nobody drains, or a loop that keeps allocating?)",
                bytes(limits.memory),
                bytes(*resident)
            );
            return result;
        }
        Ending::Exited(status) => *status,
    };
    let reported_pass = harness_reported_a_pass(&stdout, full_name);
    if status.success() && reported_pass {
        if run.leftovers.is_empty() {
            result.verdict = TestVerdict::Passed;
        } else {
            result.verdict = TestVerdict::Leaked;
            result.message = leftover_message(&run.leftovers, "passed its assertions, but it");
        }
        return result;
    }
    // The panic that failed the test is the first one on the test's own
    // thread: later ones (a destructor that panics while unwinding, a
    // message printed during clean-up) cannot take its place. The kit runs
    // test bodies on a worker that carries the test's name, and re-raises
    // its panic on the test thread without printing it again.
    let primary = found
        .iter()
        .find(|panic| panic.thread == full_name)
        .or(found.first());
    let died_of_a_signal = exit_signal(&status).is_some();
    match primary {
        Some(primary) if !status.success() && !died_of_a_signal => {
            result.message = primary.message.clone();
            if worth_showing(&primary.location) {
                result.location = Some(primary.location.clone());
            }
            result.verdict = if primary.message.starts_with("not yet implemented") {
                TestVerdict::NotStarted
            } else if primary.message.starts_with("leak detected") {
                TestVerdict::Leaked
            } else if primary.message.starts_with("did not finish within") && growing {
                result.message = growth_message(run.duration, run.peak_resident);
                TestVerdict::TooMuchMemory
            } else if primary.message.starts_with("did not finish within") {
                TestVerdict::TimedOut
            } else {
                TestVerdict::Failing
            };
            if primary.message.starts_with("snapshot assertion") {
                result.snapshot_diff = snapshot_diff(&result.output);
                result.location = result
                    .snapshot_diff
                    .as_deref()
                    .and_then(|diff| snapshot_location(&primary.message, diff));
            }
        }
        _ => {
            result.verdict = if stderr.contains("memory allocation of") {
                TestVerdict::TooMuchMemory
            } else {
                TestVerdict::Crashed
            };
            result.message = crash_message(&status, &stderr, &found);
            if let Some(first) = found.first()
                && worth_showing(&first.location)
            {
                result.location = Some(first.location.clone());
            }
        }
    }
    if !run.leftovers.is_empty() {
        result.message.push_str("\n\n");
        result
            .message
            .push_str(&leftover_message(&run.leftovers, "also"));
    }
    result
}

fn growth_message(after: Duration, resident: u64) -> String {
    format!(
        "still running after {after:.1?} and using {} of memory when it was stopped, far more than any test \
         here needs: something grows without bound (an unbounded channel or queue, a buffer nobody drains, \
         or a loop that keeps allocating?)",
        bytes(resident)
    )
}

/// `2 GiB`, `310 MiB`.
fn bytes(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else {
        format!("{} MiB", n >> 20)
    }
}

/// What to say about processes a test left behind.
fn leftover_message(leftovers: &[crate::procs::Leftover], how: &str) -> String {
    let n = leftovers.len();
    let list: Vec<String> = leftovers.iter().map(|l| format!("  - {l}")).collect();
    format!(
        "leak detected: the test {how} left {n} process{} running after it ended (the checker has ended {}):\n{}\n\
         A process you start keeps running when its `Child` is dropped: wait for it (`child.wait()`), \
         or kill it and then wait, before you return.",
        if n == 1 { "" } else { "es" },
        if n == 1 { "it" } else { "them" },
        list.join("\n")
    )
}

#[cfg(unix)]
fn exit_signal(status: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn exit_signal(_status: &std::process::ExitStatus) -> Option<i32> {
    None
}

fn crash_message(status: &std::process::ExitStatus, stderr: &str, found: &[Panic]) -> String {
    let cause = if stderr.contains("has overflowed its stack") {
        "The test process died of a stack overflow (endless recursion?)".to_owned()
    } else if stderr.contains("memory allocation of") && stderr.contains("failed") {
        format!(
            "The test process ran out of memory: an allocation failed ({}). Something grows without bound \
             (an unbounded channel or queue, or a loop that keeps allocating?)",
            stderr
                .lines()
                .find(|line| line.contains("memory allocation of"))
                .unwrap_or_default()
                .trim()
        )
    } else {
        match (exit_signal(status), status.code()) {
            (Some(6), _) if found.len() >= 2 => "The test process was aborted: a panic while another panic \
                 was unwinding (often a `Drop` that panics, or an `unwrap` in a destructor)"
                .to_owned(),
            (Some(6), _) => {
                "The test process was aborted (`std::process::abort`, or a panic while panicking)".to_owned()
            }
            (Some(9), _) => "The test process was killed (SIGKILL: out of memory?)".to_owned(),
            (Some(11), _) => "The test process died of a segmentation fault".to_owned(),
            (Some(signal), _) => format!("The test process died of signal {signal}"),
            (None, Some(0)) => "The test process exited (exit code 0) before the test finished: \
                 the test harness never reported the test as passed. Something called `std::process::exit`, \
                 which ends the whole process at once"
                .to_owned(),
            (None, Some(code)) => format!(
                "The test process exited (exit code {code}) before the test finished, without a test failure: \
                 something called `std::process::exit`"
            ),
            (None, None) => "The test process ended without an exit code".to_owned(),
        }
    };
    let mut message = format!("{cause}.");
    // The learner's own panics are what explain most crashes: show them all.
    for panic in found.iter().take(3) {
        message.push_str(&format!(
            "\nthread '{}' panicked at {}:\n{}",
            panic.thread,
            panic.location,
            first_lines(&panic.message, 6)
        ));
    }
    if found.is_empty() {
        let last_lines: Vec<&str> = stderr.lines().rev().take(5).collect();
        let last_lines: Vec<&str> = last_lines.into_iter().rev().collect();
        if !last_lines.is_empty() {
            message.push_str("\nThe last lines it printed:\n");
            message.push_str(&last_lines.join("\n"));
        }
    }
    message.trim_end().to_owned()
}

fn first_lines(text: &str, n: usize) -> String {
    text.lines().take(n).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_are_found_with_their_threads_locations_and_messages() {
        let stderr = "\
thread 'generate' (123) panicked at exercises/prime-pipeline/src/lib.rs:90:21:
attempt to add with overflow
thread 'spec::overflow' (120) panicked at exercises/prime-pipeline/tests/../../../specs/prime-pipeline/spec.rs:12:5:
assertion `left == right` failed
  left: 1
 right: 2
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
";
        let found = panics(stderr);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].thread, "generate");
        assert_eq!(found[0].message, "attempt to add with overflow");
        assert_eq!(found[1].location, "specs/prime-pipeline/spec.rs:12:5");
        assert_eq!(
            found[1].message,
            "assertion `left == right` failed\n  left: 1\n right: 2"
        );
    }

    #[test]
    fn old_panic_headers_without_a_thread_id_are_understood() {
        let found = panics("thread 'main' panicked at src/main.rs:2:5:\nboom\n");
        assert_eq!(found[0].thread, "main");
        assert_eq!(found[0].location, "src/main.rs:2:5");
    }

    #[test]
    fn paths_are_tidied() {
        assert_eq!(tidy_path("a/b/../c/./d.rs:1:2"), "a/c/d.rs:1:2");
        assert_eq!(tidy_path("../x.rs"), "../x.rs");
    }
}
