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
//! Each thread here waits in [`crossbeam::channel::select!`] on its real
//! operation *and* on `done`, at both blocking points: the receive from its
//! input and the send to its output. A cancel therefore wakes a thread
//! whether its input is empty or its output is full. When both operations
//! are ready, `select!` picks one at random (as Go's `select` does), so a
//! thread may pass on an item or two after the cancel, but it never blocks
//! again. A thread busy inside `work` notices the cancel only when `work`
//! returns: Rust has no safe way to interrupt a running thread. A long job
//! that should stop early can capture a clone of `done` and check it now
//! and then: `done.try_recv()` returns `Err(TryRecvError::Disconnected)`
//! once it is closed.
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

use crossbeam::channel::{self, Receiver, Sender, select};

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
    loop {
        let item = select! {
            recv(input) -> item => match item {
                Ok(item) => item,
                Err(_) => return, // The input is closed and drained.
            },
            recv(done) -> _ => return, // Cancelled.
        };
        let result = transform(item);
        select! {
            send(output, result) -> sent => if sent.is_err() {
                return; // The output's receiver is gone.
            },
            recv(done) -> _ => return, // Cancelled.
        }
    }
}
// ANCHOR_END: relay

// ANCHOR: fan_out
/// Fan-out: starts `workers` threads in `scope` that share `input`, apply
/// `work(worker, item)` to each item, and send the results to the returned
/// channel.
///
/// `worker` is the number (`0..workers`) of the worker that handled the
/// item; threads are named `fan-out-<worker>`. Results come in the order
/// the workers finish them, not the order of the input.
///
/// The returned channel is a rendezvous channel (capacity 0, like Go's
/// `make(chan T)`) and closes when the last worker returns: when `input` is
/// closed and drained, when the returned receiver is dropped, or when
/// `done` closes (see [`cancel_signal`]).
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
    let (output_tx, output_rx) = channel::bounded(0);
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
