//! `ErrGroup` on tokio's paused clock: the first error cancels the others
//! at an exact instant, panics count as errors, values keep their order,
//! and dropping the group (or timing it out) aborts every task.
//!
//! The harness fails any test that leaves a task alive.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cancellation::{
    ErrGroup, TaskPanicked, WorkError, long_running, long_running_between_chunks, with_timeout,
};
use test_kit::Harness;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

const SECOND: Duration = Duration::from_secs(1);
const HOUR: Duration = Duration::from_secs(3600);

/// One chunk of work: a second of (virtual) time.
async fn one_second(_chunk: u64) -> anyhow::Result<()> {
    sleep(SECOND).await;
    Ok(())
}

/// A worker that fails after `delay`.
async fn fail_after(delay: Duration, why: &str) -> Result<(), WorkError> {
    sleep(delay).await;
    Err(WorkError::Failed(anyhow::anyhow!("{why}")))
}

fn failure_message(result: Result<Vec<()>, WorkError>) -> String {
    match result {
        Err(WorkError::Failed(error)) => error.to_string(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

// ANCHOR: first_error_cancels
#[test]
fn the_first_error_cancels_the_others_at_that_instant() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let parent = CancellationToken::new();
        let mut group = ErrGroup::with_parent(&parent);
        // A fails at 3 s; B would work for 100 s in 1 s chunks.
        group.spawn(|_token| fail_after(3 * SECOND, "A: disk full"));
        group.spawn(|token| async move { long_running(&token, 100, one_second).await });

        let result = group.wait().await;
        // A's error, at exactly 3 s: B stopped the moment it was cancelled
        // (`wait` only returns once B has returned).
        assert_eq!(failure_message(result), "A: disk full");
        assert_eq!(start.elapsed(), 3 * SECOND);
        // The group's failure does not travel up to the parent token.
        assert!(!parent.is_cancelled());
    });
}
// ANCHOR_END: first_error_cancels

// ANCHOR: cancels_before_wait
#[test]
fn the_first_error_cancels_the_others_even_while_nobody_waits() {
    // The caller does ten seconds of other work before it calls `wait`.
    // Go's errgroup cancels the context when the goroutine returns its
    // error, not when someone waits; so must this group.
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let stopped = Arc::new(std::sync::Mutex::new(None));
        let mut group = ErrGroup::new();
        group.spawn(|_token| fail_after(SECOND, "A: disk full"));
        group.spawn({
            let stopped = Arc::clone(&stopped);
            |token| async move {
                let result = long_running(&token, 100, one_second).await;
                *stopped.lock().expect("not poisoned") = Some(start.elapsed());
                result
            }
        });

        sleep(10 * SECOND).await; // Other work; nobody awaits `wait` yet.
        assert_eq!(
            *stopped.lock().expect("not poisoned"),
            Some(SECOND),
            "B should have stopped when A failed at 1 s; if it has not stopped \
             (None), the group cancels only inside `wait`"
        );
        assert_eq!(failure_message(group.wait().await), "A: disk full");
        assert_eq!(start.elapsed(), 10 * SECOND, "`wait` found both done");
    });
}
// ANCHOR_END: cancels_before_wait

#[test]
fn a_panic_cancels_the_others_even_while_nobody_waits() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let stopped = Arc::new(std::sync::Mutex::new(None));
        let mut group: ErrGroup<(), WorkError> = ErrGroup::new();
        group.spawn(|_token| async {
            sleep(SECOND).await;
            panic!("index out of bounds");
        });
        group.spawn({
            let stopped = Arc::clone(&stopped);
            |token| async move {
                let result = long_running(&token, 100, one_second).await;
                *stopped.lock().expect("not poisoned") = Some(start.elapsed());
                result
            }
        });
        sleep(10 * SECOND).await;
        assert_eq!(
            *stopped.lock().expect("not poisoned"),
            Some(SECOND),
            "B should have stopped when A panicked at 1 s, before anyone called `wait`"
        );
        let error = group.wait().await.expect_err("task 0 panicked");
        assert!(
            matches!(&error, WorkError::Panicked(p) if p.task == 0),
            "expected task 0's panic, got {error:?}"
        );
    });
}

#[test]
fn a_worker_that_checks_between_chunks_stops_at_its_next_chunk() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let mut group = ErrGroup::new();
        group.spawn(|_token| fail_after(Duration::from_millis(2500), "A failed"));
        group.spawn(
            |token| async move { long_running_between_chunks(&token, 100, one_second).await },
        );
        assert_eq!(failure_message(group.wait().await), "A failed");
        // B was in its third chunk at 2.5 s and finished it: one chunk late
        // at most, and exactly 3 s here.
        assert_eq!(start.elapsed(), 3 * SECOND);
    });
}

#[test]
fn the_first_error_in_time_wins_not_the_first_spawned() {
    Harness::new().paused_clock().run_async(|| async {
        let mut group = ErrGroup::new();
        group.spawn(|_token| fail_after(2 * SECOND, "spawned first, fails second"));
        group.spawn(|_token| fail_after(SECOND, "spawned second, fails first"));
        assert_eq!(
            failure_message(group.wait().await),
            "spawned second, fails first"
        );
    });
}

#[test]
fn values_come_back_in_spawn_order_once_all_succeed() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let mut group: ErrGroup<u64> = ErrGroup::new();
        for (index, seconds) in [3, 1, 2].into_iter().enumerate() {
            group.spawn(move |_token| async move {
                sleep(seconds * SECOND).await;
                Ok(index as u64 * 10)
            });
        }
        let values = group.wait().await.expect("nobody fails");
        assert_eq!(values, [0, 10, 20]);
        // They ran at the same time: the slowest sets the pace.
        assert_eq!(start.elapsed(), 3 * SECOND);
    });
}

#[test]
fn an_empty_group_has_no_values() {
    Harness::new().paused_clock().run_async(|| async {
        let group: ErrGroup<u64> = ErrGroup::new();
        assert!(group.wait().await.expect("nothing to fail").is_empty());
    });
}

// ANCHOR: panic_is_an_error
#[test]
fn a_panic_is_an_error_and_cancels_the_others() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let mut group: ErrGroup<(), WorkError> = ErrGroup::new();
        group.spawn(|token| async move { long_running(&token, 100, one_second).await });
        group.spawn(|_token| async {
            sleep(SECOND).await;
            panic!("index out of bounds");
        });
        let error = group.wait().await.expect_err("task 1 panicked");
        let WorkError::Panicked(panicked) = error else {
            panic!("expected a panic, got {error:?}");
        };
        assert_eq!(
            panicked,
            TaskPanicked {
                task: 1,
                message: "index out of bounds".into()
            }
        );
        assert_eq!(start.elapsed(), SECOND);
    });
}
// ANCHOR_END: panic_is_an_error

#[test]
fn with_anyhow_a_panic_arrives_as_a_task_panicked() {
    Harness::new().paused_clock().run_async(|| async {
        let mut group: ErrGroup<u32> = ErrGroup::new();
        group.spawn(|_token| async { panic!("no {}", "luck") });
        let error = group.wait().await.expect_err("task 0 panicked");
        assert_eq!(error.to_string(), "task 0 panicked: no luck");
        assert!(error.downcast_ref::<TaskPanicked>().is_some());
    });
}

#[test]
fn wait_waits_for_a_task_that_ignores_its_token() {
    // Like Go's `Wait`: cancelling only asks. A task that does not listen
    // holds `wait` up until it returns by itself.
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let mut group = ErrGroup::new();
        group.spawn(|_token| fail_after(SECOND, "A failed"));
        group.spawn(|_token| async {
            sleep(10 * SECOND).await;
            Ok(())
        });
        assert_eq!(failure_message(group.wait().await), "A failed");
        assert_eq!(start.elapsed(), 10 * SECOND);
    });
}

#[test]
fn cancelling_the_parent_token_cancels_every_task() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let parent = CancellationToken::new();
        let mut group = ErrGroup::with_parent(&parent);
        for _ in 0..2 {
            group.spawn(|token| async move { long_running(&token, 100, one_second).await });
        }
        let (result, ()) = tokio::join!(group.wait(), async {
            sleep(Duration::from_millis(2500)).await;
            parent.cancel();
        });
        assert!(matches!(result, Err(WorkError::Cancelled)), "{result:?}");
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
    });
}

/// Counts how many futures holding one have been dropped.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A task that ignores its token and would sleep for an hour.
async fn deaf_for_an_hour(dropped: DropCounter) -> Result<(), WorkError> {
    let _dropped = dropped;
    sleep(HOUR).await;
    Ok(())
}

// ANCHOR: drop_aborts
#[test]
fn dropping_the_group_aborts_every_task() {
    Harness::new().paused_clock().run_async(|| async {
        let dropped = Arc::new(AtomicUsize::new(0));
        let mut group = ErrGroup::new();
        for _ in 0..3 {
            let guard = DropCounter(Arc::clone(&dropped));
            group.spawn(|_token| deaf_for_an_hour(guard));
        }
        sleep(SECOND).await; // they are all asleep now
        drop(group);
        // The runtime drops each aborted task's future the next time it
        // looks at it; a tick of the paused clock lets it do so.
        sleep(Duration::from_millis(1)).await;
        assert_eq!(dropped.load(Ordering::SeqCst), 3);
        // And the harness checks that no task is left.
    });
}
// ANCHOR_END: drop_aborts

// ANCHOR: timeout_around_wait
#[test]
fn a_timeout_around_wait_reports_a_timeout_and_aborts_every_task() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let dropped = Arc::new(AtomicUsize::new(0));
        let mut group = ErrGroup::new();
        for _ in 0..2 {
            let guard = DropCounter(Arc::clone(&dropped));
            group.spawn(|_token| deaf_for_an_hour(guard));
        }
        let result = with_timeout(Duration::from_millis(2500), group.wait()).await;
        let error = result.expect_err("an hour does not fit in 2.5 s");
        assert!(error.is_timeout(), "{error:?}");
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
        // The timeout dropped `wait`, which owned the group.
        sleep(Duration::from_millis(1)).await;
        assert_eq!(dropped.load(Ordering::SeqCst), 2);
    });
}
// ANCHOR_END: timeout_around_wait

/// A task that blocks its thread until `release` says so (standing in for a
/// long computation, or a blocking call), then reaches an `.await`, and
/// records whether it ever got past it.
async fn busy_until_released(
    started: std::sync::mpsc::Sender<()>,
    release: std::sync::mpsc::Receiver<()>,
    past_the_await: Arc<AtomicUsize>,
    dropped: DropCounter,
) -> Result<(), WorkError> {
    let _dropped = dropped;
    started.send(()).expect("the test waits for this");
    // Blocks a runtime thread: no `.await`, so no abort can land here.
    release.recv().expect("the test releases us");
    tokio::task::yield_now().await; // The first `.await` after the abort.
    past_the_await.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

// ANCHOR: drop_only_tells
#[test]
fn dropping_the_group_only_tells_a_busy_task_to_stop() {
    // A multi-threaded runtime: the busy task holds one worker thread.
    test_kit::run_async(|| async {
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel();
        let past_the_await = Arc::new(AtomicUsize::new(0));
        let dropped = Arc::new(AtomicUsize::new(0));
        let mut group = ErrGroup::new();
        group.spawn({
            let (past_the_await, dropped) = (Arc::clone(&past_the_await), Arc::clone(&dropped));
            move |_token| {
                busy_until_released(started_tx, release_rx, past_the_await, DropCounter(dropped))
            }
        });
        started_rx.recv().expect("the task starts");
        drop(group); // Returns at once: the abort is only a request.
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            0,
            "the task is still running after the drop: it has not reached an `.await`"
        );
        release_tx.send(()).expect("the task waits for this");
        // It stops at its next `.await`: its future is dropped there.
        while dropped.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            past_the_await.load(Ordering::SeqCst),
            0,
            "the aborted task must never run past the `.await` where the abort took effect"
        );
    });
}
// ANCHOR_END: drop_only_tells

// ANCHOR: shutdown_waits
#[test]
fn shutdown_returns_only_once_every_task_has_stopped() {
    test_kit::run_async(|| async {
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel();
        let past_the_await = Arc::new(AtomicUsize::new(0));
        let dropped = Arc::new(AtomicUsize::new(0));
        let mut group = ErrGroup::new();
        group.spawn({
            let (past_the_await, dropped) = (Arc::clone(&past_the_await), Arc::clone(&dropped));
            move |_token| {
                busy_until_released(started_tx, release_rx, past_the_await, DropCounter(dropped))
            }
        });
        started_rx.recv().expect("the task starts");
        let shutdown = tokio::spawn(group.shutdown());
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !shutdown.is_finished(),
            "shutdown returned while the task was still running"
        );
        release_tx.send(()).expect("the task waits for this");
        shutdown.await.expect("shutdown does not panic");
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            1,
            "when shutdown returns, the task has stopped and its future is dropped"
        );
        assert_eq!(
            past_the_await.load(Ordering::SeqCst),
            0,
            "the task stopped at its first `.await` after the abort"
        );
    });
}
// ANCHOR_END: shutdown_waits
