//! Payments: a Stripe Checkout Session per order attempt, Stripe events stored once and
//! applied idempotently, and the mails and flags that follow.
//!
//! Exactly-once without locks held across network calls: every effect is tied to a
//! conditional update in the same transaction: the event row is claimed
//! (`processed_at IS NULL`), the order moves only from an allowed state, and the mail is
//! written to the outbox in that transaction. A second delivery, a second worker or the
//! success page finds the work done and changes nothing.
//!
//! - `checkout`: Checkout Sessions (start, confirm on return, expire on cancel)
//! - `events`: webhook events stored once and applied exactly once
//! - `reconcile`: orders against the provider's sessions, mismatches for an operator

pub mod checkout;
pub mod events;
pub mod reconcile;

pub use crate::infra::stripe::{CheckoutCoupon, CheckoutLine, CheckoutRequest};
pub use checkout::{
    checkout_request, confirm, expire_checkout, start_checkout, CheckoutLink, CheckoutSettings,
};
pub use events::{
    apply_session, parse_event, process_event, record_event, take_stale_unprocessed, Applied, EventKind,
    EventOutcome, Recorded,
};

use crate::entities::{order, payment_event};
use crate::models::{AppError, PaymentIssue};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Orders flagged by payment processing (refund due, or a payment that did not match),
/// newest first; at most 100.
pub async fn issues(db: &impl ConnectionTrait) -> Result<Vec<PaymentIssue>, AppError> {
    let rows = order::Entity::find()
        .filter(order::Column::RefundDue.eq(true).or(order::Column::PaymentProblem.is_not_null()))
        .order_by_desc(order::Column::UpdatedAt)
        .limit(100)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|o| PaymentIssue {
            order_id: o.id,
            status: o.status,
            total: crate::models::Money::new(o.total, &o.currency),
            refund_due: o.refund_due,
            problem: o.payment_problem.unwrap_or_default(),
        })
        .collect())
}

/// The latest payment events, newest first (for admins).
pub async fn recent_events(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<payment_event::Model>, AppError> {
    Ok(payment_event::Entity::find().order_by_desc(payment_event::Column::Id).limit(limit).all(db).await?)
}
