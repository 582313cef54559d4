//! Stripe events: stored once per Stripe event id, read for the few fields the shop uses,
//! and applied exactly once through the order state machine (paid, flagged, mailed).

use crate::entities::{order, payment_event};
use crate::infra::stripe::{order_id_from, SessionFacts, SessionStatus};
use crate::models::{AppError, OrderStatus};
use crate::services::mail;
use crate::services::orders::{self, MailSettings, Transition};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use serde_json::Value;
use std::time::Duration;
use uuid::Uuid;

/// What an event asks of the shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// `checkout.session.completed` (paid) or `checkout.session.async_payment_succeeded`.
    Paid(SessionFacts),
    /// `checkout.session.completed` while a delayed payment method is still pending.
    AwaitingPayment(SessionFacts),
    /// `checkout.session.async_payment_failed` or `payment_intent.payment_failed`.
    PaymentFailed { order_id: Option<i64>, reason: String },
    /// `checkout.session.expired`.
    Expired(SessionFacts),
    /// Anything else: stored, not acted on.
    Ignored,
}

impl EventKind {
    pub fn order_id(&self) -> Option<i64> {
        match self {
            Self::Paid(f) | Self::AwaitingPayment(f) | Self::Expired(f) => f.order_id,
            Self::PaymentFailed { order_id, .. } => *order_id,
            Self::Ignored => None,
        }
    }

    pub fn session_id(&self) -> Option<&str> {
        match self {
            Self::Paid(f) | Self::AwaitingPayment(f) | Self::Expired(f) => Some(&f.session_id),
            _ => None,
        }
    }
}

/// Reads an event's meaning from its (verified) JSON; only the fields the shop uses.
pub fn parse_event(event_type: &str, payload: &str) -> Result<EventKind, String> {
    let event: Value = serde_json::from_str(payload).map_err(|e| format!("not JSON: {e}"))?;
    let object = event.pointer("/data/object").ok_or("no data.object")?;
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let session = || -> Result<SessionFacts, String> {
        Ok(SessionFacts {
            session_id: text(object, "id").ok_or("the session has no id")?,
            order_id: order_id_from(
                object.pointer("/metadata/order_id").and_then(Value::as_str),
                object.get("client_reference_id").and_then(Value::as_str),
            ),
            status: match object.get("status").and_then(Value::as_str) {
                Some("open") => SessionStatus::Open,
                Some("complete") => SessionStatus::Complete,
                Some("expired") => SessionStatus::Expired,
                _ => SessionStatus::Other,
            },
            paid: object.get("payment_status").and_then(Value::as_str) == Some("paid"),
            amount_total: object.get("amount_total").and_then(Value::as_i64),
            currency: text(object, "currency"),
            // An id, or the expanded object.
            payment_intent: text(object, "payment_intent")
                .or_else(|| object.pointer("/payment_intent/id").and_then(Value::as_str).map(str::to_owned)),
            url: text(object, "url"),
        })
    };
    Ok(match event_type {
        "checkout.session.completed" => {
            let facts = session()?;
            if facts.paid {
                EventKind::Paid(facts)
            } else {
                EventKind::AwaitingPayment(facts)
            }
        }
        "checkout.session.async_payment_succeeded" => EventKind::Paid(session()?),
        "checkout.session.expired" => EventKind::Expired(session()?),
        "checkout.session.async_payment_failed" => {
            let facts = session()?;
            EventKind::PaymentFailed {
                order_id: facts.order_id,
                reason: "The payment did not go through.".into(),
            }
        }
        "payment_intent.payment_failed" => EventKind::PaymentFailed {
            order_id: order_id_from(object.pointer("/metadata/order_id").and_then(Value::as_str), None),
            reason: object
                .pointer("/last_payment_error/message")
                .and_then(Value::as_str)
                .unwrap_or("The payment did not go through.")
                .to_owned(),
        },
        _ => EventKind::Ignored,
    })
}

/// How processing an event ended (stored on the event as its `outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    Paid,
    AlreadyPaid,
    AwaitingPayment,
    PaymentFailed,
    Cancelled,
    /// Expiry of a session that is no longer the order's, or of a paid order.
    StaleExpiry,
    AmountMismatch,
    /// Paid after the order was cancelled: flagged for a refund.
    RefundDue,
    UnknownOrder,
    Ignored,
    /// Another delivery or worker processed it already.
    AlreadyProcessed,
}

impl EventOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::AlreadyPaid => "already_paid",
            Self::AwaitingPayment => "awaiting_payment",
            Self::PaymentFailed => "payment_failed",
            Self::Cancelled => "cancelled",
            Self::StaleExpiry => "stale_expiry",
            Self::AmountMismatch => "amount_mismatch",
            Self::RefundDue => "refund_due",
            Self::UnknownOrder => "unknown_order",
            Self::Ignored => "ignored",
            Self::AlreadyProcessed => "already_processed",
        }
    }
}

/// The result of an effect: its outcome and the mails to deliver (already in the outbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub outcome: EventOutcome,
    pub mail_ids: Vec<Uuid>,
}

impl Applied {
    fn just(outcome: EventOutcome) -> Self {
        Self { outcome, mail_ids: Vec::new() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored now: enqueue its processing (the row id).
    New(i64),
    /// Stripe sent it before; acknowledge and do nothing.
    Duplicate,
}

/// Stores a verified event once per Stripe event id, and queues its processing in the
/// same transaction.
pub async fn record_event(
    db: &DatabaseConnection,
    stripe_event_id: &str,
    event_type: &str,
    payload: &str,
) -> Result<Recorded, AppError> {
    let kind = parse_event(event_type, payload).unwrap_or(EventKind::Ignored);
    let now = Utc::now();
    let txn = db.begin().await?;
    let inserted = payment_event::Entity::insert(payment_event::ActiveModel {
        stripe_event_id: Set(bounded(stripe_event_id, 255)),
        event_type: Set(bounded(event_type, 100)),
        order_id: Set(kind.order_id()),
        checkout_session_id: Set(kind.session_id().map(|s| bounded(s, 255))),
        payload: Set(payload.to_owned()),
        received_at: Set(now),
        enqueued_at: Set(now),
        processed_at: Set(None),
        outcome: Set(None),
        detail: Set(None),
        ..Default::default()
    })
    .on_conflict(OnConflict::column(payment_event::Column::StripeEventId).do_nothing().to_owned())
    .exec_without_returning(&txn)
    .await?;
    if inserted == 0 {
        return Ok(Recorded::Duplicate);
    }
    let id: i64 = payment_event::Entity::find()
        .select_only()
        .column(payment_event::Column::Id)
        .filter(payment_event::Column::StripeEventId.eq(bounded(stripe_event_id, 255)))
        .into_tuple()
        .one(&txn)
        .await?
        .ok_or(AppError::Internal)?;
    crate::services::tasks::process_payment_event(&txn, id).await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    Ok(Recorded::New(id))
}

fn bounded(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Processes one stored event, exactly once however often it is called.
pub async fn process_event(
    db: &DatabaseConnection,
    settings: &MailSettings<'_>,
    event_id: i64,
) -> Result<Applied, AppError> {
    let now = Utc::now();
    let txn = db.begin().await?;
    // The claim is the first statement (a write: SQLite takes its lock here) and lives
    // in the transaction that applies the effect, so a crash undoes both.
    let claimed = payment_event::Entity::update_many()
        .col_expr(payment_event::Column::ProcessedAt, Expr::value(now))
        .filter(payment_event::Column::Id.eq(event_id))
        .filter(payment_event::Column::ProcessedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Ok(Applied::just(EventOutcome::AlreadyProcessed));
    }
    let event = payment_event::Entity::find_by_id(event_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Payment event"))?;
    let (applied, detail) = match parse_event(&event.event_type, &event.payload) {
        Ok(kind) => (apply(&txn, settings, &kind, now).await?, None),
        Err(why) => (Applied::just(EventOutcome::Ignored), Some(why)),
    };
    payment_event::Entity::update_many()
        .col_expr(payment_event::Column::Outcome, Expr::value(applied.outcome.as_str()))
        .col_expr(payment_event::Column::Detail, Expr::value(detail))
        .filter(payment_event::Column::Id.eq(event_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    tracing::info!(event = %event.stripe_event_id, r#type = %event.event_type, outcome = applied.outcome.as_str(), "payment event processed");
    Ok(applied)
}

async fn apply(
    txn: &impl ConnectionTrait,
    settings: &MailSettings<'_>,
    kind: &EventKind,
    now: DateTime<Utc>,
) -> Result<Applied, AppError> {
    let Some(order_id) = kind.order_id() else {
        return Ok(Applied::just(match kind {
            EventKind::Ignored => EventOutcome::Ignored,
            _ => EventOutcome::UnknownOrder,
        }));
    };
    let Some(current) = order::Entity::find_by_id(order_id).one(txn).await? else {
        tracing::warn!(order = order_id, "payment event for an unknown order");
        return Ok(Applied::just(EventOutcome::UnknownOrder));
    };
    match kind {
        EventKind::Paid(facts) => mark_paid(txn, settings, current, facts, now).await,
        EventKind::AwaitingPayment(_) => Ok(Applied::just(EventOutcome::AwaitingPayment)),
        EventKind::PaymentFailed { reason, .. } => {
            if current.status != OrderStatus::Created {
                return Ok(Applied::just(EventOutcome::PaymentFailed));
            }
            tracing::info!(order = order_id, %reason, "payment failed; the order stays open for another try");
            let order = orders::load(txn, current).await?;
            let id = mail::queue(
                txn,
                settings.from,
                &mail::templates::payment_failed(&order, reason, settings.site_url),
            )
            .await?;
            Ok(Applied { outcome: EventOutcome::PaymentFailed, mail_ids: vec![id] })
        }
        EventKind::Expired(facts) => {
            // Only the order's current session can end it; an old one's expiry is history.
            if current.checkout_session_id.as_deref() != Some(facts.session_id.as_str()) {
                return Ok(Applied::just(EventOutcome::StaleExpiry));
            }
            match orders::transition_in(txn, order_id, OrderStatus::Cancelled, now).await {
                Ok(_) => Ok(Applied::just(EventOutcome::Cancelled)),
                Err(AppError::Conflict(_)) => Ok(Applied::just(EventOutcome::StaleExpiry)),
                Err(e) => Err(e),
            }
        }
        EventKind::Ignored => Ok(Applied::just(EventOutcome::Ignored)),
    }
}

/// `created → paid` once the amount and currency match the order; the "payment received"
/// mail with the invoice goes to the outbox in the same transaction.
async fn mark_paid(
    txn: &impl ConnectionTrait,
    settings: &MailSettings<'_>,
    current: order::Model,
    facts: &SessionFacts,
    now: DateTime<Utc>,
) -> Result<Applied, AppError> {
    let id = current.id;
    if facts.amount_total != Some(current.total)
        || !facts.currency.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(&current.currency))
    {
        let problem = format!(
            "Stripe reported {} {} for session {}, but the order is {} {}: not marked paid.",
            facts.amount_total.map_or("no amount".into(), |a| a.to_string()),
            facts.currency.as_deref().unwrap_or("?"),
            facts.session_id,
            current.total,
            current.currency
        );
        tracing::error!(order = id, %problem, "payment amount mismatch");
        flag(txn, id, false, &problem).await?;
        return Ok(Applied::just(EventOutcome::AmountMismatch));
    }
    match orders::transition_in(txn, id, OrderStatus::Paid, now).await {
        Ok(Transition::Applied) => {
            order::Entity::update_many()
                .col_expr(order::Column::PaymentIntentId, Expr::value(facts.payment_intent.clone()))
                .col_expr(order::Column::CheckoutSessionId, Expr::value(facts.session_id.clone()))
                .filter(order::Column::Id.eq(id))
                .exec(txn)
                .await?;
            // Once per order: only the worker whose update moved it gets here.
            crate::services::recommendations::count_order(txn, id, 1).await?;
            let paid = order::Entity::find_by_id(id).one(txn).await?.ok_or(AppError::Internal)?;
            let order = orders::load(txn, paid).await?;
            let mail_id = mail::queue(
                txn,
                settings.from,
                &mail::templates::payment_received(&order, settings.site_url),
            )
            .await?;
            Ok(Applied { outcome: EventOutcome::Paid, mail_ids: vec![mail_id] })
        }
        // The same session again (its webhook and the success page both report it).
        Ok(Transition::AlreadyThere)
            if current.checkout_session_id.as_deref() == Some(facts.session_id.as_str()) =>
        {
            Ok(Applied::just(EventOutcome::AlreadyPaid))
        }
        Ok(Transition::AlreadyThere) => {
            // Another session was paid for an order that is already paid (two tabs, two
            // payment pages): the shopper paid twice, and one payment must go back.
            let problem = format!(
                "Payment {} (session {}) arrived for an order already paid through session {}: refund due.",
                facts.payment_intent.as_deref().unwrap_or("?"),
                facts.session_id,
                current.checkout_session_id.as_deref().unwrap_or("?")
            );
            tracing::error!(order = id, %problem, "second payment on a paid order");
            flag(txn, id, true, &problem).await?;
            Ok(Applied::just(EventOutcome::RefundDue))
        }
        Err(AppError::Conflict(_)) => {
            // Money arrived for an order that is no longer for sale: never drop it silently.
            let problem = format!(
                "Payment {} (session {}) arrived after the order was cancelled: refund due.",
                facts.payment_intent.as_deref().unwrap_or("?"),
                facts.session_id
            );
            tracing::error!(order = id, %problem, "payment on a cancelled order");
            flag(txn, id, true, &problem).await?;
            Ok(Applied::just(EventOutcome::RefundDue))
        }
        Err(e) => Err(e),
    }
}

async fn flag(txn: &impl ConnectionTrait, id: i64, refund_due: bool, problem: &str) -> Result<(), AppError> {
    let mut update = order::Entity::update_many()
        .col_expr(order::Column::PaymentProblem, Expr::value(bounded(problem, 500)))
        .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()));
    if refund_due {
        update = update.col_expr(order::Column::RefundDue, Expr::value(true));
    }
    update.filter(order::Column::Id.eq(id)).exec(txn).await?;
    Ok(())
}

/// Applies what a session says (the success page's confirmation): the same effect as
/// its webhook, and harmless if the webhook came first.
pub async fn apply_session(
    db: &DatabaseConnection,
    settings: &MailSettings<'_>,
    facts: &SessionFacts,
) -> Result<Applied, AppError> {
    if !(facts.status == SessionStatus::Complete && facts.paid) {
        return Ok(Applied::just(EventOutcome::AwaitingPayment));
    }
    let txn = db.begin().await?;
    // Start with a write (SQLite takes its lock now rather than failing to upgrade later).
    if let Some(id) = facts.order_id {
        order::Entity::update_many()
            .col_expr(order::Column::UpdatedAt, Expr::col(order::Column::UpdatedAt).into())
            .filter(order::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    let applied = apply(&txn, settings, &EventKind::Paid(facts.clone()), Utc::now()).await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    Ok(applied)
}

/// Events stored but not processed for `stale_after` (a crash between commit and
/// enqueue, or a lost job); marks them re-enqueued and returns their ids.
pub async fn take_stale_unprocessed(
    db: &DatabaseConnection,
    stale_after: Duration,
) -> Result<Vec<i64>, AppError> {
    let now = Utc::now();
    let before = now - chrono::Duration::from_std(stale_after).unwrap_or_default();
    let ids: Vec<i64> = payment_event::Entity::find()
        .select_only()
        .column(payment_event::Column::Id)
        .filter(payment_event::Column::ProcessedAt.is_null())
        .filter(payment_event::Column::EnqueuedAt.lt(before))
        .order_by_asc(payment_event::Column::Id)
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    if !ids.is_empty() {
        payment_event::Entity::update_many()
            .col_expr(payment_event::Column::EnqueuedAt, Expr::value(now))
            .filter(payment_event::Column::Id.is_in(ids.clone()))
            .exec(db)
            .await?;
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, object: Value) -> String {
        serde_json::json!({"id": "evt_1", "object": "event", "type": kind, "data": {"object": object}})
            .to_string()
    }

    #[test]
    fn a_completed_paid_session_pays_its_order() {
        let payload = event(
            "checkout.session.completed",
            serde_json::json!({"id": "cs_1", "status": "complete", "payment_status": "paid", "amount_total": 1250,
                "currency": "usd", "client_reference_id": "7", "metadata": {"order_id": "7"}, "payment_intent": "pi_1"}),
        );
        let EventKind::Paid(facts) = parse_event("checkout.session.completed", &payload).unwrap() else {
            panic!("not paid")
        };
        assert_eq!(facts.order_id, Some(7));
        assert_eq!(facts.amount_total, Some(1250));
        assert_eq!(facts.payment_intent.as_deref(), Some("pi_1"));
    }

    #[test]
    fn an_unpaid_completion_waits_and_unknown_types_are_ignored() {
        let payload = event(
            "checkout.session.completed",
            serde_json::json!({"id": "cs_1", "status": "complete", "payment_status": "unpaid", "client_reference_id": "3"}),
        );
        assert!(matches!(
            parse_event("checkout.session.completed", &payload),
            Ok(EventKind::AwaitingPayment(_))
        ));
        assert_eq!(
            parse_event("customer.created", &event("customer.created", serde_json::json!({}))),
            Ok(EventKind::Ignored)
        );
        assert!(parse_event("checkout.session.completed", "{").is_err());
    }

    #[test]
    fn a_failed_intent_names_its_order_by_metadata() {
        let payload = event(
            "payment_intent.payment_failed",
            serde_json::json!({"id": "pi_1", "metadata": {"order_id": "12"}, "last_payment_error": {"message": "Your card was declined."}}),
        );
        assert_eq!(
            parse_event("payment_intent.payment_failed", &payload).unwrap(),
            EventKind::PaymentFailed { order_id: Some(12), reason: "Your card was declined.".into() }
        );
    }

    #[test]
    fn order_ids_prefer_metadata_and_reject_garbage() {
        assert_eq!(order_id_from(Some("5"), Some("6")), Some(5));
        assert_eq!(order_id_from(None, Some("6")), Some(6));
        assert_eq!(order_id_from(Some("x"), None), None);
    }
}
