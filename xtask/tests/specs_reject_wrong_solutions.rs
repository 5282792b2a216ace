//! A spec is only as good as the wrong solutions it rejects.
//!
//! Every fixture in `tests/fixtures/<exercise>/` is a complete `lib.rs` for
//! an exercise: `right_*` ones are correct solutions written another way and
//! must pass every test of the spec; the others each have one deliberate
//! bug, and the spec must fail them in the tests listed below, with a message
//! that names the problem. All fixtures of an exercise are built in one cargo
//! invocation, in a temporary workspace that shares the real target folder.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What each wrong fixture must get: (test, words its failure must contain).
fn expectations(exercise: &str) -> BTreeMap<&'static str, Vec<(&'static str, &'static str)>> {
    let mut expected = BTreeMap::new();
    match exercise {
        "downloader" => {
            expected.insert(
                "unbounded",
                vec![
                    (
                        "never_exceeds_the_limit_and_reaches_it",
                        "the limit is not enforced (every URL was requested at once)",
                    ),
                    (
                        "a_limit_of_one_downloads_one_at_a_time",
                        "the limit is not enforced",
                    ),
                ],
            );
            expected.insert(
                "sequential",
                vec![
                    (
                        "never_exceeds_the_limit_and_reaches_it",
                        "ran one at a time",
                    ),
                    (
                        "a_limit_above_the_number_of_urls_is_fine",
                        "ran one at a time",
                    ),
                ],
            );
            expected.insert(
                "off_by_one",
                vec![("never_exceeds_the_limit_and_reaches_it", "(off by one?)")],
            );
            expected.insert(
                "completion_order",
                vec![(
                    "returns_one_result_per_url_in_input_order",
                    "snapshot assertion",
                )],
            );
            expected.insert(
                "loses_errors",
                vec![(
                    "each_failure_is_reported_for_its_own_url",
                    "exactly one result per URL",
                )],
            );
            expected.insert(
                "panics_on_failure",
                vec![(
                    "each_failure_is_reported_for_its_own_url",
                    "download failed",
                )],
            );
            expected.insert(
                "limit_zero_hangs",
                vec![(
                    "a_limit_of_zero_is_rejected_with_a_clear_error",
                    "must return an error at once",
                )],
            );
            expected.insert(
                "own_client",
                vec![(
                    "a_url_that_never_answers_does_not_hold_up_the_others",
                    "not hang the call",
                )],
            );
            expected.insert(
                "detached_tasks",
                vec![(
                    "dropping_the_future_cancels_the_downloads_in_flight",
                    "were not cancelled",
                )],
            );
            expected.insert(
                "uppercase_bodies",
                vec![(
                    "returns_one_result_per_url_in_input_order",
                    "snapshot assertion",
                )],
            );
        }
        "prime-pipeline" => {
            expected.insert(
                "ignores_cancel",
                vec![
                    (
                        "cancellation_is_not_ignored",
                        "the stages ignore cancellation",
                    ),
                    (
                        "cancel_stops_stages_blocked_on_an_empty_channel",
                        "did not close",
                    ),
                ],
            );
            expected.insert(
                "blocks_on_send_after_cancel",
                vec![(
                    "cancel_stops_stages_blocked_on_a_full_channel",
                    "stage threads were still running",
                )],
            );
            expected.insert(
                "never_closes_on_cancel",
                vec![(
                    "cancel_ends_a_consumer_looping_over_the_output",
                    "did not finish within",
                )],
            );
            expected.insert(
                "unbounded_channels",
                vec![
                    ("every_stage_returns_a_bounded_channel", "unbounded channel"),
                    (
                        "a_slow_consumer_keeps_memory_bounded",
                        "something buffers without limit",
                    ),
                ],
            );
            expected.insert(
                "one_is_prime",
                vec![("zero_and_one_are_not_prime", "0, 1, 4 and 9 are not prime")],
            );
            expected.insert(
                "squares_in_u64",
                vec![("squares_never_overflow", "must compute in u128")],
            );
            expected.insert(
                "counts_past_the_end",
                vec![(
                    "a_range_that_ends_at_u64_max_works",
                    "attempt to add with overflow",
                )],
            );
            expected.insert(
                "parallel_filter_reorders",
                vec![("prime_squares_come_out_in_order", "in order")],
            );
            expected.insert(
                "leaks_a_watchdog",
                vec![("prime_squares_come_out_in_order", "leak detected")],
            );
        }
        "pubsub" => {
            expected.insert(
                "broadcast_lossy",
                vec![(
                    "a_slow_subscriber_loses_nothing",
                    "must receive every message",
                )],
            );
            expected.insert(
                "crosses_topics",
                vec![("topics_are_isolated", "snapshot assertion")],
            );
            expected.insert(
                "duplicates",
                vec![(
                    "every_subscriber_gets_every_message_in_order",
                    "how many subscribers it reached",
                )],
            );
            expected.insert(
                "replays_history",
                vec![(
                    "a_late_subscriber_sees_nothing_older",
                    "only receive what was published after",
                )],
            );
            expected.insert(
                "never_closes",
                vec![(
                    "close_lets_subscribers_drain_then_ends_them",
                    "recv() neither returned a message nor None",
                )],
            );
            expected.insert(
                "dropped_subscriber_blocks",
                vec![(
                    "dropping_a_subscriber_releases_a_publisher_waiting_for_it",
                    "must be released",
                )],
            );
            expected.insert(
                "spawned_sends",
                vec![(
                    "all_subscribers_see_the_same_order_with_concurrent_publishers",
                    "in the order",
                )],
            );
            expected.insert(
                "leaks_an_actor",
                vec![(
                    "nothing_outlives_the_broker",
                    "still alive after the broker",
                )],
            );
        }
        _ => unreachable!(),
    }
    expected
}

/// One spec run: every test's outcome, and the text of each failure.
struct Outcome {
    passed: Vec<String>,
    failed: BTreeMap<String, String>,
}

fn run_spec(binary: &Path) -> Outcome {
    let mut child = Command::new(binary)
        .args(["--test-threads=4"])
        .env("RUST_BACKTRACE", "0")
        .env("INSTA_UPDATE", "no")
        .env("INSTA_FORCE_PASS", "0")
        .env("INSTA_WORKSPACE_ROOT", common::root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run a spec binary");
    // The kit's deadlines end every test within seconds; this is the backstop.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!(
                "{} ran for a minute: the spec should end every test sooner",
                binary.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = reader.join().unwrap();
    let mut passed = Vec::new();
    let mut failed = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("test spec::") {
            if let Some(name) = rest.strip_suffix(" ... ok") {
                passed.push(name.to_owned());
            } else if let Some(name) = rest.strip_suffix(" ... FAILED") {
                failed.insert(name.to_owned(), String::new());
            }
        }
    }
    // The failure sections: `---- spec::name stdout ----` up to the next one.
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(name) = line
            .strip_prefix("---- spec::")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            current = Some(name.to_owned());
        } else if line == "failures:" {
            current = None;
        } else if let Some(name) = &current {
            let section = failed.entry(name.clone()).or_default();
            section.push_str(line);
            section.push('\n');
        }
    }
    Outcome { passed, failed }
}

/// Builds every fixture of `exercise` and runs its spec on each.
fn judge_fixtures(exercise: &str) -> BTreeMap<String, Outcome> {
    let dir = tempfile::tempdir().unwrap();
    common::prepare(dir.path(), "\"fixtures/*\"");
    let exercise_dir = common::root().join("exercises").join(exercise);
    let spec = common::root().join("specs").join(exercise).join("spec.rs");
    let mut packages = Vec::new();
    for name in common::fixtures(exercise) {
        let package = format!("fx-{exercise}-{}", name.replace('_', "-"));
        let crate_dir = dir.path().join("fixtures").join(&package);
        fs::create_dir_all(crate_dir.join("src")).unwrap();
        fs::create_dir_all(crate_dir.join("tests")).unwrap();
        let manifest = fs::read_to_string(exercise_dir.join("Cargo.toml")).unwrap();
        let manifest = manifest.replacen(
            &format!("name = \"{exercise}\""),
            &format!("name = \"{package}\""),
            1,
        );
        fs::write(crate_dir.join("Cargo.toml"), manifest).unwrap();
        fs::write(
            crate_dir.join("src/lib.rs"),
            common::fixture(exercise, &name),
        )
        .unwrap();
        fs::write(
            crate_dir.join("tests/spec.rs"),
            format!(
                "//! The spec, against a fixture.\nextern crate {} as subject;\n#[path = {:?}]\nmod spec;\n",
                package.replace('-', "_"),
                spec.display().to_string()
            ),
        )
        .unwrap();
        packages.push((name, package));
    }

    let mut build = Command::new(env!("CARGO"));
    build
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", common::target_dir())
        .args([
            "test",
            "--no-run",
            "--message-format=json",
            "--test",
            "spec",
        ])
        .stderr(Stdio::inherit());
    for (_, package) in &packages {
        build.args(["-p", package]);
    }
    let output = build.output().expect("run cargo");
    assert!(
        output.status.success(),
        "the fixtures of {exercise} must compile"
    );
    let mut binaries: BTreeMap<String, PathBuf> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let is_spec =
            message["reason"] == "compiler-artifact" && message["target"]["name"] == "spec";
        if let (true, Some(exe)) = (is_spec, message["executable"].as_str()) {
            let package = message["package_id"].as_str().unwrap_or_default();
            if let Some((name, _)) = packages
                .iter()
                .find(|(_, p)| package.contains(&format!("/{p}#")))
            {
                binaries.insert(name.clone(), PathBuf::from(exe));
            }
        }
    }
    assert_eq!(
        binaries.len(),
        packages.len(),
        "one spec binary per fixture"
    );

    // Two fixtures at a time: each runs four tests at once.
    let outcomes = std::sync::Mutex::new(BTreeMap::new());
    let queue = std::sync::Mutex::new(binaries.into_iter().collect::<Vec<_>>());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let Some((name, binary)) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    let outcome = run_spec(&binary);
                    outcomes.lock().unwrap().insert(name, outcome);
                }
            });
        }
    });
    outcomes.into_inner().unwrap()
}

fn check_exercise(exercise: &str) {
    let outcomes = judge_fixtures(exercise);
    let expected = expectations(exercise);
    let mut problems = Vec::new();
    for (name, outcome) in &outcomes {
        if name.starts_with("right_") {
            if !outcome.failed.is_empty() {
                problems.push(format!(
                    "{exercise}/{name} is a correct solution, but the spec failed it:\n{:#?}",
                    outcome.failed
                ));
            }
            continue;
        }
        let Some(wanted) = expected.get(name.as_str()) else {
            problems.push(format!(
                "{exercise}/{name} has no expectations in this test"
            ));
            continue;
        };
        if outcome.failed.is_empty() {
            problems.push(format!(
                "{exercise}/{name} is wrong, but the spec passed it ({} tests)",
                outcome.passed.len()
            ));
        }
        for (test, words) in wanted {
            match outcome.failed.get(*test) {
                None => problems.push(format!("{exercise}/{name}: `{test}` should fail (saying {words:?}), but it passed")),
                Some(text) if !text.contains(words) => problems.push(format!(
                    "{exercise}/{name}: `{test}` failed, but its message does not say {words:?}:\n{text}"
                )),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_downloader_spec_rejects_wrong_downloaders() {
    check_exercise("downloader");
}

#[test]
fn the_prime_pipeline_spec_rejects_wrong_pipelines() {
    check_exercise("prime-pipeline");
}

#[test]
fn the_pubsub_spec_rejects_wrong_brokers() {
    check_exercise("pubsub");
}
