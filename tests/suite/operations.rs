//! What operators see: `/metrics` (request latencies by route template, the queue by task
//! type, payment events, mail, the pool), who may read it, and `/readyz` failing while
//! the job queue is stuck. SQLite and PostgreSQL.

use crate::common::{self, get, send, send_from, wait_for, Backend, TestEnv};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use fullstack_ws::jobs::{send_mail, Workers};
use fullstack_ws::services::{mail::Email, payments, seed};
use sea_orm::{ConnectionTrait, Statement};

const TOKEN: &str = "operator-token-0123456789-abcdefghij";

fn email() -> Email {
    Email {
        to: "ops@example.com".into(),
        subject: "Hello".into(),
        text: "Hello.".into(),
        html: "<p>Hello.</p>".into(),
        attachments: vec![],
        invoice_of: None,
    }
}

fn metrics_request(bearer: Option<&str>) -> Request<Body> {
    let mut req = Request::get("/metrics");
    if let Some(token) = bearer {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    req.body(Body::empty()).unwrap()
}

/// The value of the sample whose line starts with `series` (name and labels).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn metrics_tell_operators_what_is_happening(backend: Backend) {
    let env = TestEnv::new(backend, &[("METRICS_TOKEN", TOKEN)]).await;
    seed::seed(env.db()).await.unwrap();
    let product = common::product_by_slug(env.db(), "ember-house-blend").await;
    assert_eq!(get(&env, &format!("/product/{}/{}", product.id, product.slug)).await.status, StatusCode::OK);
    // No workers run here: what is queued stays queued.
    send_mail(&env.state.jobs, &email()).await.unwrap();
    let payload = serde_json::json!({"id": "evt_ops_1", "type": "charge.refunded", "data": {"object": {}}});
    payments::record_event(env.db(), "evt_ops_1", "charge.refunded", &payload.to_string()).await.unwrap();

    let scraped = send(&env, metrics_request(None)).await;
    assert_eq!(scraped.status, StatusCode::OK, "loopback reads the metrics: {}", scraped.body);
    assert!(scraped.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = &scraped.body;
    assert!(
        text.lines().any(|l| l.starts_with("shop_http_request_duration_seconds_bucket{")
            && l.contains(r#"route="/product/{id}/{slug}""#)),
        "request latency by route template:\n{text}"
    );
    assert!(!text.contains(&product.slug), "no series names a concrete path");
    assert_eq!(sample(text, r#"shop_jobs_waiting{task_type="SendMail"}"#), Some(1.0), "{text}");
    assert_eq!(sample(text, r#"shop_jobs_waiting{task_type="ProcessPaymentEvent"}"#), Some(1.0), "{text}");
    assert!(sample(text, r#"shop_jobs_oldest_due_seconds{task_type="SendMail"}"#).is_some());
    assert_eq!(sample(text, "shop_mails_pending"), Some(1.0));
    assert_eq!(sample(text, "shop_payment_events_received"), Some(1.0));
    assert_eq!(sample(text, "shop_payment_events_applied"), Some(0.0));
    assert_eq!(sample(text, "shop_payment_events_lagging"), Some(1.0));
    assert!(sample(text, r#"shop_db_pool_connections{state="max"}"#).is_some_and(|max| max >= 1.0));

    // From elsewhere: only with the token.
    let outside: std::net::IpAddr = "203.0.113.7".parse().unwrap();
    assert_eq!(send_from(&env, outside, metrics_request(None)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send_from(&env, outside, metrics_request(Some("wrong"))).await.status, StatusCode::FORBIDDEN);
    let with_token = send_from(&env, outside, metrics_request(Some(TOKEN))).await;
    assert_eq!(with_token.status, StatusCode::OK);
    assert!(with_token.body.contains("shop_mails_pending 1"));
}

async fn metrics_are_loopback_only_without_a_token(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let outside: std::net::IpAddr = "198.51.100.4".parse().unwrap();
    let refused =
        send_from(&env, outside, metrics_request(Some("anything-at-all-0123456789-abcdefgh"))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("METRICS_TOKEN"), "says how to get in: {}", refused.body);
    assert_eq!(send(&env, metrics_request(None)).await.status, StatusCode::OK);
}

async fn readiness_fails_while_the_queue_is_stuck(backend: Backend) {
    let env = TestEnv::new(backend, &[("QUEUE_STUCK_SECONDS", "30")]).await;
    send_mail(&env.state.jobs, &email()).await.unwrap();
    let ready = get(&env, "/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "a task queued just now is not stuck: {}", ready.body);

    // The task has waited an hour: no worker is taking work.
    let db = env.db();
    let an_hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
    db.execute(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE fang_tasks SET scheduled_at = $1",
        [an_hour_ago.into()],
    ))
    .await
    .unwrap();
    let stuck = get(&env, "/readyz").await;
    assert_eq!(stuck.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(stuck.body, "not ready: job queue stuck (SendMail)");

    // A worker comes back and drains it: ready again.
    let workers = Workers::start(env.state.jobs.clone(), 1);
    wait_for(20, "the queue to drain", || async {
        (get(&env, "/readyz").await.status == StatusCode::OK).then_some(())
    })
    .await;
    workers.shutdown(std::time::Duration::from_secs(5)).await;
}

/// Housekeeping's retention: a guest cart idle past twice the guest session's lifetime
/// goes (with its lines), as do failed tasks after 30 days, mail sent 30 days ago and
/// finished effect claims after a day; fresh ones, unsent mail, and account carts however
/// old, stay.
async fn retention_forgets_what_nobody_can_reach(backend: Backend) {
    use fullstack_ws::entities::{cart, cart_line, effect_claim, outbox_mail};
    use fullstack_ws::services::{accounts, cart::Shopper, retention};
    use sea_orm::{EntityTrait, PaginatorTrait, Set};
    let env = TestEnv::new(backend, &[]).await;
    let db = env.db();
    seed::seed(db).await.unwrap();
    let product = common::product_by_slug(db, "ember-house-blend").await;
    let registered =
        accounts::register(db, "Ada", "ada@example.com", "a long passphrase", None, Default::default())
            .await
            .unwrap();
    let accounts::Registered::Created(user) = registered else { panic!("a new account") };
    let (old_guest, new_guest) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    for shopper in [Shopper::Guest(old_guest), Shopper::Guest(new_guest), Shopper::User(user.id)] {
        fullstack_ws::services::cart::set_quantity(db, &shopper, product.id, 2).await.unwrap();
    }
    let now = chrono::Utc::now();
    let long_ago = now - chrono::Duration::days(45);
    let backend = db.get_database_backend();
    // Idle 45 days: past 2 × 14 for the guest; the account's cart is kept however old.
    db.execute(Statement::from_sql_and_values(
        backend,
        "UPDATE carts SET updated_at = $1 WHERE guest_id = $2 OR user_id IS NOT NULL",
        [long_ago.into(), old_guest.to_string().into()],
    ))
    .await
    .unwrap();
    // Three tasks: failed long ago, failed just now, still waiting since long ago.
    for _ in 0..3 {
        send_mail(&env.state.jobs, &email()).await.unwrap();
    }
    let rows = db.query_all(Statement::from_string(backend, "SELECT id FROM fang_tasks")).await.unwrap();
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.try_get("", "id").unwrap()).collect();
    assert_eq!(ids.len(), 3);
    for (id, state, at) in [(ids[0], "failed", long_ago), (ids[1], "failed", now), (ids[2], "new", long_ago)]
    {
        let sql = format!("UPDATE fang_tasks SET state = '{state}', updated_at = $1 WHERE id = $2");
        db.execute(Statement::from_sql_and_values(backend, sql, [at.into(), id.into()])).await.unwrap();
    }
    // Their mails: sent 45 days ago, sent just now, not sent (kept however old).
    let mails = outbox_mail::Entity::find().all(db).await.unwrap();
    assert_eq!(mails.len(), 3);
    for (mail, sent_at) in mails.iter().zip([Some(long_ago), Some(now), None]) {
        let sql = "UPDATE outbox_mail SET sent_at = $1, created_at = $2 WHERE id = $3";
        let values = [sent_at.into(), long_ago.into(), mail.id.into()];
        db.execute(Statement::from_sql_and_values(backend, sql, values)).await.unwrap();
    }
    // Claims: finished two days ago, finished just now, still held.
    for (key, done_at) in
        [("mail:old", Some(now - chrono::Duration::days(2))), ("mail:new", Some(now)), ("mail:held", None)]
    {
        effect_claim::Entity::insert(effect_claim::ActiveModel {
            key: Set(key.into()),
            claimed_at: Set(long_ago),
            done_at: Set(done_at),
        })
        .exec(db)
        .await
        .unwrap();
    }

    let gone = retention::forget_expired(db, now, 14).await.unwrap();
    assert_eq!(gone, retention::Forgotten { guest_carts: 1, failed_tasks: 1, done_claims: 1, sent_mails: 1 });
    let carts = cart::Entity::find().all(db).await.unwrap();
    let owners: Vec<_> = carts.iter().map(|c| (c.guest_id.clone(), c.user_id)).collect();
    assert_eq!(carts.len(), 2, "{owners:?}");
    assert!(
        carts.iter().all(|c| c.guest_id.as_deref() != Some(old_guest.to_string().as_str())),
        "{owners:?}"
    );
    assert_eq!(
        cart_line::Entity::find().count(db).await.unwrap(),
        2,
        "the forgotten cart's lines go with it"
    );
    let rows = db.query_all(Statement::from_string(backend, "SELECT id FROM fang_tasks")).await.unwrap();
    let mut left: Vec<uuid::Uuid> = rows.iter().map(|r| r.try_get("", "id").unwrap()).collect();
    left.sort();
    let mut kept = vec![ids[1], ids[2]];
    kept.sort();
    assert_eq!(left, kept, "the recent failure and the waiting task stay");
    let mut claims: Vec<String> =
        effect_claim::Entity::find().all(db).await.unwrap().into_iter().map(|c| c.key).collect();
    claims.sort();
    assert_eq!(claims, ["mail:held", "mail:new"]);
    let mut kept: Vec<_> =
        outbox_mail::Entity::find().all(db).await.unwrap().into_iter().map(|m| m.id).collect();
    kept.sort();
    let mut expected = vec![mails[1].id, mails[2].id];
    expected.sort();
    assert_eq!(kept, expected, "the mail sent just now and the unsent one stay");
    assert_eq!(retention::forget_expired(db, now, 14).await.unwrap(), Default::default(), "idempotent");
}

on_both_backends!(
    metrics_tell_operators_what_is_happening,
    metrics_are_loopback_only_without_a_token,
    readiness_fails_while_the_queue_is_stuck,
    retention_forgets_what_nobody_can_reach,
);
