//! The book's Sync primitives chapter, one step at a time.
//!
//! The chapter's cache is built in steps; this module holds the one that is
//! wrong on purpose, and `tests/steps.rs` shows its failure and the fix
//! (`cargo test -p sync-primitives --test steps`). The finished cache is
//! [`crate::Cache`].
//!
//! | Step | What it adds | The failure it prevents |
//! |------|--------------|-------------------------|
//! | [`crate::Cache::get`], [`crate::Cache::set`] | a map inside an `RwLock` | a map written without its lock does not compile |
//! | [`step1_get_then_set`] | cache-aside as `get`, then `set` | |
//! | [`crate::Cache::get_or_load`] | the fill inserts only if the key is still absent | a fill that overwrites a newer value with the stale one it loaded |

pub mod step1_get_then_set;
