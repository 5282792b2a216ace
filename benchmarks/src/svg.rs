//! Small SVG charts, written by hand: a line chart and a grouped bar chart.
//!
//! The book shows them with `![..](plot.svg)`, as images, so they cannot
//! inherit the page's text colour: text and axes are a neutral grey, the
//! series mid-tone colours, and the background transparent, which reads on
//! mdBook's light and dark themes alike.

use std::fmt::Write as _;

/// Text, axes and grid.
const INK: &str = "#8a8a8a";
/// One colour per series, mid-tones that show on white and on near-black.
const PALETTE: [&str; 6] = [
    "#4c8ed9", "#f08a24", "#3fa34d", "#e0505a", "#a875c9", "#a07a5a",
];
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 360.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 56.0;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stroke {
    /// A solid line with a dot at each point: a measurement.
    Measured,
    /// A dashed line without dots: an ideal, a target or a baseline.
    Reference,
}

/// One named line of a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Shown in the legend.
    pub name: String,
    /// `(x, y)` points, drawn in this order.
    pub points: Vec<(f64, f64)>,
    /// Solid or dashed.
    pub stroke: Stroke,
}

impl Series {
    /// A measured series.
    pub fn measured(name: &str, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.to_owned(),
            points,
            stroke: Stroke::Measured,
        }
    }

    /// A reference series (dashed).
    pub fn reference(name: &str, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.to_owned(),
            points,
            stroke: Stroke::Reference,
        }
    }
}

/// An axis: its label and whether it is logarithmic.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The label under (x) or beside (y) the axis.
    pub label: String,
    /// Logarithmic (base 10 ticks) rather than linear.
    pub log: bool,
}

impl Axis {
    /// A linear axis.
    pub fn linear(label: &str) -> Axis {
        Axis {
            label: label.to_owned(),
            log: false,
        }
    }

    /// A logarithmic axis.
    pub fn log(label: &str) -> Axis {
        Axis {
            label: label.to_owned(),
            log: true,
        }
    }
}

/// A chart of lines over a numeric x axis.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// The title, above the plot.
    pub title: String,
    /// The horizontal axis.
    pub x: Axis,
    /// The vertical axis.
    pub y: Axis,
    /// The x values that get a tick and a label (for example the worker
    /// counts 1, 2, 4, 8). Empty: ticks are chosen automatically.
    pub x_ticks: Vec<f64>,
    /// The labels of `x_ticks`, one each, where a number would mislead (a
    /// capacity of 0 drawn at 0.25 on a log axis). Empty: the numbers.
    pub x_labels: Vec<String>,
    /// Vertical dashed lines, `(x, label)`: a default, a limit.
    pub markers: Vec<(f64, String)>,
    /// The lines.
    pub series: Vec<Series>,
}

/// A chart of bars, one group per category and one bar per series.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// The title, above the plot.
    pub title: String,
    /// The vertical axis (the bars start at its lowest value).
    pub y: Axis,
    /// One label per group of bars.
    pub categories: Vec<String>,
    /// `(name, one value per category)`.
    pub series: Vec<(String, Vec<f64>)>,
    /// Horizontal dashed lines, `(label, y)`: a target, a baseline.
    pub references: Vec<(String, f64)>,
}

/// A mapping from data values to pixels along one axis.
#[derive(Debug, Clone, Copy)]
struct Scale {
    log: bool,
    min: f64,
    max: f64,
    from: f64,
    to: f64,
}

impl Scale {
    fn new(log: bool, values: impl Iterator<Item = f64>, from: f64, to: f64) -> Scale {
        let values: Vec<f64> = values
            .filter(|v| v.is_finite() && (!log || *v > 0.0))
            .collect();
        let (mut min, mut max) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        if values.is_empty() {
            (min, max) = (1.0, 10.0);
        }
        if log {
            min = 10f64.powf(min.log10().floor());
            max = 10f64.powf(max.log10().ceil());
            if max <= min {
                max = min * 10.0;
            }
        } else {
            min = min.min(0.0);
            max = nice_ceiling(max.max(min + f64::EPSILON));
        }
        Scale {
            log,
            min,
            max,
            from,
            to,
        }
    }

    fn at(&self, value: f64) -> f64 {
        let fraction = if self.log {
            (value.max(self.min).log10() - self.min.log10()) / (self.max.log10() - self.min.log10())
        } else {
            (value - self.min) / (self.max - self.min)
        };
        self.from + fraction * (self.to - self.from)
    }

    fn ticks(&self) -> Vec<f64> {
        if self.log {
            let mut ticks = Vec::new();
            let mut tick = self.min;
            while tick <= self.max * 1.000_001 {
                ticks.push(tick);
                tick *= 10.0;
            }
            ticks
        } else {
            let step = nice_ceiling(self.max / 5.0);
            (0..=10)
                .map(|i| self.min + step * f64::from(i))
                .take_while(|t| *t <= self.max * 1.000_001)
                .collect()
        }
    }
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `x`.
pub fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&candidate| candidate >= x * 0.999_999)
        .unwrap_or(10.0 * power)
}

/// A number as an axis label: `1.5k`, `20M`, `0.25`, `3`.
pub fn short_number(x: f64) -> String {
    let (value, suffix) = match x.abs() {
        v if v >= 1e9 => (x / 1e9, "G"),
        v if v >= 1e6 => (x / 1e6, "M"),
        v if v >= 1e3 => (x / 1e3, "k"),
        _ => (x, ""),
    };
    let text = if value.fract().abs() < 1e-9 || value.abs() >= 10.0 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    format!("{text}{suffix}")
}

/// Escapes text for SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn open(out: &mut String, title: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="13" role="img" aria-label="{t}">
<title>{t}</title>
<text x="{x}" y="24" fill="{INK}" font-size="15" font-weight="bold" text-anchor="middle">{t}</text>
"#,
        t = escape(title),
        x = (LEFT + WIDTH - RIGHT) / 2.0,
    );
}

fn y_axis(out: &mut String, scale: &Scale, label: &str) {
    for tick in scale.ticks() {
        let y = scale.at(tick);
        let _ = writeln!(
            out,
            r#"<line x1="{LEFT}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="{INK}" stroke-opacity="0.25"/><text x="{lx}" y="{ty:.1}" fill="{INK}" text-anchor="end">{text}</text>"#,
            x2 = WIDTH - RIGHT,
            lx = LEFT - 6.0,
            ty = y + 4.0,
            text = short_number(tick),
        );
    }
    let _ = writeln!(
        out,
        r#"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{b}" stroke="{INK}"/><text transform="translate(18 {m}) rotate(-90)" fill="{INK}" text-anchor="middle">{label}</text>"#,
        b = HEIGHT - BOTTOM,
        m = (TOP + HEIGHT - BOTTOM) / 2.0,
        label = escape(label),
    );
}

fn legend(out: &mut String, entries: &[(String, &str, bool)]) {
    for (i, (name, colour, dashed)) in entries.iter().enumerate() {
        let x = WIDTH - RIGHT + 14.0;
        let y = TOP + 10.0 + 20.0 * i as f64;
        let dash = if *dashed {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        let _ = writeln!(
            out,
            r#"<line x1="{x}" x2="{x2}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="3"{dash}/><text x="{tx}" y="{ty}" fill="{INK}">{name}</text>"#,
            x2 = x + 22.0,
            tx = x + 28.0,
            ty = y + 4.0,
            name = escape(name),
        );
    }
}

impl LineChart {
    /// The chart as an SVG document.
    pub fn render(&self) -> String {
        let points = || self.series.iter().flat_map(|s| s.points.iter().copied());
        let x_values = points().map(|(x, _)| x).chain(self.x_ticks.iter().copied());
        let mut x = Scale::new(self.x.log, x_values, LEFT, WIDTH - RIGHT);
        if self.x.log && !self.x_ticks.is_empty() {
            // Hug the given ticks instead of rounding out to powers of ten.
            let lo = self.x_ticks.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = self.x_ticks.iter().copied().fold(0.0, f64::max);
            (x.min, x.max) = (lo / 1.25, hi * 1.25);
        }
        let y = Scale::new(self.y.log, points().map(|(_, y)| y), HEIGHT - BOTTOM, TOP);
        let mut out = String::new();
        open(&mut out, &self.title);
        y_axis(&mut out, &y, &self.y.label);
        let ticks = if self.x_ticks.is_empty() {
            x.ticks()
        } else {
            self.x_ticks.clone()
        };
        for (i, tick) in ticks.into_iter().enumerate() {
            let px = x.at(tick);
            let text = self
                .x_labels
                .get(i)
                .cloned()
                .unwrap_or_else(|| short_number(tick));
            let _ = writeln!(
                out,
                r#"<line x1="{px:.1}" x2="{px:.1}" y1="{b}" y2="{b2}" stroke="{INK}"/><text x="{px:.1}" y="{ty}" fill="{INK}" text-anchor="middle">{text}</text>"#,
                b = HEIGHT - BOTTOM,
                b2 = HEIGHT - BOTTOM + 5.0,
                ty = HEIGHT - BOTTOM + 20.0,
                text = escape(&text),
            );
        }
        for (at, label) in &self.markers {
            let px = x.at(*at);
            let _ = writeln!(
                out,
                r#"<line x1="{px:.1}" x2="{px:.1}" y1="{TOP}" y2="{b}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="3 3"/><text x="{tx:.1}" y="{ty}" fill="{INK}" font-size="11">{label}</text>"#,
                b = HEIGHT - BOTTOM,
                tx = px + 4.0,
                ty = TOP + 12.0,
                label = escape(label),
            );
        }
        let _ = writeln!(
            out,
            r#"<line x1="{LEFT}" x2="{r}" y1="{b}" y2="{b}" stroke="{INK}"/><text x="{m}" y="{ly}" fill="{INK}" text-anchor="middle">{label}</text>"#,
            r = WIDTH - RIGHT,
            b = HEIGHT - BOTTOM,
            m = (LEFT + WIDTH - RIGHT) / 2.0,
            ly = HEIGHT - 12.0,
            label = escape(&self.x.label),
        );
        let mut entries = Vec::new();
        for (i, series) in self.series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let path: Vec<String> = series
                .points
                .iter()
                .map(|&(px, py)| format!("{:.1},{:.1}", x.at(px), y.at(py)))
                .collect();
            let dashed = series.stroke == Stroke::Reference;
            let dash = if dashed {
                r#" stroke-dasharray="6 4""#
            } else {
                ""
            };
            let _ = writeln!(
                out,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>"#,
                path.join(" "),
            );
            if !dashed {
                for point in &path {
                    let (cx, cy) = point.split_once(',').unwrap_or(("0", "0"));
                    let _ = writeln!(
                        out,
                        r#"<circle cx="{cx}" cy="{cy}" r="3.5" fill="{colour}"/>"#
                    );
                }
            }
            entries.push((series.name.clone(), colour, dashed));
        }
        legend(&mut out, &entries);
        out.push_str("</svg>\n");
        out
    }
}

impl BarChart {
    /// The chart as an SVG document.
    pub fn render(&self) -> String {
        let values = self
            .series
            .iter()
            .flat_map(|(_, values)| values.iter().copied())
            .chain(self.references.iter().map(|(_, v)| *v));
        let y = Scale::new(self.y.log, values, HEIGHT - BOTTOM, TOP);
        let mut out = String::new();
        open(&mut out, &self.title);
        y_axis(&mut out, &y, &self.y.label);
        let groups = self.categories.len().max(1) as f64;
        let group_width = (WIDTH - RIGHT - LEFT) / groups;
        let bars = self.series.len().max(1) as f64;
        let bar_width = group_width * 0.75 / bars;
        let base = HEIGHT - BOTTOM;
        for (g, category) in self.categories.iter().enumerate() {
            let left = LEFT + group_width * g as f64 + group_width * 0.125;
            for (s, (_, values)) in self.series.iter().enumerate() {
                let Some(&value) = values.get(g) else {
                    continue;
                };
                if !value.is_finite() || (self.y.log && value <= 0.0) {
                    continue;
                }
                let top = y.at(value);
                let _ = writeln!(
                    out,
                    r#"<rect x="{x:.1}" y="{top:.1}" width="{w:.1}" height="{h:.1}" fill="{c}"><title>{v}</title></rect>"#,
                    x = left + bar_width * s as f64,
                    w = bar_width * 0.92,
                    h = (base - top).max(0.0),
                    c = PALETTE[s % PALETTE.len()],
                    v = short_number(value),
                );
            }
            let _ = writeln!(
                out,
                r#"<text x="{x:.1}" y="{ty}" fill="{INK}" text-anchor="middle">{text}</text>"#,
                x = LEFT + group_width * (g as f64 + 0.5),
                ty = base + 20.0,
                text = escape(category),
            );
        }
        let _ = writeln!(
            out,
            r#"<line x1="{LEFT}" x2="{r}" y1="{base}" y2="{base}" stroke="{INK}"/>"#,
            r = WIDTH - RIGHT,
        );
        let mut entries: Vec<(String, &str, bool)> = self
            .series
            .iter()
            .enumerate()
            .map(|(s, (name, _))| (name.clone(), PALETTE[s % PALETTE.len()], false))
            .collect();
        for (label, value) in &self.references {
            let py = y.at(*value);
            let _ = writeln!(
                out,
                r#"<line x1="{LEFT}" x2="{r}" y1="{py:.1}" y2="{py:.1}" stroke="{INK}" stroke-width="2" stroke-dasharray="6 4"/>"#,
                r = WIDTH - RIGHT,
            );
            entries.push((label.clone(), INK, true));
        }
        legend(&mut out, &entries);
        out.push_str("</svg>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(0.7), 1.0);
        assert_eq!(nice_ceiling(1.0), 1.0);
        assert_eq!(nice_ceiling(1.3), 2.0);
        assert_eq!(nice_ceiling(2.2), 2.5);
        assert_eq!(nice_ceiling(4.1), 5.0);
        assert_eq!(nice_ceiling(730.0), 1000.0);
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(3.0), "3");
        assert_eq!(short_number(0.25), "0.25");
        assert_eq!(short_number(1500.0), "1.5k");
        assert_eq!(short_number(20_000_000.0), "20M");
        assert_eq!(short_number(100_000.0), "100k");
    }

    #[test]
    fn a_line_chart_is_a_complete_svg_with_every_point_and_name() {
        let chart = LineChart {
            title: "Speedup <vs> workers".to_owned(),
            x: Axis::log("workers"),
            y: Axis::linear("speedup"),
            x_ticks: vec![1.0, 2.0, 4.0, 8.0],
            x_labels: Vec::new(),
            markers: vec![(2.0, "cores".to_owned())],
            series: vec![
                Series::measured("pool", vec![(1.0, 0.9), (2.0, 1.8), (4.0, 1.9), (8.0, 1.9)]),
                Series::reference("ideal", vec![(1.0, 1.0), (2.0, 2.0), (8.0, 2.0)]),
            ],
        };
        let svg = chart.render();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("Speedup &lt;vs&gt; workers"), "escaped title");
        assert_eq!(
            svg.matches("<circle").count(),
            4,
            "a dot per measured point"
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(">pool<") && svg.contains(">ideal<"));
        assert!(svg.contains(">cores<"), "the marker's label");
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn a_bar_chart_draws_a_bar_per_value_and_skips_what_a_log_axis_cannot_show() {
        let chart = BarChart {
            title: "Rate".to_owned(),
            y: Axis::log("per second"),
            categories: vec!["a".to_owned(), "b".to_owned()],
            series: vec![("achieved".to_owned(), vec![950.0, 0.0])],
            references: vec![("target".to_owned(), 1000.0)],
        };
        let svg = chart.render();
        assert_eq!(
            svg.matches("<rect").count(),
            1,
            "zero has no place on a log axis"
        );
        assert!(svg.contains(">target<"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }
}
