//! A spec is only as good as the wrong solutions it rejects.
//!
//! Every fixture in `tests/fixtures/<exercise>/` is a complete `lib.rs` for
//! an exercise: `right_*` ones are correct solutions written another way and
//! must pass every test of the spec; the others are each a known mistake,
//! and the spec must fail them in the tests their header names, with a
//! message that names the problem (see [`Header`]). All fixtures of an exercise are built in one cargo
//! invocation, in a temporary workspace that shares the real target folder.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a fixture says about itself in its first `//!` lines.
///
/// A right one starts with `//! RIGHT, another way: <the design>`. A wrong
/// one is a known mistake, described for the learner who makes it:
///
/// ```text
/// //! WRONG: <what the code does wrong, in a sentence>
/// //! mistake: <the mistake's name, as a verdict would say it>
/// //! book: <page.md>#<section> (where the book explains it)
/// //! fails: <spec test>: <words its failure message must contain>
/// //! fails: ...
/// ```
#[derive(Debug)]
struct Header {
    right: bool,
    mistake: Option<String>,
    book: Option<String>,
    fails: Vec<(String, String)>,
}

fn header(exercise: &str, name: &str) -> Header {
    let source = common::fixture(exercise, name);
    let mut header = Header {
        right: false,
        mistake: None,
        book: None,
        fails: Vec::new(),
    };
    for line in source.lines().map_while(|line| line.strip_prefix("//! ")) {
        if line.starts_with("RIGHT") {
            header.right = true;
        } else if let Some(mistake) = line.strip_prefix("mistake: ") {
            header.mistake = Some(mistake.to_owned());
        } else if let Some(book) = line.strip_prefix("book: ") {
            header.book = Some(book.to_owned());
        } else if let Some(fails) = line.strip_prefix("fails: ") {
            let (test, words) = fails.split_once(": ").unwrap_or_else(|| {
                panic!("{exercise}/{name}: a `fails:` line is `<test>: <words>`, not {fails:?}")
            });
            header.fails.push((test.to_owned(), words.to_owned()));
        }
    }
    assert_eq!(
        header.right,
        name.starts_with("right_"),
        "{exercise}/{name}: a fixture called right_* starts with `//! RIGHT`, any other with `//! WRONG`"
    );
    header
}

/// The names of the tests of a spec, in its order, read from its source.
fn spec_tests(exercise: &str) -> Vec<String> {
    let spec = fs::read_to_string(common::root().join("specs").join(exercise).join("spec.rs"))
        .expect("the spec");
    let mut names = Vec::new();
    let mut lines = spec.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "#[test]" {
            let next = lines.next().unwrap_or_default();
            if let Some(rest) = next.trim().strip_prefix("fn ") {
                names.push(rest.split('(').next().unwrap_or_default().to_owned());
            }
        }
    }
    names
}

/// A `book:` reference must name a page and a heading that exist.
fn check_book_reference(exercise: &str, name: &str, reference: &str) -> Option<String> {
    let Some((page, fragment)) = reference.split_once('#') else {
        return Some(format!(
            "{exercise}/{name}: `book: {reference}` is not `<page.md>#<section>`"
        ));
    };
    let Ok(text) = fs::read_to_string(common::root().join("book/src").join(page)) else {
        return Some(format!(
            "{exercise}/{name}: `book: {reference}`: there is no book/src/{page}"
        ));
    };
    let found = text.lines().any(|line| {
        let heading = line.trim_start_matches('#');
        line.starts_with('#') && slug(heading) == fragment
    });
    (!found).then(|| {
        format!(
            "{exercise}/{name}: `book: {reference}`: book/src/{page} has no heading #{fragment}"
        )
    })
}

/// mdBook's id for a heading: lower case, spaces to dashes, only letters,
/// digits, `-` and `_` kept.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
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
    let tests = spec_tests(exercise);
    let outcomes = judge_fixtures(exercise);
    let mut problems = Vec::new();
    for (name, outcome) in &outcomes {
        let header = header(exercise, name);
        let ran = outcome.passed.len() + outcome.failed.len();
        if ran != tests.len() {
            problems.push(format!(
                "{exercise}/{name}: the spec has {} tests, but {ran} reported a result",
                tests.len()
            ));
        }
        if header.right {
            if !outcome.failed.is_empty() {
                problems.push(format!(
                    "{exercise}/{name} is a correct solution, but the spec failed it:\n{:#?}",
                    outcome.failed
                ));
            }
            continue;
        }
        if header.mistake.is_none() || header.fails.is_empty() {
            problems.push(format!(
                "{exercise}/{name} needs `//! mistake:`, `//! book:` and at least one `//! fails:` line"
            ));
        }
        if let Some(problem) = header
            .book
            .as_deref()
            .and_then(|reference| check_book_reference(exercise, name, reference))
        {
            problems.push(problem);
        }
        if outcome.failed.is_empty() {
            problems.push(format!(
                "{exercise}/{name} is wrong, but the spec passed it ({} tests)",
                outcome.passed.len()
            ));
        }
        for (test, words) in &header.fails {
            if !tests.contains(test) {
                problems.push(format!(
                    "{exercise}/{name}: `fails: {test}`: the spec has no such test"
                ));
                continue;
            }
            match outcome.failed.get(test) {
                None => problems.push(format!("{exercise}/{name}: `{test}` should fail (saying {words:?}), but it passed")),
                Some(text) if !text.contains(words.as_str()) => problems.push(format!(
                    "{exercise}/{name}: `{test}` failed, but its message does not say {words:?}:\n{text}"
                )),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
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
