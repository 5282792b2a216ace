//! The processes a test leaves behind: finding them, naming them, ending them.
//!
//! A spec test runs in a process of its own, which leads a process group of
//! its own. Whatever it starts (a `sleep`, a server, a shell) inherits the
//! group and a marker in its environment (`XTASK_RUN=<id>`). A child that
//! calls `setsid` leaves the group, and one whose parent exits is adopted by
//! the nearest *subreaper*: the checker makes itself one at start, so such
//! orphans become its own children instead of `init`'s, and it can find them.
//!
//! After every test, whatever its ending, [`leftovers`] lists what is still
//! alive of it (by group, by marker, and among the checker's adopted
//! children), [`end`] kills and reaps them, and the verdict names them.
//!
//! This module only looks at `/proc` and sends signals to processes it can
//! prove a test started; it never touches anything else on the machine. Off
//! Linux it finds nothing (the group kill in the runner still applies).

use std::fmt;
use std::time::{Duration, Instant};

/// The environment variable that marks a test's processes.
pub const MARKER: &str = "XTASK_RUN";

/// One process that a test left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// Its process id.
    pub pid: u32,
    /// Its command line (or, when it has none, its name).
    pub command: String,
}

impl fmt::Display for Leftover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` (pid {})", self.command, self.pid)
    }
}

/// Makes the checker the subreaper of everything it starts (Linux), so
/// that an orphaned descendant of a test is adopted by the checker.
pub fn become_subreaper() {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::process::set_child_subreaper(Some(rustix::process::getpid()));
    }
}

/// What `/proc/<pid>/stat` says of a process.
#[derive(Debug, Clone)]
#[cfg_attr(
    not(target_os = "linux"),
    allow(dead_code, reason = "only Linux has /proc")
)]
struct Entry {
    pid: u32,
    ppid: u32,
    group: u32,
    /// The process's state letter (`Z` for a zombie).
    state: char,
}

#[cfg(target_os = "linux")]
fn entries() -> Vec<Entry> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) state ppid pgrp ...`: the name may hold spaces and
            // parentheses, so the fields start after the last `)`.
            let rest = &stat[stat.rfind(')')? + 1..];
            let mut fields = rest.split_whitespace();
            let state = fields.next()?.chars().next()?;
            let ppid = fields.next()?.parse().ok()?;
            let group = fields.next()?.parse().ok()?;
            Some(Entry {
                pid,
                ppid,
                group,
                state,
            })
        })
        .collect()
}

#[cfg(not(target_os = "linux"))]
fn entries() -> Vec<Entry> {
    Vec::new()
}

/// Whether the environment of `pid` carries `marker` (`XTASK_RUN=<marker>`).
fn has_marker(pid: u32, marker: &str) -> bool {
    let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let wanted = format!("{MARKER}={marker}");
    environ
        .split(|byte| *byte == 0)
        .any(|entry| entry == wanted.as_bytes())
}

fn command_of(pid: u32) -> String {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let words: Vec<String> = cmdline
        .split(|byte| *byte == 0)
        .filter(|word| !word.is_empty())
        .map(|word| String::from_utf8_lossy(word).into_owned())
        .collect();
    if words.is_empty() {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|name| name.trim().to_owned())
            .unwrap_or_else(|_| "?".to_owned())
    } else {
        let mut command = words.join(" ");
        if command.chars().count() > 120 {
            command = command.chars().take(117).collect::<String>() + "...";
        }
        command
    }
}

/// The processes started by the test whose process (and group leader) was
/// `leader` and whose marker is `marker`, still alive now: members of its
/// group, processes that carry its marker, and orphans the checker adopted
/// that carry no marker at all (they cleared their environment), except the
/// processes in `keep` (other tests still running).
pub fn leftovers(leader: u32, marker: &str, keep: &[u32]) -> Vec<Leftover> {
    let me = std::process::id();
    let mut found: Vec<Leftover> = entries()
        .into_iter()
        .filter(|entry| entry.pid != me && entry.pid != leader && !keep.contains(&entry.pid))
        .filter(|entry| entry.state != 'Z')
        .filter(|entry| {
            entry.group == leader
                || has_marker(entry.pid, marker)
                || (entry.ppid == me && !has_any_marker(entry.pid))
        })
        .map(|entry| Leftover {
            pid: entry.pid,
            command: command_of(entry.pid),
        })
        .collect();
    found.sort_by_key(|leftover| leftover.pid);
    found
}

/// Whether `pid` carries the marker of any test.
fn has_any_marker(pid: u32) -> bool {
    let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let prefix = format!("{MARKER}=");
    environ
        .split(|byte| *byte == 0)
        .any(|entry| entry.starts_with(prefix.as_bytes()))
}

/// Kills every process that a test of this checker started, wherever it is
/// (its marker names this checker's process id), and each of their groups;
/// then every child of the checker (a build it started). For an interrupted
/// check (Ctrl-C, `kill`): the tests run in groups of their own, so the
/// terminal's interrupt does not reach them, and without this they would
/// outlive the checker.
pub fn end_everything_started() {
    let me = std::process::id();
    let ours = format!("{MARKER}={me}-");
    // Never the group the checker itself is in (the learner's shell job).
    let own_group = entries()
        .into_iter()
        .find(|entry| entry.pid == me)
        .map(|entry| entry.group);
    for _ in 0..3 {
        let mut found = false;
        for entry in entries() {
            if entry.pid == me {
                continue;
            }
            let marked =
                std::fs::read(format!("/proc/{}/environ", entry.pid)).is_ok_and(|environ| {
                    environ
                        .split(|byte| *byte == 0)
                        .any(|var| var.starts_with(ours.as_bytes()))
                });
            if marked || entry.ppid == me {
                found = true;
                if marked && Some(entry.group) != own_group {
                    kill_group(entry.group);
                }
                kill(entry.pid);
            }
        }
        reap_adopted(&[]);
        if !found {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Kills the leftovers of a test (and its whole group), then reaps the ones
/// the checker adopted, until none is left or `within` has passed; killing
/// a process can orphan its own children, which are then adopted in turn.
pub fn end(leader: u32, marker: &str, keep: &[u32], within: Duration) {
    let started = Instant::now();
    loop {
        kill_group(leader);
        let left = leftovers(leader, marker, keep);
        for leftover in &left {
            kill(leftover.pid);
        }
        reap_adopted(keep);
        if left.is_empty() || started.elapsed() >= within {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reaps every adopted child of the checker that has exited (a zombie),
/// except the test processes in `keep`, which their runners wait for.
pub fn reap_adopted(keep: &[u32]) {
    let me = std::process::id();
    for entry in entries() {
        if entry.ppid == me && entry.state == 'Z' && !keep.contains(&entry.pid) {
            wait(entry.pid);
        }
    }
}

fn kill_group(leader: u32) {
    #[cfg(unix)]
    if let Some(group) = pid(leader) {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = leader;
}

fn kill(process: u32) {
    #[cfg(unix)]
    if let Some(process) = pid(process) {
        let _ = rustix::process::kill_process(process, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = process;
}

fn wait(process: u32) {
    #[cfg(unix)]
    if let Some(process) = pid(process) {
        let _ = rustix::process::waitpid(Some(process), rustix::process::WaitOptions::NOHANG);
    }
    #[cfg(not(unix))]
    let _ = process;
}

#[cfg(unix)]
fn pid(raw: u32) -> Option<rustix::process::Pid> {
    rustix::process::Pid::from_raw(i32::try_from(raw).ok()?)
}

/// The resident memory of `pid`, in bytes (`None` off Linux, or when it is gone).
pub fn resident_bytes(pid: u32) -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
        let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
        Some(pages * rustix::param::page_size() as u64)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        None
    }
}

/// Caps the address space of `pid` at `bytes` (Linux; elsewhere nothing).
/// A backstop behind [`resident_bytes`] polling: allocations beyond it fail.
pub fn limit_address_space(pid: u32, bytes: u64) {
    #[cfg(target_os = "linux")]
    if let Some(process) = self::pid(pid) {
        let limit = rustix::process::Rlimit {
            current: Some(bytes),
            maximum: Some(bytes),
        };
        let _ = rustix::process::prlimit(Some(process), rustix::process::Resource::As, limit);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (pid, bytes);
}
