//! The batched pipeline gives exactly what the unbatched one gives, for any
//! batch size, and stops and joins the same way.

use pipeline::{batched, filter, generate, square};

fn unbatched(n: u64) -> Vec<u64> {
    filter(square(generate(1..=n)), |n| n % 2 == 0)
        .into_iter()
        .collect()
}

// ANCHOR: same_output
#[test]
fn batches_of_any_size_give_the_same_items_in_the_same_order() {
    test_kit::run(|| {
        let expected = unbatched(100);
        for batch_size in [1, 2, 3, 7, 10, 64, 100, 1000] {
            let batches = batched::filter(
                batched::square(batched::generate(1..=100u64, batch_size)),
                |n| n % 2 == 0,
            );
            let items: Vec<u64> = batches.into_iter().flatten().collect();
            assert_eq!(items, expected, "batch size {batch_size}");
        }
    });
}
// ANCHOR_END: same_output

#[test]
fn batches_have_the_requested_size_except_the_last() {
    let sizes = test_kit::run(|| {
        let batches = batched::square(batched::generate(1..=10u64, 4));
        batches.into_iter().map(|b| b.len()).collect::<Vec<_>>()
    });
    assert_eq!(sizes, [4, 4, 2]);
}

#[test]
fn a_batch_the_filter_empties_is_not_sent() {
    let batches = test_kit::run(|| {
        // Batches [1, 3], [5, 6], [7, 9], [10]: two of them have no even number.
        let odd_then_even = [1u64, 3, 5, 6, 7, 9, 10];
        let even = batched::filter(batched::generate(odd_then_even, 2), |n| n % 2 == 0);
        even.into_iter().collect::<Vec<_>>()
    });
    assert_eq!(batches, [vec![6], vec![10]]);
}

#[test]
fn dropping_a_batched_pipeline_early_stops_every_stage() {
    test_kit::run(|| {
        let batches = batched::square(batched::generate(1.., 16));
        let first: Vec<u64> = batches.into_iter().flatten().take(20).collect();
        assert_eq!(first, (1..=20u64).map(|n| n * n).collect::<Vec<_>>());
    });
}

#[test]
#[should_panic(expected = "a batch size must be at least 1")]
fn a_batch_size_of_zero_is_refused_on_the_spot() {
    test_kit::run(|| drop(batched::generate(1..=3u64, 0)));
}
