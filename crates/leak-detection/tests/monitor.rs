//! The runtime monitor reports on its ticker, sees tasks come and go, and
//! stops promptly when cancelled. Timing runs on tokio's paused clock.

use std::time::Duration;

use leak_detection::monitor::{Counts, monitor};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

#[tokio::test(start_paused = true)]
async fn reports_every_period_and_sees_a_growing_task_count() {
    let start = Instant::now();
    let cancel = CancellationToken::new();
    let (tx, mut rx) = mpsc::unbounded_channel::<(Duration, Counts)>();
    let task = tokio::spawn(monitor(
        Duration::from_secs(10),
        cancel.clone(),
        move |counts| {
            let _ = tx.send((start.elapsed(), counts));
        },
    ));

    let (at, first) = rx.recv().await.unwrap();
    assert_eq!(at, Duration::ZERO);
    assert_eq!(first.tasks, 1, "only the monitor itself is alive");

    // A "leak" that grows: two tasks that never end.
    let leaks: Vec<_> = (0..2)
        .map(|_| tokio::spawn(std::future::pending::<()>()))
        .collect();
    let (at, second) = rx.recv().await.unwrap();
    assert_eq!(at, Duration::from_secs(10));
    assert_eq!(second.tasks, 3);
    if cfg!(target_os = "linux") {
        assert!(second.threads.unwrap() >= 1);
    }

    cancel.cancel();
    let stopped_at = Instant::now();
    task.await.unwrap();
    assert_eq!(
        stopped_at.elapsed(),
        Duration::ZERO,
        "the monitor stops without waiting for its next tick"
    );
    assert!(rx.recv().await.is_none(), "no report after cancellation");
    leaks.iter().for_each(|leak| leak.abort());
}
