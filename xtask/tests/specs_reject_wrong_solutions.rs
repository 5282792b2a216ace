//! A spec is only as good as the wrong solutions it rejects.
//!
//! Every fixture in `tests/fixtures/<exercise>/` is a complete `lib.rs` for
//! an exercise: `right_*` ones are correct solutions written another way and
//! must pass; the others are each a known mistake, described in their first
//! lines (the format is in `xtask/src/mistakes.rs`), and the checker must fail
//! them in the tests their header names, with a message that names the
//! problem and the verdict the header (and the book) promises, and must
//! recognise each as that mistake and no other. Each fixture is judged by
//! `cargo xtask judge`, the checker's own judgement of a spec binary. All fixtures of an exercise are built in one cargo
//! invocation, in a temporary workspace that shares the real target folder.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What the checker said about one fixture (`cargo xtask judge --json`).
struct Judged {
    /// The whole report, as JSON.
    json: serde_json::Value,
}

impl Judged {
    fn exercise(&self) -> &serde_json::Value {
        &self.json["exercises"][0]
    }

    fn test(&self, name: &str) -> Option<&serde_json::Value> {
        self.exercise()["tests"]
            .as_array()?
            .iter()
            .find(|t| t["name"] == name)
    }
}

/// Judges one fixture's spec binary exactly as `cargo xtask check` would.
fn judge(exercise: &str, fixture: &str, binary: &Path) -> Judged {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["judge", exercise, "--jobs", "4", "--fixture", fixture])
        .arg("--binary")
        .arg(binary)
        .arg("--cwd")
        .arg(common::root().join("exercises").join(exercise))
        .current_dir(common::root())
        .env("CARGO_TARGET_DIR", common::target_dir())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo xtask judge");
    assert!(
        output.status.success(),
        "cargo xtask judge {exercise} failed on {fixture}"
    );
    Judged {
        json: serde_json::from_slice(&output.stdout).expect("the judge prints JSON"),
    }
}

/// Builds every fixture of `exercise` and runs its spec on each.
fn judge_fixtures(exercise: &str) -> BTreeMap<String, (Judged, PathBuf)> {
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
    // Each fixture is built once: incremental state for it would only take
    // disk (tens of MB a fixture, gigabytes over all of them).
    let mut manifest = fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
    for (_, package) in &packages {
        manifest.push_str(&format!(
            "\n[profile.dev.package.{package}]\nincremental = false\n"
        ));
    }
    fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();

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

    two_at_a_time(binaries.into_iter().collect(), |(name, binary)| {
        let judged = judge(exercise, &name, &binary);
        (name, (judged, binary))
    })
    .into_iter()
    .collect()
}

/// `work` on every item, two items at a time (each judgement runs four
/// tests at once: eight in all, as many as the checker's default runs on
/// 2 cores), in no particular order.
fn two_at_a_time<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let queue = std::sync::Mutex::new(items);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let Some(item) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    let result = work(item);
                    results.lock().unwrap().push(result);
                }
            });
        }
    });
    results.into_inner().unwrap()
}

/// What is wrong with the checker's judgement of one fixture (nothing, if
/// the fixture is judged as its header says).
fn problems_of(exercise: &str, name: &str, judged: &Judged) -> Vec<String> {
    let mut problems = Vec::new();
    let header = &judged.json["fixture"];
    let verdict = judged.exercise()["verdict"].as_str().unwrap_or_default();
    let report = || serde_json::to_string_pretty(judged.exercise()).unwrap_or_default();
    if let Some(error) = header["error"].as_str() {
        problems.push(format!("{exercise}/{name}: {error}"));
        return problems;
    }
    if header["right"] == true {
        if verdict != "passed" {
            problems.push(format!(
                "{exercise}/{name} is a correct solution, but the checker says {verdict}:\n{}",
                report()
            ));
        }
        return problems;
    }
    if verdict == "passed" {
        problems.push(format!(
            "{exercise}/{name} is wrong, but the checker passed it"
        ));
        return problems;
    }
    if verdict != "failing" {
        problems.push(format!(
            "{exercise}/{name}: the checker says {verdict}, not failing: a fixture must be judged, \
             not refused:\n{}",
            report()
        ));
        return problems;
    }
    let place = header["book_place"].as_str().unwrap_or_default();
    if place.split(" > ").count() != 3 {
        problems.push(format!(
            "{exercise}/{name}: `book: {}` does not name a page of SUMMARY.md and one of its headings \
             (the checker reads it as {place:?})",
            header["book"]
        ));
    }
    for failure in header["fails"].as_array().into_iter().flatten() {
        let test = failure["test"].as_str().unwrap_or_default();
        let words = failure["words"].as_str().unwrap_or_default();
        let Some(result) = judged.test(test) else {
            problems.push(format!(
                "{exercise}/{name}: `fails: {test}`: the spec has no such test"
            ));
            return problems;
        };
        if result["verdict"] == "passed" {
            problems.push(format!(
                "{exercise}/{name}: `{test}` should fail (saying {words:?}), but it passed"
            ));
            return problems;
        }
        let text = format!(
            "{}\n{}",
            result["message"].as_str().unwrap_or_default(),
            result["snapshot_diff"].as_str().unwrap_or_default()
        );
        if !text.contains(words) {
            problems.push(format!(
                "{exercise}/{name}: `{test}` is {}, but its message does not say {words:?}:\n{text}",
                result["label"]
            ));
        }
        if failure["verdict"].is_null() && result["label"] != "failing" {
            problems.push(format!(
                "{exercise}/{name}: `{test}` is {}; a `fails:` line without a verdict means failing: \
                 write `fails: {test} ({})`",
                result["label"],
                result["label"].as_str().unwrap_or_default()
            ));
        }
        if let Some(wanted) = failure["verdict"].as_str()
            && result["label"] != wanted
        {
            problems.push(format!(
                "{exercise}/{name}: `{test}` is {}, but the fixture (and the book) says {wanted}",
                result["label"]
            ));
        }
    }
    let recognised: Vec<&str> = judged.exercise()["mistakes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["fixture"].as_str())
        .collect();
    let mut expected: Vec<&str> = header["like"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|like| like.as_str())
        .chain([name])
        .collect();
    expected.sort_unstable();
    if recognised != expected {
        let failed: Vec<String> = judged.exercise()["tests"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["verdict"] != "passed")
            .map(|t| {
                format!(
                    "\n    {} ({}): {}",
                    t["name"].as_str().unwrap_or("?"),
                    t["label"].as_str().unwrap_or("?"),
                    t["message"]
                        .as_str()
                        .unwrap_or("")
                        .lines()
                        .next()
                        .unwrap_or("")
                )
            })
            .collect();
        problems.push(format!(
            "{exercise}/{name} is recognised as {recognised:?}, not as {expected:?}: make its `fails:` \
             lines a signature no other fixture of {exercise} shares (naming every test it fails makes \
             it exact), or declare the look-alikes the spec cannot tell apart (`//! like:`). It fails:{}",
            failed.join("")
        ));
    }
    problems
}

fn check_exercise(exercise: &str) {
    let outcomes = judge_fixtures(exercise);
    let mut problems = Vec::new();
    for (name, (judged, binary)) in &outcomes {
        let mut found = problems_of(exercise, name, judged);
        // Which tests a wrong design fails can depend on timing on a loaded
        // machine (a sleep that makes a client time out, a send timeout that
        // expires): judge it again, twice at most, before calling its
        // signature wrong. A right fixture gets no second chance: a correct
        // design must pass every time.
        if !found.is_empty() && judged.json["fixture"]["right"] != true {
            for _ in 0..2 {
                let again = problems_of(exercise, name, &judge(exercise, name, binary));
                if again.is_empty() {
                    found = again;
                    break;
                }
            }
        }
        problems.extend(found);
    }
    problems.extend(judge_right_fixtures_again(exercise, &outcomes));
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// `FIXTURE_RIGHT_RUNS=50 cargo test -p xtask --test
/// specs_reject_wrong_solutions`: each right fixture is judged that many
/// times in all (two judgements at a time), and must pass every time.
fn judge_right_fixtures_again(
    exercise: &str,
    outcomes: &BTreeMap<String, (Judged, PathBuf)>,
) -> Vec<String> {
    let runs = right_runs();
    let queue: Vec<(&String, &PathBuf, usize)> = outcomes
        .iter()
        .filter(|(_, (judged, _))| judged.json["fixture"]["right"] == true)
        .flat_map(|(name, (_, binary))| (2..=runs).map(move |run| (name, binary, run)))
        .collect();
    two_at_a_time(queue, |(name, binary, run)| {
        let found = problems_of(exercise, name, &judge(exercise, name, binary));
        if found.is_empty() {
            return found;
        }
        std::iter::once(format!("{exercise}/{name}, in run {run} of {runs}:"))
            .chain(found)
            .collect()
    })
    .concat()
}

/// How many times each right fixture is judged: `FIXTURE_RIGHT_RUNS`, or once.
fn right_runs() -> usize {
    std::env::var("FIXTURE_RIGHT_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(1)
        .max(1)
}

#[test]
fn the_parallel_map_spec_rejects_wrong_parallel_maps() {
    check_exercise("parallel-map");
}

#[test]
fn the_fan_in_spec_rejects_wrong_merges() {
    check_exercise("fan-in");
}

#[test]
fn the_pipeline_stage_spec_rejects_wrong_stages() {
    check_exercise("pipeline-stage");
}

#[test]
fn the_once_cache_spec_rejects_wrong_caches() {
    check_exercise("once-cache");
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

#[test]
fn the_errgroup_spec_rejects_wrong_error_groups() {
    check_exercise("errgroup");
}

#[test]
fn the_token_bucket_spec_rejects_wrong_buckets_and_limiters() {
    check_exercise("token-bucket");
}

#[test]
fn the_leak_hunt_spec_rejects_leaks_and_false_fixes() {
    check_exercise("leak-hunt");
}
