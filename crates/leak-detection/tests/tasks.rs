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
            grace: GRACE
        }
    );
    assert!(leak.to_string().starts_with(
        "leak detected: 1 tokio task spawned by the code under test was still alive 200ms after it returned (0 alive before, 1 after)."
    ));
    forever.unwrap().abort();
}
