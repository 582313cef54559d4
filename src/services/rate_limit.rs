//! Fixed-window attempt counters in the database, so every server process shares them.

use crate::models::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement};
use std::time::Duration;

/// A limit: at most `max` hits per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i32,
    pub window: Duration,
}

/// Counts one hit on `key`; refuses with `RateLimited` (and how long to wait) once the
/// window's allowance is used up.
pub async fn hit(
    db: &impl ConnectionTrait,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let window = chrono::Duration::from_std(limit.window).map_err(|_| AppError::Internal)?;
    let cutoff = now - window;
    // One statement: start a new window if the old one is over, else count the hit.
    // `$n` placeholders are understood by both PostgreSQL and SQLite.
    let sql = "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           hits = CASE WHEN rate_limits.window_start < $3 THEN 1 ELSE rate_limits.hits + 1 END, \
           window_start = CASE WHEN rate_limits.window_start < $3 THEN $2 ELSE rate_limits.window_start END \
         RETURNING hits, window_start";
    let row = db
        .query_one(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            [key.into(), now.into(), cutoff.into()],
        ))
        .await?
        .ok_or(AppError::Internal)?;
    judge(key, &row, limit.max, window, now)
}

/// Refuses with `RateLimited` if `key` has already used up its window's allowance,
/// without counting this request (for limits that count only failures: see `hit`).
pub async fn check(
    db: &impl ConnectionTrait,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let window = chrono::Duration::from_std(limit.window).map_err(|_| AppError::Internal)?;
    let sql = "SELECT hits, window_start FROM rate_limits WHERE key = $1";
    let row =
        db.query_one(Statement::from_sql_and_values(db.get_database_backend(), sql, [key.into()])).await?;
    match row {
        // This request would be one more than the allowance.
        Some(row) => judge(key, &row, limit.max - 1, window, now),
        None => Ok(()),
    }
}

/// A counter row against its allowance: `RateLimited` (with how long to wait) once its
/// window holds more than `allowed` hits.
fn judge(
    key: &str,
    row: &sea_orm::QueryResult,
    allowed: i32,
    window: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let hits: i32 = row.try_get("", "hits")?;
    let started: DateTime<Utc> = row.try_get("", "window_start")?;
    if started >= now - window && hits > allowed {
        let retry_after = (started + window - now).num_seconds().max(1) as u64;
        tracing::warn!(key, hits, retry_after, "rate limit reached");
        return Err(AppError::RateLimited { retry_after });
    }
    Ok(())
}

/// Deletes counters whose window started before `cutoff` (housekeeping).
pub async fn forget_before(db: &impl ConnectionTrait, cutoff: DateTime<Utc>) -> Result<u64, AppError> {
    let sql = "DELETE FROM rate_limits WHERE window_start < $1";
    let done =
        db.execute(Statement::from_sql_and_values(db.get_database_backend(), sql, [cutoff.into()])).await?;
    Ok(done.rows_affected())
}
