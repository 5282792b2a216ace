//! The thread pipeline: order, composition, early stop without leaks, the
//! memory bound, overlapping stages, and panics that surface.
//!
//! Every test runs inside `test_kit::run`, which fails it if it hangs or if
//! any thread it started is still alive afterwards.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use pipeline::{
    Stage, StagePanicked, filter, generate, generate_with_capacity, sequential, square, stage,
};

#[test]
fn the_go_tutorial_example_gives_the_even_squares_in_order() {
    let results = test_kit::run(|| {
        let even = filter(square(generate(1..=10u64)), |n| n % 2 == 0);
        even.into_iter().collect::<Vec<_>>()
    });
    assert_eq!(results, [4, 16, 36, 64, 100]);
}

#[test]
fn the_pipeline_gives_what_the_iterator_chain_gives_in_the_same_order() {
    test_kit::run(|| {
        let even = filter(square(generate(1..=1000u64)), |n| n % 2 == 0);
        let piped: Vec<u64> = even.into_iter().collect();
        let chained: Vec<u64> = sequential::even_squares(1..=1000).collect();
        assert_eq!(piped.len(), 500);
        assert_eq!(piped, chained);
    });
}

#[test]
fn stages_compose_in_any_order_and_change_the_item_type() {
    test_kit::run(|| {
        // Filter first, then square: the odd numbers' squares.
        let odd_squares = square(filter(generate(1..=10u64), |n| n % 2 == 1));
        assert_eq!(odd_squares.iter().collect::<Vec<_>>(), [1, 9, 25, 49, 81]);
        odd_squares.join().expect("no stage panics");

        // Square twice, then a stage that turns numbers into strings.
        let labels = stage(square(square(generate(1..=3u64))), "label", |n| {
            Some(format!("#{n}"))
        });
        assert_eq!(labels.into_iter().collect::<Vec<_>>(), ["#1", "#16", "#81"]);
    });
}

#[test]
fn an_empty_source_closes_every_channel_down_the_line() {
    let results = test_kit::run(|| {
        let even = filter(square(generate(Vec::<u64>::new())), |n| n % 2 == 0);
        let results: Vec<u64> = even.iter().collect();
        even.join().expect("no stage panics");
        results
    });
    assert!(results.is_empty());
}

// ANCHOR: early_stop
#[test]
fn dropping_the_receiver_stops_every_stage_even_when_nobody_joins() {
    // `into_receiver` detaches the threads: this is Go's shape, where a
    // stage left blocked on a send would leak. Here the first send after the
    // drop fails, each stage returns in turn, and `test_kit::run` finds no
    // thread left behind.
    test_kit::run(|| {
        let endless = generate(1..); // never runs out by itself
        let even = filter(square(endless), |n| n % 2 == 0).into_receiver();
        let firsts: Vec<u64> = even.iter().take(3).collect();
        assert_eq!(firsts, [4, 16, 36]);
        drop(even);
    });
}
// ANCHOR_END: early_stop

#[test]
fn dropping_the_stage_stops_and_joins_every_stage() {
    test_kit::run(|| {
        let even = filter(square(generate(1..)), |n| n % 2 == 0);
        assert_eq!(even.recv(), Some(4));
        assert_eq!(even.threads(), 3);
        // Joins all three threads before returning; if one did not stop,
        // this would hang and the deadline would fail the test.
        drop(even);
    });
}

// ANCHOR: bounded_memory
#[test]
fn a_slow_consumer_holds_the_source_back_to_a_fixed_bound() {
    for capacity in [0, 1, 4] {
        test_kit::run(move || {
            let produced = Arc::new(AtomicUsize::new(0));
            let counter = Arc::clone(&produced);
            // Counts every item the source takes from its iterator.
            let source = (1..).inspect(move |_| {
                counter.fetch_add(1, Ordering::SeqCst);
            });
            let nums = generate_with_capacity(source, capacity);
            let last = stage(square(nums), "identity", Some);
            // Three threads, each with a channel of `capacity` and one item
            // in hand.
            let bound = last.max_in_flight();
            assert_eq!(bound, 3 * (capacity + 1));

            let consumed = 5;
            for _ in 0..consumed {
                assert!(produced.load(Ordering::SeqCst) <= consumed + bound);
                last.recv().expect("an endless source");
            }
            // Now the consumer stops reading. The pipeline fills up to the
            // bound and not one item further: every load below must be
            // within it, and the loop ends once the bound is reached.
            loop {
                let now = produced.load(Ordering::SeqCst);
                assert!(now <= consumed + bound, "{now} produced, bound {bound}");
                if now == consumed + bound {
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        });
    }
}
// ANCHOR_END: bounded_memory

// ANCHOR: stages_overlap
#[test]
fn stages_work_on_different_items_at_the_same_time() {
    // `filter` is still busy with the first item when `square` starts on the
    // second: each waits at the barrier until the other arrives. In an
    // iterator chain, which runs one stage at a time, this would deadlock.
    test_kit::run(|| {
        let barrier = Arc::new(Barrier::new(2));
        let at_square = Arc::clone(&barrier);
        let squared = stage(generate([1u64, 2]), "square", move |n| {
            if n == 2 {
                at_square.wait();
            }
            Some(n * n)
        });
        let passed = filter(squared, move |&n| {
            if n == 1 {
                barrier.wait();
            }
            true
        });
        assert_eq!(passed.into_iter().collect::<Vec<_>>(), [1, 4]);
    });
}
// ANCHOR_END: stages_overlap

// ANCHOR: panic
#[test]
fn a_stage_panic_ends_the_stream_and_join_reports_it() {
    let (results, outcome) = test_kit::run(|| {
        let squares = square(generate([2, 3, u64::MAX, 4]));
        let results: Vec<u64> = squares.iter().collect();
        (results, squares.join())
    });
    // The stream stopped at the item that panicked...
    assert_eq!(results, [4, 9]);
    // ...and `join` says which stage died, and why.
    assert_eq!(
        outcome,
        Err(StagePanicked {
            stage: "square".into(),
            message: "18446744073709551615 squared overflows a u64".into(),
        })
    );
}
// ANCHOR_END: panic

#[test]
fn dropping_a_stage_whose_thread_panicked_panics_too() {
    let message = test_kit::run(|| {
        let labels: Stage<String> = stage(generate(1..=3u64), "label", |n| {
            assert!(n < 2, "no label for {n}");
            Some(n.to_string())
        });
        assert_eq!(labels.recv().as_deref(), Some("1"));
        let payload = panic::catch_unwind(AssertUnwindSafe(|| drop(labels)))
            .expect_err("the drop re-raises the stage's panic");
        payload
            .downcast_ref::<String>()
            .cloned()
            .expect("a formatted message")
    });
    assert_eq!(message, "pipeline stage `label` panicked: no label for 2");
}

#[test]
fn a_stage_that_never_sends_only_stops_when_its_input_runs_out() {
    // Ownership stops a stage at its next send. A filter that rejects
    // everything never sends, so dropping the consumer does not stop it:
    // it drains the whole source first (here a finite one, so it ends).
    let produced = test_kit::run(|| {
        let produced = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&produced);
        let source = (1..=10_000u64).inspect(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let nothing = filter(generate_with_capacity(source, 64), |_| false);
        drop(nothing); // joins: returns once the source is exhausted
        produced.load(Ordering::SeqCst)
    });
    assert_eq!(produced, 10_000);
}
