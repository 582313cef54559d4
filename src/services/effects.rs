//! Exactly-once effects for at-least-once jobs.
//!
//! fang may hand one job to two workers, and a crashed worker leaves work half done.
//! Every job effect (sending a mail, marking an order paid, …) therefore runs through
//! [`run_once`]: it claims a string key in `effect_claims` with a conditional write,
//! runs the effect only if the claim succeeded, and records completion. A claim older
//! than its lease is considered abandoned and may be taken over.

use crate::entities::effect_claim::{self, Entity as Claims};
use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set, Statement,
    TransactionTrait,
};
use std::{future::Future, time::Duration};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// This call ran the effect.
    Ran,
    /// The effect had already completed; nothing was done.
    AlreadyDone,
}

#[derive(Debug, thiserror::Error)]
pub enum RunOnceError<E> {
    /// Another worker holds a live claim; retry later.
    #[error("effect {0} is in progress elsewhere")]
    Busy(String),
    #[error("effect failed: {0}")]
    Effect(E),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

enum Claim {
    Won,
    Done,
    Busy,
}

async fn claim(db: &DatabaseConnection, key: &str, lease: Duration) -> Result<Claim, DbErr> {
    let now = Utc::now();
    let inserted = Claims::insert(effect_claim::ActiveModel {
        key: Set(key.to_owned()),
        claimed_at: Set(now),
        done_at: Set(None),
    })
    .on_conflict(OnConflict::column(effect_claim::Column::Key).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    if inserted == 1 {
        return Ok(Claim::Won);
    }
    // Take over an abandoned claim (its holder crashed or its lease ran out).
    let stale_before = now - chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    let taken = Claims::update_many()
        .col_expr(effect_claim::Column::ClaimedAt, Expr::value(now))
        .filter(effect_claim::Column::Key.eq(key))
        .filter(effect_claim::Column::DoneAt.is_null())
        .filter(effect_claim::Column::ClaimedAt.lt(stale_before))
        .exec(db)
        .await?;
    if taken.rows_affected == 1 {
        return Ok(Claim::Won);
    }
    let done = Claims::find_by_id(key.to_owned()).one(db).await?.is_some_and(|c| c.done_at.is_some());
    Ok(if done { Claim::Done } else { Claim::Busy })
}

/// Runs `effect` at most once per `key` to completion. On failure the claim is released
/// so a retry can run it again.
pub async fn run_once<F, Fut, E>(
    db: &DatabaseConnection,
    key: &str,
    lease: Duration,
    effect: F,
) -> Result<Outcome, RunOnceError<E>>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    run_once_recorded(db, key, lease, effect, || None).await
}

/// [`run_once`], and after the effect succeeds, the statement `record` gives writes its
/// result in the same transaction that marks the claim done: one commit for both. That
/// commit is retried while the database is away (a restart, a fail-over), for up to half
/// the lease: the effect has happened, and an unrecorded claim would let another worker
/// run it again once the lease runs out (a mail sent twice).
pub async fn run_once_recorded<F, Fut, E>(
    db: &DatabaseConnection,
    key: &str,
    lease: Duration,
    effect: F,
    record: impl Fn() -> Option<Statement>,
) -> Result<Outcome, RunOnceError<E>>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    match claim(db, key, lease).await? {
        Claim::Done => return Ok(Outcome::AlreadyDone),
        Claim::Busy => return Err(RunOnceError::Busy(key.to_owned())),
        Claim::Won => {}
    }
    match effect().await {
        Ok(()) => {
            let give_up = std::time::Instant::now() + lease / 2;
            let mut wait = Duration::from_millis(100);
            loop {
                match mark_done(db, key, record()).await {
                    Ok(()) => return Ok(Outcome::Ran),
                    Err(e) if std::time::Instant::now() + wait < give_up => {
                        tracing::warn!(key, error = %e, "effect done but not recorded yet; retrying");
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(Duration::from_secs(2));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Err(e) => {
            Claims::delete_many()
                .filter(effect_claim::Column::Key.eq(key))
                .filter(effect_claim::Column::DoneAt.is_null())
                .exec(db)
                .await?;
            Err(RunOnceError::Effect(e))
        }
    }
}

async fn mark_done(db: &DatabaseConnection, key: &str, record: Option<Statement>) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    // A write first: SQLite takes its write lock at the start, not midway.
    Claims::update_many()
        .col_expr(effect_claim::Column::DoneAt, Expr::value(Utc::now()))
        .filter(effect_claim::Column::Key.eq(key))
        .exec(&txn)
        .await?;
    if let Some(statement) = record {
        txn.execute(statement).await?;
    }
    txn.commit().await
}
