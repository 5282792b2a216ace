//! The prime-pipeline reference solution (work in progress).
