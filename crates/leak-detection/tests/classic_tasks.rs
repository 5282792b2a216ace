//! The classic task leak (a loop that cannot hear "stop") is caught by the
//! task check, and its fix passes it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use leak_detection::classic;
use leak_detection::{Leak, check_tasks};
use tokio_util::sync::CancellationToken;

const GRACE: Duration = Duration::from_millis(300);

// ANCHOR: leaky_loop
#[tokio::test(start_paused = true)]
async fn a_loop_that_cannot_hear_stop_leaks_its_task() {
    let beats = Arc::new(AtomicU64::new(0));
    let leak = check_tasks(GRACE, async {
        let handle = classic::spawn_heartbeat_leaky(Arc::clone(&beats), Duration::from_secs(1));
        tokio::time::sleep(Duration::from_millis(2500)).await;
        drop(handle); // Dropping the handle detaches the task; it does not stop it.
    })
    .await
    .unwrap_err();
    assert!(
        matches!(
            leak,
            Leak::Tasks {
                before: 0,
                after: 1,
                ..
            }
        ),
        "{leak:?}"
    );
    // Still beating after the caller moved on:
    let seen = beats.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(beats.load(Ordering::Relaxed) > seen);
}
// ANCHOR_END: leaky_loop

// ANCHOR: cancellable_loop
#[tokio::test(start_paused = true)]
async fn a_cancellable_loop_stops_when_cancelled() {
    let beats = Arc::new(AtomicU64::new(0));
    let cancel = CancellationToken::new();
    check_tasks(GRACE, async {
        let handle =
            classic::spawn_heartbeat(Arc::clone(&beats), Duration::from_secs(1), cancel.clone());
        tokio::time::sleep(Duration::from_millis(2500)).await;
        cancel.cancel();
        handle.await.unwrap();
    })
    .await
    .unwrap();
    // Ticks at 0s, 1s and 2s, then nothing more.
    assert_eq!(beats.load(Ordering::Relaxed), 3);
}
// ANCHOR_END: cancellable_loop
