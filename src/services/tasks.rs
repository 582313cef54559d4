//! The background tasks services hand to the job queue, queued inside the same
//! transaction as the change that needs them (`infra::queue::enqueue_in`): a committed
//! order always has its mail queued, a cancelled one its session expiry, a stored event
//! its processing, and no caller has anything to remember. This module holds their data;
//! the `jobs` room runs them. Their type names are stored with every queued task:
//! renaming one orphans the tasks already queued.

use crate::infra::queue;
use sea_orm::{ConnectionTrait, DbErr};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Deliver one message from the mail outbox.
#[derive(Debug, Serialize, Deserialize)]
pub struct SendMail {
    pub mail_id: Uuid,
}

/// Close the Checkout Session of a cancelled order, so that it cannot be paid.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExpireCheckoutSession {
    pub order_id: i64,
}

/// Apply one stored Stripe event.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProcessPaymentEvent {
    pub event_id: i64,
}

/// Queues the delivery of an outbox message in the caller's transaction.
pub async fn send_mail(txn: &impl ConnectionTrait, mail_id: Uuid) -> Result<(), DbErr> {
    queue::enqueue_in(txn, &SendMail { mail_id }).await
}

/// Queues closing a cancelled order's Checkout Session in the caller's transaction.
pub async fn expire_checkout_session(txn: &impl ConnectionTrait, order_id: i64) -> Result<(), DbErr> {
    queue::enqueue_in(txn, &ExpireCheckoutSession { order_id }).await
}

/// Queues processing a stored payment event in the caller's transaction.
pub async fn process_payment_event(txn: &impl ConnectionTrait, event_id: i64) -> Result<(), DbErr> {
    queue::enqueue_in(txn, &ProcessPaymentEvent { event_id }).await
}
