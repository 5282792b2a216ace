//! Watch a leak happen, then catch one in the act.
//!
//! ```text
//! cargo run -p leak-detection --example monitor
//! ```
//!
//! Part 1 runs the runtime monitor next to a service that leaks one task per
//! "request" (a heartbeat loop nobody can stop), then next to the fixed
//! version: the task count climbs in the first and stays flat in the second.
//! Part 2 runs the three classic leaks of `leak_detection::classic` under the
//! checks and prints what the checks report.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use leak_detection::classic::{self, Mailbox};
use leak_detection::monitor::{Counts, monitor};
use leak_detection::{check_tasks, check_threads};
use tokio_util::sync::CancellationToken;

// ANCHOR: example
/// Serves `requests` requests, one every 100 ms, each starting a heartbeat
/// task, while the monitor reports every 250 ms.
async fn serve(requests: usize, leaky: bool) {
    let stop_monitor = CancellationToken::new();
    let reports = tokio::spawn(monitor(
        Duration::from_millis(250),
        stop_monitor.clone(),
        |counts: Counts| {
            println!("    monitor: {} tasks alive", counts.tasks);
        },
    ));
    let mut handles = Vec::new();
    for _ in 0..requests {
        let beats = Arc::new(AtomicU64::new(0));
        let period = Duration::from_millis(50);
        let request_done = CancellationToken::new();
        handles.push(if leaky {
            classic::spawn_heartbeat_leaky(beats, period)
        } else {
            classic::spawn_heartbeat(beats, period, request_done.clone())
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        // The request is over. Only the fixed service can tell its task so.
        request_done.cancel();
    }
    stop_monitor.cancel();
    reports.await.expect("the monitor does not panic");
    for handle in handles {
        handle.abort(); // Only so that the example can go on to the next part.
    }
}
// ANCHOR_END: example

#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("1. A service that leaks one task per request:");
    serve(8, true).await;
    println!("   ...and the fixed one, whose tasks stop with their request:");
    serve(8, false).await;

    println!("\n2. The three classic leaks, under the checks:");
    let grace = Duration::from_millis(300);
    let mailbox = Mailbox::default();
    let blocked_send = check_threads(grace, || {
        mailbox.ask_leaky(Duration::from_millis(50), Duration::from_millis(5))
    });
    report("a send nobody receives", blocked_send.err());
    drop(mailbox); // Lets the blocked sender go: its send now fails.

    let no_stop = check_tasks(grace, async {
        classic::spawn_heartbeat_leaky(Arc::new(AtomicU64::new(0)), Duration::from_millis(10));
    })
    .await;
    report("a loop that cannot hear \"stop\"", no_stop.err());

    let web: classic::Web = Arc::new(vec![vec![1, 2], vec![2], vec![0]]);
    let never_closed = check_threads(grace, || {
        classic::crawl_leaky(web.clone(), 2, Duration::from_millis(50))
    });
    report(
        "workers holding a sender to their own queue",
        never_closed.err(),
    );
    let fixed = check_threads(grace, || classic::crawl(web, 2));
    report("the same crawl with one owner of the sender", fixed.err());
}

fn report(what: &str, leak: Option<leak_detection::Leak>) {
    match leak {
        Some(leak) => println!(
            "\n  {what}:\n    {}",
            leak.to_string().replace('\n', "\n    ")
        ),
        None => println!("\n  {what}: no leak"),
    }
}
