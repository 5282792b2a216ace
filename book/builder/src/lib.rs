//! Builds the workshop's book: mdBook 0.5 used as a library, plus one preprocessor of our own.
//!
//! The book lives in `book/` (`book.toml`, `src/SUMMARY.md` and the chapters).
//! [`build`] loads it with [`mdbook_driver`], adds the [`diagrams::SvgbobPreprocessor`] that turns
//! ```` ```svgbob ```` blocks into inline SVG, renders the HTML into a folder of your choice,
//! and returns the path of its `index.html`.
//!
//! Two things make this builder stricter than `mdbook build`:
//!
//! - every warning or error mdBook logs (a missing `{{#include}}` file or anchor, unbalanced
//!   HTML) makes [`build`] fail, listing them, instead of scrolling past;
//! - the book works offline: `book.toml` turns the playground off, and the tests check that
//!   no page loads a script, stylesheet or font from the network.
//!
//! From the command line (the same thing `cargo xtask book` runs):
//!
//! ```text
//! cargo run -p book-builder -- build          # builds into book/build/, prints index.html's path
//! cargo run -p book-builder -- build --open   # ...and opens it in your browser
//! ```

use anyhow::{Context as _, bail};
use mdbook_driver::MDBook;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub mod diagrams;
mod problems;

/// The book's folder in this workspace (`book/`, the one holding `book.toml`).
pub fn book_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("book/builder always has a parent folder")
        .to_path_buf()
}

/// Builds the book found in `book_dir` into `dest_dir` and returns the path of `index.html`.
///
/// `dest_dir` replaces the `build-dir` of `book.toml`; mdBook empties it first.
///
/// # Errors
///
/// Fails (with `anyhow`, since the caller only reports) if `book.toml` or `SUMMARY.md` cannot
/// be read, a chapter listed in `SUMMARY.md` is missing, rendering fails, or mdBook logged any
/// warning or error while building. In the last case the HTML was still written, and the
/// message lists every problem.
pub fn build(book_dir: &Path, dest_dir: &Path) -> anyhow::Result<PathBuf> {
    let (result, problems) = problems::collect(|| -> anyhow::Result<()> {
        let mut book = MDBook::load(book_dir)
            .with_context(|| format!("could not load the book in {}", book_dir.display()))?;
        book.config.build.build_dir = dest_dir.to_path_buf();
        book.with_preprocessor(diagrams::SvgbobPreprocessor);
        book.build()
            .with_context(|| format!("could not build the book into {}", dest_dir.display()))
    });
    // A failed build often logged its cause: show both.
    if let Err(error) = result {
        let logged = problems.join("\n");
        return Err(error.context(logged));
    }
    if !problems.is_empty() {
        bail!(
            "mdBook reported {} problem(s) while building the book into {}:\n{}\n\
             Fix them in the chapters under {} (a missing include file or ANCHOR is the usual cause).",
            problems.len(),
            dest_dir.display(),
            problems.join("\n"),
            book_dir.join("src").display(),
        );
    }
    Ok(dest_dir.join("index.html"))
}

/// Builds the book found in `book_dir` into the `build-dir` that its `book.toml` names.
///
/// # Errors
///
/// As for [`build`], and if `book.toml` cannot be read.
pub fn build_in_place(book_dir: &Path) -> anyhow::Result<PathBuf> {
    let config_path = book_dir.join("book.toml");
    let config = mdbook_driver::config::Config::from_disk(&config_path)
        .with_context(|| format!("could not read {}", config_path.display()))?;
    build(book_dir, &book_dir.join(&config.build.build_dir))
}

/// Opens `path` in the default browser (`xdg-open` on Linux, `open` on macOS, `start` on Windows).
///
/// # Errors
///
/// Fails if the opener program is missing or reports a failure; callers print a hint and go on.
pub fn open_in_browser(path: &Path) -> anyhow::Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut command = Command::new("cmd");
        // `start` takes the window title first: an empty one.
        command.args(["/C", "start", ""]);
        command
    } else {
        Command::new("xdg-open")
    };
    let program = format!("{:?}", command.get_program());
    let status = command
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("could not run {program}"))?;
    if !status.success() {
        bail!("{program} failed ({status})");
    }
    Ok(())
}
