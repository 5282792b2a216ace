//! Waiting for a condition: `Condvar` (a gate that opens once) and
//! `Barrier` (a start line).
//!
//! A [`Condvar`] lets threads sleep until another thread says something has
//! changed. It always comes with a `Mutex` that guards the *state* the
//! waiters care about (here: is the gate open?), and the waiters re-check
//! that state every time they wake:
//!
//! - a waiter that arrives after the signal sees the state and does not
//!   wait at all, so a signal is never lost;
//! - a waiter woken for no reason (a *spurious wakeup*, which the OS is
//!   allowed to do) sees the state unchanged and goes back to sleep.
//!
//! [`Condvar::wait_while`] is that loop, written once. Go has `sync.Cond`,
//! but Go code usually closes a channel instead (`close(ready)`; waiters do
//! `<-ready`), and the Rust equivalent of *that* is dropping the `Sender` of
//! a channel, which makes every waiting `recv()` return. For a one-off
//! "it happened", either does. A `Condvar` is the tool underneath both, and
//! the one to use when the condition is more than a flag: a count that must
//! reach zero, a queue that must not be empty, a timeout on the wait.
//!
//! A [`std::sync::Barrier`] is the other tool for "wait until": `n` threads
//! call `wait()`, and none returns until all `n` have arrived. It makes a
//! fair start line for a race, and the tests use it so: see
//! `init_runs_exactly_once_under_contention`.
//!
//! Poisoning is ignored here, as in [`Cache`](crate::Cache): the state is
//! one `bool`, which no panic can leave half-written.
//!
//! **Not for tasks.** [`Gate::wait`] and `Barrier::wait` block the calling
//! thread; in a task, that is a runtime thread, and on a current-thread
//! runtime a task waiting on the gate while another task would open it is a
//! deadlock (the test `a_task_waiting_on_a_condvar_gate_blocks_its_runtime_thread`
//! shows it). In async code use `tokio::sync::watch` (`wait_for`) as the
//! gate, `tokio::sync::Notify` to wake waiters, or `tokio::sync::Barrier`.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

// ANCHOR: gate
/// A gate that starts closed and, once opened, stays open. Threads that
/// [`wait`](Gate::wait) are held until someone calls [`open`](Gate::open).
#[derive(Debug, Default)]
pub struct Gate {
    /// Whether the gate is open: the state the waiters check.
    open: Mutex<bool>,
    /// Where the waiters sleep; `open` wakes them all.
    opened: Condvar,
}

impl Gate {
    /// A closed gate.
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Opens the gate and wakes every waiting thread. Opening an open gate
    /// does nothing.
    pub fn open(&self) {
        *self.state() = true;
        self.opened.notify_all();
    }

    /// Blocks until the gate is open; returns at once if it already is.
    pub fn wait(&self) {
        // Sleeps, releasing the lock, until woken *and* the gate is open.
        let _open = self
            .opened
            .wait_while(self.state(), |open| !*open)
            .unwrap_or_else(PoisonError::into_inner);
    }

    /// Blocks until the gate is open or `limit` has passed; returns whether
    /// the gate is open.
    pub fn wait_timeout(&self, limit: Duration) -> bool {
        let (open, _timeout) = self
            .opened
            .wait_timeout_while(self.state(), limit, |open| !*open)
            .unwrap_or_else(PoisonError::into_inner);
        *open
    }

    /// Whether the gate is open, without waiting.
    pub fn is_open(&self) -> bool {
        *self.state()
    }

    fn state(&self) -> MutexGuard<'_, bool> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
// ANCHOR_END: gate
