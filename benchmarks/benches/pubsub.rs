//! The topic pub/sub broker (the reference solution) against baselines that
//! do the same job, and the capacity lesson: messages per second, and
//! messages lost.
//!
//! ```text
//! cargo bench -p benchmarks --bench pubsub [-- --quick]
//! ```
//!
//! One publisher sends `M` numbers (20,000; 5,000 in quick mode) to one
//! topic with 1, 4 or 16 subscribers, each a tokio task on a multi-threaded
//! runtime, then closes. Every run delivers every copy. In the criterion
//! group `pubsub`:
//!
//! - `solution/<s>`: `pubsub_solution::Broker`, through its public API only
//!   (`new`, `subscribe`, `publish`, `close`, `recv`), with its channels of
//!   `CAPACITY` per subscriber;
//! - `mpsc/<s>`: the limit of that design, a bare loop over one
//!   `tokio::sync::mpsc` channel of the same capacity per subscriber;
//! - `async_broadcast/<s>`: one shared ring of the same capacity
//!   (`async-broadcast`: lossless, with backpressure);
//! - `broadcast/<s>`: `tokio::sync::broadcast` with room for all `M`
//!   messages, the lossy reference: it never waits, and loses nothing only
//!   because it may hold every message.
//!
//! The group `pubsub_capacity` runs the two lossless baselines with one
//! subscriber at capacities 1, 16, 64 and 1024. Then the broker and
//! `broadcast` at the broker's capacity are run once more each, counting
//! messages lost, into `target/bench-results/pubsub.json`.

use std::hint::black_box;

use benchmarks::Mode;
use benchmarks::baselines::{Delivery, async_broadcast, broadcast, mpsc_per_subscriber};
use benchmarks::paired::median_of_interleaved;
use benchmarks::results::BenchRun;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use pubsub_solution::{Broker, CAPACITY};
use serde_json::json;

const SUBSCRIBERS: [usize; 3] = [1, 4, 16];
const CAPACITIES: [usize; 4] = [1, 16, 64, 1024];

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
    group.sampling_mode(SamplingMode::Flat);
    for subscribers in SUBSCRIBERS {
        let copies = messages * subscribers as u64;
        group.bench_with_input(
            BenchmarkId::new("solution", subscribers),
            &subscribers,
            |b, &s| {
                b.iter(|| {
                    let got = runtime.block_on(publish_all(s, black_box(messages)));
                    assert_eq!(got.delivered, copies, "the broker loses nothing");
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("mpsc", subscribers),
            &subscribers,
            |b, &s| {
                b.iter(|| {
                    let got =
                        runtime.block_on(mpsc_per_subscriber(s, black_box(messages), CAPACITY));
                    assert_eq!(got, copies);
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("async_broadcast", subscribers),
            &subscribers,
            |b, &s| {
                b.iter(|| {
                    let got = runtime.block_on(async_broadcast(s, black_box(messages), CAPACITY));
                    assert_eq!(got, copies);
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

    // ANCHOR: pubsub_capacity
    let mut group = c.benchmark_group("pubsub_capacity");
    group.throughput(Throughput::Elements(messages));
    group.sampling_mode(SamplingMode::Flat);
    for capacity in CAPACITIES {
        group.bench_with_input(BenchmarkId::new("mpsc", capacity), &capacity, |b, &cap| {
            b.iter(|| {
                let got = runtime.block_on(mpsc_per_subscriber(1, black_box(messages), cap));
                assert_eq!(got, messages);
            });
        });
        group.bench_with_input(
            BenchmarkId::new("async_broadcast", capacity),
            &capacity,
            |b, &cap| {
                b.iter(|| {
                    let got = runtime.block_on(async_broadcast(1, black_box(messages), cap));
                    assert_eq!(got, messages);
                });
            },
        );
    }
    group.finish();
    // ANCHOR_END: pubsub_capacity
}

fn main() -> anyhow::Result<()> {
    let mode = Mode::from_args();
    let run = BenchRun::start("pubsub", mode);
    let messages = mode.pick(5_000, 20_000);
    let runtime = tokio::runtime::Runtime::new()?;
    let mut criterion = mode.criterion();
    bench(&mut criterion, &runtime, messages);
    criterion.final_summary();

    // The target's two sides once more, in turns, the median of each.
    let rounds = mode.pick(5, 15);
    let mut paired = serde_json::Map::new();
    paired.insert("rounds".into(), json!(rounds));
    for s in SUBSCRIBERS {
        let (broker, bare) = median_of_interleaved(
            rounds,
            || runtime.block_on(publish_all(s, messages)),
            || runtime.block_on(mpsc_per_subscriber(s, messages, CAPACITY)),
        );
        println!(
            "pubsub/{s}, median of {rounds} in turns: broker / mpsc {:.3}",
            bare / broker
        );
        paired.insert(format!("solution/{s}"), json!(broker));
        paired.insert(format!("mpsc/{s}"), json!(bare));
    }

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
        "capacity": CAPACITY,
        "subscribers": SUBSCRIBERS,
        "capacities": CAPACITIES,
        "runtime_workers": runtime.metrics().num_workers(),
        "losses": losses,
        "paired": paired,
    }))?;
    Ok(())
}
