//! Compiler errors, told in the learner's terms: where in *their* file, and,
//! for the classic errors of concurrent Rust, what it means and where the
//! book explains it.
//!
//! rustc reports an error where the requirement was made, which for an
//! exercise is often the spec (the spec spawns the learner's future; the
//! spec moves the learner's type into a thread). The learner cannot change
//! the spec, so the location shown is the first span of the error, or of
//! its notes, that lies in the learner's own source folder; and the
//! condensed rendering keeps every note that points there, however far
//! down rustc put it.
//!
//! The classic errors are recognised from rustc's JSON (the error code, the
//! spans and their labels), never from the rendered text: a future that is
//! not `Send` because a value (usually a lock guard) lives across `.await`;
//! borrowed data escaping into `spawn` (`'static`); a value moved into a
//! closure and used afterwards; and `Rc`/`RefCell` sent to another thread.

use serde_json::Value;

/// One classic error: what it means, in a sentence, and the book section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classic {
    /// What went wrong and the usual fix.
    pub explanation: String,
    /// `<page.md>#<section>` in the book.
    pub book: &'static str,
}

/// Every span of a diagnostic and of its children, primary spans first.
fn all_spans(diagnostic: &Value) -> Vec<&Value> {
    let mut spans: Vec<&Value> = Vec::new();
    let own = diagnostic["spans"].as_array().into_iter().flatten();
    let (primary, other): (Vec<&Value>, Vec<&Value>) = own.partition(|s| s["is_primary"] == true);
    spans.extend(primary);
    spans.extend(other);
    for child in diagnostic["children"].as_array().into_iter().flatten() {
        spans.extend(all_spans(child));
    }
    spans
}

fn labels(diagnostic: &Value) -> Vec<String> {
    all_spans(diagnostic)
        .iter()
        .filter_map(|span| span["label"].as_str())
        .map(str::to_owned)
        .collect()
}

/// Whether `diagnostic` or one of its notes says `word` in its message.
fn diagnostic_mentions(diagnostic: &Value, word: &str) -> bool {
    diagnostic["message"]
        .as_str()
        .is_some_and(|message| message.contains(word))
        || diagnostic["children"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|child| diagnostic_mentions(child, word))
}

/// `file:line:column` of the first span of `diagnostic` (or its notes) in a
/// file under `learner_src` (a path relative to the workspace root, with `/`).
pub fn learner_location(diagnostic: &Value, learner_src: &str) -> Option<String> {
    all_spans(diagnostic).into_iter().find_map(|span| {
        let file = crate::verdict::tidy_path(span["file_name"].as_str()?);
        file.starts_with(learner_src).then(|| {
            format!(
                "{file}:{}:{}",
                span["line_start"].as_u64().unwrap_or(0),
                span["column_start"].as_u64().unwrap_or(0)
            )
        })
    })
}

/// The classic error `diagnostic` is, if it is one.
pub fn classic(diagnostic: &Value) -> Option<Classic> {
    let code = diagnostic["code"]["code"].as_str().unwrap_or_default();
    let labels = labels(diagnostic);
    let any = |needle: &str| labels.iter().any(|label| label.contains(needle));
    let message = diagnostic["message"].as_str().unwrap_or_default();

    // A value that is not `Send` lives across an `.await`: rustc marks the
    // await and the value's type in a note, or (when the future comes from
    // an `async fn`) names the type and the function body it is used in.
    let guard_in_async_fn = code == "E0277"
        && message.contains("cannot be sent between threads safely")
        && message.contains("Guard<")
        && (any("async") || diagnostic_mentions(diagnostic, "async"));
    if any("await occurs here") || guard_in_async_fn {
        let not_send = labels
            .iter()
            .find(|label| label.contains("which is not `Send`"))
            .cloned()
            .unwrap_or_else(|| message.to_owned());
        let guard = not_send.contains("Guard<");
        return Some(Classic {
            explanation: if guard {
                "A std lock guard (`MutexGuard`/`RwLock` guard) is still alive at an `.await`, so the future \
                 is not `Send` and cannot be spawned onto a multi-threaded runtime. Let the guard go before \
                 the `.await` (do the locked work in a block of its own, or copy what you need out), or use \
                 `tokio::sync::Mutex` when the lock must be held across it."
                    .to_owned()
            } else {
                format!(
                    "A value that is not `Send` is still alive at an `.await` ({}), so the future cannot be \
                     spawned onto a multi-threaded runtime. Drop it before the `.await`, or use a `Send` type \
                     (`Arc` instead of `Rc`, a `Mutex` instead of a `RefCell`).",
                    not_send.trim_start_matches("has type ")
                )
            },
            book: if guard {
                "foundations/blocking-in-async.md#stds-mutex-or-tokios"
            } else {
                "foundations/send-sync-arc.md#why-this-matters-for-async-code"
            },
        });
    }
    // Borrowed data that a thread or task could outlive.
    let needs_static = any("'static");
    if matches!(code, "E0373") || (matches!(code, "E0521" | "E0597") && needs_static) {
        return Some(Classic {
            explanation: "A spawned thread or task borrows a local value, but it may run longer than the \
                          function that spawned it (`spawn` needs `'static`). Move owned data in (`move`, and \
                          `.clone()` first if you still need it), share it through an `Arc`, or borrow it \
                          inside `std::thread::scope`, whose threads end before the scope does."
                .to_owned(),
            book: "foundations/send-sync-arc.md#arc-shared-ownership-across-threads",
        });
    }
    // Moved into a closure, then used again.
    if code == "E0382"
        && (any("moved into closure")
            || any("due to use in closure")
            || any("due to use in coroutine"))
    {
        return Some(Classic {
            explanation: "The value was moved into a closure or an `async move` block (a thread or task \
                          owns it now) and then used again here. Clone it before the move (`let mine = value.clone();`), or share it: put \
                          it in an `Arc` and move a clone of the `Arc` into each closure."
                .to_owned(),
            book: "foundations/send-sync-arc.md#arc-shared-ownership-across-threads",
        });
    }
    // `Rc`, `RefCell` and `Cell` are for one thread.
    if code == "E0277"
        && (message.contains("cannot be sent between threads safely")
            || message.contains("cannot be shared between threads safely"))
    {
        let single_threaded = ["Rc<", "RefCell<", "Cell<"]
            .iter()
            .any(|ty| message.contains(ty) || any(ty));
        if single_threaded {
            return Some(Classic {
                explanation: "`Rc`, `RefCell` and `Cell` are built for one thread: their counts and borrow \
                              flags are not atomic, so Rust will not let them cross into another thread or \
                              task. Use `Arc` for shared ownership, and a `Mutex` or `RwLock` (or an atomic) \
                              for shared mutation."
                    .to_owned(),
                book: "foundations/send-sync-arc.md#send-may-move-to-another-thread",
            });
        }
    }
    None
}

/// rustc's rendering of an error, kept short: the first `head` lines, then
/// every note or help that points into `learner_src`, with its excerpt.
pub fn condense(rendered: &str, learner_src: &str, head: usize) -> String {
    let rendered = tidy_spec_paths(rendered);
    let lines: Vec<&str> = rendered.lines().collect();
    if lines.len() <= head {
        return rendered;
    }
    let mut kept: Vec<&str> = lines[..head].to_vec();
    let mut skipped = 0;
    let mut at = head;
    while at < lines.len() {
        // A block: a `note:`/`help:` line (or a bare `-->` line) and what
        // follows up to the next one.
        let start = at;
        at += 1;
        while at < lines.len() && !starts_block(lines[at]) {
            at += 1;
        }
        let block = &lines[start..at];
        if block.iter().any(|line| points_to(line, learner_src)) {
            if skipped > 0 {
                kept.push("    ...");
                skipped = 0;
            }
            kept.extend(block);
        } else {
            skipped += block.len();
        }
    }
    let mut out = kept.join("\n");
    if skipped > 0 {
        out.push_str(&format!("\n    [... {skipped} more lines ...]"));
    }
    out
}

fn starts_block(line: &str) -> bool {
    line.starts_with("note:") || line.starts_with("help:") || line.starts_with("warning:")
}

fn points_to(line: &str, learner_src: &str) -> bool {
    let trimmed = line.trim_start();
    (trimmed.starts_with("-->") || trimmed.starts_with(":::")) && trimmed.contains(learner_src)
}

/// `exercises/x/tests/../../../specs/x/spec.rs` becomes `specs/x/spec.rs`
/// wherever it appears in rustc's text.
fn tidy_spec_paths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        match line.find("/tests/../../../specs/") {
            Some(at) => {
                let begin = line[..at]
                    .rfind(|c: char| c.is_whitespace())
                    .map_or(0, |space| space + 1);
                out.push_str(&line[..begin]);
                out.push_str("specs/");
                out.push_str(&line[at + "/tests/../../../specs/".len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn span(file: &str, line: u64, primary: bool, label: &str) -> Value {
        json!({"file_name": file, "line_start": line, "column_start": 5, "is_primary": primary, "label": label})
    }

    #[test]
    fn a_guard_across_an_await_is_found_in_the_learners_file_and_explained() {
        let error = json!({
            "code": null,
            "message": "future cannot be sent between threads safely",
            "spans": [span("exercises/pubsub/tests/../../../specs/pubsub/spec.rs", 75, true, "future created by async block is not `Send`")],
            "children": [{
                "message": "future is not `Send` as this value is used across an await",
                "spans": [
                    span("exercises/pubsub/src/lib.rs", 52, true, "await occurs here, with `guard` maybe used later"),
                    span("exercises/pubsub/src/lib.rs", 50, false, "has type `std::sync::MutexGuard<'_, Vec<u8>>` which is not `Send`"),
                ],
                "children": [],
            }],
        });
        assert_eq!(
            learner_location(&error, "exercises/pubsub/src/").as_deref(),
            Some("exercises/pubsub/src/lib.rs:52:5")
        );
        let classic = classic(&error).expect("recognised");
        assert!(classic.explanation.contains("lock guard"));
        assert_eq!(
            classic.book,
            "foundations/blocking-in-async.md#stds-mutex-or-tokios"
        );
    }

    #[test]
    fn the_other_classic_errors_are_recognised_by_code_and_spans() {
        let escapes = json!({"code": {"code": "E0521"}, "message": "borrowed data escapes outside of function",
            "spans": [span("src/lib.rs", 13, true, "argument requires that `'1` must outlive `'static`")], "children": []});
        assert!(classic(&escapes).unwrap().explanation.contains("'static"));
        let moved = json!({"code": {"code": "E0382"}, "message": "borrow of moved value: `v`",
            "spans": [span("src/lib.rs", 22, false, "value moved into closure here")], "children": []});
        assert!(classic(&moved).unwrap().explanation.contains("Clone it"));
        let moved_into_task = json!({"code": {"code": "E0382"}, "message": "borrow of moved value: `v`",
            "spans": [span("src/lib.rs", 22, false, "variable moved due to use in coroutine")], "children": []});
        assert!(classic(&moved_into_task).is_some());
        let rc = json!({"code": {"code": "E0277"}, "message": "`Rc<i32>` cannot be sent between threads safely",
            "spans": [], "children": []});
        assert!(classic(&rc).unwrap().explanation.contains("Arc"));
        let other = json!({"code": {"code": "E0308"}, "message": "mismatched types", "spans": [], "children": []});
        assert_eq!(classic(&other), None);
    }

    #[test]
    fn condensing_keeps_the_notes_that_point_at_the_learners_code() {
        let mut rendered = String::from(
            "error: future cannot be sent between threads safely\n   --> exercises/p/tests/../../../specs/p/spec.rs:75:9\n",
        );
        for n in 0..30 {
            rendered.push_str(&format!("    | line {n}\n"));
        }
        rendered.push_str("note: future is not `Send` as this value is used across an await\n   --> exercises/p/src/lib.rs:52:9\n    |\n 52 |  x.await\n");
        rendered.push_str("note: required by a bound in `tokio::spawn`\n   --> /registry/tokio/src/task/spawn.rs:176:21\n    | ...\n");
        let short = condense(&rendered, "exercises/p/src/", 8);
        assert!(short.contains("--> specs/p/spec.rs:75:9"), "{short}");
        assert!(short.contains("--> exercises/p/src/lib.rs:52:9"), "{short}");
        assert!(!short.contains("spawn.rs"), "{short}");
        assert!(short.contains("more lines"), "{short}");
    }
}
