//! Long-running work on tokio's paused clock: it stops exactly when (or
//! within one chunk of when) it is cancelled, a timeout reports itself as a
//! timeout, and a chunk's failure is a failure.
//!
//! On a paused clock, time only moves when every task waits on a timer, so
//! every instant asserted below is exact, and the tests take no real time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cancellation::{WorkError, long_running, long_running_between_chunks, with_timeout};
use test_kit::Harness;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

const SECOND: Duration = Duration::from_secs(1);
const TWO_AND_A_HALF: Duration = Duration::from_millis(2500);

/// One chunk of work: a second of (virtual) time.
async fn one_second(_chunk: u64) -> anyhow::Result<()> {
    sleep(SECOND).await;
    Ok(())
}

/// Cancels `token` after `delay`.
async fn cancel_after(token: &CancellationToken, delay: Duration) {
    sleep(delay).await;
    token.cancel();
}

// ANCHOR: cancel_at_once
#[test]
fn a_cancel_stops_long_running_at_that_very_instant() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let token = CancellationToken::new();
        let (result, ()) = tokio::join!(
            long_running(&token, 100, one_second),
            cancel_after(&token, TWO_AND_A_HALF),
        );
        assert!(matches!(result, Err(WorkError::Cancelled)), "{result:?}");
        // In the middle of the third chunk: `select!` dropped it.
        assert_eq!(start.elapsed(), TWO_AND_A_HALF);
    });
}
// ANCHOR_END: cancel_at_once

// ANCHOR: cancel_between_chunks
#[test]
fn checking_between_chunks_stops_at_the_end_of_the_current_chunk() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let token = CancellationToken::new();
        let (result, ()) = tokio::join!(
            long_running_between_chunks(&token, 100, one_second),
            cancel_after(&token, TWO_AND_A_HALF),
        );
        assert!(matches!(result, Err(WorkError::Cancelled)), "{result:?}");
        // The third chunk ran to its end: within one chunk of the cancel.
        assert_eq!(start.elapsed(), 3 * SECOND);
    });
}
// ANCHOR_END: cancel_between_chunks

/// One chunk that counts itself as finished after its second of work.
async fn counted_second(finished: &AtomicU64) -> anyhow::Result<()> {
    sleep(SECOND).await;
    finished.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

// ANCHOR: dropped_half_way
#[test]
fn select_drops_the_interrupted_chunk_half_way_and_the_check_does_not() {
    // What "the losing branch is dropped" means for the work: the code after
    // the interrupted chunk's `.await` never runs.
    Harness::new().paused_clock().run_async(|| async {
        let finished = AtomicU64::new(0);
        let token = CancellationToken::new();
        let (result, ()) = tokio::join!(
            long_running(&token, 100, |_| counted_second(&finished)),
            cancel_after(&token, TWO_AND_A_HALF),
        );
        assert!(matches!(result, Err(WorkError::Cancelled)));
        assert_eq!(finished.load(Ordering::SeqCst), 2);

        let finished = AtomicU64::new(0);
        let token = CancellationToken::new();
        let (result, ()) = tokio::join!(
            long_running_between_chunks(&token, 100, |_| counted_second(&finished)),
            cancel_after(&token, TWO_AND_A_HALF),
        );
        assert!(matches!(result, Err(WorkError::Cancelled)));
        assert_eq!(finished.load(Ordering::SeqCst), 3);
    });
}
// ANCHOR_END: dropped_half_way

#[test]
fn a_token_cancelled_beforehand_stops_the_work_before_its_first_chunk() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let token = CancellationToken::new();
        token.cancel();
        let result = long_running(&token, 100, one_second).await;
        assert!(matches!(result, Err(WorkError::Cancelled)));
        let result = long_running_between_chunks(&token, 100, one_second).await;
        assert!(matches!(result, Err(WorkError::Cancelled)));
        assert_eq!(start.elapsed(), Duration::ZERO);
    });
}

// ANCHOR: timeout
#[test]
fn a_timeout_reports_itself_as_a_timeout() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let token = CancellationToken::new();
        let result = with_timeout(5 * SECOND, long_running(&token, 100, one_second)).await;
        let error = result.expect_err("100 seconds of work cannot fit in 5");
        assert!(error.is_timeout(), "{error:?}");
        assert!(!error.is_cancelled());
        assert_eq!(error.to_string(), "deadline exceeded");
        assert_eq!(start.elapsed(), 5 * SECOND);
    });
}
// ANCHOR_END: timeout

#[test]
fn a_cancel_before_the_deadline_is_reported_as_a_cancel() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let token = CancellationToken::new();
        let (result, ()) = tokio::join!(
            with_timeout(5 * SECOND, long_running(&token, 100, one_second)),
            cancel_after(&token, TWO_AND_A_HALF),
        );
        let error = result.expect_err("cancelled at 2.5 s");
        assert!(error.is_cancelled() && !error.is_timeout(), "{error:?}");
        assert_eq!(start.elapsed(), TWO_AND_A_HALF);
    });
}

#[test]
fn work_that_fits_in_its_time_limit_finishes() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let token = CancellationToken::new();
        let result = with_timeout(5 * SECOND, long_running(&token, 3, one_second)).await;
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(start.elapsed(), 3 * SECOND);
    });
}

#[test]
fn a_failing_chunk_stops_the_work_with_its_own_error() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let token = CancellationToken::new();
        let result = long_running(&token, 100, |chunk| async move {
            sleep(SECOND).await;
            anyhow::ensure!(chunk != 2, "chunk {chunk}: disk full");
            Ok(())
        })
        .await;
        let Err(WorkError::Failed(error)) = result else {
            panic!("expected a failure, got {result:?}");
        };
        assert_eq!(error.to_string(), "chunk 2: disk full");
        assert_eq!(start.elapsed(), 3 * SECOND);
    });
}
