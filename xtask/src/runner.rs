//! Running one test in a process of its own, with a time limit, whatever the
//! test does.
//!
//! A learner's code can deadlock, spin forever, overflow its stack, abort,
//! start threads that never end, or print gigabytes. The runner survives all
//! of it: the test runs in its own process group, which is killed as a whole
//! when the time is up; its output is read as it comes and only the first
//! and last few kilobytes are kept; and the runner never waits for a pipe
//! that something outside the group might hold open.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context;

/// How much of the start and of the end of each stream is kept.
const KEEP: usize = 32 * 1024;

/// The output of one stream, bounded: the head and the tail, and how much
/// was skipped in between.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    /// Every byte the stream produced, kept or not.
    pub total: u64,
}

impl Captured {
    fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let room = KEEP.saturating_sub(self.head.len());
        let (to_head, rest) = bytes.split_at(room.min(bytes.len()));
        self.head.extend_from_slice(to_head);
        bytes = rest;
        self.tail.extend(bytes);
        let excess = self.tail.len().saturating_sub(KEEP);
        self.tail.drain(..excess);
    }

    /// How many bytes were dropped between the head and the tail.
    pub fn skipped(&self) -> u64 {
        self.total - self.head.len() as u64 - self.tail.len() as u64
    }

    /// The kept text, with a marker where bytes were dropped.
    pub fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.skipped() > 0 {
            text.push_str(&format!(
                "\n[... {} bytes of output skipped ...]\n",
                self.skipped()
            ));
        }
        let tail: Vec<u8> = self.tail.iter().copied().collect();
        text.push_str(&String::from_utf8_lossy(&tail));
        text
    }
}

/// How a test process ended.
#[derive(Debug, Clone)]
pub enum Ending {
    /// It exited on its own with this status.
    Exited(ExitStatus),
    /// It was still running at the time limit and was killed.
    TimedOut,
}

/// Everything the runner learned about one test run.
#[derive(Debug, Clone)]
pub struct Run {
    /// How the process ended.
    pub ending: Ending,
    /// Its standard output.
    pub stdout: Captured,
    /// Its standard error (panic messages arrive here).
    pub stderr: Captured,
    /// How long it ran.
    pub duration: Duration,
}

/// Runs the test `name` of the test binary `binary`, alone, in its own
/// process group, killed after `limit`.
pub fn run_test(
    binary: &Path,
    name: &str,
    cwd: &Path,
    env: &[(&str, String)],
    limit: Duration,
) -> anyhow::Result<Run> {
    let mut command = Command::new(binary);
    command
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    for key in REMOVED_ENV {
        command.env_remove(key);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // A group of its own: on timeout we kill the test and everything it started.
        command.process_group(0);
    }
    let started = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stdout = drain(child.stdout.take().expect("piped"));
    let stderr = drain(child.stderr.take().expect("piped"));

    let ending = loop {
        if let Some(status) = child.try_wait().context("waiting for a test")? {
            break Ending::Exited(status);
        }
        if started.elapsed() >= limit {
            kill_group(&mut child);
            break Ending::TimedOut;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let duration = started.elapsed();
    // Normally the pipes close when the process is gone. A grandchild that
    // left the group could keep them open: then we stop waiting for them.
    let collect = |rx: mpsc::Receiver<Captured>| {
        rx.recv_timeout(Duration::from_millis(500))
            .unwrap_or_default()
    };
    Ok(Run {
        ending,
        stdout: collect(stdout),
        stderr: collect(stderr),
        duration,
    })
}

/// Environment variables a learner might have set that would change what a
/// test does or how insta judges snapshots.
const REMOVED_ENV: &[&str] = &[
    "INSTA_FORCE_UPDATE",
    "INSTA_FORCE_UPDATE_SNAPSHOTS",
    "INSTA_PENDING_DIR",
    "INSTA_GLOB_FILTER",
    "INSTA_SNAPSHOT_REFERENCES_FILE",
    "RUST_TEST_THREADS",
    "RUST_TEST_NOCAPTURE",
    "RUST_MIN_STACK",
];

/// Reads a stream to its end on a thread of its own, keeping a bounded part.
fn drain(mut stream: impl Read + Send + 'static) -> mpsc::Receiver<Captured> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut captured = Captured::default();
        let mut buffer = vec![0; 16 * 1024];
        while let Ok(n) = stream.read(&mut buffer) {
            if n == 0 {
                break;
            }
            captured.push(&buffer[..n]);
        }
        let _ = tx.send(captured);
    });
    rx
}

fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    {
        // The test leads its own group, so its pid is the group's id. The
        // group may already be gone; `child.kill()` below is the fallback.
        let group = rustix::process::Pid::from_child(child);
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::Captured;

    #[test]
    fn captured_output_keeps_the_head_and_the_tail() {
        let mut captured = Captured::default();
        captured.push(b"start\n");
        for _ in 0..10_000 {
            captured.push(&[b'x'; 100]);
        }
        captured.push(b"\nend");
        let text = captured.text();
        assert!(text.starts_with("start\n"));
        assert!(text.ends_with("\nend"));
        assert!(text.len() < 2 * super::KEEP + 100);
        assert_eq!(captured.total, 6 + 1_000_000 + 4);
        assert!(text.contains("bytes of output skipped"));
    }
}
