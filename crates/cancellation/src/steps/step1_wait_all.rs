//! Step 1: a group that waits for every task and keeps the first error.
//!
//! Right: the tasks run at once, `wait` waits for all of them, the first
//! error in time is the one returned, and dropping the group aborts its
//! tasks (the `JoinSet` does). Wrong: nobody tells the others to stop, so
//! `wait` returns the error only when the slowest task has finished.

use std::future::Future;

use tokio::task::JoinSet;

/// Tasks that can fail, run together.
#[derive(Debug)]
pub struct Group<T, E> {
    tasks: JoinSet<Result<T, E>>,
}

impl<T: Send + 'static, E: Send + 'static> Default for Group<T, E> {
    fn default() -> Self {
        Group {
            tasks: JoinSet::new(),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Group<T, E> {
    // ANCHOR: group
    /// Starts `task` at once.
    pub fn spawn(&mut self, task: impl Future<Output = Result<T, E>> + Send + 'static) {
        self.tasks.spawn(task);
    }

    /// Waits for every task; their values in completion order, or the
    /// first error.
    pub async fn wait(mut self) -> Result<Vec<T>, E> {
        let (mut values, mut first_error) = (Vec::new(), None);
        while let Some(joined) = self.tasks.join_next().await {
            match joined.expect("no task panics in this step") {
                Ok(value) => values.push(value),
                Err(error) => {
                    first_error.get_or_insert(error); // Later errors are dropped.
                }
            }
        }
        first_error.map_or(Ok(values), Err)
    }
    // ANCHOR_END: group
}
