//! Two workers in an error group: one fails, the other is cancelled at that
//! moment. Then two workers under a time limit, aborted when it passes. Then
//! the same first-error-wins on plain threads.
//!
//! ```text
//! cargo run -p cancellation --example errgroup
//! ```
//!
//! Timestamps are real time since the start of each scenario, so they may be
//! a millisecond or two late on a busy machine.

use std::thread;
use std::time::{Duration, Instant};

use anyhow::bail;
use cancellation::threads::Done;
use cancellation::{ErrGroup, WorkError, long_running, with_timeout};
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

const CHUNK: Duration = Duration::from_millis(100);
const LONG_CHUNK: Duration = Duration::from_millis(125);

fn log(start: Instant, who: &str, what: impl std::fmt::Display) {
    println!("[{:>4} ms] {who}: {what}", start.elapsed().as_millis());
}

/// Prints a line if the worker's future is dropped before it returned:
/// what being aborted looks like from the inside.
struct AbortNotice {
    who: &'static str,
    start: Instant,
    returned: bool,
}

impl Drop for AbortNotice {
    fn drop(&mut self) {
        if !self.returned {
            log(self.start, self.who, "aborted (future dropped mid-chunk)");
        }
    }
}

// ANCHOR: worker
/// Works through `chunks` chunks of `chunk_len` each, failing at the end of
/// chunk `fail_at` if given, and stopping as soon as `token` is cancelled.
async fn worker(
    who: &'static str,
    start: Instant,
    token: CancellationToken,
    chunks: u64,
    chunk_len: Duration,
    fail_at: Option<u64>,
) -> Result<(), WorkError> {
    let mut notice = AbortNotice {
        who,
        start,
        returned: false,
    };
    let result = long_running(&token, chunks, |chunk| async move {
        sleep(chunk_len).await;
        if fail_at == Some(chunk) {
            bail!("{who}: disk full in chunk {chunk}");
        }
        log(start, who, format_args!("chunk {chunk} done"));
        Ok(())
    })
    .await;
    notice.returned = true;
    match &result {
        Ok(()) => log(start, who, "finished"),
        Err(error) => log(start, who, format_args!("stopped: {error}")),
    }
    result
}
// ANCHOR_END: worker

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("start a tokio runtime");
    runtime.block_on(tasks());
    // Blocking threads have no business on the runtime's workers: this part
    // runs on the main thread, after the runtime is done.
    drop(runtime);
    threads();
}

async fn tasks() {
    // ANCHOR: first_error
    println!("An error group: A fails at the end of its second 125 ms chunk; B would take 10 s.");
    let start = Instant::now();
    let mut group = ErrGroup::new();
    group.spawn(|token| worker("A", start, token, 100, LONG_CHUNK, Some(1)));
    group.spawn(|token| worker("B", start, token, 100, CHUNK, None));
    match group.wait().await {
        Ok(_) => log(start, "group", "all done"),
        Err(error) => log(start, "group", format_args!("first error: {error}")),
    }
    // ANCHOR_END: first_error

    // ANCHOR: timeout
    println!("\nTwo workers that would take 10 s, with a 250 ms time limit.");
    let start = Instant::now();
    let mut group = ErrGroup::new();
    group.spawn(|token| worker("C", start, token, 100, CHUNK, None));
    group.spawn(|token| worker("D", start, token, 100, CHUNK, None));
    match with_timeout(Duration::from_millis(250), group.wait()).await {
        Ok(_) => log(start, "group", "all done"),
        Err(error) if error.is_timeout() => log(start, "group", "timed out"),
        Err(error) => log(start, "group", format_args!("failed: {error}")),
    }
    // Dropping the group aborted both tasks; give them a moment to print.
    sleep(Duration::from_millis(10)).await;
    // ANCHOR_END: timeout
}

fn threads() {
    println!("\nThreads: E fails after 250 ms, F checks for the signal between 100 ms chunks.");
    let start = Instant::now();
    type Worker = Box<dyn FnOnce(&Done) -> Result<(), WorkError> + Send>;
    let workers: Vec<Worker> = vec![
        Box::new(move |done| {
            done.sleep(Duration::from_millis(250))?;
            log(start, "E", "failing");
            Err(WorkError::Failed(anyhow::anyhow!("E: out of memory")))
        }),
        Box::new(move |done| {
            let result = cancellation::threads::long_running(done, 100, |chunk| {
                thread::sleep(CHUNK);
                log(start, "F", format_args!("chunk {chunk} done"));
                Ok(())
            });
            if let Err(error) = &result {
                log(start, "F", format_args!("stopped: {error}"));
            }
            result
        }),
    ];
    match cancellation::threads::run_all(&Done::new(), workers) {
        Ok(_) => log(start, "group", "all done"),
        Err(error) => log(start, "group", format_args!("first error: {error}")),
    }
}
