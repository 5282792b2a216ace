//! The pubsub reference solution (work in progress).
