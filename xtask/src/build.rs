//! Building the spec test binaries, and making sure they are built from
//! what they must be built from.
//!
//! One `cargo build --keep-going --locked --test spec` builds every exercise
//! being checked, read as JSON, so that each exercise gets the path of its
//! test binary, its compiler errors, or the reason it cannot be judged. One
//! exercise that does not compile never keeps the others from their verdicts.
//!
//! Before the build, [`preflight`] reads the exercise's manifest through
//! `cargo metadata`: an exercise must not have a build script (it would run
//! the learner's code while the spec is being compiled), must run its spec
//! from exactly `tests/spec.rs`, and must not rename or bring in crates from
//! outside the workshop. After the build, every crate that went into a spec
//! binary is checked: the crates the spec runs on (`test-kit`,
//! `leak-detection`) must be the shipped ones, crates from a path must be the
//! workshop's, and the exercise must be compiled with debug assertions and
//! overflow checks, which the specs rely on.
//!
//! This module runs cargo; it never writes a file of its own, and it only
//! ever cleans the build output of the package being checked (when that
//! output was built from another copy of the workshop).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use serde_json::Value;

use crate::exercises::{Exercise, Target};
use crate::manifest::{self, Edited};
use crate::ui::Ui;

/// What the build produced for one exercise.
#[derive(Debug, Clone)]
pub enum Built {
    /// The spec's test binary.
    Binary(PathBuf),
    /// A spec binary linked with a library this checker did not build (see
    /// [`library_is_ours`]): cleaned and built again before anything runs.
    Stale(PathBuf),
    /// The crate (or its spec) does not compile.
    Errors(Vec<CompileError>),
    /// A file the spec depends on is not the one that shipped.
    Edited(Vec<Edited>),
    /// The exercise is set up so that no verdict could be trusted.
    Refused(String),
}

/// One compiler error, as cargo reported it.
#[derive(Debug, Clone)]
pub struct CompileError {
    /// The compiler's own rendering, with the code excerpt and the `-->` line.
    pub rendered: String,
    /// `file:line:column` of the primary span, when there is one.
    pub location: Option<String>,
    /// `file:line:column` of the first place in the learner's own source
    /// folder the error or one of its notes points at.
    pub learner_location: Option<String>,
    /// The learner's source folder (`exercises/<name>/src/`), for rendering.
    pub learner_src: String,
    /// What it means, when it is one of the classic errors of concurrent Rust.
    pub classic: Option<crate::diagnostics::Classic>,
}

/// The cargo to run: the one that started us, if any.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// A cargo command for building specs: without the environment variables
/// that would change what gets compiled (flags that turn off overflow
/// checks, a wrapper around rustc, profile overrides).
fn spec_cargo(root: &Path) -> Command {
    let mut command = cargo();
    command.current_dir(root).env("CARGO_TERM_COLOR", "never");
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let changes_the_build = matches!(
            key,
            "RUSTFLAGS"
                | "CARGO_ENCODED_RUSTFLAGS"
                | "RUSTC_WRAPPER"
                | "RUSTC_WORKSPACE_WRAPPER"
                | "CARGO_INCREMENTAL"
        ) || key.starts_with("CARGO_PROFILE_")
            || (key.starts_with("CARGO_BUILD_")
                && !matches!(key, "CARGO_BUILD_TARGET_DIR" | "CARGO_BUILD_JOBS"))
            || (key.starts_with("CARGO_TARGET_") && key != "CARGO_TARGET_DIR");
        if changes_the_build {
            command.env_remove(key);
        }
    }
    command
}

/// The workspace as `cargo metadata --no-deps` sees it.
struct Metadata {
    packages: Vec<Value>,
}

impl Metadata {
    fn read(root: &Path) -> anyhow::Result<Metadata> {
        let output = spec_cargo(root)
            .args([
                "metadata",
                "--no-deps",
                "--format-version",
                "1",
                "--offline",
            ])
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .context("running `cargo metadata`")?;
        anyhow::ensure!(
            output.status.success(),
            "cargo cannot read the workspace's Cargo.toml files:\n{}",
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
        let json: Value =
            serde_json::from_slice(&output.stdout).context("reading `cargo metadata`'s output")?;
        Ok(Metadata {
            packages: json["packages"].as_array().cloned().unwrap_or_default(),
        })
    }

    fn package(&self, name: &str) -> Option<&Value> {
        self.packages.iter().find(|p| p["name"] == name)
    }

    /// The folders of the workspace's own packages.
    fn member_dirs(&self) -> BTreeSet<PathBuf> {
        self.packages
            .iter()
            .filter_map(|p| p["manifest_path"].as_str())
            .filter_map(|path| Path::new(path).parent())
            .map(canonical)
            .collect()
    }
}

/// How many packages building the spec tests of `packages` may compile:
/// the packages themselves and everything they depend on (normal, dev and
/// build dependencies, for this machine's platform), counted once each from
/// `cargo tree`. `None` when cargo cannot say.
///
/// Not `cargo metadata`: it wants the manifest of every package of the
/// whole workspace, the book builder's too, and offline on a fresh cargo
/// home (where only what a build needed was downloaded) it fails.
/// `cargo tree` reads only the packages it shows.
fn crates_needed(root: &Path, packages: &[String]) -> Option<usize> {
    let mut tree = spec_cargo(root);
    tree.args([
        "tree",
        "--offline",
        "--locked",
        "--edges",
        "normal,dev,build",
    ])
    .args(["--prefix", "none"]);
    for package in packages {
        tree.args(["--package", package]);
    }
    let output = tree
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    // Each line is `name vX.Y.Z [(path)] [(*)]`; a package seen before is
    // marked `(*)`, and one used as a build dependency too shows up twice.
    let unique: BTreeSet<(&str, &str)> = text
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?, words.next()?))
        })
        .collect();
    (!unique.is_empty()).then_some(unique.len())
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

/// Why an exercise's manifest makes a trustworthy verdict impossible, if it
/// does: [`Built::Refused`], or [`Built::Edited`] for a support crate it
/// points at that is not the shipped one.
fn preflight(
    root: &Path,
    metadata: &Metadata,
    exercise: &Exercise,
    target: Target,
) -> Option<Built> {
    preflight_reason(root, metadata, exercise, target).map(|outcome| match outcome {
        Ok(reason) => Built::Refused(reason),
        Err(edited) => Built::Edited(edited),
    })
}

fn preflight_reason(
    root: &Path,
    metadata: &Metadata,
    exercise: &Exercise,
    target: Target,
) -> Option<Result<String, Vec<Edited>>> {
    let dir = exercise.dir(target);
    let manifest = dir.join("Cargo.toml");
    let shown = manifest.display();
    let Some(package) = metadata.package(&exercise.package(target)) else {
        return Some(Ok(format!(
            "cargo does not know the package `{}`: {shown} must keep its `name`",
            exercise.package(target)
        )));
    };
    let targets = package["targets"].as_array().cloned().unwrap_or_default();
    if has_target(package, "custom-build") {
        return Some(Ok(format!(
            "`{}` has a build script (a build.rs, or `build =` in {shown}). A build script runs while the \
             spec is being compiled and could change it, so the checker does not judge an exercise that has \
             one. No exercise needs one: remove it.",
            exercise.name
        )));
    }
    let expected = canonical(&root.join(&dir).join("tests").join("spec.rs"));
    let spec = targets.iter().find(|t| {
        t["name"] == "spec"
            && t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "test"))
    });
    match spec.and_then(|t| t["src_path"].as_str()) {
        None => {
            return Some(Ok(format!(
                "{shown} has no `[[test]]` called `spec` any more: restore it (`git diff {shown}` shows what changed)"
            )));
        }
        Some(src) if canonical(Path::new(src)) != expected => {
            return Some(Ok(format!(
                "the `spec` test of `{}` runs from {src}, not from {}: restore {shown} (`git diff {shown}` shows what changed)",
                exercise.name,
                expected.display()
            )));
        }
        Some(_) => {}
    }
    let members = metadata.member_dirs();
    // Every workshop crate the exercise's build compiles, however deep: a
    // crate that depends on another is followed to it.
    let mut seen = BTreeSet::new();
    let mut queue: Vec<(&Value, Option<String>)> = vec![(package, None)];
    while let Some((from, via)) = queue.pop() {
        for dependency in from["dependencies"].as_array().into_iter().flatten() {
            // A dependency's own dev-dependencies are not built.
            if via.is_some() && dependency["kind"] == "dev" {
                continue;
            }
            let name = dependency["name"].as_str().unwrap_or("?");
            if via.is_none()
                && let Some(rename) = dependency["rename"].as_str()
            {
                return Some(Ok(format!(
                    "{shown} renames the dependency `{name}` to `{rename}`: the checker cannot tell which crate \
                     the spec would get under that name. Use the crate under its own name."
                )));
            }
            let Some(path) = dependency["path"].as_str() else {
                continue;
            };
            let path = canonical(Path::new(path));
            let through = via
                .as_ref()
                .map(|via| format!(" (through `{via}`)"))
                .unwrap_or_default();
            if manifest::SUPPORT_CRATES.contains(&name) {
                let edited = manifest::edited_support_crate(root, name, &path);
                if !edited.is_empty() {
                    return Some(Err(edited));
                }
                continue;
            }
            if !members.contains(&path) {
                return Some(Ok(format!(
                    "{shown} depends on `{name}`{through} from {}, outside the workshop. The checker judges an \
                     exercise with the workshop's crates and crates from crates.io only.",
                    path.display()
                )));
            }
            if !seen.insert(path.clone()) {
                continue;
            }
            let Some(member) = metadata.packages.iter().find(|p| {
                p["manifest_path"]
                    .as_str()
                    .and_then(|m| Path::new(m).parent())
                    .is_some_and(|d| canonical(d) == path)
            }) else {
                continue;
            };
            if has_target(member, "custom-build") {
                return Some(Ok(format!(
                    "`{name}`, which {shown} depends on{through}, has a build script: it would run while the spec \
                     is being compiled, so the checker does not judge an exercise that depends on it."
                )));
            }
            if has_target(member, "proc-macro") {
                return Some(Ok(format!(
                    "`{name}`, which {shown} depends on{through}, is a procedural macro: its code runs inside the \
                     compiler while the spec is being compiled, so the checker does not judge an exercise that \
                     depends on it. Write the code as plain functions (or `macro_rules!`) instead."
                )));
            }
            queue.push((member, Some(name.to_owned())));
        }
    }
    None
}

/// Whether `package` (from `cargo metadata`) has a target of `kind`
/// (`custom-build` is a build script).
fn has_target(package: &Value, kind: &str) -> bool {
    package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == kind))
        })
}

/// Builds the spec binaries of `exercises` in one cargo invocation.
pub fn build(
    root: &Path,
    exercises: &[&'static Exercise],
    target: Target,
    ui: &Ui,
) -> anyhow::Result<BTreeMap<&'static str, Built>> {
    let mut built = BTreeMap::new();
    // The crates every spec runs on, where they are in this workspace.
    let mut support_edits = Vec::new();
    for name in manifest::SUPPORT_CRATES {
        let dir = root.join("crates").join(name);
        if dir.is_dir() {
            support_edits.extend(manifest::edited_support_crate(root, name, &dir));
        }
    }
    if !support_edits.is_empty() {
        for exercise in exercises {
            built.insert(exercise.name, Built::Edited(support_edits.clone()));
        }
        return Ok(built);
    }
    let metadata = Metadata::read(root)?;
    let mut to_build = Vec::new();
    for exercise in exercises {
        match preflight(root, &metadata, exercise, target) {
            Some(refused) => {
                built.insert(exercise.name, refused);
            }
            None => to_build.push(*exercise),
        }
    }
    if to_build.is_empty() {
        return Ok(built);
    }
    let members = metadata.member_dirs();
    let mut outcome = run_build(root, &to_build, target, &members, ui)?;
    // A spec binary built from another copy of the workshop (two clones
    // sharing one CARGO_TARGET_DIR) looks fresh to cargo: clean that package
    // and build it again, here.
    let stale: Vec<&'static Exercise> = to_build
        .iter()
        .copied()
        .filter(|exercise| match outcome.get(exercise.name) {
            Some(Built::Binary(binary)) => !built_here(binary, &root.join(exercise.dir(target))),
            Some(Built::Stale(_)) => true,
            _ => false,
        })
        .collect();
    if !stale.is_empty() {
        for exercise in &stale {
            let status = spec_cargo(root)
                .args(["clean", "--package", &exercise.package(target)])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .context("running `cargo clean`")?;
            anyhow::ensure!(
                status.success(),
                "`cargo clean -p {}` failed",
                exercise.package(target)
            );
        }
        // `cargo clean -p` removes files by target name, and every spec
        // target is named `spec`: the other exercises' spec binaries may be
        // gone too, so build them all again (the others are quick: relinked).
        for (name, again) in run_build(root, &to_build, target, &members, ui)? {
            outcome.insert(name, again);
        }
        for exercise in &stale {
            let again = match outcome.get(exercise.name) {
                Some(Built::Binary(binary))
                    if !built_here(binary, &root.join(exercise.dir(target))) =>
                {
                    Some(binary.clone())
                }
                Some(Built::Stale(binary)) => Some(binary.clone()),
                _ => None,
            };
            if let Some(binary) = again {
                outcome.insert(
                    exercise.name,
                    Built::Refused(format!(
                        "cargo keeps using a spec binary built from another copy of the workshop ({}); \
                         give each copy a target folder of its own (unset CARGO_TARGET_DIR)",
                        binary.display()
                    )),
                );
            }
        }
    }
    built.extend(outcome);
    Ok(built)
}

/// Whether the exercise's library file is the one this checker built (and
/// notes it, when cargo has just built it). Cargo names a workspace crate's
/// output by its path *relative to the workspace*, so two copies of the
/// workshop sharing one target folder write the same file, and a copy whose
/// sources are older than the other's build finds it fresh: its spec would
/// run against the other copy's code. A library cargo reused is trusted only
/// if it is still the file, with the time, that this checker noted when it
/// built it.
fn library_is_ours(root: &Path, package: &str, rlib: &Path, fresh: bool) -> bool {
    let Some(mtime) = std::fs::metadata(rlib)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
    else {
        return true; // Nothing to compare: cargo's word stands.
    };
    if !fresh {
        crate::state::record_built_library(root, package, rlib, mtime);
        return true;
    }
    crate::state::built_library(root, package) == Some((rlib.display().to_string(), mtime))
}

/// Whether the spec binary was compiled from the crate in `crate_dir`, as
/// the compiler recorded it (the spec reads `CARGO_MANIFEST_DIR`).
fn built_here(binary: &Path, crate_dir: &Path) -> bool {
    let Ok(deps) = std::fs::read_to_string(binary.with_extension("d")) else {
        return true;
    };
    match deps
        .lines()
        .find_map(|line| line.strip_prefix("# env-dep:CARGO_MANIFEST_DIR="))
    {
        Some(dir) => canonical(Path::new(dir)) == canonical(crate_dir),
        None => true,
    }
}

/// One `cargo build`, and what it says about each exercise.
fn run_build(
    root: &Path,
    exercises: &[&'static Exercise],
    target: Target,
    members: &BTreeSet<PathBuf>,
    ui: &Ui,
) -> anyhow::Result<BTreeMap<&'static str, Built>> {
    let mut command = spec_cargo(root);
    command
        .args([
            "build",
            "--keep-going",
            "--locked",
            "--message-format=json",
            "--test",
            "spec",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for exercise in exercises {
        command.args(["--package", &exercise.package(target)]);
    }
    let mut child = command
        .spawn()
        .context("running `cargo build` to build the specs")?;

    // Cargo's progress ("Compiling tokio v1.47") arrives on stderr: count it
    // for the progress line, keep it in case cargo itself fails.
    let stderr = child.stderr.take().expect("piped");
    let progress = ui.progress();
    // How many crates the build needs at most, worked out while it runs (a
    // first build compiles about that many; a warm one, a few of them). Only
    // once a second crate is compiled: the rebuild after an edit compiles
    // one (the exercise), and `cargo tree` would only take a core from it.
    let total = Arc::new(OnceLock::new());
    let (count_them, asked) = std::sync::mpsc::channel::<()>();
    if progress.enabled() {
        let total = Arc::clone(&total);
        let root = root.to_owned();
        let packages: Vec<String> = exercises.iter().map(|e| e.package(target)).collect();
        std::thread::spawn(move || {
            if asked.recv().is_ok()
                && let Some(count) = crates_needed(&root, &packages)
            {
                let _ = total.set(count);
            }
        });
    }
    let stderr_reader = std::thread::spawn(move || {
        let mut kept = String::new();
        let mut compiled = 0usize;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let trimmed = line.trim_start();
            if trimmed.starts_with("Compiling") {
                compiled += 1;
                if compiled == 2 {
                    let _ = count_them.send(());
                }
                let of = total.get().map_or(String::new(), |total: &usize| {
                    format!(" of at most {total}")
                });
                progress.set(&format!(
                    "Building the specs: {compiled}{of} crates compiled ({})",
                    trimmed.trim_start_matches("Compiling ")
                ));
            } else if trimmed.starts_with("Blocking") {
                progress.set("Building the specs: waiting for another cargo (rust-analyzer?) to release the build directory");
            }
            if kept.len() < 64 * 1024 {
                kept.push_str(&line);
                kept.push('\n');
            }
        }
        kept
    });

    let crate_dirs: BTreeMap<PathBuf, &'static str> = exercises
        .iter()
        .map(|exercise| (canonical(&root.join(exercise.dir(target))), exercise.name))
        .collect();
    let of_package = |message: &Value| {
        message["manifest_path"]
            .as_str()
            .and_then(|path| Path::new(path).parent())
            .and_then(|dir| crate_dirs.get(&canonical(dir)))
            .copied()
    };
    let mut binaries: BTreeMap<&'static str, PathBuf> = BTreeMap::new();
    let mut libraries: BTreeMap<&'static str, (PathBuf, bool)> = BTreeMap::new();
    let mut errors: BTreeMap<&'static str, Vec<CompileError>> = BTreeMap::new();
    let mut refused: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut support_edits: Vec<Edited> = Vec::new();
    let mut foreign: Vec<String> = Vec::new();
    let mut other_errors = Vec::new();

    let stdout = child.stdout.take().expect("piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading cargo's output")?;
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let exercise = of_package(&message);
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                let package_id = message["package_id"].as_str().unwrap_or_default();
                let dir = message["manifest_path"]
                    .as_str()
                    .and_then(|p| Path::new(p).parent())
                    .map(canonical);
                let crate_name = message["target"]["name"].as_str().unwrap_or_default();
                if package_id.starts_with("path+")
                    && let Some(dir) = &dir
                {
                    let package = package_name(package_id);
                    if manifest::SUPPORT_CRATES.contains(&package.as_str()) {
                        support_edits.extend(manifest::edited_support_crate(root, &package, dir));
                    } else if exercise.is_none() && !members.contains(dir) {
                        foreign.push(format!("`{package}` from {}", dir.display()));
                    }
                }
                let Some(exercise) = exercise else { continue };
                let profile = &message["profile"];
                if profile["debug_assertions"] != true || profile["overflow_checks"] != true {
                    refused.entry(exercise).or_insert_with(|| {
                        format!(
                            "`{crate_name}` was compiled without debug assertions or overflow checks, which the \
                             spec relies on (an overflow must panic, not wrap): restore the `[profile]` settings \
                             of the workspace's Cargo.toml and .cargo/config.toml"
                        )
                    });
                }
                // The exercise's own library: where it is, and whether cargo
                // reused it as it was.
                let is_lib = profile["test"] != true
                    && message["target"]["kind"]
                        .as_array()
                        .is_some_and(|kinds| kinds.iter().any(|k| k == "lib"));
                if is_lib
                    && let Some(rlib) = message["filenames"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .find(|f| f.ends_with(".rlib"))
                {
                    libraries.insert(exercise, (PathBuf::from(rlib), message["fresh"] == true));
                }
                let is_spec = crate_name == "spec" && profile["test"] == true;
                if let (true, Some(executable)) = (is_spec, message["executable"].as_str()) {
                    binaries.insert(exercise, PathBuf::from(executable));
                }
            }
            Some("build-script-executed") => {
                if let Some(exercise) = exercise {
                    refused.entry(exercise).or_insert_with(|| {
                        "a build script of the exercise ran during the build: the checker does not judge an \
                         exercise that has one"
                            .to_owned()
                    });
                }
            }
            Some("compiler-message") if message["message"]["level"] == "error" => {
                let learner_src = exercise
                    .and_then(|name| exercises.iter().find(|e| e.name == name))
                    .map(|e| format!("{}/src/", manifest::slash_path(&e.dir(target))))
                    .unwrap_or_default();
                let diagnostic = &message["message"];
                let error = CompileError {
                    rendered: diagnostic["rendered"]
                        .as_str()
                        .unwrap_or_default()
                        .trim_end()
                        .to_owned(),
                    location: primary_location(diagnostic),
                    learner_location: (!learner_src.is_empty())
                        .then(|| crate::diagnostics::learner_location(diagnostic, &learner_src))
                        .flatten(),
                    classic: crate::diagnostics::classic(diagnostic),
                    learner_src,
                };
                match exercise {
                    Some(exercise) => errors.entry(exercise).or_default().push(error),
                    None => other_errors.push(error),
                }
            }
            _ => {}
        }
    }
    let status = child.wait().context("waiting for cargo")?;
    let cargo_stderr = stderr_reader.join().unwrap_or_default();
    ui.progress().clear();

    if cargo_stderr.contains("--locked") && cargo_stderr.contains("lock file") {
        anyhow::bail!(
            "Cargo.lock does not match the Cargo.toml files: a dependency was added or changed, and the \
             checker never writes Cargo.lock for you. Run `cargo build --workspace` once (it records the \
             change in Cargo.lock), then check again.\n\n{}",
            tail(&cargo_stderr, 10)
        );
    }

    let mut built = BTreeMap::new();
    for exercise in exercises {
        let verdict = if !support_edits.is_empty() {
            Built::Edited(support_edits.clone())
        } else if let Some(reason) = refused.remove(exercise.name) {
            Built::Refused(reason)
        } else if !foreign.is_empty() {
            Built::Refused(format!(
                "the spec was built with crates from outside the workshop ({}): the checker judges an exercise \
                 with the workshop's crates and crates from crates.io only",
                foreign.join(", ")
            ))
        } else if let Some(mut errors) = errors.remove(exercise.name) {
            // The first error the learner can act on comes first: one that
            // points into their own files.
            errors.sort_by_key(|error| error.learner_location.is_none());
            Built::Errors(errors)
        } else if let Some(binary) = binaries.remove(exercise.name) {
            match libraries.get(exercise.name) {
                Some((rlib, fresh))
                    if !library_is_ours(root, &exercise.package(target), rlib, *fresh) =>
                {
                    Built::Stale(binary)
                }
                _ => Built::Binary(binary),
            }
        } else {
            // Nothing for this exercise, neither a binary nor an error of
            // its own: something it depends on failed. Say what cargo said.
            let detail = if other_errors.is_empty() {
                tail(&cargo_stderr, 30)
            } else {
                other_errors
                    .iter()
                    .map(|e| e.rendered.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n")
            };
            Built::Refused(format!(
                "cargo could not build the spec of `{}` ({status}), and reported no error in its own code. \
                 What cargo said:\n\n{detail}",
                exercise.name
            ))
        };
        built.insert(exercise.name, verdict);
    }
    Ok(built)
}

/// The package name in a cargo package id (`path+file:///x/test-kit#0.1.0`,
/// `path+file:///x/y#name@0.1.0`).
fn package_name(package_id: &str) -> String {
    let Some((url, fragment)) = package_id.rsplit_once('#') else {
        return package_id.to_owned();
    };
    match fragment.split_once('@') {
        Some((name, _)) => name.to_owned(),
        None => url.rsplit('/').next().unwrap_or(url).to_owned(),
    }
}

/// `file:line:column` of a diagnostic's primary span.
fn primary_location(diagnostic: &Value) -> Option<String> {
    let spans = diagnostic["spans"].as_array()?;
    let span = spans.iter().find(|span| span["is_primary"] == true)?;
    Some(format!(
        "{}:{}:{}",
        crate::verdict::tidy_path(span["file_name"].as_str()?),
        span["line_start"].as_u64()?,
        span["column_start"].as_u64()?
    ))
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The names of the tests in a spec binary (`spec::name`), as listed by the
/// test harness itself, or why they could not be listed.
pub fn list_tests(binary: &Path, cwd: &Path) -> anyhow::Result<Vec<String>> {
    let output = Command::new(binary)
        .args(["--list", "--format", "terse"])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .with_context(|| format!("listing the tests of {}", binary.display()))?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{crates_needed, package_name};

    #[test]
    fn the_crates_a_spec_build_needs_are_counted_from_the_resolve() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask sits in the workspace");
        let one = crates_needed(root, &["downloader".to_owned()]).expect("cargo tree works");
        let two = crates_needed(root, &["downloader".to_owned(), "pubsub".to_owned()])
            .expect("cargo tree works");
        // The downloader pulls in tokio, reqwest and the test kit: dozens of
        // crates; a second exercise shares most of them; nothing unknown.
        assert!(one > 30, "{one}");
        assert!(two >= one && two < one + 20, "{one} then {two}");
        assert_eq!(crates_needed(root, &["no-such-package".to_owned()]), None);
    }

    #[test]
    fn package_names_are_read_from_both_shapes_of_package_id() {
        assert_eq!(
            package_name("path+file:///w/crates/test-kit#0.1.0"),
            "test-kit"
        );
        assert_eq!(
            package_name("path+file:///w/x/y#test-kit@0.1.0"),
            "test-kit"
        );
        assert_eq!(
            package_name("registry+https://github.com/rust-lang/crates.io-index#insta@1.49.0"),
            "insta"
        );
    }
}
