//! Running one test in a process of its own, with limits, whatever the test
//! does.
//!
//! A learner's code can deadlock, spin forever, overflow its stack, abort,
//! call `exit`, allocate without end, start processes that never end, or
//! print gigabytes. The runner survives all of it:
//!
//! - the test runs in its own process group, with a marker in its
//!   environment that everything it starts inherits ([`crate::procs`]);
//! - it is killed when its time is up, or when its resident memory passes
//!   [`MEMORY_LIMIT`] (its address space is also capped, as a backstop);
//! - after it ends, however it ends, whatever it started is found, named
//!   in the [`Run`], killed and reaped;
//! - its output is read as it comes, only the first and last few kilobytes
//!   are kept, and what was read is kept even when something the test
//!   started holds the pipes open.
//!
//! The runner reports what happened; turning that into a verdict is
//! [`crate::verdict`]'s job.

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::procs::{self, Leftover};

/// How much of the start and of the end of each stream is kept.
const KEEP: usize = 32 * 1024;

/// A test whose resident memory passes this is stopped: no spec test needs
/// more than a few tens of megabytes.
pub const MEMORY_LIMIT: u64 = 1 << 30;

/// The address space each test process may reserve: far above what threads
/// and allocators reserve without using, so only runaway allocation hits it.
const ADDRESS_SPACE_LIMIT: u64 = 8 << 30;

/// How long the runner waits for the output pipes to close after the test
/// and everything it started are gone.
const PIPE_GRACE: Duration = Duration::from_millis(500);

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
    /// Its resident memory passed [`MEMORY_LIMIT`] and it was killed.
    OutOfMemory {
        /// The resident memory last seen, in bytes.
        resident: u64,
    },
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
    /// Processes it started that were still alive after it exited (they
    /// have been killed since).
    pub leftovers: Vec<Leftover>,
    /// The most resident memory it was seen using, in bytes.
    pub peak_resident: u64,
    /// For a test stopped at its time limit: what its threads were doing
    /// (a table and a diagnosis, empty where that cannot be read).
    pub threads: String,
}

/// The tests running now, by process id, so that the clean-up after one
/// test never touches another.
#[derive(Debug, Default)]
pub struct Running(Mutex<Vec<u32>>);

impl Running {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u32>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` with the other tests' process ids, while no test can start:
    /// a process being started has not got its marker yet, and must not be
    /// taken for something a test left behind.
    fn while_none_starts<R>(&self, me: u32, f: impl FnOnce(&[u32]) -> R) -> R {
        let tests = self.lock();
        let others: Vec<u32> = tests.iter().copied().filter(|pid| *pid != me).collect();
        f(&others)
    }
}

/// What a test may use.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Its time limit.
    pub time: Duration,
    /// The resident memory at which it is stopped.
    pub memory: u64,
}

/// A marker no other test run of this checker carries.
fn next_marker() -> String {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs the test `name` of the test binary `binary`, alone, in its own
/// process group, within `limits`; `running` is shared by every runner of
/// one check.
pub fn run_test(
    binary: &Path,
    name: &str,
    cwd: &Path,
    env: &[(&str, String)],
    limits: Limits,
    running: &Running,
) -> anyhow::Result<Run> {
    let marker = next_marker();
    let mut command = Command::new(binary);
    command
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env(procs::MARKER, &marker);
    for (key, value) in env {
        command.env(key, value);
    }
    for key in REMOVED_ENV {
        command.env_remove(key);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // A group of its own: whatever the test starts is in it, unless it
        // leaves on purpose (`setsid`), and then the marker still finds it.
        command.process_group(0);
    }
    let started = Instant::now();
    let mut child = {
        // Registered while the lock is held, so that no other runner's
        // clean-up can see this test before it is known to be a test.
        let mut tests = running.lock();
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        tests.push(child.id());
        child
    };
    let leader = child.id();
    procs::limit_address_space(leader, ADDRESS_SPACE_LIMIT);
    let stdout = drain(child.stdout.take().expect("piped"));
    let stderr = drain(child.stderr.take().expect("piped"));

    let mut peak_resident = 0;
    let mut time = limits.time;
    let ending = loop {
        if let Some(status) = child.try_wait().context("waiting for a test")? {
            break Ending::Exited(status);
        }
        if started.elapsed() >= time {
            // The test's own deadline passed just before, and the test kit
            // is asking gdb where its threads are: give it the time that
            // takes, once, so that its report is not cut off.
            if time == limits.time && stderr.contains(thread_states::ASKING_GDB) {
                time += thread_states::GDB_LIMIT + Duration::from_secs(2);
                continue;
            }
            break Ending::TimedOut;
        }
        if let Some(resident) = procs::resident_bytes(leader) {
            peak_resident = peak_resident.max(resident);
            if resident > limits.memory {
                break Ending::OutOfMemory { resident };
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let duration = started.elapsed();
    // Before a stuck test is stopped, what its threads are doing tells a
    // deadlock from a busy loop from a blocked runtime. The main thread is
    // libtest's, waiting for the test's own.
    let threads = match ending {
        Ending::TimedOut => {
            let threads: Vec<thread_states::Thread> = thread_states::threads_of(Some(leader))
                .into_iter()
                .filter(|thread| thread.tid != leader)
                .collect();
            let seen = thread_states::look(&threads);
            let places = match env
                .iter()
                .find(|(key, _)| *key == thread_states::SOURCE_ENV)
            {
                Some((_, source)) if !seen.is_empty() => {
                    let token = env
                        .iter()
                        .find(|(key, _)| *key == thread_states::TOKEN_ENV)
                        .map(|(_, path)| Path::new(path));
                    if thread_states::gdb_turn(token) {
                        thread_states::places(leader, source, thread_states::GDB_LIMIT)
                    } else {
                        thread_states::Places::Elsewhere
                    }
                }
                _ => thread_states::Places::NotAsked,
            };
            thread_states::describe_with(&seen, &places)
        }
        _ => String::new(),
    };
    // What it left behind is only a finding when it ended on its own: a test
    // stopped mid-way had no chance to clean up.
    let leftovers = running.while_none_starts(leader, |others| {
        let leftovers = match ending {
            Ending::Exited(_) => procs::leftovers(leader, &marker, others),
            Ending::TimedOut | Ending::OutOfMemory { .. } => Vec::new(),
        };
        // Now end everything: the group (the test itself too, if it still
        // runs), the escaped, the orphaned.
        procs::end(leader, &marker, others, Duration::from_millis(500));
        leftovers
    });
    let _ = child.kill();
    let _ = child.wait();
    running.lock().retain(|pid| *pid != leader);
    // The pipes close once the last process holding them is gone; if one
    // escaped even so, keep what was read.
    let stdout = stdout.finish(PIPE_GRACE);
    let stderr = stderr.finish(PIPE_GRACE);
    Ok(Run {
        ending,
        stdout,
        stderr,
        duration,
        leftovers,
        peak_resident,
        threads,
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
    "INSTA_UPDATE_SNAPSHOTS",
    "RUST_TEST_THREADS",
    "RUST_TEST_NOCAPTURE",
    "RUST_TEST_SHUFFLE",
    "RUST_MIN_STACK",
];

/// A stream being read to its end on a thread of its own.
struct Drain {
    captured: Arc<Mutex<Captured>>,
    done: std::sync::mpsc::Receiver<()>,
}

impl Drain {
    /// Whether what was kept so far holds `needle`.
    fn contains(&self, needle: &str) -> bool {
        self.captured
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .text()
            .contains(needle)
    }

    /// What was read, once the stream ended or `grace` passed.
    fn finish(self, grace: Duration) -> Captured {
        let _ = self.done.recv_timeout(grace);
        self.captured
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Reads a stream to its end on a thread of its own, keeping a bounded part
/// that can be read at any moment.
fn drain(mut stream: impl Read + Send + 'static) -> Drain {
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (done_tx, done) = std::sync::mpsc::channel();
    let shared = Arc::clone(&captured);
    std::thread::spawn(move || {
        let mut buffer = vec![0; 16 * 1024];
        while let Ok(n) = stream.read(&mut buffer) {
            if n == 0 {
                break;
            }
            shared
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(&buffer[..n]);
        }
        let _ = done_tx.send(());
    });
    Drain { captured, done }
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
