//! What an operator watches, read from the database so that every server and worker
//! process reports the same figures: the job queue by task type, payment events received
//! and applied (and how far behind), mail waiting to be delivered.

use crate::entities::{outbox_mail, payment_event};
use crate::infra::queue::{self, TypeStats};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub jobs: BTreeMap<String, TypeStats>,
    /// Stripe events stored by the webhook, and those applied by a worker.
    pub payment_events_received: u64,
    pub payment_events_applied: u64,
    /// Stored and not yet applied, and how long the oldest of them has waited (seconds).
    pub payment_events_lagging: u64,
    pub payment_lag_seconds: f64,
    /// Mail in the outbox not yet handed to the SMTP server, and the oldest one's age.
    pub mails_pending: u64,
    pub mail_lag_seconds: f64,
}

pub async fn snapshot(db: &impl ConnectionTrait) -> Result<Snapshot, DbErr> {
    let now = Utc::now();
    let age = |since: Option<DateTime<Utc>>| {
        since.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0)
    };
    let unapplied = || payment_event::Entity::find().filter(payment_event::Column::ProcessedAt.is_null());
    let unsent = || outbox_mail::Entity::find().filter(outbox_mail::Column::SentAt.is_null());
    let oldest_event: Option<DateTime<Utc>> = unapplied()
        .select_only()
        .column(payment_event::Column::ReceivedAt)
        .order_by_asc(payment_event::Column::ReceivedAt)
        .into_tuple()
        .one(db)
        .await?;
    let oldest_mail: Option<DateTime<Utc>> = unsent()
        .select_only()
        .column(outbox_mail::Column::CreatedAt)
        .order_by_asc(outbox_mail::Column::CreatedAt)
        .into_tuple()
        .one(db)
        .await?;
    let received = payment_event::Entity::find().count(db).await?;
    let lagging = unapplied().count(db).await?;
    Ok(Snapshot {
        jobs: queue::stats(db).await?,
        payment_events_received: received,
        payment_events_applied: received.saturating_sub(lagging),
        payment_events_lagging: lagging,
        payment_lag_seconds: age(oldest_event),
        mails_pending: unsent().count(db).await?,
        mail_lag_seconds: age(oldest_mail),
    })
}

/// The task type whose oldest due task has waited longer than `limit`, if any: the
/// workers are gone or stuck (readiness fails on it). Takes `infra::queue::stats`.
pub fn stuck_queue(jobs: &BTreeMap<String, TypeStats>, limit: Duration) -> Option<(&str, f64)> {
    jobs.iter()
        .map(|(kind, s)| (kind.as_str(), s.oldest_due_seconds))
        .filter(|(_, waited)| *waited > limit.as_secs_f64())
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_is_stuck_when_its_oldest_due_task_waited_too_long() {
        let mut s = Snapshot::default();
        assert_eq!(stuck_queue(&s.jobs, Duration::from_secs(60)), None, "an empty queue is not stuck");
        s.jobs.insert(
            "SendMail".into(),
            TypeStats { waiting: 3, oldest_due_seconds: 12.0, ..Default::default() },
        );
        assert_eq!(stuck_queue(&s.jobs, Duration::from_secs(60)), None);
        s.jobs.insert(
            "ProcessPaymentEvent".into(),
            TypeStats { waiting: 1, oldest_due_seconds: 75.5, ..Default::default() },
        );
        assert_eq!(stuck_queue(&s.jobs, Duration::from_secs(60)), Some(("ProcessPaymentEvent", 75.5)));
    }
}
