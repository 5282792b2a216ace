//! The checker's own small state, kept in `.xtask/` at the workspace root
//! (git ignores it): the last verdict of each exercise, which hints were
//! shown, and the backups `reset` makes. None of it is a learner's file.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::exercises::{Exercise, Target};

/// The state folder.
pub fn dir(root: &Path) -> PathBuf {
    root.join(".xtask")
}

fn status_file(root: &Path) -> PathBuf {
    dir(root).join("status.json")
}

/// A fingerprint of the learner's files of `exercise`: its `Cargo.toml` and
/// everything under `src/`, so `list` can tell whether they changed since
/// the last check.
pub fn fingerprint(root: &Path, exercise: &Exercise) -> anyhow::Result<String> {
    let crate_dir = root.join(exercise.dir(Target::Exercises));
    let mut files = vec![crate_dir.join("Cargo.toml")];
    collect_files(&crate_dir.join("src"), &mut files)?;
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(
            file.strip_prefix(&crate_dir)
                .unwrap_or(&file)
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update([0]);
        hasher.update(fs::read(&file).with_context(|| format!("reading {}", file.display()))?);
        hasher.update([0]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// Every file under `dir`, recursively.
pub fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// The last recorded verdict of an exercise and the fingerprint of its files then.
pub fn last_status(root: &Path, exercise: &Exercise) -> Option<(String, String)> {
    let text = fs::read_to_string(status_file(root)).ok()?;
    let all: Value = serde_json::from_str(&text).ok()?;
    let entry = &all[exercise.name];
    Some((
        entry["verdict"].as_str()?.to_owned(),
        entry["fingerprint"].as_str()?.to_owned(),
    ))
}

/// Records the verdict of an exercise.
pub fn record_status(root: &Path, exercise: &Exercise, verdict: &str) -> anyhow::Result<()> {
    let mut all: Value = fs::read_to_string(status_file(root))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| json!({}));
    all[exercise.name] = json!({ "verdict": verdict, "fingerprint": fingerprint(root, exercise)? });
    fs::create_dir_all(dir(root))?;
    fs::write(
        status_file(root),
        serde_json::to_string_pretty(&all)? + "\n",
    )
    .context("writing .xtask/status.json")
}

fn durations_file(root: &Path) -> PathBuf {
    dir(root).join("durations.json")
}

/// The key of a test in [`test_durations`]: `<exercise folder>/<test>`,
/// such as `solutions/downloader/a_free_slot_is_used_at_once`.
pub fn duration_key(exercise_dir: &Path, test: &str) -> String {
    format!("{}/{test}", exercise_dir.display())
}

/// How long each test took when it last ran, in milliseconds, by
/// [`duration_key`]. The checker
/// starts the longest first, so that a test that waits in real time runs
/// beside the others instead of after them. Only the order of the runs
/// depends on it, never a verdict.
pub fn test_durations(root: &Path) -> std::collections::HashMap<String, u64> {
    fs::read_to_string(durations_file(root))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Records how long tests took (keys as in [`test_durations`]), keeping the
/// others. Best effort: a state folder that cannot be written costs only
/// the order of the next run.
pub fn record_test_durations(root: &Path, durations: impl IntoIterator<Item = (String, u64)>) {
    let mut all = test_durations(root);
    all.extend(durations);
    if let Ok(text) = serde_json::to_string_pretty(&all) {
        let _ = fs::create_dir_all(dir(root));
        let _ = fs::write(durations_file(root), text + "\n");
    }
}

/// Puts the items that took longest last time (by [`test_durations`])
/// first; those never timed keep their order, after the others.
pub fn longest_first<T>(
    items: &mut [T],
    took: &std::collections::HashMap<String, u64>,
    key: impl Fn(&T) -> String,
) {
    items.sort_by_key(|item| std::cmp::Reverse(took.get(&key(item)).copied().unwrap_or(0)));
}

/// `YYYY-MM-DD-HHMMSS` in UTC, for backup folder names.
pub fn timestamp() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Where the checker notes which library build of each exercise it made
/// itself, so that it can tell one that another copy of the workshop made in
/// a shared target folder (see [`crate::build`]).
fn builds_file(root: &Path) -> PathBuf {
    dir(root).join("builds.json")
}

/// The library file of `package` and its modification time (nanoseconds
/// since the epoch), as this checker last left it; `None` if never noted.
pub fn built_library(root: &Path, package: &str) -> Option<(String, u128)> {
    let text = std::fs::read_to_string(builds_file(root)).ok()?;
    let all: Value = serde_json::from_str(&text).ok()?;
    let entry = &all[package];
    Some((
        entry["rlib"].as_str()?.to_owned(),
        entry["mtime_ns"].as_str()?.parse().ok()?,
    ))
}

/// Notes the library file of `package` and its modification time.
pub fn record_built_library(root: &Path, package: &str, rlib: &Path, mtime_ns: u128) {
    let mut all: Value = std::fs::read_to_string(builds_file(root))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    all[package] = json!({ "rlib": rlib.display().to_string(), "mtime_ns": mtime_ns.to_string() });
    if std::fs::create_dir_all(dir(root)).is_ok() {
        let _ = std::fs::write(builds_file(root), all.to_string());
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    #[test]
    fn the_tests_that_took_longest_run_first_and_the_rest_keep_their_order() {
        let took = HashMap::from([("b".to_owned(), 600), ("d".to_owned(), 20)]);
        let mut names = vec!["a", "b", "c", "d", "e"];
        super::longest_first(&mut names, &took, |name| (*name).to_owned());
        assert_eq!(names, ["b", "d", "a", "c", "e"]);
    }

    #[test]
    fn durations_are_merged_with_the_ones_recorded_before() {
        let root = tempfile::tempdir().expect("a temporary folder");
        assert!(super::test_durations(root.path()).is_empty());
        super::record_test_durations(root.path(), [("x/a".to_owned(), 5), ("x/b".to_owned(), 7)]);
        super::record_test_durations(root.path(), [("x/a".to_owned(), 9)]);
        let took = super::test_durations(root.path());
        assert_eq!(took.get("x/a"), Some(&9));
        assert_eq!(took.get("x/b"), Some(&7));
        // A file that is not ours costs only the order.
        std::fs::write(super::durations_file(root.path()), "not json").unwrap();
        assert!(super::test_durations(root.path()).is_empty());
    }

    #[test]
    fn timestamps_look_like_dates() {
        let stamp = super::timestamp();
        assert_eq!(stamp.len(), "2026-11-27-171030".len(), "{stamp}");
        assert!(stamp.starts_with("20"), "{stamp}");
    }
}
