//! Task-leak checks: did the code under test leave tokio tasks alive?
//!
//! A tokio runtime counts its live tasks
//! ([`RuntimeMetrics::num_alive_tasks`](tokio::runtime::RuntimeMetrics::num_alive_tasks)):
//! the counter goes up when a task is spawned and down when it finishes or is
//! aborted. The check reads it before and after the code under test and
//! expects it back at its starting value.
//!
//! # What the check cannot see
//!
//! A count is all that stable tokio offers: listing the tasks themselves
//! (task dumps, spawn and terminate hooks) needs `--cfg tokio_unstable`.
//! So the check has three blind spots:
//!
//! - **It compares counts, not tasks.** If a task that was alive before the
//!   check ends while the code under test leaks one, the count is back where
//!   it started and the check passes. Run the check on a runtime that has no
//!   tasks of its own (a fresh one, as `test_kit::run_async` builds), so
//!   that `before` is 0 and there is nothing to end.
//! - **`spawn_blocking` work is not a task in this count.** A blocking
//!   closure runs on a thread of the runtime's blocking pool, and
//!   `num_alive_tasks` never counts it: a detached blocking loop passes this
//!   check. The thread check ([`crate::threads`]) sees the pool's threads,
//!   but only if the runtime is built *inside* it and shut down before it
//!   ends; `test_kit::run_async` does both, and shuts the runtime down with a
//!   time limit, so a blocking loop that never ends is reported as a leaked
//!   thread instead of hanging the shutdown.
//! - **Tasks of other runtimes** are not counted either.
//!
//! A thread check around a runtime built earlier has a blind spot of its
//! own, the other way round: the blocking pool keeps an idle thread alive
//! for ten seconds after its last closure (tokio's `thread_keep_alive`), so
//! an awaited `spawn_blocking` leaves a thread that a thread check started
//! after the runtime reports as a leak. Build the runtime inside the check.
//!
//! # The grace period, and the paused clock
//!
//! Tasks that are winding down (aborted, or about to see their channel
//! closed) need a few turns of the runtime to finish, so the check waits up
//! to a grace period for the count to come back. On a running clock it
//! sleeps a few milliseconds between looks. On tokio's *paused* clock it
//! must not sleep: every `tokio::time::sleep` there lets virtual time jump
//! to the next timer, and a one-second grace in 5 ms sleeps would become a
//! thousand seconds of virtual time, long enough for a detached task that
//! sleeps five minutes to finish and be forgiven. So on a paused clock the
//! check yields to the runtime instead, at most [`PAUSED_TURNS`] times:
//! virtual time stays where the code under test left it, and a task still
//! waiting for a timer is reported, however short the timer.
//!
//! These checks work on every platform.

use std::future::Future;
use std::time::Duration;

use tokio::runtime::Handle;

use crate::Leak;

/// How many times [`check_tasks`] yields to the runtime on tokio's paused
/// clock before it reports the tasks still alive. Each turn lets every
/// other ready task run; tasks that are winding down need a handful.
pub const PAUSED_TURNS: u32 = 1000;

/// How long [`check_tasks`] sleeps between two looks on a running clock.
const STEP: Duration = Duration::from_millis(5);

/// The number of live tasks on the current tokio runtime.
///
/// The async cousin of Go's `runtime.NumGoroutine()`. Blocking closures
/// (`spawn_blocking`) are not in it.
///
/// # Panics
///
/// Outside a tokio runtime.
pub fn alive_tasks() -> usize {
    Handle::current().metrics().num_alive_tasks()
}

/// Whether tokio's clock is paused on the current runtime: its
/// `Instant::now()` stands still while real time moves on.
///
/// Tokio has no call that says so; this asks the two clocks instead. An
/// unpaused tokio clock follows the real one, so after a microsecond of real
/// time it has moved; a paused one only moves when the runtime advances it,
/// which it cannot do while this function runs.
pub fn clock_is_paused() -> bool {
    let virtual_start = tokio::time::Instant::now();
    let real_start = std::time::Instant::now();
    while real_start.elapsed() < Duration::from_micros(1) {
        std::hint::spin_loop();
    }
    tokio::time::Instant::now() == virtual_start
}

// ANCHOR: check_tasks
/// Runs `fut` to completion on the current task, then verifies that every
/// task it spawned has finished or been aborted within `grace`.
///
/// `fut` is awaited in place, not spawned, so it does not count itself.
/// Only the tasks of the current runtime are counted, and only as a number
/// (see the module docs for what that cannot see). On a running clock the
/// check sleeps between looks, for at most `grace` of real time; on tokio's
/// paused clock it yields instead, at most [`PAUSED_TURNS`] times and for at
/// most `grace`, so that it never moves virtual time.
pub async fn check_tasks<F: Future>(grace: Duration, fut: F) -> Result<F::Output, Leak> {
    let before = alive_tasks();
    let output = fut.await;
    let paused_clock = clock_is_paused();
    let deadline = std::time::Instant::now() + grace;
    let mut turns = 0;
    loop {
        let after = alive_tasks();
        if after <= before {
            return Ok(output);
        }
        let out_of_turns = paused_clock && turns >= PAUSED_TURNS;
        if out_of_turns || std::time::Instant::now() >= deadline {
            return Err(Leak::Tasks {
                before,
                after,
                grace,
                paused_clock,
            });
        }
        if paused_clock {
            // Lets every ready task run once; never lets the clock move.
            tokio::task::yield_now().await;
            turns += 1;
        } else {
            tokio::time::sleep(STEP).await;
        }
    }
}
// ANCHOR_END: check_tasks

/// [`check_tasks`] with the default grace period, panicking on a leak.
///
/// ```
/// use leak_detection::assert_no_task_leaks;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let answer = assert_no_task_leaks(async {
///     // Awaiting the handle means the task is over when we return.
///     tokio::spawn(async { 42 }).await.unwrap()
/// })
/// .await;
/// assert_eq!(answer, 42);
/// # }
/// ```
pub async fn assert_no_task_leaks<F: Future>(fut: F) -> F::Output {
    match check_tasks(crate::DEFAULT_GRACE, fut).await {
        Ok(output) => output,
        Err(leak) => panic!("{leak}"),
    }
}
