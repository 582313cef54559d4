//! The offline Stripe emulator, served under `/_stripe` only when no `STRIPE_SECRET_KEY`
//! is set: the slice of Stripe's API the shop calls (Checkout Sessions, coupons,
//! refunds), with Stripe-shaped JSON, Stripe's error shape and `Idempotency-Key`
//! replay; a hosted payment page that knows Stripe's test cards; and webhooks signed
//! exactly as Stripe signs them, retried with backoff until answered 2xx.
//!
//! Its objects live in the shop's database (`stripe_emulator_*`), so a restart of
//! `cargo leptos watch` keeps open payment pages working.

use crate::entities::{emulator_idempotency, emulator_object};
use crate::flows::state::AppState;
use crate::models::Money;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use rand::distributions::{Alphanumeric, DistString};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;

pub const CARD_SUCCEEDS: &str = "4242424242424242";
pub const CARD_DECLINED: &str = "4000000000000002";
pub const CARD_INSUFFICIENT_FUNDS: &str = "4000000000009995";
/// Stripe's own limits; within them no total can overflow.
const MAX_LINE_ITEMS: usize = 100;
const MAX_QUANTITY: i64 = 999_999;
const MAX_UNIT_AMOUNT: i64 = 99_999_999;
/// Delivery attempts per event, 0.5 s doubling up to ~1 minute apart.
const DELIVERY_ATTEMPTS: u32 = 8;

mod api;
mod hosted;

use api::{create_coupon, create_refund, create_session, expire_session, list_sessions, retrieve_session};
use hosted::{pay, pay_page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_stripe/v1/checkout/sessions", post(create_session).get(list_sessions))
        .route("/_stripe/v1/checkout/sessions/{id}", get(retrieve_session))
        .route("/_stripe/v1/checkout/sessions/{id}/expire", post(expire_session))
        .route("/_stripe/v1/coupons", post(create_coupon))
        .route("/_stripe/v1/refunds", post(create_refund))
        .route("/_stripe/pay/{id}", get(pay_page).post(pay))
}

/// A Stripe API error: `{"error": {"type", "message", "param"}}` with its status.
struct StripeError {
    status: StatusCode,
    kind: &'static str,
    message: String,
    param: Option<&'static str>,
}

impl StripeError {
    fn invalid(message: impl Into<String>, param: Option<&'static str>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request_error",
            message: message.into(),
            param,
        }
    }

    fn missing(id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            kind: "invalid_request_error",
            message: format!("No such object: '{id}'"),
            param: Some("id"),
        }
    }

    fn internal() -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            kind: "api_error",
            message: "Emulator storage failed.".into(),
            param: None,
        }
    }

    fn body(&self) -> Value {
        json!({"error": {"type": self.kind, "message": self.message, "param": self.param}})
    }
}

impl IntoResponse for StripeError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

impl From<sea_orm::DbErr> for StripeError {
    fn from(e: sea_orm::DbErr) -> Self {
        tracing::error!(error = %e, "emulator storage failed");
        Self::internal()
    }
}

type ApiResult = Result<(StatusCode, Value), StripeError>;

/// Only the app's own emulator key is accepted: never a real key, test or live.
fn authorize(headers: &HeaderMap) -> Result<(), StripeError> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match key {
        Some(crate::infra::config::EMULATOR_SECRET_KEY) => Ok(()),
        _ => Err(StripeError {
            status: StatusCode::UNAUTHORIZED,
            kind: "invalid_request_error",
            message: "Invalid API Key provided: the emulator takes its own key (sk_test_emulator) only."
                .into(),
            param: None,
        }),
    }
}

/// A return URL as Stripe takes it (absolute http or https), and, because the emulator is
/// served on the shop's own origin, on the shop's site: anything else would make the
/// hosted page a script link or an open redirect.
fn return_url(state: &AppState, p: &Params, key: &'static str) -> Result<String, StripeError> {
    let raw = p.required(key)?;
    let url = reqwest::Url::parse(raw).ok().filter(|u| matches!(u.scheme(), "http" | "https")).ok_or_else(
        || StripeError::invalid(format!("Not a valid URL: {key} must be http or https."), Some(key)),
    )?;
    let site = reqwest::Url::parse(&state.config.site_url).map_err(|_| StripeError::internal())?;
    if url.origin() != site.origin() {
        return Err(StripeError::invalid(
            format!(
                "The emulator returns to the shop's own site only: {key} must start with {}.",
                state.config.site_url
            ),
            Some(key),
        ));
    }
    Ok(raw.to_owned())
}

/// Runs a POST once per `Idempotency-Key`: a retry gets the first answer back.
async fn idempotent<F, Fut>(state: &AppState, headers: &HeaderMap, scope: &str, run: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ApiResult>,
{
    if let Err(e) = authorize(headers) {
        return e.into_response();
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(|k| format!("{scope}:{k}"));
    if let Some(key) = &key {
        match emulator_idempotency::Entity::find_by_id(key.clone()).one(&state.db).await {
            Ok(Some(saved)) => {
                let status = StatusCode::from_u16(saved.status as u16).unwrap_or(StatusCode::OK);
                let body: Value = serde_json::from_str(&saved.body).unwrap_or(Value::Null);
                return (status, [("idempotent-replayed", "true")], Json(body)).into_response();
            }
            Ok(None) => {}
            Err(e) => return StripeError::from(e).into_response(),
        }
    }
    let (status, body) = match run().await {
        Ok(ok) => ok,
        Err(e) => (e.status, e.body()),
    };
    if let Some(key) = key.filter(|_| status != StatusCode::INTERNAL_SERVER_ERROR) {
        let saved = emulator_idempotency::Entity::insert(emulator_idempotency::ActiveModel {
            key: Set(key),
            status: Set(i32::from(status.as_u16())),
            body: Set(body.to_string()),
            created_at: Set(Utc::now()),
        })
        .on_conflict(OnConflict::column(emulator_idempotency::Column::Key).do_nothing().to_owned())
        .exec_without_returning(&state.db)
        .await;
        if let Err(e) = saved {
            return StripeError::from(e).into_response();
        }
    }
    (status, Json(body)).into_response()
}

/// Stripe's form encoding (`a[b][0][c]=v`), kept as ordered key/value pairs.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(raw: &[u8]) -> Self {
        Self(form_urlencoded::parse(raw).into_owned().collect())
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn required(&self, key: &'static str) -> Result<&str, StripeError> {
        self.get(key)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| StripeError::invalid(format!("Missing required param: {key}."), Some(key)))
    }

    fn integer(&self, key: &'static str) -> Result<Option<i64>, StripeError> {
        self.get(key)
            .map(|v| {
                v.parse::<i64>().map_err(|_| StripeError::invalid(format!("Invalid integer: {v}"), Some(key)))
            })
            .transpose()
    }

    /// `prefix[k]=v` pairs as a JSON object (metadata).
    fn map(&self, prefix: &str) -> Value {
        let start = format!("{prefix}[");
        let entries = self.0.iter().filter_map(|(k, v)| {
            let name = k.strip_prefix(&start)?.strip_suffix(']')?;
            (!name.contains('[')).then(|| (name.to_owned(), Value::String(v.clone())))
        });
        Value::Object(entries.collect())
    }
}

/// What the hosted page shows, kept beside the Stripe-shaped session.
#[derive(Debug, Serialize, Deserialize)]
struct StoredSession {
    session: Value,
    lines: Vec<PageLine>,
    discount_name: Option<String>,
    /// `payment_intent_data[metadata]`, copied onto the payment intent.
    intent_metadata: Value,
}

#[derive(Debug, Serialize, Deserialize)]
struct PageLine {
    name: String,
    unit_amount: i64,
    quantity: i64,
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 24))
}

async fn save(state: &AppState, id: &str, kind: &str, body: &impl Serialize) -> Result<(), StripeError> {
    let text = serde_json::to_string(body).map_err(|_| StripeError::internal())?;
    match emulator_object::Entity::find_by_id(id.to_owned()).one(&state.db).await? {
        Some(found) => {
            let mut active: emulator_object::ActiveModel = found.into();
            active.body = Set(text);
            active.update(&state.db).await?;
        }
        None => {
            emulator_object::ActiveModel {
                id: Set(id.to_owned()),
                kind: Set(kind.to_owned()),
                body: Set(text),
                created_at: Set(Utc::now()),
            }
            .insert(&state.db)
            .await?;
        }
    }
    Ok(())
}

async fn load<T: for<'de> Deserialize<'de>>(
    state: &AppState,
    id: &str,
    kind: &str,
) -> Result<T, StripeError> {
    let found = emulator_object::Entity::find_by_id(id.to_owned())
        .one(&state.db)
        .await?
        .filter(|o| o.kind == kind)
        .ok_or_else(|| StripeError::missing(id))?;
    serde_json::from_str(&found.body).map_err(|_| StripeError::internal())
}

/// Signs an event and POSTs it to the shop's webhook in the background, retrying with
/// backoff until it is answered 2xx.
fn send_event(state: &AppState, event_type: &str, object: Value) {
    let event = json!({
        "id": new_id("evt_"),
        "object": "event",
        "api_version": stripe_shared::version::VERSION.to_string(),
        "created": Utc::now().timestamp(),
        "data": {"object": object},
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": event_type,
    });
    let url = format!("{}/payment/webhook", state.config.site_url);
    let stripe = state.stripe.clone();
    tokio::spawn(async move {
        let payload = event.to_string();
        let client = reqwest::Client::new();
        let mut wait = Duration::from_millis(500);
        for attempt in 1..=DELIVERY_ATTEMPTS {
            // Signed per attempt, as Stripe does: a retry is never stale.
            let signature = stripe.sign(&payload, Utc::now().timestamp());
            let sent = client
                .post(&url)
                .header("stripe-signature", signature)
                .header(header::CONTENT_TYPE, "application/json")
                .body(payload.clone())
                .timeout(Duration::from_secs(10))
                .send()
                .await;
            match sent {
                Ok(res) if res.status().is_success() => return,
                Ok(res) => {
                    tracing::warn!(event = %event["id"], attempt, status = res.status().as_u16(), "webhook delivery refused")
                }
                Err(e) => {
                    tracing::warn!(event = %event["id"], attempt, error = %e, "webhook delivery failed")
                }
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(60));
        }
        tracing::error!(event = %event["id"], "webhook not delivered; giving up");
    });
}
