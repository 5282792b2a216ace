//! Exercise: a topic-based publish/subscribe broker.
//!
//! Publishers send messages to a topic; every subscriber of that topic
//! receives its own copy. This is the Go tutorial's third exercise ("a
//! topic-based pub/sub system where publishers send to a topic channel and
//! multiple subscribers receive copies"), with tokio.
//!
//! # The contract (what the spec checks, in the spec's order)
//!
//! 1. **Shared.** A `Broker<T>` is shared by many tasks: cloning it is cheap
//!    and every clone is the same broker. It is `Send + Sync` for any
//!    `T: Clone + Send`, and a `Subscriber<T>` is `Send`.
//! 2. **Delivery.** `subscribe(topic)` returns a [`Subscriber`];
//!    `publish(topic, msg)` returns how many subscribers it reached;
//!    `Subscriber::recv()` returns the next message, or `None` at the end.
//!    Every subscriber of a topic receives every message published to it
//!    after it subscribed, **exactly once, in order**.
//! 3. **Topics** are isolated and match **exactly**: no case folding, no
//!    trimming, no prefixes (`"news"` does not reach `"News"`, `" news"` or
//!    `"news/sport"`). A subscriber that arrives late sees nothing older.
//!    Publishing to a topic nobody listens to returns 0 at once.
//! 4. **Bounded queues, backpressure.** A subscriber's queue holds at most
//!    [`CAPACITY`] messages; when it is full, `publish` waits for room. No
//!    message is ever dropped, however long a subscriber stops reading (no
//!    lossy buffer, however large, and no publish that gives up after a
//!    timeout), and nothing grows without bound behind it.
//! 5. **Dropped subscribers.** A dropped subscriber never blocks a
//!    publisher, even one that is already waiting for it, and it is really
//!    forgotten: memory stays flat over 100 000 subscribe-and-drop cycles on
//!    one topic, with no publish in between.
//! 6. **One order.** All subscribers of a topic see the same order, even
//!    with several publishers at once.
//! 7. **Close.** `close()` lets every subscriber receive what was already
//!    published, then its `recv()` returns `None`. Publishing after `close()`
//!    returns 0 and subscribing after it gives a subscriber that is already
//!    at its end; neither ever hangs.
//! 8. **Nothing left running.** No task or thread outlives the broker and
//!    its subscribers.
//!
//! # How to check your work
//!
//! ```text
//! cargo xtask check pubsub     # judge this exercise against its spec
//! cargo xtask hint pubsub      # the next hint, when you are stuck
//! ```
//!
//! The book's chapters on fan-out and fan-in and on this exercise
//! (`cargo xtask book --open`) explain the ideas you need.

// TODO: remove this line when you are done: it keeps the compiler quiet about
// the parameters the starter code does not use yet.
#![allow(
    unused_variables,
    dead_code,
    clippy::todo,
    reason = "starter code: the bodies are yours to write"
)]

use std::marker::PhantomData;

/// How many messages a subscriber's queue holds. When it is full, `publish`
/// waits until the subscriber reads one (backpressure).
pub const CAPACITY: usize = 16;

/// A topic-based broker, shared by many tasks.
pub struct Broker<T> {
    // TODO: replace this with the broker's shared state: the topics, and a
    // way to reach each subscriber of each topic.
    state: PhantomData<T>,
}

impl<T> Clone for Broker<T> {
    fn clone(&self) -> Self {
        // TODO: every clone must be the same broker.
        todo!()
    }
}

impl<T: Clone + Send + 'static> Default for Broker<T> {
    fn default() -> Self {
        Broker::new()
    }
}

/// One subscription. Dropping it unsubscribes.
pub struct Subscriber<T> {
    // TODO: replace this with what a subscriber receives its messages from.
    messages: PhantomData<T>,
}

impl<T> Subscriber<T> {
    /// The next message of the topic, or `None` once the broker is closed
    /// and every message published before has been received.
    pub async fn recv(&mut self) -> Option<T> {
        // TODO
        todo!()
    }
}

impl<T: Clone + Send + 'static> Broker<T> {
    /// A broker with no topics.
    pub fn new() -> Broker<T> {
        // TODO
        todo!()
    }

    /// Subscribes to `topic`: the subscriber receives every message published
    /// to it from now on.
    pub fn subscribe(&self, topic: &str) -> Subscriber<T> {
        // TODO
        todo!()
    }

    /// Sends a copy of `message` to every subscriber of `topic`. Returns how
    /// many subscribers received it.
    pub async fn publish(&self, topic: &str, message: T) -> usize {
        // TODO: think about two publishers at once: do all subscribers see
        // the same order?
        todo!()
    }

    /// Closes the broker: subscribers receive what was already published,
    /// then `None`.
    pub fn close(&self) {
        // TODO
        todo!()
    }
}
