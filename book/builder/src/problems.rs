//! Collects the warnings and errors mdBook logs while it builds.
//!
//! mdBook reports most mistakes in a book (an `{{#include}}` whose file or anchor is missing,
//! unbalanced HTML, a footnote never referenced) through `tracing` and then carries on.
//! With no subscriber installed those messages would vanish, and a broken book would look
//! like a good one. [`collect`] runs a closure with a small subscriber that keeps every
//! `WARN` and `ERROR` event, so the builder can print them and fail.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Runs `f` on this thread with a subscriber that records warnings and errors,
/// and returns `f`'s result with the recorded messages (`"WARN: ..."`, `"ERROR: ..."`).
pub fn collect<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    let recorder = Recorder::default();
    let messages = Arc::clone(&recorder.messages);
    let result = tracing::subscriber::with_default(recorder, f);
    let messages = std::mem::take(&mut *messages.lock().unwrap_or_else(PoisonError::into_inner));
    (result, messages)
}

/// A `tracing` subscriber that keeps the text of every `WARN` or `ERROR` event.
#[derive(Default)]
struct Recorder {
    messages: Arc<Mutex<Vec<String>>>,
}

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // In `tracing`, ERROR is the least verbose level: `<= WARN` means WARN or ERROR.
        *metadata.level() <= Level::WARN
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::WARN)
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        // Spans are never enabled (they are all below WARN here), but the trait needs an id.
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut text = MessageText::default();
        event.record(&mut text);
        let message = format!("{}: {}", event.metadata().level(), text.0.trim());
        self.messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(message);
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// The `message` field of an event, followed by any other fields as `name=value`.
#[derive(Default)]
struct MessageText(String);

impl Visit for MessageText {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        use fmt::Write as _;
        // Writing to a String cannot fail.
        let _ = if field.name() == "message" {
            write!(self.0, "{value:?}")
        } else {
            write!(self.0, " {}={value:?}", field.name())
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_warnings_and_errors_only() {
        let ((), messages) = collect(|| {
            tracing::info!("not kept");
            tracing::warn!("kept {}", 1);
            tracing::error!("kept too");
        });
        assert_eq!(messages, ["WARN: kept 1", "ERROR: kept too"]);
    }
}
