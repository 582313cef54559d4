//! Webhook → order *paid*: a running server (HTTP on a local port, WORKERS in-process job
//! workers, default 2) receives 1,000 signed `checkout.session.completed` events for 1,000 unpaid
//! orders. Each event's latency runs from just before its POST to the order's `paid_at`
//! (written by the worker that processed it). Two runs per database:
//!   - paced: events at a steady RATE per second, for latency as a shop sees it;
//!   - burst: all events as fast as 16 senders can post, for throughput.
//!
//! The "payment received" mail (PDF invoice included) is written to the outbox in the
//! paying transaction and delivered by its own job, which runs on the same workers.
//!
//!     cargo bench --features ssr --bench webhook
//!     (env: EVENTS, default 1000; RATE, default 200; WORKERS, default 2; TEST_POSTGRES_URL)

mod support;

use chrono::{DateTime, Utc};
use fullstack_ws::app::server;
use fullstack_ws::entities::{order, order_line};
use fullstack_ws::infra::config::Config;
use fullstack_ws::jobs::Workers;
use fullstack_ws::services::seed;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const TOTAL: i64 = 4_250;

/// Creates `n` unpaid orders of one line each, directly in the database.
async fn orders(db: &sea_orm::DatabaseConnection, n: usize) -> Vec<i64> {
    seed::seed(db).await.unwrap();
    let product = fullstack_ws::entities::product::Entity::find().one(db).await.unwrap().unwrap();
    let now = Utc::now();
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(200) {
        let rows = chunk.iter().map(|i| order::ActiveModel {
            status: Set(fullstack_ws::models::OrderStatus::Created),
            email: Set(format!("bench{i}@example.com")),
            first_name: Set("Bench".into()),
            last_name: Set(format!("Buyer {i}")),
            address: Set("1 Load Street".into()),
            postal_code: Set("10000".into()),
            city: Set("Throughput".into()),
            subtotal: Set(TOTAL),
            discount: Set(0),
            total: Set(TOTAL),
            currency: Set("usd".into()),
            idempotency_key: Set(uuid::Uuid::new_v4().to_string()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        order::Entity::insert_many(rows).exec_without_returning(db).await.unwrap();
    }
    for o in order::Entity::find().all(db).await.unwrap() {
        ids.push(o.id);
    }
    let lines = ids.iter().map(|id| order_line::ActiveModel {
        order_id: Set(*id),
        product_id: Set(product.id),
        product_name: Set(product.name.clone()),
        unit_price: Set(TOTAL),
        quantity: Set(1),
        line_total: Set(TOTAL),
        ..Default::default()
    });
    for chunk in lines.collect::<Vec<_>>().chunks(200) {
        order_line::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await.unwrap();
    }
    ids
}

/// Transactions so far on PostgreSQL (SQLite keeps no count): all committed ones, reads
/// included (its statistics), and those that wrote (the transaction ids handed out, as
/// only a writing transaction takes one).
async fn commits(db: &sea_orm::DatabaseConnection) -> Option<(i64, i64)> {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return None;
    }
    let sql = "SELECT xact_commit, pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next_xid \
               FROM pg_stat_database WHERE datname = current_database()";
    let row = db.query_one(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await.unwrap()?;
    Some((row.try_get::<i64>("", "xact_commit").ok()?, row.try_get::<i64>("", "next_xid").ok()?))
}

fn event(order_id: i64) -> String {
    serde_json::json!({
        "id": format!("evt_bench_{order_id}"), "object": "event", "type": "checkout.session.completed",
        "created": Utc::now().timestamp(), "livemode": false, "pending_webhooks": 1,
        "data": {"object": {
            "id": format!("cs_bench_{order_id}"), "object": "checkout.session", "status": "complete",
            "payment_status": "paid", "amount_total": TOTAL, "currency": "usd",
            "client_reference_id": order_id.to_string(), "metadata": {"order_id": order_id.to_string()},
            "payment_intent": format!("pi_bench_{order_id}")}}
    })
    .to_string()
}

/// Posts one event per order (paced at `rate`/s, or as fast as possible when `None`)
/// and prints latency percentiles and throughput.
async fn run(label: &str, database_url: &str, events: usize, rate: Option<u32>, workers: u32) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let dir = temp_dir::TempDir::new().unwrap();
    let vars: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", database_url.to_owned()),
        ("LEPTOS_SITE_ADDR", addr.to_string()),
        ("MAIL_DIR", dir.path().join("mail").display().to_string()),
        ("WORKERS", workers.to_string()),
        ("RUST_LOG", "warn".into()),
    ]);
    let config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    let state = server::build_state(config).await.unwrap();
    let db = state.db.clone();
    let ids = orders(&db, events).await;
    let stripe = state.stripe.clone();
    let workers = Workers::start(state.jobs.clone(), workers);
    let app = server::router(state, server::page_routes())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let serving = tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{addr}/payment/webhook");
    let client = reqwest::Client::new();

    let commits_before = commits(&db).await;
    let started = Instant::now();
    let started_at = Utc::now();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, DateTime<Utc>, Duration)>();
    let senders = 16;
    let per = ids.len().div_ceil(senders);
    let tasks: Vec<_> = ids
        .chunks(per)
        .enumerate()
        .map(|(s, chunk)| {
            let (chunk, client, url, stripe, tx) =
                (chunk.to_vec(), client.clone(), url.clone(), stripe.clone(), tx.clone());
            tokio::spawn(async move {
                for (i, id) in chunk.into_iter().enumerate() {
                    if let Some(rate) = rate {
                        // Event k of the whole run goes out at k / rate seconds.
                        let k = (i * senders + s) as f64;
                        let due = started + Duration::from_secs_f64(k / f64::from(rate));
                        tokio::time::sleep_until(due.into()).await;
                    }
                    let payload = event(id);
                    let signature = stripe.sign(&payload, Utc::now().timestamp());
                    let sent_at = Utc::now();
                    let t = Instant::now();
                    let res = client
                        .post(&url)
                        .header("stripe-signature", signature)
                        .body(payload)
                        .send()
                        .await
                        .unwrap();
                    assert!(res.status().is_success(), "webhook answered {}", res.status());
                    tx.send((id, sent_at, t.elapsed())).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    for t in tasks {
        t.await.unwrap();
    }
    let mut sent = HashMap::new();
    let mut acks = Vec::new();
    while let Some((id, at, ack)) = rx.recv().await {
        sent.insert(id, at);
        acks.push(ack);
    }
    // Wait until every order is paid.
    let paid = loop {
        let rows = order::Entity::find().filter(order::Column::Status.eq("paid")).all(&db).await.unwrap();
        if rows.len() == ids.len() {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut latencies: Vec<f64> = paid
        .iter()
        .map(|o| (o.paid_at.unwrap() - sent[&o.id]).num_microseconds().unwrap() as f64 / 1000.0)
        .collect();
    latencies.sort_by(f64::total_cmp);
    acks.sort();
    let last_paid = paid.iter().filter_map(|o| o.paid_at).max().unwrap();
    let span = (last_paid - started_at).num_milliseconds() as f64 / 1000.0;
    let pct = |v: &[f64], p: f64| v[((v.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    let ack_ms: Vec<f64> = acks.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    // Every transaction the run committed (reads, polls and idle claims too) per event,
    // once each mail is delivered; PostgreSQL only (SQLite keeps no count).
    let per_event = match commits_before {
        Some(before) => {
            loop {
                let sent = fullstack_ws::entities::outbox_mail::Entity::find()
                    .filter(fullstack_ws::entities::outbox_mail::Column::SentAt.is_not_null())
                    .count(&db)
                    .await
                    .unwrap();
                if sent as usize >= ids.len() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            // Idle backends report their counts within 10 s.
            tokio::time::sleep(Duration::from_secs(11)).await;
            let after = commits(&db).await.unwrap();
            let n = ids.len() as f64;
            format!(
                "  {:.1} commits/event, {:.1} of them writing",
                (after.0 - before.0) as f64 / n,
                (after.1 - before.1) as f64 / n
            )
        }
        None => String::new(),
    };
    println!(
        "{label:<22} {:>5} events  {:>6.1} paid/s  webhook→paid p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms  (2xx answer p50 {:>5.1} ms p99 {:>6.1} ms){per_event}",
        latencies.len(),
        latencies.len() as f64 / span,
        pct(&latencies, 0.50),
        pct(&latencies, 0.99),
        latencies.last().unwrap(),
        pct(&ack_ms, 0.50),
        pct(&ack_ms, 0.99),
    );
    workers.shutdown(Duration::from_secs(10)).await;
    serving.abort();
    db.close().await.ok();
}

fn main() {
    let events: usize = std::env::var("EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let rate: u32 = std::env::var("RATE").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let workers: u32 = std::env::var("WORKERS").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        println!("{events} signed events per run; {workers} job workers; paced runs at {rate} events/s");
        for (mode, pace) in [("paced", Some(rate)), ("burst", None)] {
            let dir = temp_dir::TempDir::new().unwrap();
            let sqlite = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
            run(&format!("SQLite {mode}"), &sqlite, events, pace, workers).await;
            let scratch = support::ScratchPostgres::create().await;
            run(&format!("PostgreSQL {mode}"), &scratch.url, events, pace, workers).await;
            scratch.drop_database().await;
        }
    });
}
