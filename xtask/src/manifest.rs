//! The manifest of files a learner must not change: each spec, its
//! snapshots, the small `tests/spec.rs` files that run it, and the starter
//! code that `cargo xtask reset` restores.
//!
//! `specs/SHA256SUMS` lists a SHA-256 for each, in the format of the
//! `sha256sum` tool (`sha256sum -c specs/SHA256SUMS` checks it from the
//! workspace root). The checker compares before it runs an exercise's spec,
//! so that editing a spec or a snapshot is reported as such instead of
//! counting as a pass. A tidy test keeps the manifest up to date.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::exercises::{EXERCISES, Exercise, Target};

/// Where the manifest lives, relative to the workspace root.
pub const MANIFEST: &str = "specs/SHA256SUMS";

/// The files of `exercise` that the manifest protects, relative to the root.
pub fn protected_files(root: &Path, exercise: &Exercise) -> anyhow::Result<Vec<PathBuf>> {
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
    let listing = fs::read_dir(root.join(&snapshots))
        .with_context(|| format!("listing {}", snapshots.display()))?;
    let mut snaps = Vec::new();
    for entry in listing {
        let name = entry?.file_name();
        if name.to_string_lossy().ends_with(".snap") {
            snaps.push(snapshots.join(name));
        }
    }
    snaps.sort();
    files.extend(snaps);
    let starter = exercise.spec_dir().join("starter");
    let mut starter_files = Vec::new();
    crate::state::collect_files(&root.join(&starter), &mut starter_files)?;
    let mut starter_files: Vec<PathBuf> = starter_files
        .into_iter()
        .map(|file| {
            file.strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or(file)
        })
        .collect();
    starter_files.sort();
    files.extend(starter_files);
    Ok(files)
}

fn sha256(path: &Path) -> anyhow::Result<String> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
}

/// The manifest as it should be for the files on disk now.
pub fn compute(root: &Path) -> anyhow::Result<String> {
    let mut lines = Vec::new();
    for exercise in EXERCISES {
        for file in protected_files(root, exercise)? {
            lines.push(format!(
                "{}  {}",
                sha256(&root.join(&file))?,
                slash_path(&file)
            ));
        }
    }
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    Ok(lines.join("\n") + "\n")
}

/// Writes the manifest (`cargo xtask manifest`, for the workshop's authors).
pub fn write(root: &Path) -> anyhow::Result<()> {
    let manifest = compute(root)?;
    fs::write(root.join(MANIFEST), manifest).with_context(|| format!("writing {MANIFEST}"))
}

/// The recorded hashes, by path.
fn recorded(root: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let text = fs::read_to_string(root.join(MANIFEST))
        .with_context(|| format!("reading {MANIFEST}: it ships with the workshop; restore it with `git checkout -- {MANIFEST}`"))?;
    let mut hashes = BTreeMap::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let (hash, path) = line
            .split_once("  ")
            .with_context(|| format!("{MANIFEST}: a line is not `<sha256>  <path>`: {line}"))?;
        hashes.insert(path.to_owned(), hash.to_owned());
    }
    Ok(hashes)
}

/// One protected file that differs from what shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    /// The file, relative to the workspace root, with `/` separators.
    pub path: String,
    /// Whether it is missing rather than changed.
    pub missing: bool,
}

/// The protected files of `exercise` that differ from the manifest: its
/// spec folder, and the spec runner of the crate being checked.
pub fn edited(root: &Path, exercise: &Exercise, target: Target) -> anyhow::Result<Vec<Edited>> {
    let recorded = recorded(root)?;
    let mut edited = Vec::new();
    let prefixes = [
        format!("specs/{}/", exercise.name),
        format!("{}/", slash_path(&exercise.dir(target))),
    ];
    for (path, hash) in &recorded {
        if !prefixes
            .iter()
            .any(|prefix| path.starts_with(prefix.as_str()))
        {
            continue;
        }
        let file = root.join(path);
        if !file.exists() {
            edited.push(Edited {
                path: path.clone(),
                missing: true,
            });
        } else if &sha256(&file)? != hash {
            edited.push(Edited {
                path: path.clone(),
                missing: false,
            });
        }
    }
    Ok(edited)
}

/// A path with `/` separators, as the manifest writes them on every platform.
fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
