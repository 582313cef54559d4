//! `SendMail`: delivers one outbox message (exactly once: `services::mail::deliver`
//! claims it first), plus the helpers that store a message and enqueue its delivery.

use super::{submit, JobContext};
use crate::services::mail::{self, DeliveryError, Email};
use fang::{AsyncQueueable, AsyncRunnable, FangError};
use sea_orm::TransactionTrait;
use uuid::Uuid;

pub use crate::services::tasks::SendMail;

#[typetag::serde]
#[async_trait::async_trait]
impl AsyncRunnable for SendMail {
    async fn run(&self, _queue: &dyn AsyncQueueable) -> Result<(), FangError> {
        let ctx = super::context();
        match mail::deliver(&ctx.db, &ctx.transport, ctx.mail_from(), self.mail_id, ctx.config.job_lease)
            .await
        {
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

/// Stores a message in the outbox and queues its delivery, in one transaction.
pub async fn send_mail(ctx: &JobContext, email: &Email) -> Result<Uuid, crate::models::AppError> {
    let txn = ctx.db.begin().await?;
    let id = mail::queue(&txn, ctx.mail_from(), email).await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    Ok(id)
}

/// Enqueues delivery of a message already committed to the outbox again (the
/// reconciler's path). A failed enqueue loses nothing: the reconciler finds the message.
pub async fn deliver_later(ctx: &JobContext, mail_id: Uuid) {
    if let Err(e) = submit(ctx, &SendMail { mail_id }).await {
        tracing::warn!(mail = %mail_id, error = %e.description, "enqueue failed; reconciler will retry");
    }
}
