//! The job queue's table (fang's `fang_tasks`, in the shop's own database), written from
//! inside the caller's transaction: a task is queued exactly when the change that needs
//! it commits, and never for a change that rolled back. The row is the one fang's own
//! `insert_task` writes (same columns, same encodings through the same sqlx drivers), so
//! fang's workers run it unchanged.

use chrono::Utc;
use fang::AsyncRunnable;
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ConnectionTrait, DbErr};
use tokio::sync::Notify;

/// Rung after a commit that queued work, so an idle worker of this process starts at
/// once instead of after its poll interval (at most half a second; workers in other
/// processes poll).
static WAKE: Notify = Notify::const_new();

/// Queues `task` in the caller's transaction. Tasks marked `uniq` are not supported
/// here (none of the shop's are): fang deduplicates them by a hash this does not write.
pub async fn enqueue_in(conn: &impl ConnectionTrait, task: &dyn AsyncRunnable) -> Result<(), DbErr> {
    debug_assert!(!task.uniq(), "unique tasks go through fang's insert_task");
    let metadata = serde_json::to_value(task).map_err(|e| DbErr::Custom(format!("task metadata: {e}")))?;
    let insert = Query::insert()
        .into_table(Alias::new("fang_tasks"))
        .columns([
            Alias::new("id"),
            Alias::new("metadata"),
            Alias::new("task_type"),
            Alias::new("scheduled_at"),
        ])
        .values_panic([
            uuid::Uuid::new_v4().into(),
            metadata.into(),
            task.task_type().into(),
            Utc::now().into(),
        ])
        .to_owned();
    conn.execute(conn.get_database_backend().build(&insert)).await?;
    Ok(())
}

/// Puts back in the queue every task a worker claimed more than `lease` ago and never
/// finished: its worker died (a crash, a kill, a deploy). fang itself would leave it
/// `in_progress` forever. Every task is idempotent (fang may even hand one task to two
/// workers), so a slow task that is still running loses nothing by running again.
pub async fn requeue_abandoned(
    conn: &impl ConnectionTrait,
    lease: std::time::Duration,
) -> Result<u64, DbErr> {
    let now = Utc::now();
    let cutoff = now - chrono::Duration::from_std(lease).map_err(|e| DbErr::Custom(e.to_string()))?;
    // Literals, not parameters, for the states: PostgreSQL's column is an enum type.
    let update = Query::update()
        .table(Alias::new("fang_tasks"))
        .value(Alias::new("state"), Expr::cust("'new'"))
        .value(Alias::new("updated_at"), now)
        .and_where(Expr::col(Alias::new("state")).eq(Expr::cust("'in_progress'")))
        .and_where(Expr::col(Alias::new("updated_at")).lt(cutoff))
        .to_owned();
    let done = conn.execute(conn.get_database_backend().build(&update)).await?;
    Ok(done.rows_affected())
}

/// Wakes one idle worker of this process; call after committing queued work.
pub fn wake() {
    WAKE.notify_one();
}

/// Wakes every idle worker of this process.
pub fn wake_all() {
    WAKE.notify_waiters();
}

/// Resolves when [`wake`] or [`wake_all`] is called (for the worker loop).
pub async fn woken() {
    WAKE.notified().await;
}
