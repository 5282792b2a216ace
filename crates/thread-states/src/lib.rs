//! What the threads of a process are doing: running, waiting on a lock,
//! sleeping, blocked in I/O.
//!
//! When a test runs out of time, "timed out" alone does not tell a deadlock
//! from a busy loop from an async runtime blocked by a sleeping task. The
//! kernel does: `/proc/<pid>/task/<tid>/stat` says whether a thread is
//! running and how much CPU it used, and `wchan` names the kernel function
//! it waits in (`futex_wait_queue` for a lock, a channel or a condition
//! variable, `hrtimer_nanosleep` for `std::thread::sleep`, `ep_poll` for an
//! idle async runtime, `pipe_read` for I/O). [`look`] reads that for a set
//! of threads, twice 60 ms apart, and [`describe`] turns it into a table and
//! a one-line diagnosis:
//!
//! ```text
//! When the time ran out, the threads of the code under test were:
//!   left    waiting on a lock, a channel or a condition variable
//!   right   waiting on a lock, a channel or a condition variable
//! Every thread was waiting, so nothing could make progress: a deadlock, or a channel that nobody closes.
//! ```
//!
//! Used by the test kit (when a deadline passes, from inside the test's
//! process) and by the checker (before it stops a test that ran out of
//! time). Only Linux has `/proc`; elsewhere nothing is found.

use std::path::PathBuf;
use std::time::Duration;

/// One thread to look at: its `/proc` folder and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// `/proc/<pid>/task/<tid>` (or `/proc/self/task/<tid>`).
    pub dir: PathBuf,
    /// Its kernel id.
    pub tid: u32,
    /// Its name as the kernel keeps it (at most 15 bytes).
    pub name: String,
}

/// The threads of process `pid` (`None`: this process), in the order of
/// their ids.
pub fn threads_of(pid: Option<u32>) -> Vec<Thread> {
    let base = match pid {
        Some(pid) => PathBuf::from(format!("/proc/{pid}/task")),
        None => PathBuf::from("/proc/self/task"),
    };
    let Ok(entries) = std::fs::read_dir(&base) else {
        return Vec::new();
    };
    let mut threads: Vec<Thread> = entries
        .flatten()
        .filter_map(|entry| {
            let tid = entry.file_name().to_str()?.parse().ok()?;
            let dir = entry.path();
            let name = std::fs::read_to_string(dir.join("comm")).ok()?;
            Some(Thread {
                dir,
                tid,
                name: name.trim_end().to_owned(),
            })
        })
        .collect();
    threads.sort_by_key(|thread| thread.tid);
    threads
}

/// What one thread was doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doing {
    /// Running, or ready to run, all along, or using the CPU: a busy loop.
    Running,
    /// In a futex: a lock, a channel, a condition variable (or an idle
    /// runtime worker, which parks the same way).
    Waiting,
    /// In `nanosleep`: `std::thread::sleep`.
    Sleeping,
    /// In `epoll_wait`: an async runtime waiting for events.
    Polling,
    /// In a read, a write or an accept.
    InIo,
    /// Somewhere else the kernel names.
    Other(String),
}

impl Doing {
    /// In a learner's words.
    pub fn describe(&self) -> String {
        match self {
            Doing::Running => {
                "running without pause (a loop that never waits, or never ends?)".into()
            }
            Doing::Waiting => "waiting on a lock, a channel or a condition variable".into(),
            Doing::Sleeping => "sleeping (std::thread::sleep)".into(),
            Doing::Polling => "waiting for I/O or timer events (an async runtime, idle)".into(),
            Doing::InIo => {
                "blocked in I/O (a read, a write or an accept that does not return)".into()
            }
            Doing::Other(what) => format!("in the kernel, at {what}"),
        }
    }
}

/// One thread and what it was doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The thread's name.
    pub name: String,
    /// What it was doing.
    pub doing: Doing,
}

/// One look at a thread.
struct Sample {
    ticks: u64,
    runnable: bool,
    wchan: String,
}

fn sample(thread: &Thread) -> Option<Sample> {
    let stat = std::fs::read_to_string(thread.dir.join("stat")).ok()?;
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    // After the name: the state is field 3; utime and stime are 14 and 15.
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let wchan = std::fs::read_to_string(thread.dir.join("wchan")).unwrap_or_default();
    Some(Sample {
        ticks,
        runnable: *fields.first()? == "R",
        wchan: wchan.trim().to_owned(),
    })
}

/// What each of `threads` is doing: two looks, 60 ms apart. Threads that
/// end in between, or whose state cannot be read, are left out.
pub fn look(threads: &[Thread]) -> Vec<Seen> {
    let first: Vec<Option<Sample>> = threads.iter().map(sample).collect();
    std::thread::sleep(Duration::from_millis(60));
    let mut seen = Vec::new();
    for (thread, first) in threads.iter().zip(first) {
        let (Some(first), Some(second)) = (first, sample(thread)) else {
            continue;
        };
        // Ready to run at both looks, or a few ticks (at the usual 100 a
        // second) used in 60 ms: busy, even on a machine too loaded to give
        // it a whole core.
        let wchan = second.wchan;
        let doing = if (first.runnable && second.runnable)
            || second.ticks.saturating_sub(first.ticks) >= 3
        {
            Doing::Running
        } else if wchan.starts_with("futex") {
            Doing::Waiting
        } else if wchan.contains("nanosleep") {
            Doing::Sleeping
        } else if wchan.contains("epoll") {
            Doing::Polling
        } else if [
            "pipe_",
            "wait_woken",
            "sk_wait",
            "accept",
            "select",
            "poll_schedule",
            "unix_stream",
        ]
        .iter()
        .any(|io| wchan.contains(io))
        {
            Doing::InIo
        } else if wchan.is_empty() || wchan == "0" {
            continue;
        } else {
            Doing::Other(wchan)
        };
        seen.push(Seen {
            name: thread.name.clone(),
            doing,
        });
    }
    seen
}

/// A table of what each thread was doing, and what that suggests: a
/// deadlock (everything waits), a livelock (something runs), or a runtime
/// blocked by a call that does not yield. Empty when nothing was seen.
pub fn describe(seen: &[Seen]) -> String {
    if seen.is_empty() {
        return String::new();
    }
    let width = seen
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::from("When the time ran out, the threads of the code under test were:\n");
    for thread in seen {
        out.push_str(&format!(
            "  {:<width$}  {}\n",
            thread.name,
            thread.doing.describe()
        ));
    }
    // Async code runs on a runtime's workers, and on the thread that calls
    // `block_on`; any of them stuck in a call that does not yield, while a
    // runtime is there, is a blocked runtime.
    let runtime = seen
        .iter()
        .any(|thread| thread.name.starts_with("tokio-rt"));
    let runtime_blocked = runtime
        && seen
            .iter()
            .any(|thread| matches!(thread.doing, Doing::Sleeping | Doing::InIo));
    let summary = if seen.iter().any(|thread| thread.doing == Doing::Running) {
        "A thread never stopped running: this is a loop that never waits or never ends (a \
         livelock, or an endless stream), not a deadlock."
    } else if runtime_blocked {
        "A thread that runs async code is stuck in a call that does not yield (std::thread::sleep, \
         blocking I/O, block_on, joining a thread) while a runtime is running: while it waits, the \
         runtime cannot poll the futures and tasks it owns. Async code must await, never block."
    } else if seen
        .iter()
        .all(|thread| matches!(thread.doing, Doing::Waiting | Doing::Polling))
    {
        "Every thread was waiting, so nothing could make progress: a deadlock, or a channel that \
         nobody closes."
    } else {
        ""
    };
    if !summary.is_empty() {
        out.push_str(summary);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(name: &str, doing: Doing) -> Seen {
        Seen {
            name: name.into(),
            doing,
        }
    }

    #[test]
    fn the_diagnosis_follows_what_the_threads_do() {
        let deadlock = describe(&[seen("left", Doing::Waiting), seen("right", Doing::Waiting)]);
        assert!(
            deadlock.contains("  left   waiting on a lock"),
            "{deadlock}"
        );
        assert!(deadlock.contains("Every thread was waiting"), "{deadlock}");
        let busy = describe(&[seen("a", Doing::Waiting), seen("spin", Doing::Running)]);
        assert!(busy.contains("never stopped running"), "{busy}");
        let blocked = describe(&[
            seen("tokio-rt-worker", Doing::Sleeping),
            seen("main", Doing::Waiting),
        ]);
        assert!(
            blocked.contains("is stuck in a call that does not yield"),
            "{blocked}"
        );
        let block_on = describe(&[
            seen("spec::downloads", Doing::Sleeping),
            seen("tokio-rt-worker", Doing::Polling),
        ]);
        assert!(
            block_on.contains("Async code must await, never block"),
            "{block_on}"
        );
        let sync_sleep = describe(&[
            seen("worker", Doing::Sleeping),
            seen("other", Doing::Waiting),
        ]);
        assert!(!sync_sleep.contains("Async code"), "{sync_sleep}");
        assert_eq!(describe(&[]), "");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_sleeping_thread_of_this_process_is_seen_sleeping() {
        let sleeper = std::thread::Builder::new()
            .name("sleeper".into())
            .spawn(|| std::thread::sleep(Duration::from_millis(400)))
            .unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let threads: Vec<Thread> = threads_of(None)
            .into_iter()
            .filter(|t| t.name == "sleeper")
            .collect();
        let seen = look(&threads);
        sleeper.join().unwrap();
        assert_eq!(
            seen,
            [super::Seen {
                name: "sleeper".into(),
                doing: Doing::Sleeping
            }]
        );
    }
}
