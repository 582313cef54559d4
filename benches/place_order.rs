//! Order placement under load: 32 concurrent shoppers, each filling a cart (1–3 random
//! products) and placing an order, over and over, on SQLite and on PostgreSQL.
//! Prints throughput and latency percentiles of `Place order` (the one transaction that
//! reserves stock, writes the order and its mail, and empties the cart).
//!
//!     cargo bench --features ssr --bench place_order
//!     (env: ORDERS_PER_SHOPPER, default 25; TEST_POSTGRES_URL for the PostgreSQL server)

mod support;

use fullstack_ws::entities::product;
use fullstack_ws::infra::db;
use fullstack_ws::models::Shipping;
use fullstack_ws::services::cart::{self, Shopper};
use fullstack_ws::services::orders::{self, MailSettings};
use fullstack_ws::services::seed;
use sea_orm::sea_query::Expr;
use sea_orm::{DatabaseConnection, EntityTrait};
use std::time::{Duration, Instant};

const SHOPPERS: usize = 32;

fn shipping(n: usize) -> Shipping {
    Shipping {
        first_name: "Bench".into(),
        last_name: format!("Shopper {n}"),
        email: format!("bench{n}@example.com"),
        address: "1 Load Street".into(),
        postal_code: "10000".into(),
        city: "Throughput".into(),
    }
}

/// A small, dependency-free generator: good enough to pick products.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

async fn run(name: &str, db: DatabaseConnection, per_shopper: usize) {
    db::migrate(&db).await.expect("migrate");
    seed::seed(&db).await.expect("seed");
    // Plenty of stock, so every attempt is a real placement.
    product::Entity::update_many()
        .col_expr(product::Column::Stock, Expr::value(1_000_000))
        .exec(&db)
        .await
        .unwrap();
    let ids: Vec<i64> = product::Entity::find().all(&db).await.unwrap().into_iter().map(|p| p.id).collect();
    let from: lettre::message::Mailbox = "Shop <shop@localhost>".parse().unwrap();

    let started = Instant::now();
    let tasks = (0..SHOPPERS).map(|n| {
        let (db, ids, from) = (db.clone(), ids.clone(), from.clone());
        tokio::spawn(async move {
            let shopper = Shopper::Guest(uuid::Uuid::new_v4());
            let settings = MailSettings { from: &from, site_url: "http://bench" };
            let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ (n as u64 + 1);
            let mut latencies = Vec::with_capacity(per_shopper);
            for _ in 0..per_shopper {
                for _ in 0..=(next(&mut rng) % 3) {
                    let id = ids[(next(&mut rng) % ids.len() as u64) as usize];
                    // A product already in the cart at its limit is fine to skip.
                    let _ = cart::add(&db, &shopper, id, 1).await;
                }
                let key = uuid::Uuid::new_v4().to_string();
                let t = Instant::now();
                orders::place(&db, &shopper, &shipping(n), &key, &settings).await.expect("order placed");
                latencies.push(t.elapsed());
            }
            latencies
        })
    });
    let mut latencies: Vec<Duration> =
        futures::future::join_all(tasks).await.into_iter().flat_map(|r| r.expect("task")).collect();
    let wall = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<10} {:>5} orders  {:>7.1} orders/s (cart filling included)  place_order p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        latencies.len(),
        latencies.len() as f64 / wall.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(*latencies.last().unwrap()),
    );
}

fn main() {
    let per_shopper: usize =
        std::env::var("ORDERS_PER_SHOPPER").ok().and_then(|v| v.parse().ok()).unwrap_or(25);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        println!("{SHOPPERS} concurrent shoppers, {per_shopper} orders each");
        let dir = temp_dir::TempDir::new().unwrap();
        let sqlite =
            db::connect(&format!("sqlite://{}/bench.db?mode=rwc", dir.path().display())).await.unwrap();
        run("SQLite", sqlite, per_shopper).await;

        let scratch = support::ScratchPostgres::create().await;
        let pg = db::connect(&scratch.url).await.unwrap();
        run("PostgreSQL", pg.clone(), per_shopper).await;
        pg.close().await.ok();
        scratch.drop_database().await;
    });
}
