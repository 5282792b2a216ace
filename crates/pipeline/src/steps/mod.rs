//! The book's Pipeline chapter, one step at a time.
//!
//! The smallest pipeline, Go's shape, then the changes the chapter makes to
//! it, each for a failure that `tests/steps.rs` shows (`cargo test -p
//! pipeline --test steps`). They are here to be read next to the chapter;
//! the finished forms are [`crate::threads`] and [`crate::tasks`].
//!
//! | Step | What it adds | The failure it prevents |
//! |------|--------------|-------------------------|
//! | [`step1_smallest`] | a detached thread per stage, unbounded channels | |
//! | [`step2_bounded`] | rendezvous channels | an endless source runs ahead of a slow consumer without limit |
//! | [`crate::threads::Stage`] | every thread's handle, joined | a stage that panics ends the stream early, and nobody hears of it |
//! | [`crate::tasks::Stage`] | tasks aborted on drop | a stage that never sends cannot be stopped by a closing channel |

pub mod step1_smallest;
pub mod step2_bounded;
