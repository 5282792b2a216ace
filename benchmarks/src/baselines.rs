//! Baselines that more than one bench measures against.

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
