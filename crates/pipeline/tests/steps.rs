//! The failures each step of the Pipeline chapter prevents: each test shows
//! a step's flaw, and the next step's test shows it gone.
//!
//! `cargo test -p pipeline --test steps`. Every body runs inside
//! `test_kit::run` (a deadline and a thread-leak check).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pipeline::StagePanicked;
use pipeline::steps::{step1_smallest, step2_bounded};

/// An endless source `1, 2, 3, ...` that counts the items taken from it.
fn counted_source() -> (Arc<AtomicUsize>, impl Iterator<Item = u64> + Send + 'static) {
    let taken = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&taken);
    let source = (1..).inspect(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    (taken, source)
}

#[test]
fn step1_the_smallest_pipeline_works_and_stops_when_its_consumer_does() {
    test_kit::run(|| {
        let squares = step1_smallest::stage(step1_smallest::generate(1..), |n: u64| Some(n * n));
        let even = step1_smallest::stage(squares, |n| (n % 2 == 0).then_some(n));
        let firsts: Vec<u64> = even.iter().take(3).collect();
        assert_eq!(firsts, [4, 16, 36]);
        // Dropping `even` fails the next send of each stage in turn: the
        // leak check around this test finds every thread gone.
    });
}

// ANCHOR: step1_fails
#[test]
fn step1_an_endless_source_runs_ahead_of_a_slow_consumer() {
    test_kit::run(|| {
        let (taken, source) = counted_source();
        let squares = step1_smallest::stage(step1_smallest::generate(source), |n| Some(n * n));
        let firsts: Vec<u64> = squares.iter().take(5).collect();
        assert_eq!(firsts, [1, 4, 9, 16, 25]);
        // The consumer has taken 5; the source goes on without it.
        while taken.load(Ordering::SeqCst) < 100_000 {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}
// ANCHOR_END: step1_fails

// ANCHOR: step2_fixed
#[test]
fn step2_rendezvous_channels_hold_the_source_back() {
    test_kit::run(|| {
        let (taken, source) = counted_source();
        let squares = step2_bounded::stage(step2_bounded::generate(source), |n| Some(n * n));
        let firsts: Vec<u64> = squares.iter().take(5).collect();
        assert_eq!(firsts, [1, 4, 9, 16, 25]);
        std::thread::sleep(Duration::from_millis(100)); // Time to run ahead, if it could.
        // Two threads, each with one item in its hands: at most 5 + 2 taken.
        assert!(taken.load(Ordering::SeqCst) <= 7);
    });
}
// ANCHOR_END: step2_fixed

// ANCHOR: step2_fails
#[test]
fn step2_a_stage_that_panics_ends_the_stream_quietly() {
    test_kit::run(|| {
        let doubled = step2_bounded::stage(step2_bounded::generate(1..=5u64), |n| {
            assert_ne!(n, 3, "three is too many");
            Some(n * 2)
        });
        // The stream just ends: it looks complete, and no one is told.
        assert_eq!(doubled.iter().collect::<Vec<_>>(), [2, 4]);
    });
}
// ANCHOR_END: step2_fails

// ANCHOR: step3_fixed
#[test]
fn step3_join_says_which_stage_died_and_why() {
    test_kit::run(|| {
        let doubled = pipeline::stage(pipeline::generate(1..=5u64), "double", |n| {
            assert_ne!(n, 3, "three is too many");
            Some(n * 2)
        });
        assert_eq!(doubled.iter().collect::<Vec<_>>(), [2, 4]);
        let StagePanicked { stage, message } = doubled.join().unwrap_err();
        assert_eq!(stage, "double");
        assert!(message.contains("three is too many"));
    });
}
// ANCHOR_END: step3_fixed
