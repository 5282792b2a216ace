//! `cargo xtask hint`: the tiered hints of an exercise, one at a time.
//!
//! The hints live in `specs/<name>/hints.md`, under `## Hint 1` to
//! `## Hint 3`; the book includes the same text (by its `ANCHOR` markers).

use std::fs;
use std::path::Path;

use anyhow::Context;

use crate::exercises::Exercise;
use crate::state;

/// What each level is.
const KINDS: [&str; 3] = ["a nudge", "the approach", "nearly the answer"];

/// The hints of `exercise`, in order.
pub fn hints(root: &Path, exercise: &Exercise) -> anyhow::Result<Vec<String>> {
    let path = root.join(exercise.spec_dir()).join("hints.md");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut hints: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("## Hint ") {
            hints.push(String::new());
        } else if let Some(current) = hints.last_mut() {
            // The book's include markers are HTML comments: not part of the text.
            if !(line.trim_start().starts_with("<!--") && line.trim_end().ends_with("-->")) {
                current.push_str(line);
                current.push('\n');
            }
        }
    }
    anyhow::ensure!(
        !hints.is_empty(),
        "{} has no `## Hint` sections",
        path.display()
    );
    Ok(hints
        .into_iter()
        .map(|hint| hint.trim().to_owned())
        .collect())
}

/// A hint's Markdown as plain terminal text: code blocks indented by four
/// spaces instead of fenced, `**bold**` and `[links](...)` as their words,
/// list items kept. Inline `code` keeps its backticks, which read well in a
/// terminal too.
pub fn terminal_text(markdown: &str) -> String {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push(format!("    {line}"));
            continue;
        }
        let mut text = line.replace("**", "");
        // `[words](target)` becomes `words`.
        while let Some(open) = text.find('[') {
            let Some(close) = text[open..].find("](").map(|at| open + at) else {
                break;
            };
            let Some(end) = text[close..].find(')').map(|at| close + at) else {
                break;
            };
            text = format!(
                "{}{}{}",
                &text[..open],
                &text[open + 1..close],
                &text[end + 1..]
            );
        }
        out.push(text);
    }
    out.join("\n")
}

/// Forgets which hints of `exercise` were shown (after `reset`).
pub fn forget(root: &Path, exercise: &Exercise) -> anyhow::Result<()> {
    let seen_file = state::dir(root).join(format!("hint-{}", exercise.name));
    match fs::remove_file(&seen_file) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(err).with_context(|| format!("removing {}", seen_file.display()))
        }
        _ => Ok(()),
    }
}

/// Shows hint `level` (1-based), or the next one not shown yet.
pub fn show(root: &Path, exercise: &Exercise, level: Option<usize>) -> anyhow::Result<String> {
    let hints = hints(root, exercise)?;
    let seen_file = state::dir(root).join(format!("hint-{}", exercise.name));
    let seen: usize = fs::read_to_string(&seen_file)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    let level = match level {
        Some(level) => {
            anyhow::ensure!(
                (1..=hints.len()).contains(&level),
                "`{}` has hints 1 to {}; there is no hint {level}",
                exercise.name,
                hints.len()
            );
            level
        }
        None => (seen + 1).min(hints.len()),
    };
    fs::create_dir_all(state::dir(root))?;
    fs::write(&seen_file, seen.max(level).to_string())
        .context("remembering which hint was shown")?;
    let kind = KINDS.get(level - 1).copied().unwrap_or("a hint");
    let mut out = format!(
        "Hint {level} of {} for `{}` ({kind}):\n\n{}\n",
        hints.len(),
        exercise.name,
        terminal_text(&hints[level - 1])
    );
    if level < hints.len() {
        out.push_str(&format!(
            "\nStill stuck? `cargo xtask hint {}` shows hint {}.\n",
            exercise.name,
            level + 1
        ));
    } else {
        out.push_str(&format!(
            "\nThat was the last hint. The book's page on the exercise explains the ideas; \
             `cargo xtask hint {} --level 1` shows the first again.\n",
            exercise.name
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::terminal_text;

    #[test]
    fn hints_read_as_terminal_text() {
        let markdown = "Use **a channel** (see [the chapter](../x.md#y)).\n```text\nlet (tx, rx) = bounded(1);\n```\n- a list item";
        assert_eq!(
            terminal_text(markdown),
            "Use a channel (see the chapter).\n    let (tx, rx) = bounded(1);\n- a list item"
        );
    }
}
