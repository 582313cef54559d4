//! `SendMail`: delivers one outbox message (exactly once: `services::mail::deliver`
//! claims it first), plus the helpers that store a message and enqueue its delivery.

use super::{submit, JobContext};
use crate::services::mail::{self, DeliveryError, Email};
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
        let ctx = super::context();
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
    if let Err(e) = submit(ctx, &SendMail { mail_id }).await {
        tracing::warn!(mail = %mail_id, error = %e.description, "enqueue failed; reconciler will retry");
    }
}
