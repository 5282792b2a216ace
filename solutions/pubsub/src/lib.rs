//! Reference solution: a topic-based publish/subscribe broker.
//!
//! Publishers send to a topic; every subscriber of that topic receives its
//! own copy. The exercise (`exercises/pubsub`) states the task and the
//! contract; this file explains the choices.
//!
//! # The design
//!
//! Each subscriber owns the receiving end of its own bounded
//! `tokio::sync::mpsc` channel. The broker keeps, per topic, the sending
//! ends. Publishing clones the message into each subscriber's channel.
//!
//! - **Backpressure, nothing lost.** A subscriber's channel holds
//!   [`CAPACITY`] messages. When it is full, `publish` waits until the
//!   subscriber reads one. A slow subscriber slows its publishers down rather
//!   than losing messages, and nothing grows behind it: the contract allows
//!   no unbounded queue and no lossy buffer, however large.
//! - **The same order for everyone.** Two publishers sending to one topic at
//!   the same time could interleave their sends (A reaches subscriber 1
//!   first, B reaches subscriber 2 first) and the subscribers would disagree
//!   about the order. So a publish holds its topic's `publish_lock` (a
//!   `tokio::sync::Mutex`, because it is held across `.await`) until every
//!   subscriber has its copy.
//! - **Late subscribers see nothing older.** A publish sends to the
//!   subscribers registered when it starts, and a message exists only in
//!   the channels of those subscribers.
//! - **A dropped subscriber never blocks anyone.** Dropping a `Subscriber`
//!   drops its receiver, which closes its channel: a `send` to it fails at
//!   once, even one already waiting for room. The broker forgets closed
//!   channels when the next subscriber arrives and after each publish, so
//!   subscribers that come and go never pile up.
//! - **Close.** [`Broker::close`] drops every sending end. Each subscriber
//!   then receives what is already in its channel, and after that `None`.
//! - **No tasks.** Nothing here is spawned, so nothing can outlive the
//!   broker: all the work happens inside `publish` and `recv`.
//!
//! # Alternatives that also pass
//!
//! - One task per topic that owns the senders and receives messages on a
//!   channel of its own (an actor): order is given by its single loop. The
//!   broker must then end those tasks on close and drop, and `publish` needs
//!   a reply (a `oneshot`) to report how many subscribers it reached and to
//!   make sure a subscriber that arrives later does not get the message.
//! - `tokio::sync::broadcast` per topic, with a `recv` that *reports* lag
//!   instead of skipping silently. The contract's `recv` returns
//!   `Option<T>`, so this changes the API.
//!
//! # Tempting designs that fail
//!
//! - `broadcast` with `Lagged` errors ignored: slow subscribers silently lose
//!   messages, whatever the buffer's size.
//! - An unbounded channel per subscriber: nothing is lost, but memory grows
//!   without bound behind a subscriber that stops reading.
//! - `try_send`, a ring buffer that drops the oldest, or a publish that gives
//!   up after a timeout: messages are lost.
//! - Sending to each subscriber from a spawned task: subscribers see
//!   different orders, and the tasks can outlive the broker.
//! - Keeping the sending ends after `close`: subscribers wait forever.
//! - Forgetting closed senders only in `publish`: subscribers that come and
//!   go, with no publish in between, pile up.
//! - Lower-casing or trimming topic names: topics match exactly.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;

/// How many messages a subscriber's channel holds before `publish` waits.
pub const CAPACITY: usize = 16;

/// One topic: the sending ends of its subscribers' channels.
struct Topic<T> {
    /// Shared, so that a publish takes the list by cloning one `Arc`, not
    /// every `Sender` in it; `subscribe` changes a copy when a publish still
    /// holds the old list (`Arc::make_mut`).
    subscribers: Mutex<Arc<Vec<mpsc::Sender<T>>>>,
    /// Held by a publish until every subscriber has its copy, so that
    /// publishes to this topic never interleave.
    publish_lock: tokio::sync::Mutex<()>,
}

/// The broker's state: the topics, or `None` once closed.
type Topics<T> = Mutex<Option<HashMap<String, Arc<Topic<T>>>>>;

// ANCHOR: broker
/// A topic-based broker, shared by many tasks.
///
/// Cloning a `Broker` is cheap (an `Arc`) and every clone is the same broker.
/// Messages are cloned once per subscriber.
pub struct Broker<T> {
    topics: Arc<Topics<T>>,
}

impl<T> Clone for Broker<T> {
    fn clone(&self) -> Self {
        Broker {
            topics: Arc::clone(&self.topics),
        }
    }
}

impl<T: Clone + Send + 'static> Default for Broker<T> {
    fn default() -> Self {
        Broker::new()
    }
}

/// One subscription: the receiving end of a channel that only this
/// subscriber reads. Dropping it unsubscribes.
pub struct Subscriber<T> {
    messages: mpsc::Receiver<T>,
}

impl<T> Subscriber<T> {
    /// The next message of the topic, or `None` once the broker is closed
    /// and every message published before has been received.
    pub async fn recv(&mut self) -> Option<T> {
        self.messages.recv().await
    }
}
// ANCHOR_END: broker

impl<T: Clone + Send + 'static> Broker<T> {
    /// A broker with no topics.
    pub fn new() -> Broker<T> {
        Broker {
            topics: Arc::new(Mutex::new(Some(HashMap::new()))),
        }
    }

    // A panic while one of these std locks is held can only come from a bug
    // in this file (no user code runs under them), so a poisoned lock still
    // holds consistent data.
    fn topics(&self) -> std::sync::MutexGuard<'_, Option<HashMap<String, Arc<Topic<T>>>>> {
        self.topics.lock().unwrap_or_else(PoisonError::into_inner)
    }

    // ANCHOR: subscribe
    /// Subscribes to `topic`: the subscriber receives every message published
    /// to it from now on. After [`Broker::close`], the subscriber is already
    /// at its end (`recv` returns `None`).
    pub fn subscribe(&self, topic: &str) -> Subscriber<T> {
        let (tx, rx) = mpsc::channel(CAPACITY);
        if let Some(topics) = self.topics().as_mut() {
            let topic = topics.entry(topic.to_owned()).or_insert_with(|| {
                Arc::new(Topic {
                    subscribers: Mutex::new(Arc::new(Vec::new())),
                    publish_lock: tokio::sync::Mutex::new(()),
                })
            });
            let mut subscribers = topic
                .subscribers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let subscribers = Arc::make_mut(&mut subscribers);
            subscribers.retain(|subscriber| !subscriber.is_closed());
            subscribers.push(tx);
        }
        // Closed broker: `tx` is dropped here, so `rx` is closed from the start.
        Subscriber { messages: rx }
    }
    // ANCHOR_END: subscribe

    // ANCHOR: publish
    /// Sends a copy of `message` to every subscriber of `topic`, waiting while
    /// a subscriber's channel is full. Returns how many subscribers received
    /// it: 0 for a topic nobody listens to, and 0 after [`Broker::close`].
    ///
    /// Not cancel-safe: a publish stopped while it waits for room (its future
    /// dropped by a `timeout` or by another branch of a `select!`) has given
    /// the message to the subscribers before the full one and not to the
    /// rest. Let a publish finish when every subscriber must see the same
    /// messages.
    pub async fn publish(&self, topic: &str, message: T) -> usize {
        let Some(topic) = self
            .topics()
            .as_ref()
            .and_then(|topics| topics.get(topic).cloned())
        else {
            return 0;
        };
        // One publish per topic at a time: every subscriber sees one order.
        let _in_order = topic.publish_lock.lock().await;
        if self.topics().is_none() {
            return 0; // Closed while we waited for our turn.
        }
        // The list as it is now (one `Arc` clone): later subscribers are
        // not in it, and the lock is not held across the sends.
        let subscribers = Arc::clone(
            &topic
                .subscribers
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let mut reached = 0;
        for subscriber in subscribers.iter() {
            // Room now: no wait. Full: wait for room (this fails at once if
            // the subscriber is dropped meanwhile). Dropped: skip it.
            let sent = match subscriber.try_send(message.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(message)) => {
                    subscriber.send(message).await.is_ok()
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            };
            reached += usize::from(sent);
        }
        if reached < subscribers.len() {
            // Someone was dropped: forget their senders.
            let mut current = topic
                .subscribers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            Arc::make_mut(&mut current).retain(|subscriber| !subscriber.is_closed());
        }
        reached
    }
    // ANCHOR_END: publish

    // ANCHOR: close
    /// Closes the broker: every subscriber receives what was already
    /// published to it, then `None`. Later publishes reach nobody (they
    /// return 0) and later subscribers are closed from the start.
    pub fn close(&self) {
        // Dropping the map drops every sending end (a publish in progress
        // keeps its own copies until it returns).
        self.topics().take();
    }
    // ANCHOR_END: close
}
