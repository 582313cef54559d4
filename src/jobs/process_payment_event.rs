//! `ProcessPaymentEvent`: applies one stored Stripe event.

use super::{submit, JobContext};
use crate::services::payments;
use fang::{AsyncQueueable, AsyncRunnable, FangError};

/// Applies one stored Stripe event (see `services::payments::process_event`); the mails
/// it writes to the outbox are queued in its transaction.
pub use crate::services::tasks::ProcessPaymentEvent;

#[typetag::serde]
#[async_trait::async_trait]
impl AsyncRunnable for ProcessPaymentEvent {
    async fn run(&self, _queue: &dyn AsyncQueueable) -> Result<(), FangError> {
        let ctx = super::context();
        payments::process_event(&ctx.db, &ctx.mail_settings(), self.event_id)
            .await
            .map(|_| ())
            .map_err(|e| FangError { description: e.to_string() })
    }

    fn max_retries(&self) -> i32 {
        12
    }
}

/// Enqueues processing of a stored event again (the reconciler's and tests' path: storing
/// an event queues it already); if the enqueue fails, the reconciler finds it.
pub async fn process_payment_later(ctx: &JobContext, event_id: i64) {
    if let Err(e) = submit(ctx, &ProcessPaymentEvent { event_id }).await {
        tracing::warn!(event = event_id, error = %e.description, "enqueue failed; reconciler will retry");
    }
}
