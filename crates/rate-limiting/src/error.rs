//! The one error this crate returns: a limiter built with settings that
//! could never let anything through.
//!
//! Every constructor checks its numbers and returns [`ConfigError`] instead
//! of panicking (tokio's `interval` panics on a zero period) or building a
//! limiter that would make every caller wait forever (a bucket that holds
//! no token, a semaphore with no permit). It is a typed error, not
//! `anyhow`, because a caller may want to tell the cases apart, for example
//! to fall back to a default when a setting read from a file is zero.

use std::fmt;
use std::time::Duration;

/// Why a limiter could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigError {
    /// A rate of zero per second: the first wait would never end.
    ZeroRate,
    /// More than one event per nanosecond: the period between two events
    /// would round down to zero.
    RateTooHigh {
        /// The rate that was asked for.
        per_second: u32,
    },
    /// A token bucket that can hold no token: no call could ever pass.
    ZeroCapacity,
    /// A concurrency limit of zero: no job could ever start.
    ZeroConcurrency,
    /// More permits than a tokio semaphore can count
    /// ([`tokio::sync::Semaphore::MAX_PERMITS`]).
    TooManyPermits {
        /// The limit that was asked for.
        limit: usize,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::ZeroRate => {
                write!(f, "a rate of 0 per second never lets anything through")
            }
            ConfigError::RateTooHigh { per_second } => write!(
                f,
                "a rate of {per_second} per second is above one per nanosecond, the finest period a Duration holds"
            ),
            ConfigError::ZeroCapacity => {
                write!(
                    f,
                    "a token bucket with capacity 0 never lets anything through"
                )
            }
            ConfigError::ZeroConcurrency => {
                write!(f, "a concurrency limit of 0 never lets a job start")
            }
            ConfigError::TooManyPermits { limit } => write!(
                f,
                "a concurrency limit of {limit} is above what a tokio semaphore can count"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The time between two events at `per_second` events per second.
///
/// `1 s / per_second`, rounded down to whole nanoseconds: pick rates that
/// divide a second evenly (5, 10, 20, 50, ...) when exact instants matter,
/// as they do in the tests.
pub(crate) fn period(per_second: u32) -> Result<Duration, ConfigError> {
    match per_second {
        0 => Err(ConfigError::ZeroRate),
        n if n > 1_000_000_000 => Err(ConfigError::RateTooHigh { per_second: n }),
        n => Ok(Duration::from_secs(1) / n),
    }
}
