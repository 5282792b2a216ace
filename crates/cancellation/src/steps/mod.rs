//! The book's Cancellation chapter, one step at a time.
//!
//! The error group is built in steps, each for a failure that
//! `tests/steps.rs` shows (`cargo test -p cancellation --test steps`). They
//! are here to be read next to the chapter; the finished group is
//! [`crate::ErrGroup`].
//!
//! | Step | What it adds | The failure it prevents |
//! |------|--------------|-------------------------|
//! | [`step1_wait_all`] | a `JoinSet` and the first error | |
//! | [`step2_cancel_in_wait`] | a token, cancelled by `wait` on the first error | the others work on long after one failed |
//! | [`crate::ErrGroup`] | the failing task cancels the token itself | a caller that calls `wait` late leaves the others running |

pub mod step1_wait_all;
pub mod step2_cancel_in_wait;
