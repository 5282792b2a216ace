//! The fan-out-fan-in pattern (work in progress).
