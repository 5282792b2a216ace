//! Deadlines: fail with a clear message instead of hanging the test run.
//!
//! A deadlocked test does not fail; it waits, and so does whoever runs it.
//! [`within`] runs the code under test on a thread of its own and waits for
//! it at most `limit`. If the code is not done by then, the test fails at
//! once with a message that says what each thread the code started was
//! doing (running, waiting, sleeping, in I/O; under `cargo xtask check`,
//! where gdb is installed, also the line of the judged code each thread was
//! at, for one stuck test per exercise), how many tokio tasks were
//! alive on the test's runtime (under [`crate::Harness::run_async`]), and
//! what usually causes a hang, and the stuck
//! thread is left behind: Rust has no safe way to stop a thread from outside
//! (std offers no API for it), but the test process ends soon after and
//! takes it along.
//!
//! The worker inherits the caller's leak check
//! ([`InheritedCheck`](leak_detection::threads::InheritedCheck)): a leak
//! check inside `f` nests in the one around `within`, instead of waiting for
//! the process-wide lock that the caller's thread holds while it waits for
//! the worker.

use std::panic;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use leak_detection::threads::{InheritedCheck, ThreadInfo, ThreadSnapshot, current_tid};

/// The limit [`crate::run`] and [`crate::run_async`] use: well above what any
/// test of this workshop needs, well below the checker's own timeout.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(5);

/// The start of every deadline failure, which `cargo xtask check` looks for
/// to report a *timed out* verdict.
pub const TIMED_OUT: &str = "did not finish within";

/// The advice that follows a deadline failure.
pub const HANG_ADVICE: &str = "This looks like a deadlock or a livelock. The usual causes: \
a channel nobody closes (a Sender kept alive, so a loop over the Receiver never ends), \
a receiver nobody drains (so a send on a full channel waits forever), \
a thread or task nobody tells to stop, \
or a lock held across an .await.";

// ANCHOR: within
/// Runs `f` and returns its result, or panics if it has not finished within
/// `limit`.
///
/// A panic inside `f` is passed on unchanged, so assertion messages reach the
/// test report as they are.
///
/// ```should_panic
/// use std::time::Duration;
///
/// // A receive that can never complete: we hold the sender and never send.
/// let (_tx, rx) = std::sync::mpsc::channel::<()>();
/// let _ = test_kit::within(Duration::from_millis(100), move || rx.recv());
/// ```
#[track_caller]
pub fn within<R: Send + 'static>(limit: Duration, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (done_tx, done_rx) = mpsc::channel();
    // Give the worker the test's name: threads it starts without a name of
    // their own inherit it, which keeps leak reports readable.
    let mut builder = std::thread::Builder::new();
    if let Some(name) = std::thread::current().name() {
        builder = builder.name(name.to_owned());
    }
    // We wait for the worker, so its leak checks may nest in ours.
    let check = InheritedCheck::current();
    // What was there before, so that a timeout can say what the code under
    // test was doing and leave out everything else.
    let before = ThreadSnapshot::take();
    let _running = Running::start(before.clone());
    let worker = builder
        .spawn(move || {
            let outcome = panic::catch_unwind(panic::AssertUnwindSafe(|| check.run(f)));
            let _ = done_tx.send(outcome);
        })
        .expect("the OS refused to start a thread");
    match done_rx.recv_timeout(limit) {
        Ok(outcome) => {
            worker.join().expect("the worker caught its own panic");
            outcome.unwrap_or_else(|payload| panic::resume_unwind(payload))
        }
        Err(_) => {
            let threads = what_threads_do(&before.new_threads());
            let tasks = tasks_alive();
            panic!("{TIMED_OUT} {limit:?}.\n{threads}{tasks}{HANG_ADVICE}")
        }
    }
}
// ANCHOR_END: within

/// The handles of the tokio runtimes that [`crate::Harness::run_async`]
/// built and has not shut down yet, so that a deadline that passes can say
/// how many tasks are alive on them.
static RUNTIMES: Mutex<Vec<tokio::runtime::Handle>> = Mutex::new(Vec::new());

/// Keeps `handle` in [`RUNTIMES`] until dropped.
pub(crate) struct RuntimeSeen(tokio::runtime::Id);

impl RuntimeSeen {
    pub(crate) fn new(handle: &tokio::runtime::Handle) -> RuntimeSeen {
        RUNTIMES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(handle.clone());
        RuntimeSeen(handle.id())
    }
}

impl Drop for RuntimeSeen {
    fn drop(&mut self) {
        RUNTIMES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|handle| handle.id() != self.0);
    }
}

/// "3 tokio tasks were alive on the test's runtime", for a deadline that
/// passed while the test's runtime ran; empty when there was none. A count
/// that keeps growing, or tasks alive while every thread waits, point at
/// tasks nobody awaits or ends.
fn tasks_alive() -> String {
    let runtimes = RUNTIMES.lock().unwrap_or_else(|e| e.into_inner());
    runtimes
        .iter()
        .map(|handle| {
            let alive = handle.metrics().num_alive_tasks();
            format!(
                "{alive} tokio task{} {} alive on the test's runtime (tasks spawned by the code under test, \
                 not counting the test itself).\n",
                if alive == 1 { "" } else { "s" },
                if alive == 1 { "was" } else { "were" }
            )
        })
        .collect()
}

/// The thread lists taken when each running [`within`] began, innermost
/// last, each with an id so that it is removed exactly once.
static RUNNING: Mutex<Vec<(u64, ThreadSnapshot)>> = Mutex::new(Vec::new());

/// One entry in [`RUNNING`], removed when the deadline ends (also by a panic).
struct Running(u64);

impl Running {
    fn start(before: ThreadSnapshot) -> Running {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        RUNNING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((id, before));
        Running(id)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(id, _)| *id != self.0);
    }
}

/// What the threads started since the innermost running [`within`] began
/// (so: by the code under test) are doing now, as a table with a diagnosis;
/// empty outside a deadline or where `/proc` is missing. For a test's own
/// message when it gives up waiting on the code under test (a stage whose
/// output stays open, a call that does not return): it tells a thread that
/// waits on a channel from one that computes.
///
/// ```
/// use std::time::Duration;
///
/// let report = test_kit::run(|| {
///     let (_tx, rx) = std::sync::mpsc::channel::<()>();
///     let stuck = std::thread::Builder::new()
///         .name("stuck".into())
///         .spawn(move || rx.recv())
///         .unwrap();
///     std::thread::sleep(Duration::from_millis(50));
///     let report = test_kit::deadline::what_threads_do_now();
///     drop(_tx);
///     let _ = stuck.join();
///     report
/// });
/// if std::path::Path::new("/proc/self/task").exists() {
///     assert!(report.contains("stuck") && report.contains("waiting"), "{report}");
/// }
/// ```
pub fn what_threads_do_now() -> String {
    let innermost = RUNNING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .last()
        .map(|(_, before)| before.clone());
    innermost.map_or_else(String::new, |before| what_threads_do_since(&before))
}

/// What the threads started since `snapshot` are doing now, leaving out the
/// thread that asks (see [`what_threads_do_now`]).
pub fn what_threads_do_since(snapshot: &ThreadSnapshot) -> String {
    let me = current_tid();
    let threads: Vec<ThreadInfo> = snapshot
        .new_threads()
        .into_iter()
        .filter(|t| Some(t.tid) != me)
        .collect();
    what_threads_do(&threads)
}

/// What each of `threads` (those started since the deadline began) was
/// doing, as a table with a diagnosis (see the `thread-states` crate).
/// Where tests share a process (a plain `cargo test`), other tests' threads
/// can be among them; the checker runs every spec test in a process of its own.
fn what_threads_do(threads: &[ThreadInfo]) -> String {
    let tids: Vec<u32> = threads.iter().map(|t| t.tid).collect();
    let ours: Vec<thread_states::Thread> = thread_states::threads_of(None)
        .into_iter()
        .filter(|t| tids.contains(&t.tid))
        .collect();
    let seen = thread_states::look(&ours);
    // Under `cargo xtask check`, which names the judged code's folder: also
    // the line of that code each thread was at, from gdb.
    let places = match std::env::var(thread_states::SOURCE_ENV) {
        Ok(source) if !source.is_empty() && !seen.is_empty() => {
            let token = std::env::var_os(thread_states::TOKEN_ENV).map(std::path::PathBuf::from);
            if thread_states::gdb_turn(token.as_deref()) {
                eprintln!("{}", thread_states::ASKING_GDB);
                thread_states::places(std::process::id(), &source, thread_states::GDB_LIMIT)
            } else {
                thread_states::Places::Elsewhere
            }
        }
        _ => thread_states::Places::NotAsked,
    };
    thread_states::describe_with(&seen, &places)
}
