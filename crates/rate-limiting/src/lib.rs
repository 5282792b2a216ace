//! The rate-limiting pattern (work in progress).
