//! Mutex and atomic counters lose no increment; a value published with
//! Release is seen whole by an Acquire reader.

use sync_primitives::{Mailbox, count_with_atomic, count_with_mutex};

#[test]
fn a_mutex_counter_loses_no_increment() {
    let total = test_kit::run(|| count_with_mutex(4, 10_000));
    assert_eq!(total, 40_000);
}

#[test]
fn an_atomic_counter_loses_no_increment() {
    let total = test_kit::run(|| count_with_atomic(4, 10_000));
    assert_eq!(total, 40_000);
}

// ANCHOR: mailbox_test
#[test]
fn a_published_value_is_seen_once_the_flag_is() {
    test_kit::run(|| {
        let mailbox = Mailbox::new();
        assert_eq!(mailbox.get(), None);
        std::thread::scope(|s| {
            let reader = s.spawn(|| {
                // Spin until the flag is up (the deadline catches a hang).
                loop {
                    if let Some(value) = mailbox.get() {
                        return value;
                    }
                    std::thread::yield_now();
                }
            });
            s.spawn(|| mailbox.put(42));
            assert_eq!(reader.join().expect("no panic"), 42);
        });
    });
}
// ANCHOR_END: mailbox_test
