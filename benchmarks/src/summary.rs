//! The summarizer's model: figures, their baselines, ratios and targets.
//!
//! Everything here is pure arithmetic and text, so it is unit-tested with
//! made-up numbers; reading the files and writing the book is done by
//! [`crate::report`].

use std::fmt::Write as _;

/// Which way a target points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Direction {
    /// The figure must be at least this.
    AtLeast(f64),
    /// The figure must be at most this.
    AtMost(f64),
}

impl Direction {
    /// The target as a short text: `≥ 1.8`, `≤ 1.10`.
    pub fn describe(self, unit: &str) -> String {
        match self {
            Direction::AtLeast(bound) => format!("≥ {}{unit}", trim(bound)),
            Direction::AtMost(bound) => format!("≤ {}{unit}", trim(bound)),
        }
    }
}

/// Whether a figure met its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It did.
    Met,
    /// It did not.
    Missed,
}

impl Verdict {
    /// `met` or `**missed**`, for a Markdown table.
    pub fn markdown(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "**missed**",
        }
    }
}

/// Judges `value` against `target`. A value that is not a number (a
/// division by a zero time) never meets a target.
pub fn judge(value: f64, target: Direction) -> Verdict {
    let met = match target {
        Direction::AtLeast(bound) => value >= bound,
        Direction::AtMost(bound) => value <= bound,
    };
    if met && value.is_finite() {
        Verdict::Met
    } else {
        Verdict::Missed
    }
}

/// How many times faster `measured` is than `baseline`, both durations
/// (of the same work): `baseline / measured`.
pub fn speedup(baseline: f64, measured: f64) -> f64 {
    baseline / measured
}

/// `count` events in `nanoseconds`, as events per second.
pub fn per_second(count: f64, nanoseconds: f64) -> f64 {
    count / (nanoseconds / 1e9)
}

/// The time `urls` downloads of `latency_ms` each take with `limit` in
/// flight, if nothing but the latency cost anything: `ceil(urls / limit)`
/// rounds.
pub fn ideal_batch_ms(urls: u64, limit: u64, latency_ms: f64) -> f64 {
    urls.div_ceil(limit.max(1)) as f64 * latency_ms
}

/// The extra cost per item of a channel hop: the time per item of the run
/// through the channel, less the time per item of the plain loop.
pub fn per_item_extra_ns(run_ns: f64, run_items: f64, base_ns: f64, base_items: f64) -> f64 {
    run_ns / run_items - base_ns / base_items
}

/// The relative error of `achieved` against `target`, in percent.
pub fn error_percent(achieved: f64, target: f64) -> f64 {
    (achieved / target - 1.0).abs() * 100.0
}

/// `x` with up to two decimals and no trailing zeros: `1.8`, `0.5`, `10`.
pub fn trim(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A duration in nanoseconds, in the unit that reads best: `38.2 ns`,
/// `4.96 ms`, `2.16 s`.
pub fn duration(nanoseconds: f64) -> String {
    let (value, unit) = match nanoseconds {
        ns if ns >= 1e9 => (ns / 1e9, "s"),
        ns if ns >= 1e6 => (ns / 1e6, "ms"),
        ns if ns >= 1e3 => (ns / 1e3, "µs"),
        ns => (ns, "ns"),
    };
    format!("{} {unit}", significant(value))
}

/// A rate, with a thousands suffix: `19.9 M/s`, `456 k/s`.
pub fn rate(per_second: f64) -> String {
    let (value, unit) = match per_second {
        r if r >= 1e9 => (r / 1e9, "G/s"),
        r if r >= 1e6 => (r / 1e6, "M/s"),
        r if r >= 1e3 => (r / 1e3, "k/s"),
        r => (r, "/s"),
    };
    format!("{} {unit}", significant(value))
}

/// A number of bytes: `3.8 KiB`, `151 MiB`.
pub fn bytes(count: f64) -> String {
    let (value, unit) = match count {
        b if b >= 1024.0 * 1024.0 * 1024.0 => (b / (1024.0 * 1024.0 * 1024.0), "GiB"),
        b if b >= 1024.0 * 1024.0 => (b / (1024.0 * 1024.0), "MiB"),
        b if b >= 1024.0 => (b / 1024.0, "KiB"),
        b => (b, "B"),
    };
    format!("{} {unit}", significant(value))
}

/// Three significant digits: `4.96`, `49.6`, `496`, `4960`.
pub fn significant(x: f64) -> String {
    match x.abs() {
        v if v >= 100.0 => format!("{x:.0}"),
        v if v >= 10.0 => format!("{x:.1}"),
        _ => format!("{x:.2}"),
    }
}

/// A ratio as `1.925×`: three decimals below 10, so that `1.003×` (just
/// slower) never shows as `1.00×`, and four below 0.01.
pub fn times(x: f64) -> String {
    match x.abs() {
        v if v < 0.01 => format!("{x:.4}×"),
        v if v < 10.0 => format!("{x:.3}×"),
        _ => format!("{}×", significant(x)),
    }
}

/// One figure that has a target: a line of the "at a glance" table.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// What was measured, e.g. "Worker pool, 2 workers: speedup over the sequential loop".
    pub figure: String,
    /// The figure's value, formatted.
    pub measured: String,
    /// The target, formatted.
    pub target: String,
    /// Met or missed; `None` if the figure could not be computed.
    pub verdict: Option<Verdict>,
}

impl Headline {
    /// A headline judged from a number.
    pub fn judged(
        figure: &str,
        value: f64,
        shown: String,
        target: Direction,
        unit: &str,
    ) -> Headline {
        Headline {
            figure: figure.to_owned(),
            measured: shown,
            target: target.describe(unit),
            verdict: Some(judge(value, target)),
        }
    }
}

/// A Markdown table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The header cells.
    pub header: Vec<String>,
    /// The rows, each as many cells as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names.
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|&cell| cell.to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as Markdown, numbers right-aligned after the first column.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let escape = |cell: &str| cell.replace('|', "\\|");
        let _ = writeln!(
            out,
            "| {} |",
            self.header
                .iter()
                .map(|c| escape(c))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let align: Vec<&str> = (0..self.header.len())
            .map(|i| if i == 0 { "---" } else { "--:" })
            .collect();
        let _ = writeln!(out, "|{}|", align.join("|"));
        for row in &self.rows {
            let _ = writeln!(
                out,
                "| {} |",
                row.iter()
                    .map(|c| escape(c))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        out
    }
}

/// The "at a glance" table of every headline.
pub fn headline_table(headlines: &[Headline]) -> Table {
    let mut table = Table::new(&["Figure", "Measured", "Target", "Met?"]);
    for headline in headlines {
        table.row(vec![
            headline.figure.clone(),
            headline.measured.clone(),
            headline.target.clone(),
            headline
                .verdict
                .map_or("not measured", Verdict::markdown)
                .to_owned(),
        ]);
    }
    table
}

/// The UTC calendar date of `unix_seconds`, as `YYYY-MM-DD` (Howard
/// Hinnant's `civil_from_days`).
pub fn utc_date(unix_seconds: f64) -> String {
    let days = (unix_seconds / 86_400.0).floor() as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_judged_in_their_direction() {
        assert_eq!(judge(1.92, Direction::AtLeast(1.8)), Verdict::Met);
        assert_eq!(
            judge(1.8, Direction::AtLeast(1.8)),
            Verdict::Met,
            "the bound itself counts"
        );
        assert_eq!(judge(1.79, Direction::AtLeast(1.8)), Verdict::Missed);
        assert_eq!(judge(1.05, Direction::AtMost(1.10)), Verdict::Met);
        assert_eq!(judge(1.15, Direction::AtMost(1.10)), Verdict::Missed);
        assert_eq!(judge(f64::NAN, Direction::AtMost(1.0)), Verdict::Missed);
        assert_eq!(
            judge(f64::INFINITY, Direction::AtLeast(1.0)),
            Verdict::Missed
        );
    }

    #[test]
    fn ratios_and_rates() {
        assert_eq!(speedup(100.0, 50.0), 2.0);
        assert_eq!(per_second(20_000.0, 2e9), 10_000.0);
        assert_eq!(ideal_batch_ms(100, 10, 50.0), 500.0);
        assert_eq!(ideal_batch_ms(100, 3, 50.0), 1700.0, "34 rounds");
        assert_eq!(ideal_batch_ms(100, 50, 50.0), 100.0);
        let extra = per_item_extra_ns(70e6, 1e6, 0.6e6, 1e6);
        assert!((extra - 69.4).abs() < 1e-9);
        assert!((error_percent(990.0, 1000.0) - 1.0).abs() < 1e-9);
        assert!((error_percent(1010.0, 1000.0) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(duration(38.16), "38.2 ns");
        assert_eq!(duration(4_960_000.0), "4.96 ms");
        assert_eq!(duration(2_162_400_000.0), "2.16 s");
        assert_eq!(rate(19_936_000.0), "19.9 M/s");
        assert_eq!(rate(456_280.0), "456 k/s");
        assert_eq!(bytes(3915.0), "3.82 KiB");
        assert_eq!(times(1.923), "1.923×");
        assert_eq!(times(1.0031), "1.003×");
        assert_eq!(times(0.00251), "0.0025×");
        assert_eq!(times(41.6), "41.6×");
        assert_eq!(Direction::AtLeast(1.8).describe("×"), "≥ 1.8×");
        assert_eq!(Direction::AtMost(1.1).describe(" %"), "≤ 1.1 %");
    }

    #[test]
    fn tables_are_markdown_with_escaped_pipes() {
        let mut table = Table::new(&["Figure", "Value"]);
        table.row(vec!["a|b".to_owned(), "1".to_owned()]);
        assert_eq!(
            table.markdown(),
            "| Figure | Value |\n|---|--:|\n| a\\|b | 1 |\n"
        );
    }

    #[test]
    fn headlines_say_met_missed_or_not_measured() {
        let met = Headline::judged("speedup", 1.9, times(1.9), Direction::AtLeast(1.8), "×");
        let unmeasured = Headline {
            verdict: None,
            ..met.clone()
        };
        let text = headline_table(&[met, unmeasured]).markdown();
        assert!(
            text.contains("| speedup | 1.900× | ≥ 1.8× | met |"),
            "{text}"
        );
        assert!(text.contains("not measured"), "{text}");
    }

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(utc_date(0.0), "1970-01-01");
        assert_eq!(utc_date(951_782_400.0), "2000-02-29");
        assert_eq!(utc_date(1_767_225_599.0), "2025-12-31");
        assert_eq!(utc_date(1_767_225_600.0), "2026-01-01");
    }
}
