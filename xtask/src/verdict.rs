//! Turning what a test process did into a verdict a learner understands.

use std::time::Duration;

use crate::runner::{Ending, Run};

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
    /// It passed its assertions but left threads or tasks running.
    Leaked,
    /// The process died without a panic: a stack overflow or an abort.
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
fn snapshot_diff(output: &str) -> Option<String> {
    let start = output
        .find("Snapshot Summary")
        .or_else(|| output.find("Snapshot file:"))?;
    let rest = &output[start..];
    let end = rest
        .find("\nthread '")
        .or_else(|| rest.find("\nStopped on the first failure"))
        .unwrap_or(rest.len());
    let lines: Vec<&str> = rest[..end].lines().collect();
    let shown = lines.len().min(60);
    let mut diff = lines[..shown].join("\n");
    if lines.len() > shown {
        diff.push_str(&format!("\n[... {} more lines ...]", lines.len() - shown));
    }
    Some(diff)
}

/// Judges one run of the test `full_name` (`spec::...`).
pub fn judge(full_name: &str, run: &Run, limit: Duration) -> TestResult {
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
    let status = match &run.ending {
        Ending::TimedOut => {
            result.verdict = TestVerdict::TimedOut;
            result.message = format!("still running after {limit:?}, so it was stopped");
            return result;
        }
        Ending::Exited(status) => *status,
    };
    if status.success() {
        result.verdict = TestVerdict::Passed;
        return result;
    }
    // The panic that failed the test is the last one on the test's own thread
    // (helpers re-raise a worker's panic on it without printing it again, so
    // the worker, which carries the test's name too, printed it).
    let primary = found
        .iter()
        .rev()
        .find(|panic| panic.thread == full_name)
        .or(found.last());
    let Some(primary) = primary else {
        result.verdict = TestVerdict::Crashed;
        result.message = crash_message(&status, &stderr);
        return result;
    };
    result.message = primary.message.clone();
    if !primary.location.starts_with("crates/test-kit/") {
        result.location = Some(primary.location.clone());
    }
    result.verdict = if primary.message.starts_with("not yet implemented") {
        TestVerdict::NotStarted
    } else if primary.message.starts_with("leak detected") {
        TestVerdict::Leaked
    } else if primary.message.starts_with("did not finish within") {
        TestVerdict::TimedOut
    } else {
        TestVerdict::Failing
    };
    if primary.message.starts_with("snapshot assertion") {
        result.snapshot_diff = snapshot_diff(&result.output);
    }
    result
}

fn crash_message(status: &std::process::ExitStatus, stderr: &str) -> String {
    let cause = if stderr.contains("has overflowed its stack") {
        "a stack overflow (endless recursion?)".to_owned()
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            match status.signal() {
                Some(6) => {
                    "an abort (a panic while panicking, or `std::process::abort`)".to_owned()
                }
                Some(9) => "SIGKILL (out of memory?)".to_owned(),
                Some(11) => "a segmentation fault".to_owned(),
                Some(signal) => format!("signal {signal}"),
                None => format!("exit status {status} without a panic message"),
            }
        }
        #[cfg(not(unix))]
        {
            format!("exit status {status} without a panic message")
        }
    };
    let last_lines: Vec<&str> = stderr.lines().rev().take(5).collect();
    let last_lines: Vec<&str> = last_lines.into_iter().rev().collect();
    format!(
        "The test process died of {cause}.\n{}",
        last_lines.join("\n")
    )
    .trim_end()
    .to_owned()
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
