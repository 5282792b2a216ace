//! Long-running async work that stops when asked, and time limits that say
//! they were time limits.
//!
//! # Two ways to hear "stop"
//!
//! A [`CancellationToken`] is Go's `ctx.Done()` for tokio: any clone can
//! `cancel()` it, and every clone (and child token) then reports
//! `is_cancelled()` and completes `cancelled().await`. Work listens in one of
//! two ways:
//!
//! - [`long_running`] races each chunk against `token.cancelled()` in
//!   `tokio::select!`. It stops the moment the token fires, even in the middle
//!   of a chunk.
//! - [`long_running_between_chunks`] checks `token.is_cancelled()` before each
//!   chunk, like Go's `select { case <-ctx.Done(): ... default: }`. A chunk,
//!   once started, always finishes, so stopping can take up to one chunk.
//!
//! # Cancellation safety
//!
//! When one branch of `select!` completes, the futures of the other branches
//! are *dropped*: not paused, not finished, gone. In [`long_running`], a
//! cancel in the middle of a chunk drops that chunk's future at whichever
//! `.await` it was waiting on, and the work after that point never runs.
//! That is fine for a chunk whose partial work may be lost (a sleep, a
//! computation, a read that will be retried), and wrong for one that must not
//! stop half way (a write of two related records). Such chunks belong in
//! [`long_running_between_chunks`], or must be written so that dropping them
//! at any `.await` leaves things consistent: what tokio's docs call
//! *cancellation safe*.
//!
//! # Time limits
//!
//! [`with_timeout`] is `tokio::time::timeout` with its `Elapsed` error mapped
//! to [`WorkError::DeadlineExceeded`]. A timeout cancels by dropping: when
//! the limit passes, the wrapped future is dropped at its current `.await`
//! (the same rule as above), and everything it owns goes with it, including
//! an [`crate::ErrGroup`], whose drop aborts its tasks: each stops at its
//! next `.await`.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::WorkError;

// ANCHOR: long_running
/// Runs `do_chunk(0)`, `do_chunk(1)`, ..., `do_chunk(chunks - 1)` in order,
/// stopping at once if `token` is cancelled, even in the middle of a chunk.
///
/// Returns [`WorkError::Cancelled`] if the token fired first (or was already
/// cancelled), and [`WorkError::Failed`] with the first chunk's error. The
/// interrupted chunk's future is dropped: see "Cancellation safety" in the
/// module docs.
pub async fn long_running<F, Fut>(
    token: &CancellationToken,
    chunks: u64,
    mut do_chunk: F,
) -> Result<(), WorkError>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    // ANCHOR: race
    for chunk in 0..chunks {
        tokio::select! {
            // Poll the branches in order, so that a cancelled token wins
            // even when the chunk happens to be ready at the same moment.
            biased;
            () = token.cancelled() => return Err(WorkError::Cancelled),
            done = do_chunk(chunk) => done.map_err(WorkError::Failed)?,
        }
    }
    // ANCHOR_END: race
    Ok(())
}
// ANCHOR_END: long_running

// ANCHOR: between_chunks
/// Like [`long_running`], but only checks the token before each chunk: a
/// chunk, once started, always runs to the end. Stops within one chunk of
/// the cancel.
pub async fn long_running_between_chunks<F, Fut>(
    token: &CancellationToken,
    chunks: u64,
    mut do_chunk: F,
) -> Result<(), WorkError>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    // ANCHOR: check
    for chunk in 0..chunks {
        if token.is_cancelled() {
            return Err(WorkError::Cancelled);
        }
        do_chunk(chunk).await.map_err(WorkError::Failed)?;
    }
    // ANCHOR_END: check
    Ok(())
}
// ANCHOR_END: between_chunks

// ANCHOR: with_timeout
/// Runs `work` for at most `limit`. If the limit passes first, `work` is
/// dropped where it stands and the result is [`WorkError::DeadlineExceeded`].
///
/// # Panics
///
/// Outside a tokio runtime with its time driver enabled.
pub async fn with_timeout<T>(
    limit: Duration,
    work: impl Future<Output = Result<T, WorkError>>,
) -> Result<T, WorkError> {
    match tokio::time::timeout(limit, work).await {
        Ok(result) => result,
        // `timeout` has already dropped `work`: that was its cancellation.
        Err(_elapsed) => Err(WorkError::DeadlineExceeded),
    }
}
// ANCHOR_END: with_timeout
