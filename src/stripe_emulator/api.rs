//! The emulated API: Checkout Sessions, coupons and refunds, Stripe-shaped JSON.

use super::*;
use axum::extract::Query;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

pub(super) async fn create_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    idempotent(&state, &headers, "checkout.session", || async {
        let params = Params::parse(&raw);
        build_session(&state, &params).await.map(|s| (StatusCode::OK, s))
    })
    .await
}

pub(super) async fn build_session(state: &AppState, p: &Params) -> Result<Value, StripeError> {
    if p.get("mode") != Some("payment") {
        return Err(StripeError::invalid("The emulator supports mode=payment only.", Some("mode")));
    }
    let success_url = return_url(state, p, "success_url")?;
    let cancel_url = return_url(state, p, "cancel_url")?;
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
        "locale": p.get("locale"),
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
pub(super) async fn load_session(state: &AppState, id: &str) -> Result<StoredSession, StripeError> {
    let mut stored: StoredSession = load(state, id, "checkout.session").await?;
    let due = stored.session["expires_at"].as_i64().is_some_and(|at| at < Utc::now().timestamp());
    if due && stored.session["status"] == "open" {
        stored.session["status"] = json!("expired");
        save(state, id, "checkout.session", &stored).await?;
        send_event(state, "checkout.session.expired", stored.session.clone());
    }
    Ok(stored)
}

pub(super) async fn retrieve_session(
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

/// `GET /v1/checkout/sessions`: newest first, `limit` (1–100, default 10),
/// `starting_after` (an id from the previous page) and `created[gte]` (a Unix time).
pub(super) async fn list_sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Err(e) = authorize(&headers) {
        return e.into_response();
    }
    let limit = match query.get("limit").map(|l| l.parse::<usize>()) {
        None => 10,
        Some(Ok(n @ 1..=100)) => n,
        Some(_) => {
            return StripeError::invalid("limit must be an integer from 1 to 100.", Some("limit"))
                .into_response()
        }
    };
    let since = match query.get("created[gte]").map(|t| t.parse::<i64>()) {
        None => i64::MIN,
        Some(Ok(t)) => t,
        Some(Err(_)) => {
            return StripeError::invalid("created[gte] must be a Unix timestamp.", Some("created"))
                .into_response()
        }
    };
    let stored = match emulator_object::Entity::find()
        .filter(emulator_object::Column::Kind.eq("checkout.session"))
        .order_by_desc(emulator_object::Column::CreatedAt)
        .order_by_desc(emulator_object::Column::Id)
        .all(&state.db)
        .await
    {
        Ok(rows) => rows,
        Err(e) => return StripeError::from(e).into_response(),
    };
    let mut sessions = stored
        .iter()
        .filter_map(|row| serde_json::from_str::<StoredSession>(&row.body).ok())
        .map(|s| s.session)
        .filter(|s| s["created"].as_i64().unwrap_or_default() >= since)
        .skip_while({
            let mut before = query.get("starting_after").cloned();
            move |s| match &before {
                Some(id) if s["id"] == id.as_str() => {
                    before = None;
                    true
                }
                Some(_) => true,
                None => false,
            }
        });
    let data: Vec<Value> = sessions.by_ref().take(limit).collect();
    let has_more = sessions.next().is_some();
    Json(json!({"object": "list", "url": "/v1/checkout/sessions", "has_more": has_more, "data": data}))
        .into_response()
}

pub(super) async fn expire_session(
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

pub(super) async fn create_coupon(State(state): State<AppState>, headers: HeaderMap, raw: Bytes) -> Response {
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

pub(super) async fn create_refund(State(state): State<AppState>, headers: HeaderMap, raw: Bytes) -> Response {
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
