//! What the workshop's tests share: leak checks, deadlines, and an
//! instrumented loopback HTTP server.
//!
//! Concurrent code fails in ways ordinary tests do not see: it hangs, it
//! leaves threads or tasks running, it does too much at once or too little.
//! Every test in this workspace (the pattern crates', the exercise specs',
//! the checker's) proves those properties with the same few tools:
//!
//! - [`run`] and [`run_async`] run the code under test under a deadline
//!   ([`within`]) and check that no thread ([`assert_no_thread_leaks`]) or
//!   tokio task ([`assert_no_task_leaks`]) outlives it. [`Harness`] tunes
//!   them (a shorter limit, tokio's paused clock).
//! - [`server::TestServer`] is an HTTP server on `127.0.0.1` whose every path
//!   is scripted (latency, status, body, never answers, drops the
//!   connection) and which records the peak number of requests in flight.
//!
//! The leak checks live in the `leak-detection` crate, which teaches them;
//! this crate re-exports them so that there is one implementation.
//!
//! ```
//! use std::time::Duration;
//!
//! // A test body: three workers, all joined, finished well within the limit.
//! let total = test_kit::run(|| {
//!     std::thread::scope(|s| {
//!         let handles: Vec<_> = (1..=3).map(|n| s.spawn(move || n * 10)).collect();
//!         handles.into_iter().map(|h| h.join().unwrap()).sum::<i32>()
//!     })
//! });
//! assert_eq!(total, 60);
//!
//! // The same, async, on a fresh runtime with tokio's clock paused: the
//! // hour-long sleep takes no real time at all.
//! let slept = test_kit::Harness::new().paused_clock().run_async(|| async {
//!     let start = tokio::time::Instant::now();
//!     tokio::time::sleep(Duration::from_secs(3600)).await;
//!     start.elapsed()
//! });
//! assert_eq!(slept, Duration::from_secs(3600));
//! ```
#![doc(test(attr(deny(warnings))))]

use std::future::Future;
use std::time::Duration;

pub mod deadline;
pub mod panics;
pub mod server;

pub use deadline::{DEFAULT_LIMIT, within};
pub use leak_detection::{
    DEFAULT_GRACE, Leak, assert_no_task_leaks, assert_no_thread_leaks, check_tasks, check_threads,
    monitor, tasks, threads,
};

/// How [`Harness::run`] and [`Harness::run_async`] run a test body.
#[derive(Debug, Clone, Copy)]
pub struct Harness {
    limit: Duration,
    grace: Duration,
    runtime: RuntimeFlavor,
    deny_thread_panics: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuntimeFlavor {
    /// `#[tokio::main]`'s default shape, with two worker threads.
    MultiThread,
    /// One thread, with tokio's clock paused (`start_paused = true`).
    PausedClock,
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

impl Harness {
    /// A deadline of [`DEFAULT_LIMIT`], leak checks with [`DEFAULT_GRACE`],
    /// and (for async bodies) a multi-threaded runtime with two workers
    /// (`TEST_KIT_WORKER_THREADS` changes how many).
    pub fn new() -> Harness {
        Harness {
            limit: DEFAULT_LIMIT,
            grace: DEFAULT_GRACE,
            runtime: RuntimeFlavor::MultiThread,
            deny_thread_panics: false,
        }
    }

    /// Fails the test if the body has not finished within `limit`.
    pub fn limit(self, limit: Duration) -> Harness {
        Harness { limit, ..self }
    }

    /// How long threads and tasks may take to wind down after the body
    /// returns before they count as leaked.
    pub fn grace(self, grace: Duration) -> Harness {
        Harness { grace, ..self }
    }

    /// Runs async bodies on a single-threaded runtime whose clock starts
    /// paused: time only moves when no task can run, and then it jumps
    /// straight to the next timer. Timing tests become exact and instant.
    /// The deadline still counts real time.
    ///
    /// "No task can run" includes tasks waiting for real I/O: while a task
    /// waits for a socket, the runtime is idle, so the clock jumps to the
    /// next timer, and a `timeout` around a request to a real server fires
    /// at once. Keep real sockets (such as [`server::TestServer`]) and the
    /// paused clock apart. The task-leak check does not move a paused clock
    /// either (see [`tasks`]).
    pub fn paused_clock(self) -> Harness {
        Harness {
            runtime: RuntimeFlavor::PausedClock,
            ..self
        }
    }

    /// Also fails the test when any other thread panics while the body runs,
    /// even if nobody ever looks at that panic (see [`panics`]): a stage
    /// thread that dies on an overflow closes its channel early, and the
    /// output can look complete. Leave this off for code that catches panics
    /// on purpose (a worker pool that turns a panicking job into an error).
    pub fn deny_thread_panics(self) -> Harness {
        Harness {
            deny_thread_panics: true,
            ..self
        }
    }

    // ANCHOR: run
    /// Runs `body` under the deadline and checks that every thread it
    /// started has ended when it returns.
    ///
    /// # Panics
    ///
    /// With the body's own panic, or if the deadline passes
    /// ([`deadline::TIMED_OUT`]), or if a thread leaked ([`Leak`]), or (with
    /// [`Harness::deny_thread_panics`]) if another thread panicked.
    #[track_caller]
    pub fn run<R: Send + 'static>(self, body: impl FnOnce() -> R + Send + 'static) -> R {
        let deny_thread_panics = self.deny_thread_panics;
        let result = check_threads(self.grace, move || {
            if deny_thread_panics {
                panics::start_watch();
            }
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| within(self.limit, body)));
            let stray = if deny_thread_panics {
                panics::stop_watch()
            } else {
                Vec::new()
            };
            let value = outcome.unwrap_or_else(|payload| std::panic::resume_unwind(payload));
            if let Some(first) = stray.first() {
                panic!(
                    "a thread panicked while the test ran, and nobody noticed: {first}. \
                     When a thread dies, its channels close early, and the output can look complete."
                );
            }
            value
        });
        result.unwrap_or_else(|leak| panic!("{leak}"))
    }
    // ANCHOR_END: run

    /// Builds a fresh tokio runtime, runs the future `body` makes on it under
    /// the deadline, checks that no task it spawned is still alive when it
    /// returns, shuts the runtime down, and checks that no thread is left.
    ///
    /// The runtime is built and shut down inside the thread check, so its
    /// threads, the blocking pool's included, are the check's business:
    /// an awaited `spawn_blocking` leaves nothing behind, and a detached one
    /// that never returns is reported as a leaked thread (the task check
    /// cannot see blocking closures; see [`tasks`]). The shutdown waits at
    /// most the grace period for blocking closures to return.
    ///
    /// `body` is a closure that makes the future (`|| async { ... }`), so the
    /// future is created on the thread that runs it and need not be `Send`.
    ///
    /// # Panics
    ///
    /// As [`Harness::run`], and if a tokio task leaked.
    #[track_caller]
    pub fn run_async<F, Fut>(self, body: F) -> Fut::Output
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future + 'static,
        Fut::Output: Send + 'static,
    {
        let grace = self.grace;
        let runtime = self.runtime;
        self.run(move || {
            let runtime = match runtime {
                RuntimeFlavor::MultiThread => tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(worker_threads())
                    .enable_all()
                    .build(),
                RuntimeFlavor::PausedClock => tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .start_paused(true)
                    .build(),
            }
            .expect("build a tokio runtime");
            // A deadline that passes says how many tasks are alive on it.
            let seen = deadline::RuntimeSeen::new(runtime.handle());
            let checked = runtime.block_on(check_tasks(grace, body()));
            drop(seen);
            // Shutting the runtime down drops its tasks and joins its worker
            // and blocking-pool threads, which the thread check around us
            // then sees gone. A plain `drop` would wait forever for a
            // `spawn_blocking` closure that never returns; with a time limit,
            // such a closure keeps its thread, and the thread check reports
            // that thread as a leak.
            runtime.shutdown_timeout(grace);
            checked.unwrap_or_else(|leak| panic!("{leak}"))
        })
    }
}

/// How many worker threads the multi-threaded runtime of [`Harness::run_async`]
/// gets: 2, or what `TEST_KIT_WORKER_THREADS` says (1 to 16). The checker
/// varies it when it runs a race-sensitive test again and again, so that a
/// race gets more than one schedule to show in.
fn worker_threads() -> usize {
    std::env::var("TEST_KIT_WORKER_THREADS")
        .ok()
        .and_then(|value| value.parse().ok())
        .filter(|n| (1..=16).contains(n))
        .unwrap_or(2)
}

/// [`Harness::run`] with the defaults: a deadline of [`DEFAULT_LIMIT`] and a
/// thread-leak check.
#[track_caller]
pub fn run<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
    Harness::new().run(body)
}

/// [`Harness::run_async`] with the defaults: a fresh multi-threaded runtime,
/// a deadline of [`DEFAULT_LIMIT`], and task- and thread-leak checks.
#[track_caller]
pub fn run_async<F, Fut>(body: F) -> Fut::Output
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future + 'static,
    Fut::Output: Send + 'static,
{
    Harness::new().run_async(body)
}
