//! The chaos run (`scripts/chaos`): several shop processes on one database, shoppers
//! placing and paying orders through the Stripe emulator, and faults on top, all at
//! once. At the end it reconciles the database with the emulator's records and the mail
//! that reached the SMTP server, prints a table of checks and figures, and exits 1 if a
//! check failed.
//!
//! - Processes: `fullstack-ws serve` (no in-process workers) behind a front that spreads
//!   requests across them, plus separate `fullstack-ws worker` processes.
//! - Faults: every webhook is delivered 1–5 times, shuffled and delayed; workers are
//!   killed with SIGKILL mid-traffic and started again; PostgreSQL is restarted once;
//!   the SMTP server stops answering for a while; 200 buyers race for the last 10 units.
//!
//! Loopback only; bounded in time; stops by itself. Environment:
//! `CHAOS_BACKEND` (postgres | sqlite), `BIN` (the shop binary), `SHOPPERS` (1000),
//! `ARRIVALS_SECONDS` (60: shoppers arrive evenly over this window), `SMTP_OUTAGE_SECONDS`
//! (60), `KILLS` (4), `RACERS` (200), `PG_ADMIN_URL` (postgres://postgres@127.0.0.1:5432/test).

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use fullstack_ws::entities::{emulator_object, order, order_line, outbox_mail, payment_event, product};
use rand::Rng;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Statement,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

#[path = "../tests/suite/common/smtp.rs"]
mod smtp;

const PAID_CARD: &str = "4242424242424242";
const DECLINED_CARD: &str = "4000000000000002";
const RACE_STOCK: i32 = 10;

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn say(msg: impl std::fmt::Display) {
    eprintln!("\x1b[1;34m==>\x1b[0m {msg}");
}

// ---------------------------------------------------------------------------------------
// The SMTP server, and a gate in front of it that can take it away.

/// Forwards `port` to the SMTP server while `open` is true. Closed, it cuts every
/// connection it carried (pooled ones too) and answers nothing: new connections are
/// taken and held in silence until it opens again, as a hung server would, so a worker
/// is caught mid-delivery until its SMTP time-out.
async fn smtp_gate(port: u16, upstream: u16, open: watch::Receiver<bool>) {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("gate port");
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else { continue };
        let mut state = open.clone();
        tokio::spawn(async move {
            if !*state.borrow() {
                // Silence until the server is back, then hang up.
                let _ = state.wait_for(|o| *o).await;
                return;
            }
            let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", upstream)).await else { return };
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                _ = state.wait_for(|o| !*o) => {}
            }
        });
    }
}

fn message_id(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let headers = text.split("\r\n\r\n").next()?;
    let mut lines = headers.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(value) =
            line.get(..11).filter(|h| h.eq_ignore_ascii_case("message-id:")).map(|_| &line[11..])
        {
            let mut value = value.trim().to_owned();
            while lines.peek().is_some_and(|l| l.starts_with([' ', '\t'])) {
                value.push_str(lines.next().unwrap().trim());
            }
            return Some(value);
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// The front: spreads requests over the servers, and plays Stripe's webhook delivery.

#[derive(Default)]
struct FrontStats {
    events: AtomicU64,
    copies: AtomicU64,
    delivered: AtomicU64,
    rejected: AtomicU64,
    pending: AtomicU64,
}

#[derive(Clone)]
struct Front {
    servers: Arc<Vec<String>>,
    client: reqwest::Client,
    next: Arc<AtomicUsize>,
    stats: Arc<FrontStats>,
}

impl Front {
    fn server(&self) -> &str {
        &self.servers[self.next.fetch_add(1, Relaxed) % self.servers.len()]
    }
}

async fn front(
    State(front): State<Front>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method == Method::POST && uri.path() == "/payment/webhook" {
        // Taken like Stripe takes an event: answered at once, then delivered 1–5 times,
        // each copy after its own delay (so copies of different events interleave), each
        // retried until a server answers 2xx.
        front.stats.events.fetch_add(1, Relaxed);
        let copies = rand::thread_rng().gen_range(1..=5);
        for _ in 0..copies {
            front.stats.copies.fetch_add(1, Relaxed);
            front.stats.pending.fetch_add(1, Relaxed);
            let (front, headers, body) = (front.clone(), headers.clone(), body.clone());
            tokio::spawn(async move {
                let delay = rand::thread_rng().gen_range(0..3000);
                tokio::time::sleep(Duration::from_millis(delay)).await;
                let mut wait = Duration::from_millis(250);
                for _ in 0..120 {
                    let sent = front
                        .client
                        .post(format!("{}/payment/webhook", front.server()))
                        .header("stripe-signature", headers.get("stripe-signature").cloned().unwrap())
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await;
                    match sent.map(|r| r.status()) {
                        Ok(s) if s.is_success() => {
                            front.stats.delivered.fetch_add(1, Relaxed);
                            break;
                        }
                        Ok(s) if s.is_client_error() => {
                            front.stats.rejected.fetch_add(1, Relaxed);
                            break;
                        }
                        _ => {}
                    }
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(4));
                }
                front.stats.pending.fetch_sub(1, Relaxed);
            });
        }
        return StatusCode::OK.into_response();
    }
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut req = front.client.request(method, format!("{}{path}", front.server())).body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            req = req.header(name, value);
        }
    }
    match req.send().await {
        Ok(res) => {
            let mut out = Response::builder().status(res.status());
            for (name, value) in res.headers() {
                if name != "transfer-encoding" && name != "connection" && name != "content-length" {
                    out = out.header(name, value);
                }
            }
            out.body(Body::from(res.bytes().await.unwrap_or_default())).unwrap()
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// The shop's processes.

struct Proc {
    name: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    child: Option<Child>,
    log: PathBuf,
}

impl Proc {
    fn start(&mut self, bin: &str) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let child = Command::new(bin)
            .args(&self.args)
            .envs(self.env.iter().cloned())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", self.name));
        self.child = Some(child);
    }

    /// SIGKILL: no chance to finish or put anything back.
    fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then SIGKILL if it has not stopped within 20 s.
    async fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            for _ in 0..200 {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn wait_ready(client: &reqwest::Client, base: &str, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                return Some(started.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

// ---------------------------------------------------------------------------------------
// Shoppers.

#[derive(Default)]
struct ShopStats {
    placed: AtomicU64,
    paid: AtomicU64,
    declined_first: AtomicU64,
    abandoned: AtomicU64,
    sold_out: AtomicU64,
    gave_up: AtomicU64,
    retries: AtomicU64,
}

struct Shopper<'a> {
    client: &'a reqwest::Client,
    base: &'a str,
    ip: String,
    cookie: Option<String>,
    stats: &'a ShopStats,
}

enum Payload<'a> {
    None,
    Json(Value),
    Form(&'a [(&'a str, &'a str)]),
}

impl Shopper<'_> {
    /// Sends one request, again after a transport error or a 5xx (the faults make both),
    /// for up to about two minutes.
    async fn send(
        &mut self,
        method: Method,
        url: &str,
        payload: Payload<'_>,
        key: Option<&str>,
    ) -> Result<(StatusCode, String), String> {
        let url = if url.starts_with("http") { url.to_owned() } else { format!("{}{url}", self.base) };
        let mut wait = Duration::from_millis(200);
        for attempt in 0..40 {
            if attempt > 0 {
                self.stats.retries.fetch_add(1, Relaxed);
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(4));
            }
            let mut req = self.client.request(method.clone(), &url).header("x-forwarded-for", &self.ip);
            if let Some(c) = &self.cookie {
                req = req.header("cookie", c);
            }
            if let Some(k) = key {
                req = req.header("idempotency-key", k);
            }
            req = match &payload {
                Payload::None => req,
                Payload::Json(v) => req.header("content-type", "application/json").body(v.to_string()),
                Payload::Form(f) => req.form(f),
            };
            let Ok(res) = req.send().await else { continue };
            if let Some(set) = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()) {
                self.cookie = set.split(';').next().map(str::to_owned);
            }
            let status = res.status();
            if status.is_server_error() {
                continue;
            }
            return Ok((status, res.text().await.unwrap_or_default()));
        }
        self.stats.gave_up.fetch_add(1, Relaxed);
        Err(format!("{method} {url}: no answer without a server error"))
    }

    /// Buys `quantity` of `product`: cart, order, checkout session, payment (after a
    /// declined card first when `decline_first`); `pay: false` abandons at the payment page.
    async fn buy(
        &mut self,
        product: i64,
        quantity: i64,
        decline_first: bool,
        pay: bool,
    ) -> Result<(), String> {
        let (s, body) = self
            .send(
                Method::PUT,
                &format!("/api/v1/cart/lines/{product}"),
                Payload::Json(json!({"quantity": quantity})),
                None,
            )
            .await?;
        // 422 on the quantity: the product sold out before it reached the cart.
        if s == StatusCode::UNPROCESSABLE_ENTITY && body.contains("\"quantity\"") {
            self.stats.sold_out.fetch_add(1, Relaxed);
            return Ok(());
        }
        if s != StatusCode::OK {
            return Err(format!("cart: {s} {body}"));
        }
        let key = uuid::Uuid::new_v4().to_string();
        let shipping = json!({"first_name": "Chaos", "last_name": "Monkey", "email": format!("{}@example.com", self.ip.replace('.', "-")),
            "address": "1 Fault Lane", "postal_code": "12345", "city": "Resilience"});
        let (s, body) =
            self.send(Method::POST, "/api/v1/orders", Payload::Json(shipping), Some(&key)).await?;
        if s == StatusCode::CONFLICT {
            self.stats.sold_out.fetch_add(1, Relaxed);
            return Ok(());
        }
        if !s.is_success() {
            return Err(format!("order: {s} {body}"));
        }
        self.stats.placed.fetch_add(1, Relaxed);
        let order: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
        let id = order["id"].as_i64().ok_or("order without id")?;
        let (s, body) =
            self.send(Method::POST, &format!("/api/v1/orders/{id}/checkout"), Payload::None, None).await?;
        if s != StatusCode::OK {
            return Err(format!("checkout: {s} {body}"));
        }
        let started: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
        let url = started["checkout_url"].as_str().ok_or("no checkout_url")?.to_owned();
        if !pay {
            self.stats.abandoned.fetch_add(1, Relaxed);
            return Ok(());
        }
        if decline_first {
            let (s, _) =
                self.send(Method::POST, &url, Payload::Form(&[("card", DECLINED_CARD)]), None).await?;
            if s != StatusCode::PAYMENT_REQUIRED {
                return Err(format!("declined card answered {s}"));
            }
            self.stats.declined_first.fetch_add(1, Relaxed);
        }
        let (s, body) = self.send(Method::POST, &url, Payload::Form(&[("card", PAID_CARD)]), None).await?;
        // 409: an earlier attempt went through but its answer was lost.
        if s == StatusCode::SEE_OTHER || s == StatusCode::CONFLICT {
            self.stats.paid.fetch_add(1, Relaxed);
            Ok(())
        } else {
            Err(format!("pay: {s} {}", body.chars().take(200).collect::<String>()))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Reading the database.

async fn count(db: &DatabaseConnection, sql: &str) -> Option<i64> {
    count_since(db, sql, None).await
}

/// A `COUNT(*)`, with `$1` bound to `at` when given (bound, not formatted, so the
/// comparison matches how each database stores timestamps).
async fn count_since(
    db: &DatabaseConnection,
    sql: &str,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<i64> {
    let backend = db.get_database_backend();
    let statement = match at {
        Some(at) => Statement::from_sql_and_values(backend, sql, [at.into()]),
        None => Statement::from_string(backend, sql),
    };
    let row = db.query_one(statement).await.ok()??;
    row.try_get_by_index::<i64>(0).ok()
}

/// Polls a count of rows at or before `at` every 250 ms until it is 0; the time it took.
async fn until_zero(
    db: DatabaseConnection,
    sql: &'static str,
    at: chrono::DateTime<chrono::Utc>,
    within: Duration,
) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        if count_since(&db, sql, Some(at)).await == Some(0) {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    None
}

// ---------------------------------------------------------------------------------------

struct Check {
    what: String,
    ok: bool,
    detail: String,
}

#[tokio::main]
async fn main() {
    let backend = std::env::var("CHAOS_BACKEND").unwrap_or_else(|_| "postgres".into());
    let bin = std::env::var("BIN").unwrap_or_else(|_| "target/debug/fullstack-ws".into());
    let shoppers: usize = env_or("SHOPPERS", 1000);
    let arrivals = Duration::from_secs(env_or("ARRIVALS_SECONDS", 60));
    let outage = Duration::from_secs(env_or("SMTP_OUTAGE_SECONDS", 60));
    let kills: usize = env_or("KILLS", 4);
    let racers: usize = env_or("RACERS", 200);
    let postgres = backend == "postgres";
    let run_dir = PathBuf::from(format!("target/chaos/{backend}"));
    let _ = std::fs::remove_dir_all(&run_dir);
    std::fs::create_dir_all(&run_dir).unwrap();

    let database_url = if postgres {
        let admin_url = std::env::var("PG_ADMIN_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let admin = fullstack_ws::infra::db::connect(&admin_url).await.expect("PostgreSQL");
        admin.execute_unprepared("DROP DATABASE IF EXISTS shop_chaos WITH (FORCE)").await.unwrap();
        admin.execute_unprepared("CREATE DATABASE shop_chaos").await.unwrap();
        admin.close().await.unwrap();
        let base = admin_url.rsplit_once('/').unwrap().0.to_owned();
        format!("{base}/shop_chaos")
    } else {
        format!("sqlite://{}/shop.db?mode=rwc", std::fs::canonicalize(&run_dir).unwrap().display())
    };

    let (smtp_port, mailbox) = smtp::start_smtp_sink();
    let gate_port = free_port();
    let (smtp_open, gate_rx) = watch::channel(true);
    tokio::spawn(smtp_gate(gate_port, smtp_port, gate_rx));

    let front_port = free_port();
    let site = format!("http://127.0.0.1:{front_port}");
    let servers: Vec<u16> = (0..if postgres { 2 } else { 1 }).map(|_| free_port()).collect();
    let common_env = |extra: &[(&str, String)]| {
        let mut env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), database_url.clone()),
            ("SITE_URL".into(), site.clone()),
            ("SMTP_URL".into(), format!("smtp://127.0.0.1:{gate_port}")),
            ("TRUSTED_PROXIES".into(), "127.0.0.1".into()),
            ("JOB_LEASE_SECONDS".into(), "30".into()),
            ("HOUSEKEEPING_SECONDS".into(), "2".into()),
            ("SEED_DEMO".into(), "false".into()),
            ("RUST_LOG".into(), "warn,fullstack_ws=info".into()),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
        env
    };
    let mut procs: Vec<Proc> = servers
        .iter()
        .enumerate()
        .map(|(i, port)| Proc {
            name: format!("server {}", i + 1),
            args: vec!["serve".into()],
            env: common_env(&[("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}")), ("WORKERS", "0".into())]),
            child: None,
            log: run_dir.join(format!("server-{}.log", i + 1)),
        })
        .collect();
    let worker_count = if postgres { 2 } else { 1 };
    for i in 0..worker_count {
        procs.push(Proc {
            name: format!("worker {}", i + 1),
            args: vec!["worker".into()],
            env: common_env(&[("WORKERS", "2".into())]),
            child: None,
            log: run_dir.join(format!("worker-{}.log", i + 1)),
        });
    }

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    // The first server migrates the empty database before anything else starts.
    say(format!("{backend}: starting {} servers and {worker_count} worker processes", servers.len()));
    procs[0].start(&bin);
    let first = format!("http://127.0.0.1:{}", servers[0]);
    wait_ready(&client, &first, Duration::from_secs(120)).await.expect("first server ready");
    let db = fullstack_ws::infra::db::connect(&database_url).await.unwrap();
    fullstack_ws::services::seed::seed(&db).await.expect("seed");
    for p in procs.iter_mut().skip(1) {
        p.start(&bin);
    }
    for port in &servers[1..] {
        wait_ready(&client, &format!("http://127.0.0.1:{port}"), Duration::from_secs(120))
            .await
            .expect("ready");
    }

    // Plenty of stock everywhere but one product, which has the last 10 units.
    let products: Vec<product::Model> = product::Entity::find().all(&db).await.unwrap();
    let race = products[0].id;
    db.execute_unprepared(&format!(
        "UPDATE products SET stock = 100000, available = true, archived = false WHERE id <> {race}"
    ))
    .await
    .unwrap();
    db.execute_unprepared(&format!(
        "UPDATE products SET stock = {RACE_STOCK}, available = true, archived = false WHERE id = {race}"
    ))
    .await
    .unwrap();
    let others: Vec<i64> = products[1..].iter().map(|p| p.id).collect();

    let front_state = Front {
        servers: Arc::new(servers.iter().map(|p| format!("http://127.0.0.1:{p}")).collect()),
        client: client.clone(),
        next: Arc::new(AtomicUsize::new(0)),
        stats: Arc::new(FrontStats::default()),
    };
    let stats = front_state.stats.clone();
    let app = axum::Router::new().fallback(front).with_state(front_state);
    let listener = TcpListener::bind(("127.0.0.1", front_port)).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Shoppers and racers.
    let shop_stats = Arc::new(ShopStats::default());
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let gate = Arc::new(Semaphore::new(48));
    let started = Instant::now();
    let mut tasks = Vec::new();
    let spacing = arrivals / shoppers.max(1) as u32;
    for i in 0..shoppers + racers {
        let (client, site, stats, failures, gate, others) = (
            client.clone(),
            site.clone(),
            shop_stats.clone(),
            failures.clone(),
            gate.clone(),
            others.clone(),
        );
        let racer = i >= shoppers;
        // Racers all arrive together, a third of the way in.
        let start_at = if racer { arrivals / 3 } else { spacing * i as u32 };
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(tokio::time::Instant::from_std(started + start_at)).await;
            let _permit = gate.acquire().await.unwrap();
            let mut shopper = Shopper {
                client: &client,
                base: &site,
                ip: format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256),
                cookie: None,
                stats: &stats,
            };
            let (product, quantity) =
                if racer { (race, 1) } else { (others[i % others.len()], 1 + (i % 3) as i64) };
            let result = shopper.buy(product, quantity, !racer && i % 10 == 3, racer || i % 20 != 7).await;
            if let Err(e) = result {
                failures.lock().unwrap().push(e);
            }
        }));
    }

    // Faults, on a schedule across the arrivals window.
    let mut recoveries: Vec<(String, Option<Duration>)> = Vec::new();
    let mut pending_checks = Vec::new();
    let outage_at = arrivals / 20;
    let pg_restart_at = arrivals / 2;
    let kill_times: Vec<Duration> =
        (0..kills).map(|k| arrivals * (2 * k as u32 + 1) / (2 * kills.max(1) as u32)).collect();
    let mut events: Vec<(Duration, &str, usize)> =
        vec![(outage_at, "smtp-down", 0), (outage_at + outage, "smtp-up", 0)];
    if postgres {
        events.push((pg_restart_at, "pg-restart", 0));
    }
    for (k, at) in kill_times.iter().enumerate() {
        events.push((*at, "kill", k));
    }
    events.sort_by_key(|e| e.0);
    let worker_base = servers.len();
    for (at, what, k) in events {
        tokio::time::sleep_until(tokio::time::Instant::from_std(started + at)).await;
        match what {
            "smtp-down" => {
                say(format!(
                    "t={:.0}s: the SMTP server stops answering for {}s",
                    at.as_secs_f64(),
                    outage.as_secs()
                ));
                smtp_open.send_replace(false);
            }
            "smtp-up" => {
                say(format!("t={:.0}s: the SMTP server is back", at.as_secs_f64()));
                smtp_open.send_replace(true);
                let sql = "SELECT COUNT(*) FROM outbox_mail WHERE sent_at IS NULL AND created_at <= $1";
                let wait = until_zero(db.clone(), sql, chrono::Utc::now(), Duration::from_secs(600));
                pending_checks.push((
                    "mail queued before the SMTP server came back, all sent".to_owned(),
                    tokio::spawn(wait),
                ));
            }
            "pg-restart" => {
                say(format!("t={:.0}s: restarting PostgreSQL", at.as_secs_f64()));
                let t0 = Instant::now();
                let version = std::fs::read_dir("/etc/postgresql")
                    .ok()
                    .and_then(|mut d| d.next())
                    .and_then(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .unwrap_or_else(|| "15".into());
                let status = Command::new("pg_ctlcluster")
                    .args(["--skip-systemctl-redirect", &version, "main", "restart"])
                    .status()
                    .expect("pg_ctlcluster");
                assert!(status.success(), "pg_ctlcluster restart failed");
                let mut all = Some(Duration::ZERO);
                for port in &servers {
                    let ready =
                        wait_ready(&client, &format!("http://127.0.0.1:{port}"), Duration::from_secs(120))
                            .await;
                    all = all.zip(ready.map(|_| t0.elapsed())).map(|(a, b)| a.max(b));
                }
                recoveries
                    .push(("PostgreSQL restarted (pg_ctlcluster) and every server ready again".into(), all));
            }
            _ => {
                let victim = worker_base + k % worker_count;
                let in_progress = count(&db, "SELECT COUNT(*) FROM fang_tasks WHERE state = 'in_progress'")
                    .await
                    .unwrap_or(-1);
                say(format!(
                    "t={:.0}s: kill -9 {} ({in_progress} tasks in progress)",
                    at.as_secs_f64(),
                    procs[victim].name
                ));
                let killed_at = chrono::Utc::now();
                procs[victim].kill9();
                tokio::time::sleep(Duration::from_secs(1)).await;
                procs[victim].start(&bin);
                let sql = "SELECT COUNT(*) FROM fang_tasks WHERE state = 'in_progress' AND updated_at <= $1";
                pending_checks.push((
                    format!(
                        "kill -9 #{} ({in_progress} in progress): tasks claimed before it finished",
                        k + 1
                    ),
                    tokio::spawn(until_zero(db.clone(), sql, killed_at, Duration::from_secs(600))),
                ));
            }
        }
    }
    for t in tasks {
        let _ = t.await;
    }
    let shopping = started.elapsed();
    say(format!(
        "shoppers done after {:.0}s; waiting for the queue, the mail and the webhooks",
        shopping.as_secs_f64()
    ));
    for (what, handle) in pending_checks {
        recoveries.push((what, handle.await.unwrap()));
    }
    // Quiet: every webhook copy delivered, the queue empty, every mail sent.
    let quiet_started = Instant::now();
    let active = "SELECT COUNT(*) FROM fang_tasks WHERE state IN ('new', 'retried', 'in_progress')";
    loop {
        let busy = stats.pending.load(Relaxed) > 0
            || count(&db, active).await != Some(0)
            || count(&db, "SELECT COUNT(*) FROM outbox_mail WHERE sent_at IS NULL").await != Some(0)
            || count(&db, "SELECT COUNT(*) FROM payment_events WHERE processed_at IS NULL").await != Some(0);
        if !busy || quiet_started.elapsed() > Duration::from_secs(600) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let settled = started.elapsed();

    // ----- Reconciliation, from the database and the emulator's records.
    let mut checks = Vec::new();
    let sessions: Vec<Value> = emulator_object::Entity::find()
        .filter(emulator_object::Column::Kind.eq("checkout.session"))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| serde_json::from_str::<Value>(&o.body).unwrap()["session"].clone())
        .collect();
    let orders: HashMap<i64, order::Model> =
        order::Entity::find().all(&db).await.unwrap().into_iter().map(|o| (o.id, o)).collect();
    let is_paid = |o: &order::Model| o.paid_at.is_some();
    let paid_sessions: Vec<&Value> = sessions.iter().filter(|s| s["payment_status"] == "paid").collect();
    let session_paid: HashSet<&str> = paid_sessions.iter().filter_map(|s| s["id"].as_str()).collect();
    let mut paid_per_order: BTreeMap<i64, usize> = BTreeMap::new();
    let mut not_paid_here = Vec::new();
    for s in &paid_sessions {
        let order_id = s["metadata"]["order_id"].as_str().and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1);
        *paid_per_order.entry(order_id).or_default() += 1;
        match orders.get(&order_id) {
            Some(o) if is_paid(o) && o.checkout_session_id.as_deref() == s["id"].as_str() => {}
            _ => not_paid_here.push(s["id"].to_string()),
        }
    }
    checks.push(Check {
        what: "every paid session → exactly one paid order".into(),
        ok: not_paid_here.is_empty(),
        detail: format!(
            "{} paid sessions; not paid here: {:?}",
            paid_sessions.len(),
            not_paid_here.iter().take(5).collect::<Vec<_>>()
        ),
    });
    let paid_events: Vec<payment_event::Model> = payment_event::Entity::find()
        .filter(payment_event::Column::Outcome.eq("paid"))
        .all(&db)
        .await
        .unwrap();
    let mut applied: BTreeMap<i64, usize> = BTreeMap::new();
    for e in &paid_events {
        *applied.entry(e.order_id.unwrap_or(-1)).or_default() += 1;
    }
    let twice: Vec<_> =
        applied.iter().chain(paid_per_order.iter()).filter(|(_, n)| **n > 1).map(|(id, _)| *id).collect();
    let paid_orders: Vec<&order::Model> = orders.values().filter(|o| is_paid(o)).collect();
    checks.push(Check {
        what: "every order paid at most once".into(),
        ok: twice.is_empty() && applied.len() == paid_orders.len(),
        detail: format!(
            "{} paid orders, {} payments applied; twice: {twice:?}",
            paid_orders.len(),
            paid_events.len()
        ),
    });
    let unbacked: Vec<i64> = paid_orders
        .iter()
        .filter(|o| !o.checkout_session_id.as_deref().is_some_and(|s| session_paid.contains(s)))
        .map(|o| o.id)
        .collect();
    checks.push(Check {
        what: "no order paid whose session was not paid".into(),
        ok: unbacked.is_empty(),
        detail: format!("{unbacked:?}"),
    });

    let outbox: Vec<outbox_mail::Model> = outbox_mail::Entity::find().all(&db).await.unwrap();
    let expected: HashSet<String> = outbox.iter().filter_map(|m| message_id(m.message.as_bytes())).collect();
    let mut received: HashMap<String, usize> = HashMap::new();
    let mailbox = mailbox.lock().unwrap().clone();
    for raw in &mailbox {
        *received.entry(message_id(raw).unwrap_or_default()).or_default() += 1;
    }
    let duplicated = received.values().filter(|n| **n > 1).count();
    let missing = expected.iter().filter(|id| !received.contains_key(*id)).count();
    let strangers = received.keys().filter(|id| !expected.contains(*id)).count();
    checks.push(Check {
        what: "every mail delivered exactly once".into(),
        ok: expected.len() == outbox.len() && missing == 0 && duplicated == 0 && strangers == 0,
        detail: format!(
            "{} in the outbox, {} received; missing {missing}, duplicated {duplicated}, unknown {strangers}",
            outbox.len(),
            mailbox.len()
        ),
    });

    let negative = count(&db, "SELECT COUNT(*) FROM products WHERE stock < 0").await;
    let race_stock = product::Entity::find_by_id(race).one(&db).await.unwrap().map(|p| p.stock).unwrap_or(-1);
    let live_orders: Vec<i64> = orders.values().filter(|o| o.cancelled_at.is_none()).map(|o| o.id).collect();
    let race_units: i64 = order_line::Entity::find()
        .filter(order_line::Column::ProductId.eq(race))
        .filter(order_line::Column::OrderId.is_in(live_orders))
        .all(&db)
        .await
        .unwrap()
        .iter()
        .map(|l| i64::from(l.quantity))
        .sum();
    checks.push(Check {
        what: "0 oversold units".into(),
        ok: negative == Some(0) && race_units <= i64::from(RACE_STOCK) && race_units + i64::from(race_stock) == i64::from(RACE_STOCK),
        detail: format!("{racers} buyers for {RACE_STOCK} units: {race_units} sold, {race_stock} left; products below 0: {negative:?}"),
    });
    let left = count(&db, "SELECT COUNT(*) FROM fang_tasks WHERE state = 'in_progress'").await;
    let failed = count(&db, "SELECT COUNT(*) FROM fang_tasks WHERE state = 'failed'").await;
    let waiting = count(&db, active).await;
    checks.push(Check {
        what: "no task left in_progress".into(),
        ok: left == Some(0) && waiting == Some(0) && failed == Some(0),
        detail: format!("in progress {left:?}, waiting {waiting:?}, failed {failed:?}"),
    });
    let unprocessed = payment_event::Entity::find()
        .filter(payment_event::Column::ProcessedAt.is_null())
        .count(&db)
        .await
        .unwrap();
    let webhook_rejected = stats.rejected.load(Relaxed);
    checks.push(Check {
        what: "every webhook copy accepted and every event processed".into(),
        ok: webhook_rejected == 0 && stats.pending.load(Relaxed) == 0 && unprocessed == 0,
        detail: format!(
            "{} events, {} copies, {} delivered, {webhook_rejected} refused, {unprocessed} unprocessed",
            stats.events.load(Relaxed),
            stats.copies.load(Relaxed),
            stats.delivered.load(Relaxed)
        ),
    });
    let shopper_failures = failures.lock().unwrap().clone();
    checks.push(Check {
        what: "every shopper got an answer".into(),
        ok: shopper_failures.is_empty(),
        detail: format!(
            "{} failures {:?}",
            shopper_failures.len(),
            shopper_failures.iter().take(3).collect::<Vec<_>>()
        ),
    });
    let reconcile =
        Command::new(&bin).args(["reconcile", "--days", "1"]).envs(common_env(&[])).output().unwrap();
    let report = String::from_utf8_lossy(&reconcile.stdout);
    checks.push(Check {
        what: "`fullstack-ws reconcile`: 0 mismatches".into(),
        ok: reconcile.status.success(),
        detail: report.lines().last().unwrap_or_default().to_owned(),
    });

    for p in procs.iter_mut() {
        p.terminate().await;
    }

    // ----- The table.
    let s = &shop_stats;
    let paid = paid_orders.len() as f64;
    println!("\n### Chaos run: {backend}, {} server(s), {worker_count} worker process(es), {shoppers} shoppers + {racers} racers\n", servers.len());
    println!("| check | result | detail |\n| --- | --- | --- |");
    for c in &checks {
        println!(
            "| {} | {} | {} |",
            c.what,
            if c.ok { "pass" } else { "**FAIL**" },
            c.detail.replace('|', "/")
        );
    }
    println!("\n| figure | value |\n| --- | --- |");
    println!(
        "| orders placed / paid / abandoned / sold out | {} / {} / {} / {} |",
        s.placed.load(Relaxed),
        paid,
        s.abandoned.load(Relaxed),
        s.sold_out.load(Relaxed)
    );
    println!("| declined first, then paid | {} |", s.declined_first.load(Relaxed));
    println!(
        "| requests retried by shoppers after a 5xx or a dropped connection | {} |",
        s.retries.load(Relaxed)
    );
    println!("| shopping phase | {:.1} s |", shopping.as_secs_f64());
    println!("| until quiet (queue empty, mail sent, webhooks delivered) | {:.1} s |", settled.as_secs_f64());
    println!("| paid orders/s (shopping phase) | {:.1} |", paid / shopping.as_secs_f64());
    println!(
        "| webhook deliveries/s (until quiet) | {:.1} |",
        stats.delivered.load(Relaxed) as f64 / settled.as_secs_f64()
    );
    println!("| mails delivered | {} |", mailbox.len());
    for (what, took) in &recoveries {
        match took {
            Some(d) => println!("| recovery: {what} | {:.1} s |", d.as_secs_f64()),
            None => println!("| recovery: {what} | **not within 10 min** |"),
        }
    }
    let all_ok = checks.iter().all(|c| c.ok) && recoveries.iter().all(|(_, t)| t.is_some());
    println!();
    if !all_ok {
        eprintln!("chaos run: a check failed (logs in {})", run_dir.display());
        std::process::exit(1);
    }
}
