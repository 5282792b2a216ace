//! Reference solution: a prime pipeline with cancellation.
//!
//! Three stages, each on its own thread, joined by bounded crossbeam
//! channels: `generate` sends numbers, `filter_primes` keeps the primes,
//! `square` squares them. The exercise (`exercises/prime-pipeline`) states
//! the task and the contract; this file explains the choices.
//!
//! # The design
//!
//! Every stage is the same loop: wait for *either* the next input *or*
//! cancellation, then wait for *either* room in the output *or*
//! cancellation. `crossbeam::select!` is what waits on two channels at once,
//! and [`Cancel::done`] is a channel that never carries a message but closes
//! when [`Cancel::cancel`] is called, so "cancelled" is just "that channel is
//! ready". This is Go's `select { case <-ctx.Done(): ... case out <- v: }`.
//!
//! A stage returns (and its thread ends) in four cases, and each one closes
//! its output channel, because returning drops the stage's `Sender`:
//!
//! 1. its input is used up (the upstream stage ended and dropped its `Sender`),
//! 2. its output was dropped (sending fails with an error),
//! 3. cancellation fired while it waited for input,
//! 4. cancellation fired while it waited for room in its output.
//!
//! Case 4 is the one that leaks goroutines in Go and threads in a careless
//! Rust version: a plain `tx.send(v)` on a full channel waits for a reader
//! that, after cancellation, may never come.
//!
//! # Alternatives that also pass
//!
//! - Checking `cancel.is_cancelled()` at the top of the loop *as well as*
//!   selecting on `done` while blocked: same behaviour, one more branch.
//! - `send_timeout` in a loop that checks a flag between attempts: it stops,
//!   but only at the next timeout, and it polls for nothing in between.
//!
//! # Tempting designs that fail
//!
//! - `for n in input { ... tx.send(..) }` and a cancel check between items:
//!   it cannot stop while blocked in `recv` or `send`.
//! - Unbounded channels: a fast generator and a slow consumer fill memory.
//! - Several threads in `filter_primes` for speed: the output order is lost.

use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, PoisonError};

use crossbeam::channel::{self, Receiver, Sender};
use crossbeam::select;

/// How many items each stage's output channel holds. Bounded channels are
/// what keep memory flat when the consumer is slower than the producer: a
/// stage whose output is full waits.
pub const CAPACITY: usize = 16;

/// A cancellation signal shared by every stage: the Rust shape of Go's
/// `ctx.Done()`.
///
/// Inside is a channel on which nothing is ever sent. [`Cancel::cancel`]
/// drops its only `Sender`, which closes it; from then on a `recv` on
/// [`Cancel::done`] returns at once, so a stage can wait on its work and on
/// cancellation in one `crossbeam::select!`. Clones share the signal.
#[derive(Debug, Clone)]
pub struct Cancel {
    trigger: Arc<Mutex<Option<Sender<()>>>>,
    done: Receiver<()>,
}

impl Default for Cancel {
    fn default() -> Self {
        Cancel::new()
    }
}

impl Cancel {
    /// A signal that has not fired.
    pub fn new() -> Cancel {
        let (trigger, done) = channel::bounded(0);
        Cancel {
            trigger: Arc::new(Mutex::new(Some(trigger))),
            done,
        }
    }

    /// Fires the signal for every clone. Calling it again does nothing.
    pub fn cancel(&self) {
        self.trigger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Whether [`Cancel::cancel`] has been called.
    pub fn is_cancelled(&self) -> bool {
        matches!(
            self.done.try_recv(),
            Err(channel::TryRecvError::Disconnected)
        )
    }

    /// A channel that becomes ready (closed) on cancel: use it as
    /// `recv(cancel.done()) -> _ => ...` in `crossbeam::select!`.
    pub fn done(&self) -> &Receiver<()> {
        &self.done
    }
}

// ANCHOR: is_prime
/// Whether `n` is prime: exact for every `u64`, and fast for every `u64`
/// (a few microseconds near `u64::MAX`).
///
/// This is the deterministic Miller–Rabin test. Trial division, the
/// textbook way, tries every divisor up to `√n`: near `u64::MAX` that is
/// about 2³² divisions for one prime, seconds of work during which a stage
/// hears no cancel, and its `d * d <= n` overflows a `u64` on the way.
/// Miller–Rabin instead checks a few witnesses; with the first twelve primes
/// as witnesses it is proven exact for every number below 3.3 · 10²⁴,
/// which covers all of `u64`. Products are taken in `u128`, so nothing
/// overflows.
///
/// ```
/// # use prime_pipeline_solution::is_prime;
/// assert!(!is_prime(1));
/// assert!(is_prime(2));
/// assert!(!is_prime(561)); // a Carmichael number: it fools simpler tests
/// assert!(is_prime(u64::MAX - 58)); // the largest prime below 2^64
/// ```
pub fn is_prime(n: u64) -> bool {
    const WITNESSES: [u64; 12] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];
    if n < 2 {
        return false;
    }
    for p in WITNESSES {
        if n.is_multiple_of(p) {
            return n == p;
        }
    }
    // n - 1 = d * 2^s with d odd.
    let s = (n - 1).trailing_zeros();
    let d = (n - 1) >> s;
    'witnesses: for a in WITNESSES {
        let mut x = pow_mod(a, d, n);
        if x == 1 || x == n - 1 {
            continue;
        }
        for _ in 1..s {
            x = mul_mod(x, x, n);
            if x == n - 1 {
                continue 'witnesses;
            }
        }
        // `a` proves that `n` is composite.
        return false;
    }
    true
}

/// `a * b % m`, through `u128` so that the product cannot overflow.
fn mul_mod(a: u64, b: u64, m: u64) -> u64 {
    let product = u128::from(a) * u128::from(b) % u128::from(m);
    u64::try_from(product).expect("a remainder mod a u64 fits in a u64")
}

/// `base^exp % m`, by repeated squaring.
fn pow_mod(mut base: u64, mut exp: u64, m: u64) -> u64 {
    let mut result = 1;
    base %= m;
    while exp > 0 {
        if exp & 1 == 1 {
            result = mul_mod(result, base, m);
        }
        base = mul_mod(base, base, m);
        exp >>= 1;
    }
    result
}
// ANCHOR_END: is_prime

// ANCHOR: send_or_cancel
/// Sends `value`, unless cancellation comes first or the receiver is gone.
/// Returns whether the stage should go on.
fn send_or_cancel<T>(tx: &Sender<T>, value: T, cancel: &Cancel) -> bool {
    select! {
        send(tx, value) -> sent => sent.is_ok(),
        recv(cancel.done()) -> _ => false,
    }
}

/// The next input, unless cancellation comes first or the input is used up.
fn recv_or_cancel<T>(input: &Receiver<T>, cancel: &Cancel) -> Option<T> {
    select! {
        recv(input) -> next => next.ok(),
        recv(cancel.done()) -> _ => None,
    }
}
// ANCHOR_END: send_or_cancel

/// Starts a stage on a named thread and returns the receiving end of its
/// output. The thread is not joined by anyone: it ends on its own in one of
/// the four cases in the crate docs, and the spec checks that it does.
fn spawn_stage<T: Send + 'static>(
    name: &str,
    body: impl FnOnce(Sender<T>) + Send + 'static,
) -> Receiver<T> {
    let (tx, rx) = channel::bounded(CAPACITY);
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || body(tx))
        .expect("the OS refused to start a pipeline thread");
    rx
}

// ANCHOR: stages
/// Sends every number of `range`, in order, then closes its output.
pub fn generate(range: RangeInclusive<u64>, cancel: &Cancel) -> Receiver<u64> {
    let cancel = cancel.clone();
    spawn_stage("generate", move |tx| {
        // Iterating the range (not `n += 1`) is what makes `..=u64::MAX`
        // safe: the last step never computes `u64::MAX + 1`.
        for n in range {
            if !send_or_cancel(&tx, n, &cancel) {
                return;
            }
        }
    })
}

/// Passes on the primes of `input`, in order.
pub fn filter_primes(input: Receiver<u64>, cancel: &Cancel) -> Receiver<u64> {
    let cancel = cancel.clone();
    spawn_stage("filter-primes", move |tx| {
        while let Some(n) = recv_or_cancel(&input, &cancel) {
            // `is_prime` says no to 0 and 1, as it should, and answers in
            // microseconds for any u64: the stage is never deaf to cancel
            // for long.
            if is_prime(n) && !send_or_cancel(&tx, n, &cancel) {
                return;
            }
        }
    })
}

/// Passes on the square of each number of `input`, in order, as a `u128`:
/// the square of any `u64` fits.
pub fn square(input: Receiver<u64>, cancel: &Cancel) -> Receiver<u128> {
    let cancel = cancel.clone();
    spawn_stage("square", move |tx| {
        while let Some(n) = recv_or_cancel(&input, &cancel) {
            let n = u128::from(n);
            if !send_or_cancel(&tx, n * n, &cancel) {
                return;
            }
        }
    })
}

/// The whole pipeline: the squares of the primes in `range`, in order.
pub fn prime_squares(range: RangeInclusive<u64>, cancel: &Cancel) -> Receiver<u128> {
    square(filter_primes(generate(range, cancel), cancel), cancel)
}
// ANCHOR_END: stages

/// Tests of the given code. The spec tests your stages; these check what the
/// exercise gives you.
#[cfg(test)]
mod given {
    use super::{Cancel, is_prime};

    /// Trial division: slow, but obviously right for small numbers.
    fn by_trial_division(n: u64) -> bool {
        n >= 2
            && (2..)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    }

    #[test]
    fn is_prime_agrees_with_trial_division_below_100_000() {
        for n in 0..100_000 {
            assert_eq!(is_prime(n), by_trial_division(n), "is_prime({n})");
        }
    }

    #[test]
    fn is_prime_is_not_fooled_by_pseudoprimes() {
        // Carmichael numbers fool the Fermat test; 3825123056546413051 is a
        // strong pseudoprime to every witness from 2 to 23.
        for n in [
            561,
            41_041,
            825_265,
            3_215_031_751,
            3_825_123_056_546_413_051,
        ] {
            assert!(!is_prime(n), "{n} is composite");
        }
    }

    #[test]
    fn is_prime_knows_the_primes_just_below_2_to_the_64() {
        // 2^64 - k is prime for exactly these k up to 400.
        let below: Vec<u64> = (1..=400)
            .filter(|&k| is_prime(0u64.wrapping_sub(k)))
            .collect();
        assert_eq!(below, [59, 83, 95, 179, 189, 257, 279, 323, 353, 363]);
        // Squares of primes near 2^32, and products of two of them.
        let (p, q) = (4_294_967_291_u64, 4_294_967_279_u64);
        assert!(is_prime(p) && is_prime(q));
        assert!(!is_prime(p * p) && !is_prime(p * q));
    }

    #[test]
    fn cancel_is_seen_by_every_clone() {
        let cancel = Cancel::new();
        let clone = cancel.clone();
        assert!(!clone.is_cancelled());
        cancel.cancel();
        assert!(clone.is_cancelled());
        assert!(
            clone.done().recv().is_err(),
            "done() is closed after cancel"
        );
    }
}
