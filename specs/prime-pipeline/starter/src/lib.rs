//! Exercise: a prime pipeline with cancellation.
//!
//! Generate numbers, keep the primes, square them: three stages, each on its
//! own thread, joined by bounded channels, and every stage stops promptly
//! when cancelled. This is the Go tutorial's second exercise ("a pipeline
//! that generates numbers, filters primes, squares them, with context
//! cancellation at each stage"), with crossbeam channels and threads.
//!
//! # The contract (what the spec checks, in the spec's order)
//!
//! 1. **Output.** `prime_squares(range, cancel)` sends the squares of the
//!    primes of `range`, in order, each once, then closes. 0 and 1 are not
//!    prime. `generate` sends every number of its range in order, up to and
//!    including `u64::MAX` when the range ends there. Squares are `u128` and
//!    exact. The primes are right, and found fast, on all of `u64`:
//!    `prime_squares(u64::MAX - 400..=u64::MAX)` takes well under a second.
//!    Use the given [`is_prime`].
//! 2. **Stages.** `generate(range, cancel)`, `filter_primes(input, cancel)`
//!    and `square(input, cancel)` each start **one thread**, return at once,
//!    and give back the receiving end of a **bounded** channel (capacity at
//!    most [`CAPACITY`]); `prime_squares` chains the three. A stage works on
//!    any `Receiver`, also one whose sender is slow.
//! 3. **Memory.** Besides its output channel, a stage holds at most
//!    [`CAPACITY`] items in hand (one at a time, or a batch of up to
//!    `CAPACITY`). With nobody reading, a stage takes no more from its input
//!    than that, and it waits: it never drops an item to make room.
//! 4. **Cancel.** After `cancel.cancel()`, **every stage on its own**
//!    finishes within a second and closes its output, wherever it is:
//!    blocked sending to a full channel that nobody reads (and nobody
//!    closes), waiting on an input that stays open and empty, or in the
//!    middle of its work. No thread is left running, and a `for` loop over
//!    the output ends.
//! 5. **Dropping the output**, without cancelling, also stops every stage.
//! 6. **No panics**, on any thread: a stage that dies closes its channel
//!    early, and the output can look complete.
//!
//! `select!` hears a cancel only while a stage *waits*: work between two
//! waits cannot be interrupted. Keep it short. One call of the given
//! `is_prime` takes microseconds; trial division near `u64::MAX` takes
//! seconds, during which the stage is deaf to cancel.
//!
//! [`Cancel`] and [`is_prime`] are given. `Cancel` is a channel that closes
//! when cancelled, which `crossbeam::select!` can wait on next to your real
//! work, like Go's `ctx.Done()`. Read its docs first.
//!
//! # How to check your work
//!
//! ```text
//! cargo xtask check prime-pipeline     # judge this exercise against its spec
//! cargo xtask hint prime-pipeline      # the next hint, when you are stuck
//! ```
//!
//! The book's chapters on pipelines and on cancellation
//! (`cargo xtask book --open`) explain the ideas you need.

// TODO: remove this line when you are done: it keeps the compiler quiet about
// the parameters and imports the starter code does not use yet.
#![allow(
    unused_variables,
    unused_imports,
    clippy::todo,
    reason = "starter code: the bodies are yours to write"
)]

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
/// # use prime_pipeline::is_prime;
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

/// Sends every number of `range`, in order, then closes its output.
pub fn generate(range: RangeInclusive<u64>, cancel: &Cancel) -> Receiver<u64> {
    // TODO: start a thread that sends each number of `range` into a bounded
    // channel, and stops when the receiver is gone or `cancel` fires, even
    // while the channel is full.
    todo!()
}

/// Passes on the primes of `input`, in order.
pub fn filter_primes(input: Receiver<u64>, cancel: &Cancel) -> Receiver<u64> {
    // TODO: start a thread that keeps the primes (use the given `is_prime`),
    // and stops when its input is used up, its output is gone, or `cancel`
    // fires, wherever it waits.
    todo!()
}

/// Passes on the square of each number of `input`, in order, as a `u128`.
pub fn square(input: Receiver<u64>, cancel: &Cancel) -> Receiver<u128> {
    // TODO: like `filter_primes`, squaring each number without overflow.
    todo!()
}

/// The whole pipeline: the squares of the primes in `range`, in order.
pub fn prime_squares(range: RangeInclusive<u64>, cancel: &Cancel) -> Receiver<u128> {
    // TODO: chain the three stages.
    todo!()
}

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
