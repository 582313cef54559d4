//! Catalog service and seed, on SQLite and PostgreSQL.

use crate::common::{product_by_slug, Backend, TestEnv};
use fullstack_ws::entities::product;
use fullstack_ws::models::{AppError, ProductQuery, Sort};
use fullstack_ws::services::{catalog, seed};

const EN: fullstack_ws::models::lang::Locale = fullstack_ws::models::lang::Locale::en;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

async fn seeded(backend: Backend) -> TestEnv {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.expect("seed");
    env
}

fn query(f: impl FnOnce(&mut ProductQuery)) -> ProductQuery {
    let mut q = ProductQuery::default();
    f(&mut q);
    q
}

async fn seed_is_idempotent(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let first = seed::seed(env.db()).await.unwrap();
    assert_eq!(
        (first.categories_added, first.products_added, first.coupons_added, first.translations_added),
        (6, 48, 1, 54)
    );
    let second = seed::seed(env.db()).await.unwrap();
    assert_eq!(second, seed::SeedReport::default());
    assert_eq!(product::Entity::find().count(env.db()).await.unwrap(), 48);
}

async fn default_listing_is_newest_first(backend: Backend) {
    let env = seeded(backend).await;
    let page = catalog::list_products(env.db(), &ProductQuery::default(), EN).await.unwrap().page;
    assert_eq!(page.total, 48);
    assert_eq!(page.items.len(), 12);
    // The seed gives later products later creation times.
    assert_eq!(page.items[0].name, "Tea Sampler Box");
}

async fn filters_by_category(backend: Backend) {
    let env = seeded(backend).await;
    let page =
        catalog::list_products(env.db(), &query(|q| q.category = Some("tea".into())), EN).await.unwrap().page;
    assert_eq!(page.total, 8);
    assert!(page.items.iter().all(|p| p.category_slug == "tea"));
    let unknown = catalog::list_products(env.db(), &query(|q| q.category = Some("nope".into())), EN).await;
    assert!(matches!(unknown, Err(AppError::NotFound(_))));
}

async fn searches_case_insensitively_and_by_words(backend: Backend) {
    let env = seeded(backend).await;
    for text in ["teapot", "TEAPOT", "TeaPot"] {
        let page =
            catalog::list_products(env.db(), &query(|q| q.q = Some(text.into())), EN).await.unwrap().page;
        let names: Vec<_> = page.items.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Glass Teapot with Infuser"], "{text}");
    }
    // Descriptions are searched too.
    let page =
        catalog::list_products(env.db(), &query(|q| q.q = Some("bergamot".into())), EN).await.unwrap().page;
    assert_eq!(page.total, 2);
    // Search is by words: punctuation alone finds nothing (it is no wildcard either).
    for text in ["%", "_", "\\", "%%"] {
        let page =
            catalog::list_products(env.db(), &query(|q| q.q = Some(text.into())), EN).await.unwrap().page;
        assert_eq!(page.total, 0, "{text:?}");
    }
}

async fn sorts_by_price(backend: Backend) {
    let env = seeded(backend).await;
    let asc = catalog::list_products(
        env.db(),
        &query(|q| {
            q.sort = Sort::PriceAsc;
            q.per_page = 100;
        }),
        EN,
    )
    .await
    .unwrap()
    .page;
    let prices: Vec<i64> = asc.items.iter().map(|p| p.price.amount).collect();
    assert_eq!(prices.len(), 48);
    assert!(prices.windows(2).all(|w| w[0] <= w[1]));
    let desc = catalog::list_products(env.db(), &query(|q| q.sort = Sort::PriceDesc), EN).await.unwrap().page;
    assert_eq!(desc.items[0].price.amount, *prices.last().unwrap());
}

async fn paginates(backend: Backend) {
    let env = seeded(backend).await;
    let mut seen = std::collections::HashSet::new();
    for n in 1..=4 {
        let page = catalog::list_products(env.db(), &query(|q| q.page = n), EN).await.unwrap().page;
        assert_eq!(page.items.len(), 12);
        seen.extend(page.items.into_iter().map(|p| p.id));
    }
    assert_eq!(seen.len(), 48, "pages must not overlap");
    let past_end = catalog::list_products(env.db(), &query(|q| q.page = 5), EN).await.unwrap().page;
    assert!(past_end.items.is_empty());
    assert_eq!(past_end.total, 48);
}

async fn hides_unavailable_products(backend: Backend) {
    let env = seeded(backend).await;
    let hidden = product_by_slug(env.db(), "gift-card-25").await;
    product::Entity::update_many()
        .col_expr(product::Column::Available, sea_orm::sea_query::Expr::value(false))
        .filter(product::Column::Id.eq(hidden.id))
        .exec(env.db())
        .await
        .unwrap();
    let page = catalog::list_products(env.db(), &query(|q| q.per_page = 100), EN).await.unwrap().page;
    assert_eq!(page.total, 47);
    assert!(page.items.iter().all(|p| p.id != hidden.id));
    assert!(matches!(catalog::get_product(env.db(), hidden.id, EN).await, Err(AppError::NotFound(_))));
}

async fn product_detail_has_category(backend: Backend) {
    let env = seeded(backend).await;
    let row = product_by_slug(env.db(), "gooseneck-kettle").await;
    let p = catalog::get_product(env.db(), row.id, EN).await.unwrap();
    assert_eq!(p.name, "Gooseneck Kettle");
    assert_eq!(p.category.slug, "brewing-gear");
    assert_eq!(p.price.to_string(), "$69.00");
    assert_eq!(p.url(), format!("/product/{}/gooseneck-kettle", row.id));
    assert!(matches!(catalog::get_product(env.db(), 999_999, EN).await, Err(AppError::NotFound(_))));
}

on_both_backends!(
    seed_is_idempotent,
    default_listing_is_newest_first,
    filters_by_category,
    searches_case_insensitively_and_by_words,
    sorts_by_price,
    paginates,
    hides_unavailable_products,
    product_detail_has_category,
);
