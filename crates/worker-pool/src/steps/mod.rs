//! The book's Worker pool chapter, one step at a time.
//!
//! Each module is one step of the chapter: the smallest pool that works,
//! then one change at a time, each made because of a failure that
//! `tests/steps.rs` shows (`cargo test -p worker-pool --test steps`). They
//! are here to be read next to the chapter, not used: the finished pool is
//! [`crate::threads`] and [`crate::tasks`].
//!
//! | Step | What it adds | The failure it prevents |
//! |------|--------------|-------------------------|
//! | [`step1_smallest`] | scoped workers on one shared crossbeam `Receiver` | |
//! | [`step2_bounded`] | a feeder thread, bounded channels, results as they come | the whole batch queued before any work starts |
//! | [`step3_panics`] | `catch_unwind` around each job | one panicking job takes the batch down |
//! | [`step4_tasks`] | the task form, wrongly: every job spawned at once | (the limit: see [`crate::tasks`]) |

pub mod step1_smallest;
pub mod step2_bounded;
pub mod step3_panics;
pub mod step4_tasks;
