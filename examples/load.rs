//! Mixed shopper traffic against a running shop (`scripts/load`, `scripts/soak`): pages,
//! REST, server functions and cart writes, each shopper with its own session and client
//! address (the server must trust loopback as a proxy: `TRUSTED_PROXIES=127.0.0.1`).
//! Every request counts as finished only when its whole body arrived within the time-out.
//!
//! Two modes, by environment:
//! - `REQUESTS=100000 CONNECTIONS=64`: as fast as it goes; prints status classes,
//!   unfinished responses, latency percentiles.
//! - `RATE=200 DURATION_SECONDS=600 CHECKOUT_EVERY=50`: a steady rate for a while, with a whole
//!   checkout (order, session, payment through the emulator) every N requests; samples
//!   the server's memory, sockets and database every `SAMPLE_SECONDS` (needs
//!   `SERVER_PID`, and `DATABASE_URL` for the database figures).
//!
//! `BASE` is the shop's URL. Exits 1 on any 5xx or unfinished response.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    client_errors: AtomicU64,
    server_errors: AtomicU64,
    unfinished: AtomicU64,
    checkouts: AtomicU64,
    failed_checkouts: AtomicU64,
    latencies_us: Mutex<Vec<u32>>,
    errors: Mutex<Vec<String>>,
}

impl Tally {
    fn record(&self, what: &str, started: Instant, outcome: Result<reqwest::StatusCode, String>) {
        self.latencies_us.lock().unwrap().push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
        match outcome {
            Ok(s) if s.is_server_error() => {
                self.server_errors.fetch_add(1, Relaxed);
                self.note(format!("{what}: {s}"));
            }
            Ok(s) if s.is_client_error() => {
                self.client_errors.fetch_add(1, Relaxed);
                self.note(format!("{what}: {s}"));
            }
            Ok(_) => {
                self.ok.fetch_add(1, Relaxed);
            }
            Err(e) => {
                self.unfinished.fetch_add(1, Relaxed);
                self.note(format!("{what}: {e}"));
            }
        }
    }

    fn note(&self, e: String) {
        let mut errors = self.errors.lock().unwrap();
        if errors.len() < 20 {
            errors.push(e);
        }
    }
}

/// The path of the shop's server function `name` (`/api/list_products…`), as registered.
fn server_fn(name: &str) -> String {
    let prefix = format!("/api/{name}");
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .find(|path| path.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no server function {name}"))
        .to_owned()
}

/// One shopper: a session cookie and a client address of its own.
struct Shopper {
    client: reqwest::Client,
    base: String,
    ip: String,
    cookie: Option<String>,
}

enum Body {
    Empty,
    Json(Value),
    Form(String),
}

impl Shopper {
    async fn call(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Body,
    ) -> Result<(reqwest::StatusCode, String), String> {
        let url = if path.starts_with("http") { path.to_owned() } else { format!("{}{path}", self.base) };
        // Reads ask for compression as a browser does (the body is not decoded here, only
        // received whole); writes are read back, so they come plain.
        let compressed = method == reqwest::Method::GET;
        let mut req = self.client.request(method, url).header("x-forwarded-for", &self.ip);
        if compressed {
            req = req.header("accept-encoding", "br, gzip");
        }
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        req = match body {
            Body::Empty => req,
            Body::Json(v) => req
                .header("accept", "application/json")
                .header("content-type", "application/json")
                .body(v.to_string()),
            Body::Form(f) => req.header("content-type", "application/x-www-form-urlencoded").body(f),
        };
        let res = req.send().await.map_err(|e| e.to_string())?;
        if let Some(set) = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()) {
            self.cookie = set.split(';').next().map(str::to_owned);
        }
        let status = res.status();
        // Finished means the whole body arrived.
        let text = res.text().await.map_err(|e| format!("body: {e}"))?;
        Ok((status, text))
    }

    /// Request number `n` of the mix.
    async fn step(&mut self, n: u64, products: &[(i64, String)], tally: &Tally) {
        let (id, slug) = &products[(n as usize / 11) % products.len()];
        let (what, method, path, body): (&str, _, String, Body) = match n % 10 {
            0 => ("home page", reqwest::Method::GET, "/".into(), Body::Empty),
            1 => ("product page", reqwest::Method::GET, format!("/product/{id}/{slug}"), Body::Empty),
            2 => ("category page", reqwest::Method::GET, "/category/coffee".into(), Body::Empty),
            3 => ("REST products", reqwest::Method::GET, "/api/v1/products?per_page=24".into(), Body::Empty),
            4 => ("REST product", reqwest::Method::GET, format!("/api/v1/products/{id}"), Body::Empty),
            5 => ("REST cart", reqwest::Method::GET, "/api/v1/cart".into(), Body::Empty),
            6 => (
                "server fn list_products",
                reqwest::Method::POST,
                server_fn("list_products"),
                Body::Json(json!({"raw": {"category": "coffee"}})),
            ),
            7 => (
                "server fn get_categories",
                reqwest::Method::POST,
                server_fn("get_categories"),
                Body::Form(String::new()),
            ),
            8 => (
                "server fn search_suggestions",
                reqwest::Method::POST,
                server_fn("search_suggestions"),
                Body::Form("text=cof".into()),
            ),
            _ if n % 20 == 9 => (
                "server fn add_to_cart",
                reqwest::Method::POST,
                server_fn("add_to_cart"),
                Body::Form(format!("product_id={id}&quantity=1")),
            ),
            _ => (
                "server fn get_cart",
                reqwest::Method::POST,
                server_fn("get_cart"),
                Body::Form(String::new()),
            ),
        };
        let started = Instant::now();
        let outcome = self.call(method, &path, body).await.map(|(s, _)| s);
        tally.record(what, started, outcome);
    }

    /// A whole checkout: cart, order, Stripe session, payment on the emulator's page.
    async fn checkout(&mut self, product: i64, tally: &Tally) {
        let shipping = json!({"first_name": "Soak", "last_name": "Test", "email": "soak@example.com",
            "address": "1 Long Road", "postal_code": "12345", "city": "Steady"});
        let put = format!("/api/v1/cart/lines/{product}");
        let steps = async {
            let (s, _) = self.call(reqwest::Method::PUT, &put, Body::Json(json!({"quantity": 1}))).await?;
            tally.record("checkout: cart", Instant::now(), Ok(s));
            let (s, order) = self.call(reqwest::Method::POST, "/api/v1/orders", Body::Json(shipping)).await?;
            tally.record("checkout: order", Instant::now(), Ok(s));
            let id = serde_json::from_str::<Value>(&order)
                .ok()
                .and_then(|o| o["id"].as_i64())
                .ok_or(format!("order: {s}"))?;
            let (s, started) = self
                .call(reqwest::Method::POST, &format!("/api/v1/orders/{id}/checkout"), Body::Empty)
                .await?;
            tally.record("checkout: session", Instant::now(), Ok(s));
            let url = serde_json::from_str::<Value>(&started)
                .ok()
                .and_then(|v| v["checkout_url"].as_str().map(str::to_owned))
                .ok_or(format!("checkout: {s}"))?;
            let (s, _) =
                self.call(reqwest::Method::POST, &url, Body::Form("card=4242424242424242".into())).await?;
            tally.record(
                "checkout: pay",
                Instant::now(),
                Ok(if s == reqwest::StatusCode::SEE_OTHER { reqwest::StatusCode::OK } else { s }),
            );
            Ok::<_, String>(())
        };
        match steps.await {
            Ok(()) => {
                tally.checkouts.fetch_add(1, Relaxed);
            }
            // Each step's status is already counted; this says where the checkout stopped.
            Err(e) => {
                tally.failed_checkouts.fetch_add(1, Relaxed);
                tally.note(format!("checkout stopped: {e}"));
            }
        }
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize] as f64 / 1000.0
}

/// The server's resident memory (MiB) and open sockets.
fn process_figures(pid: u32) -> Option<(f64, usize)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kb: f64 =
        status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    let sockets = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .ok()?
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count();
    Some((rss_kb / 1024.0, sockets))
}

async fn database_figures(db: &sea_orm::DatabaseConnection) -> String {
    let backend = db.get_database_backend();
    let mut parts = Vec::new();
    let size_sql = match backend {
        sea_orm::DbBackend::Postgres => "SELECT CAST(pg_database_size(current_database()) AS BIGINT)",
        _ => "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
    };
    if let Ok(Some(row)) = db.query_one(Statement::from_string(backend, size_sql)).await {
        if let Ok(bytes) = row.try_get_by_index::<i64>(0) {
            parts.push(format!("{:.1} MiB", bytes as f64 / 1048576.0));
        }
    }
    let tables = ["sessions", "carts", "rate_limits", "fang_tasks", "outbox_mail", "effect_claims", "orders"];
    for table in tables {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        if let Ok(Some(row)) = db.query_one(Statement::from_string(backend, sql)).await {
            parts.push(format!("{table} {}", row.try_get_by_index::<i64>(0).unwrap_or(-1)));
        }
    }
    parts.join(", ")
}

#[tokio::main]
async fn main() {
    let base = std::env::var("BASE").expect("BASE: the shop's URL");
    let connections: u64 = env_or("CONNECTIONS", 64);
    let rate: u64 = env_or("RATE", 0);
    let requests: u64 =
        if rate > 0 { rate * env_or::<u64>("DURATION_SECONDS", 600) } else { env_or("REQUESTS", 100_000) };
    let checkout_every: u64 = env_or("CHECKOUT_EVERY", 0);
    let timeout = Duration::from_secs(env_or("TIMEOUT_SECONDS", 30));
    // One client, and so one kept-alive connection, per simulated connection: the server
    // sees exactly `connections` of them, however the load is spread.
    let one_connection = || {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(1)
            .timeout(timeout)
            .build()
            .unwrap()
    };
    let client = one_connection();
    let listing = client.get(format!("{base}/api/v1/products?per_page=48")).send().await.unwrap();
    let listing: Value = serde_json::from_str(&listing.text().await.unwrap()).unwrap();
    let products: Arc<Vec<(i64, String)>> = Arc::new(
        listing["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in_stock"] != false)
            .map(|p| (p["id"].as_i64().unwrap(), p["slug"].as_str().unwrap().to_owned()))
            .collect(),
    );
    // A soak buys for minutes: stock for all of it (RESTOCK=1, with DATABASE_URL).
    if std::env::var("RESTOCK").is_ok_and(|v| v == "1") {
        let url = std::env::var("DATABASE_URL").expect("RESTOCK needs DATABASE_URL");
        let db = fullstack_ws::infra::db::connect(&url).await.unwrap();
        db.execute_unprepared("UPDATE products SET stock = 1000000").await.unwrap();
    }
    let tally = Arc::new(Tally::default());
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let per_connection_interval =
        (rate > 0).then(|| Duration::from_secs_f64(connections as f64 / rate as f64));

    // Samples of the server and the database while the traffic runs (soak mode).
    let samples = Arc::new(Mutex::new(Vec::<(f64, f64, usize)>::new()));
    let sampler = std::env::var("SERVER_PID").ok().and_then(|p| p.parse::<u32>().ok()).map(|pid| {
        let every = Duration::from_secs(env_or("SAMPLE_SECONDS", 30));
        let database_url = std::env::var("DATABASE_URL").ok();
        let (tally, samples) = (tally.clone(), samples.clone());
        tokio::spawn(async move {
            let db = match database_url {
                Some(url) => fullstack_ws::infra::db::connect(&url).await.ok(),
                None => None,
            };
            println!("| at | requests | RSS MiB | sockets | database |\n| --- | --- | --- | --- | --- |");
            loop {
                let (rss, sockets) = process_figures(pid).unwrap_or((0.0, 0));
                let database = match &db {
                    Some(db) => database_figures(db).await,
                    None => String::new(),
                };
                let done = tally.latencies_us.lock().unwrap().len();
                samples.lock().unwrap().push((started.elapsed().as_secs_f64(), rss, sockets));
                println!(
                    "| {:.0} s | {done} | {rss:.1} | {sockets} | {database} |",
                    started.elapsed().as_secs_f64()
                );
                tokio::time::sleep(every).await;
            }
        })
    });

    let mut handles = Vec::new();
    for c in 0..connections {
        let (client, base, tally, next, products) =
            (one_connection(), base.clone(), tally.clone(), next.clone(), products.clone());
        handles.push(tokio::spawn(async move {
            let mut shopper = Shopper { client, base, ip: String::new(), cookie: None };
            let mut tick = per_connection_interval.map(|i| {
                let mut t = tokio::time::interval(i);
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                t
            });
            loop {
                let n = next.fetch_add(1, Relaxed);
                if n >= requests {
                    break;
                }
                if let Some(t) = tick.as_mut() {
                    t.tick().await;
                }
                // A new shopper (session, address) every 50 requests on this connection.
                if shopper.ip.is_empty() || n % 50 == c % 50 {
                    shopper.cookie = None;
                    shopper.ip = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
                }
                if checkout_every > 0 && n % checkout_every == 0 {
                    // A checkout is a new shopper of its own, so no rate limit meets it.
                    shopper.cookie = None;
                    shopper.ip = format!("11.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
                    let product = products[(n as usize) % products.len()].0;
                    shopper.checkout(product, &tally).await;
                } else {
                    shopper.step(n, &products, &tally).await;
                }
            }
        }));
    }
    for h in handles {
        let _ = h.await;
    }
    let elapsed = started.elapsed();
    if let Some(s) = sampler {
        s.abort();
    }
    let mut lat = std::mem::take(&mut *tally.latencies_us.lock().unwrap());
    lat.sort_unstable();
    let total = lat.len();
    println!("\n| figure | value |\n| --- | --- |");
    println!(
        "| requests (connections: {connections}{}) | {total} |",
        if rate > 0 { format!(", target {rate} req/s") } else { String::new() }
    );
    println!("| time | {:.1} s |", elapsed.as_secs_f64());
    println!("| requests/s | {:.0} |", total as f64 / elapsed.as_secs_f64());
    println!("| 2xx/3xx | {} |", tally.ok.load(Relaxed));
    println!("| 4xx | {} |", tally.client_errors.load(Relaxed));
    println!("| 5xx | {} |", tally.server_errors.load(Relaxed));
    println!(
        "| unfinished (no whole answer within {} s) | {} |",
        timeout.as_secs(),
        tally.unfinished.load(Relaxed)
    );
    if checkout_every > 0 {
        println!("| checkouts paid | {} |", tally.checkouts.load(Relaxed));
        println!("| checkouts that stopped short | {} |", tally.failed_checkouts.load(Relaxed));
    }
    println!(
        "| latency p50 / p99 / max | {:.1} / {:.1} / {:.1} ms |",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    );
    // Flat after warm-up: every sample after the first minute within ±10 % of their mean.
    let warm: Vec<(f64, f64, usize)> =
        samples.lock().unwrap().iter().copied().filter(|s| s.0 >= 60.0).collect();
    if !warm.is_empty() {
        let spread = |values: Vec<f64>| {
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
            (lo, hi, 100.0 * (hi - mean).max(mean - lo) / mean.max(1e-9))
        };
        let (lo, hi, rss_dev) = spread(warm.iter().map(|s| s.1).collect());
        println!("| RSS after the first minute | {lo:.1}–{hi:.1} MiB (±{rss_dev:.1} % of the mean) |");
        let (lo, hi, sock_dev) = spread(warm.iter().map(|s| s.2 as f64).collect());
        println!("| open sockets after the first minute | {lo:.0}–{hi:.0} (±{sock_dev:.1} %) |");
    }
    let errors = tally.errors.lock().unwrap();
    if !errors.is_empty() {
        eprintln!("first errors: {errors:#?}");
    }
    let failures = tally.server_errors.load(Relaxed)
        + tally.unfinished.load(Relaxed)
        + tally.client_errors.load(Relaxed)
        + tally.failed_checkouts.load(Relaxed);
    if failures > 0 {
        std::process::exit(1);
    }
}
