//! fang job types. Each job is small and idempotent: its effect goes through a service
//! that claims the work first (see `services::jobs::run_once`).
//! Job types are stored under their type name: renaming one orphans queued jobs.

use crate::infra::queue::{self, JobContext};
use crate::services::mail::{self, DeliveryError, Email};
use crate::services::orders::MailSettings;
use crate::services::payments;
use fang::{AsyncQueueable, AsyncRunnable, FangError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Delivers one message from the mail outbox.
#[derive(Debug, Serialize, Deserialize)]
pub struct SendMail {
    pub mail_id: Uuid,
}

#[typetag::serde]
#[async_trait::async_trait]
impl AsyncRunnable for SendMail {
    async fn run(&self, _queue: &dyn AsyncQueueable) -> Result<(), FangError> {
        let ctx = queue::context();
        match mail::deliver(&ctx.db, &ctx.transport, &ctx.mail_from, self.mail_id).await {
            Ok(outcome) => {
                tracing::info!(mail = %self.mail_id, ?outcome, "mail delivered");
                Ok(())
            }
            // The message is gone: nothing to retry.
            Err(DeliveryError::Unknown(id)) => {
                tracing::warn!(mail = %id, "mail not in outbox; dropping job");
                Ok(())
            }
            Err(e) => Err(FangError { description: e.to_string() }),
        }
    }

    fn max_retries(&self) -> i32 {
        12
    }
}

/// Applies one stored Stripe event (see `services::payments::process_event`); the mails
/// it wrote to the outbox are delivered by their own jobs.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProcessPaymentEvent {
    pub event_id: i64,
}

#[typetag::serde]
#[async_trait::async_trait]
impl AsyncRunnable for ProcessPaymentEvent {
    async fn run(&self, _queue: &dyn AsyncQueueable) -> Result<(), FangError> {
        let ctx = queue::context();
        let settings = MailSettings { from: &ctx.mail_from, site_url: &ctx.site_url };
        let applied = payments::process_event(&ctx.db, &settings, self.event_id)
            .await
            .map_err(|e| FangError { description: e.to_string() })?;
        for id in applied.mail_ids {
            deliver_later(&ctx, id).await;
        }
        Ok(())
    }

    fn max_retries(&self) -> i32 {
        12
    }
}

/// Closes the Checkout Session of a cancelled order, so that it cannot be paid.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExpireCheckoutSession {
    pub order_id: i64,
}

#[typetag::serde]
#[async_trait::async_trait]
impl AsyncRunnable for ExpireCheckoutSession {
    async fn run(&self, _queue: &dyn AsyncQueueable) -> Result<(), FangError> {
        let ctx = queue::context();
        payments::expire_checkout(&ctx.db, &ctx.stripe, self.order_id)
            .await
            .map_err(|e| FangError { description: e.to_string() })
    }
}

/// Enqueues processing of a stored event; if the enqueue fails, the reconciler finds it.
pub async fn process_payment_later(ctx: &JobContext, event_id: i64) {
    if let Err(e) = queue::submit(ctx, &ProcessPaymentEvent { event_id }).await {
        tracing::warn!(event = event_id, error = %e.description, "enqueue failed; reconciler will retry");
    }
}

/// Enqueues closing the sessions of orders just cancelled.
pub async fn expire_checkouts_later(ctx: &JobContext, order_ids: &[i64]) {
    for &order_id in order_ids {
        if let Err(e) = queue::submit(ctx, &ExpireCheckoutSession { order_id }).await {
            tracing::warn!(order = order_id, error = %e.description, "could not enqueue session expiry");
        }
    }
}

/// Re-enqueues processing of events stored but left unprocessed (a crash between the
/// commit and the enqueue, or a lost job).
pub async fn reconcile_payment_events(ctx: &JobContext) -> Result<usize, String> {
    let ids =
        payments::take_stale_unprocessed(&ctx.db, PAYMENT_EVENT_GRACE).await.map_err(|e| e.to_string())?;
    for &event_id in &ids {
        queue::enqueue(&ctx.queue, &ProcessPaymentEvent { event_id }).await.map_err(|e| e.description)?;
    }
    if !ids.is_empty() {
        tracing::info!(count = ids.len(), "re-enqueued unprocessed payment events");
    }
    Ok(ids.len())
}

/// How long a stored event may wait for its job before the reconciler re-enqueues it.
pub const PAYMENT_EVENT_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Stores a message in the outbox and enqueues its delivery. If the enqueue fails the
/// message is still safe: the reconciler picks it up.
pub async fn send_mail(ctx: &JobContext, email: &Email) -> Result<Uuid, crate::models::AppError> {
    let id = mail::queue(&ctx.db, &ctx.mail_from, email).await?;
    deliver_later(ctx, id).await;
    Ok(id)
}

/// Enqueues delivery of a message already committed to the outbox. A failed enqueue
/// loses nothing: the reconciler finds the message.
pub async fn deliver_later(ctx: &JobContext, mail_id: Uuid) {
    if let Err(e) = queue::submit(ctx, &SendMail { mail_id }).await {
        tracing::warn!(mail = %mail_id, error = %e.description, "enqueue failed; reconciler will retry");
    }
}

/// Re-enqueues deliveries for outbox messages whose job was lost.
pub async fn reconcile_outbox(ctx: &JobContext) -> Result<usize, String> {
    let ids = mail::take_stale_unsent(&ctx.db, std::time::Duration::from_secs(600))
        .await
        .map_err(|e| e.to_string())?;
    for id in &ids {
        queue::enqueue(&ctx.queue, &SendMail { mail_id: *id }).await.map_err(|e| e.description)?;
    }
    if !ids.is_empty() {
        tracing::info!(count = ids.len(), "re-enqueued unsent mail");
    }
    Ok(ids.len())
}

/// The periodic work of every worker process: lost mail and payment jobs re-enqueued, unpaid orders
/// past their time cancelled (stock released), expired sessions, old rate-limit counters
/// and expired reset tokens deleted. Each step is idempotent, so several processes may
/// run it at once.
pub async fn housekeeping(ctx: &JobContext) {
    if let Err(e) = reconcile_outbox(ctx).await {
        tracing::warn!(error = %e, "outbox reconcile failed");
    }
    if let Err(e) = reconcile_payment_events(ctx).await {
        tracing::warn!(error = %e, "payment event reconcile failed");
    }
    match crate::services::orders::cancel_stale(&ctx.db, ctx.unpaid_order_ttl, chrono::Utc::now()).await {
        Ok(cancelled) => expire_checkouts_later(ctx, &cancelled).await,
        Err(e) => tracing::warn!(error = %e, "stale order cancel failed"),
    }
    let day_ago = chrono::Utc::now() - chrono::Duration::days(1);
    if let Err(e) = crate::services::rate_limit::forget_before(&ctx.db, day_ago).await {
        tracing::warn!(error = %e, "rate limit cleanup failed");
    }
    if let Err(e) = crate::services::accounts::forget_expired_resets(&ctx.db, day_ago).await {
        tracing::warn!(error = %e, "reset token cleanup failed");
    }
    match crate::infra::session::DbSessionStore::new(ctx.db.clone()).delete_expired().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(count = n, "deleted expired sessions"),
        Err(e) => tracing::warn!(error = %e, "expired session cleanup failed"),
    }
}
