//! Payments at the edge: Stripe's webhook, and the flows shared by pages and REST
//! (pay, cancel, confirm on return, invoice download). Each is the service call plus the
//! jobs it hands to the queue after commit.

use super::rest::ApiError;
use crate::infra::auth::AuthSession;
use crate::infra::state::AppState;
use crate::infra::stripe::WebhookRejection;
use crate::models::{AppError, Order, OrderStatus};
use crate::services::cart::Shopper;
use crate::services::orders::{self, MailSettings};
use crate::services::payments::{self, CheckoutLink, CheckoutSettings, Recorded};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// `POST /payment/webhook`: verify, store once, enqueue, answer. Processing happens in
/// a job, so Stripe gets its 2xx in milliseconds.
pub async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let reject = |why: WebhookRejection| {
        tracing::warn!(%why, "webhook refused");
        ApiError(AppError::BadRequest(format!("Webhook refused: {why}."))).into_response()
    };
    let Ok(payload) = std::str::from_utf8(&body) else {
        return reject(WebhookRejection::Malformed);
    };
    let Some(signature) = headers.get("stripe-signature").and_then(|v| v.to_str().ok()) else {
        return reject(WebhookRejection::BadHeader);
    };
    let event = match state.stripe.verify(payload, signature) {
        Ok(event) => event,
        Err(why) => return reject(why),
    };
    match payments::record_event(&state.db, &event.id, &event.event_type, payload).await {
        Ok(Recorded::New(id)) => {
            super::jobs::process_payment_later(&state.jobs, id).await;
            (StatusCode::OK, Json(serde_json::json!({"received": true}))).into_response()
        }
        Ok(Recorded::Duplicate) => {
            tracing::info!(event = %event.id, "duplicate webhook acknowledged");
            (StatusCode::OK, Json(serde_json::json!({"received": true, "duplicate": true}))).into_response()
        }
        // Stripe retries on a 5xx: nothing is lost.
        Err(e) => ApiError(e).into_response(),
    }
}

/// Starts or resumes paying for an order: the page to send the shopper to.
pub async fn pay(state: &AppState, shopper: &Shopper, order_id: i64) -> Result<CheckoutLink, AppError> {
    let settings = CheckoutSettings {
        site_url: &state.config.site_url,
        unpaid_order_ttl: state.config.unpaid_order_ttl,
    };
    payments::start_checkout(&state.db, &state.stripe, shopper, order_id, &settings).await
}

/// The shopper cancels an unpaid order; its open payment page is closed in the background.
pub async fn cancel(state: &AppState, shopper: &Shopper, order_id: i64) -> Result<Order, AppError> {
    let order = orders::cancel(&state.db, shopper, order_id).await?;
    super::jobs::expire_checkouts_later(&state.jobs, &[order_id]).await;
    Ok(order)
}

/// What the success page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub order_id: Option<i64>,
    pub paid: bool,
}

/// The success page: confirm the session with Stripe and apply it (idempotent with the
/// webhook).
pub async fn confirm(state: &AppState, session_id: &str) -> Result<Confirmation, AppError> {
    let settings = MailSettings { from: &state.config.mail_from, site_url: &state.config.site_url };
    let (order_id, applied) = payments::confirm(&state.db, &state.stripe, &settings, session_id).await?;
    for id in &applied.mail_ids {
        super::jobs::deliver_later(&state.jobs, *id).await;
    }
    let paid = match order_id {
        Some(id) => orders::status_of(&state.db, id).await? == Some(OrderStatus::Paid),
        None => false,
    };
    Ok(Confirmation { order_id, paid })
}

/// `GET /api/v1/orders/{id}/invoice.pdf`: for the order's owner and for admins.
pub async fn invoice_pdf(state: &AppState, auth: &AuthSession, order_id: i64) -> Result<Response, AppError> {
    let is_admin = super::accounts::require_admin(auth).is_ok();
    let order = if is_admin {
        orders::find(&state.db, order_id).await?.ok_or_else(|| AppError::not_found("Order"))?
    } else {
        orders::get(&state.db, &super::shopper::order_owner(auth).await?, order_id).await?
    };
    let pdf = crate::services::invoice::render(&order);
    let disposition = format!("inline; filename=\"{}\"", crate::services::invoice::file_name(order.id));
    Ok((
        [(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        pdf,
    )
        .into_response())
}
