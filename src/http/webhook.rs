//! `POST /payment/webhook`: Stripe's (or the emulator's) signed events.

use super::error::ApiError;
use crate::flows::state::AppState;
use crate::infra::stripe::WebhookRejection;
use crate::models::AppError;
use crate::services::payments::{self, Recorded};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
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
        Ok(Recorded::New(_)) => (StatusCode::OK, Json(serde_json::json!({"received": true}))).into_response(),
        Ok(Recorded::Duplicate) => {
            tracing::info!(event = %event.id, "duplicate webhook acknowledged");
            (StatusCode::OK, Json(serde_json::json!({"received": true, "duplicate": true}))).into_response()
        }
        // Stripe retries on a 5xx: nothing is lost.
        Err(e) => ApiError(e).into_response(),
    }
}
