//! The job queue's table (fang's `fang_tasks`, in the shop's own database), written from
//! inside the caller's transaction: a task is queued exactly when the change that needs
//! it commits, and never for a change that rolled back. The row is the one fang's own
//! `insert_task` writes (same columns, same encodings through the same sqlx drivers).
//! Workers claim and remove tasks here too, a batch per statement (fang's own claim is a
//! SELECT and then an UPDATE that does not check the state, so two workers could run one
//! task, and each task cost two round trips to claim and one to remove); they still run
//! them as fang tasks, with fang's retry and failure bookkeeping.

use chrono::Utc;
use fang::AsyncRunnable;
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait};
use tokio::sync::Notify;

/// Rung after a commit that queued work, so an idle worker of this process starts at
/// once instead of after its poll interval (at most half a second); on PostgreSQL,
/// workers in other processes are told by `NOTIFY` (see [`listen_for_work`]).
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
    notify_workers(conn).await
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

/// How many tasks a worker claims at once: a batch costs one commit to remove the last
/// batch and claim it (`finish_and_claim`), instead of three round trips per task.
pub const CLAIM_BATCH: u64 = 4;

const TASK_COLUMNS: &str =
    "id, metadata, error_message, state, task_type, uniq_hash, retries, scheduled_at, created_at, updated_at";

/// Claims up to `limit` tasks that are due, oldest first, in one statement: each is
/// `in_progress` for this worker alone. On PostgreSQL concurrent claims skip each
/// other's rows (`FOR UPDATE SKIP LOCKED`); on SQLite the statement runs under the
/// database's write lock. fang's own claim is a SELECT and then an UPDATE that does not
/// check the state, so two workers could run one task.
pub async fn claim(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<fang::Task>, DbErr> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "UPDATE fang_tasks SET state = 'in_progress', updated_at = $1 WHERE id IN \
             (SELECT id FROM fang_tasks WHERE state IN ('new', 'retried') AND scheduled_at <= $1 \
             ORDER BY created_at, scheduled_at LIMIT $2 FOR UPDATE SKIP LOCKED) \
             RETURNING {}",
            TASK_COLUMNS.replace("state,", "state::text AS state,")
        ),
        _ => format!(
            "UPDATE fang_tasks SET state = 'in_progress', updated_at = ?1 WHERE id IN \
             (SELECT id FROM fang_tasks WHERE state IN ('new', 'retried') AND scheduled_at <= ?1 \
             ORDER BY created_at, scheduled_at LIMIT ?2) RETURNING {TASK_COLUMNS}"
        ),
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn
        .query_all(Statement::from_sql_and_values(backend, sql, [Utc::now().into(), limit.into()]))
        .await?;
    let mut tasks: Vec<fang::Task> = rows.iter().map(task_of).collect::<Result<_, _>>()?;
    // RETURNING gives no order; run them oldest first.
    tasks.sort_by_key(|t| (t.created_at, t.scheduled_at));
    Ok(tasks)
}

fn task_of(row: &sea_orm::QueryResult) -> Result<fang::Task, DbErr> {
    let state: String = row.try_get("", "state")?;
    Ok(fang::Task {
        id: row.try_get("", "id")?,
        metadata: row.try_get("", "metadata")?,
        error_message: row.try_get("", "error_message")?,
        state: fang::FangTaskState::from(state),
        task_type: row.try_get("", "task_type")?,
        uniq_hash: row.try_get("", "uniq_hash")?,
        retries: row.try_get("", "retries")?,
        scheduled_at: row.try_get("", "scheduled_at")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
    })
}

/// Removes the tasks that are done, in one statement.
pub async fn remove_done(conn: &impl ConnectionTrait, ids: &[uuid::Uuid]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let delete = Query::delete()
        .from_table(Alias::new("fang_tasks"))
        .and_where(Expr::col(Alias::new("id")).is_in(ids.iter().copied()))
        .to_owned();
    conn.execute(conn.get_database_backend().build(&delete)).await?;
    Ok(())
}

/// Removes the tasks a worker finished and claims its next batch in one transaction, so
/// a batch costs one commit.
pub async fn finish_and_claim(
    db: &DatabaseConnection,
    finished: &[uuid::Uuid],
    limit: u64,
) -> Result<Vec<fang::Task>, DbErr> {
    if finished.is_empty() {
        return claim(db, limit).await;
    }
    let txn = db.begin().await?;
    // The delete first: SQLite takes its write lock at the transaction's first write.
    remove_done(&txn, finished).await?;
    let tasks = claim(&txn, limit).await?;
    txn.commit().await?;
    Ok(tasks)
}

/// Puts claimed tasks that were not run back in the queue (a worker stopping mid-batch).
pub async fn release(conn: &impl ConnectionTrait, ids: &[uuid::Uuid]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let update = Query::update()
        .table(Alias::new("fang_tasks"))
        .value(Alias::new("state"), Expr::cust("'new'"))
        .and_where(Expr::col(Alias::new("id")).is_in(ids.iter().copied()))
        .and_where(Expr::col(Alias::new("state")).eq(Expr::cust("'in_progress'")))
        .to_owned();
    conn.execute(conn.get_database_backend().build(&update)).await?;
    Ok(())
}

/// The PostgreSQL channel that says "a task was queued" to workers in other processes.
const CHANNEL: &str = "fang_tasks";

/// Tells workers in every process that a task is queued, from inside the enqueuing
/// transaction: PostgreSQL delivers the notification when (and only if) it commits.
async fn notify_workers(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_unprepared(&format!("NOTIFY {CHANNEL}")).await?;
    }
    Ok(())
}

/// Wakes this process's idle workers whenever any process queues a task (PostgreSQL's
/// LISTEN/NOTIFY), until `stop`. On SQLite there is one process: [`wake`] is enough.
pub async fn listen_for_work(database_url: &str, mut stop: tokio::sync::watch::Receiver<bool>) {
    if !database_url.starts_with("postgres") {
        return;
    }
    let mut listener = match sqlx::postgres::PgListener::connect(database_url).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for queued work; workers poll");
            return;
        }
    };
    if let Err(e) = listener.listen(CHANNEL).await {
        tracing::warn!(error = %e, "cannot listen for queued work; workers poll");
        return;
    }
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            // The listener reconnects by itself after a lost connection.
            got = listener.recv() => match got {
                Ok(_) => wake(),
                Err(e) => {
                    tracing::warn!(error = %e, "listening for queued work failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            },
        }
    }
}

/// The queue as an operator sees it, per task type (the job's registered name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeStats {
    /// Waiting to run (`new` or `retried`), due or not.
    pub waiting: i64,
    /// Claimed by a worker and not finished.
    pub in_progress: i64,
    /// Gave up after their last retry.
    pub failed: i64,
    /// How long the oldest due task has waited past its scheduled time, in seconds.
    pub oldest_due_seconds: f64,
}

/// [`TypeStats`] for every task type that has rows, by name.
pub async fn stats(
    conn: &impl ConnectionTrait,
) -> Result<std::collections::BTreeMap<String, TypeStats>, DbErr> {
    let backend = conn.get_database_backend();
    // The job's name is the `type` tag fang's typetag writes into the metadata.
    let (kind, state) = match backend {
        DbBackend::Postgres => ("metadata->>'type'", "state::text"),
        _ => ("json_extract(metadata, '$.type')", "state"),
    };
    let now = Utc::now();
    let by_state = format!(
        "SELECT COALESCE({kind}, task_type) AS kind, {state} AS state, COUNT(*) AS n, \
         MIN(CASE WHEN scheduled_at <= $1 THEN scheduled_at END) AS oldest_due \
         FROM fang_tasks GROUP BY 1, 2"
    );
    let rows = conn.query_all(Statement::from_sql_and_values(backend, by_state, [now.into()])).await?;
    let mut all = std::collections::BTreeMap::<String, TypeStats>::new();
    for row in rows {
        let entry = all.entry(row.try_get("", "kind")?).or_default();
        let n: i64 = row.try_get("", "n")?;
        match row.try_get::<String>("", "state")?.as_str() {
            "new" | "retried" => {
                entry.waiting += n;
                let oldest: Option<chrono::DateTime<Utc>> = row.try_get("", "oldest_due")?;
                if let Some(oldest) = oldest {
                    let age = (now - oldest).num_milliseconds().max(0) as f64 / 1000.0;
                    entry.oldest_due_seconds = entry.oldest_due_seconds.max(age);
                }
            }
            "in_progress" => entry.in_progress += n,
            "failed" => entry.failed += n,
            _ => {}
        }
    }
    Ok(all)
}
