//! The prime-pipeline exercise (work in progress).
