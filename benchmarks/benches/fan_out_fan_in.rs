//! Fan-out and fan-in: messages per second from one producer through `w`
//! workers and back into one channel, against `tokio::sync::broadcast`.
//!
//! ```text
//! cargo bench -p benchmarks --bench fan_out_fan_in [-- --quick]
//! ```
//!
//! One producer sends `M` numbers (20,000; 5,000 in quick mode); `w` = 1, 4
//! or 16 workers share them (each number goes to exactly one worker), pass
//! each on unchanged, and their results merge into one channel that the
//! consumer counts to `M`. In the criterion group `fan_out`:
//!
//! - `threads/<w>`: `fan_out_fan_in::threads::fan_out` in a thread scope;
//!   every channel is a rendezvous channel, like Go's `make(chan T)`;
//! - `tasks/<w>`: `fan_out_fan_in::tasks::fan_out` on a multi-threaded tokio
//!   runtime (channels of capacity 1);
//! - `broadcast/<w>`: the issue's baseline, one publisher and `w`
//!   subscribers of a `tokio::sync::broadcast` with room for all `M`.
//!
//! The two are not the same job: broadcast hands every message to every
//! subscriber, a fan-out hands each message to one worker and then merges
//! the results. The comparison is per message the producer sends.

use std::hint::black_box;
use std::thread;

use benchmarks::Mode;
use benchmarks::baselines::broadcast;
use benchmarks::results::BenchRun;
use criterion::{BenchmarkId, Criterion, Throughput};
use fan_out_fan_in::{tasks, threads};
use serde_json::json;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

const WORKERS: [usize; 3] = [1, 4, 16];

// ANCHOR: fan_out_runs
/// The thread form: a producer thread, `workers` worker threads, and the
/// calling thread counting the merged results.
fn through_threads(workers: usize, messages: u64) -> u64 {
    let (_cancel, done) = threads::cancel_signal();
    let (tx, rx) = crossbeam::channel::bounded(0);
    thread::scope(|s| {
        s.spawn(move || {
            for message in 0..messages {
                tx.send(message).expect("the workers read to the end");
            }
        });
        let merged = threads::fan_out(s, rx, workers, |_worker, m: u64| m, &done)
            .expect("at least one worker");
        merged.iter().count() as u64
    })
}

/// The task form: a producer task, `workers` worker tasks, and the calling
/// task counting the merged results.
async fn through_tasks(workers: usize, messages: u64) -> u64 {
    let cancel = CancellationToken::new();
    let mut set = JoinSet::new();
    let (tx, rx) = mpsc::channel(tasks::CAPACITY);
    set.spawn(async move {
        for message in 0..messages {
            tx.send(message).await.expect("the workers read to the end");
        }
    });
    let mut merged = tasks::fan_out(
        &mut set,
        rx,
        workers,
        |_w, m: u64| async move { m },
        &cancel,
    )
    .expect("at least one worker");
    let mut count = 0;
    while merged.recv().await.is_some() {
        count += 1;
    }
    while let Some(task) = set.join_next().await {
        task.expect("no task panics");
    }
    count
}
// ANCHOR_END: fan_out_runs

fn bench(c: &mut Criterion, runtime: &tokio::runtime::Runtime, messages: u64) {
    let mut group = c.benchmark_group("fan_out");
    group.throughput(Throughput::Elements(messages));
    for workers in WORKERS {
        group.bench_with_input(BenchmarkId::new("threads", workers), &workers, |b, &w| {
            b.iter(|| assert_eq!(through_threads(w, black_box(messages)), messages));
        });
        group.bench_with_input(BenchmarkId::new("tasks", workers), &workers, |b, &w| {
            b.iter(|| {
                let count = runtime.block_on(through_tasks(w, black_box(messages)));
                assert_eq!(count, messages);
            });
        });
        group.bench_with_input(BenchmarkId::new("broadcast", workers), &workers, |b, &w| {
            b.iter(|| {
                let capacity = usize::try_from(messages).expect("a small count");
                let got = runtime.block_on(broadcast(w, black_box(messages), capacity));
                assert_eq!(got.lost, 0, "room for every message");
            });
        });
    }
    group.finish();
}

fn main() -> anyhow::Result<()> {
    let mode = Mode::from_args();
    let run = BenchRun::start("fan_out_fan_in", mode);
    let messages = mode.pick(5_000, 20_000);
    let runtime = tokio::runtime::Runtime::new()?;
    let mut criterion = mode.criterion();
    bench(&mut criterion, &runtime, messages);
    criterion.final_summary();
    run.finish(json!({
        "messages": messages,
        "runtime_workers": runtime.metrics().num_workers(),
    }))?;
    Ok(())
}
