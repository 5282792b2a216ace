//! The cancellation pattern (work in progress).
