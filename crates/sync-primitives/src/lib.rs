//! The sync-primitives pattern (work in progress).
