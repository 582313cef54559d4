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

on_both_backends!(
    metrics_tell_operators_what_is_happening,
    metrics_are_loopback_only_without_a_token,
    readiness_fails_while_the_queue_is_stuck,
);
