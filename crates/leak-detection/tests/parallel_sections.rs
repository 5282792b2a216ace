//! Checked sections racing from several threads, as the tests of one binary
//! do: none may blame another for the threads it starts.
//!
//! A file of its own, because this test starts threads outside any check
//! (the racing "test threads" themselves), which would break the rule that
//! keeps the other thread tests exact: in a binary that checks for thread
//! leaks, every test starts its threads inside a check.

use std::time::Duration;

use leak_detection::check_threads;

const GRACE: Duration = Duration::from_millis(200);

#[test]
fn checked_sections_in_parallel_tests_do_not_see_each_other() {
    // Several checked sections racing from several threads, as parallel
    // tests do: each starts and joins its own thread, so none may report a
    // leak, although each sees the others' threads come and go.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..5 {
                    let result = check_threads(GRACE, || {
                        std::thread::spawn(|| std::thread::sleep(Duration::from_millis(5)))
                            .join()
                            .unwrap();
                    });
                    assert_eq!(
                        result,
                        Ok(()),
                        "each section joins its own thread, so none may report a leak; \
                         a leak here means a section blamed another's thread"
                    );
                }
            });
        }
    });
}
