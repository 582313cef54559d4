//! The worker loop: picks jobs up within a fraction of a second and stops gracefully
//! (it finishes the job in hand, then exits).
//!
//! fang's `AsyncWorkerPool` cannot be stopped, so the loop below drives the queue
//! itself: it claims and removes tasks a batch at a time (`infra::queue::finish_and_claim`), and
//! records retries and failures through fang's API, with fang's backoff rules.

use super::{JobContext, CONTEXT};
use crate::infra::queue;
use fang::{AsyncQueueable, AsyncRunnable, Task};
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;

const MIN_IDLE: Duration = Duration::from_millis(100);
const IDLE_STEP: Duration = Duration::from_millis(100);
const MAX_IDLE: Duration = Duration::from_millis(500);
/// Counted per task type, `final` when it will not be retried (Prometheus, `/metrics`).
pub const JOB_FAILURES: &str = "shop_job_failures_total";

/// Runs jobs until `stop` turns true: claims a batch, runs it, and removes what is done
/// in the same transaction that claims the next batch.
pub async fn run_worker(ctx: Arc<JobContext>, mut stop: watch::Receiver<bool>) {
    let mut idle = MIN_IDLE;
    let mut finished = Vec::new();
    while !*stop.borrow() {
        match queue::finish_and_claim(&ctx.db, &finished, queue::CLAIM_BATCH).await {
            Ok(tasks) if !tasks.is_empty() => {
                idle = MIN_IDLE;
                finished = run_batch(&ctx, tasks, &stop).await;
            }
            Ok(_) => {
                finished.clear();
                tokio::select! {
                    _ = stop.changed() => {}
                    _ = queue::woken() => {
                        idle = MIN_IDLE;
                        continue;
                    }
                    _ = tokio::time::sleep(idle) => {}
                }
                idle = (idle + IDLE_STEP).min(MAX_IDLE);
            }
            // `finished` is kept for the next round. Should it never come, the tasks stay
            // `in_progress` and housekeeping runs them again after their lease: every task
            // is idempotent.
            Err(e) => {
                tracing::warn!(error = %e, "could not claim jobs");
                let _ = tokio::time::timeout(MAX_IDLE, stop.changed()).await;
            }
        }
    }
    if let Err(e) = queue::remove_done(&ctx.db, &finished).await {
        tracing::error!(error = %e, "could not remove finished jobs");
    }
}

/// Runs claimed tasks in order and returns the ids of those that are done. Asked to
/// stop, it puts back the ones it has not started.
async fn run_batch(ctx: &Arc<JobContext>, tasks: Vec<Task>, stop: &watch::Receiver<bool>) -> Vec<uuid::Uuid> {
    let mut done = Vec::with_capacity(tasks.len());
    let mut left = Vec::new();
    for task in tasks {
        if *stop.borrow() {
            left.push(task.id);
        } else if execute(ctx, &task).await {
            done.push(task.id);
        }
    }
    if let Err(e) = queue::release(&ctx.db, &left).await {
        tracing::error!(error = %e, "could not put unstarted jobs back");
    }
    done
}

/// Runs one task and records a retry or a failure; true when it is done and may go.
async fn execute(ctx: &Arc<JobContext>, task: &Task) -> bool {
    let queue = &ctx.queue;
    let runnable: Box<dyn AsyncRunnable> = match serde_json::from_value(task.metadata.clone()) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(task = %task.id, error = %e, "unknown job type; marking failed");
            let _ = queue.fail_task(task, &format!("cannot decode job: {e}")).await;
            return false;
        }
    };
    let started = std::time::Instant::now();
    let result = CONTEXT.scope(Arc::clone(ctx), runnable.run(queue)).await;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let recorded = match result {
        Ok(()) => {
            tracing::info!(task = %task.id, elapsed_ms, "job done");
            return true;
        }
        Err(e) if task.retries < runnable.max_retries() => {
            metrics::counter!(JOB_FAILURES, "task_type" => runnable.typetag_name(), "final" => "false")
                .increment(1);
            let backoff = runnable.backoff(task.retries as u32);
            tracing::warn!(task = %task.id, retry = task.retries + 1, backoff, error = %e.description, "job failed; will retry");
            queue.schedule_retry(task, backoff, &e.description).await.map(|_| ())
        }
        Err(e) => {
            metrics::counter!(JOB_FAILURES, "task_type" => runnable.typetag_name(), "final" => "true")
                .increment(1);
            tracing::error!(task = %task.id, error = %e.description, "job failed for good");
            queue.fail_task(task, &e.description).await.map(|_| ())
        }
    };
    if let Err(e) = recorded {
        tracing::error!(task = %task.id, error = ?e, "could not record job result");
    }
    false
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
            let url = ctx.config.database_url.clone();
            let stop = rx.clone();
            handles.push(tokio::spawn(async move { queue::listen_for_work(&url, stop).await }));
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
        let _ = tokio::time::timeout(ctx.config.housekeeping_every, stop.changed()).await;
    }
}
