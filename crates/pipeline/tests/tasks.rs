//! The tokio pipeline: order, composition, early stop without leaked tasks
//! (even for a stage that never sends), the memory bound, and panics that
//! surface.
//!
//! `test_kit::run_async` fails a test that leaves a task (or a thread)
//! alive; the paused-clock harness makes "the pipeline has settled" exact.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pipeline::sequential;
use pipeline::tasks::{self, filter, generate, square, stage};
use pipeline::threads::StagePanicked;

#[test]
fn the_task_pipeline_gives_what_the_iterator_chain_gives_in_order() {
    test_kit::run_async(|| async {
        let even = filter(square(generate(1..=1000u64)), |n| n % 2 == 0);
        let piped = even.collect().await.expect("no stage panics");
        let chained: Vec<u64> = sequential::even_squares(1..=1000).collect();
        assert_eq!(piped, chained);
    });
}

#[test]
fn task_stages_compose_in_any_order() {
    test_kit::run_async(|| async {
        let odd_squares = square(filter(generate(1..=10u64), |n| n % 2 == 1));
        assert_eq!(odd_squares.collect().await, Ok(vec![1, 9, 25, 49, 81]));
        let labels = stage(generate(1..=3u64), "label", |n| Some(format!("#{n}")));
        assert_eq!(
            labels.collect().await.expect("no panics"),
            ["#1", "#2", "#3"]
        );
    });
}

// ANCHOR: early_stop
#[test]
fn dropping_the_stage_stops_every_task_without_awaiting_them() {
    // Dropping cannot await; it aborts every task, each stops at its next
    // `.await`, and the harness's task-leak check finds none left.
    test_kit::run_async(|| async {
        let mut even = filter(square(generate(1..)), |n| n % 2 == 0);
        let mut firsts = Vec::new();
        for _ in 0..3 {
            firsts.push(even.recv().await.expect("an endless source"));
        }
        assert_eq!(firsts, [4, 16, 36]);
        drop(even);
    });
}
// ANCHOR_END: early_stop

// ANCHOR: drop_aborts
#[test]
fn dropping_the_stage_stops_a_stage_that_never_sends() {
    // `filter` rejects everything, so it never sends and never learns from
    // a failed send that nobody reads. Without an abort, `generate` and
    // `filter` would hand items to each other forever after the drop; the
    // harness would report both as leaked.
    test_kit::Harness::new().paused_clock().run_async(|| async {
        let taken = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&taken);
        let source = (1..).inspect(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let silent = filter(generate(source), |_| false);
        // Let the two tasks hand a few items over.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(
            taken.load(Ordering::SeqCst) > 0,
            "the source should have started before the drop"
        );
        drop(silent);
        // One turn lets each aborted task be dropped at its next `.await`.
        tokio::task::yield_now().await;
        let at_drop = taken.load(Ordering::SeqCst);
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            taken.load(Ordering::SeqCst),
            at_drop,
            "the source took items after the stage was dropped: its task was not stopped"
        );
    });
}
// ANCHOR_END: drop_aborts

#[test]
fn join_after_an_early_stop_waits_for_every_task() {
    test_kit::run_async(|| async {
        let mut squares = square(generate(1..));
        assert_eq!(squares.recv().await, Some(1));
        assert_eq!(squares.join().await, Ok(()));
    });
}

#[test]
fn a_slow_consumer_holds_the_async_source_back_to_a_fixed_bound() {
    test_kit::Harness::new().paused_clock().run_async(|| async {
        let produced = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&produced);
        let source = (1..).inspect(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let mut last = stage(square(generate(source)), "identity", Some);
        let consumed = 5;
        for _ in 0..consumed {
            last.recv().await.expect("an endless source");
        }
        // On a paused clock, this sleep only ends once every task is
        // blocked: the pipeline has filled up as far as it can. Three
        // tasks, each with a channel of 1 and one item in hand.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let bound = 3 * (tasks::DEFAULT_CAPACITY + 1);
        assert_eq!(produced.load(Ordering::SeqCst), consumed + bound);
        last.join().await.expect("no stage panics");
    });
}

#[test]
fn a_task_panic_ends_the_stream_and_join_reports_it() {
    test_kit::run_async(|| async {
        let squares = square(generate([2, 3, u64::MAX, 4]));
        assert_eq!(
            squares.collect().await,
            Err(StagePanicked {
                stage: "square".into(),
                message: "18446744073709551615 squared overflows a u64".into(),
            })
        );
    });
}
