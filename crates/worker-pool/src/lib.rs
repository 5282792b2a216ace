//! The worker-pool pattern (work in progress).
