//! `cargo xtask reset`: back to the starter code, after a backup.
//!
//! The starter code ships twice: in `exercises/<name>/` for the learner to
//! edit, and in `specs/<name>/starter/` to come back to. Before anything is
//! replaced, the learner's `Cargo.toml` and `src/` are copied to
//! `.xtask/backups/<name>-<time>/`, and that path is printed.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::exercises::{Exercise, Target};
use crate::state;

/// Copies `from` over `to`, file by file, creating folders as needed.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    let mut files = Vec::new();
    state::collect_files(from, &mut files)?;
    for file in files {
        let target = to.join(file.strip_prefix(from).expect("collected under `from`"));
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::copy(&file, &target)
            .with_context(|| format!("copying {} to {}", file.display(), target.display()))?;
    }
    Ok(())
}

/// Saves the learner's version, then restores the starter. Returns the
/// backup folder.
pub fn reset(root: &Path, exercise: &Exercise) -> anyhow::Result<PathBuf> {
    let crate_dir = root.join(exercise.dir(Target::Exercises));
    let starter = root.join(exercise.spec_dir()).join("starter");
    anyhow::ensure!(
        starter.join("src").is_dir() && starter.join("Cargo.toml").is_file(),
        "the starter code of `{}` is missing from {}; restore it with `git checkout -- {}`",
        exercise.name,
        starter.display(),
        exercise.spec_dir().join("starter").display()
    );

    // 1. The backup, in a folder that does not exist yet.
    let backups = state::dir(root).join("backups");
    let stamp = state::timestamp();
    let mut backup = backups.join(format!("{}-{stamp}", exercise.name));
    let mut n = 2;
    while backup.exists() {
        backup = backups.join(format!("{}-{stamp}-{n}", exercise.name));
        n += 1;
    }
    fs::create_dir_all(&backup).with_context(|| format!("creating {}", backup.display()))?;
    if crate_dir.join("Cargo.toml").exists() {
        fs::copy(crate_dir.join("Cargo.toml"), backup.join("Cargo.toml"))
            .context("backing up Cargo.toml")?;
    }
    copy_tree(&crate_dir.join("src"), &backup.join("src")).context("backing up src/")?;

    // 2. Only then, the starter code.
    if crate_dir.join("src").exists() {
        fs::remove_dir_all(crate_dir.join("src")).context("removing the old src/")?;
    }
    copy_tree(&starter.join("src"), &crate_dir.join("src"))?;
    fs::copy(starter.join("Cargo.toml"), crate_dir.join("Cargo.toml"))
        .context("restoring Cargo.toml")?;
    Ok(backup)
}
