//! The worker loop: picks jobs up within a fraction of a second and stops gracefully
//! (it finishes the job in hand, then exits).
//!
//! fang's `AsyncWorkerPool` cannot be stopped, so the loop below drives fang's queue
//! API itself, with the same retry/backoff rules.

use super::{JobContext, CONTEXT};
use fang::{AsyncQueueable, AsyncRunnable, Task};
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;

const MIN_IDLE: Duration = Duration::from_millis(100);
const IDLE_STEP: Duration = Duration::from_millis(100);
const MAX_IDLE: Duration = Duration::from_millis(500);
/// How often each worker process runs housekeeping: re-enqueues mail whose job was lost,
/// cancels stale unpaid orders, deletes expired sessions.
pub const RECONCILE_EVERY: Duration = Duration::from_secs(30);

/// Runs jobs until `stop` turns true.
pub async fn run_worker(ctx: Arc<JobContext>, mut stop: watch::Receiver<bool>) {
    let mut idle = MIN_IDLE;
    while !*stop.borrow() {
        match ctx.queue.fetch_and_touch_task(None).await {
            Ok(Some(task)) => {
                idle = MIN_IDLE;
                execute(&ctx, task).await;
            }
            Ok(None) => {
                tokio::select! {
                    _ = stop.changed() => {}
                    _ = crate::infra::queue::woken() => {
                        idle = MIN_IDLE;
                        continue;
                    }
                    _ = tokio::time::sleep(idle) => {}
                }
                idle = (idle + IDLE_STEP).min(MAX_IDLE);
            }
            Err(e) => {
                tracing::warn!(error = ?e, "could not fetch a job");
                let _ = tokio::time::timeout(MAX_IDLE, stop.changed()).await;
            }
        }
    }
}

async fn execute(ctx: &Arc<JobContext>, task: Task) {
    let queue = &ctx.queue;
    let runnable: Box<dyn AsyncRunnable> = match serde_json::from_value(task.metadata.clone()) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(task = %task.id, error = %e, "unknown job type; marking failed");
            let _ = queue.fail_task(&task, &format!("cannot decode job: {e}")).await;
            return;
        }
    };
    let started = std::time::Instant::now();
    let result = CONTEXT.scope(Arc::clone(ctx), runnable.run(queue)).await;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let outcome = match result {
        Ok(()) => {
            tracing::info!(task = %task.id, elapsed_ms, "job done");
            queue.remove_task(&task.id).await.map(|_| ())
        }
        Err(e) if task.retries < runnable.max_retries() => {
            let backoff = runnable.backoff(task.retries as u32);
            tracing::warn!(task = %task.id, retry = task.retries + 1, backoff, error = %e.description, "job failed; will retry");
            queue.schedule_retry(&task, backoff, &e.description).await.map(|_| ())
        }
        Err(e) => {
            tracing::error!(task = %task.id, error = %e.description, "job failed for good");
            queue.fail_task(&task, &e.description).await.map(|_| ())
        }
    };
    if let Err(e) = outcome {
        tracing::error!(task = %task.id, error = ?e, "could not record job result");
    }
}

/// A running set of workers plus the outbox reconciler.
pub struct Workers {
    stop: watch::Sender<bool>,
    handles: Vec<tokio::task::JoinHandle<()>>,
}

impl Workers {
    pub fn start(ctx: JobContext, count: u32) -> Self {
        let (stop, rx) = watch::channel(false);
        let ctx = Arc::new(ctx);
        let mut handles: Vec<_> =
            (0..count).map(|_| tokio::spawn(run_worker(Arc::clone(&ctx), rx.clone()))).collect();
        if count > 0 {
            handles.push(tokio::spawn(reconcile_loop(ctx, rx)));
        }
        tracing::info!(workers = count, "job workers started");
        Self { stop, handles }
    }

    /// Asks every worker to stop after its current job and waits up to `grace`.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(true);
        let all = join_all(self.handles);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("workers still busy after {grace:?}; exiting anyway");
        }
    }
}

async fn join_all(handles: Vec<tokio::task::JoinHandle<()>>) {
    for h in handles {
        let _ = h.await;
    }
}

async fn reconcile_loop(ctx: Arc<JobContext>, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        super::housekeeping::housekeeping(&ctx).await;
        let _ = tokio::time::timeout(RECONCILE_EVERY, stop.changed()).await;
    }
}
