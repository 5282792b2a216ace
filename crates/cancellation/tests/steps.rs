//! The failures each step of the Cancellation chapter's error group
//! prevents: each test shows a step's flaw, and the next step's test shows
//! it gone.
//!
//! `cargo test -p cancellation --test steps`. Every test runs on tokio's
//! paused clock, so the instants it asserts are exact, under
//! `test_kit`'s deadline and leak checks.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cancellation::steps::{step1_wait_all, step2_cancel_in_wait};
use cancellation::{ErrGroup, WorkError, long_running};
use test_kit::Harness;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

const SECOND: Duration = Duration::from_secs(1);

/// One chunk of work: a second of (virtual) time.
async fn one_second(_chunk: u64) -> anyhow::Result<()> {
    sleep(SECOND).await;
    Ok(())
}

/// Task A: fails after three seconds.
async fn a_fails_at_3s() -> Result<(), WorkError> {
    sleep(3 * SECOND).await;
    Err(WorkError::Failed(anyhow::anyhow!("A: disk full")))
}

/// Task B: a hundred one-second chunks, stopping when `token` fires; notes
/// when it stopped.
async fn b_works_100s(
    token: CancellationToken,
    stopped: Arc<Mutex<Duration>>,
) -> Result<(), WorkError> {
    let start = Instant::now();
    let result = long_running(&token, 100, one_second).await;
    *stopped.lock().unwrap() = start.elapsed();
    result
}

// ANCHOR: step1_fails
#[test]
fn step1_the_error_waits_for_the_slowest_task() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let mut group = step1_wait_all::Group::default();
        group.spawn(a_fails_at_3s());
        group.spawn(async {
            sleep(100 * SECOND).await; // B has no token: nobody can tell it.
            Ok(())
        });
        assert!(group.wait().await.is_err());
        assert_eq!(start.elapsed(), 100 * SECOND, "A failed at 3 s");
    });
}
// ANCHOR_END: step1_fails

// ANCHOR: step2_fixed
#[test]
fn step2_the_first_error_stops_the_others() {
    Harness::new().paused_clock().run_async(|| async {
        let stopped = Arc::new(Mutex::new(Duration::ZERO));
        let mut group = step2_cancel_in_wait::Group::default();
        group.spawn(|_token| a_fails_at_3s());
        group.spawn(|token| b_works_100s(token, Arc::clone(&stopped)));
        assert!(group.wait().await.is_err());
        assert_eq!(
            *stopped.lock().unwrap(),
            3 * SECOND,
            "B stopped when A failed"
        );
    });
}
// ANCHOR_END: step2_fixed

// ANCHOR: step2_fails
#[test]
fn step2_a_caller_that_waits_late_leaves_the_others_running() {
    Harness::new().paused_clock().run_async(|| async {
        let stopped = Arc::new(Mutex::new(Duration::ZERO));
        let mut group = step2_cancel_in_wait::Group::default();
        group.spawn(|_token| a_fails_at_3s());
        group.spawn(|token| b_works_100s(token, Arc::clone(&stopped)));
        sleep(10 * SECOND).await; // The caller does other work first.
        assert!(group.wait().await.is_err());
        assert_eq!(*stopped.lock().unwrap(), 10 * SECOND, "not 3 s");
    });
}
// ANCHOR_END: step2_fails

// ANCHOR: step3_fixed
#[test]
fn step3_the_failing_task_cancels_the_group_itself() {
    Harness::new().paused_clock().run_async(|| async {
        let stopped = Arc::new(Mutex::new(Duration::ZERO));
        let mut group: ErrGroup<(), WorkError> = ErrGroup::new();
        group.spawn(|_token| a_fails_at_3s());
        group.spawn(|token| b_works_100s(token, Arc::clone(&stopped)));
        sleep(10 * SECOND).await; // The caller does other work first.
        assert!(group.wait().await.is_err());
        assert_eq!(
            *stopped.lock().unwrap(),
            3 * SECOND,
            "B stopped when A failed"
        );
    });
}
// ANCHOR_END: step3_fixed
