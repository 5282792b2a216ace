//! Reads one run's results and writes the book's tables and plots.
//!
//! Inputs: criterion's estimates (`target/criterion/<id>/new/estimates.json`,
//! the mean time per iteration) and the benches' own records
//! (`target/bench-results/<bench>.json`). Every criterion estimate must have
//! been written while its bench binary ran (between the record's
//! `started_at` and `finished_at`): a leftover from an older run is an
//! error, so a ratio never mixes two runs.
//!
//! Output: `results.md` (every table, between `<!-- ANCHOR: name -->`
//! markers so the chapter can include them one by one) and one SVG per plot.
//! Errors are `anyhow`: the summarizer can only report them.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::machine::Machine;
use crate::summary::{
    Direction, Headline, Table, bytes, duration, error_percent, headline_table, ideal_batch_ms,
    per_item_extra_ns, per_second, rate, significant, speedup, times, utc_date,
};
use crate::svg::{Axis, BarChart, LineChart, Series};

/// Where to read from.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// `target/criterion`.
    pub criterion: PathBuf,
    /// `target/bench-results`.
    pub results: PathBuf,
}

/// What one bench binary recorded of its run.
#[derive(Debug, Clone)]
pub struct Record {
    /// The bench's name.
    pub bench: String,
    /// `quick` or `full`.
    pub mode: String,
    /// When it started and finished, in seconds since the Unix epoch.
    pub started_at: f64,
    /// See `started_at`.
    pub finished_at: f64,
    /// What it measured itself.
    pub data: Value,
}

impl Record {
    /// The number at `key` in the record's data.
    ///
    /// # Errors
    ///
    /// If there is none.
    pub fn number(&self, key: &str) -> anyhow::Result<f64> {
        self.data[key]
            .as_f64()
            .with_context(|| format!("{}.json has no number `{key}`", self.bench))
    }
}

impl Inputs {
    /// The record of bench `bench`.
    ///
    /// # Errors
    ///
    /// If the file is missing or malformed.
    pub fn record(&self, bench: &str) -> anyhow::Result<Record> {
        let path = self.results.join(format!("{bench}.json"));
        let text = fs::read_to_string(&path).with_context(|| {
            format!(
                "no results for `{bench}` ({}): run `cargo bench -p benchmarks --bench {bench}`",
                path.display()
            )
        })?;
        let value: Value =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let field = |key: &str| {
            value[key]
                .as_f64()
                .with_context(|| format!("{} has no `{key}`", path.display()))
        };
        Ok(Record {
            bench: bench.to_owned(),
            mode: value["mode"].as_str().unwrap_or("unknown").to_owned(),
            started_at: field("started_at")?,
            finished_at: field("finished_at")?,
            data: value["data"].clone(),
        })
    }

    /// Criterion's mean time per iteration of `id` (`group/function/param`),
    /// in nanoseconds, checked to come from `record`'s run.
    ///
    /// # Errors
    ///
    /// If the estimate is missing, malformed, or older than the run.
    pub fn time_ns(&self, record: &Record, id: &str) -> anyhow::Result<f64> {
        let path = self.criterion.join(id).join("new").join("estimates.json");
        let text = fs::read_to_string(&path).with_context(|| {
            format!(
                "no criterion estimate for `{id}` ({}): run `cargo bench -p benchmarks --bench {}`",
                path.display(),
                record.bench
            )
        })?;
        let written = fs::metadata(&path)
            .and_then(|meta| meta.modified())
            .map(|time| {
                time.duration_since(UNIX_EPOCH)
                    .map_or(0.0, |d| d.as_secs_f64())
            })
            .with_context(|| format!("reading the time of {}", path.display()))?;
        // A second of slack for file systems that round times.
        if written < record.started_at - 1.0 || written > record.finished_at + 1.0 {
            bail!(
                "`{id}` was not measured by the last run of `{}` (its estimate is older or newer): \
                 run `cargo bench -p benchmarks --bench {}` again",
                record.bench,
                record.bench
            );
        }
        let value: Value =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        value["mean"]["point_estimate"]
            .as_f64()
            .with_context(|| format!("{} has no mean", path.display()))
    }
}

/// One part of the results: its tables, its plots, its headline figures.
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// The anchor name in `results.md`.
    pub anchor: &'static str,
    /// The tables and notes, as Markdown.
    pub markdown: String,
    /// Figures with a target.
    pub headlines: Vec<Headline>,
    /// `(file name, SVG)`.
    pub plots: Vec<(String, String)>,
    /// The modes of the records it read.
    pub modes: Vec<String>,
}

impl Section {
    fn failed(anchor: &'static str, error: &anyhow::Error) -> Section {
        Section {
            anchor,
            markdown: format!("*Not measured in this run:* {error:#}.\n"),
            headlines: vec![Headline {
                figure: format!("`{anchor}`"),
                measured: "—".to_owned(),
                target: "—".to_owned(),
                verdict: None,
            }],
            ..Section::default()
        }
    }
}

/// Every section, in the order of the chapter.
pub fn sections(inputs: &Inputs, cores: usize) -> Vec<Section> {
    type Build = fn(&Inputs, usize) -> anyhow::Result<Section>;
    let builders: [(&'static str, Build); 7] = [
        ("worker_pool", worker_pool),
        ("downloader", downloader),
        ("pipeline", pipeline),
        ("pipeline_memory", pipeline_memory),
        ("messaging", messaging),
        ("rate_limiting", rate_limiting),
        ("sync_primitives", sync_primitives),
    ];
    builders
        .into_iter()
        .map(|(anchor, build)| {
            build(inputs, cores).unwrap_or_else(|error| {
                eprintln!("warning: {anchor}: {error:#}");
                Section::failed(anchor, &error)
            })
        })
        .collect()
}

// ANCHOR: worker_pool_section
fn worker_pool(inputs: &Inputs, cores: usize) -> anyhow::Result<Section> {
    let record = inputs.record("worker_pool")?;
    let time = |id: &str| inputs.time_ns(&record, &format!("worker_pool/{id}"));
    let sequential = time("sequential")?;
    let rayon = time("rayon")?;
    let mut table = Table::new(&["Run", "Time per batch", "Speedup over sequential"]);
    table.row(vec![
        "sequential loop (baseline)".into(),
        duration(sequential),
        times(1.0),
    ]);
    let mut points = Vec::new();
    let mut at_two = f64::NAN;
    for workers in [1u32, 2, 4, 8] {
        let t = time(&format!("pool/{workers}"))?;
        if workers == 2 {
            at_two = t;
        }
        points.push((f64::from(workers), speedup(sequential, t)));
        table.row(vec![
            format!("pool, {workers} worker(s)"),
            duration(t),
            times(speedup(sequential, t)),
        ]);
    }
    let rayon_threads = record.number("rayon_threads").unwrap_or(f64::NAN);
    table.row(vec![
        format!("rayon `par_iter` ({rayon_threads} threads)"),
        duration(rayon),
        times(speedup(sequential, rayon)),
    ]);
    let jobs = record.number("jobs")?;
    let vs_rayon = at_two / rayon;
    let markdown = format!(
        "{}\n{jobs} primality tests of primes above {}, each the same cost. \
         With 2 workers the pool takes {} rayon's time.\n",
        table.markdown(),
        record.data["first_job"],
        times(vs_rayon),
    );
    let cores_f = cores as f64;
    let chart = LineChart {
        title: "Worker pool: speedup over a sequential loop".into(),
        x: Axis::log("workers"),
        y: Axis::linear("speedup (×)"),
        x_ticks: vec![1.0, 2.0, 4.0, 8.0],
        series: vec![
            Series::measured("worker pool", points),
            Series::reference(
                "rayon",
                vec![
                    (1.0, speedup(sequential, rayon)),
                    (8.0, speedup(sequential, rayon)),
                ],
            ),
            Series::reference(
                &format!("ideal ({cores} cores)"),
                [1.0, 2.0, 4.0, 8.0]
                    .into_iter()
                    .map(|w: f64| (w, w.min(cores_f)))
                    .collect(),
            ),
        ],
    };
    Ok(Section {
        anchor: "worker_pool",
        markdown,
        headlines: vec![
            Headline::judged(
                "Worker pool, 2 workers: speedup over the sequential loop",
                speedup(sequential, at_two),
                times(speedup(sequential, at_two)),
                Direction::AtLeast(1.8),
                "×",
            ),
            Headline::judged(
                "Worker pool, 2 workers: time against rayon's",
                vs_rayon,
                times(vs_rayon),
                Direction::AtMost(1.10),
                "×",
            ),
        ],
        plots: vec![("worker-pool.svg".into(), chart.render())],
        modes: vec![record.mode],
    })
}
// ANCHOR_END: worker_pool_section

fn downloader(inputs: &Inputs, _cores: usize) -> anyhow::Result<Section> {
    let record = inputs.record("downloader")?;
    let urls = record.number("urls")?;
    let latency = record.number("latency_ms")?;
    let single = inputs.time_ns(&record, "downloader/single_request")? / 1e6;
    let mut table = Table::new(&[
        "Limit",
        "Wall time",
        "Ideal",
        "Wall / ideal",
        "Wall / (rounds × one real request)",
        "Peak in flight",
    ]);
    let mut measured = Vec::new();
    let mut ideal = Vec::new();
    let mut headline = None;
    for limit in [1u64, 2, 5, 10, 20, 50] {
        let wall = inputs.time_ns(&record, &format!("downloader/limit/{limit}"))? / 1e6;
        let best = ideal_batch_ms(urls as u64, limit, latency);
        let rounds = best / latency;
        let peak = &record.data["peak_in_flight"][limit.to_string()];
        table.row(vec![
            limit.to_string(),
            format!("{} ms", significant(wall)),
            format!("{} ms", significant(best)),
            times(wall / best),
            times(wall / (rounds * single)),
            peak.to_string(),
        ]);
        measured.push((limit as f64, wall));
        ideal.push((limit as f64, best));
        if limit == 10 {
            headline = Some(wall / best);
        }
    }
    let markdown = format!(
        "{}\n{urls} URLs, {latency} ms of server latency each; the ideal is `ceil({urls} / limit)` \
         rounds of {latency} ms. One real request alone takes {} ms on this machine (one URL, \
         limit 1). The peak in flight is the server's own count.\n",
        table.markdown(),
        significant(single)
    );
    let chart = LineChart {
        title: "Bounded downloader: 100 URLs, 50 ms each".into(),
        x: Axis::log("limit (requests in flight)"),
        y: Axis::log("wall time (ms)"),
        x_ticks: vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0],
        series: vec![
            Series::measured("measured", measured),
            Series::reference("ideal", ideal),
        ],
    };
    let ratio = headline.context("limit 10 was measured")?;
    Ok(Section {
        anchor: "downloader",
        markdown,
        headlines: vec![Headline::judged(
            "Downloader, 100 URLs × 50 ms, limit 10: wall time against the ideal 500 ms",
            ratio,
            times(ratio),
            Direction::AtMost(1.10),
            "×",
        )],
        plots: vec![("downloader.svg".into(), chart.render())],
        modes: vec![record.mode],
    })
}

fn pipeline(inputs: &Inputs, _cores: usize) -> anyhow::Result<Section> {
    let record = inputs.record("pipeline")?;
    let n = record.number("n")?;
    let rendezvous_n = record.number("rendezvous_n")?;
    let time = |id: &str| inputs.time_ns(&record, id);

    let sequential = time("prime_pipeline/sequential")?;
    // (table label, criterion id, plot label)
    let variants = [
        ("iterator chain (baseline)", "sequential", "chain"),
        (
            "solution (3 threads, `select!`, channels of 16)",
            "solution",
            "solution",
        ),
        ("`pipeline::stage`, channels of 16", "threads/16", "cap 16"),
        ("batches of 64", "batched/64", "b=64"),
        ("batches of 1024", "batched/1024", "b=1024"),
        ("batches of 16384", "batched/16384", "b=16k"),
    ];
    let mut table = Table::new(&[
        "Prime pipeline",
        "Time",
        "Items per second",
        "Time / chain's",
    ]);
    let mut bars = Vec::new();
    let mut best_batched: Option<(&str, f64)> = None;
    for (label, id, short) in variants {
        let t = time(&format!("prime_pipeline/{id}"))?;
        table.row(vec![
            label.into(),
            duration(t),
            rate(per_second(n, t)),
            times(t / sequential),
        ]);
        bars.push((short, per_second(n, t)));
        if id.starts_with("batched") && best_batched.is_none_or(|(_, best)| t < best) {
            best_batched = Some((label, t));
        }
    }

    let iterator = time("channel_hop/iterator")?;
    let mut hops = Table::new(&[
        "One hop per item",
        "Time per item",
        "Extra per item over the loop",
    ]);
    hops.row(vec![
        "plain loop (baseline)".into(),
        duration(iterator / n),
        "—".into(),
    ]);
    for (label, id, items) in [
        ("channel of capacity 64", "channel_hop/threads/64", n),
        (
            "channel of capacity 0 (rendezvous)",
            "channel_hop_rendezvous/threads/0",
            rendezvous_n,
        ),
        ("batches of 1024", "channel_hop/batched/1024", n),
    ] {
        let t = time(id)?;
        hops.row(vec![
            label.into(),
            duration(t / items),
            duration(per_item_extra_ns(t, items, iterator, n)),
        ]);
    }

    let chain = time("even_squares/sequential")?;
    let mut squares = Table::new(&["Even squares", "Time", "Time / chain's"]);
    for (label, id) in [
        ("iterator chain (baseline)", "sequential"),
        ("threads, channels of 64", "threads/64"),
        ("batches of 1024", "batched/1024"),
    ] {
        let t = time(&format!("even_squares/{id}"))?;
        squares.row(vec![label.into(), duration(t), times(t / chain)]);
    }

    let (best_label, best) = best_batched.context("batched runs were measured")?;
    let markdown = format!(
        "{}\nThe squares of the primes in 1..={n}.\n\n{}\n{n} numbers through one channel \
         ({rendezvous_n} through the rendezvous channel), no work.\n\n{}\n\
         The Go tutorial's pipeline over 1..={n}: one multiplication per item.\n",
        table.markdown(),
        hops.markdown(),
        squares.markdown()
    );
    let chart = BarChart {
        title: "Prime pipeline over 1..=1,000,000".into(),
        y: Axis::log("items per second"),
        categories: bars.iter().map(|(id, _)| (*id).to_owned()).collect(),
        series: vec![("throughput".into(), bars.iter().map(|(_, r)| *r).collect())],
        references: vec![("iterator chain".into(), per_second(n, sequential))],
    };
    Ok(Section {
        anchor: "pipeline",
        markdown,
        headlines: vec![Headline::judged(
            &format!(
                "Prime pipeline, best batched ({best_label}): time against the iterator chain's"
            ),
            best / sequential,
            times(best / sequential),
            Direction::AtMost(1.0),
            "×",
        )],
        plots: vec![("pipeline.svg".into(), chart.render())],
        modes: vec![record.mode],
    })
}

fn pipeline_memory(inputs: &Inputs, _cores: usize) -> anyhow::Result<Section> {
    let record = inputs.record("pipeline_memory")?;
    let variants = [
        ("threads", "`pipeline` stages, channels of 16"),
        ("batched", "`pipeline::batched`, batches of 1024"),
        ("solution", "prime pipeline solution, channels of 16"),
        ("unbounded", "unbounded channel (baseline)"),
    ];
    let mut table = Table::new(&[
        "Peak heap",
        "10⁵ items",
        "10⁶ items",
        "10⁷ items",
        "Growth, first to last",
    ]);
    let mut series = Vec::new();
    let mut headlines = Vec::new();
    for (key, label) in variants {
        let points: Vec<(f64, f64)> = record.data["variants"][key]
            .as_array()
            .with_context(|| format!("no `{key}` in pipeline_memory.json"))?
            .iter()
            .filter_map(|p| Some((p["n"].as_f64()?, p["peak_bytes"].as_f64()?)))
            .collect();
        let mut cells = vec![label.to_owned()];
        for n in [1e5, 1e6, 1e7] {
            cells.push(
                points
                    .iter()
                    .find(|(m, _)| *m == n)
                    .map_or("—".into(), |(_, peak)| bytes(*peak)),
            );
        }
        let (first, last) = (points.first(), points.last());
        let growth = match (first, last) {
            (Some(a), Some(b)) => b.1 / a.1,
            _ => f64::NAN,
        };
        let span = match (first, last) {
            (Some(a), Some(b)) => format!("{}× the items", significant(b.0 / a.0)),
            _ => String::new(),
        };
        cells.push(format!("{} ({span})", times(growth)));
        table.row(cells);
        if key != "unbounded" {
            headlines.push(Headline::judged(
                &format!(
                    "Peak memory with a slow consumer, {label}: growth from 10⁵ to {} items",
                    last.map_or("?".into(), |(n, _)| power_of_ten(*n))
                ),
                growth,
                times(growth),
                Direction::AtMost(1.5),
                "×",
            ));
        }
        let mut plotted = points.clone();
        for point in &mut plotted {
            point.1 = point.1.max(1.0);
        }
        series.push(Series::measured(key, plotted));
    }
    let chart = LineChart {
        title: "Peak heap with a slow consumer".into(),
        x: Axis::log("items"),
        y: Axis::log("peak heap bytes"),
        x_ticks: vec![1e5, 1e6, 1e7],
        series,
    };
    let markdown = format!(
        "{}\nHeap bytes counted by a global allocator, above what was allocated before each run. \
         Thread stacks are not heap and are not counted.\n",
        table.markdown()
    );
    Ok(Section {
        anchor: "pipeline_memory",
        markdown,
        headlines,
        plots: vec![("pipeline-memory.svg".into(), chart.render())],
        modes: vec![record.mode],
    })
}

/// `10⁷` for 10,000,000: a power of ten with a superscript exponent.
fn power_of_ten(n: f64) -> String {
    let exponent = format!("{}", n.log10().round());
    let superscript: String = exponent
        .chars()
        .map(|c| match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            '9' => '⁹',
            other => other,
        })
        .collect();
    format!("10{superscript}")
}

fn messaging(inputs: &Inputs, _cores: usize) -> anyhow::Result<Section> {
    let pubsub = inputs.record("pubsub")?;
    let fan = inputs.record("fan_out_fan_in")?;
    let m_pub = pubsub.number("messages")?;
    let m_fan = fan.number("messages")?;
    let mut table = Table::new(&[
        "Subscribers / workers",
        "pub/sub broker",
        "broadcast, same run",
        "broker / broadcast",
        "fan-out, threads",
        "fan-out, tasks",
        "broadcast, same run",
        "tasks / broadcast",
    ]);
    let mut headlines = Vec::new();
    let mut broker_points = Vec::new();
    let mut broadcast_points = Vec::new();
    let mut threads_points = Vec::new();
    let mut tasks_points = Vec::new();
    for s in [1u32, 4, 16] {
        let broker = per_second(
            m_pub,
            inputs.time_ns(&pubsub, &format!("pubsub/solution/{s}"))?,
        );
        let broadcast = per_second(
            m_pub,
            inputs.time_ns(&pubsub, &format!("pubsub/broadcast/{s}"))?,
        );
        let threads = per_second(
            m_fan,
            inputs.time_ns(&fan, &format!("fan_out/threads/{s}"))?,
        );
        let tasks = per_second(m_fan, inputs.time_ns(&fan, &format!("fan_out/tasks/{s}"))?);
        let fan_broadcast = per_second(
            m_fan,
            inputs.time_ns(&fan, &format!("fan_out/broadcast/{s}"))?,
        );
        table.row(vec![
            s.to_string(),
            rate(broker),
            rate(broadcast),
            times(broker / broadcast),
            rate(threads),
            rate(tasks),
            rate(fan_broadcast),
            times(tasks / fan_broadcast),
        ]);
        headlines.push(Headline::judged(
            &format!(
                "Pub/sub, 1 publisher, {s} subscriber(s): messages per second against broadcast's"
            ),
            broker / broadcast,
            times(broker / broadcast),
            Direction::AtLeast(0.5),
            "×",
        ));
        let best_fan = threads.max(tasks);
        headlines.push(Headline::judged(
            &format!("Fan-out, 1 producer, {s} worker(s) (faster form): messages per second against broadcast's"),
            best_fan / fan_broadcast,
            times(best_fan / fan_broadcast),
            Direction::AtLeast(0.5),
            "×",
        ));
        let x = f64::from(s);
        broker_points.push((x, broker));
        broadcast_points.push((x, broadcast));
        threads_points.push((x, threads));
        tasks_points.push((x, tasks));
    }
    let mut losses = Table::new(&[
        "Subscribers",
        "Copies sent",
        "Broker: lost",
        "`broadcast`, capacity 16: lost",
    ]);
    let mut lost_total = 0.0;
    for entry in pubsub.data["losses"]
        .as_array()
        .context("pubsub.json has losses")?
    {
        let lost = entry["solution"]["lost"].as_f64().unwrap_or(f64::NAN);
        let delivered = entry["solution"]["delivered"].as_f64().unwrap_or(f64::NAN);
        let sent = entry["sent"].as_f64().unwrap_or(f64::NAN);
        lost_total += lost + (sent - delivered);
        losses.row(vec![
            entry["subscribers"].to_string(),
            entry["sent"].to_string(),
            format!("{}", sent - delivered),
            format!(
                "{} ({}%)",
                entry["broadcast_small"]["lost"],
                significant(
                    entry["broadcast_small"]["lost"].as_f64().unwrap_or(0.0) / sent * 100.0
                )
            ),
        ]);
    }
    headlines.push(Headline::judged(
        "Pub/sub: messages lost, over 1, 4 and 16 subscribers",
        lost_total,
        format!("{lost_total}"),
        Direction::AtMost(0.0),
        "",
    ));
    let markdown = format!(
        "{}\nMessages per second sent by the one publisher (producer), every one delivered: \
         {m_pub} per run for pub/sub, {m_fan} for fan-out. \
         `broadcast` is given room for every message, so it loses none either.\n\n{}\n\
         One more run of each, with `broadcast` at the broker's capacity of 16 per subscriber.\n",
        table.markdown(),
        losses.markdown()
    );
    let chart = LineChart {
        title: "One publisher: messages per second".into(),
        x: Axis::log("subscribers / workers"),
        y: Axis::log("messages per second"),
        x_ticks: vec![1.0, 4.0, 16.0],
        series: vec![
            Series::measured("pub/sub broker", broker_points),
            Series::measured("fan-out, threads", threads_points),
            Series::measured("fan-out, tasks", tasks_points),
            Series::reference("broadcast", broadcast_points),
        ],
    };
    Ok(Section {
        anchor: "messaging",
        markdown,
        headlines,
        plots: vec![("messaging.svg".into(), chart.render())],
        modes: vec![pubsub.mode, fan.mode],
    })
}

fn rate_limiting(inputs: &Inputs, _cores: usize) -> anyhow::Result<Section> {
    let record = inputs.record("rate_limiting")?;
    let target = record.number("target_per_second")?;
    let seconds = record.number("seconds")?;
    // (key in the JSON, table label, plot label)
    let limiters = [
        ("ticker", "ticker (`tokio::time::interval`)", "ticker"),
        (
            "ticker_blocking",
            "ticker on a thread (`crossbeam::channel::tick`)",
            "tick",
        ),
        ("token_bucket", "token bucket, burst 1", "bucket/1"),
        ("governor", "governor, burst 1 (baseline)", "gov/1"),
        (
            "token_bucket_burst10",
            "token bucket, burst 10",
            "bucket/10",
        ),
        (
            "governor_burst10",
            "governor, burst 10 (baseline)",
            "gov/10",
        ),
    ];
    let mut table = Table::new(&["Limiter", "Achieved", "Error", "Target"]);
    let mut headlines = Vec::new();
    let mut achieved = Vec::new();
    for (key, label, short) in limiters {
        let entry = &record.data["limiters"][key];
        let got = entry["achieved_per_second"]
            .as_f64()
            .with_context(|| format!("rate_limiting.json has no `{key}`"))?;
        let error = error_percent(got, target);
        table.row(vec![
            label.into(),
            format!("{} per second", significant(got)),
            format!("{} %", significant(error)),
            "< 1 %".into(),
        ]);
        headlines.push(Headline::judged(
            &format!("Rate limiting, {label}: error against {target} per second"),
            error,
            format!("{} %", significant(error)),
            Direction::AtMost(1.0),
            " %",
        ));
        achieved.push((short, got));
    }
    let bucket = inputs.time_ns(&record, "rate_check/token_bucket")?;
    let governor = inputs.time_ns(&record, "rate_check/governor")?;
    let mut checks = Table::new(&["One non-blocking check", "Time", "Against governor's"]);
    checks.row(vec![
        "governor `check` (baseline)".into(),
        duration(governor),
        times(1.0),
    ]);
    checks.row(vec![
        "`TokenBucket::try_acquire`".into(),
        duration(bucket),
        times(bucket / governor),
    ]);
    let markdown = format!(
        "{}\n{target} permits a second asked of each, for {seconds} s; \
         the rate is measured after the first burst.\n\n{}",
        table.markdown(),
        checks.markdown()
    );
    let chart = BarChart {
        title: format!("Achieved rate, asking for {target} per second"),
        y: Axis::linear("grants per second"),
        categories: achieved
            .iter()
            .map(|(key, _)| {
                key.replace("_burst10", "/10")
                    .replace("ticker_blocking", "blocking")
            })
            .collect(),
        series: vec![(
            "achieved".into(),
            achieved.iter().map(|(_, r)| *r).collect(),
        )],
        references: vec![("target".into(), target)],
    };
    Ok(Section {
        anchor: "rate_limiting",
        markdown,
        headlines,
        plots: vec![("rate-limiting.svg".into(), chart.render())],
        modes: vec![record.mode],
    })
}

fn sync_primitives(inputs: &Inputs, _cores: usize) -> anyhow::Result<Section> {
    let record = inputs.record("sync_primitives")?;
    let ops = record.number("ops_per_thread")?;
    let mut markdown = String::new();
    let mut plots = Vec::new();
    for (group, title, file) in [
        (
            "maps_read90",
            "90 % lookups, 10 % inserts",
            "sync-read90.svg",
        ),
        (
            "maps_mixed50",
            "50 % lookups, 50 % inserts",
            "sync-mixed50.svg",
        ),
    ] {
        let mut table = Table::new(&[
            "Threads",
            "`Mutex<HashMap>` (baseline)",
            "`RwLock<HashMap>`",
            "`DashMap`",
            "`Cache` (`RwLock` + hit counters)",
        ]);
        let mut series: Vec<(&str, Vec<(f64, f64)>)> = vec![
            ("Mutex", Vec::new()),
            ("RwLock", Vec::new()),
            ("DashMap", Vec::new()),
            ("Cache", Vec::new()),
        ];
        for threads in [1u32, 2, 4] {
            let throughput = |map: &str| -> anyhow::Result<f64> {
                let t = inputs.time_ns(&record, &format!("{group}/{map}/{threads}"))?;
                Ok(per_second(ops * f64::from(threads), t))
            };
            let mutex = throughput("mutex")?;
            let mut cells = vec![threads.to_string(), rate(mutex)];
            series[0].1.push((f64::from(threads), mutex));
            for (i, map) in ["rwlock", "dashmap", "cache"].into_iter().enumerate() {
                let r = throughput(map)?;
                cells.push(format!("{} ({})", rate(r), times(r / mutex)));
                series[i + 1].1.push((f64::from(threads), r));
            }
            table.row(cells);
        }
        markdown.push_str(&format!(
            "**{title}** (operations per second, and against the Mutex):\n\n{}\n",
            table.markdown()
        ));
        let chart = LineChart {
            title: format!("Shared map, {title}"),
            x: Axis::log("threads"),
            y: Axis::linear("operations per second"),
            x_ticks: vec![1.0, 2.0, 4.0],
            series: series
                .into_iter()
                .map(|(name, points)| Series::measured(name, points))
                .collect(),
        };
        plots.push((file.to_owned(), chart.render()));
    }
    markdown.push_str(&format!(
        "1024 keys; each thread makes {ops} operations on random keys.\n"
    ));
    Ok(Section {
        anchor: "sync_primitives",
        markdown,
        headlines: Vec::new(),
        plots,
        modes: vec![record.mode],
    })
}

/// `results.md`: the machine, the headlines, and every section between
/// anchor markers.
pub fn results_markdown(sections: &[Section], machine: &Machine, date: &str) -> String {
    let mut modes: Vec<&str> = sections
        .iter()
        .flat_map(|s| s.modes.iter().map(String::as_str))
        .collect();
    modes.sort_unstable();
    modes.dedup();
    let mode = match modes.as_slice() {
        [one] => format!("**{one}** mode"),
        [] => "no mode (nothing was measured)".to_owned(),
        many => format!("**mixed** modes ({})", many.join(", ")),
    };
    let headlines: Vec<Headline> = sections
        .iter()
        .flat_map(|s| s.headlines.iter().cloned())
        .collect();
    let mut out = String::from(
        "<!-- Written by `cargo run --release -p benchmarks --bin summarize` from the results of \
         `cargo bench -p benchmarks`. Do not edit: run `cargo xtask bench` again. -->\n\n",
    );
    out.push_str("<!-- ANCHOR: machine -->\n");
    out.push_str(&format!(
        "Measured in {mode} on {date}: {} cores ({}), {}.\n",
        machine.cores, machine.cpu, machine.rustc
    ));
    out.push_str("<!-- ANCHOR_END: machine -->\n\n<!-- ANCHOR: glance -->\n");
    out.push_str(&headline_table(&headlines).markdown());
    out.push_str("<!-- ANCHOR_END: glance -->\n");
    for section in sections {
        out.push_str(&format!(
            "\n<!-- ANCHOR: {a} -->\n{}<!-- ANCHOR_END: {a} -->\n",
            section.markdown,
            a = section.anchor
        ));
    }
    out
}

/// Reads the results, writes `results.md` and the plots into `out`, and
/// returns the headlines.
///
/// # Errors
///
/// If `out` cannot be written.
pub fn write(inputs: &Inputs, out: &Path) -> anyhow::Result<Vec<Headline>> {
    let machine = Machine::detect();
    let sections = sections(inputs, machine.cores);
    let date = utc_date(crate::results::unix_seconds(std::time::SystemTime::now()));
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let results = out.join("results.md");
    fs::write(&results, results_markdown(&sections, &machine, &date))
        .with_context(|| format!("writing {}", results.display()))?;
    println!("wrote {}", results.display());
    for section in &sections {
        for (name, svg) in &section.plots {
            let path = out.join(name);
            fs::write(&path, svg).with_context(|| format!("writing {}", path.display()))?;
            println!("wrote {}", path.display());
        }
    }
    Ok(sections.into_iter().flat_map(|s| s.headlines).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system's temporary folder.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("benchmarks-report-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("a scratch folder");
        dir
    }

    fn write_record(results: &Path, bench: &str, started_at: f64, finished_at: f64) {
        let record = serde_json::json!({
            "bench": bench, "mode": "quick", "started_at": started_at,
            "finished_at": finished_at, "data": { "n": 10 },
        });
        fs::write(results.join(format!("{bench}.json")), record.to_string()).expect("write");
    }

    fn write_estimate(criterion: &Path, id: &str, mean_ns: f64) {
        let dir = criterion.join(id).join("new");
        fs::create_dir_all(&dir).expect("estimate folder");
        let estimate = serde_json::json!({ "mean": { "point_estimate": mean_ns } });
        fs::write(dir.join("estimates.json"), estimate.to_string()).expect("write");
    }

    #[test]
    fn estimates_from_the_run_are_read_and_older_ones_refused() {
        let root = scratch("stale");
        let inputs = Inputs {
            criterion: root.join("criterion"),
            results: root.join("results"),
        };
        fs::create_dir_all(&inputs.results).expect("results folder");
        write_estimate(&inputs.criterion, "g/f/1", 1234.5);
        let now = crate::results::unix_seconds(std::time::SystemTime::now());

        // A run that covers the moment the estimate was written.
        write_record(&inputs.results, "fresh", now - 60.0, now + 60.0);
        let fresh = inputs.record("fresh").expect("the record reads");
        assert_eq!(fresh.mode, "quick");
        assert_eq!(fresh.number("n").expect("n"), 10.0);
        assert_eq!(inputs.time_ns(&fresh, "g/f/1").expect("in the run"), 1234.5);

        // A run that started after the estimate was written: a leftover.
        write_record(&inputs.results, "later", now + 3600.0, now + 3700.0);
        let later = inputs.record("later").expect("the record reads");
        let error = inputs.time_ns(&later, "g/f/1").expect_err("stale");
        assert!(format!("{error:#}").contains("was not measured by the last run"));

        // Missing files name the command that makes them.
        let error = inputs.record("absent").expect_err("no such bench");
        assert!(format!("{error:#}").contains("cargo bench -p benchmarks --bench absent"));
        let error = inputs
            .time_ns(&fresh, "g/f/2")
            .expect_err("no such estimate");
        assert!(format!("{error:#}").contains("no criterion estimate for `g/f/2`"));
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn powers_of_ten_read_as_such() {
        assert_eq!(power_of_ten(1e5), "10⁵");
        assert_eq!(power_of_ten(10_000_000.0), "10⁷");
        assert_eq!(power_of_ten(1e10), "10¹⁰");
    }

    #[test]
    fn unmeasured_sections_are_reported_not_invented() {
        let root = scratch("empty");
        let inputs = Inputs {
            criterion: root.join("criterion"),
            results: root.join("results"),
        };
        let sections = sections(&inputs, 2);
        assert_eq!(sections.len(), 7);
        assert!(
            sections
                .iter()
                .flat_map(|s| &s.headlines)
                .all(|h| h.verdict.is_none())
        );
        let machine = Machine {
            cores: 2,
            cpu: "Example CPU".into(),
            rustc: "rustc 1.0".into(),
        };
        let text = results_markdown(&sections, &machine, "2026-01-01");
        assert!(text.contains("Measured in no mode (nothing was measured) on 2026-01-01: 2 cores (Example CPU), rustc 1.0."));
        for anchor in ["machine", "glance", "worker_pool", "sync_primitives"] {
            assert!(
                text.contains(&format!("<!-- ANCHOR: {anchor} -->")),
                "{anchor}"
            );
            assert!(
                text.contains(&format!("<!-- ANCHOR_END: {anchor} -->")),
                "{anchor}"
            );
        }
        assert!(text.contains("*Not measured in this run:*"));
        let _ = fs::remove_dir_all(&root);
    }
}
