//! The checker never lies: faults a learner's code (or a tampered checkout)
//! can produce, and the verdict each must get.
//!
//! Every test plants one class of fault, in several shapes, into a
//! temporary copy of the workspace, runs `cargo xtask check` as a learner
//! would, and checks four things: the verdict is not *passed* and says what
//! happened; the exit code says so; nothing the test started is still
//! running afterwards (each planted process carries a unique number on its
//! command line, looked up in `/proc`); and the report holds no control
//! character. Where the planted code writes no file itself, the test also
//! checks that the checker changed nothing under `specs/` or `exercises/`.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::{Workspace, insert_in_body, one_at_a_time};

/// A number no other run of these tests uses, for the command lines of the
/// processes a fault starts.
fn unique() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{}{:09}{}",
        std::process::id(),
        nanos,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// `sleep 86400.<tag>`: a process that would outlive any test, and that
/// only this test can have started.
fn sleep_arg(tag: &str) -> String {
    format!("86400.{tag}")
}

/// The processes whose command line contains `needle`.
fn processes_with(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        if let Ok(cmdline) = fs::read(format!("/proc/{pid}/cmdline"))
            && String::from_utf8_lossy(&cmdline).contains(needle)
        {
            found.push(pid);
        }
    }
    found
}

/// Fails if a process carrying `tag` still runs; ends any it finds, by
/// exact pid, so that a failing test does not leave them behind either.
fn assert_nothing_left_running(tags: &[String]) {
    // A kill takes a moment to take effect.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let mut left = Vec::new();
    for tag in tags {
        for pid in processes_with(&sleep_arg(tag)) {
            left.push(pid);
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
    }
    assert!(
        left.is_empty(),
        "processes started by the tests were still running after the check: {left:?}"
    );
}

/// Fails if the report holds a control character (other than newline and tab).
fn assert_no_control_characters(output: &str) {
    let bad: Vec<(usize, char)> = output
        .char_indices()
        .filter(|(_, c)| {
            (c.is_control() && *c != '\n' && *c != '\t') || ('\u{202a}'..='\u{202e}').contains(c)
        })
        .take(5)
        .collect();
    assert!(
        bad.is_empty(),
        "the report holds control characters {bad:?}:\n{output}"
    );
}

/// `text` with every run of white space made one space, so that a phrase
/// is found wherever the report wrapped it.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every file under `specs/` and `exercises/`, with its contents.
fn learner_visible_files(workspace: &Workspace) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, files);
            } else {
                files.insert(
                    path.strip_prefix(root).unwrap().to_owned(),
                    fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut files = BTreeMap::new();
    for dir in ["specs", "exercises"] {
        walk(&workspace.path().join(dir), workspace.path(), &mut files);
    }
    files
}

/// Runs `cargo xtask check <args>` and checks what every fault's check must
/// satisfy; returns the report.
fn check_fault(
    workspace: &Workspace,
    args: &[&str],
    tags: &[String],
    writes_files: bool,
) -> String {
    let before = learner_visible_files(workspace);
    let mut all = vec!["check"];
    // The faults are planted in the three projects: check those (all the
    // others would add a build and only one line each).
    const PROJECTS: [&str; 3] = ["downloader", "prime-pipeline", "pubsub"];
    if !args.iter().any(|arg| PROJECTS.contains(arg)) {
        all.extend(PROJECTS);
    }
    all.extend_from_slice(args);
    let (code, output) = workspace.check(&all);
    assert_nothing_left_running(tags);
    assert_no_control_characters(&output);
    assert_eq!(code, 1, "a fault is never a pass (exit code 1):\n{output}");
    assert!(
        !output.lines().any(|line| line.starts_with("✓ ")),
        "no exercise with a fault may pass:\n{output}"
    );
    if !writes_files {
        assert!(
            learner_visible_files(workspace) == before,
            "the checker changed a file under specs/ or exercises/"
        );
    }
    output
}

fn solution(exercise: &str) -> String {
    fs::read_to_string(
        common::root()
            .join("solutions")
            .join(exercise)
            .join("src/lib.rs"),
    )
    .unwrap()
}

fn starter(exercise: &str) -> String {
    fs::read_to_string(
        common::root()
            .join("specs")
            .join(exercise)
            .join("starter/src/lib.rs"),
    )
    .unwrap()
}

const DOWNLOAD_ALL: &str = "pub async fn download_all(";
const GENERATE: &str = "pub fn generate(";
const BROKER_NEW: &str = "pub fn new() -> Broker<T>";

#[test]
fn an_exit_call_during_a_test_is_a_crash_not_a_pass() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    // Exit 0 as soon as the code is called.
    workspace.write_exercise(
        "downloader",
        &insert_in_body(
            &solution("downloader"),
            DOWNLOAD_ALL,
            "    std::process::exit(0);",
        ),
    );
    // Exit 0 only when the code can tell it runs under the spec.
    workspace.write_exercise(
        "prime-pipeline",
        &insert_in_body(
            &solution("prime-pipeline"),
            GENERATE,
            "    if std::env::args().any(|arg| arg.starts_with(\"spec::\")) { std::process::exit(0); }",
        ),
    );
    // Exit 0 from another thread, a moment later, while the test still runs;
    // and exit 1 where nothing else would fail.
    workspace.write_exercise(
        "pubsub",
        &insert_in_body(
            &solution("pubsub"),
            BROKER_NEW,
            "        std::thread::spawn(|| { std::thread::sleep(std::time::Duration::from_millis(30)); \
             std::process::exit(if std::env::args().any(|a| a.contains(\"isolated\")) { 1 } else { 0 }) });",
        ),
    );
    let output = check_fault(&workspace, &["--timeout", "5"], &[], false);
    assert!(
        flat(&output).contains("✗ downloader:")
            && flat(&output).contains("✗ prime-pipeline:")
            && flat(&output).contains("✗ pubsub:"),
        "{output}"
    );
    assert!(
        flat(&output).contains(": crashed")
            && flat(&output).contains("exited (exit code 0) before the test finished")
            && output.contains("`std::process::exit`"),
        "an exit is reported as a crash, in words: {output}"
    );
    assert!(
        flat(&output).contains("exited (exit code 1) before the test finished"),
        "{output}"
    );
    assert!(
        !flat(&output).contains("exit status exit status"),
        "{output}"
    );
    assert!(flat(&output).contains("0 of 3 exercises pass."), "{output}");
}

#[test]
fn every_process_a_test_starts_is_ended_and_named() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let tags: Vec<String> = (0..4).map(|_| unique()).collect();
    let spawn = |command: &str, args: &[String]| {
        let args: Vec<String> = args.iter().map(|a| format!("{a:?}")).collect();
        format!(
            "    let _ = std::process::Command::new({command:?}).args([{}]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn();",
            args.join(", ")
        )
    };
    // A plain child whose handle is dropped, and one that cleared its
    // environment and left the group.
    workspace.write_exercise(
        "downloader",
        &insert_in_body(
            &solution("downloader"),
            DOWNLOAD_ALL,
            &format!(
                "{}\n{}",
                spawn("sleep", &[sleep_arg(&tags[0])]),
                spawn(
                    "env",
                    &[
                        "-i".into(),
                        "/usr/bin/setsid".into(),
                        "sleep".into(),
                        sleep_arg(&tags[1])
                    ]
                )
            ),
        ),
    );
    // A child that calls setsid: a session and a group of its own.
    workspace.write_exercise(
        "prime-pipeline",
        &insert_in_body(
            &solution("prime-pipeline"),
            GENERATE,
            &spawn("setsid", &["sleep".into(), sleep_arg(&tags[2])]),
        ),
    );
    // A double fork: the shell exits at once, its child is orphaned.
    workspace.write_exercise(
        "pubsub",
        &insert_in_body(
            &solution("pubsub"),
            BROKER_NEW,
            &spawn(
                "sh",
                &["-c".into(), format!("sleep {} &", sleep_arg(&tags[3]))],
            ),
        ),
    );
    let output = check_fault(&workspace, &[], &tags, false);
    assert!(flat(&output).contains(": leaked"), "{output}");
    for tag in &tags {
        assert!(
            output.contains(&sleep_arg(tag)),
            "the process with {tag} is named in the report: {output}"
        );
    }
    assert!(
        flat(&output).contains("left 1 process running after it ended")
            || flat(&output).contains("processes running after it ended"),
        "{output}"
    );
    assert!(flat(&output).contains("0 of 3 exercises pass."), "{output}");
}

#[test]
fn output_is_kept_when_a_leftover_process_holds_the_pipes() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let tag = unique();
    // The starter's todo!(), after starting a process that keeps the test's
    // stdout and stderr open and escapes the group.
    workspace.write_exercise(
        "downloader",
        &insert_in_body(
            &starter("downloader"),
            DOWNLOAD_ALL,
            &format!(
                "    let _ = std::process::Command::new(\"setsid\").args([\"sleep\", {:?}]).spawn();",
                sleep_arg(&tag)
            ),
        ),
    );
    let output = check_fault(
        &workspace,
        &["downloader"],
        std::slice::from_ref(&tag),
        false,
    );
    assert!(
        flat(&output).contains("○ downloader: not started")
            && output.contains(
                "Every test stops at a todo!() (the first at exercises/downloader/src/lib.rs"
            ),
        "the panic message was read although the pipes stayed open: {output}"
    );
    assert!(
        !flat(&output).contains("without a panic message"),
        "{output}"
    );
}

#[test]
fn a_build_script_is_refused_before_it_can_run() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    workspace.solve("downloader");
    let spec = workspace.path().join("specs/downloader/spec.rs");
    let shipped_spec = fs::read_to_string(&spec).unwrap();
    fs::write(
        workspace.path().join("exercises/downloader/build.rs"),
        "//! Rewrites the spec while it is being compiled.\nfn main() {\n    \
         let spec = concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../specs/downloader/spec.rs\");\n    \
         let text = std::fs::read_to_string(spec).unwrap();\n    \
         std::fs::write(spec, text.replace(\"assert!(\", \"let _ = (\")).unwrap();\n}\n",
    )
    .unwrap();
    // The same, declared under another name in Cargo.toml.
    workspace.solve("pubsub");
    fs::create_dir_all(workspace.path().join("exercises/pubsub/tools")).unwrap();
    fs::write(
        workspace.path().join("exercises/pubsub/tools/gen.rs"),
        "//! A build script by another name.\nfn main() {}\n",
    )
    .unwrap();
    let manifest = workspace.path().join("exercises/pubsub/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replacen(
            "publish.workspace = true",
            "publish.workspace = true\nbuild = \"tools/gen.rs\"",
            1,
        ),
    )
    .unwrap();
    // The same, two crates away: a helper crate of the learner's that
    // depends on another with the build script.
    workspace.solve("prime-pipeline");
    let new_crate = |name: &str, extra: &str| {
        let dir = workspace.path().join("exercises").join(name);
        fs::create_dir_all(dir.join("src")).unwrap();
        fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n{extra}"
            ),
        )
        .unwrap();
        fs::write(dir.join("src/lib.rs"), "//! A crate of the learner's.\n").unwrap();
        dir
    };
    new_crate(
        "helper",
        "[dependencies]\nbuilder = { path = \"../builder\" }\n",
    );
    let builder = new_crate("builder", "");
    fs::copy(
        workspace.path().join("exercises/downloader/build.rs"),
        builder.join("build.rs"),
    )
    .unwrap();
    // And code that runs inside the compiler: a procedural macro.
    workspace.solve("fan-in");
    new_crate("magic", "[lib]\nproc-macro = true\n");
    for (exercise, dependency) in [
        ("prime-pipeline", "helper = { path = \"../helper\" }"),
        ("fan-in", "magic = { path = \"../magic\" }"),
    ] {
        let manifest = workspace
            .path()
            .join("exercises")
            .join(exercise)
            .join("Cargo.toml");
        let text = fs::read_to_string(&manifest).unwrap();
        fs::write(
            &manifest,
            text.replacen(
                "[dependencies]",
                &format!("[dependencies]\n{dependency}"),
                1,
            ),
        )
        .unwrap();
    }
    common::sync_lock_file(workspace.path());
    let output = check_fault(
        &workspace,
        &["downloader", "pubsub", "prime-pipeline", "fan-in"],
        &[],
        true,
    );
    assert_eq!(
        fs::read_to_string(&spec).unwrap(),
        shipped_spec,
        "the build script never ran"
    );
    assert!(
        flat(&output).contains("✗ prime-pipeline: cannot be judged")
            && flat(&output).contains("`builder`, which")
            && flat(&output).contains("(through `helper`), has a build script"),
        "{output}"
    );
    assert!(
        flat(&output).contains("✗ fan-in: cannot be judged")
            && flat(&output).contains("is a procedural macro"),
        "{output}"
    );
    assert!(
        flat(&output).contains("✗ downloader: cannot be judged")
            && flat(&output).contains("has a build script"),
        "{output}"
    );
    assert!(
        flat(&output).contains("✗ pubsub: cannot be judged"),
        "{output}"
    );
}

/// A support crate's manifest needs no line for a build script: cargo runs
/// a `build.rs` it finds beside it. One added to the test kit would run in
/// every spec build.
#[test]
fn a_build_script_added_to_the_test_kit_is_refused_before_it_can_run() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    workspace.solve("downloader");
    let kit = workspace.path().join("crates/test-kit");
    common::copy_dir(
        &common::root().join("crates/test-kit/src"),
        &kit.join("src"),
    );
    fs::copy(
        common::root().join("crates/test-kit/Cargo.toml"),
        kit.join("Cargo.toml"),
    )
    .unwrap();
    fs::write(
        kit.join("build.rs"),
        "//! Rewrites the spec while the test kit is being compiled.\nfn main() {\n    \
         let spec = concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../specs/downloader/spec.rs\");\n    \
         let text = std::fs::read_to_string(spec).unwrap();\n    \
         std::fs::write(spec, text.replace(\"assert!(\", \"let _ = (\")).unwrap();\n}\n",
    )
    .unwrap();
    // This copy's test kit is its own, as in a learner's clone.
    let root_manifest = workspace.path().join("Cargo.toml");
    let text = fs::read_to_string(&root_manifest).unwrap();
    let real = format!(
        "test-kit = {{ path = \"{}/crates/test-kit\" }}",
        common::root().display()
    );
    assert!(text.contains(&real), "{text}");
    fs::write(
        &root_manifest,
        text.replacen(&real, "test-kit = { path = \"crates/test-kit\" }", 1),
    )
    .unwrap();
    let spec = workspace.path().join("specs/downloader/spec.rs");
    let shipped_spec = fs::read_to_string(&spec).unwrap();
    let output = check_fault(&workspace, &["downloader"], &[], true);
    assert_eq!(
        fs::read_to_string(&spec).unwrap(),
        shipped_spec,
        "the build script never ran"
    );
    assert!(
        flat(&output).contains("crates/test-kit/build.rs"),
        "the added build script must be named:\n{output}"
    );
}

/// The wrong downloader that shouts its bodies, and code that makes the
/// snapshot at `root` say the same: what a test would need to pass.
fn forging_downloader(root_expression: &str, restore: bool) -> String {
    let shouting = common::fixture("downloader", "uppercase_bodies");
    insert_in_body(
        &shouting,
        DOWNLOAD_ALL,
        &format!(
            "    let root: String = {root_expression};\n    \
             for name in [\"in_input_order\", \"each_failure_for_its_own_url\"] {{\n        \
             let snap = format!(\"{{root}}/specs/downloader/snapshots/{{name}}.snap\");\n        \
             let _ = std::process::Command::new(\"chmod\").args([\"u+w\", &snap]).status();\n        \
             if let Ok(text) = std::fs::read_to_string(&snap) {{\n            \
             let forged = text.replace(\"\\\"page \", \"\\\"PAGE \").replace(\"first page\", \"FIRST PAGE\").replace(\"last page\", \"LAST PAGE\");\n            \
             let _ = std::fs::write(&snap, forged);\n            \
             if {restore} {{ std::thread::spawn(move || {{ std::thread::sleep(std::time::Duration::from_millis(300)); let _ = std::fs::write(&snap, text); }}); }}\n        }}\n    }}"
        ),
    )
}

#[test]
fn code_that_rewrites_the_spec_or_its_snapshots_while_tested_gets_no_pass() {
    let _serial = one_at_a_time();
    // 1. Rewrites the real snapshots to match its wrong output, and puts them
    //    back a moment later: the test reads a private copy, so the rewrite
    //    decides nothing, whenever it is undone.
    let workspace = Workspace::new();
    workspace.write_exercise(
        "downloader",
        &forging_downloader(
            "concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../..\").to_owned()",
            true,
        ),
    );
    // 2. A right answer that edits the spec while its tests run.
    workspace.write_exercise(
        "pubsub",
        &insert_in_body(
            &solution("pubsub"),
            BROKER_NEW,
            "        let spec = concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../specs/pubsub/spec.rs\");\n        \
             if let Ok(text) = std::fs::read_to_string(spec) { if !text.ends_with(\"// seen\\n\") { let _ = std::fs::write(spec, text + \"// seen\\n\"); } }",
        ),
    );
    let output = check_fault(&workspace, &["downloader", "pubsub"], &[], true);
    assert!(
        flat(&output).contains("✗ downloader: ")
            && (flat(&output).contains("snapshot assertion")
                || flat(&output).contains("✗ downloader: spec edited")),
        "the private copy decided, not the rewritten file: {output}"
    );
    assert!(
        flat(&output).contains("✗ pubsub: spec edited") && output.contains("specs/pubsub/spec.rs"),
        "{output}"
    );

    // 3. Makes its wrong output pass by rewriting the very copy the test reads.
    let workspace = Workspace::new();
    workspace.write_exercise(
        "downloader",
        &forging_downloader(
            "std::env::var(\"INSTA_WORKSPACE_ROOT\").unwrap_or_default()",
            false,
        ),
    );
    let output = check_fault(&workspace, &["downloader"], &[], true);
    assert!(
        flat(&output).contains("✗ downloader: spec edited"),
        "{output}"
    );
    assert!(
        flat(&output).contains("private copy")
            && flat(&output).contains("A test changed a snapshot while it ran"),
        "the report says a test changed a snapshot: {output}"
    );
}

#[test]
fn a_cargo_toml_that_moves_the_spec_or_brings_foreign_crates_is_refused() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    // The spec runner, moved to a file of the learner's with empty tests.
    let shipped = common::root().join("specs/downloader/spec.rs");
    let names = fs::read_to_string(&shipped).unwrap();
    let mut fake = String::from("//! Every test passes.\n");
    let mut lines = names.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "#[test]"
            && let Some(name) = lines.next().and_then(|l| l.strip_prefix("fn "))
        {
            fake.push_str(&format!(
                "#[test]\nfn {}() {{}}\n",
                name.split('(').next().unwrap()
            ));
        }
    }
    workspace.solve("downloader");
    fs::create_dir_all(workspace.path().join("exercises/downloader/src/tests")).unwrap();
    fs::write(
        workspace
            .path()
            .join("exercises/downloader/src/tests/spec.rs"),
        format!("//! A spec of my own.\nmod spec {{\n{fake}}}\n"),
    )
    .unwrap();
    let manifest = workspace.path().join("exercises/downloader/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replacen(
            "path = \"tests/spec.rs\"",
            "path = \"src/tests/spec.rs\"",
            1,
        ),
    )
    .unwrap();
    // A dependency renamed to a name the spec uses.
    workspace.solve("pubsub");
    let manifest = workspace.path().join("exercises/pubsub/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replacen(
            "test-kit = { workspace = true }",
            &format!(
                "test-kit = {{ path = {:?}, package = \"leak-detection\" }}",
                common::root()
                    .join("crates/leak-detection")
                    .display()
                    .to_string()
            ),
            1,
        ),
    )
    .unwrap();
    // A crate from outside the workshop.
    workspace.solve("prime-pipeline");
    let outside = tempfile::tempdir().unwrap();
    let helper = outside.path().join("helper");
    fs::create_dir_all(helper.join("src")).unwrap();
    fs::write(
        helper.join("Cargo.toml"),
        "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
    )
    .unwrap();
    fs::write(helper.join("src/lib.rs"), "//! Mine.\n").unwrap();
    let manifest = workspace.path().join("exercises/prime-pipeline/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replacen(
            "[dependencies]",
            &format!(
                "[dependencies]\nhelper = {{ path = {:?} }}",
                helper.display().to_string()
            ),
            1,
        ),
    )
    .unwrap();
    let output = check_fault(&workspace, &[], &[], true);
    assert!(
        flat(&output).contains("✗ downloader: cannot be judged")
            && flat(&output).contains("runs from"),
        "{output}"
    );
    assert!(
        flat(&output).contains("✗ pubsub: cannot be judged")
            && flat(&output).contains("renames the dependency"),
        "{output}"
    );
    assert!(
        flat(&output).contains("✗ prime-pipeline: cannot be judged")
            && flat(&output).contains("outside the workshop"),
        "{output}"
    );
}

#[test]
fn one_exercise_that_does_not_compile_leaves_the_others_their_verdicts() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    workspace.write_exercise(
        "downloader",
        &insert_in_body(
            &solution("downloader"),
            DOWNLOAD_ALL,
            "    let broken: u32 = \"not a number\";",
        ),
    );
    workspace.solve("pubsub");
    let (code, output) = workspace.check(&["check", "downloader", "prime-pipeline", "pubsub"]);
    assert_no_control_characters(&output);
    assert_eq!(code, 1, "{output}");
    assert!(
        flat(&output).contains("✗ downloader: does not compile"),
        "{output}"
    );
    assert!(
        flat(&output).contains("○ prime-pipeline: not started"),
        "{output}"
    );
    assert!(flat(&output).contains("✓ pubsub: passed"), "{output}");
    assert!(
        !flat(&output).contains("not because of an exercise"),
        "{output}"
    );
}

#[test]
fn nothing_a_test_prints_reaches_the_terminal_as_control_characters() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let fake = "\\x1b[2J\\x1b[H\\x1b[32m✓ pubsub: passed (12 tests)\\x1b[0m\\r";
    // A panic message, a thread name, a snapshot diff, and plain output.
    workspace.write_exercise(
        "pubsub",
        &insert_in_body(
            &solution("pubsub"),
            BROKER_NEW,
            &format!("        println!(\"{fake}\");\n        panic!(\"{fake}\");"),
        ),
    );
    workspace.write_exercise(
        "prime-pipeline",
        &insert_in_body(
            &solution("prime-pipeline"),
            GENERATE,
            "    let (_keep, wait) = crossbeam::channel::bounded::<()>(0);\n    \
             std::mem::forget(_keep);\n    \
             std::thread::Builder::new().name(\"\\x1b[31mevil\\x07\".into()).spawn(move || { let _ = wait.recv(); }).unwrap();",
        ),
    );
    let shouting = common::fixture("downloader", "uppercase_bodies");
    assert!(shouting.contains(".to_uppercase()"));
    workspace.write_exercise(
        "downloader",
        &shouting.replacen(
            ".to_uppercase()",
            ".to_uppercase() + \"\\x1b[41m\\u{202e}\"",
            1,
        ),
    );
    let output = check_fault(&workspace, &["--verbose"], &[], false);
    assert!(
        output.contains("␛[2J"),
        "escapes are shown, escaped: {output}"
    );
    assert!(output.contains("␛[31mevil␇"), "{output}");
    assert!(output.contains("\\u{202e}"), "{output}");
}

#[test]
fn a_panic_message_printed_while_unwinding_does_not_decide_the_verdict() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    // A wrong downloader whose pages, dropped while the failed assertion
    // unwinds, print what looks like a todo!() panic of the test's thread.
    let sequential = common::fixture("downloader", "sequential");
    workspace.write_exercise(
        "downloader",
        &sequential.replacen(
            "/// Downloads all URLs.",
            "impl Drop for Page {\n    fn drop(&mut self) {\n        if std::thread::panicking() {\n            \
             let name = std::thread::current().name().unwrap_or(\"main\").to_owned();\n            \
             eprintln!(\"thread '{name}' panicked at exercises/downloader/src/lib.rs:1:1:\\nnot yet implemented\");\n        }\n    }\n}\n/// Downloads all URLs.",
            1,
        ),
    );
    let output = check_fault(&workspace, &["downloader"], &[], false);
    assert!(
        flat(&output).contains("ran one at a time"),
        "the first panic, the assertion's, decides: {output}"
    );
    assert!(
        !flat(&output).contains("not started") && !flat(&output).contains("stops at the todo!()"),
        "{output}"
    );
}

#[test]
fn a_test_that_keeps_allocating_is_stopped_with_a_verdict_of_its_own() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    // Two ways to grow: memory that is used (stopped at the resident-memory
    // limit), and address space reserved without use (stopped by the cap on
    // the process's address space). Each in one test only, one test at a time.
    workspace.write_exercise(
        "pubsub",
        &insert_in_body(
            &solution("pubsub"),
            "pub async fn publish(",
            "        if topic == \"empty\" {\n            \
             let mut kept: Vec<Vec<u8>> = Vec::new();\n            \
             loop { kept.push(vec![1u8; 32 << 20]); }\n        }\n        \
             if std::env::args().any(|arg| arg.contains(\"late_subscriber\")) {\n            \
             let mut kept: Vec<Vec<u8>> = Vec::new();\n            \
             loop { kept.push(Vec::with_capacity(3 << 30)); }\n        }",
        ),
    );
    let output = check_fault(&workspace, &["pubsub", "--jobs", "1"], &[], false);
    assert!(
        flat(&output)
            .contains("publishing_to_a_topic_nobody_listens_to_returns_0: used too much memory"),
        "{output}"
    );
    assert!(
        flat(&output).contains("a_late_subscriber_sees_nothing_older: used too much memory")
            && flat(&output).contains("an allocation failed"),
        "{output}"
    );
    assert!(
        flat(&output).contains("used more than 1 GiB of memory")
            || flat(&output).contains("of memory when it was stopped"),
        "{output}"
    );
    assert!(!output.contains("deadlock"), "{output}");
}

#[test]
fn a_panic_in_drop_while_unwinding_still_shows_the_first_panic() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    workspace.write_exercise(
        "prime-pipeline",
        &insert_in_body(
            &solution("prime-pipeline"),
            GENERATE,
            "    struct Bomb;\n    impl Drop for Bomb { fn drop(&mut self) { panic!(\"and the clean-up panicked too\"); } }\n    \
             let _bomb = Bomb;\n    panic!(\"the real problem: a range I did not expect\");",
        ),
    );
    let output = check_fault(&workspace, &["prime-pipeline"], &[], false);
    assert!(flat(&output).contains(": crashed"), "{output}");
    assert!(
        flat(&output).contains("the real problem: a range I did not expect"),
        "the learner's own panic is shown: {output}"
    );
    assert!(
        flat(&output).contains("a panic while another panic"),
        "{output}"
    );
}

#[test]
fn a_spec_binary_replaced_while_the_tests_run_is_not_judged() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    /// Cleans the replaced binary out of the shared build folder, whatever
    /// the test's outcome.
    struct CleanPubsub<'a>(&'a Workspace);
    impl Drop for CleanPubsub<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new(env!("CARGO"))
                .args(["clean", "-p", "pubsub"])
                .current_dir(self.0.path())
                .env("CARGO_TARGET_DIR", common::target_dir())
                .status();
            let deps = common::target_dir().join("debug/deps");
            for entry in fs::read_dir(deps).into_iter().flatten().flatten() {
                if entry.path().extension().is_some_and(|ext| ext == "moved") {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
    }
    let _clean = CleanPubsub(&workspace);
    workspace.write_exercise(
        "pubsub",
        &insert_in_body(
            &solution("pubsub"),
            BROKER_NEW,
            "        if let Ok(me) = std::env::current_exe() {\n            \
             let moved = me.with_extension(\"moved\");\n            \
             if std::fs::rename(&me, &moved).is_ok() {\n                \
             let _ = std::fs::write(&me, \"#!/bin/sh\\necho 'test result: ok. 1 passed; 0 failed;'\\n\");\n                \
             let _ = std::process::Command::new(\"chmod\").arg(\"+x\").arg(&me).status();\n            }\n        }",
        ),
    );
    let output = check_fault(&workspace, &["pubsub", "--jobs", "1"], &[], false);
    assert!(
        flat(&output).contains("✗ pubsub: cannot be judged")
            && flat(&output).contains("was replaced or changed"),
        "{output}"
    );
}

#[test]
fn a_dependency_missing_from_the_lock_file_is_a_clear_error_and_the_lock_file_is_untouched() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    let manifest = workspace.path().join("exercises/pubsub/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replacen("[dependencies]", "[dependencies]\nitoa = \"1\"", 1),
    )
    .unwrap();
    let lock = fs::read(workspace.path().join("Cargo.lock")).unwrap();
    let (code, output) = workspace.check(&["check", "pubsub"]);
    assert_eq!(code, 2, "{output}");
    assert!(
        output.contains("Cargo.lock") && flat(&output).contains("cargo build --workspace"),
        "{output}"
    );
    assert_eq!(
        fs::read(workspace.path().join("Cargo.lock")).unwrap(),
        lock,
        "the checker never writes Cargo.lock"
    );
}

#[test]
fn absurd_time_limits_are_refused_with_a_clear_error() {
    let _serial = one_at_a_time();
    let workspace = Workspace::new();
    for limit in ["1e300", "0", "-1", "nan", "inf"] {
        let (code, output) = workspace.check(&["check", "pubsub", &format!("--timeout={limit}")]);
        assert_eq!(code, 2, "--timeout {limit}: {output}");
        assert!(
            flat(&output).contains("--timeout must be a number of seconds"),
            "--timeout {limit}: {output}"
        );
    }
}

/// Two copies of the workshop sharing one target folder (one CARGO_TARGET_DIR
/// for every project is a common setup): cargo names a workspace crate's
/// output by its path inside the workspace, so both copies' `pubsub` library
/// is one file, and the copy whose sources are older finds the other's build
/// fresh. Here the two are this repository (whose exercises are the
/// untouched starters, as CI checks) and a copy whose test kit is reached by
/// another path, so that their spec binaries differ while the library is
/// shared: the repository's spec must not run against the copy's code.
#[test]
fn a_copy_sharing_the_target_folder_cannot_lend_its_build() {
    let _serial = one_at_a_time();
    let root = common::root();
    let starter = fs::read_to_string(root.join("specs/pubsub/starter/src/lib.rs")).unwrap();
    assert_eq!(
        fs::read_to_string(root.join("exercises/pubsub/src/lib.rs")).unwrap(),
        starter,
        "this test needs exercises/pubsub to be the untouched starter"
    );
    let solved = Workspace::new();
    solved.solve("pubsub");
    let (code, output) = solved.check(&["check", "pubsub", "--stress", "0"]);
    assert_eq!(code, 0, "{output}");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["check", "pubsub", "--plain", "--stress", "0"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", common::target_dir())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("pubsub: not started"), "{text}");
    // And back: the copy is judged on its own code again.
    let (code, output) = solved.check(&["check", "pubsub", "--stress", "0"]);
    assert_eq!(code, 0, "{output}");
}
