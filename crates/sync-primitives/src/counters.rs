//! Counting from many threads: `Mutex<T>` and atomics, and what `Ordering`
//! means.
//!
//! A [`Mutex<T>`](std::sync::Mutex) owns its data, like the
//! [`RwLock`](crate::cache) in the cache: `lock()` returns a guard that
//! derefs to the `T` and unlocks when dropped. It is the general tool: any
//! data, any number of fields that must change together.
//!
//! For a single number, an atomic (`AtomicU64`, `AtomicUsize`,
//! `AtomicBool`, ...) does the read-modify-write as one indivisible
//! hardware operation, with no lock: `fetch_add`, `fetch_max`, `swap`, `compare_exchange`.
//! Go has the same in `sync/atomic` (`atomic.Int64`).
//!
//! # `Ordering`, in two sentences
//!
//! Use [`Relaxed`](Ordering::Relaxed) for counters and statistics, where
//! the number itself is all that matters and no other memory is read on
//! the strength of it. Use [`Release`](Ordering::Release) on the store that
//! *publishes* data and [`Acquire`](Ordering::Acquire) on the load that
//! *checks* for it, so that a thread that sees the flag also sees
//! everything written before it ([`Mailbox`]).
//!
//! (`SeqCst`, the strongest, also puts all `SeqCst` operations in one
//! global order; few algorithms need that. Mara Bos's *Rust Atomics and
//! Locks* is the book on the subject.)

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

// ANCHOR: count_with_mutex
/// Adds 1, `per_thread` times, from each of `threads` threads, to a number
/// behind a `Mutex`, and returns the total.
///
/// The threads are scoped: `thread::scope` joins every one of them before
/// it returns, so they may borrow `total` from this stack frame.
pub fn count_with_mutex(threads: usize, per_thread: u64) -> u64 {
    let total = Mutex::new(0_u64);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..per_thread {
                    // Lock, add, and unlock when the guard is dropped at the
                    // end of the statement. A poisoned lock means another
                    // thread panicked mid-add; the count is then wrong and
                    // we say so rather than carry on.
                    *total.lock().expect("no counting thread panics") += 1;
                }
            });
        }
    });
    // Every thread has been joined: nobody else can hold the lock.
    total.into_inner().expect("no counting thread panics")
}
// ANCHOR_END: count_with_mutex

// ANCHOR: count_with_atomic
/// The same count with an `AtomicU64` and no lock.
pub fn count_with_atomic(threads: usize, per_thread: u64) -> u64 {
    let total = AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..per_thread {
                    // Relaxed: only the number matters, and `fetch_add` never
                    // loses an increment whatever the ordering.
                    total.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    total.into_inner()
}
// ANCHOR_END: count_with_atomic

// ANCHOR: mailbox
/// One value, put by one thread and read by others: publishing data with
/// `Release` and `Acquire`.
///
/// The writer stores the data, then sets `ready` with `Release`: "every
/// write before this store is visible to whoever sees it". A reader loads
/// `ready` with `Acquire`: "if I see `true`, I see everything written before
/// it". With `Relaxed` on both, a reader could see `ready == true` and still
/// read the old data, on any machine: a weakly ordered CPU (ARM) may reorder
/// the accesses, and on x86, whose hardware does not, the compiler still
/// may, because `Relaxed` allows it. A test cannot show the bug reliably on
/// either; `loom`, which explores the orderings the memory model allows,
/// can (and Miri, in part).
///
/// This is how `OnceLock` publishes its value, minus the part that stops
/// two writers: here [`Mailbox::put`] may only be called once.
#[derive(Debug, Default)]
pub struct Mailbox {
    data: AtomicU64,
    ready: AtomicBool,
}

impl Mailbox {
    /// An empty mailbox.
    pub fn new() -> Mailbox {
        Mailbox::default()
    }

    // ANCHOR: publish
    /// Publishes `value`. Call it once, from one thread.
    pub fn put(&self, value: u64) {
        self.data.store(value, Ordering::Relaxed);
        self.ready.store(true, Ordering::Release);
    }

    /// The published value, or `None` if it is not there yet.
    pub fn get(&self) -> Option<u64> {
        if self.ready.load(Ordering::Acquire) {
            Some(self.data.load(Ordering::Relaxed))
        } else {
            None
        }
    }
    // ANCHOR_END: publish
}
// ANCHOR_END: mailbox
