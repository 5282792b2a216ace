//! The book's Fan-out and fan-in chapter, one step at a time.
//!
//! The smallest fan-in, then the changes the chapter makes to it, each for
//! a failure that `tests/steps.rs` shows (`cargo test -p fan-out-fan-in
//! --test steps`). They are here to be read next to the chapter; the
//! finished forms are [`crate::threads`] and [`crate::tasks`].
//!
//! | Step | What it adds | The failure it prevents |
//! |------|--------------|-------------------------|
//! | [`step1_smallest`] | a forwarding thread per input, closed by ownership | |
//! | [`crate::threads::fan_in`] | a cancel signal at both blocking points | a forwarder on a silent input never stops |
//! | [`step3_tasks`] | the task form, wrongly: the lock held while working | (the workers run one at a time: see [`crate::tasks::fan_out`]) |

pub mod step1_smallest;
pub mod step3_tasks;
