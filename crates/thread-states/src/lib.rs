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
//! The kernel knows what a thread waits for, not where in the program it
//! is. Where `gdb` is installed, [`places`] asks it for every thread's
//! backtrace and keeps, for each thread, the innermost frame in the code
//! being judged, so that the table can say which line each thread was at
//! ([`describe_with`]); where it is not, the table says so.
//!
//! Used by the test kit (when a deadline passes, from inside the test's
//! process) and by the checker (before it stops a test that ran out of
//! time). Only Linux has `/proc`; elsewhere nothing is found.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The environment variable that names the folder of the code being judged
/// (`exercises/<name>/src/`), set by `cargo xtask check` for every test it
/// runs: when it is set, a deadline that passes in the test kit also asks
/// [`places`] where each thread was in that code.
pub const SOURCE_ENV: &str = "TEST_KIT_JUDGED_SOURCE";

/// What the test kit prints on standard error just before it asks `gdb`,
/// so that the checker gives the test the few seconds that takes before it
/// stops it.
pub const ASKING_GDB: &str = "test-kit: the time ran out; asking gdb where each thread is";

/// The environment variable that names a file standing for the one `gdb`
/// run the checker allows each exercise: whoever removes it runs `gdb`
/// ([`gdb_turn`]), so that ten stuck tests cost one run, not ten.
pub const TOKEN_ENV: &str = "TEST_KIT_GDB_TOKEN";

/// Whether the caller may ask gdb ([`places`]) now: always without a
/// token; with one (the file named by [`TOKEN_ENV`]), only the one caller
/// that removes it, since removing a file succeeds for exactly one of the
/// processes that try. The others report [`Places::Elsewhere`].
pub fn gdb_turn(token: Option<&Path>) -> bool {
    token.is_none_or(|token| std::fs::remove_file(token).is_ok())
}

/// The longest `gdb` is given to read the threads.
pub const GDB_LIMIT: Duration = Duration::from_secs(8);

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
    /// Its kernel id.
    pub tid: u32,
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
            tid: thread.tid,
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
    describe_with(seen, &Places::NotAsked)
}

/// [`describe`], with the line of the judged code each thread was at, when
/// `places` has it, under the thread's row; or a line that says why not.
pub fn describe_with(seen: &[Seen], places: &Places) -> String {
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
        if let Places::Found(found) = places
            && let Some(place) = found.get(&thread.tid)
        {
            // gdb names a closure `{closure#0}`, without the function
            // around it: the line says more.
            let function = if place.function.starts_with('{') {
                "a closure".to_owned()
            } else {
                format!("`{}`", place.function)
            };
            out.push_str(&format!(
                "  {:<width$}    at {}:{} (in {function})\n",
                "", place.file, place.line
            ));
        }
    }
    let note = match places {
        Places::Found(found) if !seen.iter().any(|thread| found.contains_key(&thread.tid)) => {
            NOWHERE_IN_YOUR_CODE.to_owned()
        }
        Places::NoTool => NO_GDB.to_owned(),
        Places::Failed(why) => format!("(gdb could not say where the threads were: {why}.)\n"),
        // Elsewhere: said once, under the test that asked; ten times would be noise.
        Places::NotAsked | Places::Found(_) | Places::Elsewhere => String::new(),
    };
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
    out.push_str(&note);
    out
}

/// The table's last line when gdb is not installed.
const NO_GDB: &str =
    "(With gdb installed, this table would also show the line of your code each thread was at.)\n";
/// ... when gdb found no thread in the judged code.
const NOWHERE_IN_YOUR_CODE: &str = "(gdb saw no thread inside your code at that moment: each \
                                    was in a library, the runtime or the test.)\n";

/// A place in the source: where a thread was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file, as the debug information names it (relative to the
    /// workspace for the workspace's own crates).
    pub file: String,
    /// The line.
    pub line: u32,
    /// The function, as gdb names it (`crate::module::function::{closure#0}`).
    pub function: String,
}

/// Where the threads of a process were, or why that is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Places {
    /// Nobody asked: the table has no line about it.
    NotAsked,
    /// The innermost frame inside the judged code, for each thread (by
    /// kernel id) that was in it.
    Found(BTreeMap<u32, Place>),
    /// `gdb` is not on the `PATH`.
    NoTool,
    /// `gdb` ran but could not say (it could not attach, or took too long).
    Failed(String),
    /// `gdb` was asked about another stuck test of the same exercise.
    Elsewhere,
}

/// Where each thread of process `pid` was in the code whose source files
/// have `source` in their path (for example `exercises/fan-in/src/`): for
/// each thread, its innermost frame there, from `gdb`'s backtraces. `gdb`
/// is given at most `limit`, and is stopped (by its own process id) if it
/// takes longer.
///
/// `pid` may be this very process: `gdb` stops every thread, this one too,
/// while it reads them, and lets them go on after. Its output goes to a
/// file, not a pipe: a pipe that nobody reads while every thread is stopped
/// would fill up and stop `gdb` too.
pub fn places(pid: u32, source: &str, limit: Duration) -> Places {
    let Some(gdb) = find_on_path("gdb") else {
        return Places::NoTool;
    };
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = std::env::temp_dir().join(format!(
        "thread-states-{}-{pid}-{call}.txt",
        std::process::id()
    ));
    let Ok(file) = std::fs::File::create(&out) else {
        return Places::Failed(format!("cannot write {}", out.display()));
    };
    let Ok(err) = file.try_clone() else {
        return Places::Failed(format!("cannot write {}", out.display()));
    };
    // Where Yama restricts ptrace to ancestors (Ubuntu's default), a process
    // may still let others trace it; gdb, its child, is not its ancestor.
    let this_process = pid == std::process::id();
    #[cfg(target_os = "linux")]
    if this_process {
        let _ = rustix::process::set_ptracer(rustix::process::PTracer::Any);
    }
    let spawned = Command::new(gdb)
        .args(["-nx", "-batch", "-p", &pid.to_string()])
        // Nothing from the network or from scripts: only what the binary's
        // own debug information says.
        .args([
            "-iex",
            "set debuginfod enabled off",
            "-iex",
            "set auto-load off",
        ])
        .args(["-ex", "set width 0", "-ex", "set pagination off"])
        .args(["-ex", "set print frame-arguments none"])
        .args(["-ex", "thread apply all bt"])
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(err))
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            let _ = std::fs::remove_file(&out);
            return Places::Failed(format!("it did not start ({e})"));
        }
    };
    let started = Instant::now();
    let finished = loop {
        match child.try_wait() {
            Ok(Some(_)) => break true,
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
            _ => break false,
        }
    };
    if !finished {
        let _ = child.kill();
        let _ = child.wait();
    }
    #[cfg(target_os = "linux")]
    if this_process {
        let _ = rustix::process::set_ptracer(rustix::process::PTracer::None);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = this_process;
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_file(&out);
    if !finished {
        return Places::Failed(format!("it took longer than {} s", limit.as_secs_f64()));
    }
    let found = parse_backtraces(&text, source);
    if found.is_empty() && !text.contains("\nThread ") {
        let why = text
            .lines()
            .find(|line| line.contains("ptrace") || line.contains("ermission"))
            .unwrap_or("it could not read the process")
            .trim()
            .trim_end_matches('.')
            .to_owned();
        let scope: Option<u32> = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope")
            .ok()
            .and_then(|scope| scope.trim().parse().ok());
        if let Some(scope) = scope
            && scope >= 2
            && why.contains("ptrace")
        {
            return Places::Failed(format!(
                "{why}; this machine lets only an administrator attach a debugger \
                 (/proc/sys/kernel/yama/ptrace_scope is {scope})"
            ));
        }
        return Places::Failed(why);
    }
    Places::Found(found)
}

/// Whether `gdb` is on the `PATH`, so that [`places`] can ask it.
pub fn gdb_installed() -> bool {
    find_on_path("gdb").is_some()
}

/// The first executable file called `name` in a folder of `PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// Reads `thread apply all bt` output: for each thread (by its LWP, the
/// kernel id), the innermost frame whose file has `source` in its path.
fn parse_backtraces(text: &str, source: &str) -> BTreeMap<u32, Place> {
    let mut found = BTreeMap::new();
    let mut thread: Option<u32> = None;
    for line in text.lines() {
        if line.starts_with("Thread ") {
            thread = line
                .split("(LWP ")
                .nth(1)
                .and_then(|rest| rest.split(')').next())
                .and_then(|tid| tid.trim().parse().ok());
            continue;
        }
        let Some(tid) = thread else { continue };
        if !line.starts_with('#') || found.contains_key(&tid) {
            continue;
        }
        if let Some(place) = frame_place(line)
            && place.file.contains(source)
        {
            found.insert(tid, place);
        }
    }
    found
}

/// `#5  0x00005603 in krate::f::{closure#0} (self=...) at src/lib.rs:42`
/// (the address and `in` are missing for inlined frames).
fn frame_place(line: &str) -> Option<Place> {
    let at = line.rfind(" at ")?;
    let (file, number) = line[at + 4..].rsplit_once(':')?;
    let line_number = number.trim().parse().ok()?;
    let head = &line[..at];
    // After the frame number, the optional address, then the function.
    let mut rest = head.split_once(char::is_whitespace)?.1.trim_start();
    if rest.starts_with("0x")
        && let Some((_, function)) = rest.split_once(" in ")
    {
        rest = function;
    }
    // The arguments are the last parenthesised group.
    let mut depth = 0usize;
    let mut cut = rest.len();
    for (i, c) in rest.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    cut = i;
                    break;
                }
            }
            _ => {}
        }
    }
    let mut function = rest[..cut].trim();
    // A mangled name's hash (`::h0123456789abcdef`) says nothing to a reader.
    if let Some((name, hash)) = function.rsplit_once("::h")
        && hash.len() == 16
        && hash.chars().all(|c| c.is_ascii_hexdigit())
    {
        function = name;
    }
    Some(Place {
        file: file.to_owned(),
        line: line_number,
        function: function.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests that look at this process's own threads.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn seen(name: &str, doing: Doing) -> Seen {
        Seen {
            tid: 0,
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
        // gdb stops every thread of the process while it reads them.
        let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
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
                tid: threads[0].tid,
                name: "sleeper".into(),
                doing: Doing::Sleeping
            }]
        );
    }

    /// The shapes gdb prints: a frame with an address and `in`, an inlined
    /// frame without, generic arguments with parentheses inside.
    const BACKTRACES: &str = "\
Thread 3 (Thread 0x7fe00052d6c0 (LWP 13895) \"right\"):
#0  syscall () at ../sysdeps/unix/sysv/linux/x86_64/syscall.S:38
#2  std::sys::sync::mutex::futex::Mutex::lock_contended () at library/std/src/sys/sync/mutex/futex.rs:61
#5  0x000056033e6e8f24 in fan_in::merge::{closure#0}::{closure#0} () at exercises/fan-in/src/lib.rs:57
#6  0x000056033e6e9c76 in fan_in::merge::{closure#0} (f=...) at exercises/fan-in/src/lib.rs:60
Thread 2 (Thread 0x7fe00072e6c0 (LWP 13894) \"left\"):
#4  0x000056033e6e83e0 in core::panic::unwind_safe::{impl#23}::call_once<(), (dyn core::ops::function::FnOnce<(), Output=()> + core::marker::Send)> (self=...) at /rustc/x/library/core/src/panic/unwind_safe.rs:274
#5  fan_in::merge::forward<u32> (input=..., output=...) at exercises/fan-in/src/lib.rs:31
Thread 1 (Thread 0x7fe00072f6c0 (LWP 13893) \"main\"):
#0  0x000056033e6e8f24 in spec::main () at exercises/fan-in/tests/spec.rs:3
";

    #[test]
    fn the_innermost_frame_in_the_judged_code_is_kept_for_each_thread() {
        let found = parse_backtraces(BACKTRACES, "exercises/fan-in/src/");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[&13895],
            Place {
                file: "exercises/fan-in/src/lib.rs".into(),
                line: 57,
                function: "fan_in::merge::{closure#0}::{closure#0}".into(),
            }
        );
        assert_eq!(found[&13894].line, 31);
        assert_eq!(found[&13894].function, "fan_in::merge::forward<u32>");
        let generic = frame_place(BACKTRACES.lines().nth(6).unwrap()).unwrap();
        assert_eq!(
            generic.function,
            "core::panic::unwind_safe::{impl#23}::call_once<(), (dyn core::ops::function::FnOnce<(), Output=()> + core::marker::Send)>"
        );
        let table = describe_with(
            &[Seen {
                tid: 13895,
                name: "right".into(),
                doing: Doing::Waiting,
            }],
            &Places::Found(found),
        );
        assert!(
            table.contains("right  waiting on a lock")
                && table.contains("\n           at exercises/fan-in/src/lib.rs:57 (in `fan_in::merge::{closure#0}::{closure#0}`)\n"),
            "{table}"
        );
        let hashed = frame_place(
            "#3  0x0000 in pubsub::Broker<T>::topics::h384315800e91c80d (self=...) at exercises/pubsub/src/lib.rs:135",
        )
        .unwrap();
        assert_eq!(hashed.function, "pubsub::Broker<T>::topics");
        let without = describe_with(&[seen("right", Doing::Waiting)], &Places::NoTool);
        assert!(without.contains("With gdb installed"), "{without}");
    }

    #[test]
    fn only_one_stuck_test_gets_to_ask_gdb() {
        let token =
            std::env::temp_dir().join(format!("thread-states-token-{}", std::process::id()));
        std::fs::write(&token, "").unwrap();
        let askers: Vec<_> = (0..4)
            .map(|_| {
                let token = token.clone();
                std::thread::spawn(move || gdb_turn(Some(&token)))
            })
            .collect();
        let turns = askers
            .into_iter()
            .map(|asker| asker.join().unwrap())
            .filter(|turn| *turn)
            .count();
        assert_eq!(turns, 1, "exactly one asker gets the turn");
        assert!(!token.exists());
        assert!(gdb_turn(None), "without a token, everyone may ask");
    }

    /// A thread of this very process, stopped in this file: gdb finds its
    /// line when gdb is installed (it is on the machines this workshop is
    /// tested on; elsewhere the answer must be `NoTool`, never a guess).
    #[cfg(target_os = "linux")]
    #[test]
    fn gdb_finds_the_line_a_thread_of_this_process_waits_at() {
        let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (ready_tx, ready) = std::sync::mpsc::channel::<u32>();
        let waiter = std::thread::Builder::new()
            .name("waiter".into())
            .spawn(move || {
                // `/proc/thread-self` is `<pid>/task/<tid>`.
                let tid = std::fs::read_link("/proc/thread-self")
                    .ok()
                    .and_then(|link| link.file_name()?.to_str()?.parse().ok());
                ready_tx.send(tid.unwrap_or(0)).unwrap();
                let _ = rx.recv(); // THE WAITING LINE
            })
            .unwrap();
        let tid = ready.recv().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let places = places(
            std::process::id(),
            "thread-states/src/lib.rs",
            Duration::from_secs(20),
        );
        drop(tx);
        waiter.join().unwrap();
        if !gdb_installed() {
            assert_eq!(places, Places::NoTool);
            return;
        }
        let Places::Found(found) = &places else {
            panic!("gdb is installed, yet: {places:?}");
        };
        let place = found.get(&tid).unwrap_or_else(|| panic!("{found:?}"));
        let source = include_str!("lib.rs");
        let expected = source
            .lines()
            .position(|line| line.contains("// THE WAITING") && !line.contains("contains"))
            .unwrap()
            + 1;
        assert_eq!(place.line as usize, expected, "{place:?}");
        assert!(
            place.file.ends_with("thread-states/src/lib.rs"),
            "{place:?}"
        );
    }
}
