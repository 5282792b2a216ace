//! The classic thread leaks are caught by the checks, and their fixes pass them.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use leak_detection::classic::{self, Mailbox};
use leak_detection::{Leak, check_threads};

const GRACE: Duration = Duration::from_millis(300);
const WORK: Duration = Duration::from_millis(50);
const PATIENCE: Duration = Duration::from_millis(5);

#[cfg(target_os = "linux")]
#[test]
fn a_send_nobody_receives_leaks_the_sender() {
    let mailbox = Mailbox::default();
    let leak = check_threads(GRACE, || mailbox.ask_leaky(WORK, PATIENCE)).unwrap_err();
    assert!(matches!(&leak, Leak::Threads { threads, .. } if threads[0].name == "ask-leaky"));
    // Dropping the mailbox drops the receiver: the blocked send fails and the
    // worker ends. This is Rust's ownership doing what goleak can only report.
    drop(mailbox);
}

#[cfg(target_os = "linux")]
#[test]
fn a_shared_mailbox_hands_the_next_question_the_previous_late_answer() {
    let mailbox = Mailbox::default();
    let leak = check_threads(GRACE, || {
        // The first answer comes after 50 ms; we wait 5 ms and give up.
        assert_eq!(
            mailbox.ask_leaky(WORK, PATIENCE),
            None,
            "the first question's answer is late"
        );
        // The second question needs a second of work, and we wait half of
        // that: any answer we get is not its own.
        let asked = std::time::Instant::now();
        let answer = mailbox.ask_leaky(Duration::from_secs(1), Duration::from_millis(500));
        assert_eq!(
            answer,
            Some(42),
            "the second question should get the first one's late answer, still waiting in its send"
        );
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "an answer before the second question's work could be done is the first question's"
        );
    })
    .unwrap_err();
    assert!(
        matches!(&leak, Leak::Threads { threads, .. } if threads.iter().all(|t| t.name == "ask-leaky")),
        "the second worker is left blocked in its turn: {leak:?}"
    );
    drop(mailbox); // Its send fails once its work is done, and it ends.
}

#[test]
fn a_channel_per_request_with_room_for_the_answer_does_not_leak() {
    assert_eq!(
        check_threads(GRACE, || classic::ask(WORK, PATIENCE)),
        Ok(None)
    );
    assert_eq!(
        check_threads(GRACE, || classic::ask(
            Duration::ZERO,
            Duration::from_secs(5)
        )),
        Ok(Some(42))
    );
}

/// Page n links to 2n+1 and 2n+2, up to page 30, plus a link back to 0.
fn web() -> classic::Web {
    Arc::new(
        (0..31)
            .map(|n| {
                [2 * n + 1, 2 * n + 2, 0]
                    .into_iter()
                    .filter(|&l| l < 31)
                    .collect()
            })
            .collect(),
    )
}

#[cfg(target_os = "linux")]
#[test]
fn workers_holding_a_sender_to_their_own_queue_never_end() {
    let leak = check_threads(GRACE, || {
        let visited = classic::crawl_leaky(web(), 3, Duration::from_millis(100));
        assert_eq!(visited, (0..31).collect::<BTreeSet<_>>());
    })
    .unwrap_err();
    let Leak::Threads { threads, .. } = leak else {
        panic!("expected threads")
    };
    assert_eq!(threads.len(), 3);
    assert!(threads.iter().all(|t| t.name == "crawl-leaky"));
}

#[test]
fn a_coordinator_that_owns_the_only_sender_closes_the_queue() {
    let visited = check_threads(GRACE, || classic::crawl(web(), 3)).unwrap();
    assert_eq!(visited, (0..31).collect::<BTreeSet<_>>());
}
