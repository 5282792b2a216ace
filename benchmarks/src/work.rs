//! The workloads the benchmarks share.

/// Trial division by every odd number up to `√n`: slow on purpose, so that
/// a job is worth handing to another thread. A prime near `10^12` takes
/// half a million divisions.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n.is_multiple_of(2) {
        return n == 2;
    }
    let mut divisor = 3;
    while divisor * divisor <= n {
        if n.is_multiple_of(divisor) {
            return false;
        }
        divisor += 2;
    }
    true
}

/// The first `count` primes above `start`.
///
/// The worker-pool benchmark tests only primes, so every job costs the same
/// (a composite usually fails on a small divisor at once) and the
/// comparison is about the pool, not about who drew the heavy jobs.
pub fn primes_above(start: u64, count: usize) -> Vec<u64> {
    (start..).filter(|&n| is_prime(n)).take(count).collect()
}

/// A small, fast pseudo-random generator (xorshift64*), so that each thread
/// of a map benchmark draws its own keys without sharing any state.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed` (0 is replaced, xorshift needs a set bit).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }
}

/// Burns about `rounds` cheap steps of CPU time: a consumer made slow on
/// purpose, without sleeping (a sleep per item would take hours for ten
/// million items).
pub fn spin(rounds: u32) -> u64 {
    let mut x = u64::from(rounds) | 1;
    for _ in 0..rounds {
        x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_division_agrees_with_the_primes_crate() {
        for n in 0..2_000 {
            assert_eq!(is_prime(n), primes::is_prime(n), "{n}");
        }
    }

    #[test]
    fn primes_above_are_primes_in_order() {
        let found = primes_above(100, 5);
        assert_eq!(found, [101, 103, 107, 109, 113]);
    }

    #[test]
    fn rng_stays_below_its_bound_and_varies() {
        let mut rng = Rng::new(7);
        let draws: Vec<u64> = (0..1_000).map(|_| rng.below(10)).collect();
        assert!(draws.iter().all(|&d| d < 10));
        assert!((0..10).all(|d| draws.contains(&d)), "every value shows up");
    }
}
