//! The terminal: single key presses for `watch`, and the terminal always
//! put back as it was, also when the learner presses Ctrl-C.
//!
//! `watch` reads `h` and `q` as single keys. A terminal normally hands a
//! program whole lines (and echoes what is typed); [`KeyPresses::start`]
//! turns that off (no *canonical* mode, no echo) and keeps everything else,
//! so Ctrl-C still interrupts. The settings it changed are put back when it
//! is dropped, and by [`on_interrupt`]'s handler, which also ends every
//! process the checker started (the tests run in process groups of their
//! own, which a terminal's Ctrl-C does not reach) before the checker exits.

use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(unix)]
use std::sync::{Mutex, PoisonError};

/// The terminal's settings from before [`KeyPresses::start`], to put back.
#[cfg(unix)]
static SAVED: Mutex<Option<rustix::termios::Termios>> = Mutex::new(None);

/// While alive, standard input delivers each key as it is pressed, without
/// echo. Put back when dropped.
pub struct KeyPresses(());

impl KeyPresses {
    /// Switches standard input to single keys; `None` when it is not a
    /// terminal (a pipe, a file, a CI runner) or the terminal refuses, in
    /// which case input stays line by line.
    pub fn start() -> Option<KeyPresses> {
        #[cfg(unix)]
        {
            use rustix::termios::{
                LocalModes, OptionalActions, SpecialCodeIndex, isatty, tcgetattr, tcsetattr,
            };
            let stdin = std::io::stdin();
            if !isatty(&stdin) {
                return None;
            }
            let before = tcgetattr(&stdin).ok()?;
            let mut keys = before.clone();
            keys.local_modes -= LocalModes::ICANON | LocalModes::ECHO;
            // A read returns as soon as one byte is there, with no timer.
            keys.special_codes[SpecialCodeIndex::VMIN] = 1;
            keys.special_codes[SpecialCodeIndex::VTIME] = 0;
            *SAVED.lock().unwrap_or_else(PoisonError::into_inner) = Some(before);
            if tcsetattr(&stdin, OptionalActions::Now, &keys).is_err() {
                restore();
                return None;
            }
            Some(KeyPresses(()))
        }
        #[cfg(not(unix))]
        None
    }
}

impl Drop for KeyPresses {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back as it was before [`KeyPresses::start`], if it was
/// changed; does nothing otherwise, and nothing the second time.
pub fn restore() {
    #[cfg(unix)]
    {
        let saved = SAVED.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(saved) = saved {
            let _ = rustix::termios::tcsetattr(
                std::io::stdin(),
                rustix::termios::OptionalActions::Now,
                &saved,
            );
        }
    }
}

/// Set by the interrupt handler as the first thing it does.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// After an interrupt, waits for the handler to end the process, so that
/// nothing is printed or recorded for tests the interrupt ended (they would
/// look crashed). Returns at once otherwise.
pub fn stop_if_interrupted() {
    if INTERRUPTED.load(Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
}

/// From now on, Ctrl-C (and `kill`, and a closed terminal) puts the
/// terminal back, ends every process this checker started, and exits with
/// the status a shell expects of an interrupted command (128 + the signal).
pub fn on_interrupt() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return; // The default handling stays: the checker just ends.
        };
        let _ = std::thread::Builder::new()
            .name("xtask-interrupt".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    INTERRUPTED.store(true, Ordering::SeqCst);
                    restore();
                    crate::procs::end_everything_started();
                    eprintln!(
                        "\nInterrupted: the check stopped, and every test it had started was ended."
                    );
                    std::process::exit(128 + signal);
                }
            });
    }
}
