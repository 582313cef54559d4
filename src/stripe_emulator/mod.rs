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

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_stripe/v1/checkout/sessions", post(create_session))
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

/// Only test-mode secret keys are accepted (the emulator can never take a live key).
fn authorize(headers: &HeaderMap) -> Result<(), StripeError> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match key {
        Some(k) if k.starts_with("sk_test_") => Ok(()),
        _ => Err(StripeError {
            status: StatusCode::UNAUTHORIZED,
            kind: "invalid_request_error",
            message: "Invalid API Key provided: the emulator takes test keys (sk_test_…) only.".into(),
            param: None,
        }),
    }
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

async fn create_session(State(state): State<AppState>, headers: HeaderMap, raw: Bytes) -> Response {
    idempotent(&state, &headers, "checkout.session", || async {
        let params = Params::parse(&raw);
        build_session(&state, &params).await.map(|s| (StatusCode::OK, s))
    })
    .await
}

async fn build_session(state: &AppState, p: &Params) -> Result<Value, StripeError> {
    if p.get("mode") != Some("payment") {
        return Err(StripeError::invalid("The emulator supports mode=payment only.", Some("mode")));
    }
    let success_url = p.required("success_url")?.to_owned();
    let cancel_url = p.required("cancel_url")?.to_owned();
    let mut lines = Vec::new();
    let mut currency: Option<String> = None;
    for i in 0.. {
        let key = |rest: &str| format!("line_items[{i}]{rest}");
        let Some(quantity) = p.get(&key("[quantity]")) else { break };
        if i == MAX_LINE_ITEMS {
            return Err(StripeError::invalid("At most 100 line items.", Some("line_items")));
        }
        let quantity: i64 =
            quantity.parse().ok().filter(|q| (1..=MAX_QUANTITY).contains(q)).ok_or_else(|| {
                StripeError::invalid("Quantity must be an integer from 1 to 999999.", Some("line_items"))
            })?;
        let unit_amount: i64 = p
            .get(&key("[price_data][unit_amount]"))
            .and_then(|v| v.parse().ok())
            .filter(|a| (0..=MAX_UNIT_AMOUNT).contains(a))
            .ok_or_else(|| {
                StripeError::invalid(
                    "Each line needs price_data[unit_amount] from 0 to 99999999.",
                    Some("line_items"),
                )
            })?;
        let name =
            p.get(&key("[price_data][product_data][name]")).filter(|n| !n.is_empty()).ok_or_else(|| {
                StripeError::invalid("Each line needs price_data[product_data][name].", Some("line_items"))
            })?;
        let line_currency = p.get(&key("[price_data][currency]")).unwrap_or_default().to_ascii_lowercase();
        if line_currency.len() != 3 || currency.as_ref().is_some_and(|c| *c != line_currency) {
            return Err(StripeError::invalid(
                "All lines need one three-letter currency.",
                Some("line_items"),
            ));
        }
        currency = Some(line_currency);
        lines.push(PageLine { name: name.to_owned(), unit_amount, quantity });
    }
    let currency = currency
        .ok_or_else(|| StripeError::invalid("Missing required param: line_items.", Some("line_items")))?;
    let subtotal: i64 = lines.iter().map(|l| l.unit_amount * l.quantity).sum();
    let (discount, discount_name, discounts) = match p.get("discounts[0][coupon]") {
        Some(coupon_id) => {
            let coupon: Value = load(state, coupon_id, "coupon").await?;
            let off = match (coupon["amount_off"].as_i64(), coupon["percent_off"].as_f64()) {
                (Some(amount), _) => amount,
                (None, Some(percent)) => (subtotal as f64 * percent / 100.0).round() as i64,
                _ => 0,
            };
            (off.min(subtotal), coupon["name"].as_str().map(str::to_owned), json!([{"coupon": coupon_id}]))
        }
        None => (0, None, json!([])),
    };
    let now = Utc::now().timestamp();
    let expires_at = p.integer("expires_at")?.unwrap_or(now + 24 * 3600);
    if !(now + 30 * 60 - 60..=now + 24 * 3600 + 60).contains(&expires_at) {
        return Err(StripeError::invalid(
            "expires_at must be between 30 minutes and 24 hours from now.",
            Some("expires_at"),
        ));
    }
    let id = new_id("cs_test_");
    let session = json!({
        "id": id,
        "object": "checkout.session",
        "amount_subtotal": subtotal,
        "amount_total": subtotal - discount,
        "automatic_tax": {"enabled": false, "liability": null, "provider": null, "status": null},
        "cancel_url": cancel_url,
        "client_reference_id": p.get("client_reference_id"),
        "created": now,
        "currency": currency,
        "custom_fields": [],
        "custom_text": {"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null},
        "customer_email": p.get("customer_email"),
        "discounts": discounts,
        "expires_at": expires_at,
        "livemode": false,
        "metadata": p.map("metadata"),
        "mode": "payment",
        "payment_intent": null,
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "shipping_options": [],
        "status": "open",
        "success_url": success_url,
        "total_details": {"amount_discount": discount, "amount_shipping": 0, "amount_tax": 0},
        "url": format!("{}/_stripe/pay/{id}", state.config.site_url),
    });
    let stored = StoredSession {
        session: session.clone(),
        lines,
        discount_name,
        intent_metadata: p.map("payment_intent_data[metadata]"),
    };
    save(state, &id, "checkout.session", &stored).await?;
    Ok(session)
}

/// Loads a session, expiring it first if its `expires_at` has passed (as Stripe does on
/// its own), which sends `checkout.session.expired`.
async fn load_session(state: &AppState, id: &str) -> Result<StoredSession, StripeError> {
    let mut stored: StoredSession = load(state, id, "checkout.session").await?;
    let due = stored.session["expires_at"].as_i64().is_some_and(|at| at < Utc::now().timestamp());
    if due && stored.session["status"] == "open" {
        stored.session["status"] = json!("expired");
        save(state, id, "checkout.session", &stored).await?;
        send_event(state, "checkout.session.expired", stored.session.clone());
    }
    Ok(stored)
}

async fn retrieve_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(e) = authorize(&headers) {
        return e.into_response();
    }
    match load_session(&state, &id).await {
        Ok(stored) => Json(stored.session).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn expire_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    idempotent(&state, &headers, "expire", || async {
        let mut stored = load_session(&state, &id).await?;
        if stored.session["status"] != "open" {
            return Err(StripeError::invalid(
                "Only Checkout Sessions with a status in [\"open\"] can be expired.",
                Some("session"),
            ));
        }
        stored.session["status"] = json!("expired");
        save(&state, &id, "checkout.session", &stored).await?;
        send_event(&state, "checkout.session.expired", stored.session.clone());
        Ok((StatusCode::OK, stored.session))
    })
    .await
}

async fn create_coupon(State(state): State<AppState>, headers: HeaderMap, raw: Bytes) -> Response {
    idempotent(&state, &headers, "coupon", || async {
        let p = Params::parse(&raw);
        let amount_off = p.integer("amount_off")?;
        let percent_off = p.get("percent_off").and_then(|v| v.parse::<f64>().ok());
        if amount_off.is_some() == percent_off.is_some() {
            return Err(StripeError::invalid(
                "Give exactly one of amount_off and percent_off.",
                Some("amount_off"),
            ));
        }
        if amount_off.is_some_and(|a| a <= 0)
            || percent_off.is_some_and(|p| !(0.0..=100.0).contains(&p) || p == 0.0)
        {
            return Err(StripeError::invalid(
                "The discount must be positive (percent_off at most 100).",
                Some("amount_off"),
            ));
        }
        if amount_off.is_some() && p.get("currency").is_none() {
            return Err(StripeError::invalid("Missing required param: currency.", Some("currency")));
        }
        let id = p.get("id").map(str::to_owned).unwrap_or_else(|| new_id(""));
        let coupon = json!({
            "id": id,
            "object": "coupon",
            "amount_off": amount_off,
            "created": Utc::now().timestamp(),
            "currency": p.get("currency"),
            "duration": p.get("duration").unwrap_or("once"),
            "livemode": false,
            "max_redemptions": p.integer("max_redemptions")?,
            "metadata": p.map("metadata"),
            "name": p.get("name"),
            "percent_off": percent_off,
            "times_redeemed": 0,
            "valid": true,
        });
        save(&state, &id, "coupon", &coupon).await?;
        Ok((StatusCode::OK, coupon))
    })
    .await
}

async fn create_refund(State(state): State<AppState>, headers: HeaderMap, raw: Bytes) -> Response {
    idempotent(&state, &headers, "refund", || async {
        let p = Params::parse(&raw);
        let intent_id = p.required("payment_intent")?.to_owned();
        let intent: Value = load(&state, &intent_id, "payment_intent").await?;
        if intent["status"] != "succeeded" {
            return Err(StripeError::invalid(
                "This PaymentIntent has no successful charge to refund.",
                Some("payment_intent"),
            ));
        }
        let received = intent["amount_received"].as_i64().unwrap_or(0);
        let amount = p.integer("amount")?.unwrap_or(received);
        if amount <= 0 || amount > received {
            return Err(StripeError::invalid(
                "The refund amount must be between 1 and the amount paid.",
                Some("amount"),
            ));
        }
        let id = new_id("re_");
        let refund = json!({
            "id": id,
            "object": "refund",
            "amount": amount,
            "created": Utc::now().timestamp(),
            "currency": intent["currency"],
            "metadata": p.map("metadata"),
            "payment_intent": intent_id,
            "reason": p.get("reason"),
            "status": "succeeded",
        });
        save(&state, &id, "refund", &refund).await?;
        Ok((StatusCode::OK, refund))
    })
    .await
}

/// The hosted payment page.
async fn pay_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match load_session(&state, &id).await {
        Ok(stored) => page(StatusCode::OK, &stored, None),
        Err(e) => {
            (e.status, Html(simple_page("Payment page not found", "This payment page does not exist.")))
                .into_response()
        }
    }
}

#[derive(Deserialize)]
struct CardForm {
    #[serde(default)]
    card: String,
}

async fn pay(
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<CardForm>,
) -> Response {
    let mut stored = match load_session(&state, &id).await {
        Ok(s) => s,
        Err(e) => {
            return (
                e.status,
                Html(simple_page("Payment page not found", "This payment page does not exist.")),
            )
                .into_response()
        }
    };
    if stored.session["status"] != "open" {
        return page(StatusCode::CONFLICT, &stored, Some("This payment page is no longer open."));
    }
    let card: String = form.card.chars().filter(char::is_ascii_digit).collect();
    let declined = match card.as_str() {
        CARD_SUCCEEDS => None,
        CARD_DECLINED => Some(("card_declined", "generic_decline", "Your card was declined.")),
        CARD_INSUFFICIENT_FUNDS => {
            Some(("card_declined", "insufficient_funds", "Your card has insufficient funds."))
        }
        _ => {
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &stored,
                Some("Your card number is not a test card. Use 4242 4242 4242 4242."),
            )
        }
    };
    let amount = stored.session["amount_total"].as_i64().unwrap_or(0);
    let intent_id = new_id("pi_");
    let mut intent = json!({
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": if declined.is_none() { amount } else { 0 },
        "capture_method": "automatic",
        "confirmation_method": "automatic",
        "created": Utc::now().timestamp(),
        "currency": stored.session["currency"],
        "livemode": false,
        "metadata": stored.intent_metadata,
        "payment_method_types": ["card"],
        "status": if declined.is_none() { "succeeded" } else { "requires_payment_method" },
    });
    if let Some((code, decline_code, message)) = declined {
        intent["last_payment_error"] =
            json!({"type": "card_error", "code": code, "decline_code": decline_code, "message": message});
        if let Err(e) = save(&state, &intent_id, "payment_intent", &intent).await {
            return e.into_response();
        }
        send_event(&state, "payment_intent.payment_failed", intent);
        return page(StatusCode::PAYMENT_REQUIRED, &stored, Some(&format!("{message} Try another card.")));
    }
    stored.session["status"] = json!("complete");
    stored.session["payment_status"] = json!("paid");
    stored.session["payment_intent"] = json!(intent_id);
    let saved = async {
        save(&state, &intent_id, "payment_intent", &intent).await?;
        save(&state, &id, "checkout.session", &stored).await
    };
    if let Err(e) = saved.await {
        return e.into_response();
    }
    send_event(&state, "checkout.session.completed", stored.session.clone());
    let success = stored.session["success_url"].as_str().unwrap_or("/").replace("{CHECKOUT_SESSION_ID}", &id);
    Redirect::to(&success).into_response()
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

fn page(status: StatusCode, stored: &StoredSession, error: Option<&str>) -> Response {
    use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};
    let s = &stored.session;
    let currency = s["currency"].as_str().unwrap_or("usd");
    let money = |amount: i64| Money::new(amount, currency).to_string();
    let id = s["id"].as_str().unwrap_or_default();
    let rows: String = stored
        .lines
        .iter()
        .map(|l| {
            format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
                esc(&l.name),
                l.quantity,
                money(l.unit_amount * l.quantity)
            )
        })
        .collect();
    let discount = s["total_details"]["amount_discount"].as_i64().unwrap_or(0);
    let discount_row = if discount > 0 {
        format!(
            "<tr><th scope=\"row\" colspan=\"2\">{}</th><td>-{}</td></tr>",
            esc(stored.discount_name.as_deref().unwrap_or("Discount")),
            money(discount)
        )
    } else {
        String::new()
    };
    let total = money(s["amount_total"].as_i64().unwrap_or(0));
    let open = s["status"] == "open";
    let form = if open {
        format!(
            "<form method=\"post\" action=\"/_stripe/pay/{id}\" class=\"stack\">\
               <label for=\"card\">Card number</label>\
               <input id=\"card\" name=\"card\" inputmode=\"numeric\" autocomplete=\"cc-number\" required \
                 placeholder=\"4242 4242 4242 4242\"{describe}>\
               <p id=\"card-help\" class=\"hint\">Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined; \
                 4000 0000 0000 9995 has insufficient funds.</p>\
               <button type=\"submit\" class=\"button\">Pay {total}</button>\
             </form>",
            id = attr(id),
            describe = " aria-describedby=\"card-help\"",
        )
    } else {
        "<p>This payment page is closed.</p>".to_owned()
    };
    let error =
        error.map(|e| format!("<p class=\"notice error\" role=\"alert\">{}</p>", esc(e))).unwrap_or_default();
    let cancel = s["cancel_url"].as_str().unwrap_or("/");
    let body = format!(
        "<h1>Pay {total}</h1><p class=\"hint\">Stripe emulator — test mode; no real money moves.</p>{error}\
         <table class=\"order-lines\"><caption>Your order</caption>\
         <thead><tr><th scope=\"col\">Product</th><th scope=\"col\">Quantity</th><th scope=\"col\">Amount</th></tr></thead>\
         <tbody>{rows}{discount_row}</tbody>\
         <tfoot><tr><th scope=\"row\" colspan=\"2\">Total</th><td>{total}</td></tr></tfoot></table>\
         {form}<p><a href=\"{cancel}\">Cancel and return to the shop</a></p>",
        cancel = attr(cancel),
    );
    (status, Html(wrap("Pay — Stripe emulator", &body))).into_response()
}

fn simple_page(title: &str, message: &str) -> String {
    wrap(
        title,
        &format!("<h1>{}</h1><p>{}</p>", html_escape::encode_text(title), html_escape::encode_text(message)),
    )
}

fn wrap(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{}</title>\
         <link rel=\"stylesheet\" href=\"/pkg/fullstack-ws.css\"></head>\
         <body><main id=\"main\" class=\"container emulator\">{body}</main></body></html>",
        html_escape::encode_text(title)
    )
}
