//! Known mistakes: naming the mistake a learner's failures look like.
//!
//! Every wrong fixture in `xtask/tests/fixtures/<exercise>/` is a known
//! mistake, described in its first lines: its name, the book section that
//! explains it, and its signature, the spec tests it fails and words their
//! failures contain (see [`parse`]). When an exercise's failures match a
//! signature, the report says "This looks like a known mistake: ..." and
//! sends the learner to that section. The fixture test
//! (`xtask/tests/specs_reject_wrong_solutions.rs`) judges every fixture
//! through the checker and confirms each is recognised as itself, and as
//! no other.
//!
//! This module only reads the fixtures and the book's `SUMMARY.md`; the
//! recognition never changes a verdict, it only adds a pointer to one.

use std::fs;
use std::path::Path;

use crate::check::Report;
use crate::exercises::Exercise;
use crate::verdict::TestVerdict;

/// One failure of a known mistake's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The spec test that fails.
    pub test: String,
    /// The verdict it gets (`failing`, `timed out`, ...), when the fixture says.
    pub verdict: Option<String>,
    /// Words its message (or its snapshot diff) contains.
    pub words: String,
}

/// What a fixture says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mistake {
    /// The fixture's file name, without `.rs`.
    pub fixture: String,
    /// Whether it is a correct design (`//! RIGHT`) rather than a mistake.
    pub right: bool,
    /// What the code does (the text after `WRONG:` or `RIGHT, another way:`).
    pub summary: String,
    /// The mistake's name, as a learner would say it.
    pub name: String,
    /// `<page.md>#<section>` in the book.
    pub book: Option<String>,
    /// The same, in the book's words (`Solutions > ... > Tempting designs
    /// that fail`), once read against the book by [`fixtures`].
    pub book_place: Option<String>,
    /// The signature.
    pub fails: Vec<Failure>,
    /// Other fixtures this one cannot be told from by the spec's messages
    /// alone (`//! like: a, b`): it may be recognised together with them.
    pub like: Vec<String>,
}

/// Parses a fixture's header: its leading `//! ` lines.
///
/// ```text
/// //! WRONG: <what the code does wrong>
/// //! mistake: <its name>
/// //! book: <page.md>#<section>
/// //! fails: <test>: <words>
/// //! fails: <test> (<verdict>): <words>
/// //! fails: <test> (<verdict>)
/// //! like: <another fixture>, ...
/// ```
///
/// A signature that names every test the mistake fails is exact: it is
/// preferred over one that names only some (see [`recognise`]).
pub fn parse(fixture: &str, source: &str) -> Result<Mistake, String> {
    let mut mistake = Mistake {
        fixture: fixture.to_owned(),
        ..Mistake::default()
    };
    for line in source.lines().map_while(|line| line.strip_prefix("//! ")) {
        if let Some(rest) = line.strip_prefix("RIGHT") {
            mistake.right = true;
            mistake.summary = rest
                .trim_start_matches(", another way")
                .trim_start_matches(':')
                .trim()
                .to_owned();
        } else if let Some(rest) = line.strip_prefix("WRONG") {
            mistake.summary = rest
                .split_once(':')
                .map_or(rest, |(_, text)| text)
                .trim()
                .to_owned();
        } else if let Some(name) = line.strip_prefix("mistake: ") {
            mistake.name = name.trim().to_owned();
        } else if let Some(book) = line.strip_prefix("book: ") {
            mistake.book = Some(book.trim().to_owned());
        } else if let Some(like) = line.strip_prefix("like: ") {
            mistake.like = like.split(',').map(|name| name.trim().to_owned()).collect();
        } else if let Some(fails) = line.strip_prefix("fails: ") {
            // `<test>: <words>`, `<test> (<verdict>): <words>`, or just the
            // test (and its verdict): it fails, whatever it says.
            let (head, words) = fails.split_once(": ").unwrap_or((fails, ""));
            let (test, verdict) = match head.split_once(" (") {
                Some((test, verdict)) => {
                    (test, Some(verdict.trim_end_matches(')').trim().to_owned()))
                }
                None => (head, None),
            };
            mistake.fails.push(Failure {
                test: test.trim().to_owned(),
                verdict,
                words: words.to_owned(),
            });
        }
    }
    if !mistake.right && (mistake.name.is_empty() || mistake.fails.is_empty()) {
        return Err(
            "a wrong fixture needs `//! mistake:` and at least one `//! fails:` line".into(),
        );
    }
    Ok(mistake)
}

/// Every fixture of `exercise`, parsed (those that do not parse are left out).
pub fn fixtures(root: &Path, exercise: &Exercise) -> Vec<Mistake> {
    let dir = root.join("xtask/tests/fixtures").join(exercise.name);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<Mistake> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .filter_map(|path| {
            let name = path.file_stem()?.to_string_lossy().into_owned();
            let mut mistake = parse(&name, &fs::read_to_string(&path).ok()?).ok()?;
            mistake.book_place = mistake.book.as_deref().map(|book| book_place(root, book));
            Some(mistake)
        })
        .collect();
    found.sort_by(|a, b| a.fixture.cmp(&b.fixture));
    found
}

/// Whether `report` shows `failure`.
fn shows(report: &Report, failure: &Failure) -> bool {
    let Some(test) = report.tests.iter().find(|t| t.name == failure.test) else {
        return false;
    };
    if test.verdict == TestVerdict::Passed {
        return false;
    }
    if let Some(verdict) = &failure.verdict
        && test.verdict.label() != verdict
    {
        return false;
    }
    test.message.contains(&failure.words)
        || test
            .snapshot_diff
            .as_deref()
            .is_some_and(|diff| diff.contains(&failure.words))
}

/// The known mistakes whose whole signature `report` shows, best first, and
/// only the best: a signature that names exactly the tests that failed beats
/// one that names some of them; then one that names more of them (more
/// evidence); then one that names the first test that failed (specs go from
/// the basics to the subtle properties, so the first failure is the most
/// telling).
pub fn recognise(root: &Path, report: &Report) -> Vec<Mistake> {
    let failing: Vec<&str> = report
        .tests
        .iter()
        .filter(|t| t.verdict != TestVerdict::Passed)
        .map(|t| t.name.as_str())
        .collect();
    let failed: std::collections::BTreeSet<&str> = failing.iter().copied().collect();
    let first = failing.first().copied();
    let score = |mistake: &Mistake| {
        let named: std::collections::BTreeSet<&str> =
            mistake.fails.iter().map(|f| f.test.as_str()).collect();
        (
            named == failed,
            named.len(),
            first.is_some_and(|first| named.contains(first)),
            mistake.fails.len(),
        )
    };
    let matching: Vec<Mistake> = fixtures(root, report.exercise)
        .into_iter()
        .filter(|mistake| !mistake.right)
        .filter(|mistake| mistake.fails.iter().all(|failure| shows(report, failure)))
        .collect();
    let Some(best) = matching.iter().map(score).max() else {
        return Vec::new();
    };
    matching
        .into_iter()
        .filter(|mistake| score(mistake) == best)
        .collect()
}

/// Where `book/src/<page>#<section>` is, in the book's words:
/// `Solutions > Bounded downloader, explained > Tempting designs that fail`.
pub fn book_place(root: &Path, reference: &str) -> String {
    let (page, section) = reference.split_once('#').unwrap_or((reference, ""));
    let summary = fs::read_to_string(root.join("book/src/SUMMARY.md")).unwrap_or_default();
    let mut part = String::new();
    let mut chapter = None;
    for line in summary.lines() {
        if let Some(title) = line.strip_prefix("# ") {
            part = title.trim().to_owned();
        } else if let Some((title, rest)) = line
            .trim_start()
            .trim_start_matches("- ")
            .strip_prefix('[')
            .and_then(|l| l.split_once("]("))
            && rest.trim_end_matches(')') == page
        {
            chapter = Some(title.to_owned());
            break;
        }
    }
    let heading = fs::read_to_string(root.join("book/src").join(page))
        .unwrap_or_default()
        .lines()
        .filter(|line| line.starts_with('#'))
        .map(|line| line.trim_start_matches('#').trim().to_owned())
        .find(|heading| slug(heading) == section);
    let mut place: Vec<String> = Vec::new();
    if !part.is_empty() && chapter.is_some() {
        place.push(part);
    }
    place.push(chapter.unwrap_or_else(|| page.to_owned()));
    if let Some(heading) = heading {
        place.push(heading.replace('`', ""));
    }
    place.join(" > ")
}

/// mdBook's id for a heading: lower case, spaces to dashes, only letters,
/// digits, `-` and `_` kept.
pub fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixture_header_is_read_with_its_signature() {
        let source = "//! WRONG: runs in batches of `limit`.\n\
                      //! mistake: Downloading in batches\n\
                      //! book: solutions/downloader.md#tempting-designs-that-fail\n\
                      //! fails: never_exceeds: ran in batches\n\
                      //! fails: other (timed out): did not finish\n\
                      use x;\n\
                      //! fails: not_a_header_line: x\n";
        let mistake = parse("batches", source).unwrap();
        assert_eq!(mistake.name, "Downloading in batches");
        assert_eq!(mistake.summary, "runs in batches of `limit`.");
        assert_eq!(mistake.fails.len(), 2);
        assert_eq!(mistake.fails[1].verdict.as_deref(), Some("timed out"));
        assert_eq!(mistake.fails[1].words, "did not finish");
        assert!(parse("x", "//! WRONG: no signature\n").is_err());
        assert!(
            parse("r", "//! RIGHT, another way: a queue.\n")
                .unwrap()
                .right
        );
    }

    #[test]
    fn headings_become_the_ids_mdbook_gives_them() {
        assert_eq!(
            slug("Tempting designs that fail"),
            "tempting-designs-that-fail"
        );
        assert_eq!(
            slug("`select!` and cancellation"),
            "select-and-cancellation"
        );
    }
}
