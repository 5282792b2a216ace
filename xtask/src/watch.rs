//! `cargo xtask watch`: re-check an exercise each time one of its files is
//! saved.
//!
//! File events come from the operating system (`notify`); `--poll` compares
//! modification times instead, for file systems where events do not arrive
//! (network drives, some containers and virtual machines). On a terminal,
//! single keys act at once: Enter re-checks, `h` shows the next hint, `q`
//! quits (the terminal is put back as it was on the way out, also after
//! Ctrl-C; see [`crate::terminal`]). When standard input is not a terminal,
//! the same words are read a line at a time. Watching only reads: it never
//! writes a learner's file.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;
use notify::Watcher;

use crate::exercises::{Exercise, Target};

/// Why the watcher wakes up.
enum Event {
    /// A file of this exercise changed.
    Changed(&'static Exercise),
    /// The learner asked for a re-check.
    Recheck,
    /// The learner asked for a hint.
    Hint,
    /// The learner asked to stop.
    Quit,
}

/// Watches `exercises` and calls `check` for the one whose files change.
pub fn watch(
    root: &Path,
    exercises: &[&'static Exercise],
    poll: bool,
    mut check: impl FnMut(&'static Exercise),
    mut hint: impl FnMut(&'static Exercise),
) -> anyhow::Result<()> {
    let (tx, rx) = mpsc::channel();
    let dirs: Vec<(PathBuf, &'static Exercise)> = exercises
        .iter()
        .map(|exercise| (root.join(exercise.dir(Target::Exercises)), *exercise))
        .collect();

    let events_tx = tx.clone();
    let owners = dirs.clone();
    let handler = move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        for path in &event.paths {
            if let Some((_, exercise)) = owners.iter().find(|(dir, _)| path.starts_with(dir)) {
                let _ = events_tx.send(Event::Changed(exercise));
            }
        }
    };
    let mut watcher: Box<dyn Watcher> = if poll {
        let config = notify::Config::default()
            .with_poll_interval(Duration::from_millis(500))
            .with_compare_contents(true);
        Box::new(notify::PollWatcher::new(handler, config).context("starting the polling watcher")?)
    } else {
        Box::new(
            notify::recommended_watcher(handler)
                .context("watching for file changes (try --poll)")?,
        )
    };
    for (dir, _) in &dirs {
        for sub in ["src", "Cargo.toml"] {
            let path = dir.join(sub);
            if path.exists() {
                watcher
                    .watch(&path, notify::RecursiveMode::Recursive)
                    .with_context(|| format!("watching {}", path.display()))?;
            }
        }
    }

    // The prompt: single keys on a terminal, else one line at a time. When
    // stdin closes, keys simply stop arriving; file changes still work.
    let keys = crate::terminal::KeyPresses::start();
    let single_keys = keys.is_some();
    std::thread::spawn(move || {
        if single_keys {
            read_keys(&tx);
        } else {
            read_lines(&tx);
        }
    });

    let mut current = exercises[0];
    check(current);
    prompt(current);
    loop {
        let event = rx.recv().context("the watcher stopped")?;
        match event {
            Event::Quit => return Ok(()),
            Event::Hint => hint(current),
            Event::Recheck => check(current),
            Event::Changed(exercise) => {
                // An editor's save is several events in a row: wait for the
                // burst to end, then check once.
                while let Ok(Event::Changed(_)) = rx.recv_timeout(Duration::from_millis(300)) {}
                current = exercise;
                check(current);
            }
        }
        prompt(current);
    }
}

/// Single key presses: `q` quits, `h` asks for a hint, Enter re-checks;
/// other keys do nothing.
fn read_keys(tx: &mpsc::Sender<Event>) {
    use std::io::Read;
    let mut stdin = std::io::stdin().lock();
    let mut key = [0u8; 1];
    loop {
        match stdin.read(&mut key) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let event = match key[0] {
            b'q' | b'Q' => Event::Quit,
            b'h' | b'H' => Event::Hint,
            b'\n' | b'\r' => Event::Recheck,
            _ => continue,
        };
        let quit = matches!(event, Event::Quit);
        if tx.send(event).is_err() || quit {
            return;
        }
    }
}

/// Whole lines, where standard input is not a terminal: `q` or `quit`,
/// `h` or `hint`, anything else re-checks.
fn read_lines(tx: &mpsc::Sender<Event>) {
    let mut line = String::new();
    loop {
        line.clear();
        match std::io::stdin().read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let event = match line.trim() {
            "q" | "quit" => Event::Quit,
            "h" | "hint" => Event::Hint,
            _ => Event::Recheck,
        };
        let quit = matches!(event, Event::Quit);
        if tx.send(event).is_err() || quit {
            return;
        }
    }
}

fn prompt(exercise: &Exercise) {
    println!(
        "\nWatching `{}` for changes. Enter: check again · h: next hint · q: quit",
        exercise.name
    );
}
