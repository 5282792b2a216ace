//! The book builder's command line.
//!
//! ```text
//! cargo run -p book-builder -- build          # builds into book/build/, prints index.html's path
//! cargo run -p book-builder -- build --open   # ...and opens it in your browser
//! ```
//!
//! `cargo xtask book [--open]` runs the same command.

use std::process::ExitCode;

const USAGE: &str = "usage: cargo run -p book-builder -- build [--open]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let open = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["build"] => false,
        ["build", "--open"] | ["--open", "build"] => true,
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };

    let index = match book_builder::build_in_place(&book_builder::book_dir()) {
        Ok(index) => index,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", index.display());

    if open && let Err(error) = book_builder::open_in_browser(&index) {
        // No browser (a server, a container) is not a failure: the book is built.
        eprintln!(
            "hint: could not open a browser ({error:#}); open {} yourself",
            index.display()
        );
    }
    ExitCode::SUCCESS
}
