//! The back office at shop scale: 10,000 products and 100,000 orders (1–3 lines each),
//! on SQLite and PostgreSQL. Times the admin list queries (first, middle and last pages,
//! search, filters, sorts), the dashboard, and the full CSV export, through the same
//! service functions the pages and REST use. Prints the median of several runs.
//!
//!     cargo bench --features ssr --bench admin_lists
//!     (env: PRODUCTS, default 10000; ORDERS, default 100000; TEST_POSTGRES_URL)

mod support;

use fullstack_ws::infra::db;
use fullstack_ws::models::admin::{OrderFilter, ProductFilter};
use fullstack_ws::services::admin::{catalog, dashboard, orders};
use fullstack_ws::services::seed;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::time::{Duration, Instant};

const RUNS: usize = 5;

/// Inserts rows with multi-row INSERTs, `batch` rows per statement, in one transaction.
async fn bulk(db: &DatabaseConnection, head: &str, rows: impl Iterator<Item = String>, batch: usize) {
    use sea_orm::TransactionTrait;
    let rows: Vec<String> = rows.collect();
    let txn = db.begin().await.unwrap();
    for chunk in rows.chunks(batch) {
        txn.execute_unprepared(&format!("{head} VALUES {}", chunk.join(","))).await.unwrap();
    }
    txn.commit().await.unwrap();
}

async fn fill(db: &DatabaseConnection, products: usize, orders_n: usize) {
    db::migrate(db).await.unwrap();
    seed::seed(db).await.unwrap();
    let ts = |days_ago: usize, secs: usize| {
        (chrono::Utc::now()
            - chrono::Duration::days(days_ago as i64)
            - chrono::Duration::seconds(secs as i64))
        // As sqlx writes timestamps to SQLite (they compare as text there).
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
    };
    let categories: Vec<i64> = db
        .query_all(Statement::from_string(db.get_database_backend(), "SELECT id FROM categories"))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<i64>("", "id").unwrap())
        .collect();
    let product_rows = (0..products).map(|i| {
        format!(
            "({}, 'Bench product {i}', 'bench-product-{i}', 'A product for the benchmark.', {}, 'usd', '', {}, {}, FALSE, '{}', '{}')",
            categories[i % categories.len()],
            100 + (i * 37) % 20_000,
            if i % 10 == 0 { "FALSE" } else { "TRUE" },
            i % 50,
            ts(i % 365, i),
            ts(i % 365, i)
        )
    });
    bulk(db, "INSERT INTO products (category_id, name, slug, description, price, currency, image, available, stock, archived, created_at, updated_at)", product_rows, 1000).await;
    let first_product: i64 = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT MIN(id) AS id FROM products WHERE slug LIKE 'bench-%'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();
    let statuses = ["created", "paid", "paid", "paid", "cancelled"];
    let order_rows = (0..orders_n).map(|i| {
        let status = statuses[i % statuses.len()];
        let total = 500 + (i * 131) % 30_000;
        let created = ts((orders_n - i) * 365 / orders_n, 0);
        let paid = if status == "paid" { format!("'{created}'") } else { "NULL".into() };
        format!(
            "(NULL, NULL, '{status}', 'shopper{}@example.com', 'Bench', 'Shopper {i}', '1 Load St', '1000', 'City', {total}, 0, {total}, 'usd', NULL, NULL, 'bench-{i}', '{created}', '{created}', {paid}, NULL, NULL, 0, NULL, FALSE, NULL)",
            i % 5000
        )
    });
    bulk(db, "INSERT INTO orders (guest_id, user_id, status, email, first_name, last_name, address, postal_code, city, subtotal, discount, total, currency, coupon_code, coupon_percent, idempotency_key, created_at, updated_at, paid_at, cancelled_at, checkout_session_id, checkout_attempts, payment_intent_id, refund_due, payment_problem)", order_rows, 1000).await;
    let first_order: i64 = db
        .query_one(Statement::from_string(db.get_database_backend(), "SELECT MIN(id) AS id FROM orders"))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();
    let line_rows = (0..orders_n).flat_map(|i| {
        (0..1 + i % 3).map(move |k| {
            let p = first_product + ((i * 7 + k * 13) % products) as i64;
            format!("({}, {p}, 'Bench product', 250, {}, {})", first_order + i as i64, 1 + k, 250 * (1 + k))
        })
    });
    bulk(
        db,
        "INSERT INTO order_lines (order_id, product_id, product_name, unit_price, quantity, line_total)",
        line_rows,
        1000,
    )
    .await;
    db.execute_unprepared("ANALYZE").await.unwrap();
}

async fn median<F, Fut, T>(f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    support::timed(RUNS, f).await[RUNS / 2]
}

use support::ms;

async fn run(name: &str, db: DatabaseConnection, products: usize, orders_n: usize) {
    let t = Instant::now();
    fill(&db, products, orders_n).await;
    println!("\n{name}: {products} products, {orders_n} orders loaded in {:.1} s", t.elapsed().as_secs_f64());
    let pf = |f: ProductFilter| f;
    let product_cases = [
        ("products: first page (newest)", pf(ProductFilter::default())),
        ("products: page 200", pf(ProductFilter { page: Some(200), ..Default::default() })),
        (
            "products: search \"product 77\"",
            pf(ProductFilter { q: Some("product 77".into()), ..Default::default() }),
        ),
        (
            "products: category + available, by price",
            pf(ProductFilter {
                category_id: Some(2),
                available: Some(true),
                sort: Some("price_asc".into()),
                ..Default::default()
            }),
        ),
        (
            "products: by stock, lowest",
            pf(ProductFilter { sort: Some("stock_asc".into()), ..Default::default() }),
        ),
    ];
    for (label, filter) in product_cases {
        let d = median(|| catalog::list_products(&db, &filter)).await;
        println!("  {label:<46}{}", ms(d));
    }
    let last_page = (orders_n as u32).div_ceil(25);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let month_ago = (chrono::Utc::now() - chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    let order_cases = [
        ("orders: first page (newest)", OrderFilter::default()),
        ("orders: last page", OrderFilter { page: Some(last_page), ..Default::default() }),
        ("orders: status paid", OrderFilter { status: Some("paid".into()), ..Default::default() }),
        (
            "orders: email contains \"shopper42@\"",
            OrderFilter { email: Some("shopper42@".into()), ..Default::default() },
        ),
        (
            "orders: last 30 days, by total",
            OrderFilter {
                from: Some(month_ago),
                to: Some(today),
                sort: Some("total_desc".into()),
                ..Default::default()
            },
        ),
    ];
    for (label, filter) in order_cases {
        let d = median(|| orders::list_orders(&db, &filter)).await;
        println!("  {label:<46}{}", ms(d));
    }
    let d = median(|| dashboard::dashboard(&db, chrono::Utc::now())).await;
    println!("  {:<46}{}", "dashboard", ms(d));
    for (label, filter) in [
        ("CSV export: all orders", OrderFilter::default()),
        (
            "CSV export: paid, by total",
            OrderFilter {
                status: Some("paid".into()),
                sort: Some("total_desc".into()),
                ..Default::default()
            },
        ),
    ] {
        let mut bytes = 0usize;
        let mut rows = 0usize;
        let t = Instant::now();
        let mut export = orders::CsvExport::new(&filter).unwrap();
        let mut first_chunk = None;
        while let Some(chunk) = export.next_chunk(&db).await.unwrap() {
            first_chunk.get_or_insert_with(|| t.elapsed());
            bytes += chunk.len();
            rows += chunk.iter().filter(|b| **b == b'\n').count();
        }
        let took = t.elapsed();
        println!(
            "  {label:<46}{}  ({} rows, {:.1} MB, first chunk after {}, {:.0} rows/s)",
            ms(took),
            rows - 1,
            bytes as f64 / 1e6,
            ms(first_chunk.unwrap_or_default()).trim(),
            (rows - 1) as f64 / took.as_secs_f64()
        );
    }
}

fn main() {
    let products = support::env_count("PRODUCTS", 10_000);
    let orders_n = support::env_count("ORDERS", 100_000);
    support::on_both_databases(|name, db| run(name, db, products, orders_n));
}
