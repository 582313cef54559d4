//! Checkout Sessions: one per order attempt (reused while open), confirmed on the
//! success page, expired when the order is cancelled.

use super::events::{apply_session, Applied};
use super::{CheckoutCoupon, CheckoutLine, CheckoutRequest};
use crate::entities::order;
use crate::infra::stripe::{GatewayError, SessionFacts, SessionStatus, Stripe};
use crate::models::messages::msg;
use crate::models::{AppError, Order, OrderStatus};
use crate::services::cart::Shopper;
use crate::services::orders::{self, MailSettings};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::time::Duration;

/// Where Stripe sends the shopper back, and how long a session may stay open.
pub struct CheckoutSettings<'a> {
    pub site_url: &'a str,
    /// Unpaid orders are cancelled after this; the session never outlives the order.
    pub unpaid_order_ttl: Duration,
}

/// A session to send the shopper to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutLink {
    pub session_id: String,
    pub url: String,
}

/// Starts (or resumes) paying for one of the shopper's orders. An open session is reused;
/// otherwise a new one is created under a fresh per-attempt idempotency key.
pub async fn start_checkout(
    db: &DatabaseConnection,
    stripe: &Stripe,
    shopper: &Shopper,
    order_id: i64,
    settings: &CheckoutSettings<'_>,
) -> Result<CheckoutLink, AppError> {
    let order = orders::get(db, shopper, order_id).await?;
    let row =
        order::Entity::find_by_id(order_id).one(db).await?.ok_or_else(|| AppError::not_found("Order"))?;
    ensure_payable(&order)?;
    if let Some(session_id) = &row.checkout_session_id {
        let open = match stripe.retrieve_session(session_id).await {
            Ok(facts) => facts,
            // Stripe no longer knows it (e.g. another account or a reset emulator): start afresh.
            Err(GatewayError::Rejected { status: 404, .. }) => SessionFacts::gone(session_id),
            Err(e) => return Err(unavailable(e)),
        };
        if open.status == SessionStatus::Open {
            if let Some(url) = open.url {
                return Ok(CheckoutLink { session_id: open.session_id, url });
            }
        }
        if open.status == SessionStatus::Complete && open.paid {
            return Err(AppError::Conflict(msg!(already_paid).into()));
        }
    }
    let attempt = row.checkout_attempts + 1;
    let now = Utc::now();
    // Stripe accepts 30 minutes to 24 hours; never past the order's own deadline.
    let deadline = row.created_at + chrono::Duration::from_std(settings.unpaid_order_ttl).unwrap_or_default();
    let expires_at =
        deadline.min(now + chrono::Duration::hours(24)).max(now + chrono::Duration::minutes(31)).timestamp();
    let request = checkout_request(&order, settings.site_url, expires_at, attempt);
    let session = stripe.create_checkout(&request).await.map_err(unavailable)?;
    // Only an unpaid order takes the session (a payment may have landed meanwhile).
    order::Entity::update_many()
        .col_expr(order::Column::CheckoutSessionId, Expr::value(session.session_id.clone()))
        .col_expr(order::Column::CheckoutAttempts, Expr::value(attempt))
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(order_id))
        .filter(order::Column::Status.eq(OrderStatus::Created))
        .exec(db)
        .await?;
    tracing::info!(order = order_id, session = %session.session_id, attempt, "checkout session started");
    let url = session.url.ok_or_else(|| {
        tracing::error!(session = %session.session_id, "Stripe returned a session without a URL");
        AppError::Unavailable(msg!(payment_page_unavailable).into())
    })?;
    Ok(CheckoutLink { session_id: session.session_id, url })
}

fn ensure_payable(order: &Order) -> Result<(), AppError> {
    match order.status {
        OrderStatus::Created => Ok(()),
        OrderStatus::Paid => Err(AppError::Conflict(msg!(already_paid).into())),
        OrderStatus::Cancelled => Err(AppError::Conflict(msg!(cancelled_cannot_pay).into())),
    }
}

/// The session request for an order: its lines as they were priced, its coupon as an
/// exact amount.
pub fn checkout_request(order: &Order, site_url: &str, expires_at: i64, attempt: i32) -> CheckoutRequest {
    let lang = order.language();
    CheckoutRequest {
        order_id: order.id,
        lines: order
            .lines
            .iter()
            .map(|l| CheckoutLine {
                name: l.name.clone(),
                unit_amount: l.unit_price.amount,
                quantity: u64::try_from(l.quantity).unwrap_or(1),
            })
            .collect(),
        coupon: (order.discount.amount > 0).then(|| CheckoutCoupon {
            amount_off: order.discount.amount,
            name: match (&order.coupon_code, order.coupon_percent) {
                (Some(code), Some(p)) => format!("{code} ({p}% off)"),
                (Some(code), None) => code.clone(),
                _ => "Discount".into(),
            },
        }),
        currency: order.total.currency.clone(),
        customer_email: order.shipping.email.clone(),
        // Back to the pages in the order's language; Stripe's page speaks it too.
        success_url: format!(
            "{site_url}{}?session_id={{CHECKOUT_SESSION_ID}}",
            lang.localize("/payment/success")
        ),
        cancel_url: format!("{site_url}{}?order_id={}", lang.localize("/payment/cancel"), order.id),
        locale: lang.tag().into(),
        expires_at,
        idempotency_key: format!("order-{}-checkout-{attempt}", order.id),
    }
}

fn unavailable(e: GatewayError) -> AppError {
    tracing::error!(error = %e, "Stripe call failed");
    AppError::Unavailable(msg!(payment_unavailable).into())
}

/// The success page: asks Stripe about the session and applies it. Returns the order
/// it is for.
pub async fn confirm(
    db: &DatabaseConnection,
    stripe: &Stripe,
    settings: &MailSettings<'_>,
    session_id: &str,
) -> Result<(Option<i64>, Applied), AppError> {
    let ok = session_id.starts_with("cs_")
        && session_id.len() <= 255
        && session_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(AppError::BadRequest("That is not a Checkout Session id.".into()));
    }
    let facts = match stripe.retrieve_session(session_id).await {
        Ok(facts) => facts,
        Err(GatewayError::Rejected { status: 404, .. }) => return Err(AppError::not_found("Payment")),
        Err(e) => return Err(unavailable(e)),
    };
    let applied = apply_session(db, settings, &facts).await?;
    Ok((facts.order_id, applied))
}

/// After an order is cancelled: expires its open session so it cannot be paid any more.
/// A payment that still lands is flagged for refund by [`process_event`].
pub async fn expire_checkout(
    db: &DatabaseConnection,
    stripe: &Stripe,
    order_id: i64,
) -> Result<(), AppError> {
    let Some(row) = order::Entity::find_by_id(order_id).one(db).await? else {
        return Ok(());
    };
    let Some(session_id) = row.checkout_session_id.filter(|_| row.status == OrderStatus::Cancelled) else {
        return Ok(());
    };
    match stripe.expire_session(&session_id).await {
        Ok(_) => {
            tracing::info!(order = order_id, session = %session_id, "checkout session expired");
            Ok(())
        }
        // Already expired or completed: nothing left to close.
        Err(GatewayError::Rejected { status, message }) if status < 500 => {
            tracing::info!(order = order_id, session = %session_id, %message, "session was not open");
            Ok(())
        }
        Err(e) => Err(unavailable(e)),
    }
}
