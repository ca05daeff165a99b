//! Jobs, one per connection, on threads of their own.
//!
//! `join_all` runs every job's future on the thread that awaits it, so decoding and encoding
//! rows, most of a backup's work, used one core whatever `--jobs` said. On a runtime with
//! worker threads (the CLI's), each job here runs on its own thread, blocking on its future,
//! while the workers drive the connections' I/O. A current-thread runtime (the tests') has no
//! thread to spare for I/O, so there the jobs stay concurrent on this thread.

use std::future::Future;

use tokio::runtime::{Handle, RuntimeFlavor};

/// Runs `job` for each of `items` at once and returns the outputs in the items' order.
pub(crate) async fn run_jobs<T, F, Fut>(items: Vec<T>, job: F) -> Vec<Fut::Output>
where
    T: Send,
    F: Fn(T) -> Fut + Sync,
    Fut: Future,
    Fut::Output: Send,
{
    let handle = Handle::current();
    if items.len() < 2 || handle.runtime_flavor() != RuntimeFlavor::MultiThread {
        return futures::future::join_all(items.into_iter().map(job)).await;
    }
    // Should this be a worker thread, block_in_place hands its other tasks to another one.
    tokio::task::block_in_place(|| {
        std::thread::scope(|scope| {
            let threads: Vec<_> = items
                .into_iter()
                .map(|item| {
                    let (handle, job) = (handle.clone(), &job);
                    scope.spawn(move || handle.block_on(job(item)))
                })
                .collect();
            threads
                .into_iter()
                .map(|t| {
                    t.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    })
}
