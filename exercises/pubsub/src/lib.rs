//! The pubsub exercise (work in progress).
