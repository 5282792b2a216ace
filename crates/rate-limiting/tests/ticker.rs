//! The ticker: exact instants on tokio's paused clock, what each
//! `MissedTickBehavior` does after a slow item, cancellation by drop, and the
//! thread form paced one tick at a time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam::channel;
use rate_limiting::{ConfigError, paced_by, rate_limited, rate_limited_blocking};
use test_kit::Harness;
use tokio::time::{Instant, MissedTickBehavior};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

// ANCHOR: ticks_are_exact
#[test]
fn items_start_exactly_one_period_apart() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let results = rate_limited(0..5, 5, |item| async move { (item, start.elapsed()) })
            .await
            .expect("5 per second is a valid rate");
        let expected: Vec<_> = (0..5).map(|i| (i, ms(200 * i))).collect();
        assert_eq!(results, expected);
    });
}
// ANCHOR_END: ticks_are_exact

#[test]
fn a_slow_item_delays_the_next_tick_instead_of_bursting() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let starts = rate_limited(0..5, 5, |item| async move {
            let started = start.elapsed();
            if item == 1 {
                tokio::time::sleep(ms(500)).await;
            }
            started
        })
        .await
        .expect("5 per second is a valid rate");
        // Item 1 ends at 700 ms; item 2 starts at once, then one period apart.
        assert_eq!(starts, [ms(0), ms(200), ms(700), ms(900), ms(1100)]);
    });
}

/// The start of each of five items, ticked by an interval with `behavior`,
/// when item 1 takes 500 ms and the period is 200 ms.
async fn starts_with(behavior: MissedTickBehavior) -> Vec<Duration> {
    let mut interval = tokio::time::interval(ms(200));
    interval.set_missed_tick_behavior(behavior);
    let start = Instant::now();
    let mut starts = Vec::new();
    for item in 0..5 {
        interval.tick().await;
        starts.push(start.elapsed());
        if item == 1 {
            tokio::time::sleep(ms(500)).await;
        }
    }
    starts
}

// ANCHOR: missed_tick_behaviours_compared
#[test]
fn missed_tick_behaviours_compared() {
    Harness::new().paused_clock().run_async(|| async {
        // Catches up: two items start at the same instant.
        assert_eq!(
            starts_with(MissedTickBehavior::Burst).await,
            [ms(0), ms(200), ms(700), ms(700), ms(800)]
        );
        // Starts the grid afresh: never closer than a period (our choice).
        assert_eq!(
            starts_with(MissedTickBehavior::Delay).await,
            [ms(0), ms(200), ms(700), ms(900), ms(1100)]
        );
        // Keeps the old grid: 700 then 800, only 100 ms apart.
        assert_eq!(
            starts_with(MissedTickBehavior::Skip).await,
            [ms(0), ms(200), ms(700), ms(800), ms(1000)]
        );
    });
}
// ANCHOR_END: missed_tick_behaviours_compared

// ANCHOR: dropping_stops_it
#[test]
fn dropping_the_future_stops_it_before_the_next_item() {
    Harness::new().paused_clock().run_async(|| async {
        let started = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&started);
        let start = Instant::now();
        let run = rate_limited(0..10, 5, move |item| {
            log.lock()
                .expect("no test thread panics holding it")
                .push((item, start.elapsed()));
            std::future::ready(())
        });
        // Items start at 0, 200 and 400 ms; the timeout drops `run` at 500.
        let outcome = tokio::time::timeout(ms(500), run).await;
        assert!(
            outcome.is_err(),
            "ten items take 1.8 s, the timeout is 0.5 s"
        );
        // Long after, nothing more has started: nothing was left running.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let started = started
            .lock()
            .expect("no test thread panics holding it")
            .clone();
        assert_eq!(started, [(0, ms(0)), (1, ms(200)), (2, ms(400))]);
    });
}
// ANCHOR_END: dropping_stops_it

#[test]
fn rates_that_cannot_work_are_errors() {
    Harness::new().paused_clock().run_async(|| async {
        let zero = rate_limited(0..3, 0, |item| async move { item }).await;
        assert_eq!(zero, Err(ConfigError::ZeroRate));
        let too_fast = rate_limited(0..3, u32::MAX, |item| async move { item }).await;
        assert_eq!(
            too_fast,
            Err(ConfigError::RateTooHigh {
                per_second: u32::MAX
            })
        );
        // One per nanosecond is the finest a Duration can express.
        assert!(rate_limiting::ticker(1_000_000_000).is_ok());
    });
    let blocking = rate_limited_blocking(0..3, 0, |item| item);
    assert_eq!(blocking, Err(ConfigError::ZeroRate));
}

// ANCHOR: paced_by_one_tick_at_a_time
#[test]
fn the_thread_form_starts_exactly_one_item_per_tick() {
    test_kit::run(|| {
        // A rendezvous channel: each `send` returns only once the worker has
        // taken that tick, so the test knows exactly how many it has had.
        let (tick_tx, tick_rx) = channel::bounded::<()>(0);
        let (started_tx, started_rx) = channel::unbounded();
        std::thread::scope(|s| {
            let worker = s.spawn(move || {
                paced_by(&tick_rx, 0..5, |item| {
                    started_tx.send(item).expect("the test holds the receiver");
                    item * 10
                })
            });
            for item in 0..5 {
                tick_tx.send(()).expect("the worker waits for five ticks");
                assert_eq!(started_rx.recv(), Ok(item));
                // Without another tick the worker cannot start another item.
                assert!(started_rx.try_recv().is_err());
            }
            let results = worker.join().expect("the worker does not panic");
            assert_eq!(results, [0, 10, 20, 30, 40]);
        });
    });
}
// ANCHOR_END: paced_by_one_tick_at_a_time

#[test]
fn the_thread_form_stops_when_the_ticks_stop() {
    test_kit::run(|| {
        let (tick_tx, tick_rx) = channel::bounded::<()>(0);
        std::thread::scope(|s| {
            let worker = s.spawn(move || paced_by(&tick_rx, 0..5, |item| item));
            tick_tx.send(()).expect("the worker waits for a tick");
            tick_tx.send(()).expect("the worker waits for a tick");
            // The owner of the sender ends the pacing by dropping it.
            drop(tick_tx);
            assert_eq!(worker.join().expect("the worker does not panic"), [0, 1]);
        });
    });
}

#[test]
fn the_thread_form_on_a_real_tick_processes_every_item_in_order() {
    // Real time: 5 items at 100 a second take about 50 ms. The only timing
    // claim is the harness's generous deadline.
    let results = test_kit::run(|| rate_limited_blocking(0..5, 100, |item| item * item));
    assert_eq!(results, Ok(vec![0, 1, 4, 9, 16]));
}
