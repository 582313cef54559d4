//! The catalog: categories and the products shoppers can see.

use crate::entities::{category, product};
use crate::models::{AppError, Category, Page, Product, ProductQuery, ProductSummary, Sort};
use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

pub async fn list_categories(db: &DatabaseConnection) -> Result<Vec<Category>, AppError> {
    let rows = category::Entity::find().order_by_asc(category::Column::Name).all(db).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn category_by_slug(db: &DatabaseConnection, slug: &str) -> Result<Category, AppError> {
    category::Entity::find()
        .filter(category::Column::Slug.eq(slug))
        .one(db)
        .await?
        .map(Into::into)
        .ok_or_else(|| AppError::not_found("Category"))
}

/// Escapes LIKE wildcards so user text matches literally (escape character `\`).
pub(crate) fn like_pattern(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

/// Available products matching the query, one page of them. An unknown category is
/// `NotFound`; a page past the end is an empty page (with the true total).
pub async fn list_products(
    db: &DatabaseConnection,
    query: &ProductQuery,
) -> Result<Page<ProductSummary>, AppError> {
    let mut select = product::Entity::find()
        .find_also_related(category::Entity)
        .filter(product::Column::Available.eq(true));
    if let Some(slug) = &query.category {
        let category = category_by_slug(db, slug).await?;
        select = select.filter(product::Column::CategoryId.eq(category.id));
    }
    if let Some(text) = &query.q {
        let pattern = like_pattern(text);
        let matches = |col: product::Column| {
            Expr::expr(Func::lower(Expr::col((product::Entity, col))))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        select = select.filter(
            Condition::any().add(matches(product::Column::Name)).add(matches(product::Column::Description)),
        );
    }
    select = match query.sort {
        Sort::Newest => select.order_by_desc(product::Column::CreatedAt).order_by_desc(product::Column::Id),
        Sort::PriceAsc => select.order_by_asc(product::Column::Price).order_by_asc(product::Column::Id),
        Sort::PriceDesc => select.order_by_desc(product::Column::Price).order_by_desc(product::Column::Id),
    };

    let paginator = select.paginate(db, u64::from(query.per_page));
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(u64::from(query.page - 1)).await?;
    let items = rows
        .into_iter()
        .map(|(p, c)| {
            let slug = c.map(|c| c.slug).unwrap_or_default();
            p.into_summary(slug)
        })
        .collect();
    Ok(Page { items, page: query.page, per_page: query.per_page, total })
}

/// A product shoppers may see (available), with its category.
pub async fn get_product(db: &DatabaseConnection, id: i64) -> Result<Product, AppError> {
    let (p, c) = product::Entity::find_by_id(id)
        .find_also_related(category::Entity)
        .filter(product::Column::Available.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Product"))?;
    let c = c.ok_or(AppError::Internal)?;
    Ok(p.into_detail(c))
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_pattern_escapes_wildcards_and_lowercases() {
        assert_eq!(like_pattern("Tea"), "%tea%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}
