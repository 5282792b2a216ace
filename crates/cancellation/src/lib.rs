//! Cancellation and error groups: stop work that is no longer wanted, and
//! stop a whole group of tasks when one of them fails.
//!
//! Go threads a `context.Context` through every call; when it is cancelled
//! (by hand, or because its deadline passed), `ctx.Done()` closes and every
//! goroutine watching it returns `ctx.Err()`. `errgroup.WithContext` builds
//! on that: the first goroutine to fail cancels the context, and `Wait`
//! returns that first error.
//!
//! Rust has no context parameter. Async code gets the same effect from two
//! mechanisms that work together:
//!
//! - **Asking**: a [`CancellationToken`](tokio_util::sync::CancellationToken)
//!   from `tokio-util`, which the work watches with `tokio::select!` or
//!   checks between chunks ([`long_running`]). Work that is asked can stop
//!   cleanly and say so ([`WorkError::Cancelled`]).
//! - **Dropping**: a future that is dropped stops at its current `.await` and
//!   never runs again. `tokio::time::timeout` ([`with_timeout`]) and the
//!   losing branches of `select!` cancel this way. Dropping an [`ErrGroup`]
//!   does too, one step removed: its `JoinSet` *aborts* its tasks, which
//!   tells each to stop at its next `.await`; [`ErrGroup::shutdown`] also
//!   waits until they have.
//!
//! Threads cannot be dropped half way, and std has no safe way to stop one
//! from outside, so for them only asking works:
//! [`threads::Done`] is a flag and a closing channel, and [`threads::run_all`]
//! is the errgroup on `std::thread::scope`.
//!
//! | Go | Rust | Why it looks like this |
//! |----|------|------------------------|
//! | `ctx, cancel := context.WithCancel(parent)` | `let token = parent.child_token()` | cancelling a parent cancels its children, not the other way round |
//! | `<-ctx.Done()` in a `select` | `() = token.cancelled() =>` in `tokio::select!` | the losing branch's future is dropped |
//! | `select { case <-ctx.Done(): ...; default: }` | `if token.is_cancelled() { .. }` | a check that never waits |
//! | `ctx.Err()`: `Canceled` or `DeadlineExceeded` | [`WorkError::Cancelled`], [`WorkError::DeadlineExceeded`] | a token has no reason; the code that stopped the work knows it |
//! | `context.WithTimeout(ctx, d)` | [`with_timeout`]`(d, work)` (`tokio::time::timeout`) | the limit drops the work instead of signalling it |
//! | `g, ctx := errgroup.WithContext(ctx)`; `g.Go(f)`; `g.Wait()` | [`ErrGroup::with_parent`], [`ErrGroup::spawn`], [`ErrGroup::wait`] | a `JoinSet` plus a token; the failing task cancels it, and a panic counts as an error |
//! | `defer cancel()` | drop the group | dropping aborts every task still running, each at its next `.await` |
//! | cancel, then wait for every goroutine to return | [`ErrGroup::shutdown`] | `JoinSet::shutdown`: abort, then wait |
//! | `done := make(chan struct{})`; `close(done)` | [`threads::Done`] | closing = dropping the only `Sender` |
//!
//! **When to use it:** whenever work may outlive the reason it was started:
//! a request whose client went away, a search that already found its answer,
//! a batch where one failure makes the rest pointless, anything with a time
//! limit. **When not to:** short work that cannot be interrupted usefully.
//! Checking a token in a loop that takes a microsecond adds noise, not
//! safety; let it finish.
//!
//! ```
//! use std::time::Duration;
//! use cancellation::{ErrGroup, WorkError, long_running};
//! use tokio::time::{Instant, sleep};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let start = Instant::now();
//! let mut group: ErrGroup<(), WorkError> = ErrGroup::new();
//! // A worker that fails after 3 seconds...
//! group.spawn(|_token| async {
//!     sleep(Duration::from_secs(3)).await;
//!     Err(WorkError::Failed(anyhow::anyhow!("disk full")))
//! });
//! // ...and one that would work for 100 seconds, one second at a time,
//! // but stops as soon as its token fires.
//! group.spawn(|token| async move {
//!     long_running(&token, 100, |_chunk| async {
//!         sleep(Duration::from_secs(1)).await;
//!         Ok(())
//!     })
//!     .await
//! });
//!
//! // `wait` returns the first error, once the other worker has stopped.
//! let error = group.wait().await.unwrap_err();
//! assert_eq!(error.to_string(), "failed: disk full");
//! // The clock is paused in this example, so the time is exact.
//! assert_eq!(start.elapsed(), Duration::from_secs(3));
//! # }
//! ```
#![doc(test(attr(deny(warnings))))]

pub mod error;
pub mod group;
pub mod steps;
pub mod threads;
pub mod work;

pub use error::{TaskPanicked, WorkError};
pub use group::ErrGroup;
pub use work::{long_running, long_running_between_chunks, with_timeout};
