//! Finding things at shop scale, on SQLite and PostgreSQL: the shopper's search (full
//! text, typo fallback, suggestions, filters) over 10,000 products with varied words,
//! through the same service the pages and REST use, and what counting co-purchases adds
//! to the transaction that marks an order paid. Prints p50 and p99 of many runs.
//!
//!     cargo bench --features ssr --bench search
//!     (env: PRODUCTS, default 10000; RUNS, default 200; TEST_POSTGRES_URL)

mod support;

use fullstack_ws::infra::db;
use fullstack_ws::models::lang::Locale;
use fullstack_ws::models::{ProductQuery, RawProductQuery};
use fullstack_ws::services::{catalog, recommendations, search, seed};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use std::time::{Duration, Instant};

const ADJECTIVES: &[&str] = &[
    "smoky", "bright", "floral", "nutty", "velvet", "golden", "wild", "classic", "single", "organic",
    "roasted", "spiced", "honeyed", "citrus", "dark", "mellow", "rustic", "silky", "bold", "gentle",
];
const NOUNS: &[&str] = &[
    "coffee",
    "tea",
    "kettle",
    "grinder",
    "mug",
    "dripper",
    "teapot",
    "biscotti",
    "chocolate",
    "tumbler",
    "scale",
    "filter",
    "blend",
    "oolong",
    "matcha",
    "espresso",
    "cup",
    "press",
    "bowl",
    "tin",
];
const PLACES: &[&str] = &[
    "Kenya",
    "Colombia",
    "Sumatra",
    "Darjeeling",
    "Kyoto",
    "Yunnan",
    "Guatemala",
    "Ceylon",
    "Assam",
    "Huila",
];

async fn fill(db: &DatabaseConnection, products: usize) {
    db::migrate(db).await.unwrap();
    seed::seed(db).await.unwrap();
    let categories: Vec<i64> = db
        .query_all(Statement::from_string(db.get_database_backend(), "SELECT id FROM categories"))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<i64>("", "id").unwrap())
        .collect();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
    let rows: Vec<String> = (0..products)
        .map(|i| {
            let word = |list: &[&'static str], k: usize| -> &'static str { list[(i * k + i / list.len()) % list.len()] };
            let name = format!("{} {} {} {i}", PLACES[i % PLACES.len()], word(ADJECTIVES, 7), word(NOUNS, 3));
            let description = format!(
                "A {} {} with {} notes, made for {} mornings.",
                word(ADJECTIVES, 11),
                word(NOUNS, 13),
                word(ADJECTIVES, 17),
                word(ADJECTIVES, 5)
            );
            format!(
                "({}, '{name}', 'bench-{i}', '{description}', {}, 'usd', '', {}, {}, FALSE, '{now}', '{now}')",
                categories[i % categories.len()],
                100 + (i * 37) % 20_000,
                if i % 10 == 0 { "FALSE" } else { "TRUE" },
                i % 50,
            )
        })
        .collect();
    let txn = db.begin().await.unwrap();
    for chunk in rows.chunks(1000) {
        txn.execute_unprepared(&format!(
            "INSERT INTO products (category_id, name, slug, description, price, currency, image, available, stock, archived, created_at, updated_at) VALUES {}",
            chunk.join(",")
        ))
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
    let t = Instant::now();
    search::rebuild(db).await.unwrap();
    println!(
        "  index rebuilt ({} products × 2 languages) in {:.2} s",
        products + 48,
        t.elapsed().as_secs_f64()
    );
    db.execute_unprepared("ANALYZE").await.unwrap();
}

/// p50 and p99 of `runs` calls.
async fn percentiles<F, Fut, T>(runs: usize, f: F) -> (Duration, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let times = support::timed(runs, f).await;
    (times[runs / 2], times[(runs * 99 / 100).min(runs - 1)])
}

use support::ms;

fn query(pairs: &[(&str, &str)]) -> ProductQuery {
    ProductQuery::parse(&RawProductQuery::from_pairs(pairs.iter().copied())).unwrap()
}

async fn run(name: &str, db: DatabaseConnection, products: usize, runs: usize) {
    println!("\n{name}: {products} products");
    fill(&db, products).await;
    let cases: Vec<(&str, ProductQuery)> = vec![
        ("common word \"coffee\" (best match)", query(&[("q", "coffee")])),
        ("two words \"smoky kettle\"", query(&[("q", "smoky kettle")])),
        ("rare word \"yunnan\", page 3", query(&[("q", "yunnan"), ("page", "3")])),
        ("stemmed \"grinders\"", query(&[("q", "grinders")])),
        ("typo \"espreso\" (similar words)", query(&[("q", "espreso")])),
        ("no match \"zzyzx\"", query(&[("q", "zzyzx")])),
        (
            "\"tea\" ≤ $20, in stock, by price",
            query(&[("q", "tea"), ("max_price", "20"), ("in_stock", "true"), ("sort", "price_asc")]),
        ),
        ("no text, newest (for comparison)", query(&[])),
    ];
    println!("  {:<46}{:>12}{:>12}{:>9}", "search (first page of 12)", "p50", "p99", "total");
    for (label, q) in &cases {
        let total = catalog::list_products(&db, q, Locale::en).await.unwrap().page.total;
        let (p50, p99) = percentiles(runs, || catalog::list_products(&db, q, Locale::en)).await;
        println!("  {label:<46}{}{}{total:>9}", ms(p50), ms(p99));
    }
    for (label, text) in [("suggestions \"gri\"", "gri"), ("suggestions \"kyoto mat\"", "kyoto mat")] {
        let (p50, p99) = percentiles(runs, || catalog::suggest(&db, text, Locale::en, 6)).await;
        println!("  {label:<46}{}{}", ms(p50), ms(p99));
    }
    let (p50, p99) = {
        let tazas = query(&[("q", "tazas")]);
        percentiles(runs, || catalog::list_products(&db, &tazas, Locale::es)).await
    };
    println!("  {:<46}{}{}", "Spanish \"tazas\"", ms(p50), ms(p99));

    // Co-purchases: the paid transaction's extra work for a 3-product order, measured
    // as the same transaction with and without it.
    let order_ids: Vec<i64> = {
        let txn = db.begin().await.unwrap();
        let first: i64 = txn
            .query_one(Statement::from_string(
                db.get_database_backend(),
                "SELECT MIN(id) AS id FROM products",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "id")
            .unwrap();
        let mut ids = Vec::new();
        for i in 0..runs as i64 {
            let row = txn
                .query_one(Statement::from_string(
                    db.get_database_backend(),
                    format!(
                        "INSERT INTO orders (status, email, first_name, last_name, address, postal_code, city, subtotal, discount, total, currency, idempotency_key, created_at, updated_at, checkout_attempts, refund_due, locale) \
                         VALUES ('paid', 'b@example.com', 'B', 'B', 'A', '1', 'C', 300, 0, 300, 'usd', 'bench-co-{i}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0, FALSE, 'en') RETURNING id"
                    ),
                ))
                .await
                .unwrap()
                .unwrap();
            let id: i64 = row.try_get("", "id").unwrap();
            for k in 0..3 {
                let p = first + (i * 17 + k * 101) % products as i64;
                txn.execute_unprepared(&format!(
                    "INSERT INTO order_lines (order_id, product_id, product_name, unit_price, quantity, line_total) VALUES ({id}, {p}, 'x', 100, 1, 100)"
                ))
                .await
                .unwrap();
            }
            ids.push(id);
        }
        txn.commit().await.unwrap();
        ids
    };
    let paid = |with_co_purchases: bool| {
        let mut next = order_ids.iter();
        let db = db.clone();
        move || {
            let id = *next.next().unwrap();
            let db = db.clone();
            async move {
                let txn = db::begin_write(&db).await.unwrap();
                txn.execute_unprepared(&format!(
                    "UPDATE orders SET updated_at = CURRENT_TIMESTAMP WHERE id = {id}"
                ))
                .await
                .unwrap();
                if with_co_purchases {
                    recommendations::count_order(&txn, id, 1).await.unwrap();
                }
                txn.commit().await.unwrap();
            }
        }
    };
    let (with_p50, with_p99) = percentiles(runs, paid(true)).await;
    let (without_p50, without_p99) = percentiles(runs, paid(false)).await;
    println!(
        "  {:<46}{}{}   (the same transaction without it: {} / {})",
        "paid transaction + co-purchases (3 products)",
        ms(with_p50),
        ms(with_p99),
        ms(without_p50).trim(),
        ms(without_p99).trim()
    );
}

fn main() {
    let products = support::env_count("PRODUCTS", 10_000);
    let runs = support::env_count("RUNS", 200).max(10);
    support::on_both_databases(|name, db| run(name, db, products, runs));
}
