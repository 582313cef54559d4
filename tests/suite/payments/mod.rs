//! Payments: signed webhooks stored once and processed exactly once in any order, the
//! outbox reconciler, racing workers, the Stripe emulator through async-stripe's own
//! client, types and verifier, REST checkout and the PDF invoice mailed over SMTP.
//! SQLite and PostgreSQL.

mod checkout;
mod events;
mod recommendations;
use crate::common;

use crate::common::{send, wait_for, Backend, TestEnv};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::Utc;
use fullstack_ws::entities::{emulator_object, order, outbox_mail, payment_event};
use fullstack_ws::jobs;
use fullstack_ws::jobs::Workers;
use fullstack_ws::models::{OrderStatus, Shipping};
use fullstack_ws::services::cart::{self, Shopper};
use fullstack_ws::services::orders::{self, MailSettings};
use fullstack_ws::services::payments::{self, EventOutcome};
use fullstack_ws::services::seed;
use mail_parser::MimeHeaders;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use std::time::Duration;

fn shipping() -> Shipping {
    Shipping {
        first_name: "Grace".into(),
        last_name: "Hopper".into(),
        email: "grace@example.com".into(),
        address: "1 Navy Way".into(),
        postal_code: "20350".into(),
        city: "Arlington".into(),
    }
}

/// A placed order of two products with WELCOME10 applied.
async fn placed_order(env: &TestEnv, shopper: &Shopper) -> fullstack_ws::models::Order {
    let db = env.db();
    seed::seed(db).await.unwrap();
    let a = common::product_by_slug(db, "ember-house-blend").await.id;
    let b = common::product_by_slug(db, "sencha-asahi").await.id;
    cart::add(db, shopper, a, 2).await.unwrap();
    cart::add(db, shopper, b, 1).await.unwrap();
    cart::apply_coupon(db, shopper, seed::WELCOME_COUPON).await.unwrap();
    let settings = MailSettings { from: &env.state.config.mail_from, site_url: env.site_url() };
    orders::place(db, shopper, &shipping(), &uuid::Uuid::new_v4().to_string(), &settings).await.unwrap().order
}

fn guest() -> Shopper {
    Shopper::Guest(uuid::Uuid::new_v4())
}

fn session_object(order_id: i64, session: &str, amount: i64, currency: &str, paid: bool) -> Value {
    json!({
        "id": session, "object": "checkout.session", "status": "complete",
        "payment_status": if paid { "paid" } else { "unpaid" },
        "amount_total": amount, "currency": currency, "client_reference_id": order_id.to_string(),
        "metadata": {"order_id": order_id.to_string()}, "payment_intent": format!("pi_{session}"),
    })
}

fn event_payload(id: &str, kind: &str, object: Value) -> String {
    json!({"id": id, "object": "event", "type": kind, "created": Utc::now().timestamp(), "livemode": false,
        "pending_webhooks": 1, "data": {"object": object}})
    .to_string()
}

async fn post_webhook(env: &TestEnv, payload: &str, signature: Option<String>) -> common::Reply {
    let mut req = Request::post("/payment/webhook").header(header::CONTENT_TYPE, "application/json");
    if let Some(sig) = signature {
        req = req.header("stripe-signature", sig);
    }
    send(env, req.body(Body::from(payload.to_owned())).unwrap()).await
}

/// Posts a correctly signed event.
async fn deliver(env: &TestEnv, id: &str, kind: &str, object: Value) -> common::Reply {
    let payload = event_payload(id, kind, object);
    let sig = env.state.stripe.sign(&payload, Utc::now().timestamp());
    post_webhook(env, &payload, Some(sig)).await
}

/// Processes every stored event (what the job does), returning their outcomes in order.
async fn process_all(env: &TestEnv) -> Vec<EventOutcome> {
    let settings = MailSettings { from: &env.state.config.mail_from, site_url: env.site_url() };
    let rows = payment_event::Entity::find().all(env.db()).await.unwrap();
    let mut outcomes = Vec::new();
    for row in rows {
        outcomes.push(payments::process_event(env.db(), &settings, row.id).await.unwrap().outcome);
    }
    outcomes
}

async fn order_row(db: &DatabaseConnection, id: i64) -> order::Model {
    order::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

async fn mails_with_subject(db: &DatabaseConnection, starts: &str) -> Vec<outbox_mail::Model> {
    outbox_mail::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject.starts_with(starts))
        .collect()
}

async fn set_session(db: &DatabaseConnection, order_id: i64, session: &str) {
    order::Entity::update_many()
        .col_expr(order::Column::CheckoutSessionId, Expr::value(session))
        .filter(order::Column::Id.eq(order_id))
        .exec(db)
        .await
        .unwrap();
}
