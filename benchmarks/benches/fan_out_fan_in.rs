//! Fan-out and fan-in: messages per second from one producer through `w`
//! workers and back into one channel, against the bare loop that does the
//! same job; and the capacity lesson.
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
//! - `threads/<w>`: `fan_out_fan_in::threads::fan_out` in a thread scope,
//!   fed by a rendezvous channel (Go's `make(chan T)`), so its output is
//!   one too (it takes the input's capacity);
//! - `bare_threads/<w>`: the same job as a bare crossbeam loop
//!   ([`benchmarks::baselines::crossbeam_fan_out`]) at the same capacity, 0:
//!   no cancel signal, no `select!`;
//! - `tasks/<w>`: `fan_out_fan_in::tasks::fan_out` on a multi-threaded tokio
//!   runtime (channels of its `CAPACITY`, 1);
//! - `bare_tasks/<w>`: a bare tokio `mpsc` loop with a shared receiver
//!   ([`benchmarks::baselines::tokio_fan_out`]) at the same capacity, 1.
//!
//! The group `fan_out_capacity` runs 4 workers with channels of 0 (threads
//! only), 1, 16, 64 and 1024: the bare loops with both channels at that
//! capacity, and the crate's forms with their input at that capacity: on
//! threads the output takes the input's capacity, on tasks it keeps the
//! crate's own, 1.

use std::hint::black_box;
use std::thread;

use benchmarks::Mode;
use benchmarks::baselines::{crossbeam_fan_out, tokio_fan_out};
use benchmarks::paired::median_of_interleaved;
use benchmarks::results::BenchRun;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use fan_out_fan_in::{tasks, threads};
use serde_json::json;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

const WORKERS: [usize; 3] = [1, 4, 16];
/// The workers of the capacity sweep.
const SWEEP_WORKERS: usize = 4;
const CAPACITIES: [usize; 5] = [0, 1, 16, 64, 1024];

// ANCHOR: fan_out_runs
/// The thread form: a producer thread feeding a channel of `capacity`,
/// `workers` worker threads, and the calling thread counting the merged
/// results.
fn through_threads(workers: usize, messages: u64, capacity: usize) -> u64 {
    let (_cancel, done) = threads::cancel_signal();
    let (tx, rx) = crossbeam::channel::bounded(capacity);
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

/// The task form: a producer task feeding a channel of `capacity`,
/// `workers` worker tasks, and the calling task counting the merged
/// results.
async fn through_tasks(workers: usize, messages: u64, capacity: usize) -> u64 {
    let cancel = CancellationToken::new();
    let mut set = JoinSet::new();
    let (tx, rx) = mpsc::channel(capacity);
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

/// The four forms, by the name of their criterion function.
fn run_form(
    form: &str,
    runtime: &tokio::runtime::Runtime,
    workers: usize,
    messages: u64,
    capacity: usize,
) -> u64 {
    match form {
        "threads" => through_threads(workers, messages, capacity),
        "bare_threads" => crossbeam_fan_out(workers, messages, capacity),
        "tasks" => runtime.block_on(through_tasks(workers, messages, capacity)),
        "bare_tasks" => runtime.block_on(tokio_fan_out(workers, messages, capacity)),
        other => unreachable!("no form {other}"),
    }
}

fn bench(c: &mut Criterion, runtime: &tokio::runtime::Runtime, messages: u64) {
    // Capacity 0 wakes a thread for every hand-over: tenths of a second per
    // run, so one run per sample.
    let mut group = c.benchmark_group("fan_out");
    group.throughput(Throughput::Elements(messages));
    group.sampling_mode(SamplingMode::Flat);
    for workers in WORKERS {
        for (form, capacity) in [
            ("threads", 0),
            ("bare_threads", 0),
            ("tasks", tasks::CAPACITY),
            ("bare_tasks", tasks::CAPACITY),
        ] {
            group.bench_with_input(BenchmarkId::new(form, workers), &workers, |b, &w| {
                b.iter(|| {
                    assert_eq!(
                        run_form(form, runtime, w, black_box(messages), capacity),
                        messages
                    )
                });
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("fan_out_capacity");
    group.throughput(Throughput::Elements(messages));
    group.sampling_mode(SamplingMode::Flat);
    for capacity in CAPACITIES {
        for form in ["threads", "bare_threads", "tasks", "bare_tasks"] {
            if capacity == 0 && form.ends_with("tasks") {
                continue; // A tokio channel has no rendezvous mode.
            }
            group.bench_with_input(BenchmarkId::new(form, capacity), &capacity, |b, &cap| {
                b.iter(|| {
                    let count = run_form(form, runtime, SWEEP_WORKERS, black_box(messages), cap);
                    assert_eq!(count, messages);
                });
            });
        }
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
    // The targets' two sides once more, in turns, the median of each.
    let rounds = mode.pick(5, 15);
    let mut paired = serde_json::Map::new();
    paired.insert("rounds".into(), json!(rounds));
    for w in WORKERS {
        for (form, bare, capacity) in [
            ("threads", "bare_threads", 0),
            ("tasks", "bare_tasks", tasks::CAPACITY),
        ] {
            let (a, b) = median_of_interleaved(
                rounds,
                || run_form(form, &runtime, w, messages, capacity),
                || run_form(bare, &runtime, w, messages, capacity),
            );
            println!(
                "fan_out/{form}/{w}, median of {rounds} in turns: crate / bare {:.3}",
                b / a
            );
            paired.insert(format!("{form}/{w}"), json!(a));
            paired.insert(format!("{bare}/{w}"), json!(b));
        }
    }
    run.finish(json!({
        "paired": paired,
        "messages": messages,
        "workers": WORKERS,
        "sweep_workers": SWEEP_WORKERS,
        "capacities": CAPACITIES,
        "threads_output_capacity": 0,
        "tasks_output_capacity": tasks::CAPACITY,
        "runtime_workers": runtime.metrics().num_workers(),
    }))?;
    Ok(())
}
