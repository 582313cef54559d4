//! fang's queue as the back office sees it: jobs waiting, running, retrying or failed,
//! and "retry now" for a failed one. fang keeps its tasks in `fang_tasks`, whose column
//! types differ per backend (uuid/jsonb/enum on PostgreSQL, blob/text on SQLite), hence
//! the hand-written SQL.

use super::{audit, Actor};
use crate::models::admin::JobRow;
use crate::models::{AppError, Page};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, TransactionTrait, Value};

fn fang_state(state: &str) -> Option<&'static str> {
    match state {
        "pending" => Some("new"),
        "running" => Some("in_progress"),
        "retrying" => Some("retried"),
        "failed" => Some("failed"),
        _ => None,
    }
}

fn admin_state(fang: &str) -> String {
    match fang {
        "new" => "pending",
        "in_progress" => "running",
        "retried" => "retrying",
        other => other,
    }
    .to_string()
}

/// Jobs not yet finished, soonest first; `state` narrows to one of `JOB_STATES`.
pub async fn list_jobs(
    db: &impl ConnectionTrait,
    state: Option<&str>,
    page: u32,
    per_page: u32,
) -> Result<Page<JobRow>, AppError> {
    let backend = db.get_database_backend();
    let wanted = match state.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            fang_state(s)
                .ok_or_else(|| AppError::field("state", "Choose pending, running, retrying or failed."))?,
        ),
    };
    let (select, state_col) = match backend {
        DatabaseBackend::Postgres => (
            "SELECT id::text AS id, metadata->>'type' AS job, state::text AS state, retries, error_message, scheduled_at, updated_at FROM fang_tasks",
            "state::text",
        ),
        _ => (
            "SELECT lower(hex(id)) AS id, json_extract(metadata, '$.type') AS job, state, retries, error_message, scheduled_at, updated_at FROM fang_tasks",
            "state",
        ),
    };
    let mut filter = format!(" WHERE {state_col} <> 'finished'");
    let mut values: Vec<Value> = Vec::new();
    if let Some(s) = wanted {
        filter.push_str(&format!(" AND {state_col} = $1"));
        values.push(s.into());
    }
    let count_sql = format!("SELECT COUNT(*) AS n FROM fang_tasks{filter}");
    let total: i64 = db
        .query_one(Statement::from_sql_and_values(backend, &count_sql, values.clone()))
        .await?
        .map(|r| r.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    let n = values.len();
    let sql = format!("{select}{filter} ORDER BY scheduled_at ASC LIMIT ${} OFFSET ${}", n + 1, n + 2);
    values.push(i64::from(per_page).into());
    values.push((i64::from(page - 1) * i64::from(per_page)).into());
    let rows = db.query_all(Statement::from_sql_and_values(backend, &sql, values)).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let raw_id: String = r.try_get("", "id")?;
        let scheduled: DateTime<Utc> = r.try_get("", "scheduled_at")?;
        let updated: DateTime<Utc> = r.try_get("", "updated_at")?;
        let state: String = r.try_get("", "state")?;
        items.push(JobRow {
            id: uuid::Uuid::parse_str(&raw_id).map(|u| u.to_string()).unwrap_or(raw_id),
            job: r.try_get::<Option<String>>("", "job")?.unwrap_or_else(|| "?".into()),
            state: admin_state(&state),
            retries: r.try_get("", "retries")?,
            error: r.try_get("", "error_message")?,
            scheduled_at: scheduled.to_rfc3339(),
            updated_at: updated.to_rfc3339(),
        });
    }
    Ok(Page { items, page, per_page, total: total.max(0) as u64 })
}

/// Failed or retrying jobs, for the dashboard.
pub async fn troubled_jobs(db: &impl ConnectionTrait) -> Result<Vec<JobRow>, AppError> {
    let mut jobs = list_jobs(db, Some("failed"), 1, 20).await?.items;
    jobs.extend(list_jobs(db, Some("retrying"), 1, 20).await?.items);
    Ok(jobs)
}

/// Puts a failed job back in the queue to run now, with its retries reset. Only failed
/// jobs: anything else is already going to run (409).
pub async fn retry_job(db: &DatabaseConnection, actor: &Actor, id: &str) -> Result<(), AppError> {
    let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::not_found("Job"))?;
    let backend = db.get_database_backend();
    let now = Utc::now();
    let (id_match, id_value): (&str, Value) = match backend {
        DatabaseBackend::Postgres => ("id = $1::uuid", id.to_string().into()),
        _ => ("id = $1", id.as_bytes().to_vec().into()),
    };
    let txn = db.begin().await?;
    let sql = format!(
        "UPDATE fang_tasks SET state = 'new', retries = 0, scheduled_at = $2, updated_at = $2 WHERE {id_match} AND state = 'failed'"
    );
    let done =
        txn.execute(Statement::from_sql_and_values(backend, &sql, [id_value.clone(), now.into()])).await?;
    if done.rows_affected() == 0 {
        let exists = format!("SELECT 1 AS one FROM fang_tasks WHERE {id_match}");
        let found = txn.query_one(Statement::from_sql_and_values(backend, &exists, [id_value])).await?;
        return Err(match found {
            Some(_) => {
                AppError::Conflict("Only a failed job can be retried; this one is still queued.".into())
            }
            None => AppError::not_found("Job"),
        });
    }
    let after = serde_json::json!({ "state": "pending", "retries": 0 });
    audit(&txn, actor, "job.retry", "job", id, Some(serde_json::json!({ "state": "failed" })), Some(after))
        .await?;
    txn.commit().await?;
    Ok(())
}
