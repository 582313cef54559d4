//! Full-text search, filters and suggestions, on SQLite and PostgreSQL: the service, the
//! REST API, and the index kept in step with the back office's edits.

use crate::common::{get, product_by_slug, Backend, TestEnv};
use axum::http::StatusCode;
use fullstack_ws::models::lang::Locale;
use fullstack_ws::models::{ProductQuery, Sort};
use fullstack_ws::services::admin::{self, Actor};
use fullstack_ws::services::{catalog, search, seed};
use sea_orm::ConnectionTrait;

async fn seeded(backend: Backend) -> TestEnv {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.expect("seed");
    env
}

fn text(q: &str) -> ProductQuery {
    ProductQuery::parse(&fullstack_ws::models::RawProductQuery { q: Some(q.into()), ..Default::default() })
        .unwrap()
}

async fn names(env: &TestEnv, query: &ProductQuery, locale: Locale) -> (Vec<String>, u64, bool) {
    let found = catalog::list_products(env.db(), query, locale).await.unwrap();
    (found.page.items.into_iter().map(|p| p.name).collect(), found.page.total, found.approximate)
}

async fn words_are_stemmed_and_names_rank_first(backend: Backend) {
    let env = seeded(backend).await;
    // "teas" finds "Tea" (and "tea" finds "teas"): both stem to "tea".
    let (teas, _, approximate) = names(&env, &text("teas"), Locale::en).await;
    assert!(teas.contains(&"Tea Sampler Box".to_string()), "{teas:?}");
    assert!(!approximate);
    // The one product with "tea" in its name comes before those with it in the description.
    let (tea, total, _) = names(&env, &text("tea"), Locale::en).await;
    assert_eq!(tea[0], "Tea Sampler Box", "{tea:?}");
    assert!(total >= 8, "descriptions are searched too: {tea:?}");
    assert!(tea.contains(&"Honey Sticks, 20".to_string()), "{tea:?}");
    // Every word must match; accents and case do not matter.
    let (earl, ..) = names(&env, &text("EARL grey creme"), Locale::en).await;
    assert_eq!(earl, ["Earl Grey Crème"]);
    // No product has both words: nothing matches exactly (similar words may be offered).
    let (none, total, approximate) = names(&env, &text("teapot bergamot"), Locale::en).await;
    assert!(total == 0 || approximate, "{none:?}");
    assert!(!none.contains(&"Glass Teapot with Infuser".to_string()) || approximate, "{none:?}");
    // Punctuation alone searches nothing, and never errs.
    for odd in ["%", "_", "\\", "\"", "'", "*", "(", "NEAR", "a OR b", "-", "^tea"] {
        catalog::list_products(env.db(), &text(odd), Locale::en)
            .await
            .unwrap_or_else(|e| panic!("{odd}: {e}"));
    }
    let (chocolate, ..) = names(&env, &text("72%"), Locale::en).await;
    assert_eq!(chocolate, ["Dark Chocolate 72%"]);
}

async fn a_typo_finds_the_intended_word(backend: Backend) {
    let env = seeded(backend).await;
    let (coffee, total, approximate) = names(&env, &text("cofee"), Locale::en).await;
    assert!(approximate, "nothing is spelled 'cofee': these are similar words");
    assert!(total >= 2, "{coffee:?}");
    assert_eq!(coffee[0], "Coffee Lover's Gift Box", "a name match first: {coffee:?}");
    let (kettle, _, approximate) = names(&env, &text("gooseneck ketle"), Locale::en).await;
    assert!(approximate);
    assert_eq!(kettle[0], "Gooseneck Kettle");
    // Nothing near either: an empty page, not an error.
    let (nothing, total, approximate) = names(&env, &text("zzyzx"), Locale::en).await;
    assert!(nothing.is_empty() && total == 0 && !approximate);
}

async fn spanish_searches_spanish_words(backend: Backend) {
    let env = seeded(backend).await;
    // "cafe" finds "café" (accents folded), "tazas" finds "taza" (Spanish stemming).
    let (cafe, ..) = names(&env, &text("cafe"), Locale::es).await;
    assert!(cafe.contains(&"Caja regalo para amantes del café".to_string()), "{cafe:?}");
    let (tazas, ..) = names(&env, &text("tazas"), Locale::es).await;
    assert!(tazas.contains(&"Caja regalo para amantes del café".to_string()), "{tazas:?}");
    // English words are not in the Spanish index of a translated product.
    let (english, ..) = names(&env, &text("sampler"), Locale::es).await;
    assert!(english.is_empty(), "{english:?}");
}

async fn filters_combine_with_sort_and_pages(backend: Backend) {
    let env = seeded(backend).await;
    let sold_out = product_by_slug(env.db(), "genmaicha").await;
    env.db()
        .execute_unprepared(&format!("UPDATE products SET stock = 0 WHERE id = {}", sold_out.id))
        .await
        .unwrap();
    let query = |pairs: &[(&str, &str)]| {
        ProductQuery::parse(&fullstack_ws::models::RawProductQuery::from_pairs(pairs.iter().copied()))
            .unwrap()
    };
    // Tea under $12, in stock, cheapest first, two per page.
    let base =
        [("q", "tea"), ("max_price", "12"), ("in_stock", "true"), ("sort", "price_asc"), ("per_page", "2")];
    let mut seen = Vec::new();
    let mut total = 0;
    for page in 1..=10 {
        let page_text = page.to_string();
        let mut pairs = base.to_vec();
        pairs.push(("page", &page_text));
        let found = catalog::list_products(env.db(), &query(&pairs), Locale::en).await.unwrap().page;
        total = found.total;
        if found.items.is_empty() {
            break;
        }
        assert!(found.items.len() <= 2);
        seen.extend(found.items);
    }
    assert_eq!(seen.len() as u64, total, "pages cover the total exactly");
    assert!(total >= 3, "{seen:?}");
    assert!(seen.iter().all(|p| p.price.amount <= 1200 && p.in_stock), "{seen:?}");
    assert!(seen.iter().all(|p| p.id != sold_out.id), "sold out is filtered");
    assert!(seen.windows(2).all(|w| w[0].price.amount <= w[1].price.amount), "cheapest first");
    let ids: std::collections::HashSet<i64> = seen.iter().map(|p| p.id).collect();
    assert_eq!(ids.len(), seen.len(), "pages do not overlap");

    // A category and a price floor narrow it further; an empty range finds nothing.
    let found = catalog::list_products(
        env.db(),
        &query(&[("q", "tea"), ("category", "tea"), ("min_price", "11.50")]),
        Locale::en,
    )
    .await
    .unwrap()
    .page;
    assert!(found.total >= 1);
    assert!(found.items.iter().all(|p| p.category_slug == "tea" && p.price.amount >= 1150), "{found:?}");
    let none =
        catalog::list_products(env.db(), &query(&[("min_price", "100000")]), Locale::en).await.unwrap();
    assert_eq!(none.page.total, 0);
    // Without text, sort=relevance is newest.
    let q = query(&[("sort", "relevance")]);
    assert_eq!(q.sort, Sort::Relevance);
    let first = catalog::list_products(env.db(), &q, Locale::en).await.unwrap().page.items;
    assert_eq!(first[0].name, "Tea Sampler Box");
}

async fn rest_search_validates_filters_and_suggests(backend: Backend) {
    let env = seeded(backend).await;
    let ok = get(&env, "/api/v1/products?q=tea&max_price=12.50&in_stock=true&sort=price_desc").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let items = ok.json()["items"].as_array().unwrap().clone();
    assert!(!items.is_empty());
    assert!(items.iter().all(|p| p["price"]["amount"].as_i64().unwrap() <= 1250));
    for bad in [
        "min_price=abc",
        "max_price=-3",
        "min_price=1,5",
        "min_price=20&max_price=10",
        "in_stock=maybe",
        "sort=best",
        "page=0",
    ] {
        let r = get(&env, &format!("/api/v1/products?{bad}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.body);
        assert!(r.json()["error"]["fields"].as_object().is_some_and(|f| !f.is_empty()), "{bad}: {}", r.body);
    }
    // Suggestions: the last word may be unfinished; blank or too long is a 422.
    let s = get(&env, "/api/v1/products/suggestions?q=goosen").await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_eq!(s.json()[0]["name"], "Gooseneck Kettle", "{}", s.body);
    let typo = get(&env, "/api/v1/products/suggestions?q=goseneck").await;
    assert_eq!(typo.json()[0]["name"], "Gooseneck Kettle", "{}", typo.body);
    let many = get(&env, "/api/v1/products/suggestions?q=te").await;
    assert!(many.json().as_array().unwrap().len() <= 6, "{}", many.body);
    for bad in ["", "q=", "q=%20%20", &format!("q={}", "x".repeat(101))] {
        let r = get(&env, &format!("/api/v1/products/suggestions?{bad}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}

async fn the_index_follows_the_back_office(backend: Backend) {
    let env = seeded(backend).await;
    let kettle = product_by_slug(env.db(), "gooseneck-kettle").await;
    fullstack_ws::services::accounts::create_admin(
        env.db(),
        "boss@example.com",
        Some("a long admin password"),
    )
    .await
    .unwrap();
    let boss = {
        use fullstack_ws::entities::user;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        user::Entity::find().filter(user::Column::Email.eq("boss@example.com")).one(env.db()).await.unwrap()
    };
    let actor = Actor::of(&boss.expect("the admin"));
    let input = fullstack_ws::models::admin::ProductInput {
        category_id: kettle.category_id,
        name: "Swan Neck Kettle".into(),
        description: kettle.description.clone(),
        price: kettle.price,
        stock: kettle.stock,
        available: true,
    };
    admin::catalog::update_product(env.db(), &actor, kettle.id, &input).await.unwrap();
    let (swan, ..) = names(&env, &text("swan"), Locale::en).await;
    assert_eq!(swan, ["Swan Neck Kettle"]);
    // Renamed again, the old name's word is gone from the index.
    let heron =
        fullstack_ws::models::admin::ProductInput { name: "Heron Neck Kettle".into(), ..input.clone() };
    admin::catalog::update_product(env.db(), &actor, kettle.id, &heron).await.unwrap();
    let (old, _, approximate) = names(&env, &text("swan"), Locale::en).await;
    assert!(old.is_empty() || approximate, "the old name is gone from the index: {old:?}");
    let (heron, ..) = names(&env, &text("heron"), Locale::en).await;
    assert_eq!(heron, ["Heron Neck Kettle"]);
    // A Spanish translation replaces the English words in the Spanish index only.
    let words = fullstack_ws::models::admin::TranslationInput {
        name: "Hervidor cuello de cisne".into(),
        description: "Para verter despacio.".into(),
    };
    admin::catalog::set_product_translation(env.db(), &actor, kettle.id, "es", &words).await.unwrap();
    let (cisne, ..) = names(&env, &text("cisne"), Locale::es).await;
    assert_eq!(cisne, ["Hervidor cuello de cisne"]);
    let (english, ..) = names(&env, &text("cisne"), Locale::en).await;
    assert!(english.is_empty());
    // A rebuilt index answers the same, and a complete one is left alone.
    search::rebuild(env.db()).await.unwrap();
    assert!(!search::ensure_index(env.db()).await.unwrap());
    let (again, ..) = names(&env, &text("cisne"), Locale::es).await;
    assert_eq!(again, ["Hervidor cuello de cisne"]);
    env.db().execute_unprepared("DELETE FROM product_search").await.unwrap();
    assert!(search::ensure_index(env.db()).await.unwrap(), "an emptied index is refilled");
    let (heron, ..) = names(&env, &text("heron"), Locale::en).await;
    assert_eq!(heron, ["Heron Neck Kettle"]);
}

on_both_backends!(
    words_are_stemmed_and_names_rank_first,
    a_typo_finds_the_intended_word,
    spanish_searches_spanish_words,
    filters_combine_with_sort_and_pages,
    rest_search_validates_filters_and_suggests,
    the_index_follows_the_back_office,
);

/// PostgreSQL: the searches use their indexes instead of reading every row (with
/// sequential scans priced out, as they would be on a big table).
#[test]
fn postgres_searches_use_their_indexes() {
    crate::common::runtime().block_on(async {
        let env = seeded(Backend::Postgres).await;
        let plan = |sql: &'static str| {
            let db = env.db().clone();
            async move {
                use sea_orm::{Statement, TransactionTrait};
                // One connection for both statements: a transaction.
                let txn = db.begin().await.unwrap();
                txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.unwrap();
                let stmt = Statement::from_string(txn.get_database_backend(), format!("EXPLAIN {sql}"));
                let rows = txn.query_all(stmt).await.unwrap();
                txn.rollback().await.unwrap();
                rows.iter()
                    .map(|r| r.try_get::<String>("", "QUERY PLAN").unwrap())
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        };
        let full_text =
            plan("SELECT product_id FROM product_search WHERE document @@ to_tsquery('english', 'tea')")
                .await;
        assert!(full_text.contains("product_search_document"), "{full_text}");
        // A shop's vocabulary (with the demo's few hundred words a key range is cheaper).
        env.db()
            .execute_unprepared(
                "INSERT INTO search_words SELECT 'en', md5(i::text) FROM generate_series(1, 20000) i; \
                 ANALYZE search_words",
            )
            .await
            .unwrap();
        let typo = plan("SELECT word FROM search_words WHERE locale = 'en' AND word % 'cofee'").await;
        assert!(typo.contains("search_words_trigrams"), "{typo}");
        let email = plan("SELECT id FROM users WHERE lower(email) LIKE '%example%'").await;
        assert!(email.contains("users_email_trigrams"), "{email}");
        let orders = plan("SELECT id FROM orders WHERE lower(email) LIKE '%example%'").await;
        assert!(orders.contains("orders_email_trigrams"), "{orders}");
    });
}
