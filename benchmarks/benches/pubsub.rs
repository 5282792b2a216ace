//! The topic pub/sub broker (the reference solution) against
//! `tokio::sync::broadcast`: messages per second, and messages lost.
//!
//! ```text
//! cargo bench -p benchmarks --bench pubsub [-- --quick]
//! ```
//!
//! One publisher sends `M` numbers (20,000; 5,000 in quick mode) to one
//! topic with 1, 4 or 16 subscribers, each a tokio task on a multi-threaded
//! runtime, then closes. In the criterion group `pubsub`:
//!
//! - `solution/<s>`: `pubsub_solution::Broker` (a bounded channel of 16 per
//!   subscriber: a slow subscriber slows the publisher, nothing is lost);
//! - `broadcast/<s>`: `tokio::sync::broadcast` with room for all `M`
//!   messages, so that it loses nothing either and does the same work.
//!
//! Then each is run once more with `broadcast` at the broker's capacity
//! (16), counting messages lost, into `target/bench-results/pubsub.json`.

use std::hint::black_box;

use benchmarks::Mode;
use benchmarks::baselines::{Delivery, broadcast};
use benchmarks::results::BenchRun;
use criterion::{BenchmarkId, Criterion, Throughput};
use pubsub_solution::{Broker, CAPACITY};
use serde_json::json;

const SUBSCRIBERS: [usize; 3] = [1, 4, 16];

// ANCHOR: pubsub_run
/// Publishes `messages` numbers to `subscribers` subscribers of one topic
/// and returns how many copies they received in total.
async fn publish_all(subscribers: usize, messages: u64) -> Delivery {
    let broker = Broker::<u64>::new();
    let tasks: Vec<_> = (0..subscribers)
        .map(|_| {
            let mut subscriber = broker.subscribe("bench");
            tokio::spawn(async move {
                let mut received = 0;
                while subscriber.recv().await.is_some() {
                    received += 1;
                }
                received
            })
        })
        .collect();
    for message in 0..messages {
        broker.publish("bench", message).await;
    }
    broker.close(); // Each subscriber ends after its last message.
    let mut delivered = 0;
    for task in tasks {
        delivered += task.await.expect("a subscriber does not panic");
    }
    Delivery { delivered, lost: 0 }
}
// ANCHOR_END: pubsub_run

fn bench(c: &mut Criterion, runtime: &tokio::runtime::Runtime, messages: u64) {
    let mut group = c.benchmark_group("pubsub");
    group.throughput(Throughput::Elements(messages));
    for subscribers in SUBSCRIBERS {
        group.bench_with_input(
            BenchmarkId::new("solution", subscribers),
            &subscribers,
            |b, &s| {
                b.iter(|| {
                    let got = runtime.block_on(publish_all(s, black_box(messages)));
                    assert_eq!(
                        got.delivered,
                        messages * s as u64,
                        "the broker loses nothing"
                    );
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("broadcast", subscribers),
            &subscribers,
            |b, &s| {
                b.iter(|| {
                    let capacity = usize::try_from(messages).expect("a small count");
                    let got = runtime.block_on(broadcast(s, black_box(messages), capacity));
                    assert_eq!(got.lost, 0, "room for every message");
                });
            },
        );
    }
    group.finish();
}

fn main() -> anyhow::Result<()> {
    let mode = Mode::from_args();
    let run = BenchRun::start("pubsub", mode);
    let messages = mode.pick(5_000, 20_000);
    let runtime = tokio::runtime::Runtime::new()?;
    let mut criterion = mode.criterion();
    bench(&mut criterion, &runtime, messages);
    criterion.final_summary();

    let mut losses = Vec::new();
    for subscribers in SUBSCRIBERS {
        let broker = runtime.block_on(publish_all(subscribers, messages));
        let small = runtime.block_on(broadcast(subscribers, messages, CAPACITY));
        println!(
            "pubsub/lost/{subscribers}: broker delivered {} lost {}; broadcast({CAPACITY}) delivered {} lost {}",
            broker.delivered, broker.lost, small.delivered, small.lost
        );
        losses.push(json!({
            "subscribers": subscribers,
            "sent": messages * subscribers as u64,
            "solution": { "delivered": broker.delivered, "lost": broker.lost },
            "broadcast_small": { "capacity": CAPACITY, "delivered": small.delivered, "lost": small.lost },
        }));
    }
    run.finish(json!({
        "messages": messages,
        "runtime_workers": runtime.metrics().num_workers(),
        "losses": losses,
    }))?;
    Ok(())
}
