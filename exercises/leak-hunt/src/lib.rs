//! Exercise: hunt down the three classic leaks in a small program.
//!
//! Below is a small program that works: three pieces of a file tool, each
//! computing the right answer. Each one also leaks, in one of the three
//! classic ways Go's folklore names:
//!
//! | Piece | What it computes | How it leaks |
//! |-------|------------------|--------------|
//! | [`Mirrors::fastest_leaky`] | which mirror answers first | **a send nobody receives**: the slower mirrors' tasks wait forever to send |
//! | [`download_all_leaky`] | downloads, with progress reports | **a loop nobody stops**: the reporter task reports forever |
//! | [`total_size_leaky`] | the size of a directory tree, with walker threads | **a channel nobody closes**: the walkers wait forever for more work |
//!
//! The leaky versions stay as they are, as the model. Next to each is the
//! function you write: [`Mirrors::fastest`], [`download_all`] and
//! [`total_size`]. Copy the leaky body into it, find the leak, and fix it
//! **without changing what it computes**: the same answers, at the same
//! instants, with the same concurrency. The spec judges only your three
//! functions.
//!
//! # The contract (what the spec checks)
//!
//! 1. `Mirrors::fastest` returns the mirror that answers first, at the
//!    instant it answers, like `fastest_leaky`.
//! 2. ...and leaves no task behind: once every mirror has answered, every
//!    task it spawned has ended.
//! 3. ...and every call gets its own answer: calling `fastest` again on the
//!    same `Mirrors` finds the fastest mirror again, never an answer left
//!    over from an earlier call.
//! 4. `download_all` makes exactly the reports `download_all_leaky` makes
//!    until it returns, at the same instants, and returns the number of
//!    files at the instant the last download ends.
//! 5. ...and its reporter stops then: it never reports again, and no task
//!    of it is alive a millisecond after `download_all` returns.
//! 6. `total_size` returns the same total as `total_size_leaky`.
//! 7. ...and every thread it started has ended by the time it returns (or
//!    very soon after).
//! 8. ...and it still walks with `walkers` threads reading at the same
//!    time: a walk on one thread would not leak, and would not be a fix.
//!
//! Every test runs inside the workshop's leak checks. Parts 1 and 2 run on
//! tokio's paused clock, so their instants are exact and their sleeps take
//! no real time.
//!
//! # How to check your work
//!
//! ```text
//! cargo xtask check leak-hunt     # judge this exercise against its spec
//! cargo xtask hint leak-hunt      # the next hint, when you are stuck
//! ```
//!
//! The book's chapter "Leak detection" (`cargo xtask book --open`), section
//! "The three classic leaks, in Rust", shows each leak and its fix in
//! another program. The leaks here are the same three; the fixes are yours.

// TODO: remove this line when you are done: it keeps the compiler quiet about
// the parameters and imports the starter code does not use yet.
#![allow(
    unused_variables,
    unused_imports,
    clippy::todo,
    reason = "starter code: the bodies are yours to write"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use crossbeam::channel;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;
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

    /// Asks every mirror at once and returns the index of the one that
    /// answers first, leaving nothing behind.
    pub async fn fastest(&self) -> usize {
        // TODO: copy the body of `fastest_leaky` and fix its leak. Every
        // mirror task must be able to finish, and no call may read an
        // answer meant for another.
        todo!()
    }
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

/// Downloads `files` one after the other, with the same progress reports
/// as [`download_all_leaky`], and stops the reporter when the downloads
/// are over.
pub async fn download_all(files: &[Duration], report: impl Fn(usize) + Send + 'static) -> usize {
    // TODO: copy the body of `download_all_leaky` and fix its leak: the
    // reporter must stop at the instant the last download ends, and be gone
    // by the time this function returns.
    todo!()
}

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

/// Adds up the sizes of every file in `tree`, with `walkers` threads, and
/// leaves no thread behind.
pub fn total_size(tree: Arc<Tree>, walkers: usize) -> u64 {
    // TODO: copy the body of `total_size_leaky` and fix its leak: when the
    // walk is over, the queue must close, so that every walker's loop ends.
    // Keep `walkers` threads reading at the same time.
    todo!()
}
