//! Fan-out and fan-in on OS threads and crossbeam channels.
//!
//! Both functions start threads in a [`std::thread::scope`] you pass in and
//! return the receiving end of their output channel, like Go functions that
//! return a `<-chan T`. The difference is ownership: a Go goroutine belongs
//! to nobody, while these threads belong to your scope, which joins them
//! all before it returns. A thread left running is then impossible; a
//! thread that cannot stop shows up as a scope that does not return, and
//! that is what the cancel signal is for.
//!
//! # Why crossbeam, and why one `Receiver` for all workers
//!
//! Fan-out needs `N` threads receiving from one channel. A crossbeam channel
//! is multi-producer **multi-consumer**: its `Receiver` is `Clone`, all the
//! clones take from the same queue, and each message goes to exactly one
//! of them. [`std::sync::mpsc`] is multi-producer **single-consumer**: its
//! `Receiver` cannot be cloned or shared between threads (it is not
//! `Sync`), so fan-out over it needs an `Arc<Mutex<Receiver>>` that the
//! workers take turns to lock.
//!
//! # The cancel signal
//!
//! Go cancels through `ctx.Done()`, a channel that is closed on cancel. We
//! do the same with [`cancel_signal`]: a channel of [`Infallible`], a type
//! with no values, so nothing can ever be sent on it; the only thing that
//! can happen to it is that its one `Sender` is dropped. A closed channel
//! is ready for *every* receiver at once, forever, which makes closing a
//! broadcast: every thread that selects on it wakes up.
//!
//! Each thread here looks at `done` before it takes an item, and when it
//! has to wait (on an empty input or a full output) for longer than a
//! moment ([`PATIENCE`], next section) it waits in
//! [`crossbeam::channel::select!`] on its real operation *and* on `done`.
//! A cancel therefore reaches a thread within that moment whether its
//! input is empty or its output is full. After the cancel a thread passes
//! on at most one more item (the one it holds, or one that its wait took
//! as the cancel came), and then it returns. A thread busy inside `work`
//! notices the cancel only when `work` returns: Rust has no safe way to
//! interrupt a running thread. A long job that should stop early can
//! capture a clone of `done` and check it now and then:
//! `done.try_recv()` returns `Err(TryRecvError::Disconnected)` once it is
//! closed.
//!
//! # Why each wait first waits the plain way, for a moment
//!
//! A `select!` that finds nothing ready parks the thread at once, and a
//! parked thread costs a wake-up (a futex call and a context switch) when
//! its item comes. crossbeam's own `recv` and `send` first try for a
//! moment (a few spins, then a few `yield`s: its `Backoff`) and park only
//! if that fails, so a bare loop on a channel with room rarely parks.
//!
//! On a rendezvous channel (capacity 0) a `select!` that waits to *send*
//! is dearer still: it cannot hand its item over in advance (it may take
//! the other branch, and then it must still own the item), so a receiver
//! that picks it must wait until the sending thread has woken up and
//! written the item. A plain blocking `send` parks with its item already
//! handed over, and the receiver that comes takes it and goes on.
//!
//! So each wait here first tries once without waiting, then waits the
//! plain way, with crossbeam's own `recv_timeout` or `send_timeout`, for
//! at most [`PATIENCE`] (1 ms), and only then waits in `select!`, which
//! also wakes on a cancel. A thread whose item comes within a millisecond
//! never enters `select!`; a thread that waits longer enters it once and
//! then sleeps until its item or the cancel comes. The price is that a
//! cancel can take up to that millisecond to reach a thread in its plain
//! wait. In a scratch program on 2 cores, on rendezvous channels with 16
//! workers, a `select!` as soon as the try failed moved about 0.4 times
//! the messages per second of a bare loop (three sessions of 21 runs, the
//! median of each); the plain wait first brought it to 0.8 to 1.0 times, inside
//! the bare loop's own run-to-run spread. On channels with room the two
//! did the same. The costs chapter has the benchmark.
//!
//! # Who closes what
//!
//! | Channel | Sender(s) | Closed when |
//! |---------|-----------|-------------|
//! | the output of [`fan_out`] | a clone in each worker | the last worker returns |
//! | the output of [`fan_in`] | a clone in each forwarder | the last forwarder returns |
//! | `done` | the one `Sender` that [`cancel_signal`] returns | you drop it (that is the cancel) |
//!
//! A worker or forwarder returns when its input is closed and empty, when a
//! send fails because the output's receiver is gone, or when `done` closes.
//! Dropping the output's receiver stops a thread at its next send; a thread
//! waiting on an empty input does not notice until an item or the close
//! comes, so only the cancel stops a flow that is stuck.
//!
//! A panic in `work` ends that worker only: the others carry on, the item
//! it was working on is lost, and the scope panics once it has joined every
//! thread. (For a pool that turns each panic into an error for its job, see
//! the `worker-pool` crate.)

use std::convert::Infallible;
use std::sync::Arc;
use std::thread::{self, Scope};
use std::time::Duration;

use crossbeam::channel::{
    self, Receiver, RecvTimeoutError, SendTimeoutError, Sender, TryRecvError, TrySendError, select,
};

use crate::FanOutError;

// ANCHOR: cancel_signal
/// A cancel signal for threads, Go's `ctx.Done()`: drop the `Sender` to
/// cancel, and every thread waiting on the `Receiver` wakes up.
///
/// The channel carries [`Infallible`], so nothing can be sent on it: the
/// signal is the close, which every receiver sees, not a message, which
/// only one would get.
pub fn cancel_signal() -> (Sender<Infallible>, Receiver<Infallible>) {
    channel::bounded(0)
}
// ANCHOR_END: cancel_signal

// ANCHOR: relay
/// The loop every thread in this module runs: receive an item, transform
/// it, send the result; until the input closes, the output's receiver is
/// dropped, or `done` closes.
fn relay<J, T>(
    input: &Receiver<J>,
    output: &Sender<T>,
    done: &Receiver<Infallible>,
    mut transform: impl FnMut(J) -> T,
) {
    // `None`: the input is closed and drained, or cancelled.
    while let Some(item) = recv_or_done(input, done) {
        let result = transform(item);
        if !send_or_done(output, result, done) {
            return; // The output's receiver is gone, or cancelled.
        }
    }
}
// ANCHOR_END: relay

/// How long a thread waits for its item the plain way before it waits in
/// `select!` on its item and the cancel: the most a cancel can be late.
pub const PATIENCE: Duration = Duration::from_millis(1);

// ANCHOR: recv_or_done
/// Receives from `input`, unless `done` closes first: `None` when `input`
/// is closed and drained, or when `done` is closed.
fn recv_or_done<J>(input: &Receiver<J>, done: &Receiver<Infallible>) -> Option<J> {
    if cancelled(done) {
        return None; // Checked once per item: an input that never runs dry still stops.
    }
    // The fast path: the item is there already (a try, which unlike the
    // timed wait needs no clock read), or comes within PATIENCE: crossbeam's
    // own timed recv spins for a moment and then parks, where a `select!`
    // would park at once.
    match input.try_recv() {
        Ok(item) => return Some(item),
        Err(TryRecvError::Disconnected) => return None,
        Err(TryRecvError::Empty) => {}
    }
    match input.recv_timeout(PATIENCE) {
        Ok(item) => return Some(item),
        Err(RecvTimeoutError::Disconnected) => return None,
        Err(RecvTimeoutError::Timeout) => {}
    }
    // The slow path: wait on both, and take whichever comes first.
    select! {
        recv(input) -> item => item.ok(), // `Err`: closed and drained.
        recv(done) -> _ => None,
    }
}
// ANCHOR_END: recv_or_done

/// Sends `item` to `output`, unless `done` closes first: `false` when the
/// output's receiver is gone, or when `done` is closed. The mirror of
/// [`recv_or_done`].
fn send_or_done<T>(output: &Sender<T>, item: T, done: &Receiver<Infallible>) -> bool {
    let item = match output.try_send(item) {
        Ok(()) => return true,
        Err(TrySendError::Disconnected(_)) => return false,
        Err(TrySendError::Full(back)) => back,
    };
    // On a rendezvous channel this wait parks with the item handed over,
    // which a `select!` cannot do.
    let item = match output.send_timeout(item, PATIENCE) {
        Ok(()) => return true,
        Err(SendTimeoutError::Disconnected(_)) => return false,
        Err(SendTimeoutError::Timeout(back)) => back,
    };
    select! {
        send(output, item) -> sent => sent.is_ok(),
        recv(done) -> _ => false,
    }
}

/// Whether `done` is closed, without waiting.
fn cancelled(done: &Receiver<Infallible>) -> bool {
    matches!(done.try_recv(), Err(TryRecvError::Disconnected))
}

// ANCHOR: fan_out
/// Fan-out: starts `workers` threads in `scope` that share `input`, apply
/// `work(worker, item)` to each item, and send the results to the returned
/// channel.
///
/// `worker` is the number (`0..workers`) of the worker that handled the
/// item; threads are named `fan-out-<worker>`. Results come in the order
/// the workers finish them, not the order of the input.
///
/// The returned channel has the input's capacity: a rendezvous channel
/// for a rendezvous input (like Go's `make(chan T)`), room for 16 for an
/// input with room for 16, since room helps only when every channel on the
/// path has it. An unbounded input gets a rendezvous output, which keeps
/// the output bounded. The channel closes when the last worker returns:
/// when `input` is closed and drained, when the returned receiver is
/// dropped, or when `done` closes (see [`cancel_signal`]).
///
/// # Errors
///
/// [`FanOutError::NoWorkers`] if `workers` is zero. No thread is started,
/// and `input` is dropped, so senders to it see it closed.
///
/// # Panics
///
/// If the OS refuses to start a thread, as [`std::thread::spawn`] does.
pub fn fan_out<'scope, J, T, F>(
    scope: &'scope Scope<'scope, '_>,
    input: Receiver<J>,
    workers: usize,
    work: F,
    done: &Receiver<Infallible>,
) -> Result<Receiver<T>, FanOutError>
where
    J: Send + 'scope,
    T: Send + 'scope,
    F: Fn(usize, J) -> T + Send + Sync + 'scope,
{
    if workers == 0 {
        return Err(FanOutError::NoWorkers);
    }
    let (output_tx, output_rx) = channel::bounded(input.capacity().unwrap_or(0));
    let work = Arc::new(work); // Shared by every worker.
    // ANCHOR: share
    for worker in 0..workers {
        // Clones of the same channels: the input's items are shared out,
        // one each, and the output gets everyone's results.
        let input = input.clone();
        let output_tx = output_tx.clone();
        let done = done.clone();
        let work = Arc::clone(&work);
        spawn_named(scope, format!("fan-out-{worker}"), move || {
            relay(&input, &output_tx, &done, |item| work(worker, item));
        });
    }
    // Drop our own copies, so that the workers hold the only ones. The
    // output then closes when the last worker returns (Go's
    // `go func() { wg.Wait(); close(out) }()`), and the input closes for its
    // senders once every worker is gone.
    drop(output_tx);
    drop(input);
    // ANCHOR_END: share
    Ok(output_rx)
}
// ANCHOR_END: fan_out

// ANCHOR: fan_in
/// Fan-in: starts one forwarding thread per input in `scope`, each passing
/// its input's items on to the returned channel as they come.
///
/// The returned channel is a rendezvous channel and closes when the last
/// forwarder returns: once *every* input has closed (and been drained), or
/// when the returned receiver is dropped, or when `done` closes. With no
/// inputs at all it is closed from the start. Items from one input keep
/// their order; items from different inputs interleave as they arrive.
/// Threads are named `fan-in-<n>`, `n` being the input's position.
///
/// # Panics
///
/// If the OS refuses to start a thread, as [`std::thread::spawn`] does.
pub fn fan_in<'scope, T>(
    scope: &'scope Scope<'scope, '_>,
    inputs: impl IntoIterator<Item = Receiver<T>>,
    done: &Receiver<Infallible>,
) -> Receiver<T>
where
    T: Send + 'scope,
{
    let (merged_tx, merged_rx) = channel::bounded(0);
    for (n, input) in inputs.into_iter().enumerate() {
        let merged_tx = merged_tx.clone();
        let done = done.clone();
        spawn_named(scope, format!("fan-in-{n}"), move || {
            relay(&input, &merged_tx, &done, |item| item);
        });
    }
    // The forwarders hold the only Senders now: the merged channel closes
    // when the last one returns, which is when the last input has closed.
    drop(merged_tx);
    merged_rx
}
// ANCHOR_END: fan_in

/// Starts a named scoped thread: names show up in debuggers, in panic
/// messages and in the workshop's leak reports.
fn spawn_named<'scope>(
    scope: &'scope Scope<'scope, '_>,
    name: String,
    f: impl FnOnce() + Send + 'scope,
) {
    thread::Builder::new()
        .name(name)
        .spawn_scoped(scope, f)
        .expect("the OS refused to start a thread");
}
