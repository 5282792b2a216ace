//! Writing the reports: for the terminal, and as JSON for editors and tools.
//!
//! Everything in a report that came from a test or from the learner's files
//! (panic messages, thread names, snapshot diffs, compiler output, file
//! names) is data, not terminal control: [`escape`] shows every control
//! character as a visible symbol (`␛` for ESC), the way rustc prints them,
//! so that nothing a test prints can clear the screen, move the cursor or
//! paint a fake verdict. JSON strings are escaped by JSON itself.
//!
//! This module only formats; what the verdicts are is decided in
//! [`crate::check`].

use serde_json::json;

use crate::check::{Options, Report, Verdict};
use crate::diagnostics;
use crate::exercises::Target;
use crate::manifest;
use crate::mistakes::{self, Mistake};
use crate::ui::{Style, Ui};
use crate::verdict::{self, TestResult, TestVerdict};

/// `text` with every control character but newline and tab made visible:
/// C0 controls as their Unicode control pictures (`␛`, `␍`, `␇`), DEL as
/// `␡`, and C1 controls and the bidirectional overrides (which reorder what
/// the terminal shows) as `\u{..}`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            '\u{0}'..='\u{1f}' => {
                out.push(char::from_u32(0x2400 + c as u32).expect("a control picture"));
            }
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            _ => out.push(c),
        }
    }
    out
}

/// Sorts `file:line:column` by file, then by line and column as numbers.
fn location_key(location: &str) -> (String, u64, u64) {
    let mut parts = location.rsplitn(3, ':');
    let column = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    let line = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
    (parts.next().unwrap_or_default().to_owned(), line, column)
}

/// How many lines of a message the report shows (all with `--verbose`).
const MESSAGE_LINES: usize = 12;

/// [`wrap`], paragraph by paragraph (paragraphs are separated by blank lines;
/// lines that start with a space are kept as they are).
fn wrap_paragraphs(text: &str, width: usize) -> String {
    text.split("\n\n")
        .map(|paragraph| {
            if paragraph.lines().any(|line| line.starts_with(' ')) {
                paragraph.to_owned()
            } else {
                wrap(paragraph, width)
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Breaks a long paragraph into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> String {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("never empty");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines.join("\n")
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|line| format!("{by}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn first_lines(text: &str, n: usize, verbose: bool) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if verbose || lines.len() <= n {
        return text.to_owned();
    }
    format!(
        "{}\n[... {} more lines: run with --verbose to see them ...]",
        lines[..n].join("\n"),
        lines.len() - n
    )
}

/// The human report.
pub fn render(reports: &[Report], options: &Options, ui: &Ui) -> String {
    let mut out = String::new();
    let noun = match options.target {
        Target::Exercises => "exercise",
        Target::Solutions => "solution",
    };
    // With every exercise checked, only the first one that does not pass is
    // told in detail: the ones after it, a line each, so that a newcomer is
    // never buried under ten reports.
    let first_unfinished = reports.iter().position(|r| r.verdict != Verdict::Passed);
    let mut brief = 0;
    for (index, report) in reports.iter().enumerate() {
        let later =
            options.brief_after_first && first_unfinished.is_some_and(|first| index > first);
        if later {
            let mut line = render_one(report, options, ui);
            line.truncate(line.find('\n').map_or(line.len(), |end| end + 1));
            out.push_str(&line);
            brief += 1;
        } else {
            out.push_str(&render_one(report, options, ui));
            out.push('\n');
        }
    }
    if brief > 0 {
        out.push_str(&ui.paint(
            "  (one line each after the first unfinished exercise: `cargo xtask check <name>` tells one in full)\n\n",
            Style::Dim,
        ));
    }
    let passed = reports
        .iter()
        .filter(|r| r.verdict == Verdict::Passed)
        .count();
    let plural = if reports.len() == 1 { "" } else { "s" };
    let summary = format!(
        "{passed} of {} {noun}{plural} pass{}.",
        reports.len(),
        if reports.len() == 1 { "es" } else { "" }
    );
    let style = if passed == reports.len() {
        Style::Green
    } else {
        Style::Bold
    };
    out.push_str(&ui.paint(&summary, style));
    out.push('\n');
    if options.target == Target::Exercises {
        out.push_str(&next_step(reports));
        out.push('\n');
    }
    out
}

/// `1 test`, `2 tests`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn render_one(report: &Report, options: &Options, ui: &Ui) -> String {
    let exercise = report.exercise;
    let name = exercise.name;
    let passed = report
        .tests
        .iter()
        .filter(|t| t.verdict == TestVerdict::Passed)
        .count();
    let (mark, headline, style) = match report.verdict {
        Verdict::Passed => (
            "✓",
            format!("passed ({})", count(report.tests.len(), "test")),
            Style::Green,
        ),
        Verdict::NotStarted => ("○", "not started".to_owned(), Style::Yellow),
        Verdict::Failing => (
            "✗",
            format!("{passed} of {} pass", count(report.tests.len(), "test")),
            Style::Red,
        ),
        Verdict::DoesNotCompile => ("✗", "does not compile".to_owned(), Style::Red),
        Verdict::SpecEdited => ("✗", "spec edited".to_owned(), Style::Red),
        Verdict::CannotJudge => ("✗", "cannot be judged".to_owned(), Style::Red),
    };
    let mut out = format!(
        "{} {}: {}\n",
        ui.paint(mark, style),
        ui.paint(name, Style::Bold),
        ui.paint(&headline, style)
    );
    let crate_dir = exercise.dir(options.target);
    match report.verdict {
        Verdict::Passed => return out,
        Verdict::NotStarted => {
            let first_todo = report
                .tests
                .iter()
                .filter_map(|t| t.todo_at.as_deref())
                .min_by_key(|at| location_key(at));
            out.push_str(&format!(
                "    Every test stops at a todo!(){}.\n",
                first_todo
                    .map(|at| format!(" (the first at {})", escape(at)))
                    .unwrap_or_default()
            ));
            out.push_str(&format!(
                "    The task and its contract are at the top of {}.\n",
                crate_dir.join("src").join("lib.rs").display()
            ));
        }
        Verdict::DoesNotCompile => {
            let errors = &report.compile_errors;
            if options.verbose {
                for error in errors {
                    out.push_str(&indent(&escape(&error.rendered), "    "));
                    out.push_str("\n\n");
                }
            } else if let Some(first) = errors.first() {
                if let Some(at) = &first.learner_location {
                    out.push_str(&format!("    In your code at {}:\n", escape(at)));
                }
                out.push_str(&indent(
                    &escape(&diagnostics::condense(
                        &first.rendered,
                        &first.learner_src,
                        16,
                    )),
                    "    ",
                ));
                out.push('\n');
                if let Some(classic) = &first.classic {
                    let place = report
                        .workspace_root
                        .as_deref()
                        .map(|root| mistakes::book_place(root, classic.book))
                        .unwrap_or_else(|| classic.book.to_owned());
                    out.push_str(&indent(
                        &wrap(
                            &format!("What this means: {} (book: {place})", classic.explanation),
                            92,
                        ),
                        "    ",
                    ));
                    out.push('\n');
                }
                let more = if errors.len() > 1 {
                    format!("{} errors; ", errors.len())
                } else {
                    String::new()
                };
                out.push_str(&ui.paint(
                    &format!("    ({more}the first is shown; `cargo xtask check {name} --verbose` shows the compiler's full output)\n"),
                    Style::Dim,
                ));
            }
        }
        Verdict::SpecEdited => {
            out.push_str("    These files differ from the ones that shipped, so no verdict can be trusted:\n");
            for edited in &report.edited {
                out.push_str(&format!(
                    "      {} ({})\n",
                    escape(&edited.path),
                    if edited.missing { "missing" } else { "changed" }
                ));
            }
            let paths: Vec<String> = report
                .edited
                .iter()
                .filter(|e| !e.path.contains(' '))
                .map(|e| escape(&e.path))
                .collect();
            if !paths.is_empty() {
                out.push_str(&format!(
                    "    Restore them with: git checkout -- {}\n",
                    paths.join(" ")
                ));
            }
            if report
                .edited
                .iter()
                .any(|e| e.path.contains("private copy"))
            {
                out.push_str(
                    "    A test changed a snapshot while it ran: code under test must not write the spec's files.\n",
                );
            }
        }
        Verdict::CannotJudge => {
            if let Some(problem) = &report.problem {
                out.push_str(&indent(&wrap_paragraphs(&escape(problem), 92), "    "));
                out.push('\n');
            }
        }
        Verdict::Failing => {
            let shipped = manifest::shipped_tests(exercise);
            let advice_of = |name: &str| {
                shipped
                    .iter()
                    .find(|t| t.name == name)
                    .map_or("", |t| t.when_it_times_out)
            };
            let mut generic_advice = false;
            for test in report
                .tests
                .iter()
                .filter(|t| t.verdict != TestVerdict::Passed)
            {
                out.push_str(&render_test(test, options, ui));
                if test.verdict == TestVerdict::TimedOut {
                    match advice_of(&test.name) {
                        "" => generic_advice = true,
                        advice => {
                            out.push_str(&indent(
                                &wrap(
                                    &format!(
                                        "When this test times out, the usual causes are: {advice}"
                                    ),
                                    88,
                                ),
                                "        ",
                            ));
                            out.push('\n');
                        }
                    }
                }
            }
            if generic_advice {
                out.push_str(&indent(&wrap(verdict::HANG_ADVICE, 92), "    "));
                out.push('\n');
            }
            out.push_str(&known_mistakes(report));
        }
    }
    if options.target == Target::Exercises {
        out.push_str(&ui.paint(
            &format!(
                "    Book: Exercises > {} (cargo xtask book --open). Stuck? cargo xtask hint {name}\n",
                exercise.title
            ),
            Style::Dim,
        ));
    }
    out
}

fn render_test(test: &TestResult, options: &Options, ui: &Ui) -> String {
    let style = match test.verdict {
        TestVerdict::NotStarted | TestVerdict::Leaked => Style::Yellow,
        _ => Style::Red,
    };
    let mut out = format!(
        "    {} {}: {}\n",
        ui.paint("✗", style),
        escape(&test.name),
        ui.paint(test.verdict.label(), style)
    );
    if test.verdict == TestVerdict::NotStarted {
        if let Some(at) = &test.todo_at {
            out.push_str(&format!("        stops at the todo!() at {}\n", escape(at)));
        }
        return out;
    }
    // The advice after a deadline message is given once per exercise.
    let message = match test.message.find("This looks like a deadlock") {
        Some(at) if test.verdict == TestVerdict::TimedOut => &test.message[..at],
        _ => &test.message,
    };
    out.push_str(&indent(
        &escape(&first_lines(message, MESSAGE_LINES, options.verbose)),
        "        ",
    ));
    out.push('\n');
    if let Some(diff) = &test.snapshot_diff {
        out.push_str(&indent(&escape(diff), "        | "));
        out.push('\n');
    }
    if let Some(location) = &test.location {
        out.push_str(&ui.paint(&format!("        at {}\n", escape(location)), Style::Dim));
    }
    if let Some(at) = test
        .todo_at
        .as_ref()
        .filter(|_| test.verdict != TestVerdict::NotStarted)
    {
        out.push_str(&format!(
            "        (a todo!() was reached at {}: that part is not written yet)\n",
            escape(at)
        ));
    }
    if options.verbose && !test.output.trim().is_empty() {
        out.push_str("        --- the test's output ---\n");
        out.push_str(&indent(&escape(test.output.trim_end()), "        "));
        out.push('\n');
    }
    out
}

/// "This looks like a known mistake: ...", with where the book explains it.
fn known_mistakes(report: &Report) -> String {
    let place = |mistake: &Mistake| match &mistake.book_place {
        Some(place) => format!(" (book: {place})"),
        None => String::new(),
    };
    let text = match report.mistakes.as_slice() {
        [] => return String::new(),
        [one] => format!(
            "This looks like a known mistake: {}{}.",
            one.name,
            place(one)
        ),
        several => format!(
            "This looks like one of these known mistakes: {}.",
            several
                .iter()
                .map(|m| format!("{}{}", m.name, place(m)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    indent(&wrap(&escape(&text), 92), "    ") + "\n"
}

/// A fixture's header, as JSON.
pub fn mistake_json(root: &std::path::Path, mistake: &Mistake) -> serde_json::Value {
    json!({
        "fixture": mistake.fixture,
        "right": mistake.right,
        "summary": mistake.summary,
        "name": mistake.name,
        "book": mistake.book,
        "book_place": mistake.book.as_deref().map(|book| mistakes::book_place(root, book)),
        "like": mistake.like,
        "fails": mistake.fails.iter().map(|f| json!({
            "test": f.test,
            "verdict": f.verdict,
            "words": f.words,
        })).collect::<Vec<_>>(),
    })
}

/// `Downloading in batches` becomes `downloading in batches`.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !text.starts_with("`") => first.to_lowercase().chain(chars).collect(),
        _ => text.to_owned(),
    }
}

/// The one thing to do next, for the first exercise (in book order) that
/// does not pass yet.
fn next_step(reports: &[Report]) -> String {
    let Some(report) = reports.iter().find(|r| r.verdict != Verdict::Passed) else {
        return "Next: compare your code with the reference solutions (solutions/), explained in the book's \
                Solutions part (cargo xtask book --open)."
            .to_owned();
    };
    let name = report.exercise.name;
    let lib = report.exercise.lib_rs();
    match report.verdict {
        Verdict::NotStarted => format!(
            "Next: start `{name}`: read the task at the top of {}, and the book's page on it \
             (cargo xtask book --open); then run `cargo xtask check {name}`.",
            lib.display()
        ),
        Verdict::DoesNotCompile => format!(
            "Next: make `{name}` compile{}, then run `cargo xtask check {name}`.",
            report
                .compile_errors
                .first()
                .and_then(|e| e.learner_location.as_deref().or(e.location.as_deref()))
                .map(|at| format!(" (start at {})", escape(at)))
                .unwrap_or_default()
        ),
        Verdict::SpecEdited => format!(
            "Next: restore the spec of `{name}` (the command is above), then run `cargo xtask check {name}`."
        ),
        Verdict::CannotJudge => format!(
            "Next: fix what is said above about `{name}`, then run `cargo xtask check {name}`."
        ),
        Verdict::Failing => {
            // The first test in the spec's order (basics first) that fails
            // for a reason, rather than at a todo!().
            let first = report
                .tests
                .iter()
                .find(|t| !matches!(t.verdict, TestVerdict::Passed | TestVerdict::NotStarted))
                .or_else(|| {
                    report
                        .tests
                        .iter()
                        .find(|t| t.verdict != TestVerdict::Passed)
                })
                .map(|t| escape(&t.name))
                .unwrap_or_default();
            let mistake = match report.mistakes.as_slice() {
                [one] => format!(
                    " (it looks like {}: the book section above says why)",
                    lower_first(&one.name)
                ),
                _ => String::new(),
            };
            format!(
                "Next: in `{name}`, make `{first}` pass{mistake}; `cargo xtask watch {name}` re-checks on every save, \
                 and `cargo xtask hint {name}` helps when you are stuck."
            )
        }
        Verdict::Passed => unreachable!("found a report that does not pass"),
    }
}

/// The machine-readable report (`--json`).
pub fn to_json(reports: &[Report], options: &Options) -> serde_json::Value {
    let exercises: Vec<serde_json::Value> = reports
        .iter()
        .map(|report| {
            json!({
                "name": report.exercise.name,
                "verdict": report.verdict.id(),
                "tests": report.tests.iter().map(|t| json!({
                    "name": t.name,
                    "verdict": t.verdict.id(),
                    "label": t.verdict.label(),
                    "message": t.message,
                    "location": t.location,
                    "todo_at": t.todo_at,
                    "snapshot_diff": t.snapshot_diff,
                    "duration_ms": u64::try_from(t.duration.as_millis()).unwrap_or(u64::MAX),
                })).collect::<Vec<_>>(),
                "compile_errors": report.compile_errors.iter().map(|e| json!({
                    "rendered": e.rendered,
                    "location": e.location,
                    "learner_location": e.learner_location,
                    "explanation": e.classic.as_ref().map(|c| c.explanation.clone()),
                    "book": e.classic.as_ref().map(|c| c.book),
                })).collect::<Vec<_>>(),
                "edited": report.edited.iter().map(|e| json!({"path": e.path, "missing": e.missing})).collect::<Vec<_>>(),
                "problem": report.problem,
                "mistakes": report.mistakes.iter().map(|m| json!({
                    "fixture": m.fixture,
                    "name": m.name,
                    "book": m.book,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "target": match options.target { Target::Exercises => "exercises", Target::Solutions => "solutions" },
        "passed": reports.iter().filter(|r| r.verdict == Verdict::Passed).count(),
        "total": reports.len(),
        "exercises": exercises,
    })
}

#[cfg(test)]
mod tests {
    use super::{count, escape};

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(escape("a\x1b[2Jb"), "a␛[2Jb");
        assert_eq!(escape("line\r\nnext\ttab"), "line␍\nnext\ttab");
        assert_eq!(escape("bell\x07 del\x7f"), "bell␇ del␡");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape("abc\u{202e}def"), "abc\\u{202e}def");
        assert_eq!(escape("plain ✓ text"), "plain ✓ text");
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(count(1, "test"), "1 test");
        assert_eq!(count(0, "test"), "0 tests");
        assert_eq!(count(12, "test"), "12 tests");
    }
}
