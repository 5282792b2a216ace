//! The token bucket: exact start instants on tokio's paused clock, fairness
//! between concurrent callers, `try_acquire`, refilling, and cancellation.

use std::sync::Arc;
use std::time::Duration;

use rate_limiting::{ConfigError, TokenBucket};
use test_kit::Harness;
use tokio::time::Instant;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

// ANCHOR: burst_then_rate
#[test]
fn ten_callers_get_a_burst_of_three_then_one_every_200_ms() {
    Harness::new().paused_clock().run_async(|| async {
        let bucket = Arc::new(TokenBucket::new(3, 5).expect("valid settings"));
        let start = Instant::now();
        // Ten tasks, all calling at once, in order 0..10.
        let callers: Vec<_> = (0..10)
            .map(|_| {
                let bucket = Arc::clone(&bucket);
                tokio::spawn(async move {
                    bucket.acquire().await;
                    start.elapsed()
                })
            })
            .collect();
        let mut offsets = Vec::new();
        for caller in callers {
            offsets.push(caller.await.expect("the caller does not panic"));
        }
        // Caller i got through at offsets[i]: three from the full bucket,
        // then one per refill, first come first served.
        let expected = [0, 0, 0, 200, 400, 600, 800, 1000, 1200, 1400].map(ms);
        assert_eq!(offsets, expected);
    });
}
// ANCHOR_END: burst_then_rate

#[test]
fn try_acquire_takes_the_burst_then_refuses_until_a_token_drips_in() {
    Harness::new().paused_clock().run_async(|| async {
        let bucket = TokenBucket::new(3, 5).expect("valid settings");
        assert_eq!(
            [
                bucket.try_acquire(),
                bucket.try_acquire(),
                bucket.try_acquire()
            ],
            [true; 3]
        );
        assert!(!bucket.try_acquire(), "empty");
        tokio::time::advance(ms(199)).await;
        assert!(!bucket.try_acquire(), "one token takes 200 ms");
        tokio::time::advance(ms(101)).await;
        // At 300 ms: one token (dripped in at 200), taken.
        assert!(bucket.try_acquire());
        assert!(!bucket.try_acquire());
        // The 100 ms since 200 count towards the next token: it is due at
        // 400 ms, not 500.
        tokio::time::advance(ms(100)).await;
        assert!(bucket.try_acquire());
    });
}

#[test]
fn an_idle_bucket_refills_to_its_capacity_and_no_further() {
    Harness::new().paused_clock().run_async(|| async {
        let bucket = TokenBucket::new(3, 5).expect("valid settings");
        for _ in 0..3 {
            bucket.acquire().await;
        }
        // An hour idle: the bucket is full again, with 3 tokens, not 18 000.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let start = Instant::now();
        let mut offsets = Vec::new();
        for _ in 0..5 {
            bucket.acquire().await;
            offsets.push(start.elapsed());
        }
        assert_eq!(offsets, [0, 0, 0, 200, 400].map(ms));
    });
}

// ANCHOR: try_acquire_does_not_jump_the_queue
#[test]
fn try_acquire_does_not_take_the_token_a_waiting_caller_is_due() {
    Harness::new().paused_clock().run_async(|| async {
        let bucket = TokenBucket::new(1, 5).expect("valid settings");
        let start = Instant::now();
        bucket.acquire().await;
        // A waiting caller, polled once by hand: it is now at the head of
        // the queue, asleep until the next token at 200 ms.
        let mut waiting = std::pin::pin!(bucket.acquire());
        assert!(futures::poll!(waiting.as_mut()).is_pending());
        // Move the clock past 200 ms without polling the waiter: the token
        // has dripped in, and it is the waiter's.
        tokio::time::advance(ms(250)).await;
        assert!(!bucket.try_acquire());
        waiting.await;
        assert_eq!(start.elapsed(), ms(250));
        // The waiter took it: the bucket is empty again.
        assert!(!bucket.try_acquire());
    });
}
// ANCHOR_END: try_acquire_does_not_jump_the_queue

// ANCHOR: a_cancelled_acquire_loses_no_token
#[test]
fn a_cancelled_acquire_loses_no_token() {
    Harness::new().paused_clock().run_async(|| async {
        let bucket = Arc::new(TokenBucket::new(1, 5).expect("valid settings"));
        let start = Instant::now();
        bucket.acquire().await; // The only token; the next drips in at 200 ms.

        // First in line, but gives up at 100 ms.
        let impatient = {
            let bucket = Arc::clone(&bucket);
            tokio::spawn(async move { tokio::time::timeout(ms(100), bucket.acquire()).await })
        };
        // Second in line, waits as long as it takes.
        let patient = {
            let bucket = Arc::clone(&bucket);
            tokio::spawn(async move {
                bucket.acquire().await;
                start.elapsed()
            })
        };
        assert!(
            impatient.await.expect("no panic").is_err(),
            "timed out at 100 ms"
        );
        // The 200 ms token went to the patient caller. Had the impatient one
        // reserved it and lost it, the patient one would wait until 400 ms.
        assert_eq!(patient.await.expect("no panic"), ms(200));
    });
}
// ANCHOR_END: a_cancelled_acquire_loses_no_token

#[test]
fn under_real_contention_exactly_capacity_tokens_are_handed_out() {
    // Eight threads race `try_acquire` on a bucket of 5 that refills once a
    // second: however they interleave, exactly 5 succeed. (The test body
    // runs in far less than a second. A `false` because another thread
    // holds the lock is harmless: a thread that holds the lock while tokens
    // are left takes one, so the 5 tokens go within the first attempts.)
    test_kit::run(|| {
        let bucket = TokenBucket::new(5, 1).expect("valid settings");
        let bucket = &bucket;
        let barrier = std::sync::Barrier::new(8);
        let barrier = &barrier;
        let won: usize = std::thread::scope(|s| {
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(move || {
                        barrier.wait();
                        (0..100).filter(|_| bucket.try_acquire()).count()
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().expect("no panic"))
                .sum()
        });
        assert_eq!(won, 5);
    });
}

#[test]
fn settings_that_cannot_work_are_errors() {
    assert_eq!(
        TokenBucket::new(0, 5).map(|_| ()),
        Err(ConfigError::ZeroCapacity)
    );
    assert_eq!(
        TokenBucket::new(3, 0).map(|_| ()),
        Err(ConfigError::ZeroRate)
    );
    let bucket = TokenBucket::new(3, 5).expect("valid settings");
    assert_eq!((bucket.capacity(), bucket.refill_every()), (3, ms(200)));
}

// ANCHOR: late_caller
#[test]
fn a_late_caller_does_not_push_later_tokens_back_given_room_for_two() {
    // A timer that oversleeps is a caller that comes late. The bucket
    // counts the tokens owed from when they were due, so with room for two
    // the token after a late one is still due on the old schedule; with
    // room for one, the bucket was full while the caller was late, and
    // that time earned nothing.
    Harness::new().paused_clock().run_async(|| async {
        for (capacity, next_due) in [(2, 400), (1, 450)] {
            let bucket = TokenBucket::new(capacity, 5).expect("valid settings");
            let start = Instant::now();
            for _ in 0..capacity {
                bucket.acquire().await; // Empty the bucket at 0 ms.
            }
            // The next token is due at 200 ms; the caller comes at 250 ms.
            tokio::time::advance(ms(250)).await;
            assert!(bucket.try_acquire(), "due at 200 ms, taken at 250 ms");
            bucket.acquire().await;
            assert_eq!(start.elapsed(), ms(next_due), "capacity {capacity}");
        }
    });
}
// ANCHOR_END: late_caller
