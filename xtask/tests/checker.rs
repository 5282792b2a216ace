//! The checker, run as a learner runs it (`cargo xtask ...`), in every
//! situation a learner's code can put it in.
//!
//! Each test works in a temporary copy of the workspace that shares the real
//! target folder, so only the exercises are rebuilt. The checker's output is
//! plain when piped, which is what makes these snapshots stable;
//! `hide_what_varies` hides what legitimately varies (thread ids, ports,
//! temporary paths).
//! The tests run one at a time: several checkers at once on a small machine
//! would make timing-sensitive specs (the downloader's concurrency) slower
//! than they should be.

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{Workspace, one_at_a_time};

/// Snapshots checker output, hiding what varies between runs.
macro_rules! assert_output {
    ($name:expr, $output:expr, $workspace:expr) => {{
        let shown = hide_what_varies(&$output, &$workspace);
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!($name, shown));
    }};
}

/// `output` with what legitimately varies between runs replaced, rule by
/// rule, in this order.
fn hide_what_varies(output: &str, workspace: &Workspace) -> String {
    const RULES: &[(&str, &str)] = &[
        (r"tid \d+", "tid [TID]"),
        // Which of a runtime's idle workers waits for events and which parks
        // changes from run to run.
        (r"tokio-rt-worker  [^\n]*", "tokio-rt-worker  [idle]"),
        // Where gdb is installed, one stuck test of an exercise also shows
        // the line each thread was at: which test that is varies, and a
        // machine without gdb says so instead.
        (r"(?m)^ +at [^\n]+:\d+ \(in [^\n]*\)\n", ""),
        (r"(?m)^ +\((gdb|With gdb) [^\n]*\)\n", ""),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        // Moments measured by the test server vary from run to run, and so
        // do the bars of its timeline by a column or two.
        (r"\b\d+ ms\b", "[N] ms"),
        (r"(?m)^( +/\S+) +[█ ]+$", "${1}  [bar]"),
        (r"in flight  [0-9+]+", "in flight  [counts]"),
        (
            r"\(\d+ bytes of output skipped",
            "([N] bytes of output skipped",
        ),
    ];
    let mut text = output.replace(&workspace.path().display().to_string(), "[WORKSPACE]");
    for (pattern, replacement) in RULES {
        let rule = regex::Regex::new(pattern).expect("a valid pattern");
        text = rule.replace_all(&text, *replacement).into_owned();
    }
    text
}

#[test]
fn untouched_exercises_are_all_not_started() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let (code, output) = workspace.check(&["check"]);
    assert_eq!(code, 1, "{output}");
    assert_output!("untouched", output, workspace);
}

#[test]
fn untouched_exercises_as_json() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let (code, output) = workspace.check(&["check", "--json", "pubsub"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&output).expect("the output is JSON");
    assert_eq!(json["passed"], 0);
    assert_eq!(json["exercises"][0]["name"], "pubsub");
    assert_eq!(json["exercises"][0]["verdict"], "not_started");
    let tests = json["exercises"][0]["tests"].as_array().unwrap();
    assert!(tests.len() >= 10);
    assert!(tests.iter().all(|t| t["verdict"] == "not_started"));
}

#[test]
fn solved_exercises_all_pass_and_the_exit_status_says_so() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    for exercise in ["downloader", "prime-pipeline", "pubsub"] {
        workspace.solve(exercise);
    }
    let (code, output) = workspace.check(&["check", "downloader", "prime-pipeline", "pubsub"]);
    assert_eq!(code, 0, "{output}");
    assert_output!("solved", output, workspace);

    // `list` remembers the verdicts, and notices a change since.
    let (_, listed) = workspace.check(&["list"]);
    assert!(listed.contains("downloader      passed "), "{listed}");
    fs::write(
        workspace.lib_rs("pubsub"),
        fs::read_to_string(workspace.lib_rs("pubsub")).unwrap() + "\n",
    )
    .unwrap();
    let (_, listed) = workspace.check(&["list"]);
    assert!(listed.contains("passed (changed since)"), "{listed}");
}

#[test]
fn a_compile_error_is_shown_concisely_with_its_location() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    // A `usize` where a `Vec` belongs.
    let broken = common::solution_with_bug(
        "downloader",
        "urls.iter().map(|_| None).collect();",
        "urls.len();",
    );
    workspace.write_exercise("downloader", &broken);
    // The line of the planted bug, wherever the solution has it.
    let line = 1 + broken
        .lines()
        .position(|l| l.contains("= urls.len();"))
        .expect("the planted bug is in the file");
    let at = format!("exercises/downloader/src/lib.rs:{line}:");
    let (code, output) = workspace.check(&["check", "downloader"]);
    assert_eq!(code, 1);
    // The compiler's own words change between Rust versions: check the
    // shape, not the text.
    assert!(
        output.starts_with(&format!(
            "✗ downloader: does not compile\n    In your code at {at}"
        )) && output.contains("\n    error[E0308]: mismatched types\n"),
        "{output}"
    );
    assert!(output.contains(&format!("--> {at}")), "{output}");
    assert!(
        output.contains("the first is shown; `cargo xtask check downloader --verbose`"),
        "{output}"
    );
    assert!(
        output.contains(&format!("Next: make `downloader` compile (start at {at}")),
        "{output}"
    );
    let (_, verbose) = workspace.check(&["check", "downloader", "--verbose"]);
    assert!(
        verbose.contains("expected `Vec<Option<Result<Page, Error>>>`, found `usize`"),
        "{verbose}"
    );
}

#[test]
fn a_failing_assertion_names_the_test_and_the_problem() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    workspace.write_exercise("downloader", &common::fixture("downloader", "sequential"));
    let (code, output) = workspace.check(&["check", "downloader"]);
    assert_eq!(code, 1);
    assert_output!("failing_sequential", output, workspace);
}

#[test]
fn a_snapshot_mismatch_shows_the_diff_and_no_environment_can_wave_it_through() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    workspace.write_exercise(
        "downloader",
        &common::fixture("downloader", "uppercase_bodies"),
    );
    let snapshots = workspace.path().join("specs/downloader/snapshots");
    let before = snapshot_files(&snapshots);
    // A learner's environment that would make insta accept or rewrite anything.
    let output = workspace
        .xtask(&["check", "downloader"])
        .env("INSTA_UPDATE", "always")
        .env("INSTA_FORCE_PASS", "1")
        .env("INSTA_FORCE_UPDATE", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("each_failure_is_reported_for_its_own_url: failing"),
        "{text}"
    );
    assert!(text.contains("snapshot assertion"), "{text}");
    assert!(
        text.contains("-old snapshot") || text.contains("+new results"),
        "the diff is shown: {text}"
    );
    assert!(
        text.contains("FIRST PAGE"),
        "the actual value is shown: {text}"
    );
    // Only the diff and the spec line that made the snapshot: no libtest
    // trailer, no advice about `cargo insta`, nothing inside insta's source.
    for noise in [
        "FAILED",
        "failures:",
        "test result:",
        "cargo insta",
        ".cargo/registry",
        "Source:",
    ] {
        assert!(!text.contains(noise), "the report shows {noise:?}: {text}");
    }
    assert!(text.contains("at specs/downloader/spec.rs:"), "{text}");
    assert!(
        text.contains(
            "Snapshot file: specs/downloader/snapshots/each_failure_for_its_own_url.snap"
        ),
        "{text}"
    );
    assert_eq!(
        snapshot_files(&snapshots),
        before,
        "the checker must never write or change a snapshot"
    );
}

fn snapshot_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_deadlock_is_timed_out_and_killed_within_the_limit() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    // close() locks a std Mutex it already holds: the thread waits for itself.
    let deadlocks = common::solution_with_bug(
        "pubsub",
        "        self.topics().take();",
        "        let _held = self.topics();\n        self.topics().take();",
    );
    workspace.write_exercise("pubsub", &deadlocks);
    // Build first, so the timing below is the checker's alone.
    workspace.check(&["check", "pubsub", "--timeout", "0.5"]);
    let started = Instant::now();
    let (code, output) = workspace.check(&["check", "pubsub", "--timeout", "2", "--jobs", "4"]);
    let took = started.elapsed();
    assert_eq!(code, 1);
    assert!(output.contains(": timed out"), "{output}");
    assert!(output.contains("deadlock"), "{output}");
    // 15 tests, 4 at a time, each killed after 2s at worst: never a hang.
    assert!(took < Duration::from_secs(30), "the checker took {took:?}");
    assert_output!("deadlock", output, workspace);
}

#[test]
fn an_infinite_loop_is_stopped() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    // "Wait until someone raises the limit", forever, without yielding.
    let spins = common::solution_with_bug(
        "downloader",
        "    ensure!(\n        limit > 0,",
        "    if limit == 0 {\n        loop {\n            std::hint::spin_loop();\n        }\n    }\n    ensure!(\n        limit > 0,",
    );
    workspace.write_exercise("downloader", &spins);
    let started = Instant::now();
    let (code, output) = workspace.check(&["check", "downloader", "--timeout", "3"]);
    assert_eq!(code, 1);
    assert!(
        output.contains("a_limit_of_zero_is_rejected_with_a_clear_error: timed out"),
        "{output}"
    );
    // That test alone: every other one passes.
    assert_eq!(output.matches("\n    ✗ ").count(), 1, "{output}");
    let counts: Vec<usize> = output
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("✗ downloader: "))
        .and_then(|l| l.strip_suffix(" tests pass"))
        .map(|l| l.split(" of ").filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_default();
    assert!(
        counts.len() == 2 && counts[0] + 1 == counts[1],
        "all tests but one pass: {output}"
    );
    assert!(started.elapsed() < Duration::from_secs(120));
}

#[test]
fn a_flood_of_output_is_kept_bounded() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    // Debug output in a loop that never ends, when there is nothing to download.
    let floods = common::solution_with_bug(
        "downloader",
        "    let mut results: Vec<Option<anyhow::Result<Page>>>",
        "    if urls.is_empty() {\n        loop {\n            println!(\"{}\", \"still nothing to download \".repeat(40));\n        }\n    }\n    let mut results: Vec<Option<anyhow::Result<Page>>>",
    );
    workspace.write_exercise("downloader", &floods);
    let (code, output) = workspace.check(&["check", "downloader", "--timeout", "3", "--verbose"]);
    assert_eq!(code, 1);
    assert!(
        output.contains("an_empty_list_returns_at_once: timed out"),
        "{output}"
    );
    assert!(output.contains("bytes of output skipped"), "{output}");
    // The report itself stays small, whatever the test printed.
    assert!(
        output.len() < 200_000,
        "the report is {} bytes",
        output.len()
    );
}

#[test]
fn a_batched_downloader_is_shown_its_requests_and_named_as_the_known_mistake() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    workspace.write_exercise(
        "downloader",
        &common::fixture("downloader", "batches_chunks_join_all"),
    );
    let (code, output) = workspace.check(&["check", "downloader", "--stress", "0"]);
    assert_eq!(code, 1, "{output}");
    let start = output
        .find("a_free_slot_is_used_at_once: failing")
        .unwrap_or_else(|| panic!("{output}"));
    let section = &output[start..];
    assert!(section.contains("ran in batches of 3"), "{section}");
    // The picture: the in-flight row, then one row per request.
    assert!(
        section.contains("The requests as the test server saw them"),
        "{section}"
    );
    let counts = section
        .lines()
        .find(|l| l.trim_start().starts_with("in flight "))
        .unwrap_or_else(|| panic!("no in-flight row: {section}"));
    assert!(counts.contains("(peak 3, limit 3)"), "{counts}");
    // The batch thins out while its slowest download runs alone, and fills
    // up again only after it ends: a 3, then a 1, then a 3 again.
    let digits: String = counts.chars().filter(char::is_ascii_digit).collect();
    let thin = digits.find('1').unwrap_or_else(|| panic!("{counts}"));
    assert!(
        digits[..thin].contains('3') && digits[thin..].contains('3'),
        "{counts}"
    );
    assert!(section.contains("  /page/1 "), "{section}");
    // And the verdict names the mistake and the book section (the report
    // wraps its lines, so compare the words).
    let words = output.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("known mistake") && words.contains("Downloading in batches of limit"),
        "{output}"
    );
    assert!(words.contains("A free slot left empty"), "{output}");
}

#[test]
fn a_leak_gets_its_own_verdict() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    workspace.write_exercise(
        "prime-pipeline",
        &common::fixture("prime-pipeline", "leaks_a_watchdog"),
    );
    let (code, output) = workspace.check(&["check", "prime-pipeline"]);
    assert_eq!(code, 1);
    assert!(output.contains(": leaked"), "{output}");
    assert!(
        output.contains("\"watchdog\""),
        "the leaked thread is named: {output}"
    );
}

#[test]
fn an_edited_spec_or_snapshot_is_reported_with_the_command_that_restores_it() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    workspace.solve("pubsub");
    let spec = workspace.path().join("specs/pubsub/spec.rs");
    fs::write(
        &spec,
        fs::read_to_string(&spec)
            .unwrap()
            .replace("assert_eq!(", "let _ = ("),
    )
    .unwrap();
    let snapshot = workspace
        .path()
        .join("specs/prime-pipeline/snapshots/prime_squares_0_to_100.snap");
    fs::write(
        &snapshot,
        fs::read_to_string(&snapshot)
            .unwrap()
            .replace("\n4\n", "\n1\n4\n"),
    )
    .unwrap();
    let (code, output) = workspace.check(&["check", "pubsub", "prime-pipeline"]);
    assert_eq!(code, 1);
    assert_output!("spec_edited", output, workspace);
}

#[test]
fn reset_backs_up_the_learners_code_then_restores_the_starter() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let starter = fs::read_to_string(workspace.lib_rs("downloader")).unwrap();
    workspace.solve("downloader");
    let mine = fs::read_to_string(workspace.lib_rs("downloader")).unwrap();
    fs::write(
        workspace.path().join("exercises/downloader/src/extra.rs"),
        "//! mine\n",
    )
    .unwrap();

    // Without a terminal to ask, it refuses and changes nothing.
    let (code, output) = workspace.check(&["reset", "downloader"]);
    assert_eq!(code, 2, "{output}");
    assert!(output.contains("--yes"), "{output}");
    assert_eq!(
        fs::read_to_string(workspace.lib_rs("downloader")).unwrap(),
        mine
    );

    let (code, output) = workspace.check(&["reset", "downloader", "--yes"]);
    assert_eq!(code, 0, "{output}");
    assert_eq!(
        fs::read_to_string(workspace.lib_rs("downloader")).unwrap(),
        starter,
        "the starter is back"
    );
    assert!(
        !workspace
            .path()
            .join("exercises/downloader/src/extra.rs")
            .exists()
    );
    let first_line = output.lines().next().unwrap();
    let backup = first_line.trim().rsplit(' ').next().unwrap();
    assert!(
        output.contains(&format!(
            "To bring it back: cp -r {backup}/. exercises/downloader/"
        )),
        "reset prints the command that restores the backup: {output}"
    );
    assert!(backup.starts_with(".xtask/backups/downloader-"), "{output}");
    let backup = workspace.path().join(backup);
    assert_eq!(
        fs::read_to_string(backup.join("src/lib.rs")).unwrap(),
        mine,
        "the learner's code is in the backup"
    );
    assert!(backup.join("src/extra.rs").exists());
    assert!(backup.join("Cargo.toml").exists());
}

#[test]
fn hints_come_one_at_a_time() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let (_, first) = workspace.check(&["hint", "pubsub"]);
    assert!(
        first.starts_with("Hint 1 of 3 for `pubsub` (a nudge):"),
        "{first}"
    );
    assert!(
        !first.contains("ANCHOR"),
        "the book's markers are not part of the hint: {first}"
    );
    let (_, second) = workspace.check(&["hint", "pubsub"]);
    assert!(
        second.starts_with("Hint 2 of 3 for `pubsub` (the approach):"),
        "{second}"
    );
    let (_, third) = workspace.check(&["hint", "pubsub", "--level", "3"]);
    assert!(third.contains("That was the last hint."), "{third}");
    let (code, wrong) = workspace.check(&["hint", "pubsub", "--level", "4"]);
    assert_eq!(code, 2);
    assert!(wrong.contains("there is no hint 4"), "{wrong}");
    assert_output!("hint_1", first, workspace);
}

#[test]
fn an_unknown_exercise_is_a_clear_error() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let (code, output) = workspace.check(&["check", "downloadr"]);
    assert_eq!(code, 2);
    assert!(
        output.contains("there is no exercise called `downloadr`; the exercises are: parallel-map, fan-in, pipeline-stage, errgroup, token-bucket, once-cache, leak-hunt, downloader, prime-pipeline, pubsub"),
        "{output}"
    );
}

#[test]
fn watch_rechecks_on_save_and_answers_the_prompt() {
    use std::io::{BufRead, BufReader, Write};
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["watch", "pubsub", "--poll"])
        .current_dir(workspace.path())
        .env("CARGO_TARGET_DIR", common::target_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = String::new();
    let mut wait_for = |text: &str| {
        let deadline = Instant::now() + Duration::from_secs(180);
        while !seen.contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    seen.push_str(&line);
                    seen.push('\n');
                }
                Err(_) => panic!("watch never printed {text:?}; it printed:\n{seen}"),
            }
        }
    };
    // The first check runs at once.
    wait_for("○ pubsub: not started");
    wait_for("Watching `pubsub` for changes");
    // Saving a file triggers a check (the polling watcher compares contents).
    workspace.solve("pubsub");
    wait_for("✓ pubsub: passed");
    // The prompt: a hint, then quit.
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "h").unwrap();
    wait_for("Hint 1 of 3 for `pubsub`");
    writeln!(stdin, "q").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "watch did not quit on `q`");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Watching never wrote the learner's file.
    let solution = fs::read_to_string(common::root().join("solutions/pubsub/src/lib.rs")).unwrap();
    assert_eq!(
        fs::read_to_string(workspace.lib_rs("pubsub")).unwrap(),
        solution
    );
}

#[test]
fn the_classic_compile_errors_of_concurrent_rust_point_at_the_learners_line_and_explain() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let solution = |exercise: &str| {
        fs::read_to_string(
            common::root()
                .join("solutions")
                .join(exercise)
                .join("src/lib.rs"),
        )
        .unwrap()
    };
    // A std guard held across an `.await`: rustc reports it in the spec,
    // which spawns the learner's future.
    workspace.write_exercise(
        "pubsub",
        &common::insert_in_body(
            &solution("pubsub"),
            "pub async fn publish(",
            "        let held = std::sync::Mutex::new(0);\n        let guard = held.lock().unwrap();\n        \
             tokio::task::yield_now().await;\n        drop(guard);",
        ),
    );
    // `Rc` moved into a thread.
    workspace.write_exercise(
        "prime-pipeline",
        &common::insert_in_body(
            &solution("prime-pipeline"),
            "pub fn generate(",
            "    let shared = std::rc::Rc::new(1);\n    std::thread::spawn(move || drop(shared));",
        ),
    );
    // A value moved into a task, then used again.
    workspace.write_exercise(
        "downloader",
        &common::insert_in_body(
            &solution("downloader"),
            "pub async fn download_all(",
            "    let names: Vec<String> = urls.to_vec();\n    \
             let task = tokio::spawn(async move { names.len() });\n    \
             let _ = names.len();\n    let _ = task.await;",
        ),
    );
    let (code, output) = workspace.check(&["check", "downloader", "prime-pipeline", "pubsub"]);
    assert_eq!(code, 1, "{output}");
    let flat = output.split_whitespace().collect::<Vec<_>>().join(" ");
    for exercise in ["pubsub", "prime-pipeline", "downloader"] {
        assert!(
            output.contains(&format!("✗ {exercise}: does not compile")),
            "{output}"
        );
        assert!(
            output.contains(&format!("In your code at exercises/{exercise}/src/lib.rs:")),
            "the learner's line, never the spec's: {output}"
        );
    }
    assert!(
        flat.contains("What this means: A std lock guard"),
        "{output}"
    );
    assert!(flat.contains("std's Mutex or tokio's?"), "{output}");
    assert!(
        flat.contains("`Rc`, `RefCell` and `Cell` are built for one thread"),
        "{output}"
    );
    assert!(flat.contains("moved into a closure"), "{output}");
    assert!(
        output
            .contains("Next: make `downloader` compile (start at exercises/downloader/src/lib.rs:"),
        "{output}"
    );
    assert!(
        !output.contains("Next: make `pubsub` compile (start at specs/"),
        "{output}"
    );
}

#[test]
fn a_timed_out_test_says_what_its_threads_were_doing() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let solution = |exercise: &str| {
        fs::read_to_string(
            common::root()
                .join("solutions")
                .join(exercise)
                .join("src/lib.rs"),
        )
        .unwrap()
    };
    // Each fault strikes one test only, so that the check takes seconds.
    // Two named threads, each holding the lock the other wants.
    workspace.write_exercise(
        "prime-pipeline",
        &common::insert_in_body(
            &solution("prime-pipeline"),
            "pub fn generate(",
            "    let a = std::sync::Arc::new(std::sync::Mutex::new(()));\n    \
             let b = std::sync::Arc::new(std::sync::Mutex::new(()));\n    \
             let both = std::sync::Arc::new(std::sync::Barrier::new(2));\n    \
             let spawn = |name: &str, x: std::sync::Arc<std::sync::Mutex<()>>, y: std::sync::Arc<std::sync::Mutex<()>>| {\n        \
             let both = both.clone();\n        \
             std::thread::Builder::new().name(name.into()).spawn(move || { let _x = x.lock().unwrap(); both.wait(); let _y = y.lock().unwrap(); }).unwrap()\n    };\n    \
             let left = spawn(\"left\", a.clone(), b.clone());\n    \
             let right = spawn(\"right\", b, a);\n    \
             if std::env::args().any(|a| a.contains(\"come_out_in_order\")) { left.join().unwrap(); right.join().unwrap(); }",
        ),
    );
    // A busy loop where a wait belongs.
    workspace.write_exercise(
        "pubsub",
        &common::insert_in_body(
            &solution("pubsub"),
            "pub fn subscribe(",
            "        while std::env::args().any(|a| a.contains(\"late_subscriber\")) { std::hint::spin_loop(); }",
        ),
    );
    // A blocking sleep inside async code.
    workspace.write_exercise(
        "downloader",
        &common::insert_in_body(
            &solution("downloader"),
            "pub async fn fetch(",
            "    if std::env::args().any(|a| a.contains(\"input_order\")) { std::thread::sleep(std::time::Duration::from_secs(30)); }",
        ),
    );
    let (code, output) = workspace.check(&["check", "downloader", "prime-pipeline", "pubsub"]);
    assert_eq!(code, 1, "{output}");
    let section = |exercise: &str| {
        let start = output
            .find(&format!("✗ {exercise}:"))
            .unwrap_or_else(|| panic!("{output}"));
        let rest = &output[start + "✗".len()..];
        rest[..rest.find("\n✗ ").unwrap_or(rest.len())].to_owned()
    };
    let pipeline = section("prime-pipeline");
    assert!(
        pipeline.contains("  left ") && pipeline.contains("  right "),
        "both deadlocked threads are named: {pipeline}"
    );
    assert!(
        pipeline.contains("waiting on a lock, a channel or a condition variable")
            && pipeline.contains("Every thread was waiting"),
        "{pipeline}"
    );
    // Where gdb is installed, each deadlocked thread's line in the
    // learner's file: the line of its second lock. Without gdb, the report
    // says what gdb would add.
    if thread_states::gdb_installed() {
        let lib = workspace.path().join("exercises/prime-pipeline/src/lib.rs");
        let text = fs::read_to_string(lib).unwrap();
        let line = 1 + text
            .lines()
            .position(|l| l.contains("let _y = y.lock()"))
            .expect("the planted line");
        let flat = pipeline.split_whitespace().collect::<Vec<_>>().join(" ");
        for thread in ["left", "right"] {
            let row = format!(
                "{thread} waiting on a lock, a channel or a condition variable \
                 at exercises/prime-pipeline/src/lib.rs:{line} (in a closure)"
            );
            assert!(
                flat.contains(&row),
                "{thread} is shown at its second lock: {pipeline}"
            );
        }
    } else {
        assert!(pipeline.contains("With gdb installed"), "{pipeline}");
    }
    let pubsub = section("pubsub");
    assert!(
        pubsub.contains("running without pause") && pubsub.contains("never stopped running"),
        "{pubsub}"
    );
    let downloader = section("downloader");
    assert!(
        downloader.contains("sleeping (std::thread::sleep)")
            && downloader.contains("is stuck in a call that does not yield"),
        "{downloader}"
    );
}

#[test]
fn a_race_that_shows_only_sometimes_is_caught_by_running_the_test_again() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let solution = fs::read_to_string(common::root().join("solutions/pubsub/src/lib.rs")).unwrap();
    // Publishes that skip the lock which keeps them in one order, in some
    // runs only: here, exactly in the runs the checker repeats (they vary
    // the runtime's worker count), so that the first run passes.
    let racy = common::insert_in_body(
        &solution,
        "pub async fn publish(",
        "        if std::env::var_os(\"TEST_KIT_WORKER_THREADS\").is_some() {\n            \
         let subscribers: Vec<_> = match self.topics().as_ref().and_then(|t| t.get(topic).cloned()) {\n                \
         Some(t) => t.subscribers.lock().unwrap().to_vec(),\n                None => return 0,\n            };\n            \
         let mut reached = 0;\n            \
         for s in &subscribers {\n                \
         tokio::task::yield_now().await;\n                \
         if s.send(message.clone()).await.is_ok() { reached += 1; }\n            }\n            \
         return reached;\n        }",
    );
    workspace.write_exercise("pubsub", &racy);
    let (code, output) = workspace.check(&["check", "pubsub"]);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("all_subscribers_see_the_same_order_with_concurrent_publishers: flaky"),
        "{output}"
    );
    assert!(
        output.contains("passed once, then failed") && output.contains("a race"),
        "{output}"
    );
    assert!(
        output.contains("cargo xtask check pubsub --stress 100"),
        "the command that reruns it: {output}"
    );
    // Without the repeats, the race goes unseen: that is what they are for.
    let (code, output) = workspace.check(&["check", "pubsub", "--stress", "0"]);
    assert_eq!(code, 0, "{output}");
}

#[test]
fn watch_on_a_terminal_acts_on_single_keys_and_puts_the_terminal_back() {
    use rustix::termios::{LocalModes, tcgetattr};
    use std::io::{Read, Write};
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    // A pseudo-terminal: the watcher's standard input is its terminal end.
    let master =
        rustix::pty::openpt(rustix::pty::OpenptFlags::RDWR | rustix::pty::OpenptFlags::NOCTTY)
            .unwrap();
    rustix::pty::grantpt(&master).unwrap();
    rustix::pty::unlockpt(&master).unwrap();
    let name = rustix::pty::ptsname(&master, Vec::new()).unwrap();
    let terminal = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().unwrap())
        .unwrap();
    let before = tcgetattr(&terminal).unwrap();
    assert!(before.local_modes.contains(LocalModes::ICANON));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["watch", "pubsub", "--poll"])
        .current_dir(workspace.path())
        .env("CARGO_TARGET_DIR", common::target_dir())
        .stdin(terminal.try_clone().unwrap())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if lines_tx.send(line).is_err() {
                return;
            }
        }
    });
    // Echo from the terminal's other end, drained so that it never fills.
    let mut echo = fs::File::from(master.try_clone().unwrap());
    std::thread::spawn(move || {
        let mut buffer = [0u8; 256];
        while echo.read(&mut buffer).is_ok_and(|n| n > 0) {}
    });
    let mut seen = String::new();
    let mut wait_for = |text: &str| {
        let deadline = Instant::now() + Duration::from_secs(180);
        while !seen.contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    seen.push_str(&line);
                    seen.push('\n');
                }
                Err(_) => panic!("watch never printed {text:?}; it printed:\n{seen}"),
            }
        }
    };
    wait_for("Watching `pubsub` for changes");
    // While it watches, the terminal hands over single keys, unechoed.
    let during = tcgetattr(&terminal).unwrap();
    assert!(!during.local_modes.contains(LocalModes::ICANON));
    assert!(!during.local_modes.contains(LocalModes::ECHO));
    // One key, no Enter: the hint comes.
    let mut keyboard = fs::File::from(master);
    keyboard.write_all(b"h").unwrap();
    wait_for("Hint 1 of 3 for `pubsub`");
    keyboard.write_all(b"q").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "watch did not quit on `q`");
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = tcgetattr(&terminal).unwrap();
    assert_eq!(
        after.local_modes, before.local_modes,
        "the terminal is put back as it was"
    );
}

#[test]
fn an_interrupted_check_ends_every_test_it_started() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    // A test that never ends by itself: it spins until it is killed.
    let spins = common::solution_with_bug(
        "downloader",
        "    ensure!(\n        limit > 0,",
        "    if limit == 0 {\n        loop {\n            std::hint::spin_loop();\n        }\n    }\n    ensure!(\n        limit > 0,",
    );
    workspace.write_exercise("downloader", &spins);
    // Built first, so that the interrupt below lands while tests run.
    workspace.check(&["check", "downloader", "--timeout", "0.5"]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["check", "downloader", "--timeout", "120"])
        .current_dir(workspace.path())
        .env("CARGO_TARGET_DIR", common::target_dir())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let checker = child.id();
    let ours = format!("XTASK_RUN={checker}-");
    let marked = || -> Vec<u32> {
        fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| {
                    env.split(|b| *b == 0)
                        .any(|var| var.starts_with(ours.as_bytes()))
                })
            })
            .collect()
    };
    // Wait until the spinning test runs (the others end within seconds).
    let deadline = Instant::now() + Duration::from_secs(60);
    while marked().is_empty() {
        assert!(
            Instant::now() < deadline,
            "no test of the check ever started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_secs(3));
    assert!(!marked().is_empty(), "the spinning test runs");
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(checker as i32).unwrap(),
        rustix::process::Signal::INT,
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the check did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(
        status.code(),
        Some(130),
        "the status of an interrupted command"
    );
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("Interrupted"), "{stderr}");
    // Nothing the check started is left.
    let deadline = Instant::now() + Duration::from_secs(2);
    while !marked().is_empty() {
        assert!(
            Instant::now() < deadline,
            "processes of the interrupted check are still running: {:?}",
            marked()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
