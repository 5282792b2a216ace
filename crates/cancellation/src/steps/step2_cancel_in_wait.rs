//! Step 2: a token that `wait` cancels on the first error.
//!
//! Each task is handed a clone of the group's `CancellationToken`, and
//! `wait` cancels it when the first error comes in, so the others stop.
//! Still wrong: the cancel happens in `wait`, so a caller that does other
//! work before it calls `wait` leaves the others running on a lost cause.

use std::future::Future;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Tasks that can fail, run together; the first error cancels the rest,
/// once someone is in [`Group::wait`].
#[derive(Debug)]
pub struct Group<T, E> {
    tasks: JoinSet<Result<T, E>>,
    token: CancellationToken,
}

impl<T: Send + 'static, E: Send + 'static> Default for Group<T, E> {
    fn default() -> Self {
        Group {
            tasks: JoinSet::new(),
            token: CancellationToken::new(),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Group<T, E> {
    /// Starts the task that `task` makes, handing it the group's token.
    pub fn spawn<Fut>(&mut self, task: impl FnOnce(CancellationToken) -> Fut)
    where
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        // ANCHOR: spawn
        self.tasks.spawn(task(self.token.clone()));
        // ANCHOR_END: spawn
    }

    /// Waits for every task; their values, or the first error, after
    /// cancelling the others.
    pub async fn wait(mut self) -> Result<Vec<T>, E> {
        let (mut values, mut first_error) = (Vec::new(), None);
        while let Some(joined) = self.tasks.join_next().await {
            match joined.expect("no task panics in this step") {
                Ok(value) => values.push(value),
                // ANCHOR: cancel
                Err(error) => {
                    self.token.cancel(); // Tell the others: they watch this token.
                    first_error.get_or_insert(error);
                } // ANCHOR_END: cancel
            }
        }
        first_error.map_or(Ok(values), Err)
    }
}
