//! What the shop forgets, so its database stays bounded under steady traffic: guest
//! carts nobody can reach any more, failed tasks an operator has had time to see, sent
//! mail, and the claims of effects that are finished for good. Housekeeping runs it;
//! each delete is a single statement and safe to run from several processes at once.

use crate::entities::{cart, effect_claim, outbox_mail};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// How long a failed task stays in the queue's table, on the back office's jobs page,
/// for an operator to read its error and retry it.
pub const FAILED_TASK_DAYS: i64 = 30;
/// A finished claim is only read again if its effect's own record (a mail's `sent_at`)
/// were lost; a day covers every retry of a job.
pub const DONE_CLAIM_DAYS: i64 = 1;
/// A sent message (a customer's address, order and invoice) is kept this long, for an
/// operator answering "where is my receipt?"; the order it was about is kept.
pub const SENT_MAIL_DAYS: i64 = 30;

/// How many rows one pass deleted, by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Forgotten {
    pub guest_carts: u64,
    pub failed_tasks: u64,
    pub done_claims: u64,
    pub sent_mails: u64,
}

/// Deletes what is past its time at `now`. A guest's cart is reachable only through the
/// guest's session, which ends after `guest_idle_days` without a visit; a cart left
/// unchanged for twice that is forgotten (its lines go with it), so a guest who only
/// browses for a while keeps theirs. Account carts are kept.
pub async fn forget_expired(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    guest_idle_days: u32,
) -> Result<Forgotten, DbErr> {
    let carts_before = now - Duration::days(2 * i64::from(guest_idle_days));
    let guest_carts = cart::Entity::delete_many()
        .filter(cart::Column::UserId.is_null())
        .filter(cart::Column::UpdatedAt.lt(carts_before))
        .exec(db)
        .await?
        .rows_affected;

    // Literal, not a parameter, for the state: PostgreSQL's column is an enum type.
    let failed = Query::delete()
        .from_table(Alias::new("fang_tasks"))
        .and_where(Expr::col(Alias::new("state")).eq(Expr::cust("'failed'")))
        .and_where(Expr::col(Alias::new("updated_at")).lt(now - Duration::days(FAILED_TASK_DAYS)))
        .to_owned();
    let failed_tasks = db.execute(db.get_database_backend().build(&failed)).await?.rows_affected();

    let done_claims = effect_claim::Entity::delete_many()
        .filter(effect_claim::Column::DoneAt.lt(now - Duration::days(DONE_CLAIM_DAYS)))
        .exec(db)
        .await?
        .rows_affected;

    let sent_mails = outbox_mail::Entity::delete_many()
        .filter(outbox_mail::Column::SentAt.lt(now - Duration::days(SENT_MAIL_DAYS)))
        .exec(db)
        .await?
        .rows_affected;
    Ok(Forgotten { guest_carts, failed_tasks, done_claims, sent_mails })
}
