//! The Leak detection chapter's smallest thread check, and the leak it
//! catches. A test binary of its own: a check without the crate's lock sees
//! every thread of the process, so no other test may run beside it.
//!
//! `cargo test -p leak-detection --test steps_threads`. Linux only: other
//! systems have no `/proc/self/task`.
#![cfg(target_os = "linux")]

use std::collections::BTreeSet;
use std::time::Duration;

use leak_detection::classic::Mailbox;

// ANCHOR: smallest_threads
/// The kernel ids of this process's threads, on Linux.
fn thread_ids() -> BTreeSet<String> {
    std::fs::read_dir("/proc/self/task")
        .expect("Linux lists a process's threads here")
        .map(|entry| {
            entry
                .expect("readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// The threads that `body` started and that are still alive after `grace`.
fn threads_left_by(grace: Duration, body: impl FnOnce()) -> BTreeSet<String> {
    let before = thread_ids();
    body();
    std::thread::sleep(grace); // Joined threads need a moment to leave the list.
    thread_ids().difference(&before).cloned().collect()
}
// ANCHOR_END: smallest_threads

#[test]
fn the_smallest_thread_check_catches_a_send_nobody_receives() {
    let mailbox = Mailbox::default();
    let left = threads_left_by(Duration::from_millis(300), || {
        // The answer takes 50 ms; we wait 5 ms, and the worker's send blocks.
        assert_eq!(
            mailbox.ask_leaky(Duration::from_millis(50), Duration::from_millis(5)),
            None
        );
    });
    assert_eq!(left.len(), 1, "the ask-leaky worker");
    drop(mailbox); // Its receiver goes: the blocked send fails, the worker ends.
}
