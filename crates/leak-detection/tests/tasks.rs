//! The task checks catch a deliberately leaked tokio task and pass clean code.

use std::time::Duration;

use leak_detection::{Leak, check_tasks};

const GRACE: Duration = Duration::from_millis(200);

#[tokio::test]
async fn an_awaited_task_is_not_a_leak() {
    let result = check_tasks(GRACE, async { tokio::spawn(async { 7 }).await.unwrap() }).await;
    assert_eq!(result, Ok(7));
}

#[tokio::test]
async fn an_aborted_task_is_not_a_leak() {
    let result = check_tasks(GRACE, async {
        let task = tokio::spawn(std::future::pending::<()>());
        task.abort();
    })
    .await;
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn a_task_still_running_is_reported_with_the_counts() {
    let mut forever = None;
    let leak = check_tasks(GRACE, async {
        forever = Some(tokio::spawn(std::future::pending::<()>()));
    })
    .await
    .unwrap_err();
    assert_eq!(
        leak,
        Leak::Tasks {
            before: 0,
            after: 1,
            grace: GRACE,
            paused_clock: false,
        }
    );
    assert!(leak.to_string().starts_with(
        "leak detected: 1 tokio task spawned by the code under test was still alive 200ms after it returned (0 alive before, 1 after)."
    ));
    forever.unwrap().abort();
}

#[tokio::test(start_paused = true)]
async fn on_a_paused_clock_the_grace_period_does_not_let_virtual_time_pass() {
    // A detached task that would end in five minutes of virtual time. On a
    // paused clock, a grace period that slept would jump the clock forward
    // at every step and let it finish: the check would forgive the leak.
    let start = tokio::time::Instant::now();
    let mut sleeper = None;
    let result = check_tasks(Duration::from_secs(1), async {
        sleeper = Some(tokio::spawn(tokio::time::sleep(Duration::from_secs(300))));
    })
    .await;
    assert!(
        matches!(
            result,
            Err(Leak::Tasks {
                before: 0,
                after: 1,
                ..
            })
        ),
        "expected the five-minute sleeper to be reported as a leak, got {result:?}: \
         the grace period probably advanced the paused clock"
    );
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "the check moved the paused clock by {:?}; it must leave virtual time where the code under test left it",
        start.elapsed()
    );
    sleeper.expect("spawned").abort();
}

// The check's blind spots, pinned down so that the docs stay true.

#[tokio::test]
async fn blind_spot_a_detached_blocking_closure_is_not_a_task() {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&stop);
    let result = check_tasks(GRACE, async move {
        drop(tokio::task::spawn_blocking(move || {
            while !flag.load(std::sync::atomic::Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(1));
            }
        }));
    })
    .await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        result,
        Ok(()),
        "tokio's count of alive tasks leaves out spawn_blocking closures; \
         if this now reports a leak, the docs of `tasks` must say so"
    );
}

#[tokio::test(start_paused = true)]
async fn blind_spot_a_task_that_ends_can_hide_one_that_leaks() {
    // One task alive before the check, which ends during it, while the code
    // under test leaks another: the count is back where it started.
    let (end_tx, end_rx) = tokio::sync::oneshot::channel::<()>();
    let old = tokio::spawn(async move {
        let _ = end_rx.await;
    });
    let mut leaked = None;
    let result = check_tasks(GRACE, async {
        leaked = Some(tokio::spawn(std::future::pending::<()>()));
        let _ = end_tx.send(());
        old.await.expect("the old task does not panic");
    })
    .await;
    assert_eq!(
        result,
        Ok(()),
        "a count cannot tell one task from another; if this now reports the leak, \
         the check compares identities and its docs must say so"
    );
    leaked.expect("spawned").abort();
}
