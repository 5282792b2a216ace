//! Checks of the repository itself: the things that must stay true for the
//! workshop to work, checked on every `cargo test`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if path.is_dir() {
            if name != "target" && name != "build" && !name.starts_with('.') {
                rust_files(&path, files);
            }
        } else if name.ends_with(".rs") {
            files.push(path);
        }
    }
}

#[test]
fn the_spec_manifest_is_up_to_date() {
    let root = common::root();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("manifest")
        .arg("--check")
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_rust_file_starts_with_its_docs() {
    let root = common::root();
    let mut files = Vec::new();
    for dir in ["crates", "exercises", "solutions", "specs", "xtask", "book"] {
        rust_files(&root.join(dir), &mut files);
    }
    let missing: Vec<String> = files
        .iter()
        .filter(|file| !fs::read_to_string(file).unwrap().starts_with("//!"))
        .map(|file| file.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "these files do not start with `//!` docs: {missing:#?}"
    );
}

#[test]
fn every_exercise_has_todo_markers_and_every_solution_has_none() {
    let root = common::root();
    for exercise in common::exercises() {
        let exercise = exercise.as_str();
        let starter =
            fs::read_to_string(root.join("specs").join(exercise).join("starter/src/lib.rs"))
                .unwrap();
        assert!(
            starter.contains("// TODO:"),
            "the starter of {exercise} has no `// TODO:` marker"
        );
        assert!(
            starter.contains("todo!()"),
            "the starter of {exercise} has no `todo!()`"
        );
        let solution =
            fs::read_to_string(root.join("solutions").join(exercise).join("src/lib.rs")).unwrap();
        assert!(
            !solution.contains("todo!(") && !solution.contains("// TODO"),
            "the solution of {exercise} is unfinished"
        );
    }
}

#[test]
fn every_exercise_ships_three_hints() {
    let root = common::root();
    for exercise in common::exercises() {
        let exercise = exercise.as_str();
        let hints = fs::read_to_string(root.join("specs").join(exercise).join("hints.md")).unwrap();
        for n in 1..=3 {
            assert!(
                hints.contains(&format!("## Hint {n}")),
                "{exercise}: no `## Hint {n}`"
            );
            assert!(
                hints.contains(&format!("ANCHOR: hint{n} -->")),
                "{exercise}: hint {n} has no ANCHOR for the book"
            );
        }
    }
}

#[test]
fn the_readme_commands_exist() {
    let root = common::root();
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    for command in ["cargo xtask check", "cargo test", "cargo xtask book --open"] {
        assert!(
            readme.contains(command),
            "the README no longer shows `{command}`"
        );
    }
    // CI runs the README's test command.
    let ci = fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|line| line.trim() == "cargo test"),
        ".ci/run must run `cargo test`, the README's test command"
    );
    assert!(
        ci.lines()
            .any(|line| line.trim() == "cargo test -p book-builder"),
        ".ci/run must run the book's tests, which `cargo test` leaves out"
    );
    // Every `cargo xtask <subcommand>` the README mentions is a real one.
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    for word in readme.split("cargo xtask ").skip(1) {
        let subcommand: String = word
            .chars()
            .take_while(|c| c.is_ascii_lowercase())
            .collect();
        assert!(
            help.lines()
                .any(|line| line.trim_start().starts_with(&format!("{subcommand} "))),
            "the README mentions `cargo xtask {subcommand}`, which `cargo xtask --help` does not list"
        );
    }
    // Every example the README names exists.
    for word in readme.split("cargo run -p ").skip(1) {
        let mut parts = word.split_whitespace();
        let package = parts.next().unwrap();
        let example = parts.nth(1).unwrap().trim_end_matches('`');
        let path = root
            .join("crates")
            .join(package)
            .join("examples")
            .join(format!("{example}.rs"));
        assert!(
            path.exists(),
            "the README runs `cargo run -p {package} --example {example}`, but {} does not exist",
            path.display()
        );
    }
}

#[test]
fn every_exercise_is_known_to_the_checker_and_judged_against_its_fixtures() {
    let root = common::root();
    let listed = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("list")
        .current_dir(&root)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    let fixture_test =
        fs::read_to_string(root.join("xtask/tests/specs_reject_wrong_solutions.rs")).unwrap();
    for exercise in common::exercises() {
        assert!(
            listed.contains(&format!(" {exercise} ")),
            "specs/{exercise} has a spec, but `cargo xtask list` does not know `{exercise}`: \
             add it to EXERCISES in xtask/src/exercises.rs"
        );
        for dir in ["exercises", "solutions"] {
            assert!(
                root.join(dir)
                    .join(&exercise)
                    .join("tests/spec.rs")
                    .is_file(),
                "{dir}/{exercise}/tests/spec.rs is missing"
            );
        }
        let fixtures = common::fixtures(&exercise);
        assert!(
            fixtures.iter().any(|name| name.starts_with("right_"))
                && fixtures.iter().any(|name| !name.starts_with("right_")),
            "xtask/tests/fixtures/{exercise}/ needs right_* fixtures (other correct designs) and wrong ones \
             (known mistakes)"
        );
        assert!(
            fixture_test.contains(&format!("check_exercise(\"{exercise}\")")),
            "xtask/tests/specs_reject_wrong_solutions.rs has no test that runs check_exercise(\"{exercise}\")"
        );
    }
}

/// The verdicts an exercise page promises ("- **timed out** on `test`: ...",
/// in its list of what verdicts usually mean) are ones the checker gives:
/// for each, a wrong fixture of that exercise has a `fails:` line with that
/// verdict (a line without one means *failing*), for that test when the page
/// names one (`name_...` names a prefix). The fixture test proves every
/// `fails:` line against the checker, so this ties the page to what the
/// checker really says.
#[test]
fn the_verdicts_an_exercise_page_promises_are_the_ones_the_checker_gives() {
    const VERDICTS: [&str; 6] = [
        "failing",
        "timed out",
        "leaked",
        "crashed",
        "flaky",
        "used too much memory",
    ];
    let root = common::root();
    let mut problems = Vec::new();
    let mut claims = 0;
    for exercise in common::exercises() {
        let page = root.join(format!("book/src/exercises/{exercise}.md"));
        let text = fs::read_to_string(&page).unwrap();
        // (test, verdict) for every `fails:` line of every wrong fixture.
        let mut signatures: Vec<(String, String)> = Vec::new();
        for fixture in common::fixtures(&exercise) {
            let source = common::fixture(&exercise, &fixture);
            if !source.starts_with("//! WRONG") {
                continue;
            }
            for line in source.lines().take_while(|l| l.starts_with("//!")) {
                let Some(rest) = line.strip_prefix("//! fails: ") else {
                    continue;
                };
                let head = rest.split(": ").next().unwrap_or(rest);
                let (test, verdict) = match head.split_once(" (") {
                    Some((test, verdict)) => (test, verdict.trim_end_matches(')')),
                    None => (head, "failing"),
                };
                signatures.push((test.trim().to_owned(), verdict.to_owned()));
            }
        }
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("- **") else {
                continue;
            };
            let Some((first, _)) = rest.split_once("**") else {
                continue;
            };
            if !VERDICTS.contains(&first) {
                continue;
            }
            // Every verdict in bold before the colon, and the test in
            // backticks after "on", if any.
            let claim = line.split_once(": ").map_or(line, |(claim, _)| claim);
            let verdicts: Vec<&str> = claim
                .split("**")
                .skip(1)
                .step_by(2)
                .filter(|word| VERDICTS.contains(word))
                .collect();
            let test = claim
                .split_once("on `")
                .and_then(|(_, after)| after.split_once('`'))
                .map(|(test, _)| test);
            claims += 1;
            let matches = |(t, v): &(String, String)| {
                verdicts.contains(&v.as_str())
                    && test.is_none_or(|test| match test.strip_suffix("...") {
                        Some(prefix) => t.starts_with(prefix),
                        None => t == test,
                    })
            };
            if !signatures.iter().any(matches) {
                problems.push(format!(
                    "book/src/exercises/{exercise}.md promises {verdicts:?}{}, but no wrong fixture of \
                     {exercise} has a `fails:` line saying so:\n    {line}",
                    test.map(|t| format!(" on `{t}`")).unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        claims > 20,
        "the verdict lists were not found ({claims} claims)"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What `cargo tree` says building `selection` compiles from crates.io:
/// each crate (`name vVERSION`) with the sets of features it is built with.
/// A crate can have two: one for the target, and one for the build machine
/// (where proc macros and their dependencies run).
fn features_built(selection: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "--edges",
            "normal,build,dev",
        ])
        .args(["--prefix", "none", "--no-dedupe", "--format", "{p} [{f}]"])
        .args(selection)
        .current_dir(common::root())
        .output()
        .expect("run cargo tree");
    assert!(
        output.status.success(),
        "cargo tree {selection:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut built: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Some((package, features)) = line.rsplit_once(" [") else {
            continue;
        };
        let package = package.trim_end_matches(" (proc-macro)");
        // The workshop's own crates (`name v0.1.0 (/path)`) are built per
        // selection anyway.
        if package.contains(" (") {
            continue;
        }
        built
            .entry(package.to_owned())
            .or_default()
            .insert(features.trim_end_matches(']').to_owned());
    }
    built
}

/// Every spec build asks the crates it shares with `cargo test` for the
/// same features. Cargo compiles a crate once per set of features, and
/// every crate above it with it: one feature apart deep down (a `log` on
/// mio, a `visit-mut` on syn) and tokio, hyper, axum and everything that
/// uses them are compiled again, for each exercise the checker judges alone,
/// for all of them, and for the solutions. test-kit's Cargo.toml asks for
/// what the rest of the workspace would otherwise add.
#[test]
fn the_spec_builds_share_the_workspace_build() {
    let workspace = features_built(&[]);
    assert!(
        workspace.keys().any(|k| k.starts_with("tokio v")),
        "cargo tree printed no tokio: {workspace:?}"
    );
    let exercises = common::exercises();
    let mut selections: Vec<(String, Vec<String>)> = exercises
        .iter()
        .map(|e| {
            (
                format!("`cargo xtask check {e}`"),
                vec!["-p".to_owned(), e.clone()],
            )
        })
        .collect();
    let every = |suffix: &str| -> Vec<String> {
        exercises
            .iter()
            .flat_map(|e| ["-p".to_owned(), format!("{e}{suffix}")])
            .collect()
    };
    selections.push(("`cargo xtask check`".to_owned(), every("")));
    selections.push((
        "`cargo xtask check --solutions`".to_owned(),
        every("-solution"),
    ));
    let mut problems = Vec::new();
    for (what, selection) in &selections {
        for (package, features) in features_built(selection) {
            if let Some(shared) = workspace.get(&package)
                && *shared != features
            {
                problems.push(format!(
                    "{package}: `cargo test` builds it with {shared:?}, {what} with {features:?}"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "these crates, and every crate above them, would be compiled twice: add what `cargo test` asks of \
         them to test-kit's Cargo.toml (see the comment there):\n{}",
        problems.join("\n")
    );
}
