//! `ProcessPaymentEvent`: applies one stored Stripe event.

use super::{submit, JobContext};
use crate::services::orders::MailSettings;
use crate::services::payments;
use fang::{AsyncQueueable, AsyncRunnable, FangError};
use serde::{Deserialize, Serialize};

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
        let ctx = super::context();
        let settings = MailSettings { from: &ctx.mail_from, site_url: &ctx.site_url };
        let applied = payments::process_event(&ctx.db, &settings, self.event_id)
            .await
            .map_err(|e| FangError { description: e.to_string() })?;
        for id in applied.mail_ids {
            super::send_mail::deliver_later(&ctx, id).await;
        }
        Ok(())
    }

    fn max_retries(&self) -> i32 {
        12
    }
}

/// Enqueues processing of a stored event; if the enqueue fails, the reconciler finds it.
pub async fn process_payment_later(ctx: &JobContext, event_id: i64) {
    if let Err(e) = submit(ctx, &ProcessPaymentEvent { event_id }).await {
        tracing::warn!(event = event_id, error = %e.description, "enqueue failed; reconciler will retry");
    }
}
