//! Thread-leak checks: which OS threads did the code under test leave running?
//!
//! The check takes a snapshot of the process's threads, runs your code, and
//! compares. Any thread that is new and still alive after a short grace period
//! is a leak. On Linux the thread list comes from `/proc/self/task`, which
//! lists every thread of the process with its kernel id (the *tid*) and its
//! name (`/proc/self/task/<tid>/comm`, which the kernel cuts to 15 bytes).
//!
//! **Platforms.** Only Linux exposes the thread list this way. Elsewhere
//! [`live_threads`] returns `None` and the thread checks pass without checking
//! anything; the task checks in [`crate::tasks`] work on every platform.
//!
//! **Tests that run in parallel.** `cargo test` runs the tests of one binary
//! on several threads of one process, so a thread started by test A is visible
//! to test B, and the kernel cannot say who started which. Two rules keep the
//! checks exact anyway:
//!
//! - The checks take a process-wide lock, so two checked sections never
//!   overlap, and they ignore the test threads queued on that lock. Checks
//!   can nest: an inner check on the same thread does not wait for the lock,
//!   and neither does one on a thread that runs its work inside
//!   [`InheritedCheck::run`] while the caller waits for it (the worker
//!   thread of `test_kit::within` does, so a check inside `test_kit::run`
//!   nests in the one `run` makes).
//! - In a test binary that checks for thread leaks, *every* test starts its
//!   threads inside a check (a server, a runtime, the code under test), so
//!   no thread comes or goes outside the lock. Keep tests that start threads
//!   without checking them in a test file of their own.
//!
//! This is the same constraint Go's goleak has with `t.Parallel()`.
//! `cargo xtask check` goes further and runs every spec test in a process of
//! its own.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::Leak;

/// One OS thread of this process.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ThreadInfo {
    /// The kernel's id for the thread (what `gettid()` returns).
    pub tid: u32,
    /// The thread's name as the kernel keeps it: at most 15 bytes, so
    /// `std::thread::Builder::name("pipeline-square-stage")` shows up as
    /// `pipeline-square`. Threads spawned without a name inherit the name of
    /// the thread that spawned them.
    pub name: String,
    /// When the thread started, in clock ticks since boot (field 22 of
    /// `/proc/self/task/<tid>/stat`). Used to tell old threads from new ones.
    pub started: u64,
}

impl fmt::Display for ThreadInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" (tid {})", self.name, self.tid)
    }
}

/// Every thread of this process right now, or `None` where the platform
/// offers no way to list them (everything but Linux).
///
/// Listing `/proc/self/task` while other threads exit can skip an entry now
/// and then (a known property of the kernel's directory walk); the checks
/// below are built to tolerate that.
pub fn live_threads() -> Option<Vec<ThreadInfo>> {
    #[cfg(target_os = "linux")]
    {
        let mut threads = Vec::new();
        for entry in std::fs::read_dir("/proc/self/task").ok()? {
            let Ok(entry) = entry else { continue };
            let Some(tid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            // A thread can exit between `read_dir` and this read: then it is
            // simply not alive any more, and we skip it.
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            if let Some((name, started)) = parse_stat(&stat) {
                threads.push(ThreadInfo { tid, name, started });
            }
        }
        threads.sort();
        Some(threads)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// The name and start time from a `/proc/<pid>/task/<tid>/stat` line:
/// `tid (name) state ppid ... starttime ...`. The name may itself contain
/// spaces and parentheses, so it runs to the *last* `)`.
#[cfg_attr(
    not(target_os = "linux"),
    allow(dead_code, reason = "only Linux has /proc")
)]
fn parse_stat(stat: &str) -> Option<(String, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_owned();
    // After the name: state is field 3, so starttime (field 22) is the 20th.
    let started = stat
        .get(close + 1..)?
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()?;
    Some((name, started))
}

/// How many threads this process has right now (`None` off Linux).
///
/// This is the thread-world cousin of Go's `runtime.NumGoroutine()`.
pub fn thread_count() -> Option<usize> {
    live_threads().map(|threads| threads.len())
}

/// The kernel id of the calling thread (`None` off Linux).
pub fn current_tid() -> Option<u32> {
    // `/proc/thread-self` is a link to `<pid>/task/<tid>` for whichever thread
    // reads it: a way to ask "who am I" without `unsafe` or a libc call.
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// Serialises checked sections within one process (see the module docs).
static CHECK_LOCK: Mutex<()> = Mutex::new(());
/// Threads that are blocked waiting for [`CHECK_LOCK`]: the test threads of
/// other checked tests. They are not leaks of the section that runs now.
static QUEUED: Mutex<BTreeSet<u32>> = Mutex::new(BTreeSet::new());

/// One outermost checked section, shared by the thread that opened it and
/// every thread it was handed to with [`InheritedCheck`].
#[derive(Debug)]
struct Section {
    /// `true` while the section's thread holds [`CHECK_LOCK`].
    open: AtomicBool,
}

thread_local! {
    /// The checked section the current thread works in, if any: its own, or
    /// one it inherited. A check that starts while it is open nests in it
    /// instead of waiting for the lock that section already holds.
    static CURRENT: RefCell<Option<Arc<Section>>> = const { RefCell::new(None) };
}

/// The section the current thread works in, if it is still open.
fn open_section() -> Option<Arc<Section>> {
    CURRENT
        .with_borrow(Clone::clone)
        .filter(|section| section.open.load(Ordering::SeqCst))
}

/// What the outermost check of a section holds, and puts back when it ends.
struct Opened {
    /// Marked closed when the section ends, before the lock is released.
    section: Arc<Section>,
    /// The thread's section before this one (a closed one it had inherited).
    previous: Option<Arc<Section>>,
    /// Released last, once the section is closed and the thread's previous
    /// section is back.
    _guard: MutexGuard<'static, ()>,
}

/// Held for the duration of one checked section.
pub(crate) struct Exclusive {
    /// `None` for a check nested in an open section: it holds nothing.
    opened: Option<Opened>,
}

impl Exclusive {
    /// Waits until no other checked section runs in this process, unless the
    /// current thread already works in an open one (its own, or one it
    /// inherited): then the check nests in it and waits for nothing.
    pub(crate) fn acquire() -> Exclusive {
        if open_section().is_some() {
            return Exclusive { opened: None };
        }
        let me = current_tid();
        if let Some(tid) = me {
            queued().insert(tid);
        }
        // A test that failed inside a checked section poisons the lock; the
        // lock protects no data, so the next test can carry on regardless.
        let guard = CHECK_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(tid) = me {
            queued().remove(&tid);
        }
        let section = Arc::new(Section {
            open: AtomicBool::new(true),
        });
        let previous = CURRENT.replace(Some(Arc::clone(&section)));
        Exclusive {
            opened: Some(Opened {
                section,
                previous,
                _guard: guard,
            }),
        }
    }
}

impl Drop for Exclusive {
    fn drop(&mut self) {
        if let Some(opened) = self.opened.take() {
            // Closed first: a thread that inherited the section and starts a
            // check from now on waits for the lock like anyone else.
            opened.section.open.store(false, Ordering::SeqCst);
            CURRENT.set(opened.previous);
            // `opened`, and with it the lock guard, is dropped here.
        }
    }
}

// ANCHOR: inherited_check
/// The checked section the calling thread is in, to hand to a thread that
/// does its work.
///
/// The checks serialise themselves with a process-wide lock, held by the
/// thread that runs the outermost check. A check that starts on *another*
/// thread would wait for that lock, and if the first thread is waiting for
/// the second (a deadline's worker thread, say), neither ever moves. A
/// thread that runs its work inside [`InheritedCheck::run`] is part of the
/// caller's section instead: its checks nest, as they would on the
/// caller's own thread. `test_kit::within` does this for its worker, so a
/// check inside `test_kit::run` works.
///
/// Inheriting keeps the checks exact only while the caller waits for the
/// helper: the section's lock is what keeps other tests' threads out of the
/// helper's checks. Once the caller's check has ended, the helper's checks
/// wait for the lock like any other.
///
/// ```
/// use leak_detection::check_threads;
/// use leak_detection::threads::InheritedCheck;
/// use std::time::Duration;
///
/// let grace = Duration::from_millis(200);
/// let outer = check_threads(grace, || {
///     let check = InheritedCheck::current();
///     // A helper thread that runs a check of its own, while we wait for it.
///     std::thread::spawn(move || check.run(|| check_threads(grace, || "nested")))
///         .join()
///         .unwrap()
/// });
/// assert_eq!(outer, Ok(Ok("nested")));
/// ```
#[derive(Debug, Clone, Default)]
pub struct InheritedCheck {
    /// `None` when the caller was not inside a check: then `run` adds nothing.
    section: Option<Arc<Section>>,
}

impl InheritedCheck {
    /// The section the calling thread works in (nothing if it is in none).
    pub fn current() -> InheritedCheck {
        InheritedCheck {
            section: open_section(),
        }
    }

    /// Runs `f` on the current thread as part of the inherited section: a
    /// check inside `f` nests in it, as long as it is open.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        /// Puts the thread's own section back, even if `f` panics.
        struct Restore(Option<Arc<Section>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                CURRENT.set(self.0.take());
            }
        }
        let _restore = match &self.section {
            Some(section) => Restore(CURRENT.replace(Some(Arc::clone(section)))),
            None => Restore(CURRENT.with_borrow(Clone::clone)),
        };
        f()
    }
}
// ANCHOR_END: inherited_check

fn queued() -> MutexGuard<'static, BTreeSet<u32>> {
    QUEUED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A list of the threads alive at one moment, to compare against later.
#[derive(Debug, Clone)]
pub struct ThreadSnapshot {
    /// Each thread by kernel id and start time: ids are reused, the pair is not.
    before: Option<BTreeSet<(u32, u64)>>,
    /// The start time of the youngest thread in `before`: a thread that
    /// started earlier existed before the snapshot, even if the directory
    /// walk skipped it.
    youngest: u64,
    /// The thread that took the snapshot, never a leak of its own check.
    taker: Option<u32>,
}

impl ThreadSnapshot {
    /// Records the threads alive now.
    pub fn take() -> ThreadSnapshot {
        // Two walks, merged, so that an entry skipped by one is very likely
        // seen by the other.
        let walks = [live_threads(), live_threads()];
        let before = walks.iter().flatten().flatten();
        ThreadSnapshot {
            youngest: before.clone().map(|t| t.started).max().unwrap_or(0),
            before: walks[0]
                .as_ref()
                .map(|_| before.map(|t| (t.tid, t.started)).collect()),
            taker: current_tid(),
        }
    }

    /// Threads alive now that were not alive at the snapshot, leaving out
    /// test threads queued for a checked section. Empty off Linux.
    pub fn new_threads(&self) -> Vec<ThreadInfo> {
        let (Some(before), Some(now)) = (&self.before, live_threads()) else {
            return Vec::new();
        };
        let queued = queued().clone();
        now.into_iter()
            .filter(|t| {
                !before.contains(&(t.tid, t.started))
                    && t.started >= self.youngest
                    && Some(t.tid) != self.taker
                    && !queued.contains(&t.tid)
            })
            .collect()
    }

    /// Polls [`ThreadSnapshot::new_threads`] until it is empty or `grace` has
    /// passed. Threads take a moment to vanish even after a `join`, and a
    /// runtime's worker threads a little longer after the runtime is dropped.
    ///
    /// Only threads seen alive without a break for a while are reported, so
    /// a test thread that another test starts at the last moment (and that
    /// queues for the lock a moment later) is not blamed.
    pub fn wait_for_new_threads_to_exit(&self, grace: Duration) -> Result<(), Leak> {
        let settle = (grace / 4).min(Duration::from_millis(50));
        let start = Instant::now();
        let mut first_seen = std::collections::BTreeMap::<ThreadInfo, Instant>::new();
        loop {
            let leaked = self.new_threads();
            if leaked.is_empty() {
                return Ok(());
            }
            let now = Instant::now();
            first_seen.retain(|thread, _| leaked.contains(thread));
            for thread in leaked {
                first_seen.entry(thread).or_insert(now);
            }
            if now >= start + grace {
                let settled: Vec<ThreadInfo> = first_seen
                    .iter()
                    .filter(|(_, seen)| now.duration_since(**seen) >= settle)
                    .map(|(thread, _)| thread.clone())
                    .collect();
                // A cap, in case threads keep coming and going forever.
                let settled = if settled.is_empty() && now >= start + 2 * grace + settle {
                    first_seen.keys().cloned().collect()
                } else {
                    settled
                };
                if !settled.is_empty() {
                    return Err(Leak::Threads {
                        threads: settled,
                        grace,
                    });
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

// ANCHOR: check_threads
/// Runs `f`, then verifies that every thread it started has ended.
///
/// Returns `f`'s result, or [`Leak::Threads`] naming the threads that were
/// still alive `grace` after `f` returned. The rules of the game:
///
/// - Threads that existed before `f` started are never blamed.
/// - A thread that ends within `grace` is not a leak: joining takes a moment.
/// - Checked sections in one process run one at a time (see the module docs).
/// - Off Linux the check runs `f` and reports no leak.
pub fn check_threads<R>(grace: Duration, f: impl FnOnce() -> R) -> Result<R, Leak> {
    let _exclusive = Exclusive::acquire();
    let snapshot = ThreadSnapshot::take();
    let result = f();
    snapshot.wait_for_new_threads_to_exit(grace)?;
    Ok(result)
}
// ANCHOR_END: check_threads

/// [`check_threads`] with the default grace period, panicking on a leak:
/// the shape to use inside a `#[test]`.
///
/// ```
/// use leak_detection::assert_no_thread_leaks;
///
/// let sum = assert_no_thread_leaks(|| {
///     // A scoped thread is always joined before `scope` returns.
///     std::thread::scope(|s| s.spawn(|| 1 + 2).join().unwrap())
/// });
/// assert_eq!(sum, 3);
/// ```
#[track_caller]
pub fn assert_no_thread_leaks<R>(f: impl FnOnce() -> R) -> R {
    match check_threads(crate::DEFAULT_GRACE, f) {
        Ok(result) => result,
        Err(leak) => panic!("{leak}"),
    }
}
