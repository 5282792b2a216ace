//! Fan-in and fan-out on tokio tasks, stopped half-way by a
//! `CancellationToken`.
//!
//! ```text
//! cargo run -p fan-out-fan-in --example cancel
//! ```
//!
//! Two endless sources tick every 100 ms and every 150 ms; three workers
//! take 250 ms per item. After 800 ms we cancel: the workers in the middle
//! of an item drop it, the forwarders stop waiting for the sources, the
//! output closes, and the sources see nobody listening and stop too: every
//! task ends within a millisecond or so of the cancel.

use std::time::Duration;

use fan_out_fan_in::tasks::{CAPACITY, fan_in, fan_out};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

/// An endless source: sends `name-0`, `name-1`, ... every `every`.
fn ticker(tasks: &mut JoinSet<()>, name: &'static str, every: Duration) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel(CAPACITY);
    tasks.spawn(async move {
        for i in 0.. {
            tokio::select! {
                // The forwarder is gone: stop now, not at the next tick.
                () = tx.closed() => return,
                () = sleep(every) => {}
            }
            if tx.send(format!("{name}-{i}")).await.is_err() {
                return;
            }
        }
    });
    rx
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let ms = move || start.elapsed().as_millis();

    // ANCHOR: main
    let cancel = CancellationToken::new();
    let mut tasks = JoinSet::new();
    let sources = [
        ticker(&mut tasks, "fast", Duration::from_millis(100)),
        ticker(&mut tasks, "slow", Duration::from_millis(150)),
    ];
    let merged = fan_in(&mut tasks, sources, &cancel);
    let mut results = fan_out(
        &mut tasks,
        merged,
        3,
        move |worker, item| async move {
            sleep(Duration::from_millis(250)).await; // Dropped here on cancel.
            format!("worker {worker} did {item}")
        },
        &cancel,
    )
    .expect("three workers");

    // Cancel after 800 ms, from a task of its own.
    let canceller = cancel.clone();
    tasks.spawn(async move {
        sleep(Duration::from_millis(800)).await;
        println!("{:>4} ms  cancel", ms());
        canceller.cancel();
    });

    // The output closes once every worker has stopped.
    while let Some(line) = results.recv().await {
        println!("{:>4} ms  {line}", ms());
    }
    println!("{:>4} ms  output closed", ms());
    // The sources end too: their forwarders dropped the receivers.
    let mut ended = 0;
    while let Some(joined) = tasks.join_next().await {
        joined.expect("no task panicked");
        ended += 1;
    }
    println!("{:>4} ms  all {ended} tasks ended", ms());
    // ANCHOR_END: main
}
