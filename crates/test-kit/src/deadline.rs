//! Deadlines: fail with a clear message instead of hanging the test run.
//!
//! A deadlocked test does not fail; it waits, and so does whoever runs it.
//! [`within`] runs the code under test on a thread of its own and waits for
//! it at most `limit`. If the code is not done by then, the test fails at
//! once with a message that says what usually causes a hang, and the stuck
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
use std::sync::mpsc;
use std::time::Duration;

use leak_detection::threads::{InheritedCheck, ThreadInfo, ThreadSnapshot};

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
            panic!("{TIMED_OUT} {limit:?}.\n{threads}{HANG_ADVICE}")
        }
    }
}
// ANCHOR_END: within

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
    thread_states::describe(&thread_states::look(&ours))
}
