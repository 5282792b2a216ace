//! Building the spec test binaries: one `cargo test --no-run` for all the
//! exercises being checked, read as JSON, so that each exercise gets either
//! the path of its test binary or its first compiler error.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Context;
use serde_json::Value;

use crate::exercises::{Exercise, Target};
use crate::ui::Ui;

/// What the build produced for one exercise.
#[derive(Debug, Clone)]
pub enum Built {
    /// The spec's test binary.
    Binary(PathBuf),
    /// The crate (or its spec) does not compile.
    Errors(Vec<CompileError>),
}

/// One compiler error, as cargo reported it.
#[derive(Debug, Clone)]
pub struct CompileError {
    /// The compiler's own rendering, with the code excerpt and the `-->` line.
    pub rendered: String,
    /// `file:line:column` of the primary span, when there is one.
    pub location: Option<String>,
}

/// The cargo to run: the one that started us, if any.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Builds the spec binaries of `exercises` in one cargo invocation.
///
/// `--no-fail-fast` lets the other exercises build when one does not compile.
pub fn build(
    root: &Path,
    exercises: &[&Exercise],
    target: Target,
    ui: &Ui,
) -> anyhow::Result<BTreeMap<&'static str, Built>> {
    let mut command = cargo();
    command
        .current_dir(root)
        .args([
            "test",
            "--no-run",
            "--no-fail-fast",
            "--message-format=json",
        ])
        .args(["--test", "spec"])
        .env("CARGO_TERM_COLOR", "never")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for exercise in exercises {
        command.args(["--package", &exercise.package(target)]);
    }
    let mut child = command
        .spawn()
        .context("running `cargo test --no-run` to build the specs")?;

    // Cargo's progress ("Compiling tokio v1.47") arrives on stderr: count it
    // for the progress line, keep it in case cargo itself fails.
    let stderr = child.stderr.take().expect("piped");
    let progress = ui.progress();
    let stderr_reader = std::thread::spawn(move || {
        let mut kept = String::new();
        let mut compiled = 0usize;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let trimmed = line.trim_start();
            if trimmed.starts_with("Compiling") {
                compiled += 1;
                progress.set(&format!(
                    "Building the specs: {compiled} crates compiled ({})",
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

    let by_manifest: BTreeMap<PathBuf, &'static str> = exercises
        .iter()
        .map(|exercise| {
            (
                root.join(exercise.dir(target)).join("Cargo.toml"),
                exercise.name,
            )
        })
        .collect();
    let mut binaries: BTreeMap<&'static str, PathBuf> = BTreeMap::new();
    let mut errors: BTreeMap<&'static str, Vec<CompileError>> = BTreeMap::new();
    let mut other_errors = Vec::new();

    let stdout = child.stdout.take().expect("piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading cargo's output")?;
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let exercise = message["manifest_path"]
            .as_str()
            .and_then(|path| {
                by_manifest
                    .get(&canonical(Path::new(path)))
                    .or_else(|| by_manifest.get(Path::new(path)))
            })
            .copied();
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                let is_spec =
                    message["target"]["name"] == "spec" && message["profile"]["test"] == true;
                if let (true, Some(exercise), Some(executable)) =
                    (is_spec, exercise, message["executable"].as_str())
                {
                    let src = message["target"]["src_path"].as_str().unwrap_or_default();
                    anyhow::ensure!(
                        Path::new(src).ends_with(Path::new("tests").join("spec.rs")),
                        "the `spec` test of `{exercise}` does not come from tests/spec.rs any more ({src}): \
                         restore the exercise's Cargo.toml (`git diff` shows what changed)"
                    );
                    binaries.insert(exercise, PathBuf::from(executable));
                }
            }
            Some("compiler-message") if message["message"]["level"] == "error" => {
                let error = CompileError {
                    rendered: message["message"]["rendered"]
                        .as_str()
                        .unwrap_or_default()
                        .trim_end()
                        .to_owned(),
                    location: primary_location(&message["message"]),
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

    let mut built = BTreeMap::new();
    for exercise in exercises {
        if let Some(binary) = binaries.remove(exercise.name) {
            built.insert(exercise.name, Built::Binary(binary));
        } else if let Some(errors) = errors.remove(exercise.name) {
            built.insert(exercise.name, Built::Errors(errors));
        }
    }
    if built.len() < exercises.len() {
        // Something failed that is not any exercise's own code: a shared
        // crate, the lock file, the network for a first download. Say what
        // cargo said rather than guess.
        let detail = if other_errors.is_empty() {
            tail(&cargo_stderr, 30)
        } else {
            other_errors
                .iter()
                .map(|e| e.rendered.as_str())
                .collect::<Vec<_>>()
                .join("\n\n")
        };
        anyhow::bail!(
            "cargo could not build the specs ({status}), and not because of an exercise's own code:\n\n{detail}"
        );
    }
    Ok(built)
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

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The names of the tests in a spec binary (`spec::name`), as listed by the
/// test harness itself.
pub fn list_tests(binary: &Path, cwd: &Path) -> anyhow::Result<Vec<String>> {
    let mut child = Command::new(binary)
        .args(["--list", "--format", "terse"])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("listing the tests of {}", binary.display()))?;
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut out)?;
    child.wait()?;
    Ok(out
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect())
}
