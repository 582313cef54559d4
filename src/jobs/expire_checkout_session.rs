//! `ExpireCheckoutSession`: closes the Checkout Session of a cancelled order.

use super::{submit, JobContext};
use crate::services::payments;
use fang::{AsyncQueueable, AsyncRunnable, FangError};

pub use crate::services::tasks::ExpireCheckoutSession;

#[typetag::serde]
#[async_trait::async_trait]
impl AsyncRunnable for ExpireCheckoutSession {
    async fn run(&self, _queue: &dyn AsyncQueueable) -> Result<(), FangError> {
        let ctx = super::context();
        payments::expire_checkout(&ctx.db, &ctx.stripe, self.order_id)
            .await
            .map_err(|e| FangError { description: e.to_string() })
    }
}

/// Enqueues closing the sessions of orders just cancelled.
pub async fn expire_checkouts_later(ctx: &JobContext, order_ids: &[i64]) {
    for &order_id in order_ids {
        if let Err(e) = submit(ctx, &ExpireCheckoutSession { order_id }).await {
            tracing::warn!(order = order_id, error = %e.description, "could not enqueue session expiry");
        }
    }
}
