//! The ordered parallel stage: the chain's output in the chain's order
//! (also under random per-item delays), workers that really run at once,
//! the in-flight bound, an early stop with no thread left behind, and a
//! worker's panic that ends the stream instead of hanging it.
//!
//! Every test runs inside `test_kit::run`: a deadline instead of a hang,
//! and a check that no thread outlives the test.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use pipeline::{batched, generate, generate_with_capacity, parallel, stage};

/// What every form must give: the iterator chain's `filter_map`.
fn chain(n: u64) -> Vec<u64> {
    (1..=n).filter_map(keep_square).collect()
}

fn keep_square(k: u64) -> Option<u64> {
    (!k.is_multiple_of(3)).then_some(k * k)
}

#[test]
fn it_gives_the_chains_items_in_the_chains_order() {
    test_kit::run(|| {
        for workers in [1, 2, 3, 8] {
            for capacity in [0, 1, 16] {
                let out = parallel::stage(
                    generate_with_capacity(1..=500u64, capacity),
                    "square",
                    workers,
                    keep_square,
                );
                let items: Vec<u64> = out.into_iter().collect();
                assert_eq!(items, chain(500), "{workers} workers, capacity {capacity}");
            }
        }
    });
}

#[test]
fn batches_give_the_same_items_in_the_same_order() {
    test_kit::run(|| {
        for batch in [1, 7, 64] {
            let out = parallel::batched_stage(
                batched::generate(1..=500u64, batch),
                "square",
                2,
                keep_square,
            );
            let items: Vec<u64> = out.into_iter().flatten().collect();
            assert_eq!(items, chain(500), "batches of {batch}");
        }
    });
}

/// A small pseudo-random generator (xorshift64*), seeded per case, so that
/// a failure names the seed that reproduces it.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % bound
    }
}

// ANCHOR: order_property
#[test]
fn the_order_is_kept_whatever_each_item_takes() {
    // A property, checked on 40 random cases: any number of workers, any
    // capacity, any input, and a random delay per item, so that the workers
    // finish in a scrambled order. The output is always the chain's.
    test_kit::run(|| {
        for seed in 1..=40u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let workers = 1 + rng.below(4) as usize;
            let capacity = [0, 1, 4][rng.below(3) as usize];
            let n = rng.below(120);
            // Up to 400 µs per item, drawn before the run: item k sleeps delays[k].
            let delays: Arc<Vec<u64>> = Arc::new((0..=n).map(|_| rng.below(400)).collect());
            let out = parallel::stage(
                generate_with_capacity(1..=n, capacity),
                "sleepy",
                workers,
                move |k| {
                    std::thread::sleep(Duration::from_micros(delays[k as usize]));
                    keep_square(k)
                },
            );
            let items: Vec<u64> = out.into_iter().collect();
            assert_eq!(
                items,
                chain(n),
                "seed {seed}: {workers} workers, capacity {capacity}, {n} items"
            );
        }
    });
}
// ANCHOR_END: order_property

#[test]
fn the_workers_run_at_the_same_time_and_a_slow_first_item_keeps_its_place() {
    // Items 1 and 2 wait for each other at a barrier: with one item at a
    // time this would deadlock. Then item 1 is slower than item 2, and
    // still comes out first.
    test_kit::run(|| {
        let barrier = Arc::new(Barrier::new(2));
        let out = parallel::stage(generate([1u64, 2, 3]), "meet", 2, move |k| {
            if k <= 2 {
                barrier.wait();
            }
            if k == 1 {
                std::thread::sleep(Duration::from_millis(20));
            }
            Some(k)
        });
        assert_eq!(out.into_iter().collect::<Vec<_>>(), [1, 2, 3]);
    });
}

// ANCHOR: bounded
#[test]
fn a_slow_consumer_holds_the_source_back_to_the_pipelines_bound() {
    for (workers, capacity) in [(1, 0), (2, 0), (4, 0), (2, 1), (3, 4)] {
        test_kit::run(move || {
            let produced = Arc::new(AtomicUsize::new(0));
            let counter = Arc::clone(&produced);
            let source = (1..).inspect(move |_| {
                counter.fetch_add(1, Ordering::SeqCst);
            });
            let nums = generate_with_capacity(source, capacity);
            let out = parallel::stage(nums, "square", workers, |k: u64| Some(k * k));
            // The source's thread, and `workers + 2` threads in the stage.
            let bound = out.max_in_flight();
            assert_eq!(bound, (workers + 3) * (capacity + 1));

            let consumed = 5;
            for _ in 0..consumed {
                out.recv().expect("an endless source");
            }
            // The consumer stops reading: the pipeline fills up to its
            // bound, and not one item further.
            loop {
                let now = produced.load(Ordering::SeqCst);
                assert!(now <= consumed + bound, "{now} produced, bound {bound}");
                if now == consumed + bound {
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            // A little longer, to see that it stays there.
            std::thread::sleep(Duration::from_millis(20));
            assert_eq!(produced.load(Ordering::SeqCst), consumed + bound);
        });
    }
}
// ANCHOR_END: bounded

#[test]
fn dropping_the_output_stops_every_thread_even_when_nobody_joins() {
    // Go's shape: the threads are detached. The first send after the drop
    // fails, the stop travels up through the workers and the dispatcher to
    // the endless source, and `test_kit::run` finds no thread left.
    test_kit::run(|| {
        let out = parallel::stage(generate(1..), "square", 3, |k: u64| Some(k * k));
        let rx = stage(out, "last", Some).into_receiver();
        let firsts: Vec<u64> = rx.iter().take(4).collect();
        assert_eq!(firsts, [1, 4, 9, 16]);
        drop(rx);
    });
}

#[test]
fn an_empty_input_closes_the_output() {
    test_kit::run(|| {
        let out = parallel::stage(generate(Vec::<u64>::new()), "square", 2, Some);
        assert_eq!(out.recv(), None);
        out.join().expect("no stage panics");
    });
}

#[test]
fn a_worker_panic_ends_the_stream_and_join_names_the_worker() {
    let (items, outcome) = test_kit::run(|| {
        // One worker, so the items before the panic are done before it.
        let out = parallel::stage(generate(1..), "check", 1, |k: u64| {
            assert!(k < 4, "no answer for {k}");
            Some(k)
        });
        let items: Vec<u64> = out.iter().collect();
        (items, out.join())
    });
    assert_eq!(items, [1, 2, 3]);
    let panicked = outcome.expect_err("the worker panicked");
    assert_eq!(
        (panicked.stage.as_str(), panicked.message.as_str()),
        ("check-0", "no answer for 4")
    );
}

#[test]
fn a_panic_among_several_workers_ends_the_stream_too() {
    // With several workers the stream may stop before the items ahead of
    // the lost one; what matters is that it stops, in order, and says why.
    let (items, outcome) = test_kit::run(|| {
        let out = parallel::stage(generate(1..), "check", 3, |k: u64| {
            assert!(k != 50, "no answer for {k}");
            Some(k)
        });
        let items: Vec<u64> = out.iter().collect();
        (items, out.join())
    });
    assert!(items.len() < 50);
    assert_eq!(items, (1..=items.len() as u64).collect::<Vec<_>>());
    assert!(outcome.is_err());
}

#[test]
#[should_panic(expected = "a parallel stage needs at least 1 worker")]
fn no_workers_is_refused_at_once() {
    let _ = parallel::stage(generate(Vec::<u64>::new()), "none", 0, Some);
}
