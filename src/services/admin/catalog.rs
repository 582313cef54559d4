//! Products and categories as the back office manages them (coupons: `coupons`).

use super::{audit, begin_write, contains, search_text, snapshot, Actor};
use crate::entities::{category, category_translation, order_line, product, product_translation};
use crate::models::admin::{
    page_bounds, AdminCategory, AdminProduct, CategoryInput, CategoryTranslation, ProductFilter,
    ProductInput, ProductSort, ProductTranslation, Removal, TranslationInput,
};
use crate::models::lang::Locale;
use crate::models::{AppError, Money, Page, SHOP_CURRENCY};
use crate::services::search;
use crate::services::seed::slugify;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr,
};

fn to_admin(p: product::Model, category_name: String) -> AdminProduct {
    AdminProduct {
        id: p.id,
        category_id: p.category_id,
        category_name,
        price: Money::new(p.price, &p.currency),
        name: p.name,
        slug: p.slug,
        description: p.description,
        stock: p.stock,
        available: p.available,
        archived: p.archived,
        image: p.image,
        updated_at: p.updated_at.to_rfc3339(),
        translations: Vec::new(),
        missing_translations: Vec::new(),
    }
}

/// The shop's languages besides English that none of `present` is in.
fn missing_among(present: impl Iterator<Item = String>) -> Vec<String> {
    let present: Vec<String> = present.collect();
    Locale::ALL
        .into_iter()
        .filter(|l| *l != Locale::en && !present.iter().any(|p| p == l.tag()))
        .map(|l| l.tag().to_owned())
        .collect()
}

/// Fills in each product's translations and the languages it lacks.
async fn with_translations(
    db: &impl ConnectionTrait,
    mut products: Vec<AdminProduct>,
) -> Result<Vec<AdminProduct>, AppError> {
    let rows = product_translation::Entity::find()
        .filter(product_translation::Column::ProductId.is_in(products.iter().map(|p| p.id)))
        .order_by_asc(product_translation::Column::Locale)
        .all(db)
        .await?;
    for p in &mut products {
        p.translations = rows
            .iter()
            .filter(|t| t.product_id == p.id)
            .map(|t| ProductTranslation {
                locale: t.locale.clone(),
                name: t.name.clone(),
                slug: t.slug.clone(),
                description: t.description.clone(),
            })
            .collect();
        p.missing_translations = missing_among(p.translations.iter().map(|t| t.locale.clone()));
    }
    Ok(products)
}

/// A language translations can be written in: one of the shop's, not English.
fn translation_language(tag: &str) -> Result<Locale, AppError> {
    crate::models::admin::translation_language(tag).ok_or_else(|| {
        AppError::NotFound(format!("No translations in `{}`", tag.chars().take(20).collect::<String>()))
    })
}

/// Writes (or replaces) a product's name and description in another language; its slug
/// is made from the name.
pub async fn set_product_translation(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    tag: &str,
    input: &TranslationInput,
) -> Result<AdminProduct, AppError> {
    let locale = translation_language(tag)?;
    let input = input.validate(200)?;
    let txn = begin_write(db).await?;
    touch_product(&txn, id).await?;
    let before = get_product(&txn, id).await?;
    let slug = slug_base(&input.name, "product");
    let row = product_translation::ActiveModel {
        product_id: Set(id),
        locale: Set(locale.tag().to_owned()),
        name: Set(input.name),
        slug: Set(slug),
        description: Set(input.description),
    };
    product_translation::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                product_translation::Column::ProductId,
                product_translation::Column::Locale,
            ])
            .update_columns([
                product_translation::Column::Name,
                product_translation::Column::Slug,
                product_translation::Column::Description,
            ])
            .to_owned(),
        )
        .exec(&txn)
        .await?;
    search::reindex(&txn, &[id]).await?;
    let after = get_product(&txn, id).await?;
    audit(&txn, actor, "product.translate", "product", id, snapshot(&before), snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Removes a product's words in another language (shoppers see English there again).
pub async fn remove_product_translation(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    tag: &str,
) -> Result<AdminProduct, AppError> {
    let locale = translation_language(tag)?;
    let txn = begin_write(db).await?;
    touch_product(&txn, id).await?;
    let before = get_product(&txn, id).await?;
    product_translation::Entity::delete_by_id((id, locale.tag().to_owned())).exec(&txn).await?;
    search::reindex(&txn, &[id]).await?;
    let after = get_product(&txn, id).await?;
    audit(&txn, actor, "product.untranslate", "product", id, snapshot(&before), snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Marks a product changed (the write that starts its transaction); `NotFound` if none.
async fn touch_product(txn: &impl ConnectionTrait, id: i64) -> Result<(), AppError> {
    let touched = product::Entity::update_many()
        .col_expr(product::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(product::Column::Id.eq(id))
        .exec(txn)
        .await?;
    if touched.rows_affected == 0 {
        return Err(AppError::not_found("Product"));
    }
    Ok(())
}

/// One page of products matching the filter (current ones, or only archived ones).
pub async fn list_products(
    db: &impl ConnectionTrait,
    filter: &ProductFilter,
) -> Result<Page<AdminProduct>, AppError> {
    let (page, per_page) = page_bounds(filter.page, filter.per_page)?;
    let sort = match filter.sort.as_deref().filter(|s| !s.is_empty()) {
        None => ProductSort::default(),
        Some(s) => ProductSort::parse(s).ok_or_else(|| AppError::field("sort", "Unknown sort order."))?,
    };
    let mut select = product::Entity::find()
        .find_also_related(category::Entity)
        .filter(product::Column::Archived.eq(filter.archived));
    if let Some(text) = search_text("q", filter.q.as_deref())? {
        select = select.filter(
            Condition::any()
                .add(contains((product::Entity, product::Column::Name), &text))
                .add(contains((product::Entity, product::Column::Slug), &text)),
        );
    }
    if let Some(id) = filter.category_id {
        select = select.filter(product::Column::CategoryId.eq(id));
    }
    if let Some(available) = filter.available {
        select = select.filter(product::Column::Available.eq(available));
    }
    select = match sort {
        ProductSort::Newest => select.order_by_desc(product::Column::CreatedAt),
        ProductSort::NameAsc => select.order_by_asc(product::Column::Name),
        ProductSort::NameDesc => select.order_by_desc(product::Column::Name),
        ProductSort::PriceAsc => select.order_by_asc(product::Column::Price),
        ProductSort::PriceDesc => select.order_by_desc(product::Column::Price),
        ProductSort::StockAsc => select.order_by_asc(product::Column::Stock),
    }
    .order_by_desc(product::Column::Id);
    let paginator = select.paginate(db, u64::from(per_page));
    let total = paginator.num_items().await?;
    let items = paginator
        .fetch_page(u64::from(page - 1))
        .await?
        .into_iter()
        .map(|(p, c)| to_admin(p, c.map(|c| c.name).unwrap_or_default()))
        .collect();
    let items = with_translations(db, items).await?;
    Ok(Page { items, page, per_page, total })
}

pub async fn get_product(db: &impl ConnectionTrait, id: i64) -> Result<AdminProduct, AppError> {
    let (p, c) = product::Entity::find_by_id(id)
        .find_also_related(category::Entity)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Product"))?;
    let found = with_translations(db, vec![to_admin(p, c.map(|c| c.name).unwrap_or_default())]).await?;
    found.into_iter().next().ok_or(AppError::Internal)
}

async fn require_category(db: &impl ConnectionTrait, id: i64) -> Result<(), AppError> {
    match category::Entity::find_by_id(id).one(db).await? {
        Some(_) => Ok(()),
        None => Err(AppError::field("category_id", "Choose an existing category.")),
    }
}

/// The slug a name makes (at most 180 characters), or `fallback` for a name without
/// letters or digits.
fn slug_base(name: &str, fallback: &str) -> String {
    match slugify(name) {
        s if s.is_empty() => fallback.to_string(),
        s => s.chars().take(180).collect::<String>().trim_end_matches('-').to_string(),
    }
}

/// `base`, or `base-2`, `base-3`, … : the first slug no other row of the table uses.
async fn unique_slug<E: EntityTrait>(
    db: &impl ConnectionTrait,
    slug_column: E::Column,
    name: &str,
    fallback: &str,
) -> Result<String, AppError>
where
    E::Column: ColumnTrait,
{
    let base = slug_base(name, fallback);
    let taken: Vec<String> = E::find()
        .select_only()
        .column(slug_column)
        .filter(Condition::any().add(slug_column.eq(&base)).add(slug_column.like(format!("{base}-%"))))
        .into_tuple()
        .all(db)
        .await?;
    let taken: std::collections::HashSet<String> = taken.into_iter().collect();
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// A taken slug found at insert time (two admins at once): a clear conflict, not a 500.
fn slug_race(e: sea_orm::DbErr) -> AppError {
    if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
        AppError::Conflict("Another item with this name was saved at the same moment; try again.".into())
    } else {
        e.into()
    }
}

pub async fn create_product(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &ProductInput,
) -> Result<AdminProduct, AppError> {
    let input = input.validate()?;
    let txn = begin_write(db).await?;
    require_category(&txn, input.category_id).await?;
    let slug = unique_slug::<product::Entity>(&txn, product::Column::Slug, &input.name, "product").await?;
    let now = Utc::now();
    let created = product::ActiveModel {
        category_id: Set(input.category_id),
        name: Set(input.name.clone()),
        slug: Set(slug),
        description: Set(input.description.clone()),
        price: Set(input.price),
        currency: Set(SHOP_CURRENCY.into()),
        image: Set(String::new()),
        available: Set(input.available),
        archived: Set(false),
        stock: Set(input.stock),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(slug_race)?;
    search::reindex(&txn, &[created.id]).await?;
    let after = get_product(&txn, created.id).await?;
    audit(&txn, actor, "product.create", "product", created.id, None, snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Edits a product. Its slug stays (links in mails and bookmarks keep working).
pub async fn update_product(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    input: &ProductInput,
) -> Result<AdminProduct, AppError> {
    let input = input.validate()?;
    let txn = begin_write(db).await?;
    touch_product(&txn, id).await?;
    require_category(&txn, input.category_id).await?;
    let before = get_product(&txn, id).await?;
    if before.archived && input.available {
        return Err(AppError::field("available", "An archived product cannot be offered for sale."));
    }
    product::ActiveModel {
        id: Set(id),
        category_id: Set(input.category_id),
        name: Set(input.name.clone()),
        description: Set(input.description.clone()),
        price: Set(input.price),
        stock: Set(input.stock),
        available: Set(input.available),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    search::reindex(&txn, &[id]).await?;
    let after = get_product(&txn, id).await?;
    audit(&txn, actor, "product.update", "product", id, snapshot(&before), snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Deletes a product nobody ordered; one that was ordered is archived instead (hidden
/// from the catalog and carts, kept for order history and invoices).
pub async fn remove_product(db: &DatabaseConnection, actor: &Actor, id: i64) -> Result<Removal, AppError> {
    let txn = begin_write(db).await?;
    let archived = product::Entity::update_many()
        .col_expr(product::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(product::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if archived.rows_affected == 0 {
        return Err(AppError::not_found("Product"));
    }
    let before = get_product(&txn, id).await?;
    let ordered =
        order_line::Entity::find().filter(order_line::Column::ProductId.eq(id)).count(&txn).await? > 0;
    let removal = if ordered {
        product::ActiveModel {
            id: Set(id),
            archived: Set(true),
            available: Set(false),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let after = get_product(&txn, id).await?;
        audit(&txn, actor, "product.archive", "product", id, snapshot(&before), snapshot(&after)).await?;
        Removal::Archived
    } else {
        // Carts holding it lose the line (cart_lines cascade).
        product::Entity::delete_by_id(id).exec(&txn).await?;
        search::reindex(&txn, &[id]).await?;
        audit(&txn, actor, "product.delete", "product", id, snapshot(&before), None).await?;
        Removal::Deleted
    };
    txn.commit().await?;
    Ok(removal)
}

/// Makes many products available or unavailable at once; archived ones are left alone.
/// Returns how many changed.
pub async fn set_availability(
    db: &DatabaseConnection,
    actor: &Actor,
    ids: &[i64],
    available: bool,
) -> Result<u64, AppError> {
    if ids.is_empty() {
        return Err(AppError::field("ids", "Select at least one product."));
    }
    if ids.len() > 500 {
        return Err(AppError::field("ids", "Select at most 500 products at a time."));
    }
    let txn = begin_write(db).await?;
    let changed = product::Entity::update_many()
        .col_expr(product::Column::Available, Expr::value(available))
        .col_expr(product::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(product::Column::Id.is_in(ids.iter().copied()))
        .filter(product::Column::Archived.eq(false))
        .filter(product::Column::Available.ne(available))
        .exec(&txn)
        .await?
        .rows_affected;
    let after = serde_json::json!({ "ids": ids, "available": available, "changed": changed });
    audit(&txn, actor, "product.bulk_availability", "product", "bulk", None, Some(after)).await?;
    txn.commit().await?;
    Ok(changed)
}

/// Points a product at a newly stored image (see `media`).
pub async fn set_product_image(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    url: &str,
) -> Result<AdminProduct, AppError> {
    let txn = begin_write(db).await?;
    let updated = product::Entity::update_many()
        .col_expr(product::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(product::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::not_found("Product"));
    }
    let before = get_product(&txn, id).await?;
    product::ActiveModel { id: Set(id), image: Set(url.into()), ..Default::default() }.update(&txn).await?;
    let after = get_product(&txn, id).await?;
    audit(&txn, actor, "product.image", "product", id, snapshot(&before), snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn list_categories(db: &impl ConnectionTrait) -> Result<Vec<AdminCategory>, AppError> {
    let counts: std::collections::HashMap<i64, i64> = product::Entity::find()
        .select_only()
        .column(product::Column::CategoryId)
        .column_as(product::Column::Id.count(), "n")
        .filter(product::Column::Archived.eq(false))
        .group_by(product::Column::CategoryId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let rows = category::Entity::find().order_by_asc(category::Column::Name).all(db).await?;
    let words = category_translation::Entity::find()
        .order_by_asc(category_translation::Column::Locale)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let translations: Vec<CategoryTranslation> = words
                .iter()
                .filter(|t| t.category_id == c.id)
                .map(|t| CategoryTranslation {
                    locale: t.locale.clone(),
                    name: t.name.clone(),
                    slug: t.slug.clone(),
                })
                .collect();
            AdminCategory {
                product_count: counts.get(&c.id).copied().unwrap_or(0).max(0) as u64,
                id: c.id,
                name: c.name,
                slug: c.slug,
                missing_translations: missing_among(translations.iter().map(|t| t.locale.clone())),
                translations,
            }
        })
        .collect())
}

pub async fn get_category(db: &impl ConnectionTrait, id: i64) -> Result<AdminCategory, AppError> {
    list_categories(db).await?.into_iter().find(|c| c.id == id).ok_or_else(|| AppError::not_found("Category"))
}

async fn name_taken(db: &impl ConnectionTrait, name: &str, except: Option<i64>) -> Result<bool, AppError> {
    let mut q = category::Entity::find().filter(contains((category::Entity, category::Column::Name), name));
    if let Some(id) = except {
        q = q.filter(category::Column::Id.ne(id));
    }
    Ok(q.all(db).await?.iter().any(|c| c.name.to_lowercase() == name.to_lowercase()))
}

pub async fn create_category(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &CategoryInput,
) -> Result<AdminCategory, AppError> {
    let input = input.validate()?;
    let txn = begin_write(db).await?;
    if name_taken(&txn, &input.name, None).await? {
        return Err(AppError::field("name", "A category with this name exists."));
    }
    let slug = unique_slug::<category::Entity>(&txn, category::Column::Slug, &input.name, "category").await?;
    let created = category::ActiveModel {
        name: Set(input.name),
        slug: Set(slug),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(slug_race)?;
    let after = get_category(&txn, created.id).await?;
    audit(&txn, actor, "category.create", "category", created.id, None, snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Renames a category; its slug (and so its URL) stays.
pub async fn update_category(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    input: &CategoryInput,
) -> Result<AdminCategory, AppError> {
    let input = input.validate()?;
    let before = get_category(db, id).await?;
    let txn = begin_write(db).await?;
    let renamed = category::Entity::update_many()
        .col_expr(category::Column::Name, Expr::value(input.name.clone()))
        .filter(category::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if renamed.rows_affected == 0 {
        return Err(AppError::not_found("Category"));
    }
    if name_taken(&txn, &input.name, Some(id)).await? {
        return Err(AppError::field("name", "A category with this name exists."));
    }
    let after = get_category(&txn, id).await?;
    audit(&txn, actor, "category.update", "category", id, snapshot(&before), snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Writes (or replaces) a category's name in another language. Its slug is made from the
/// name, unique among that language's category slugs (a category's URL is its slug).
pub async fn set_category_translation(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    tag: &str,
    input: &TranslationInput,
) -> Result<AdminCategory, AppError> {
    let locale = translation_language(tag)?;
    let input = input.validate(100)?;
    let before = get_category(db, id).await?;
    let txn = begin_write(db).await?;
    // The write first (SQLite), then the checks that read.
    category_translation::Entity::delete_by_id((id, locale.tag().to_owned())).exec(&txn).await?;
    let others = category_translation::Entity::find()
        .filter(category_translation::Column::Locale.eq(locale.tag()))
        .all(&txn)
        .await?;
    if others.iter().any(|t| t.name.to_lowercase() == input.name.to_lowercase()) {
        return Err(AppError::field("name", "A category with this name exists."));
    }
    let base = slug_base(&input.name, "category");
    let taken: std::collections::HashSet<&str> = others.iter().map(|t| t.slug.as_str()).collect();
    let slug = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|s| !taken.contains(s.as_str()))
        .unwrap_or(base);
    category_translation::ActiveModel {
        category_id: Set(id),
        locale: Set(locale.tag().to_owned()),
        name: Set(input.name),
        slug: Set(slug),
    }
    .insert(&txn)
    .await
    .map_err(slug_race)?;
    let after = get_category(&txn, id).await?;
    audit(&txn, actor, "category.translate", "category", id, snapshot(&before), snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Removes a category's words in another language.
pub async fn remove_category_translation(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    tag: &str,
) -> Result<AdminCategory, AppError> {
    let locale = translation_language(tag)?;
    let before = get_category(db, id).await?;
    let txn = begin_write(db).await?;
    category_translation::Entity::delete_by_id((id, locale.tag().to_owned())).exec(&txn).await?;
    let after = get_category(&txn, id).await?;
    audit(&txn, actor, "category.untranslate", "category", id, snapshot(&before), snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Deletes an empty category; one with products is a conflict (move or remove them first).
pub async fn delete_category(db: &DatabaseConnection, actor: &Actor, id: i64) -> Result<(), AppError> {
    let before = get_category(db, id).await?;
    let txn = begin_write(db).await?;
    let deleted = category::Entity::delete_many()
        .filter(category::Column::Id.eq(id))
        .filter(
            category::Column::Id.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(product::Column::CategoryId)
                    .from(product::Entity)
                    .to_owned(),
            ),
        )
        .exec(&txn)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::Conflict(format!(
            "“{}” still holds products (archived ones included); move them first.",
            before.name
        )));
    }
    audit(&txn, actor, "category.delete", "category", id, snapshot(&before), None).await?;
    txn.commit().await?;
    Ok(())
}
