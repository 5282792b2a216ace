//! The thread group: the first error stops the others promptly (within a
//! generous real-time bound), a panic is an error, a cancel from outside
//! works, and `test_kit::run` finds no thread left behind.

use std::thread;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use cancellation::threads::{self, Done};
use cancellation::{TaskPanicked, WorkError};
use crossbeam::channel;

/// Real threads, real time: only a generous upper bound is safe to assert.
const PROMPTLY: Duration = Duration::from_secs(1);
const CHUNK: Duration = Duration::from_millis(10);

type Worker = Box<dyn FnOnce(&Done) -> Result<u32, WorkError> + Send>;

// ANCHOR: first_error_stops_threads
#[test]
fn the_first_error_stops_every_other_thread_promptly() {
    let (result, elapsed) = test_kit::run(|| {
        let start = Instant::now();
        let workers: Vec<Worker> = vec![
            // Fails after 50 ms.
            Box::new(|done| {
                done.sleep(Duration::from_millis(50))?;
                Err(WorkError::Failed(anyhow!("A: disk full")))
            }),
            // 10 s of work in 10 ms chunks, checking between chunks.
            Box::new(|done| {
                threads::long_running(done, 1000, |_| {
                    thread::sleep(CHUNK);
                    Ok(())
                })?;
                Ok(1)
            }),
            // Waits for a job that never comes, or for the signal.
            Box::new(|done| {
                let (_sender, jobs) = channel::bounded::<u32>(0); // never sends
                channel::select! {
                    recv(jobs) -> job => Ok(job.expect("the sender is still alive")),
                    recv(done.channel()) -> _ => Err(WorkError::Cancelled),
                }
            }),
        ];
        let result = threads::run_all(&Done::new(), workers);
        (result, start.elapsed())
    });
    let Err(WorkError::Failed(error)) = result else {
        panic!("expected A's failure, got {result:?}");
    };
    assert_eq!(error.to_string(), "A: disk full");
    assert!(elapsed < PROMPTLY, "took {elapsed:?}");
}
// ANCHOR_END: first_error_stops_threads

#[test]
fn values_come_back_in_order_when_every_worker_succeeds() {
    let values = test_kit::run(|| {
        let workers = (1..=4u32).map(|n| {
            move |done: &Done| -> Result<u32, WorkError> {
                done.sleep(Duration::from_millis(u64::from(5 - n)))?;
                Ok(n * n)
            }
        });
        threads::run_all(&Done::new(), workers)
    });
    assert_eq!(values.expect("nobody fails"), [1, 4, 9, 16]);
}

#[test]
fn a_panicking_worker_fails_the_group_and_stops_the_others() {
    let (result, elapsed) = test_kit::run(|| {
        let start = Instant::now();
        let workers: Vec<Worker> = vec![
            Box::new(|done| {
                done.sleep(10 * PROMPTLY)?;
                Ok(0)
            }),
            Box::new(|_done| panic!("worker 1 gave up")),
        ];
        (threads::run_all(&Done::new(), workers), start.elapsed())
    });
    let Err(WorkError::Panicked(panicked)) = result else {
        panic!("expected a panic, got {result:?}");
    };
    assert_eq!(
        panicked,
        TaskPanicked {
            task: 1,
            message: "worker 1 gave up".into()
        }
    );
    assert!(elapsed < PROMPTLY, "took {elapsed:?}");
}

#[test]
fn cancelling_from_outside_stops_the_group_with_cancelled() {
    let (result, elapsed) = test_kit::run(|| {
        let start = Instant::now();
        let done = Done::new();
        let result = thread::scope(|scope| {
            scope.spawn(|| {
                thread::sleep(Duration::from_millis(50));
                done.cancel();
            });
            let workers = (0..3).map(|_| {
                |done: &Done| -> Result<u32, WorkError> {
                    threads::long_running(done, 1000, |_| {
                        thread::sleep(CHUNK);
                        Ok(())
                    })?;
                    Ok(0)
                }
            });
            threads::run_all(&done, workers)
        });
        (result, start.elapsed())
    });
    assert!(matches!(result, Err(WorkError::Cancelled)), "{result:?}");
    assert!(elapsed < PROMPTLY, "took {elapsed:?}");
}

#[test]
fn done_fires_once_for_everyone_and_stays_fired() {
    test_kit::run(|| {
        let done = Done::new();
        assert!(!done.is_cancelled());
        assert!(done.sleep(Duration::from_millis(1)).is_ok());
        done.cancel();
        done.cancel(); // a second cancel does nothing
        assert!(done.is_cancelled());
        // A sleep on a fired signal returns at once, however long it asks.
        assert!(matches!(
            done.sleep(10 * PROMPTLY),
            Err(WorkError::Cancelled)
        ));
        assert!(matches!(
            threads::long_running(&done, 5, |_| Ok(())),
            Err(WorkError::Cancelled)
        ));
    });
}
