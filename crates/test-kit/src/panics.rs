//! Noticing panics on threads nobody joins.
//!
//! A thread that panics ends, and everything it owned is dropped, including
//! the `Sender` of its output channel. Downstream that looks exactly like a
//! normal end of the data: a pipeline stage that overflows on its last item
//! produces the right output and then dies. Unless someone joins the thread,
//! nobody hears of the panic. This module installs a panic hook (once, then
//! chaining to the previous hook, so messages still print) that records every
//! panic while a watch is on.

use std::sync::{Mutex, Once, PoisonError};

/// One panic seen by the hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanicRecord {
    /// The name of the thread that panicked, or `<unnamed>`.
    pub thread: String,
    /// The panic message.
    pub message: String,
    /// `file:line:column` of the panic, when known.
    pub location: String,
}

impl std::fmt::Display for PanicRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "thread '{}' panicked at {}: {}",
            self.thread, self.location, self.message
        )
    }
}

/// `None` when no watch is on; the panics recorded so far otherwise.
static RECORDS: Mutex<Option<Vec<PanicRecord>>> = Mutex::new(None);
static INSTALL: Once = Once::new();

fn records() -> std::sync::MutexGuard<'static, Option<Vec<PanicRecord>>> {
    RECORDS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts recording panics from every thread of the process.
///
/// Watches do not nest; the checked sections of `Harness` run one at a time,
/// which is what makes a process-wide record meaningful.
pub fn start_watch() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Some(list) = records().as_mut() {
                let payload = info.payload();
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "<a panic without a message>".to_owned());
                list.push(PanicRecord {
                    thread: std::thread::current()
                        .name()
                        .unwrap_or("<unnamed>")
                        .to_owned(),
                    message,
                    location: info.location().map_or_else(String::new, |l| l.to_string()),
                });
            }
            previous(info);
        }));
    });
    *records() = Some(Vec::new());
}

/// Stops recording and returns what was recorded since [`start_watch`].
pub fn stop_watch() -> Vec<PanicRecord> {
    records().take().unwrap_or_default()
}
