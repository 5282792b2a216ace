//! The baselines the benches measure against: the bare loops that do the
//! same job as a pattern with nothing around them (the limit of its design),
//! and the tools a user would otherwise reach for.

use tokio::sync::broadcast;

/// What a broadcast run delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// Messages received, summed over every subscriber.
    pub delivered: u64,
    /// Messages a subscriber missed because it fell behind
    /// (`RecvError::Lagged`), summed over every subscriber.
    pub lost: u64,
}

// ANCHOR: broadcast_baseline
/// One publisher sends `messages` numbers through a
/// `tokio::sync::broadcast` channel of `capacity` to `subscribers` tasks,
/// then drops its sender; returns once every subscriber has seen the
/// channel close.
///
/// `send` never waits: a subscriber more than `capacity` messages behind
/// loses the oldest ones and is told how many (`Lagged`). With `capacity`
/// at least `messages`, nothing can be lost.
///
/// # Panics
///
/// Outside a tokio runtime, or if a subscriber task panics.
pub async fn broadcast(subscribers: usize, messages: u64, capacity: usize) -> Delivery {
    let (tx, _) = broadcast::channel::<u64>(capacity);
    let tasks: Vec<_> = (0..subscribers)
        .map(|_| {
            let mut rx = tx.subscribe();
            tokio::spawn(async move {
                let mut seen = Delivery {
                    delivered: 0,
                    lost: 0,
                };
                loop {
                    match rx.recv().await {
                        Ok(_) => seen.delivered += 1,
                        Err(broadcast::error::RecvError::Lagged(missed)) => seen.lost += missed,
                        Err(broadcast::error::RecvError::Closed) => return seen,
                    }
                }
            })
        })
        .collect();
    for message in 0..messages {
        // Fails only with no subscriber left, which cannot happen here.
        let _ = tx.send(message);
    }
    drop(tx); // Closes the channel: each subscriber ends after the last message.
    let mut total = Delivery {
        delivered: 0,
        lost: 0,
    };
    for task in tasks {
        let seen = task.await.expect("a subscriber does not panic");
        total.delivered += seen.delivered;
        total.lost += seen.lost;
    }
    total
}
// ANCHOR_END: broadcast_baseline

// ANCHOR: mpsc_baseline
/// The limit of the broker's design: one publisher, one bounded
/// `tokio::sync::mpsc` channel of `capacity` per subscriber, each read by a
/// task; the publisher sends every message to every channel in turn and
/// waits while one is full, as the broker does, with no broker around it.
/// Returns the copies received, summed over the subscribers.
///
/// # Panics
///
/// Outside a tokio runtime, if `capacity` is 0, or if a subscriber panics.
pub async fn mpsc_per_subscriber(subscribers: usize, messages: u64, capacity: usize) -> u64 {
    let (senders, tasks): (Vec<_>, Vec<_>) = (0..subscribers)
        .map(|_| {
            let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(capacity);
            let task = tokio::spawn(async move {
                let mut received = 0;
                while rx.recv().await.is_some() {
                    received += 1;
                }
                received
            });
            (tx, task)
        })
        .unzip();
    for message in 0..messages {
        for tx in &senders {
            tx.send(message)
                .await
                .expect("the subscriber reads to the end");
        }
    }
    drop(senders); // Closes every channel: each subscriber ends after its last message.
    let mut delivered = 0;
    for task in tasks {
        delivered += task.await.expect("a subscriber does not panic");
    }
    delivered
}
// ANCHOR_END: mpsc_baseline

// ANCHOR: async_broadcast_baseline
/// One publisher, `subscribers` tasks, one shared ring of `capacity`
/// messages (`async_broadcast`): lossless, and `broadcast` waits while the
/// slowest subscriber is `capacity` messages behind. Returns the copies
/// received, summed over the subscribers.
///
/// # Panics
///
/// Outside a tokio runtime, if `capacity` is 0, or if a subscriber panics.
pub async fn async_broadcast(subscribers: usize, messages: u64, capacity: usize) -> u64 {
    let (tx, rx) = async_broadcast::broadcast::<u64>(capacity);
    let tasks: Vec<_> = (0..subscribers)
        .map(|_| {
            let mut rx = rx.clone();
            tokio::spawn(async move {
                let mut received = 0;
                while rx.recv_direct().await.is_ok() {
                    received += 1;
                }
                received
            })
        })
        .collect();
    // The first receiver would count as a subscriber that never reads, and
    // the ring would fill up for good: only the tasks' clones may remain.
    drop(rx);
    for message in 0..messages {
        tx.broadcast_direct(message)
            .await
            .expect("the subscribers read to the end");
    }
    drop(tx); // Closes the channel: each subscriber ends after the last message.
    let mut delivered = 0;
    for task in tasks {
        delivered += task.await.expect("a subscriber does not panic");
    }
    delivered
}
// ANCHOR_END: async_broadcast_baseline

// ANCHOR: bare_fan_out
/// The limit of a fan-out on threads: a producer thread, `workers` threads
/// that share one crossbeam channel and pass each number on into one merged
/// channel, and the calling thread counting the results; both channels of
/// `capacity` (0 is Go's `make(chan T)`). No cancel signal, no `select!`.
pub fn crossbeam_fan_out(workers: usize, messages: u64, capacity: usize) -> u64 {
    let (tx, rx) = crossbeam::channel::bounded(capacity);
    let (merged_tx, merged_rx) = crossbeam::channel::bounded(capacity);
    std::thread::scope(|s| {
        s.spawn(move || {
            for message in 0..messages {
                tx.send(message).expect("the workers read to the end");
            }
        });
        for _ in 0..workers {
            let (rx, merged_tx) = (rx.clone(), merged_tx.clone());
            s.spawn(move || {
                for message in rx {
                    merged_tx
                        .send(message)
                        .expect("the consumer reads to the end");
                }
            });
        }
        drop((rx, merged_tx)); // The workers hold the only copies.
        merged_rx.iter().count() as u64
    })
}

/// The limit of a fan-out on tasks: a producer task, `workers` tasks that
/// take turns at one `tokio::sync::mpsc` receiver behind an async mutex and
/// pass each number on into one merged channel, and the calling task
/// counting the results; both channels of `capacity` (tokio's smallest is
/// 1). No cancellation token, no `select!`.
///
/// # Panics
///
/// Outside a tokio runtime, if `capacity` is 0, or if a task panics.
pub async fn tokio_fan_out(workers: usize, messages: u64, capacity: usize) -> u64 {
    let (tx, rx) = tokio::sync::mpsc::channel(capacity);
    let (merged_tx, mut merged_rx) = tokio::sync::mpsc::channel(capacity);
    let producer = tokio::spawn(async move {
        for message in 0..messages {
            tx.send(message).await.expect("the workers read to the end");
        }
    });
    let rx = std::sync::Arc::new(tokio::sync::Mutex::new(rx));
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (rx, merged_tx) = (std::sync::Arc::clone(&rx), merged_tx.clone());
            tokio::spawn(async move {
                loop {
                    // The guard is a temporary: it is released before the send.
                    let Some(message) = rx.lock().await.recv().await else {
                        return;
                    };
                    merged_tx
                        .send(message)
                        .await
                        .expect("the consumer reads to the end");
                }
            })
        })
        .collect();
    drop(merged_tx); // The workers hold the only copies.
    let mut count = 0;
    while merged_rx.recv().await.is_some() {
        count += 1;
    }
    producer.await.expect("the producer does not panic");
    for task in tasks {
        task.await.expect("a worker does not panic");
    }
    count
}
// ANCHOR_END: bare_fan_out

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_baseline_delivers_every_message() {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        for capacity in [1, 16] {
            assert_eq!(runtime.block_on(mpsc_per_subscriber(3, 100, capacity)), 300);
            assert_eq!(runtime.block_on(async_broadcast(3, 100, capacity)), 300);
            assert_eq!(runtime.block_on(tokio_fan_out(3, 100, capacity)), 100);
        }
        for capacity in [0, 1, 16] {
            assert_eq!(crossbeam_fan_out(3, 100, capacity), 100);
        }
        let room = runtime.block_on(broadcast(3, 100, 100));
        assert_eq!(
            room,
            Delivery {
                delivered: 300,
                lost: 0
            }
        );
    }
}
