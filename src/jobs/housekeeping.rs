//! The periodic work of every worker process (`HOUSEKEEPING_SECONDS`): outbox and payment
//! events re-enqueued, stale unpaid orders cancelled, expired rows deleted.

use super::process_payment_event::ProcessPaymentEvent;
use super::send_mail::SendMail;
use super::{enqueue, JobContext};
use crate::services::{mail, payments};

/// Re-enqueues processing of events stored but left unprocessed (a crash between the
/// commit and the enqueue, or a lost job).
pub async fn reconcile_payment_events(ctx: &JobContext) -> Result<usize, String> {
    let ids =
        payments::take_stale_unprocessed(&ctx.db, PAYMENT_EVENT_GRACE).await.map_err(|e| e.to_string())?;
    for &event_id in &ids {
        enqueue(&ctx.queue, &ProcessPaymentEvent { event_id }).await.map_err(|e| e.description)?;
    }
    if !ids.is_empty() {
        tracing::info!(count = ids.len(), "re-enqueued unprocessed payment events");
    }
    Ok(ids.len())
}

/// How long a stored event may wait for its job before the reconciler re-enqueues it.
pub const PAYMENT_EVENT_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Re-enqueues deliveries for outbox messages whose job was lost.
pub async fn reconcile_outbox(ctx: &JobContext) -> Result<usize, String> {
    let ids = mail::take_stale_unsent(&ctx.db, std::time::Duration::from_secs(600))
        .await
        .map_err(|e| e.to_string())?;
    for id in &ids {
        enqueue(&ctx.queue, &SendMail { mail_id: *id }).await.map_err(|e| e.description)?;
    }
    if !ids.is_empty() {
        tracing::info!(count = ids.len(), "re-enqueued unsent mail");
    }
    Ok(ids.len())
}

/// The periodic work of every worker process: abandoned tasks requeued, lost mail and
/// payment jobs re-enqueued, unpaid orders past their time cancelled (stock released),
/// and expired sessions, rate-limit counters, reset tokens and whatever
/// `services::retention` forgets deleted. Each step is idempotent, so several processes
/// may run it at once.
pub async fn housekeeping(ctx: &JobContext) {
    match crate::infra::queue::requeue_abandoned(&ctx.db, ctx.config.job_lease).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(count = n, "requeued tasks whose worker died"),
        Err(e) => tracing::warn!(error = %e, "requeue of abandoned tasks failed"),
    }
    if let Err(e) = reconcile_outbox(ctx).await {
        tracing::warn!(error = %e, "outbox reconcile failed");
    }
    if let Err(e) = reconcile_payment_events(ctx).await {
        tracing::warn!(error = %e, "payment event reconcile failed");
    }
    if let Err(e) =
        crate::services::orders::cancel_stale(&ctx.db, ctx.config.unpaid_order_ttl, chrono::Utc::now()).await
    {
        tracing::warn!(error = %e, "stale order cancel failed");
    }
    let day_ago = chrono::Utc::now() - chrono::Duration::days(1);
    if let Err(e) = crate::services::rate_limit::forget_before(&ctx.db, day_ago).await {
        tracing::warn!(error = %e, "rate limit cleanup failed");
    }
    if let Err(e) = crate::services::accounts::forget_expired_resets(&ctx.db, day_ago).await {
        tracing::warn!(error = %e, "reset token cleanup failed");
    }
    match crate::services::retention::forget_expired(&ctx.db, chrono::Utc::now(), ctx.config.session_days)
        .await
    {
        Ok(gone) if gone == Default::default() => {}
        Ok(gone) => tracing::info!(?gone, "forgot expired rows"),
        Err(e) => tracing::warn!(error = %e, "retention cleanup failed"),
    }
    match crate::infra::session::DbSessionStore::new(ctx.db.clone()).delete_expired().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(count = n, "deleted expired sessions"),
        Err(e) => tracing::warn!(error = %e, "expired session cleanup failed"),
    }
}
