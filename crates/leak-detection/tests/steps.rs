//! The Leak detection chapter, one step at a time: the smallest task check,
//! the false alarm it raises, and the grace period that fixes it; then the
//! grace period that, on tokio's paused clock, forgives a real leak.
//!
//! `cargo test -p leak-detection --test steps`. The steps are written here,
//! where they are tested, next to the crate's [`check_tasks`] that they
//! build up to. Each test builds its own runtime, with tokio's clock
//! paused, so its instants are exact; dropping the runtime drops whatever
//! a test leaked on purpose.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use leak_detection::classic::spawn_heartbeat_leaky;
use leak_detection::{Leak, check_tasks};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

const HOUR: Duration = Duration::from_secs(3600);

/// Runs `body` on a fresh current-thread runtime with a paused clock.
fn paused<F: Future>(body: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("a runtime")
        .block_on(body)
}

// ANCHOR: smallest
/// How many more tasks are alive on this runtime after `body` than before.
async fn tasks_left_by(body: impl Future<Output = ()>) -> usize {
    let metrics = tokio::runtime::Handle::current().metrics();
    let before = metrics.num_alive_tasks();
    body.await; // Awaited in place, not spawned: it does not count itself.
    metrics.num_alive_tasks().saturating_sub(before)
}
// ANCHOR_END: smallest

/// A body that leaks: a heartbeat task whose `JoinHandle` it drops.
async fn leaks_a_heartbeat() {
    drop(spawn_heartbeat_leaky(
        Arc::new(AtomicU64::new(0)),
        Duration::from_secs(1),
    ));
}

/// A body that leaks nothing: its `JoinSet` aborts the task as it is dropped.
async fn aborts_its_task() {
    let mut set = JoinSet::new();
    set.spawn(sleep(HOUR));
    drop(set); // Tells the task to stop at its next `.await`.
}

// ANCHOR: step1
#[test]
fn step1_the_smallest_check_catches_a_detached_task() {
    paused(async {
        assert_eq!(tasks_left_by(leaks_a_heartbeat()).await, 1);
    });
}

#[test]
fn step1_and_raises_a_false_alarm_for_a_task_that_is_winding_down() {
    paused(async {
        assert_eq!(tasks_left_by(aborts_its_task()).await, 1, "not a leak...");
        tokio::task::yield_now().await; // ...one turn of the runtime later:
        assert_eq!(
            tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks(),
            0
        );
    });
}
// ANCHOR_END: step1

// ANCHOR: step2
#[test]
fn step2_a_grace_period_lets_winding_down_tasks_finish() {
    paused(async {
        let grace = Duration::from_secs(1);
        assert!(check_tasks(grace, aborts_its_task()).await.is_ok());
        let leak = check_tasks(grace, leaks_a_heartbeat()).await.unwrap_err();
        assert!(matches!(
            leak,
            Leak::Tasks {
                before: 0,
                after: 1,
                ..
            }
        ));
    });
}
// ANCHOR_END: step2

// ANCHOR: sleeping_grace
/// Like [`tasks_left_by`], but waits up to `grace` of real time for the
/// count to come back, sleeping between looks.
async fn tasks_left_after_sleeping(grace: Duration, body: impl Future<Output = ()>) -> usize {
    let metrics = tokio::runtime::Handle::current().metrics();
    let before = metrics.num_alive_tasks();
    body.await;
    let deadline = std::time::Instant::now() + grace;
    while metrics.num_alive_tasks() > before && std::time::Instant::now() < deadline {
        sleep(Duration::from_millis(100)).await; // On a paused clock: a jump.
    }
    metrics.num_alive_tasks().saturating_sub(before)
}
// ANCHOR_END: sleeping_grace

/// A body that leaks a task which sleeps five minutes, then ends.
async fn leaks_a_five_minute_task() {
    drop(tokio::spawn(sleep(Duration::from_secs(300))));
}

// ANCHOR: step3
#[test]
fn step3_on_a_paused_clock_a_sleeping_grace_forgives_a_leak() {
    paused(async {
        let start = Instant::now();
        let left =
            tasks_left_after_sleeping(Duration::from_secs(5), leaks_a_five_minute_task()).await;
        assert_eq!(left, 0, "forgiven...");
        assert!(
            start.elapsed() >= Duration::from_secs(300),
            "...by five virtual minutes"
        );
    });
}

#[test]
fn step3_the_crates_check_yields_instead_and_lets_no_time_pass() {
    paused(async {
        let start = Instant::now();
        let leak = check_tasks(Duration::from_secs(5), leaks_a_five_minute_task()).await;
        assert!(matches!(
            leak,
            Err(Leak::Tasks {
                paused_clock: true,
                ..
            })
        ));
        assert_eq!(start.elapsed(), Duration::ZERO);
    });
}
// ANCHOR_END: step3
