//! The three classic causes of leaks, in Rust, each with its fix.
//!
//! Go's folklore lists three ways a goroutine leaks: a send with no receiver,
//! work that never hears about cancellation, and a channel that is never
//! closed. Rust's ownership removes the easy versions of all three (a dropped
//! receiver makes `send` fail; a dropped sender closes the channel), so the
//! leaks that remain are the ones where something is kept alive by mistake.
//! Each function below comes in a `_leaky` and a fixed version; the tests in
//! `tests/classic.rs` prove the checks catch the first and pass the second.
//!
//! | Go leak | How it still happens in Rust | Fix |
//! |---------|------------------------------|-----|
//! | send with no receiver | the receiver is alive (kept in a struct) but nobody reads it | one channel per request, with room for the answer |
//! | missing cancellation | a spawned loop has no way to hear "stop" | pass a `CancellationToken` and `select!` on it |
//! | channel never closed | a thread holds a `Sender` to the channel it reads | only the coordinator holds the `Sender`; it drops it when the work is done |

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use crossbeam::channel::{self, Receiver, Sender};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

fn spawn_named(name: &str, f: impl FnOnce() + Send + 'static) {
    thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .expect("the OS refused to start a thread");
}

/// A slow computation standing in for real work (a query, a request).
fn slow_answer(work: Duration) -> u64 {
    thread::sleep(work);
    42
}

// ANCHOR: blocked_send
/// A long-lived mailbox for answers: a rendezvous channel (capacity 0) whose
/// two ends live as long as the `Mailbox`.
pub struct Mailbox {
    tx: Sender<u64>,
    rx: Receiver<u64>,
}

impl Default for Mailbox {
    fn default() -> Self {
        let (tx, rx) = channel::bounded(0);
        Mailbox { tx, rx }
    }
}

impl Mailbox {
    /// Asks a worker thread for an answer, waiting at most `patience`.
    ///
    /// **Leaks** when the answer takes longer than `patience`: the worker's
    /// `send` waits for someone to take the value, and since the receiver is
    /// still alive (inside `self`), the send neither succeeds nor fails. The
    /// worker blocks until the `Mailbox` is dropped.
    ///
    /// **And answers the wrong question.** The late answer is still waiting
    /// in that blocked `send`, so the *next* call's `recv_timeout` takes it
    /// at once: the next question gets the previous question's answer, and
    /// its own answer is left blocked in turn. One shared reply channel for
    /// many requests mixes up replies as well as leaking.
    pub fn ask_leaky(&self, work: Duration, patience: Duration) -> Option<u64> {
        let tx = self.tx.clone();
        spawn_named("ask-leaky", move || {
            let _ = tx.send(slow_answer(work));
        });
        self.rx.recv_timeout(patience).ok()
    }
}

/// Asks a worker thread for an answer, waiting at most `patience`.
///
/// The fix: a fresh channel per question, with room for one answer. The
/// worker's `send` always completes at once, whether or not anyone still
/// waits; and when we stop waiting, our receiver is dropped, so a send on a
/// rendezvous channel would fail instead of blocking. Either way the worker
/// ends as soon as its work does.
pub fn ask(work: Duration, patience: Duration) -> Option<u64> {
    let (tx, rx) = channel::bounded(1);
    spawn_named("ask", move || {
        let _ = tx.send(slow_answer(work));
    });
    rx.recv_timeout(patience).ok()
}
// ANCHOR_END: blocked_send

// ANCHOR: no_cancellation
/// Starts a background task that bumps `beats` every `period`.
///
/// **Leaks**: the loop has no way to hear "stop". Dropping the returned
/// `JoinHandle` does not stop a tokio task; it detaches it.
pub fn spawn_heartbeat_leaky(beats: Arc<AtomicU64>, period: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        loop {
            ticker.tick().await;
            beats.fetch_add(1, Ordering::Relaxed);
        }
    })
}

/// Starts a background task that bumps `beats` every `period` until
/// `cancel` fires.
///
/// The fix: the loop waits on *either* the next tick or the token, whichever
/// comes first, so cancelling ends it at its next `.await`. The caller
/// cancels the token and awaits the handle to know it has stopped.
pub fn spawn_heartbeat(
    beats: Arc<AtomicU64>,
    period: Duration,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                _ = ticker.tick() => beats.fetch_add(1, Ordering::Relaxed),
            };
        }
    })
}
// ANCHOR_END: no_cancellation

/// A tiny in-memory web for the crawler: `links[n]` lists the pages that
/// page `n` links to.
pub type Web = Arc<Vec<Vec<usize>>>;

// ANCHOR: never_closed
/// Visits every page reachable from page 0 with `workers` threads and
/// returns the set of visited pages.
///
/// **Leaks**: each worker holds a `Sender` to the queue it reads from, so it
/// can push the links it finds. That clone keeps the queue open forever:
/// when the last page is done, every worker waits for more work that never
/// comes. With no way to know the crawl has ended, the caller gives up after
/// `quiet` without news and returns what it has, leaving the workers behind.
pub fn crawl_leaky(web: Web, workers: usize, quiet: Duration) -> BTreeSet<usize> {
    let (queue_tx, queue_rx) = channel::unbounded::<usize>();
    let (found_tx, found_rx) = channel::unbounded::<usize>();
    queue_tx.send(0).expect("we hold the receiver");
    let seen = Arc::new(std::sync::Mutex::new(BTreeSet::from([0])));
    for _ in 0..workers {
        let (queue_tx, queue_rx) = (queue_tx.clone(), queue_rx.clone());
        let (found_tx, web, seen) = (found_tx.clone(), Arc::clone(&web), Arc::clone(&seen));
        spawn_named("crawl-leaky", move || {
            for page in queue_rx {
                let _ = found_tx.send(page);
                for &link in &web[page] {
                    if seen.lock().unwrap().insert(link) {
                        let _ = queue_tx.send(link);
                    }
                }
            }
        });
    }
    drop(found_tx);
    let mut visited = BTreeSet::new();
    while let Ok(page) = found_rx.recv_timeout(quiet) {
        visited.insert(page);
    }
    visited
}

/// Visits every page reachable from page 0 with `workers` threads and
/// returns the set of visited pages.
///
/// The fix: only this function holds the queue's `Sender`. Workers report
/// the links they found to it, and it counts the pages still in flight. When
/// that count reaches zero the crawl is over, so it drops the sender; the
/// queue closes, each worker's `for` loop ends, and the scope joins them.
///
/// # Panics
///
/// A panic in one worker is not covered: the page it held never reports
/// back, so the count of pages in flight never reaches zero, and the other
/// workers still hold `links` senders, so the coordinator's `recv` does not
/// fail either; it waits forever (only when *every* worker has panicked does
/// `recv` fail, with "every crawl worker panicked"). A crawler whose work
/// can panic catches the panic in the worker (`std::panic::catch_unwind`)
/// and reports the page as failed, so that every page is answered.
pub fn crawl(web: Web, workers: usize) -> BTreeSet<usize> {
    let (queue_tx, queue_rx) = channel::unbounded::<usize>();
    let (links_tx, links_rx) = channel::unbounded::<Vec<usize>>();
    thread::scope(|s| {
        for _ in 0..workers {
            let (queue_rx, links_tx, web) = (queue_rx.clone(), links_tx.clone(), &web);
            s.spawn(move || {
                for page in queue_rx {
                    let _ = links_tx.send(web[page].clone());
                }
            });
        }
        // Keep no sender of our own: if every worker died, `recv` below
        // fails instead of waiting forever.
        drop(links_tx);
        let mut visited = BTreeSet::from([0]);
        queue_tx.send(0).expect("the workers hold receivers");
        let mut in_flight = 1;
        while in_flight > 0 {
            let links = links_rx.recv().expect("every crawl worker panicked");
            in_flight -= 1;
            for link in links {
                if visited.insert(link) {
                    queue_tx.send(link).expect("the workers hold receivers");
                    in_flight += 1;
                }
            }
        }
        drop(queue_tx); // Closes the queue: every worker's loop ends.
        visited
    })
}
// ANCHOR_END: never_closed
