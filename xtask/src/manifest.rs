//! What shipped, and what changed since: the files a learner must not
//! change, and the tests each spec has.
//!
//! The protected files are each spec, its snapshots and its starter code,
//! the small `tests/spec.rs` files that run it, the workspace's cargo
//! configuration, and the sources of the crates every spec runs on
//! (`test-kit` and `leak-detection`). Their SHA-256 hashes, and the names of
//! each spec's tests, live in the checker's own source, `xtask/src/shipped.rs`,
//! which `cargo xtask manifest` writes and a tidy test keeps current. A
//! manifest kept next to the specs could be edited along with them; this one
//! can only be changed by changing the checker itself.
//!
//! This module reads files and compares hashes. It never writes anything but
//! `xtask/src/shipped.rs`, and only when an author asks (`cargo xtask manifest`).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::exercises::{EXERCISES, Exercise, Target};
use crate::shipped;

/// Where the shipped hashes live, relative to the workspace root.
pub const SHIPPED: &str = "xtask/src/shipped.rs";

/// The crates every spec depends on, which must be the ones that shipped.
pub const SUPPORT_CRATES: &[&str] = &["test-kit", "leak-detection", "thread-states"];

/// Files every exercise depends on, whichever is checked.
const SHARED_FILES: &[&str] = &[".cargo/config.toml"];

/// The files of `exercise` that are protected, relative to the root.
fn exercise_files(root: &Path, exercise: &Exercise) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = vec![
        exercise.spec_dir().join("spec.rs"),
        exercise
            .dir(Target::Exercises)
            .join("tests")
            .join("spec.rs"),
        exercise
            .dir(Target::Solutions)
            .join("tests")
            .join("spec.rs"),
    ];
    let snapshots = exercise.spec_dir().join("snapshots");
    if root.join(&snapshots).is_dir() {
        let mut snaps = Vec::new();
        for entry in fs::read_dir(root.join(&snapshots))
            .with_context(|| format!("listing {}", snapshots.display()))?
        {
            let name = entry?.file_name();
            if name.to_string_lossy().ends_with(".snap") {
                snaps.push(snapshots.join(name));
            }
        }
        snaps.sort();
        files.extend(snaps);
    }
    files.extend(relative_files(root, &exercise.spec_dir().join("starter"))?);
    Ok(files)
}

/// The compiled sources of a support crate: its manifest and `src/`.
fn support_files(root: &Path, name: &str) -> anyhow::Result<Vec<PathBuf>> {
    let dir = Path::new("crates").join(name);
    let mut files = vec![dir.join("Cargo.toml")];
    files.extend(relative_files(root, &dir.join("src"))?);
    Ok(files)
}

/// Every file under `dir` (relative to `root`), relative to `root`, sorted.
fn relative_files(root: &Path, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    crate::state::collect_files(&root.join(dir), &mut found)?;
    let mut files: Vec<PathBuf> = found
        .into_iter()
        .map(|file| {
            file.strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or(file)
        })
        .collect();
    files.sort();
    Ok(files)
}

fn sha256(path: &Path) -> anyhow::Result<String> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
}

/// A path with `/` separators, as the manifest writes them on every platform.
pub fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// One test of a spec as it shipped, with what its doc comment tells the
/// checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    /// The test's name, without the `spec::` prefix.
    pub name: &'static str,
    /// The usual causes when this test times out, in order, from a doc line
    /// that starts `When this times out:` (empty when it has none).
    pub when_it_times_out: &'static str,
    /// Whether its doc comment says it is `Scheduling-sensitive:`: a bug it
    /// catches shows only in some runs, so the checker runs it repeatedly.
    pub scheduling_sensitive: bool,
}

/// A test found in a spec's source, before it is written out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FoundTest {
    /// The test's name.
    pub name: String,
    /// The text after `When this times out:`, joined over its lines.
    pub when_it_times_out: String,
    /// Whether a doc line starts with `Scheduling-sensitive:`.
    pub scheduling_sensitive: bool,
}

/// The tests of a spec, in the order they appear in it: every `fn` right
/// after a `#[test]` (other attributes and comments between the two are
/// skipped), with what the doc comment above it says for the checker.
pub fn tests_in_spec(source: &str) -> Vec<FoundTest> {
    let mut found = Vec::new();
    let mut docs: Vec<&str> = Vec::new();
    let mut after_test = false;
    for line in source.lines().map(str::trim) {
        if line == "#[test]" {
            after_test = true;
        } else if after_test {
            if let Some(rest) = line.strip_prefix("fn ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push(FoundTest {
                    name,
                    when_it_times_out: doc_paragraph(&docs, "When this times out:"),
                    scheduling_sensitive: docs
                        .iter()
                        .any(|doc| doc.starts_with("Scheduling-sensitive:")),
                });
                after_test = false;
                docs.clear();
            } else if !(line.starts_with("#[") || line.starts_with("//") || line.is_empty()) {
                after_test = false;
            }
        } else if let Some(doc) = line.strip_prefix("///") {
            docs.push(doc.trim());
        } else if !line.starts_with("#[") {
            docs.clear();
        }
    }
    found
}

/// The paragraph of `docs` that starts with `start`, without it, on one line.
fn doc_paragraph(docs: &[&str], start: &str) -> String {
    let Some(first) = docs.iter().position(|doc| doc.starts_with(start)) else {
        return String::new();
    };
    let mut words = vec![docs[first][start.len()..].trim()];
    words.extend(
        docs[first + 1..]
            .iter()
            .take_while(|doc| !doc.is_empty())
            .copied(),
    );
    words.join(" ").trim().to_owned()
}

/// The source of `xtask/src/shipped.rs` for the files on disk now.
pub fn compute(root: &Path) -> anyhow::Result<String> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut add = |file: &Path| -> anyhow::Result<()> {
        files.push((slash_path(file), sha256(&root.join(file))?));
        Ok(())
    };
    for file in SHARED_FILES {
        add(Path::new(file))?;
    }
    for name in SUPPORT_CRATES {
        for file in support_files(root, name)? {
            add(&file)?;
        }
    }
    let mut tests = Vec::new();
    for exercise in EXERCISES {
        for file in exercise_files(root, exercise)? {
            add(&file)?;
        }
        let spec = exercise.spec_dir().join("spec.rs");
        let source = fs::read_to_string(root.join(&spec))
            .with_context(|| format!("reading {}", spec.display()))?;
        tests.push((exercise.name, tests_in_spec(&source)));
    }
    files.sort();
    files.dedup();

    let mut out = String::from(
        "//! What shipped: the SHA-256 of every file a learner must not change, and\n\
         //! the tests of each spec, in the spec's order.\n\
         //!\n\
         //! Written by `cargo xtask manifest` from the workshop's own files; a tidy\n\
         //! test (`xtask/tests/tidy.rs`) fails when it is out of date. Do not edit\n\
         //! it by hand: change the spec, then run `cargo xtask manifest`.\n\
         \n\
         use crate::manifest::Test;\n\
         \n\
         /// Each protected file, relative to the workspace root, and its SHA-256.\n\
         #[rustfmt::skip]\n\
         pub const FILES: &[(&str, &str)] = &[\n",
    );
    for (path, hash) in &files {
        out.push_str(&format!("    ({path:?}, {hash:?}),\n"));
    }
    out.push_str("];\n\n/// The tests of each exercise's spec, in the spec's order.\n#[rustfmt::skip]\npub const TESTS: &[(&str, &[Test])] = &[\n");
    for (exercise, found) in &tests {
        out.push_str(&format!("    ({exercise:?}, &[\n"));
        for test in found {
            out.push_str(&format!(
                "        Test {{ name: {:?}, when_it_times_out: {:?}, scheduling_sensitive: {} }},\n",
                test.name, test.when_it_times_out, test.scheduling_sensitive
            ));
        }
        out.push_str("    ]),\n");
    }
    out.push_str("];\n");
    Ok(out)
}

/// Writes `xtask/src/shipped.rs` (`cargo xtask manifest`, for the workshop's authors).
pub fn write(root: &Path) -> anyhow::Result<()> {
    let source = compute(root)?;
    fs::write(root.join(SHIPPED), source).with_context(|| format!("writing {SHIPPED}"))
}

/// The tests of `exercise`'s spec as it shipped, in the spec's order.
pub fn shipped_tests(exercise: &Exercise) -> &'static [Test] {
    shipped::TESTS
        .iter()
        .find(|(name, _)| *name == exercise.name)
        .map_or(&[], |(_, tests)| tests)
}

/// One protected file that differs from what shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    /// The file, relative to the workspace root, with `/` separators.
    pub path: String,
    /// Whether it is missing rather than changed.
    pub missing: bool,
}

/// Compares the shipped files whose path starts with one of `prefixes`
/// against the files under `base` (the same relative paths).
fn compare(base: &Path, prefixes: &[String]) -> Vec<Edited> {
    let mut edited = Vec::new();
    for (path, hash) in shipped::FILES {
        if !prefixes
            .iter()
            .any(|prefix| path.starts_with(prefix.as_str()))
        {
            continue;
        }
        let file = base.join(path);
        match sha256(&file) {
            Err(_) if !file.exists() => edited.push(Edited {
                path: (*path).to_owned(),
                missing: true,
            }),
            Ok(actual) if actual == *hash => {}
            _ => edited.push(Edited {
                path: (*path).to_owned(),
                missing: false,
            }),
        }
    }
    edited
}

/// The protected files of `exercise` that differ from what shipped: its spec
/// folder, the spec runner of the crate being checked, and the workspace's
/// cargo configuration.
pub fn edited(root: &Path, exercise: &Exercise, target: Target) -> Vec<Edited> {
    let mut prefixes = vec![
        format!("specs/{}/", exercise.name),
        format!("{}/tests/", slash_path(&exercise.dir(target))),
    ];
    prefixes.extend(SHARED_FILES.iter().map(|file| (*file).to_owned()));
    compare(root, &prefixes)
}

/// The files of the support crate `name`, found at `dir` by the build, that
/// differ from what shipped, or that it has and did not ship with (shown
/// relative to `root` where they lie under it).
pub fn edited_support_crate(root: &Path, name: &str, dir: &Path) -> Vec<Edited> {
    let prefix = format!("crates/{name}/");
    let shown = |file: &Path| {
        file.strip_prefix(root)
            .map_or_else(|_| file.display().to_string(), slash_path)
    };
    let mut edited = Vec::new();
    let mut shipped_here = Vec::new();
    for (path, hash) in shipped::FILES {
        let Some(rest) = path.strip_prefix(prefix.as_str()) else {
            continue;
        };
        let file = dir.join(rest);
        shipped_here.push(file.clone());
        if sha256(&file).ok().as_deref() != Some(*hash) {
            edited.push(Edited {
                path: shown(&file),
                missing: !file.exists(),
            });
        }
    }
    // A file added to the crate's sources is compiled too, and a `build.rs`
    // beside its manifest runs during the build without a line in it.
    let mut found = Vec::new();
    let _ = crate::state::collect_files(&dir.join("src"), &mut found);
    found.push(dir.join("build.rs"));
    for file in found {
        if file.exists() && !shipped_here.contains(&file) {
            edited.push(Edited {
                path: shown(&file),
                missing: false,
            });
        }
    }
    edited
}

#[cfg(test)]
mod tests {
    use super::tests_in_spec;

    #[test]
    fn test_names_are_read_in_order_past_attributes_and_comments() {
        let source = "\
#[test]
fn first() {}

fn helper() {}

#[test]
#[allow(unused)]
// a comment
fn second_one() -> () {}
#[test]
    fn third() {}
";
        let names: Vec<String> = tests_in_spec(source).into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["first", "second_one", "third"]);
    }

    #[test]
    fn doc_comments_tell_the_checker_about_timeouts_and_races() {
        let source = "\
/// Checks something.
///
/// When this times out: a blocking call inside async code
/// (`std::thread::sleep`), then a channel nobody closes.
///
/// Scheduling-sensitive: two publishers race.
#[test]
fn racy() {}

/// Plain.
#[test]
fn plain() {}
";
        let found = tests_in_spec(source);
        assert_eq!(
            found[0].when_it_times_out,
            "a blocking call inside async code (`std::thread::sleep`), then a channel nobody closes."
        );
        assert!(found[0].scheduling_sensitive);
        assert_eq!(found[1].when_it_times_out, "");
        assert!(!found[1].scheduling_sensitive);
    }
}
