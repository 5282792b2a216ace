//! Reference solution: the three classic leaks, found and fixed.
//!
//! The exercise (`exercises/leak-hunt`) states the task and the contract;
//! this file explains the fixes. The leaky versions are kept as they were,
//! as the model (the public API is the exercise's); each fixed function
//! differs from its leaky model in a few lines, and computes the same thing.
//!
//! # 1. A send nobody receives: [`Mirrors::fastest`]
//!
//! The leaky version shares one channel, with room for one answer, between
//! every mirror task of every call, and the receiver lives inside `self`.
//! After the first answer is taken, nobody reads again, but the receiver is
//! not gone either, so a mirror task waiting for room neither succeeds nor
//! fails: it waits forever. The fix gives each call a channel of its own,
//! with room for every mirror's answer: no send ever waits, every mirror
//! task ends when its download does, and when the call returns, its
//! receiver is dropped with everything left in it, so no answer can reach
//! a later call.
//!
//! # 2. A loop nobody stops: [`download_all`]
//!
//! Nothing told the leaky reporter that the downloads were over, and
//! dropping its `JoinHandle` detaches it. The fix hands it a
//! `CancellationToken` and makes its loop wait on *either* the next tick or
//! the token (`tokio::select!`); when the last download ends,
//! `download_all` cancels the token and awaits the reporter's handle, so
//! the reporter has stopped, at that very instant, before `download_all`
//! returns. The reports until then are the same, tick for tick.
//!
//! # 3. A channel nobody closes: [`total_size`]
//!
//! In the leaky version every walker holds a `Sender` of the queue it
//! reads from, so that it can queue the subdirectories it finds; the queue
//! can then never close, and every walker's `for` loop waits forever. The
//! fix keeps the only `Sender` of the queue in `total_size` itself: the
//! walkers send the subdirectories they find back, with the sizes, and
//! `total_size` queues them and counts the directories still to do. At
//! zero it drops the `Sender`, the queue closes, every walker's loop ends,
//! and `std::thread::scope` joins them before `total_size` returns.
//!
//! Queueing in `total_size` also makes the count exact by construction: a
//! directory is counted when it is queued, before any walker can see it.
//! The leaky model gets the same guarantee from its order, reporting a
//! directory before it queues what it holds; the other order lets a
//! subdirectory be reported done before the report that counted it, the
//! count reaches zero too early now and then, and the total comes out
//! short. The spec walks one tree twenty times to catch that, but a race
//! that depends on timing is only caught when the timing goes wrong.
//!
//! # Alternatives that also pass
//!
//! - Mirrors: a `JoinSet` of the mirror tasks, its first result taken
//!   with `join_next`, then the set dropped, which aborts the slower ones.
//!   Or a channel with room for just one answer, per call: when the call
//!   returns, its receiver is dropped, and a `send` to a dropped receiver
//!   fails at once.
//! - Downloads: aborting the reporter (`JoinHandle::abort`, or an
//!   `AbortOnDropHandle`) when the downloads are over; or no task at all,
//!   a `select!` in `download_all` between the downloads and the ticks.
//! - Walk: walkers that keep their `Sender`s, told to stop by a message
//!   each (a "poison pill", `None` on a queue of `Option<usize>`), or by a
//!   second channel they `select!` on, which `total_size` closes.
//!
//! # Tempting designs that fail
//!
//! - Mirrors: a bigger buffer on the shared channel: nothing waits any
//!   more, but the answers left in it are read by the next call. Waiting for
//!   every mirror: no leak, but the answer comes at the slowest mirror's
//!   instant.
//! - Downloads: dropping the `JoinHandle` to stop the reporter (it detaches
//!   it); a flag the reporter checks at its next tick (it stops a tick
//!   late, after `download_all` returned); stopping it before the last
//!   download ends (a report goes missing).
//! - Walk: `drop(queue_tx)` at the end (the walkers' clones keep the queue
//!   open, exactly as before); a `thread::scope` around the leaky walk (it
//!   waits for walkers that never end: a hang instead of a leak); a walk
//!   without threads (no leak, and no concurrency either).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use crossbeam::channel;
use tokio::sync::{Mutex, mpsc};
use tokio_util::sync::CancellationToken;

// ---------------------------------------------------------------------------
// 1. A send nobody receives.
// ---------------------------------------------------------------------------

/// Mirrors of one file. Mirror `i` answers after `latencies[i]`.
///
/// It keeps one channel for every answer of every call, for the life of the
/// `Mirrors`, the way a Go program keeps a long-lived `results` channel.
/// The channel has room for one answer.
pub struct Mirrors {
    /// How long each mirror takes to answer.
    latencies: Vec<Duration>,
    /// Every mirror task of every call sends its answer here.
    answers_tx: mpsc::Sender<usize>,
    /// Where `fastest_leaky` takes the first answer from. A tokio `Mutex`,
    /// because `recv` needs `&mut` and is awaited while the lock is held.
    answers_rx: Mutex<mpsc::Receiver<usize>>,
}

/// Downloads the file from `mirror`, which takes `latency`, and returns the
/// mirror's index: a stand-in for a real request.
async fn ask_mirror(mirror: usize, latency: Duration) -> usize {
    tokio::time::sleep(latency).await;
    mirror
}

impl Mirrors {
    /// Mirrors with these latencies.
    ///
    /// # Panics
    ///
    /// If there are no mirrors.
    pub fn new(latencies: Vec<Duration>) -> Mirrors {
        assert!(!latencies.is_empty(), "at least one mirror");
        let (answers_tx, answers_rx) = mpsc::channel(1);
        Mirrors {
            latencies,
            answers_tx,
            answers_rx: Mutex::new(answers_rx),
        }
    }

    /// Asks every mirror at once and returns the index of the one that
    /// answers first.
    ///
    /// **Leaks.** The first answer is taken, the second fills the channel's
    /// one free place, and every later mirror task waits in `send` forever:
    /// the receiver is alive (inside `self`) but nobody will read it again,
    /// so the send neither succeeds nor fails. And the answer left in the
    /// channel is what the next call reads first.
    // ANCHOR: fastest_leaky
    pub async fn fastest_leaky(&self) -> usize {
        for (mirror, &latency) in self.latencies.iter().enumerate() {
            let answers = self.answers_tx.clone();
            tokio::spawn(async move {
                let answer = ask_mirror(mirror, latency).await;
                let _ = answers.send(answer).await;
            });
        }
        let mut answers = self.answers_rx.lock().await;
        answers.recv().await.expect("Mirrors holds a sender")
    }
    // ANCHOR_END: fastest_leaky

    /// Asks every mirror at once and returns the index of the one that
    /// answers first, leaving nothing behind.
    // ANCHOR: fastest
    pub async fn fastest(&self) -> usize {
        // A channel for this call only, with room for every answer: no
        // mirror task ever waits to send, and the answers this call does not
        // read are dropped with its receiver.
        let (answers_tx, mut answers_rx) = mpsc::channel(self.latencies.len());
        for (mirror, &latency) in self.latencies.iter().enumerate() {
            let answers = answers_tx.clone();
            tokio::spawn(async move {
                let answer = ask_mirror(mirror, latency).await;
                // Never waits: there is room. After the call has returned,
                // the receiver is gone and this fails at once; either way
                // the task ends here.
                let _ = answers.send(answer).await;
            });
        }
        answers_rx.recv().await.expect("every mirror answers")
    }
    // ANCHOR_END: fastest
}

// ---------------------------------------------------------------------------
// 2. A loop nobody stops.
// ---------------------------------------------------------------------------

/// How often the reporter of [`download_all_leaky`] reports.
pub const REPORT_EVERY: Duration = Duration::from_millis(100);

/// Downloads `files` one after the other (file `i` takes `files[i]`),
/// while a reporter task calls `report(done)` every [`REPORT_EVERY`], the
/// first time at once, with the number of files done so far. Returns how
/// many files it downloaded.
///
/// **Leaks.** The reporter loops forever: nothing tells it that the
/// downloads are over, and dropping its `JoinHandle` (which happens here at
/// once) does not stop a tokio task, it detaches it. It goes on reporting
/// long after `download_all_leaky` returned.
// ANCHOR: download_all_leaky
pub async fn download_all_leaky(
    files: &[Duration],
    report: impl Fn(usize) + Send + 'static,
) -> usize {
    let done = Arc::new(AtomicUsize::new(0));
    let progress = Arc::clone(&done);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(REPORT_EVERY);
        loop {
            ticks.tick().await;
            report(progress.load(Ordering::SeqCst));
        }
    });
    for &file in files {
        tokio::time::sleep(file).await;
        done.fetch_add(1, Ordering::SeqCst);
    }
    files.len()
}
// ANCHOR_END: download_all_leaky

/// Downloads `files` one after the other, with the same progress reports
/// as [`download_all_leaky`], and stops the reporter when the downloads
/// are over.
// ANCHOR: download_all
pub async fn download_all(files: &[Duration], report: impl Fn(usize) + Send + 'static) -> usize {
    let done = Arc::new(AtomicUsize::new(0));
    let progress = Arc::clone(&done);
    let stop = CancellationToken::new();
    let reporter = tokio::spawn({
        let stop = stop.clone();
        async move {
            let mut ticks = tokio::time::interval(REPORT_EVERY);
            loop {
                tokio::select! {
                    // Once stopped, never report again, even if a tick is
                    // due at the same instant.
                    biased;
                    () = stop.cancelled() => return,
                    _ = ticks.tick() => report(progress.load(Ordering::SeqCst)),
                }
            }
        }
    });
    for &file in files {
        tokio::time::sleep(file).await;
        done.fetch_add(1, Ordering::SeqCst);
    }
    // The downloads are over: tell the reporter, and wait until it has
    // stopped, so that nothing of this call outlives it.
    stop.cancel();
    reporter.await.expect("the reporter does not panic");
    files.len()
}
// ANCHOR_END: download_all

// ---------------------------------------------------------------------------
// 3. A channel nobody closes.
// ---------------------------------------------------------------------------

/// The directory every walk starts from.
pub const ROOT: usize = 0;

/// One directory: the sizes of its files, and its subdirectories (their
/// indexes in the [`Tree`]).
#[derive(Debug, Clone, Default)]
pub struct Dir {
    /// The size of each file, in bytes.
    pub files: Vec<u64>,
    /// The directories inside this one.
    pub subdirs: Vec<usize>,
}

/// A directory tree: `dirs[ROOT]` is the root. Every directory but the root
/// is the subdirectory of exactly one other.
pub struct Tree {
    dirs: Vec<Dir>,
    probe: Option<Box<dyn Fn(usize) + Send + Sync>>,
}

impl Tree {
    /// A tree of these directories.
    pub fn new(dirs: Vec<Dir>) -> Tree {
        Tree { dirs, probe: None }
    }

    /// The same tree, calling `probe(dir)` each time a directory is read.
    /// The spec uses it to watch how many walkers read at once.
    pub fn with_probe(self, probe: impl Fn(usize) + Send + Sync + 'static) -> Tree {
        Tree {
            probe: Some(Box::new(probe)),
            ..self
        }
    }

    /// Reads one directory: what a walker does for each directory it
    /// visits (a stand-in for `std::fs::read_dir`).
    pub fn read(&self, dir: usize) -> &Dir {
        if let Some(probe) = &self.probe {
            probe(dir);
        }
        &self.dirs[dir]
    }
}

/// Adds up the sizes of every file in `tree`, with `walkers` threads that
/// read directories from a shared queue and put the subdirectories they
/// find back on it.
///
/// **Leaks.** Each walker holds a `Sender` of the queue it reads from, so
/// that it can queue the subdirectories it finds. Those clones keep the
/// queue open forever: this function knows when the walk is over (it counts
/// the directories still to do), but it cannot close the queue, so every
/// walker waits in its `for` loop for a directory that never comes.
// ANCHOR: total_size_leaky
pub fn total_size_leaky(tree: Arc<Tree>, walkers: usize) -> u64 {
    let (queue_tx, queue_rx) = channel::unbounded::<usize>();
    // What a walker reports for each directory: the size of its files, and
    // how many subdirectories it queued.
    let (sizes_tx, sizes_rx) = channel::unbounded::<(u64, usize)>();
    for _ in 0..walkers {
        let (queue_tx, queue_rx) = (queue_tx.clone(), queue_rx.clone());
        let (sizes_tx, tree) = (sizes_tx.clone(), Arc::clone(&tree));
        thread::Builder::new()
            .name("walker".to_owned())
            .spawn(move || {
                for dir in queue_rx {
                    let dir = tree.read(dir);
                    // Report first, queue second: then `total_size_leaky`
                    // has counted the subdirectories before any of them can
                    // be reported done (the channel keeps the order).
                    let size = dir.files.iter().sum();
                    if sizes_tx.send((size, dir.subdirs.len())).is_err() {
                        return;
                    }
                    for &subdir in &dir.subdirs {
                        queue_tx.send(subdir).expect("this walker holds a receiver");
                    }
                }
            })
            .expect("the OS refused to start a thread");
    }
    queue_tx.send(ROOT).expect("the walkers hold receivers");
    let (mut total, mut to_do) = (0, 1);
    while to_do > 0 {
        let (size, subdirs) = sizes_rx.recv().expect("every walker died");
        total += size;
        to_do += subdirs;
        to_do -= 1;
    }
    total
}
// ANCHOR_END: total_size_leaky

/// Adds up the sizes of every file in `tree`, with `walkers` threads, and
/// leaves no thread behind.
// ANCHOR: total_size
pub fn total_size(tree: Arc<Tree>, walkers: usize) -> u64 {
    let (queue_tx, queue_rx) = channel::unbounded::<usize>();
    // What a walker reports for each directory: the size of its files, and
    // the subdirectories it found, for this function to queue.
    let (found_tx, found_rx) = channel::unbounded::<(u64, Vec<usize>)>();
    thread::scope(|scope| {
        for _ in 0..walkers {
            // No `queue_tx` here: the walkers only read the queue.
            let (queue_rx, found_tx, tree) = (queue_rx.clone(), found_tx.clone(), &tree);
            thread::Builder::new()
                .name("walker".to_owned())
                .spawn_scoped(scope, move || {
                    for dir in queue_rx {
                        let dir = tree.read(dir);
                        let size = dir.files.iter().sum();
                        if found_tx.send((size, dir.subdirs.clone())).is_err() {
                            return;
                        }
                    }
                })
                .expect("the OS refused to start a thread");
        }
        // Keep no `found_tx` of our own: if every walker died, `recv` below
        // fails instead of waiting forever.
        drop(found_tx);
        queue_tx.send(ROOT).expect("the walkers hold receivers");
        let (mut total, mut to_do) = (0, 1);
        while to_do > 0 {
            let (size, subdirs) = found_rx.recv().expect("every walker died");
            total += size;
            to_do -= 1;
            for subdir in subdirs {
                queue_tx.send(subdir).expect("the walkers hold receivers");
                to_do += 1;
            }
        }
        // The walk is over, and this is the only `Sender` of the queue:
        // dropping it closes the queue, every walker's loop ends, and the
        // scope joins them.
        drop(queue_tx);
        total
    })
}
// ANCHOR_END: total_size
