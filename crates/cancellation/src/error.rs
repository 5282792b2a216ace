//! Why work stopped: the typed errors of this crate.
//!
//! Go reports why a context ended with two sentinel values,
//! `context.Canceled` and `context.DeadlineExceeded`, and callers compare
//! against them with `errors.Is`. Here they are two variants of one enum,
//! next to the work's own failure, so a `match` must decide what to do with
//! each: a timeout reports itself as a timeout, never as a generic failure.
//!
//! The errors are typed, not `anyhow`, because callers act on the
//! difference: retry after a timeout, stay quiet after a cancel (someone
//! asked for it), report a failure. The work's own failure is an
//! [`anyhow::Error`] inside [`WorkError::Failed`], since the chunks of work
//! are the caller's code and this crate only passes their errors on.

use std::any::Any;
use std::fmt;

// ANCHOR: work_error
/// Why a piece of work stopped before it finished.
#[derive(Debug)]
pub enum WorkError {
    /// Someone cancelled its token: Go's `context.Canceled`.
    Cancelled,
    /// Its time limit passed first: Go's `context.DeadlineExceeded`.
    DeadlineExceeded,
    /// The work itself failed.
    Failed(anyhow::Error),
    /// The work panicked (in an [`crate::ErrGroup`] or a thread group).
    Panicked(TaskPanicked),
}
// ANCHOR_END: work_error

impl WorkError {
    /// `true` for [`WorkError::Cancelled`].
    pub fn is_cancelled(&self) -> bool {
        matches!(self, WorkError::Cancelled)
    }

    /// `true` for [`WorkError::DeadlineExceeded`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, WorkError::DeadlineExceeded)
    }
}

impl fmt::Display for WorkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkError::Cancelled => f.write_str("cancelled"),
            WorkError::DeadlineExceeded => f.write_str("deadline exceeded"),
            WorkError::Failed(error) => write!(f, "failed: {error:#}"),
            WorkError::Panicked(panicked) => panicked.fmt(f),
        }
    }
}

impl std::error::Error for WorkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WorkError::Failed(error) => Some(error.as_ref()),
            WorkError::Panicked(panicked) => Some(panicked),
            WorkError::Cancelled | WorkError::DeadlineExceeded => None,
        }
    }
}

impl From<TaskPanicked> for WorkError {
    fn from(panicked: TaskPanicked) -> Self {
        WorkError::Panicked(panicked)
    }
}

/// A task of a group panicked. Groups turn this into their error type
/// (`E: From<TaskPanicked>`), so a panic fails the group like an error does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPanicked {
    /// The task's position in the group: 0 for the first one spawned.
    pub task: usize,
    /// The panic message, if it was a string.
    pub message: String,
}

impl fmt::Display for TaskPanicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {} panicked: {}", self.task, self.message)
    }
}

impl std::error::Error for TaskPanicked {}

impl TaskPanicked {
    /// Reads the message out of a panic payload (`panic!` makes a `&str` or
    /// a `String`).
    pub(crate) fn new(task: usize, payload: &(dyn Any + Send)) -> TaskPanicked {
        let message = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_owned()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "a panic with a non-string payload".to_owned()
        };
        TaskPanicked { task, message }
    }
}
