//! A runtime monitor: report thread and task counts until told to stop.
//!
//! Tests catch the leaks you thought of; a monitor in a running service
//! catches the rest. A count that only ever grows is the signature of a leak.
//! This is the Rust version of the Go habit of logging
//! `runtime.NumGoroutine()` on a ticker.

use std::time::Duration;

use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use crate::tasks::alive_tasks;
use crate::threads::thread_count;

/// One reading of the monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// OS threads of the whole process (`None` off Linux).
    pub threads: Option<usize>,
    /// Live tasks on the runtime the monitor runs on.
    pub tasks: usize,
}

impl Counts {
    /// Reads both counts now.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn now() -> Counts {
        Counts {
            threads: thread_count(),
            tasks: alive_tasks(),
        }
    }
}

// ANCHOR: monitor
/// Calls `report` with fresh [`Counts`] every `every`, until `cancel` fires.
///
/// The first report comes at once. The monitor is an ordinary async function:
/// spawn it, and cancel the token on shutdown; it returns within one poll
/// after the token fires, so awaiting its `JoinHandle` never hangs.
/// A slow `report` does not cause a burst of catch-up reports afterwards
/// (the ticker skips missed ticks).
///
/// ```
/// use std::time::Duration;
/// use leak_detection::monitor::{monitor, Counts};
/// use tokio_util::sync::CancellationToken;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let cancel = CancellationToken::new();
/// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
/// let task = tokio::spawn(monitor(Duration::from_secs(10), cancel.clone(), move |counts| {
///     let _ = tx.send(counts);
/// }));
/// let first: Counts = rx.recv().await.unwrap();
/// assert_eq!(first.tasks, 1); // the monitor itself
/// cancel.cancel();
/// task.await.unwrap();
/// # }
/// ```
pub async fn monitor(every: Duration, cancel: CancellationToken, mut report: impl FnMut(Counts)) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            // Check the token first, so that a cancelled monitor never
            // reports again even if a tick is ready at the same moment.
            biased;
            () = cancel.cancelled() => return,
            _ = ticker.tick() => report(Counts::now()),
        }
    }
}
// ANCHOR_END: monitor
