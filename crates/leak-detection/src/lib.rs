//! Leak detection: prove that no thread or task outlives the code under test.
//!
//! A leaked goroutine is Go's most common concurrency bug: a goroutine blocked
//! forever on a channel nobody will ever use again, holding its memory until
//! the process dies. Go answers with `goleak` in tests and a
//! `runtime.NumGoroutine()` gauge in production. This crate is the Rust
//! answer to both, and the workshop's tests use it everywhere.
//!
//! Rust's ownership rules close many leaks for you: when the last `Sender` of
//! a channel is dropped the channel closes, so a loop over the receiver ends;
//! when the `Receiver` is dropped, a blocked `send` fails instead of waiting
//! forever. What Rust cannot know is whether you *meant* a thread to run
//! forever. A thread whose `JoinHandle` is dropped keeps running (detached),
//! and so does a tokio task. That is what these checks catch.
//!
//! | Go | Rust (this crate) | Why it looks like this |
//! |----|-------------------|------------------------|
//! | `goleak.VerifyNone(t)` | [`assert_no_thread_leaks`], [`assert_no_task_leaks`] | threads and tasks are different things in Rust, so there are two checks |
//! | `runtime.NumGoroutine()` | [`threads::thread_count`], [`tasks::alive_tasks`] | the OS counts threads; the tokio runtime counts its tasks |
//! | a goroutine logging the count on a ticker | [`monitor::monitor`] | an async fn you spawn and stop with a `CancellationToken` |
//!
//! **When to use it:** in tests of anything that spawns, and as a gauge in
//! long-running services. **When not to:** as a way to *find* which line
//! leaked. It tells you *that* something outlived its caller and, for
//! threads, its name; name your threads (`std::thread::Builder::name`) and
//! the report points straight at the culprit.
//!
//! ```
//! use leak_detection::{check_threads, Leak, DEFAULT_GRACE};
//!
//! // A detached thread that waits forever for a message that never comes:
//! // we keep the sender alive (so the channel never closes) and never send.
//! let (tx, rx) = crossbeam::channel::bounded::<()>(0);
//! let leak = check_threads(DEFAULT_GRACE, || {
//!     std::thread::Builder::new()
//!         .name("forever".into())
//!         .spawn(move || rx.recv())
//!         .unwrap();
//! })
//! .unwrap_err();
//!
//! // The report names the thread that is still running.
//! assert!(matches!(&leak, Leak::Threads { threads, .. } if threads[0].name == "forever"));
//! assert!(leak.to_string().starts_with("leak detected"));
//!
//! drop(tx); // Closing the channel lets the thread finish.
//! ```
//!
//! See [`threads`] for how thread checks behave when tests run in parallel and
//! on platforms other than Linux, and [`classic`] for the three classic causes
//! of leaks, each with its fix.
#![doc(test(attr(deny(warnings))))]

use std::fmt;
use std::time::Duration;

pub mod classic;
pub mod monitor;
pub mod tasks;
pub mod threads;

pub use tasks::{assert_no_task_leaks, check_tasks};
pub use threads::{ThreadInfo, assert_no_thread_leaks, check_threads};

/// How long the checks wait for threads and tasks to finish after the code
/// under test returns, before calling them leaked.
///
/// Correct code has already joined its threads and awaited or aborted its
/// tasks by the time it returns, so this only has to cover the moment the
/// operating system or the runtime needs to tidy up. It is generous because
/// test machines are often busy.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(1);

/// The name tokio gives the worker and blocking-pool threads of a runtime
/// whose builder sets no other (`Builder::thread_name`).
pub const TOKIO_THREAD_NAME: &str = "tokio-rt-worker";

// ANCHOR: leak
/// What a check found still running.
///
/// Its `Display` text starts with `leak detected`, which `cargo xtask check`
/// looks for to report a *leaked* verdict rather than a plain failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leak {
    /// OS threads that started during the check and were still alive
    /// `grace` after it ended.
    Threads {
        /// The leaked threads, by name and kernel id.
        threads: Vec<ThreadInfo>,
        /// How long the check waited for them.
        grace: Duration,
    },
    /// More tokio tasks alive when the check gave up waiting than before the
    /// code under test ran. A count, not a list: see [`tasks`] for what it
    /// cannot see (blocking closures, for one).
    Tasks {
        /// Live tasks on the runtime before the code under test ran.
        before: usize,
        /// Live tasks when the check gave up waiting.
        after: usize,
        /// The most real time the check waited for them.
        grace: Duration,
        /// Whether tokio's clock was paused: then the check gave the runtime
        /// [`tasks::PAUSED_TURNS`] turns, and let no virtual time pass.
        paused_clock: bool,
    },
}
// ANCHOR_END: leak

impl fmt::Display for Leak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Leak::Threads { threads, grace } => {
                let n = threads.len();
                let s = if n == 1 { "" } else { "s" };
                writeln!(
                    f,
                    "leak detected: {n} thread{s} started by the code under test {} still running {grace:?} after it returned:",
                    if n == 1 { "was" } else { "were" },
                )?;
                for thread in threads {
                    writeln!(f, "  - {thread}")?;
                }
                write!(
                    f,
                    "A thread keeps running when its JoinHandle is dropped. Join every thread you start \
                     (std::thread::scope does it for you), and make sure each can reach its end: \
                     a channel it reads must close (drop every Sender), a send it makes must find a \
                     receiver, and a cancellation it waits for must come."
                )?;
                if threads.iter().any(|t| t.name == TOKIO_THREAD_NAME) {
                    write!(
                        f,
                        " A \"{TOKIO_THREAD_NAME}\" thread is a tokio runtime's: if the runtime was shut down, \
                         it is a spawn_blocking closure that has not returned (tokio cannot abort one), \
                         or a runtime that was never shut down."
                    )?;
                }
                Ok(())
            }
            Leak::Tasks {
                before,
                after,
                grace,
                paused_clock,
            } => {
                let n = after.saturating_sub(*before);
                let s = if n == 1 { "" } else { "s" };
                let was = if n == 1 { "was" } else { "were" };
                if *paused_clock {
                    write!(
                        f,
                        "leak detected: {n} tokio task{s} spawned by the code under test {was} still alive after it returned \
                         ({before} alive before, {after} after), although the runtime had {} turns to finish {}. \
                         Tokio's clock is paused, so the check lets no virtual time pass: a task still waiting \
                         for a timer is left over too.",
                        tasks::PAUSED_TURNS,
                        if n == 1 { "it" } else { "them" },
                    )?;
                } else {
                    write!(
                        f,
                        "leak detected: {n} tokio task{s} spawned by the code under test {was} still alive {grace:?} after it returned \
                         ({before} alive before, {after} after).",
                    )?;
                }
                write!(
                    f,
                    " A task keeps running when its JoinHandle is dropped. \
                     Await or abort every task you spawn: dropping a JoinSet tells its tasks to stop (each stops at \
                     its next .await), and a CancellationToken tells a loop to stop."
                )
            }
        }
    }
}

impl std::error::Error for Leak {}
