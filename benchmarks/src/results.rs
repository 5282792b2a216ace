//! Where results go, and the record each bench binary leaves of its run.
//!
//! A bench binary calls [`BenchRun::start`] first thing and
//! [`BenchRun::finish`] last, which writes
//! `target/bench-results/<bench>.json`:
//!
//! ```text
//! { "bench": "pubsub", "mode": "full", "started_at": 1767225600.0,
//!   "finished_at": 1767225631.5, "load_average": [0.4, 1.1],
//!   "data": { ... what it measured ... } }
//! ```
//!
//! `load_average` is the machine's one-minute load average (`/proc/loadavg`)
//! when the bench started and when it finished: how busy the machine was
//! with other work while it measured.
//!
//! The summarizer uses `started_at` to check that the criterion estimates it
//! reads for that bench were written by this run, not left over from an
//! older one. Errors are `anyhow`: a bench can only report them.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use serde_json::{Value, json};

use crate::Mode;

/// The workspace root: the folder above this crate's.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the benchmarks crate lives inside the workspace")
        .to_path_buf()
}

/// Cargo's target folder: `$CARGO_TARGET_DIR` if set, else `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

/// `target/bench-results`, where the benches write their JSON.
pub fn results_dir() -> PathBuf {
    target_dir().join("bench-results")
}

/// Seconds since the Unix epoch, as a float.
pub fn unix_seconds(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0.0, |elapsed| elapsed.as_secs_f64())
}

/// One run of one bench binary.
#[derive(Debug)]
pub struct BenchRun {
    name: String,
    mode: Mode,
    started: SystemTime,
    load_at_start: Option<f64>,
}

/// The one-minute load average, from `/proc/loadavg`; `None` where there is
/// no such file.
pub fn load_average() -> Option<f64> {
    fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

impl BenchRun {
    /// Notes the start of bench `name` in `mode`.
    pub fn start(name: &str, mode: Mode) -> BenchRun {
        BenchRun {
            name: name.to_owned(),
            mode,
            started: SystemTime::now(),
            load_at_start: load_average(),
        }
    }

    /// The mode this run measures in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Writes `target/bench-results/<bench>.json` with `data`, and returns
    /// its path.
    ///
    /// # Errors
    ///
    /// If the folder or the file cannot be written.
    pub fn finish(self, data: Value) -> anyhow::Result<PathBuf> {
        let record = json!({
            "bench": self.name,
            "mode": self.mode.name(),
            "started_at": unix_seconds(self.started),
            "finished_at": unix_seconds(SystemTime::now()),
            "load_average": [self.load_at_start, load_average()],
            "data": data,
        });
        let dir = results_dir();
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(format!("{}.json", self.name));
        let text = serde_json::to_string_pretty(&record).context("serialising the results")?;
        fs::write(&path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
        Ok(path)
    }
}
