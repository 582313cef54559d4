//! Payments: signed webhooks stored once and processed exactly once in any order, the
//! outbox reconciler, racing workers, the Stripe emulator through async-stripe's own
//! client, types and verifier, REST checkout and the PDF invoice mailed over SMTP.
//! SQLite and PostgreSQL.
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

async fn webhook_refuses_bad_signatures_stale_timestamps_and_garbage(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let payload =
        event_payload("evt_x", "checkout.session.completed", session_object(1, "cs_1", 100, "usd", true));
    let now = Utc::now().timestamp();
    let stripe = &env.state.stripe;
    let tampered = payload.replace("100", "1");
    let cases = [
        ("no signature", payload.clone(), None),
        ("wrong secret", payload.clone(), Some(format!("t={now},v1={}", "ab".repeat(32)))),
        ("tampered body", tampered, Some(stripe.sign(&payload, now))),
        ("stale", payload.clone(), Some(stripe.sign(&payload, now - 301))),
        ("not JSON", "{oops".to_owned(), Some(stripe.sign("{oops", now))),
    ];
    for (what, body, sig) in cases {
        let reply = post_webhook(&env, &body, sig).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{what}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], "bad_request", "{what}");
    }
    assert_eq!(payment_event::Entity::find().count(env.db()).await.unwrap(), 0, "nothing stored");
    // The same event, correctly signed and fresh, is accepted.
    let ok = post_webhook(&env, &payload, Some(stripe.sign(&payload, now))).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}

async fn five_deliveries_pay_once_and_mail_once(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let o = placed_order(&env, &guest()).await;
    let object = session_object(o.id, "cs_five", o.total.amount, "usd", true);
    for _ in 0..5 {
        let reply = deliver(&env, "evt_five", "checkout.session.completed", object.clone()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    assert_eq!(payment_event::Entity::find().count(env.db()).await.unwrap(), 1, "stored once");
    let settings = MailSettings { from: &env.state.config.mail_from, site_url: env.site_url() };
    let id = payment_event::Entity::find().one(env.db()).await.unwrap().unwrap().id;
    let mut outcomes = Vec::new();
    for _ in 0..5 {
        outcomes.push(payments::process_event(env.db(), &settings, id).await.unwrap().outcome);
    }
    assert_eq!(outcomes[0], EventOutcome::Paid);
    assert!(outcomes[1..].iter().all(|o| *o == EventOutcome::AlreadyProcessed), "{outcomes:?}");
    let row = order_row(env.db(), o.id).await;
    assert_eq!(row.status, "paid");
    assert_eq!(row.payment_intent_id.as_deref(), Some("pi_cs_five"));
    assert!(row.paid_at.is_some());
    let mails = mails_with_subject(env.db(), "Payment received").await;
    assert_eq!(mails.len(), 1, "one mail");
    assert!(mails[0].message.contains("invoice-"), "the invoice is attached");
    // A second event for the same payment (e.g. async success) changes nothing.
    deliver(&env, "evt_five_again", "checkout.session.async_payment_succeeded", object).await;
    assert_eq!(process_all(&env).await.last(), Some(&EventOutcome::AlreadyPaid));
    assert_eq!(mails_with_subject(env.db(), "Payment received").await.len(), 1);
}

async fn every_event_type_has_its_effect(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let db = env.db();
    // Delayed payment: completed unpaid → waits; then async success → paid.
    let delayed = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_a1",
        "checkout.session.completed",
        session_object(delayed.id, "cs_a", delayed.total.amount, "usd", false),
    )
    .await;
    deliver(
        &env,
        "evt_a2",
        "checkout.session.async_payment_succeeded",
        session_object(delayed.id, "cs_a", delayed.total.amount, "usd", true),
    )
    .await;
    // Failed payments: the order stays created and the shopper gets a retry link.
    let failing = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_b1",
        "checkout.session.async_payment_failed",
        session_object(failing.id, "cs_b", failing.total.amount, "usd", false),
    )
    .await;
    let intent = json!({"id": "pi_b", "object": "payment_intent", "metadata": {"order_id": failing.id.to_string()},
        "last_payment_error": {"message": "Your card was declined."}});
    deliver(&env, "evt_b2", "payment_intent.payment_failed", intent).await;
    // Expiry of the order's session cancels it.
    let expiring = placed_order(&env, &guest()).await;
    set_session(db, expiring.id, "cs_c").await;
    let mut expired = session_object(expiring.id, "cs_c", expiring.total.amount, "usd", false);
    expired["status"] = json!("expired");
    deliver(&env, "evt_c", "checkout.session.expired", expired).await;
    // Unknown order and unknown type: stored, not acted on.
    deliver(&env, "evt_d", "checkout.session.completed", session_object(999_999, "cs_d", 100, "usd", true))
        .await;
    deliver(&env, "evt_e", "customer.created", json!({"id": "cus_1", "object": "customer"})).await;

    assert_eq!(
        process_all(&env).await,
        vec![
            EventOutcome::AwaitingPayment,
            EventOutcome::Paid,
            EventOutcome::PaymentFailed,
            EventOutcome::PaymentFailed,
            EventOutcome::Cancelled,
            EventOutcome::UnknownOrder,
            EventOutcome::Ignored,
        ]
    );
    assert_eq!(order_row(db, delayed.id).await.status, "paid");
    assert_eq!(order_row(db, failing.id).await.status, "created");
    assert_eq!(order_row(db, expiring.id).await.status, "cancelled");
    let retry =
        mails_with_subject(db, &format!("Payment for order #{} did not go through", failing.id)).await;
    assert_eq!(retry.len(), 2, "one retry mail per failure event");
    assert!(retry[1].message.contains("Your card was declined."));
    assert!(retry[0].message.contains(&format!("/orders/{}", failing.id)), "a retry link");
    let outcomes: Vec<(String, Option<String>)> = payment_event::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.stripe_event_id, e.outcome))
        .collect();
    assert!(outcomes.contains(&("evt_d".into(), Some("unknown_order".into()))), "{outcomes:?}");
}

async fn late_and_out_of_order_events_never_undo_a_state(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let db = env.db();
    // Paid on session 2, then session 1's expiry arrives: stays paid.
    let paid = placed_order(&env, &guest()).await;
    set_session(db, paid.id, "cs_new").await;
    deliver(
        &env,
        "evt_p",
        "checkout.session.completed",
        session_object(paid.id, "cs_new", paid.total.amount, "usd", true),
    )
    .await;
    let mut old = session_object(paid.id, "cs_old", paid.total.amount, "usd", false);
    old["status"] = json!("expired");
    deliver(&env, "evt_old", "checkout.session.expired", old).await;
    // Even its own session's expiry after payment changes nothing.
    let mut own = session_object(paid.id, "cs_new", paid.total.amount, "usd", false);
    own["status"] = json!("expired");
    deliver(&env, "evt_own", "checkout.session.expired", own).await;
    // A payment landing on a cancelled order: stays cancelled, flagged for refund.
    let cancelled = placed_order(&env, &guest()).await;
    orders::transition(db, cancelled.id, OrderStatus::Cancelled).await.unwrap();
    deliver(
        &env,
        "evt_late",
        "checkout.session.completed",
        session_object(cancelled.id, "cs_late", cancelled.total.amount, "usd", true),
    )
    .await;
    // Wrong amount, wrong currency: flagged, not paid.
    let short = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_short",
        "checkout.session.completed",
        session_object(short.id, "cs_s", short.total.amount - 1, "usd", true),
    )
    .await;
    let euro = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_eur",
        "checkout.session.completed",
        session_object(euro.id, "cs_e", euro.total.amount, "eur", true),
    )
    .await;

    assert_eq!(
        process_all(&env).await,
        vec![
            EventOutcome::Paid,
            EventOutcome::StaleExpiry,
            EventOutcome::StaleExpiry,
            EventOutcome::RefundDue,
            EventOutcome::AmountMismatch,
            EventOutcome::AmountMismatch,
        ]
    );
    assert_eq!(order_row(db, paid.id).await.status, "paid");
    let flagged = order_row(db, cancelled.id).await;
    assert_eq!(flagged.status, "cancelled");
    assert!(flagged.refund_due);
    assert!(flagged.payment_problem.unwrap().contains("refund due"));
    for id in [short.id, euro.id] {
        let row = order_row(db, id).await;
        assert_eq!(row.status, "created");
        assert!(!row.refund_due);
        assert!(row.payment_problem.unwrap().contains("not marked paid"));
    }
    assert_eq!(mails_with_subject(db, "Payment received").await.len(), 1, "only the real payment mails");
    // Admins see the three flagged orders; the API keeps the event log for admins only.
    let issues = payments::issues(db).await.unwrap();
    let mut flagged: Vec<(i64, bool)> = issues.iter().map(|i| (i.order_id, i.refund_due)).collect();
    flagged.sort();
    assert_eq!(flagged, vec![(cancelled.id, true), (short.id, false), (euro.id, false)]);
    let anonymous =
        send(&env, Request::get("/api/v1/admin/payment-events").body(Body::empty()).unwrap()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

async fn reconciler_recovers_an_event_whose_job_was_lost(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let o = placed_order(&env, &guest()).await;
    // Stored, then the process died before enqueueing: no job exists.
    let payload = event_payload(
        "evt_lost",
        "checkout.session.completed",
        session_object(o.id, "cs_l", o.total.amount, "usd", true),
    );
    let recorded =
        payments::record_event(env.db(), "evt_lost", "checkout.session.completed", &payload).await.unwrap();
    assert!(matches!(recorded, payments::Recorded::New(_)));
    assert_eq!(
        jobs::housekeeping::reconcile_payment_events(&env.state.jobs).await.unwrap(),
        0,
        "not stale yet"
    );
    payment_event::Entity::update_many()
        .col_expr(payment_event::Column::EnqueuedAt, Expr::value(Utc::now() - chrono::Duration::minutes(5)))
        .exec(env.db())
        .await
        .unwrap();
    assert_eq!(jobs::housekeeping::reconcile_payment_events(&env.state.jobs).await.unwrap(), 1);
    assert_eq!(
        jobs::housekeeping::reconcile_payment_events(&env.state.jobs).await.unwrap(),
        0,
        "re-enqueued once"
    );
    let workers = Workers::start(env.state.jobs.clone(), 1);
    wait_for(20, "the recovered event to pay the order", || async {
        (order_row(env.db(), o.id).await.status == "paid").then_some(())
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
}

async fn racing_workers_apply_one_event_once(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let o = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_race",
        "checkout.session.completed",
        session_object(o.id, "cs_r", o.total.amount, "usd", true),
    )
    .await;
    let id = payment_event::Entity::find().one(env.db()).await.unwrap().unwrap().id;
    // fang can hand one job to two workers: queue it three times, run two workers.
    for _ in 0..2 {
        jobs::process_payment_later(&env.state.jobs, id).await;
    }
    let workers = Workers::start(env.state.jobs.clone(), 2);
    wait_for(20, "the mail job to deliver", || async {
        let sent = mails_with_subject(env.db(), "Payment received").await;
        sent.iter().all(|m| m.sent_at.is_some()).then_some(()).filter(|_| !sent.is_empty())
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
    // And the same event from 8 tasks at once.
    let settings = MailSettings { from: &env.state.config.mail_from, site_url: env.site_url() };
    let runs =
        futures::future::join_all((0..8).map(|_| payments::process_event(env.db(), &settings, id))).await;
    assert!(runs.iter().all(|r| r.as_ref().unwrap().outcome == EventOutcome::AlreadyProcessed));
    assert_eq!(order_row(env.db(), o.id).await.status, "paid");
    assert_eq!(mails_with_subject(env.db(), "Payment received").await.len(), 1);
    let files = std::fs::read_dir(env.dir.path().join("mail")).unwrap().count();
    assert_eq!(files, 1, "the payment mail, delivered once (the order mail was never enqueued here)");
}

/// The whole pipeline through the emulator: async-stripe creates the session, the
/// hosted page takes a test card, the emulator's signed webhook comes back and a worker
/// pays the order.
async fn emulator_pipeline_through_async_stripe(backend: Backend) {
    let env = TestEnv::served(backend, &[("WORKERS", "2")]).await;
    let workers = Workers::start(env.state.jobs.clone(), 2);
    let shopper = guest();
    let o = placed_order(&env, &shopper).await;
    let link = fullstack_ws::flows::payments::pay(&env.state, &shopper, o.id).await.expect("session created");
    assert!(link.session_id.starts_with("cs_test_"));
    assert_eq!(link.url, format!("{}/_stripe/pay/{}", env.site_url(), link.session_id));
    // Pay again before paying: the open session is reused, not duplicated.
    let again = fullstack_ws::flows::payments::pay(&env.state, &shopper, o.id).await.unwrap();
    assert_eq!(again.session_id, link.session_id);
    // The session as async-stripe reads it: totals equal the order's, coupon included.
    let facts = env.state.stripe.retrieve_session(&link.session_id).await.expect("typed session");
    assert_eq!(facts.amount_total, Some(o.total.amount));
    assert_eq!(facts.order_id, Some(o.id));

    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = http.get(&link.url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("Pay {}", o.total)), "the page shows the total");
    assert!(page.contains("WELCOME10"), "and the coupon");
    let declined = http.post(&link.url).form(&[("card", "4000 0000 0000 0002")]).send().await.unwrap();
    assert_eq!(declined.status(), StatusCode::PAYMENT_REQUIRED);
    let paid = http.post(&link.url).form(&[("card", "4242 4242 4242 4242")]).send().await.unwrap();
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    let back = paid.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(back, format!("{}/payment/success?session_id={}", env.site_url(), link.session_id));

    wait_for(20, "the webhook to pay the order", || async {
        (order_row(env.db(), o.id).await.status == "paid").then_some(())
    })
    .await;
    let stored = wait_for(20, "both events to be processed", || async {
        let events = payment_event::Entity::find().all(env.db()).await.unwrap();
        (events.len() == 2 && events.iter().all(|e| e.processed_at.is_some())).then_some(events)
    })
    .await;
    // The emulator's events parse into async-stripe's own types and verify with its verifier.
    for e in &stored {
        let sig = stripe_webhook::Webhook::generate_test_header(
            &e.payload,
            &env.state.config.stripe.webhook_secret,
            None,
        );
        let typed = stripe_webhook::Webhook::construct_event(
            &e.payload,
            &sig,
            &env.state.config.stripe.webhook_secret,
        )
        .unwrap_or_else(|err| panic!("{} does not parse into async-stripe's Event: {err}", e.event_type));
        assert_eq!(typed.id.as_str(), e.stripe_event_id);
    }
    let kinds: Vec<&str> = stored.iter().map(|e| e.event_type.as_str()).collect();
    assert!(
        kinds.contains(&"payment_intent.payment_failed") && kinds.contains(&"checkout.session.completed")
    );
    // Confirming on the success page after the webhook changes nothing more.
    let confirmed = fullstack_ws::flows::payments::confirm(&env.state, &link.session_id).await.unwrap();
    assert!(confirmed.paid);
    assert_eq!(mails_with_subject(env.db(), "Payment received").await.len(), 1);
    // A paid order cannot be paid again; cancelling is refused.
    let twice = fullstack_ws::flows::payments::pay(&env.state, &shopper, o.id).await.unwrap_err();
    assert_eq!(twice.status(), 409);
    workers.shutdown(Duration::from_secs(5)).await;
}

async fn emulator_speaks_stripe_errors_and_idempotency(backend: Backend) {
    let env = TestEnv::served(backend, &[]).await;
    let http = reqwest::Client::new();
    let base = format!("{}/_stripe/v1", env.site_url());
    let unauthorized = http.post(format!("{base}/coupons")).send().await.unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    let live = http.post(format!("{base}/coupons")).bearer_auth("sk_live_x").send().await.unwrap();
    assert_eq!(live.status(), StatusCode::UNAUTHORIZED, "never a live key");
    let bad = http
        .post(format!("{base}/checkout/sessions"))
        .bearer_auth("sk_test_emulator")
        .form(&[("mode", "payment"), ("success_url", "http://x/s")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_str(&bad.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    // Amounts that would overflow a total are Stripe's 400, not a panic.
    let huge = http
        .post(format!("{base}/checkout/sessions"))
        .bearer_auth("sk_test_emulator")
        .form(&[
            ("mode", "payment"),
            ("success_url", "http://x/s"),
            ("cancel_url", "http://x/c"),
            ("line_items[0][quantity]", "9223372036854775807"),
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][unit_amount]", "9223372036854775807"),
            ("line_items[0][price_data][product_data][name]", "Everything"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::BAD_REQUEST);
    let coupon = |key: &'static str| {
        http.post(format!("{base}/coupons"))
            .bearer_auth("sk_test_emulator")
            .header("Idempotency-Key", key)
            .form(&[("amount_off", "500"), ("currency", "usd"), ("duration", "once")])
            .send()
    };
    let first: Value = serde_json::from_str(&coupon("k1").await.unwrap().text().await.unwrap()).unwrap();
    let replay = coupon("k1").await.unwrap();
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay: Value = serde_json::from_str(&replay.text().await.unwrap()).unwrap();
    assert_eq!(first["id"], replay["id"], "same key, same coupon");
    let other: Value = serde_json::from_str(&coupon("k2").await.unwrap().text().await.unwrap()).unwrap();
    assert_ne!(first["id"], other["id"]);
    // A session past its expires_at is expired on its next read, and Stripe's event follows.
    let request = payments::CheckoutRequest {
        order_id: 77,
        lines: vec![payments::CheckoutLine { name: "Tea".into(), unit_amount: 500, quantity: 2 }],
        coupon: None,
        currency: "usd".into(),
        customer_email: "a@b.co".into(),
        success_url: format!("{}/payment/success?session_id={{CHECKOUT_SESSION_ID}}", env.site_url()),
        cancel_url: format!("{}/payment/cancel?order_id=77", env.site_url()),
        expires_at: Utc::now().timestamp() + 3600,
        idempotency_key: "order-77-checkout-1".into(),
    };
    let session = env.state.stripe.create_checkout(&request).await.unwrap();
    assert_eq!(
        (session.amount_total, session.status),
        (Some(1000), fullstack_ws::infra::stripe::SessionStatus::Open)
    );
    let row =
        emulator_object::Entity::find_by_id(session.session_id.clone()).one(env.db()).await.unwrap().unwrap();
    let mut body: Value = serde_json::from_str(&row.body).unwrap();
    body["session"]["expires_at"] = json!(Utc::now().timestamp() - 5);
    let mut active: emulator_object::ActiveModel = row.into();
    active.body = sea_orm::Set(body.to_string());
    sea_orm::ActiveModelTrait::update(active, env.db()).await.unwrap();
    let read = env.state.stripe.retrieve_session(&session.session_id).await.unwrap();
    assert_eq!(read.status, fullstack_ws::infra::stripe::SessionStatus::Expired);
    wait_for(20, "the expiry event", || async {
        let events = payment_event::Entity::find().all(env.db()).await.unwrap();
        events.into_iter().find(|e| e.event_type == "checkout.session.expired").map(|_| ())
    })
    .await;
    // Unknown session: Stripe's 404, which the shop shows as "not found".
    let missing = env.state.stripe.retrieve_session("cs_test_nothing").await.unwrap_err();
    assert!(matches!(missing, fullstack_ws::infra::stripe::GatewayError::Rejected { status: 404, .. }));
}

async fn rest_checkout_and_invoice_are_for_the_owner(backend: Backend) {
    let env = TestEnv::served(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    let product = common::product_by_slug(env.db(), "ember-house-blend").await.id;
    let put = send(
        &env,
        common::json_request(
            "PUT",
            &format!("/api/v1/cart/lines/{product}"),
            None,
            Some(json!({"quantity": 2})),
        ),
    )
    .await;
    let cookie = put.session_cookie().expect("a session");
    let ship = serde_json::to_value(shipping()).unwrap();
    let placed = send(&env, common::json_request("POST", "/api/v1/orders", Some(&cookie), Some(ship))).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    let id = placed.json()["id"].as_i64().unwrap();

    let started = send(
        &env,
        common::json_request("POST", &format!("/api/v1/orders/{id}/checkout"), Some(&cookie), None),
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let started = started.json();
    assert!(started["checkout_url"].as_str().unwrap().contains("/_stripe/pay/cs_test_"));
    assert!(started["session_id"].as_str().unwrap().starts_with("cs_test_"));
    let stranger =
        send(&env, common::json_request("POST", &format!("/api/v1/orders/{id}/checkout"), None, None)).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);

    let pdf = send(
        &env,
        Request::get(format!("/api/v1/orders/{id}/invoice.pdf"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    let nobody =
        send(&env, Request::get(format!("/api/v1/orders/{id}/invoice.pdf")).body(Body::empty()).unwrap())
            .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    // Cancelling closes the open session in the background.
    let cancel =
        send(&env, common::json_request("POST", &format!("/api/v1/orders/{id}/cancel"), Some(&cookie), None))
            .await;
    assert_eq!(cancel.status, StatusCode::OK);
    let workers = Workers::start(env.state.jobs.clone(), 1);
    let session = started["session_id"].as_str().unwrap().to_owned();
    wait_for(20, "the session to be expired", || async {
        let facts = env.state.stripe.retrieve_session(&session).await.unwrap();
        (facts.status == fullstack_ws::infra::stripe::SessionStatus::Expired).then_some(())
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
    let openapi = send(&env, Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await.json();
    assert!(openapi["paths"]["/api/v1/orders/{id}/checkout"].is_object());
    assert!(openapi["paths"]["/api/v1/orders/{id}/invoice.pdf"].is_object());
}

async fn invoice_mail_reaches_smtp_with_a_readable_pdf(backend: Backend) {
    let (port, messages) = common::start_smtp_sink();
    let smtp = format!("smtp://127.0.0.1:{port}");
    let env = TestEnv::new(backend, &[("SMTP_URL", &smtp)]).await;
    let o = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_mail",
        "checkout.session.completed",
        session_object(o.id, "cs_m", o.total.amount, "usd", true),
    )
    .await;
    let workers = Workers::start(env.state.jobs.clone(), 1);
    let id = payment_event::Entity::find().one(env.db()).await.unwrap().unwrap().id;
    jobs::process_payment_later(&env.state.jobs, id).await;
    let raw = wait_for(20, "the payment mail over SMTP", || async {
        let all = messages.lock().unwrap();
        all.iter().find(|m| String::from_utf8_lossy(m).contains("Payment received")).cloned()
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let pdf = parsed
        .attachments()
        .find(|a| a.attachment_name() == Some(format!("invoice-{}.pdf", o.id).as_str()))
        .expect("the invoice is attached");
    let path = env.dir.path().join("invoice.pdf");
    std::fs::write(&path, pdf.contents()).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "INVOICE",
        "PAID",
        "Grace Hopper",
        "1 Navy Way",
        "Ember House Blend",
        "Sencha Asahi",
        "Coupon WELCOME10 (10% off)",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the invoice:\n{text}");
    }
    for money in [o.subtotal.to_string(), format!("-{}", o.discount), o.total.to_string()] {
        assert!(text.contains(&money), "{money} missing from the invoice:\n{text}");
    }
}

on_both_backends!(
    webhook_refuses_bad_signatures_stale_timestamps_and_garbage,
    five_deliveries_pay_once_and_mail_once,
    every_event_type_has_its_effect,
    late_and_out_of_order_events_never_undo_a_state,
    reconciler_recovers_an_event_whose_job_was_lost,
    racing_workers_apply_one_event_once,
    emulator_pipeline_through_async_stripe,
    emulator_speaks_stripe_errors_and_idempotency,
    rest_checkout_and_invoice_are_for_the_owner,
    invoice_mail_reaches_smtp_with_a_readable_pdf,
);
