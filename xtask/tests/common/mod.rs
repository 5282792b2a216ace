//! What the checker's tests share: temporary workspaces that reuse the real
//! target directory (so nothing but the exercise under test is rebuilt), and
//! the fixtures.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of this module"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use assert_cmd::Command;

/// The real workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

/// The real target directory, shared by every temporary workspace.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// The exercises: every folder of `specs/` with a `spec.rs`, by name.
pub fn exercises() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join("specs"))
        .expect("the specs folder")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("spec.rs").is_file())
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A fixture: a complete `lib.rs` for an exercise, right or wrong.
pub fn fixture(exercise: &str, name: &str) -> String {
    let path = root()
        .join("xtask/tests/fixtures")
        .join(exercise)
        .join(format!("{name}.rs"));
    fs::read_to_string(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()))
}

/// The reference solution of `exercise` with one deliberate bug: `before`
/// (which must appear in it, so the bug cannot silently vanish when the
/// solution changes) replaced by `after`.
pub fn solution_with_bug(exercise: &str, before: &str, after: &str) -> String {
    let path = root().join("solutions").join(exercise).join("src/lib.rs");
    let solution =
        fs::read_to_string(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
    assert!(
        solution.contains(before),
        "{} no longer contains {before:?}: update the bug this test plants",
        path.display()
    );
    solution.replacen(before, after, 1)
}

/// `source` with `code` inserted at the start of the body of the function
/// whose signature starts with `signature`.
pub fn insert_in_body(source: &str, signature: &str, code: &str) -> String {
    let at = source
        .find(signature)
        .unwrap_or_else(|| panic!("the code to plant the fault in has no {signature:?}"));
    let open = at + source[at..].find("{\n").expect("a function body") + 2;
    format!("{}{code}\n{}", &source[..open], &source[open..])
}

/// The names of every fixture of `exercise`.
pub fn fixtures(exercise: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join("xtask/tests/fixtures").join(exercise))
        .expect("the fixtures folder")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The root `Cargo.toml` for a temporary workspace with `members`: the real
/// one, with the workshop's own crates pointed at their real folders (so
/// they and everything below them are shared with the real build).
pub fn workspace_manifest(members: &str) -> String {
    let real = fs::read_to_string(root().join("Cargo.toml")).expect("the root Cargo.toml");
    let mut out = String::new();
    for line in real.lines() {
        if line.starts_with("members = ") {
            out.push_str(&format!("members = [{members}]\n"));
        } else if line.starts_with("default-members = ") {
            continue;
        } else if line.contains("{ path = \"crates/") {
            out.push_str(&line.replace(
                "{ path = \"crates/",
                &format!("{{ path = \"{}/crates/", root().display()),
            ));
            out.push('\n');
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// Shared set-up of a temporary workspace: manifest, lock file, cargo
/// config, and the specs.
///
/// The lock file is the real one, trimmed by cargo to the temporary
/// workspace's members (same versions, no network): the checker builds
/// with `--locked`, which refuses a lock file that does not match.
pub fn prepare(dir: &Path, members: &str) {
    fs::write(dir.join("Cargo.toml"), workspace_manifest(members)).unwrap();
    fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    copy_dir(&root().join(".cargo"), &dir.join(".cargo"));
    copy_dir(&root().join("specs"), &dir.join("specs"));
}

/// Brings the lock file of a prepared workspace in line with its members,
/// once they are in place.
pub fn sync_lock_file(dir: &Path) {
    let status = std::process::Command::new(env!("CARGO"))
        .args(["update", "--workspace", "--offline", "--quiet"])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run cargo update");
    assert!(
        status.success(),
        "cargo update --workspace --offline in {}",
        dir.display()
    );
}

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

pub fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A temporary copy of the workspace: the exercises, specs and starters, with
/// the workshop's own crates shared with the real one.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        prepare(dir.path(), "\"exercises/*\"");
        copy_dir(&root().join("exercises"), &dir.path().join("exercises"));
        // The book's sources: reports name its sections.
        copy_dir(&root().join("book/src"), &dir.path().join("book/src"));
        // The known mistakes, which reports name when a result matches one.
        copy_dir(
            &root().join("xtask/tests/fixtures"),
            &dir.path().join("xtask/tests/fixtures"),
        );
        sync_lock_file(dir.path());
        Workspace { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn lib_rs(&self, exercise: &str) -> PathBuf {
        self.path()
            .join("exercises")
            .join(exercise)
            .join("src/lib.rs")
    }

    /// Puts `source` in place of the exercise's `lib.rs`.
    pub fn write_exercise(&self, exercise: &str, source: &str) {
        fs::write(self.lib_rs(exercise), source).unwrap();
    }

    /// Solves an exercise with its reference solution.
    pub fn solve(&self, exercise: &str) {
        let solution =
            fs::read_to_string(root().join("solutions").join(exercise).join("src/lib.rs")).unwrap();
        self.write_exercise(exercise, &solution);
    }

    /// `cargo xtask <args>`, from the workspace, the way cargo's alias runs it.
    pub fn xtask(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("xtask").unwrap();
        command
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", target_dir())
            .env_remove("INSTA_UPDATE")
            .env_remove("INSTA_FORCE_PASS")
            .args(args);
        command
    }

    /// Runs the checker; returns its exit code and its (plain) output.
    pub fn check(&self, args: &[&str]) -> (i32, String) {
        let output = self.xtask(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (
            output.status.code().unwrap_or(-1),
            format!("{stdout}{stderr}"),
        )
    }
}
