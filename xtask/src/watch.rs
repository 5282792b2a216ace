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
    // A key pressed while a save's events were still arriving, kept for
    // after the check.
    let mut pending = None;
    loop {
        let event = match pending.take() {
            Some(event) => event,
            None => rx.recv().context("the watcher stopped")?,
        };
        match event {
            Event::Quit => return Ok(()),
            Event::Hint => hint(current),
            Event::Recheck => check(current),
            Event::Changed(exercise) => {
                let (saved, key) = settle(&rx, exercise);
                if matches!(key, Some(Event::Quit)) {
                    return Ok(());
                }
                // A re-check asked for now is the check about to run.
                pending = key.filter(|key| !matches!(key, Event::Recheck));
                current = saved;
                check(current);
            }
        }
        prompt(current);
    }
}

/// How long a save's events must have stopped before the check starts:
/// watchexec's default. One save is often several events microseconds apart
/// (a write, a rename, a change of mode); a longer wait is only added to
/// every verdict.
const SETTLE: Duration = Duration::from_millis(50);

/// Waits until no file event has come for [`SETTLE`], and returns the
/// exercise saved last, with the first key pressed meanwhile (which ends the
/// wait: the learner is waiting for it).
fn settle(
    rx: &mpsc::Receiver<Event>,
    mut saved: &'static Exercise,
) -> (&'static Exercise, Option<Event>) {
    loop {
        match rx.recv_timeout(SETTLE) {
            Ok(Event::Changed(exercise)) => saved = exercise,
            Ok(key) => return (saved, Some(key)),
            Err(_) => return (saved, None),
        }
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

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::exercises::EXERCISES;

    #[test]
    fn a_burst_of_events_is_one_check_of_the_exercise_saved_last() {
        let (tx, rx) = mpsc::channel();
        for exercise in [&EXERCISES[1], &EXERCISES[1], &EXERCISES[2]] {
            tx.send(Event::Changed(exercise)).unwrap();
        }
        let started = Instant::now();
        let (saved, key) = settle(&rx, &EXERCISES[0]);
        assert_eq!(saved.name, EXERCISES[2].name);
        assert!(key.is_none());
        // The burst is taken whole, then SETTLE passes with nothing new.
        assert!(started.elapsed() >= SETTLE);
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn a_key_pressed_while_events_arrive_ends_the_wait_and_is_kept() {
        let (tx, rx) = mpsc::channel();
        tx.send(Event::Changed(&EXERCISES[1])).unwrap();
        tx.send(Event::Quit).unwrap();
        tx.send(Event::Changed(&EXERCISES[2])).unwrap();
        let (saved, key) = settle(&rx, &EXERCISES[0]);
        assert_eq!(saved.name, EXERCISES[1].name);
        assert!(matches!(key, Some(Event::Quit)));
        // What came after the key is still there for the next round.
        assert!(matches!(rx.try_recv(), Ok(Event::Changed(e)) if e.name == EXERCISES[2].name));
    }

    #[test]
    fn a_single_event_is_checked_after_settle() {
        let (_tx, rx) = mpsc::channel();
        let started = Instant::now();
        let (saved, key) = settle(&rx, &EXERCISES[3]);
        assert_eq!(saved.name, EXERCISES[3].name);
        assert!(key.is_none());
        assert!(started.elapsed() >= SETTLE);
    }
}
