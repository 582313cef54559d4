//! The catalog: categories and the products shoppers can see, in the shopper's language.
//! English lives in `categories` and `products`; other languages in their translation
//! tables, laid over English wherever they have a word (English is the fallback).

use crate::entities::{category, category_translation, product, product_translation};
use crate::models::lang::Locale;
use crate::models::{AppError, Cart, Category, Page, Product, ProductQuery, ProductSummary, Sort};
use crate::services::search;
use sea_orm::sea_query::{JoinType, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QueryTrait,
};
use std::collections::HashMap;

/// `locale`'s words for every category that has them.
async fn category_words(
    db: &impl ConnectionTrait,
    locale: Locale,
) -> Result<HashMap<i64, category_translation::Model>, AppError> {
    if locale == Locale::en {
        return Ok(HashMap::new());
    }
    let rows = category_translation::Entity::find()
        .filter(category_translation::Column::Locale.eq(locale.tag()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|t| (t.category_id, t)).collect())
}

/// `locale`'s words for these products, where it has them.
async fn product_words(
    db: &impl ConnectionTrait,
    locale: Locale,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, product_translation::Model>, AppError> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if locale == Locale::en || ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = product_translation::Entity::find()
        .filter(product_translation::Column::Locale.eq(locale.tag()))
        .filter(product_translation::Column::ProductId.is_in(ids))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|t| (t.product_id, t)).collect())
}

/// Product names in `locale`, for the products that have one.
pub(crate) async fn product_names(
    db: &impl ConnectionTrait,
    locale: Locale,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>, AppError> {
    Ok(product_words(db, locale, ids).await?.into_iter().map(|(id, t)| (id, t.name)).collect())
}

fn localized_category(c: category::Model, words: &HashMap<i64, category_translation::Model>) -> Category {
    match words.get(&c.id) {
        Some(t) => Category { id: c.id, name: t.name.clone(), slug: t.slug.clone() },
        None => c.into(),
    }
}

pub async fn list_categories(db: &DatabaseConnection, locale: Locale) -> Result<Vec<Category>, AppError> {
    let words = category_words(db, locale).await?;
    let rows = category::Entity::find().order_by_asc(category::Column::Name).all(db).await?;
    let mut categories: Vec<Category> = rows.into_iter().map(|c| localized_category(c, &words)).collect();
    if locale != Locale::en {
        categories.sort_by_key(|c| c.name.to_lowercase());
    }
    Ok(categories)
}

/// The category at `slug` in any language (the page's first, then English, then any
/// other), named and slugged in `locale`: a caller whose slug differs from the answer's
/// was given another language's, and redirects to this one.
pub async fn category_by_slug(
    db: &DatabaseConnection,
    slug: &str,
    locale: Locale,
) -> Result<Category, AppError> {
    let translated = |only: Option<Locale>| {
        let mut q = category_translation::Entity::find().filter(category_translation::Column::Slug.eq(slug));
        if let Some(l) = only {
            q = q.filter(category_translation::Column::Locale.eq(l.tag()));
        }
        q
    };
    let id = match translated(Some(locale)).one(db).await? {
        Some(t) if locale != Locale::en => Some(t.category_id),
        _ => match category::Entity::find().filter(category::Column::Slug.eq(slug)).one(db).await? {
            Some(c) => Some(c.id),
            None => translated(None).one(db).await?.map(|t| t.category_id),
        },
    };
    let found = match id {
        Some(id) => category::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let c = found.ok_or_else(|| AppError::not_found("Category"))?;
    Ok(localized_category(c, &category_words(db, locale).await?))
}

/// A listing page, and whether its search text matched only approximately (a typo:
/// nothing matched exactly, so these are the products with similar words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub page: Page<ProductSummary>,
    pub approximate: bool,
}

/// Available products matching the query, one page of them, in `locale`: the search
/// text in the language's index (similar words when nothing matches exactly), the
/// category, price and stock filters, then the sort. An unknown category is `NotFound`;
/// a page past the end is an empty page (with the true total).
pub async fn list_products(
    db: &DatabaseConnection,
    query: &ProductQuery,
    locale: Locale,
) -> Result<Found, AppError> {
    let category_id = match &query.category {
        Some(slug) => Some(category_by_slug(db, slug, locale).await?.id),
        None => None,
    };
    let Some(text) = &query.q else {
        return Ok(Found { page: listing(db, query, category_id, None, locale).await?, approximate: false });
    };
    let backend = db.get_database_backend();
    if let Some(hits) = search::exact(backend, locale, text, search::Mode::Words) {
        let page = listing(db, query, category_id, Some(hits), locale).await?;
        if page.total > 0 {
            return Ok(Found { page, approximate: false });
        }
    }
    let page = match search::similar(db, locale, text).await? {
        Some(hits) => listing(db, query, category_id, Some(hits), locale).await?,
        None => Page { items: Vec::new(), page: query.page, per_page: query.per_page, total: 0 },
    };
    let approximate = page.total > 0;
    Ok(Found { page, approximate })
}

/// One page of available products, filtered and sorted, limited to a search's hits.
async fn listing(
    db: &DatabaseConnection,
    query: &ProductQuery,
    category_id: Option<i64>,
    hits: Option<SelectStatement>,
    locale: Locale,
) -> Result<Page<ProductSummary>, AppError> {
    let mut select = product::Entity::find()
        .find_also_related(category::Entity)
        .filter(product::Column::Available.eq(true));
    if let Some(id) = category_id {
        select = select.filter(product::Column::CategoryId.eq(id));
    }
    if let Some(min) = query.min_price {
        select = select.filter(product::Column::Price.gte(min));
    }
    if let Some(max) = query.max_price {
        select = select.filter(product::Column::Price.lte(max));
    }
    if query.in_stock {
        select = select.filter(product::Column::Stock.gt(0));
    }
    let ranked = hits.is_some();
    if let Some(hits) = hits {
        QueryTrait::query(&mut select).join_subquery(
            JoinType::InnerJoin,
            hits,
            search::hits_alias(),
            search::product_id_column().equals((product::Entity, product::Column::Id)),
        );
    }
    select = match query.sort {
        Sort::Relevance if ranked => {
            select.order_by(search::rank_column(), Order::Desc).order_by_desc(product::Column::Id)
        }
        Sort::Relevance | Sort::Newest => {
            select.order_by_desc(product::Column::CreatedAt).order_by_desc(product::Column::Id)
        }
        Sort::PriceAsc => select.order_by_asc(product::Column::Price).order_by_asc(product::Column::Id),
        Sort::PriceDesc => select.order_by_desc(product::Column::Price).order_by_desc(product::Column::Id),
    };

    let paginator = select.paginate(db, u64::from(query.per_page));
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(u64::from(query.page - 1)).await?;
    let items = summaries(db, rows, locale).await?;
    Ok(Page { items, page: query.page, per_page: query.per_page, total })
}

/// Up to `limit` available products whose words start like `text` (the last word may be
/// unfinished), best match first, else ones with similar words: suggestions as a
/// shopper types.
pub async fn suggest(
    db: &DatabaseConnection,
    text: &str,
    locale: Locale,
    limit: u64,
) -> Result<Vec<ProductSummary>, AppError> {
    let backend = db.get_database_backend();
    let mut found = Vec::new();
    if let Some(hits) = search::exact(backend, locale, text, search::Mode::Prefix) {
        found = suggestions(db, hits, locale, limit).await?;
    }
    if found.is_empty() {
        if let Some(hits) = search::similar(db, locale, text).await? {
            found = suggestions(db, hits, locale, limit).await?;
        }
    }
    Ok(found)
}

async fn suggestions(
    db: &DatabaseConnection,
    hits: SelectStatement,
    locale: Locale,
    limit: u64,
) -> Result<Vec<ProductSummary>, AppError> {
    let query = ProductQuery { sort: Sort::Relevance, per_page: limit as u32, ..Default::default() };
    Ok(listing(db, &query, None, Some(hits), locale).await?.items)
}

/// Products (with their categories) as listings show them, in `locale`.
pub(crate) async fn summaries(
    db: &DatabaseConnection,
    rows: Vec<(product::Model, Option<category::Model>)>,
    locale: Locale,
) -> Result<Vec<ProductSummary>, AppError> {
    let words = product_words(db, locale, rows.iter().map(|(p, _)| p.id)).await?;
    let categories = category_words(db, locale).await?;
    Ok(rows
        .into_iter()
        .map(|(p, c)| {
            let category_slug = c.map(|c| localized_category(c, &categories).slug).unwrap_or_default();
            let mut summary = p.into_summary(category_slug);
            if let Some(t) = words.get(&summary.id) {
                summary.name = t.name.clone();
                summary.slug = t.slug.clone();
            }
            summary
        })
        .collect())
}

/// A product shoppers may see (available), with its category, in `locale`.
pub async fn get_product(db: &DatabaseConnection, id: i64, locale: Locale) -> Result<Product, AppError> {
    let (p, c) = product::Entity::find_by_id(id)
        .find_also_related(category::Entity)
        .filter(product::Column::Available.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Product"))?;
    let c = c.ok_or(AppError::Internal)?;
    let category = localized_category(c.clone(), &category_words(db, locale).await?);
    let mut product = p.into_detail(c);
    product.category = category;
    if let Some(t) = product_words(db, locale, [id]).await?.remove(&id) {
        product.name = t.name;
        product.slug = t.slug;
        product.description = t.description;
    }
    Ok(product)
}

/// Each language's slug for a product (English where a language has none), for the
/// page's alternate-language links.
pub async fn product_slugs(db: &DatabaseConnection, id: i64) -> Result<Vec<(Locale, String)>, AppError> {
    let english =
        product::Entity::find_by_id(id).one(db).await?.ok_or_else(|| AppError::not_found("Product"))?;
    let translated = product_translation::Entity::find()
        .filter(product_translation::Column::ProductId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.locale, t.slug));
    Ok(slugs_by_language(english.slug, translated))
}

/// Each language's slug for a category (English where a language has none).
pub async fn category_slugs(db: &DatabaseConnection, id: i64) -> Result<Vec<(Locale, String)>, AppError> {
    let english =
        category::Entity::find_by_id(id).one(db).await?.ok_or_else(|| AppError::not_found("Category"))?;
    let translated = category_translation::Entity::find()
        .filter(category_translation::Column::CategoryId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.locale, t.slug));
    Ok(slugs_by_language(english.slug, translated))
}

fn slugs_by_language(
    english: String,
    translated: impl Iterator<Item = (String, String)>,
) -> Vec<(Locale, String)> {
    let translated: HashMap<String, String> = translated.collect();
    Locale::ALL
        .into_iter()
        .map(|l| (l, translated.get(l.tag()).cloned().unwrap_or_else(|| english.clone())))
        .collect()
}

/// The cart's product names, links and line problems in `locale`.
pub async fn translate_cart(
    db: &DatabaseConnection,
    cart: &mut Cart,
    locale: Locale,
) -> Result<(), AppError> {
    let words = product_words(db, locale, cart.lines.iter().map(|l| l.product_id)).await?;
    for line in &mut cart.lines {
        if let Some(t) = words.get(&line.product_id) {
            line.name = t.name.clone();
            line.url = crate::models::catalog::product_url(line.product_id, &t.slug);
        }
        line.problem = line.problem.as_deref().map(|why| locale.message(why));
    }
    cart.coupon_problem = cart.coupon_problem.as_deref().map(|why| locale.message(why));
    Ok(())
}
