//! Terminal or not: colour and a progress line on a terminal, plain and
//! stable text when the output goes to a pipe or a file (so that editors can
//! read it and tests can snapshot it).

use std::io::{IsTerminal, Write};

/// How the checker writes.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    color: bool,
    progress: bool,
}

/// A colour or weight for a piece of text.
#[derive(Debug, Clone, Copy)]
pub enum Style {
    /// Success.
    Green,
    /// Failure.
    Red,
    /// Not done yet, or a warning.
    Yellow,
    /// Headings.
    Bold,
    /// Less important detail.
    Dim,
}

impl Ui {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set; a progress
    /// line when stderr is a terminal.
    pub fn detect(plain: bool) -> Ui {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ui {
            color: !plain && !no_color && std::io::stdout().is_terminal(),
            progress: !plain && std::io::stderr().is_terminal(),
        }
    }

    /// `text` in `style`, or as it is without colour.
    pub fn paint(&self, text: &str, style: Style) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match style {
            Style::Green => "32",
            Style::Red => "31",
            Style::Yellow => "33",
            Style::Bold => "1",
            Style::Dim => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    /// The progress line (a no-op when stderr is not a terminal).
    pub fn progress(&self) -> Progress {
        Progress {
            enabled: self.progress,
        }
    }
}

/// One line on stderr that is rewritten as work goes on.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    /// Whether the line is shown at all (stderr is a terminal).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Replaces the progress line with `message`.
    pub fn set(&self, message: &str) {
        if self.enabled {
            let width = 100;
            let shown: String = message.chars().take(width).collect();
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K{shown}");
            let _ = stderr.flush();
        }
    }

    /// Removes the progress line.
    pub fn clear(&self) {
        if self.enabled {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}
