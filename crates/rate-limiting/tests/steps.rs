//! The failure the Rate limiting chapter's first step has, and the fix.
//!
//! `cargo test -p rate-limiting --test steps`. On tokio's paused clock, so
//! the instants are exact, under `test_kit`'s deadline and leak checks.

use std::time::Duration;

use rate_limiting::rate_limited;
use rate_limiting::steps::step1_smallest;
use test_kit::Harness;
use tokio::time::{Instant, sleep};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

// ANCHOR: step1_fails
#[test]
fn step1_after_a_slow_item_two_start_at_once() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let starts = step1_smallest::paced(0..5, ms(200), |item| async move {
            let started = start.elapsed();
            if item == 1 {
                sleep(ms(500)).await; // A slow item: two ticks missed.
            }
            started
        })
        .await;
        assert_eq!(starts, [0, 200, 700, 700, 800].map(ms)); // 700 twice
    });
}
// ANCHOR_END: step1_fails

// ANCHOR: step2_fixed
#[test]
fn step2_with_delay_the_next_tick_is_a_full_period_later() {
    Harness::new().paused_clock().run_async(|| async {
        let start = Instant::now();
        let starts = rate_limited(0..5, 5, |item| async move {
            let started = start.elapsed();
            if item == 1 {
                sleep(ms(500)).await;
            }
            started
        })
        .await
        .expect("5 a second is a valid rate");
        assert_eq!(starts, [0, 200, 700, 900, 1100].map(ms));
    });
}
// ANCHOR_END: step2_fixed
