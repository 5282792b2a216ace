//! The pipeline pattern (work in progress).
