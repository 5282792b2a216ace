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

use std::cell::RefCell;
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

/// Where to read from, and what was noticed while reading.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// `target/criterion`.
    pub criterion: PathBuf,
    /// `target/bench-results`.
    pub results: PathBuf,
    /// What the reads noticed: every estimate's spread, every run's load.
    notes: RefCell<RunNotes>,
}

/// How rough a run was: criterion's spread of every timing read, and the
/// machine's load while each bench ran.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunNotes {
    /// `(criterion id, half the width of the 95 % confidence interval of the
    /// mean, as a fraction of the mean)`, in the order they were read.
    pub spreads: Vec<(String, f64)>,
    /// The one-minute load averages the records give (at each bench's start
    /// and finish).
    pub loads: Vec<f64>,
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
    /// The median time of `id` in nanoseconds from the bench's runs in turns
    /// ([`crate::paired`]), and how many rounds they had.
    pub fn paired(&self, id: &str) -> Option<(f64, f64)> {
        let paired = &self.data["paired"];
        Some((paired[id].as_f64()?, paired["rounds"].as_f64()?))
    }

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
    /// Inputs read from these folders.
    pub fn new(criterion: PathBuf, results: PathBuf) -> Inputs {
        Inputs {
            criterion,
            results,
            notes: RefCell::default(),
        }
    }

    /// What the reads so far noticed.
    pub fn notes(&self) -> RunNotes {
        self.notes.borrow().clone()
    }

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
        if let Some(loads) = value["load_average"].as_array() {
            let mut notes = self.notes.borrow_mut();
            notes.loads.extend(loads.iter().filter_map(Value::as_f64));
        }
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
        let mean = value["mean"]["point_estimate"]
            .as_f64()
            .with_context(|| format!("{} has no mean", path.display()))?;
        let interval = &value["mean"]["confidence_interval"];
        if let (Some(low), Some(high)) = (
            interval["lower_bound"].as_f64(),
            interval["upper_bound"].as_f64(),
        ) {
            let spread = (high - low) / 2.0 / mean;
            let mut notes = self.notes.borrow_mut();
            if !notes.spreads.iter().any(|(seen, _)| seen == id) {
                notes.spreads.push((id.to_owned(), spread));
            }
        }
        Ok(mean)
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
    let builders: [(&'static str, Build); 8] = [
        ("worker_pool", worker_pool),
        ("downloader", downloader),
        ("pipeline", pipeline),
        ("pipeline_memory", pipeline_memory),
        ("messaging", messaging),
        ("capacity", capacity),
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
    // The targets are judged on the runs in turns where there are some:
    // the two sides of each ratio then met the same load.
    let turns = record
        .paired("sequential")
        .zip(record.paired("pool/2"))
        .zip(
            record
                .paired("pool/2 beside rayon")
                .zip(record.paired("rayon")),
        );
    let (speedup_two, vs_rayon, how, turns_note) = match turns {
        Some((((seq, rounds), (two, _)), ((two_again, _), (par, _)))) => (
            speedup(seq, two),
            two_again / par,
            format!("median of {rounds} runs in turns"),
            format!(
                " Run in turns, {rounds} times each, the median of each: the loop took {}, the \
                 pool of 2 {} ({} the loop's speed); the pool of 2 took {} beside rayon's {} \
                 ({} rayon's time).",
                duration(seq),
                duration(two),
                times(speedup(seq, two)),
                duration(two_again),
                duration(par),
                times(two_again / par),
            ),
        ),
        None => (
            speedup(sequential, at_two),
            at_two / rayon,
            "criterion means".to_owned(),
            String::new(),
        ),
    };
    let markdown = format!(
        "{}\n{jobs} primality tests of primes above {}, each the same cost. \
         With 2 workers the pool takes {} rayon's time (criterion means).{turns_note}\n",
        table.markdown(),
        record.data["first_job"],
        times(at_two / rayon),
    );
    let cores_f = cores as f64;
    let chart = LineChart {
        title: "Worker pool: speedup over a sequential loop".into(),
        x: Axis::log("workers"),
        y: Axis::linear("speedup (×)"),
        x_ticks: vec![1.0, 2.0, 4.0, 8.0],
        x_labels: Vec::new(),
        markers: Vec::new(),
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
                &format!("Worker pool, 2 workers: speedup over the sequential loop ({how})"),
                speedup_two,
                times(speedup_two),
                Direction::AtLeast(1.8),
                "×",
            ),
            Headline::judged(
                &format!("Worker pool, 2 workers: time against rayon's ({how})"),
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
        x_labels: Vec::new(),
        markers: Vec::new(),
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

fn pipeline(inputs: &Inputs, cores: usize) -> anyhow::Result<Section> {
    let record = inputs.record("pipeline")?;
    let n = record.number("n")?;
    let workers = record.number("parallel_workers").unwrap_or(cores as f64);
    let time = |id: &str| inputs.time_ns(&record, id);

    let sequential = time("prime_pipeline/sequential")?;
    // (table label, criterion id, plot label)
    let variants = [
        (
            "iterator chain (baseline)",
            "sequential",
            "chain".to_owned(),
        ),
        (
            "solution (3 threads, `select!`, channels of 16)",
            "solution",
            "solution".to_owned(),
        ),
        (
            "`pipeline::stage`, channels of 16",
            "threads/16",
            "cap 16".to_owned(),
        ),
        ("batches of 64", "batched/64", "b=64".to_owned()),
        ("batches of 1024", "batched/1024", "b=1024".to_owned()),
        ("batches of 16384", "batched/16384", "b=16k".to_owned()),
        (
            "ordered parallel stage, batches of 1024",
            "parallel/1024",
            format!("par {workers}×1024"),
        ),
        (
            "ordered parallel stage, batches of 16384, channels of 4",
            "parallel/16384",
            format!("par {workers}×16k"),
        ),
    ];
    let mut table = Table::new(&[
        "Prime pipeline",
        "Time",
        "Items per second",
        "Time / chain's",
        "Speed / chain's",
    ]);
    let mut bars = Vec::new();
    let mut best_parallel: Option<(&str, f64)> = None;
    for (label, id, short) in variants {
        let t = time(&format!("prime_pipeline/{id}"))?;
        let label = if id.starts_with("parallel") {
            label.replace("stage,", &format!("stage ({workers} workers),"))
        } else {
            label.to_owned()
        };
        table.row(vec![
            label,
            duration(t),
            rate(per_second(n, t)),
            times(t / sequential),
            times(speedup(sequential, t)),
        ]);
        bars.push((short, per_second(n, t)));
        if id.starts_with("parallel") && best_parallel.is_none_or(|(_, best)| t < best) {
            best_parallel = Some((id, t));
        }
    }

    let iterator = time("channel_hop/iterator")?;
    let small_n = record.number("small_n")?;
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
        (
            "channel of capacity 0 (rendezvous)",
            "channel_hop_small/threads/0",
            small_n,
        ),
        (
            "channel of capacity 1",
            "channel_hop_small/threads/1",
            small_n,
        ),
        ("channel of capacity 16", "channel_hop/threads/16", n),
        ("channel of capacity 64", "channel_hop/threads/64", n),
        ("channel of capacity 1024", "channel_hop/threads/1024", n),
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

    let (best_id, best) = best_parallel.context("parallel runs were measured")?;
    let batch = best_id.trim_start_matches("parallel/");
    // The target is judged on the runs in turns where there are some: the
    // two sides then met the same load.
    let in_turns = record
        .paired("sequential")
        .zip(record.paired("parallel/16384"));
    let (speed, how, batch) = match in_turns {
        Some(((chain, rounds), (par, _))) => (
            speedup(chain, par),
            format!("median of {rounds} runs in turns"),
            "16384",
        ),
        None => (
            speedup(sequential, best),
            "criterion means".to_owned(),
            batch,
        ),
    };
    let turns_note = match in_turns {
        Some(((chain, rounds), (par, _))) => format!(
            "Run in turns, {rounds} times each, the median of each: the chain took {}, the ordered \
             parallel stage on batches of 16384 through channels of 4 {}: {} the chain's speed.\n\n",
            duration(chain),
            duration(par),
            times(speedup(chain, par))
        ),
        None => String::new(),
    };
    let markdown = format!(
        "{}\nThe squares of the primes in 1..={n}; the ordered parallel stage runs the prime test on \
         {workers} worker threads (one per core) and gives the squares in the chain's order.\n\n\
         {turns_note}{}\n\
         {n} numbers through one channel ({small_n} through the channels of capacity 0 and 1), \
         no work.\n\n{}\nThe Go tutorial's pipeline over 1..={n}: one multiplication per item.\n",
        table.markdown(),
        hops.markdown(),
        squares.markdown()
    );
    let chart = BarChart {
        title: "Prime pipeline over 1..=1,000,000".into(),
        y: Axis::log("items per second"),
        categories: bars.iter().map(|(id, _)| id.clone()).collect(),
        series: vec![("throughput".into(), bars.iter().map(|(_, r)| *r).collect())],
        references: vec![("iterator chain".into(), per_second(n, sequential))],
    };
    Ok(Section {
        anchor: "pipeline",
        markdown,
        headlines: vec![Headline::judged(
            &format!(
                "Prime pipeline, ordered parallel stage ({workers} workers, batches of {batch}, channels of 4): \
                 speed against the iterator chain's, order kept ({how})"
            ),
            speed,
            times(speed),
            Direction::AtLeast(1.6),
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
        x_labels: Vec::new(),
        markers: Vec::new(),
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

/// The ratio of the rates of `pattern` and `baseline` from the bench's runs
/// in turns (the baseline's median time over the pattern's), and how it was
/// taken; `None` if the record has none.
fn in_turns(record: &Record, pattern: &str, baseline: &str) -> Option<(f64, String)> {
    let (pattern, rounds) = record.paired(pattern)?;
    let (baseline, _) = record.paired(baseline)?;
    Some((
        baseline / pattern,
        format!("median of {rounds} runs in turns"),
    ))
}

/// A line of a plot before it is drawn: its name, whether it is a
/// measurement of the pattern (solid) or a baseline (dashed), its points.
type Line<'a> = (&'a str, bool, Vec<(f64, f64)>);

fn messaging(inputs: &Inputs, _cores: usize) -> anyhow::Result<Section> {
    let pubsub = inputs.record("pubsub")?;
    let fan = inputs.record("fan_out_fan_in")?;
    let m_pub = pubsub.number("messages")?;
    let m_fan = fan.number("messages")?;
    let capacity = pubsub.number("capacity")?;
    let mut table = Table::new(&[
        "Subscribers",
        "broker",
        "bare `mpsc` loop",
        "broker / `mpsc`",
        "`async-broadcast`",
        "broker / `async-broadcast`",
        "`broadcast`, room for all",
        "broker / `broadcast`",
        "broker / `mpsc`, in turns",
    ]);
    let mut headlines = Vec::new();
    let mut series: Vec<Line<'_>> = vec![
        ("broker", true, Vec::new()),
        ("bare mpsc", false, Vec::new()),
        ("async-broadcast", false, Vec::new()),
        ("broadcast (lossy)", false, Vec::new()),
    ];
    for s in [1u32, 4, 16] {
        let x = f64::from(s);
        let mut rates = Vec::new();
        for (i, id) in ["solution", "mpsc", "async_broadcast", "broadcast"]
            .into_iter()
            .enumerate()
        {
            let r = per_second(m_pub, inputs.time_ns(&pubsub, &format!("pubsub/{id}/{s}"))?);
            series[i].2.push((x, r));
            rates.push(r);
        }
        let broker = rates[0];
        let (judged, how) = in_turns(&pubsub, &format!("solution/{s}"), &format!("mpsc/{s}"))
            .unwrap_or((broker / rates[1], "criterion means".to_owned()));
        table.row(vec![
            s.to_string(),
            rate(broker),
            rate(rates[1]),
            times(broker / rates[1]),
            rate(rates[2]),
            times(broker / rates[2]),
            rate(rates[3]),
            times(broker / rates[3]),
            times(judged),
        ]);
        headlines.push(Headline::judged(
            &format!(
                "Pub/sub, {s} subscriber(s): broker's messages per second against a bare \
                 `mpsc` loop's, capacity {capacity} ({how})"
            ),
            judged,
            times(judged),
            Direction::AtLeast(0.9),
            "×",
        ));
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

    let mut fan_table = Table::new(&[
        "Workers",
        "threads (crate)",
        "bare crossbeam loop",
        "crate / bare",
        "tasks (crate)",
        "bare tokio loop",
        "crate / bare",
        "threads, crate / bare in turns",
        "tasks, crate / bare in turns",
    ]);
    let mut fan_series: Vec<Line<'_>> = vec![
        ("fan-out, threads", true, Vec::new()),
        ("bare, threads", false, Vec::new()),
        ("fan-out, tasks", true, Vec::new()),
        ("bare, tasks", false, Vec::new()),
    ];
    for w in [1u32, 4, 16] {
        let x = f64::from(w);
        let mut rates = Vec::new();
        for (i, id) in ["threads", "bare_threads", "tasks", "bare_tasks"]
            .into_iter()
            .enumerate()
        {
            let r = per_second(m_fan, inputs.time_ns(&fan, &format!("fan_out/{id}/{w}"))?);
            fan_series[i].2.push((x, r));
            rates.push(r);
        }
        let mut judged = Vec::new();
        for (form, crate_rate, bare, cap) in [
            ("threads", rates[0], rates[1], 0),
            ("tasks", rates[2], rates[3], 1),
        ] {
            let (ratio, how) = in_turns(&fan, &format!("{form}/{w}"), &format!("bare_{form}/{w}"))
                .unwrap_or((crate_rate / bare, "criterion means".to_owned()));
            judged.push(ratio);
            headlines.push(Headline::judged(
                &format!(
                    "Fan-out on {form}, {w} worker(s): messages per second against the bare loop's, \
                     capacity {cap} ({how})"
                ),
                ratio,
                times(ratio),
                Direction::AtLeast(0.9),
                "×",
            ));
        }
        fan_table.row(vec![
            w.to_string(),
            rate(rates[0]),
            rate(rates[1]),
            times(rates[0] / rates[1]),
            rate(rates[2]),
            rate(rates[3]),
            times(rates[2] / rates[3]),
            times(judged[0]),
            times(judged[1]),
        ]);
    }
    let markdown = format!(
        "**Pub/sub**: messages per second sent by the one publisher, every copy delivered, \
         {m_pub} per run. The broker, the bare loop and `async-broadcast` hold {capacity} \
         messages per subscriber and wait when a subscriber is behind; `broadcast` is given room \
         for every message, never waits, and so loses none here. The last column is the one judged: the \
         broker and the bare loop run in turns, and the median run of each kept.\n\n{}\n{}\n\
         One more run of each, with `broadcast` at the broker's capacity of {capacity}.\n\n\
         **Fan-out and fan-in**: messages per second through the workers and back into one \
         channel, {m_fan} per run. The bare loops do the same job at the same capacity (0 on \
         threads, Go's `make(chan T)`; 1 on tasks, tokio's smallest) with no cancel signal; the \
         last two columns, judged, from runs in turns.\n\n{}",
        table.markdown(),
        losses.markdown(),
        fan_table.markdown()
    );
    let to_series = |list: Vec<Line<'_>>| -> Vec<Series> {
        list.into_iter()
            .map(|(name, measured, points)| {
                if measured {
                    Series::measured(name, points)
                } else {
                    Series::reference(name, points)
                }
            })
            .collect()
    };
    let chart = |title: &str, x: &str, list| LineChart {
        title: title.into(),
        x: Axis::log(x),
        y: Axis::log("messages per second"),
        x_ticks: vec![1.0, 4.0, 16.0],
        x_labels: Vec::new(),
        markers: Vec::new(),
        series: to_series(list),
    };
    Ok(Section {
        anchor: "messaging",
        markdown,
        headlines,
        plots: vec![
            (
                "messaging.svg".into(),
                chart(
                    "Pub/sub: one publisher, messages per second",
                    "subscribers",
                    series,
                )
                .render(),
            ),
            (
                "fan-out.svg".into(),
                chart(
                    "Fan-out and fan-in: messages per second",
                    "workers",
                    fan_series,
                )
                .render(),
            ),
        ],
        modes: vec![pubsub.mode, fan.mode],
    })
}

/// Where a capacity goes on a log axis: 0 cannot, so it stands at 0.25.
fn capacity_x(capacity: f64) -> f64 {
    if capacity == 0.0 { 0.25 } else { capacity }
}

/// One pattern's capacity sweep: its table, its plot, and the sentence that
/// says what capacity buys over the Go-shaped default.
struct Sweep<'a> {
    /// The pattern, for the table's header and the plot's title.
    title: &'a str,
    /// The SVG's file name.
    file: &'a str,
    /// The capacities measured, in order.
    capacities: &'a [f64],
    /// The smallest capacity of the form (0 on threads, 1 on tokio): the
    /// Go-shaped default the others are compared with.
    default: f64,
    /// `(series name, messages per second at each capacity, or NaN)`; the
    /// first is the one the factor is stated for.
    series: Vec<(String, Vec<f64>)>,
}

impl Sweep<'_> {
    fn markdown(&self) -> String {
        let mut header = vec![self.title.to_owned()];
        header.extend(self.capacities.iter().map(|c| format!("capacity {c}")));
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut table = Table::new(&header);
        let at = |values: &[f64], c: f64| {
            self.capacities
                .iter()
                .position(|&x| x == c)
                .and_then(|i| values.get(i).copied())
                .unwrap_or(f64::NAN)
        };
        for (name, values) in &self.series {
            let base = at(values, self.default);
            let mut cells = vec![name.clone()];
            for (&c, &r) in self.capacities.iter().zip(values) {
                cells.push(if !r.is_finite() {
                    "—".to_owned()
                } else if c == self.default || !base.is_finite() {
                    rate(r)
                } else {
                    format!("{} ({})", rate(r), times(r / base))
                });
            }
            table.row(cells);
        }
        let (name, values) = &self.series[0];
        let base = at(values, self.default);
        let best = self
            .capacities
            .iter()
            .zip(values)
            .filter(|(_, r)| r.is_finite())
            .max_by(|a, b| a.1.total_cmp(b.1));
        let sentence = match best {
            Some((&c, &r)) if base.is_finite() && c != self.default => format!(
                "{name}: capacity {c} moves {}, {} the Go-shaped default (capacity {}).",
                rate(r),
                times(r / base),
                self.default
            ),
            _ => format!(
                "{name}: no capacity beats the default of {} here.",
                self.default
            ),
        };
        format!(
            "{}\n{sentence} In brackets: against capacity {}.\n\n",
            table.markdown(),
            self.default
        )
    }

    fn svg(&self) -> String {
        let ticks: Vec<f64> = self.capacities.iter().map(|&c| capacity_x(c)).collect();
        let series = self
            .series
            .iter()
            .enumerate()
            .map(|(i, (name, values))| {
                let points: Vec<(f64, f64)> = ticks
                    .iter()
                    .zip(values)
                    .filter(|(_, r)| r.is_finite())
                    .map(|(&x, &r)| (x, r))
                    .collect();
                if i == 0 || !name.starts_with("bare") {
                    Series::measured(name, points)
                } else {
                    Series::reference(name, points)
                }
            })
            .collect();
        LineChart {
            title: format!("{}: messages per second by capacity", self.title),
            x: Axis::log("channel capacity"),
            y: Axis::log("messages per second"),
            x_ticks: ticks,
            x_labels: self.capacities.iter().map(|c| c.to_string()).collect(),
            markers: vec![(capacity_x(self.default), "Go-shaped default".to_owned())],
            series,
        }
        .render()
    }
}

fn capacity(inputs: &Inputs, _cores: usize) -> anyhow::Result<Section> {
    let pipeline = inputs.record("pipeline")?;
    let fan = inputs.record("fan_out_fan_in")?;
    let pubsub = inputs.record("pubsub")?;
    let n = pipeline.number("n")?;
    let small_n = pipeline.number("small_n")?;
    let m_fan = fan.number("messages")?;
    let m_pub = pubsub.number("messages")?;
    let sweep_workers = fan.number("sweep_workers")?;
    let broker_capacity = pubsub.number("capacity")?;
    let all = [0.0, 1.0, 16.0, 64.0, 1024.0];
    let tokio = [1.0, 16.0, 64.0, 1024.0];
    let rate_of = |record: &Record, id: String, count: f64| -> anyhow::Result<f64> {
        Ok(per_second(count, inputs.time_ns(record, &id)?))
    };

    let mut stage = Vec::new();
    for c in all {
        let (group, count) = if c <= 1.0 {
            ("channel_hop_small", small_n)
        } else {
            ("channel_hop", n)
        };
        stage.push(rate_of(&pipeline, format!("{group}/threads/{c}"), count)?);
    }
    let sweep = |form: &str, caps: &[f64]| -> anyhow::Result<Vec<f64>> {
        caps.iter()
            .map(|c| rate_of(&fan, format!("fan_out_capacity/{form}/{c}"), m_fan))
            .collect()
    };
    let mut broker = vec![f64::NAN; tokio.len()];
    let broker_at = tokio
        .iter()
        .position(|&c| c == broker_capacity)
        .context("the broker's capacity is one of the sweep's")?;
    broker[broker_at] = rate_of(&pubsub, "pubsub/solution/1".into(), m_pub)?;
    let pub_sweep = |form: &str| -> anyhow::Result<Vec<f64>> {
        tokio
            .iter()
            .map(|c| rate_of(&pubsub, format!("pubsub_capacity/{form}/{c}"), m_pub))
            .collect()
    };
    let sweeps = [
        Sweep {
            title: "Pipeline stage (one hop, threads)",
            file: "capacity-pipeline.svg",
            capacities: &all,
            default: 0.0,
            series: vec![("`pipeline::generate_with_capacity`".into(), stage)],
        },
        Sweep {
            title: "Fan-out on threads",
            file: "capacity-fan-out-threads.svg",
            capacities: &all,
            default: 0.0,
            series: vec![
                ("bare crossbeam loop".into(), sweep("bare_threads", &all)?),
                (
                    "`threads::fan_out` (input and output at this capacity)".into(),
                    sweep("threads", &all)?,
                ),
            ],
        },
        Sweep {
            title: "Fan-out on tasks",
            file: "capacity-fan-out-tasks.svg",
            capacities: &tokio,
            default: 1.0,
            series: vec![
                ("bare tokio loop".into(), sweep("bare_tasks", &tokio)?),
                (
                    "`tasks::fan_out` (input at this capacity)".into(),
                    sweep("tasks", &tokio)?,
                ),
            ],
        },
        Sweep {
            title: "Pub/sub, 1 subscriber",
            file: "capacity-pubsub.svg",
            capacities: &tokio,
            default: 1.0,
            series: vec![
                ("bare `mpsc` loop".into(), pub_sweep("mpsc")?),
                ("`async-broadcast`".into(), pub_sweep("async_broadcast")?),
                (format!("broker (its capacity, {broker_capacity})"), broker),
            ],
        },
    ];
    let mut markdown = String::new();
    let mut plots = Vec::new();
    for sweep in &sweeps {
        markdown.push_str(&sweep.markdown());
        plots.push((sweep.file.to_owned(), sweep.svg()));
    }
    markdown.push_str(&format!(
        "Messages per second: {n} items through the pipeline stage ({small_n} at capacities 0 and \
         1), {m_fan} through {sweep_workers} fan-out workers, {m_pub} to one subscriber. The \
         crate's fan-out on threads gives its output the input's capacity; the one on tasks keeps \
         its own output channel, of 1, and only its input changes here. The broker's capacity is a constant of the solution.\n"
    ));
    Ok(Section {
        anchor: "capacity",
        markdown,
        headlines: Vec::new(),
        plots,
        modes: vec![pipeline.mode, fan.mode, pubsub.mode],
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
            "blocking",
        ),
        ("token_bucket", "token bucket, burst 1", "bucket/1"),
        ("governor", "governor, burst 1 (baseline)", "gov/1"),
        (
            "governor_tokio_timer",
            "governor, burst 1, on tokio's timer (like for like)",
            "gov/1 tokio",
        ),
        ("token_bucket_burst2", "token bucket, burst 2", "bucket/2"),
        ("governor_burst2", "governor, burst 2 (baseline)", "gov/2"),
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
    let mut table = Table::new(&["Limiter", "Achieved", "Error"]);
    let mut achieved = Vec::new();
    let mut errors = std::collections::HashMap::new();
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
        ]);
        errors.insert(key, (label, error));
        achieved.push((short, got));
    }
    let mut headlines = Vec::new();
    for key in ["ticker", "ticker_blocking", "token_bucket_burst10"] {
        let (label, error) = errors[key];
        headlines.push(Headline::judged(
            &format!("Rate limiting, {label}: error against {target} per second"),
            error,
            format!("{} %", significant(error)),
            Direction::AtMost(1.0),
            " %",
        ));
    }
    let (_, bucket_one) = errors["token_bucket"];
    // Burst 1 against governor twice: on its own, finer timer, and on
    // tokio's timer, the bucket's (like for like).
    for (position, key, yardstick) in [
        (2, "governor", "governor's"),
        (3, "governor_tokio_timer", "governor's on tokio's timer,"),
    ] {
        let (_, governor_one) = errors[key];
        headlines.insert(
            position,
            Headline {
                target: format!("≤ {yardstick} {} % (same run)", significant(governor_one)),
                ..Headline::judged(
                    &format!(
                        "Rate limiting, token bucket, burst 1: error against {target} per second"
                    ),
                    bucket_one,
                    format!("{} %", significant(bucket_one)),
                    Direction::AtMost(governor_one),
                    " %",
                )
            },
        );
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
        "{}\n{target} permits a second asked of each, for {seconds} s, one after the other in \
         the same run; the rate is measured after the first burst.\n\n{}",
        table.markdown(),
        checks.markdown()
    );
    let chart = BarChart {
        title: format!("Achieved rate, asking for {target} per second"),
        y: Axis::linear("grants per second"),
        categories: achieved.iter().map(|(key, _)| (*key).to_owned()).collect(),
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
            x_labels: Vec::new(),
            markers: Vec::new(),
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
pub fn results_markdown(
    sections: &[Section],
    machine: &Machine,
    date: &str,
    notes: &RunNotes,
) -> String {
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
    out.push_str(&roughness(notes, machine.cores, modes.contains(&"quick")));
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

/// What the machine's load and criterion's spreads say about the run, and,
/// for a quick run, how rough it is and how to tell.
pub fn roughness(notes: &RunNotes, cores: usize, quick: bool) -> String {
    let mut out = String::new();
    let loads = &notes.loads;
    if !loads.is_empty() {
        let low = loads.iter().copied().fold(f64::INFINITY, f64::min);
        let high = loads.iter().copied().fold(0.0, f64::max);
        out.push_str(&format!(
            "\nThe machine's load average (one minute) was between {low:.2} and {high:.2} while the \
             benches ran, on {cores} cores{}.\n",
            if high > cores as f64 {
                ": above the number of cores, other work was waiting for a core too"
            } else {
                ""
            }
        ));
    }
    let mut spreads: Vec<&(String, f64)> = notes.spreads.iter().collect();
    spreads.sort_by(|a, b| b.1.total_cmp(&a.1));
    if let Some((widest, at)) = spreads.first() {
        let median = spreads[spreads.len() / 2].1;
        let wide = spreads.iter().filter(|(_, s)| *s > 0.05).count();
        out.push_str(&format!(
            "\nCriterion's spread (half the 95 % confidence interval of a mean time): ±{} % for \
             the median timing, ±{} % at the widest (`{widest}`); {wide} of {} timings are wider \
             than ±5 %.\n",
            significant(median * 100.0),
            significant(at * 100.0),
            spreads.len()
        ));
    }
    out.push_str(
        "\nA figure with a target that compares two timings is judged on runs in turns: the two \
         sides run alternately (15 times each in a full run, 5 in a quick one) and the median run \
         of each is kept, so that neither a load that drifts during the run nor one lucky run \
         (on a multi-threaded runtime, where the tasks land can halve a run's time) moves the \
         ratio much. The criterion means beside it say \
         what the same code does while it shares the machine.\n",
    );
    if quick {
        out.push_str(
            "\n**A quick run is rough**, and on a busy machine rougher: it takes few samples, so a \
             ratio can move by more than its distance from a target from one run to the next. \
             How to tell: the spreads above, and the `[low mean high]` interval criterion prints \
             for every timing. Trust a ratio only when the intervals of both of its timings are \
             narrow next to its distance from the target; for the figures to quote, run \
             `cargo xtask bench` when the load average is well below the number of cores.\n",
        );
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
    let notes = inputs.notes();
    let quick = sections
        .iter()
        .any(|s| s.modes.iter().any(|m| m == "quick"));
    fs::write(
        &results,
        results_markdown(&sections, &machine, &date, &notes),
    )
    .with_context(|| format!("writing {}", results.display()))?;
    print!("{}", roughness(&notes, machine.cores, quick));
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
        let inputs = Inputs::new(root.join("criterion"), root.join("results"));
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
    fn a_quick_run_says_it_is_rough_and_how_to_tell() {
        let notes = RunNotes {
            spreads: vec![
                ("g/a".into(), 0.01),
                ("g/b".into(), 0.12),
                ("g/c".into(), 0.02),
            ],
            loads: vec![0.5, 3.5],
        };
        let quick = roughness(&notes, 2, true);
        assert!(quick.contains("between 0.50 and 3.50"), "{quick}");
        assert!(quick.contains("other work was waiting"), "{quick}");
        assert!(quick.contains("±12.0 % at the widest (`g/b`)"), "{quick}");
        assert!(
            quick.contains("1 of 3 timings are wider than ±5 %"),
            "{quick}"
        );
        assert!(quick.contains("A quick run is rough"), "{quick}");
        let full = roughness(&notes, 4, false);
        assert!(
            !full.contains("A quick run is rough") && !full.contains("waiting"),
            "{full}"
        );
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
        let inputs = Inputs::new(root.join("criterion"), root.join("results"));
        let sections = sections(&inputs, 2);
        assert_eq!(sections.len(), 8);
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
        let text = results_markdown(&sections, &machine, "2026-01-01", &inputs.notes());
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
