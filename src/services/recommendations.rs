//! "Customers also bought": co-purchase counts from paid orders, and what to suggest from
//! them. Counts change in the transaction that marks an order paid (a conditional
//! `created → paid` that happens once per order, whichever worker wins) and go back
//! when a paid order is cancelled. Where there are too few co-purchases, the same
//! category's best sellers, then its newest products, fill the list.

use crate::entities::{category, co_purchase, order, order_line, product};
use crate::models::lang::Locale;
use crate::models::{AppError, OrderStatus, ProductSummary};
use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Set,
};

/// How many products a list suggests.
pub const LIMIT: usize = 4;
/// How many ranked candidates are read (some may be off sale or sold out).
const CANDIDATES: u64 = 24;

/// Counts a paid order (`delta` 1) or takes it back (`delta` -1): every ordered pair of
/// its distinct products. Runs in the caller's transaction.
pub async fn count_order(txn: &impl ConnectionTrait, order_id: i64, delta: i64) -> Result<(), AppError> {
    let mut ids: Vec<i64> = order_line::Entity::find()
        .select_only()
        .column(order_line::Column::ProductId)
        .filter(order_line::Column::OrderId.eq(order_id))
        .into_tuple()
        .all(txn)
        .await?;
    ids.sort_unstable();
    ids.dedup();
    if ids.len() < 2 {
        return Ok(());
    }
    let pairs = ids.iter().flat_map(|a| ids.iter().filter(move |b| *b != a).map(move |b| (*a, *b)));
    let rows = pairs.map(|(a, b)| co_purchase::ActiveModel {
        product_id: Set(a),
        other_id: Set(b),
        orders: Set(delta.max(0)),
    });
    co_purchase::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([co_purchase::Column::ProductId, co_purchase::Column::OtherId])
                .value(
                    co_purchase::Column::Orders,
                    Expr::col((co_purchase::Entity, co_purchase::Column::Orders)).add(delta),
                )
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    if delta < 0 {
        co_purchase::Entity::delete_many().filter(co_purchase::Column::Orders.lte(0)).exec(txn).await?;
    }
    Ok(())
}

/// Up to [`LIMIT`] products bought with `id`, best first, for its page.
pub async fn for_product(
    db: &DatabaseConnection,
    id: i64,
    locale: Locale,
) -> Result<Vec<ProductSummary>, AppError> {
    let found = product::Entity::find_by_id(id)
        .filter(product::Column::Available.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Product"))?;
    let ranked: Vec<i64> = co_purchase::Entity::find()
        .select_only()
        .column(co_purchase::Column::OtherId)
        .filter(co_purchase::Column::ProductId.eq(id))
        .order_by_desc(co_purchase::Column::Orders)
        .order_by_asc(co_purchase::Column::OtherId)
        .limit(CANDIDATES)
        .into_tuple()
        .all(db)
        .await?;
    suggest(db, ranked, &[id], &[found.category_id], locale).await
}

/// Up to [`LIMIT`] products bought with what is in the cart (ranked by their counts
/// summed over the cart's products), none of them already in it.
pub async fn for_cart(
    db: &DatabaseConnection,
    in_cart: &[i64],
    locale: Locale,
) -> Result<Vec<ProductSummary>, AppError> {
    if in_cart.is_empty() {
        return Ok(Vec::new());
    }
    // Ordered by the sum without selecting it: PostgreSQL sums bigints as numeric.
    let ranked: Vec<i64> = co_purchase::Entity::find()
        .select_only()
        .column(co_purchase::Column::OtherId)
        .filter(co_purchase::Column::ProductId.is_in(in_cart.iter().copied()))
        .filter(co_purchase::Column::OtherId.is_not_in(in_cart.iter().copied()))
        .group_by(co_purchase::Column::OtherId)
        .order_by(co_purchase::Column::Orders.sum(), sea_orm::Order::Desc)
        .order_by_asc(co_purchase::Column::OtherId)
        .limit(CANDIDATES)
        .into_tuple()
        .all(db)
        .await?;
    let categories: Vec<i64> = product::Entity::find()
        .select_only()
        .column(product::Column::CategoryId)
        .filter(product::Column::Id.is_in(in_cart.iter().copied()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    suggest(db, ranked, in_cart, &categories, locale).await
}

/// The first [`LIMIT`] products on sale and in stock from `ranked`, then from the
/// categories' best sellers, then their newest; none of `exclude`, none twice.
async fn suggest(
    db: &DatabaseConnection,
    ranked: Vec<i64>,
    exclude: &[i64],
    categories: &[i64],
    locale: Locale,
) -> Result<Vec<ProductSummary>, AppError> {
    let mut chosen: Vec<i64> = Vec::with_capacity(LIMIT);
    take(db, &mut chosen, ranked, exclude).await?;
    if chosen.len() < LIMIT && !categories.is_empty() {
        take(db, &mut chosen, best_sellers(db, categories).await?, exclude).await?;
    }
    if chosen.len() < LIMIT && !categories.is_empty() {
        let newest: Vec<i64> = product::Entity::find()
            .select_only()
            .column(product::Column::Id)
            .filter(product::Column::CategoryId.is_in(categories.iter().copied()))
            .order_by_desc(product::Column::CreatedAt)
            .limit(CANDIDATES)
            .into_tuple()
            .all(db)
            .await?;
        take(db, &mut chosen, newest, exclude).await?;
    }
    let rows = product::Entity::find()
        .find_also_related(category::Entity)
        .filter(product::Column::Id.is_in(chosen.clone()))
        .all(db)
        .await?;
    let mut summaries = super::catalog::summaries(db, rows, locale).await?;
    summaries.sort_by_key(|s| chosen.iter().position(|id| *id == s.id));
    Ok(summaries)
}

/// Adds to `chosen`, up to [`LIMIT`] and in their order, the candidates that are on sale
/// and in stock, not excluded and not chosen already.
async fn take(
    db: &DatabaseConnection,
    chosen: &mut Vec<i64>,
    candidates: Vec<i64>,
    exclude: &[i64],
) -> Result<(), AppError> {
    let sellable: std::collections::HashSet<i64> = product::Entity::find()
        .select_only()
        .column(product::Column::Id)
        .filter(product::Column::Id.is_in(candidates.iter().copied()))
        .filter(product::Column::Available.eq(true))
        .filter(product::Column::Stock.gt(0))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for id in candidates {
        if chosen.len() < LIMIT && sellable.contains(&id) && !exclude.contains(&id) && !chosen.contains(&id) {
            chosen.push(id);
        }
    }
    Ok(())
}

/// The categories' products by units sold in paid orders, most first.
async fn best_sellers(db: &DatabaseConnection, categories: &[i64]) -> Result<Vec<i64>, AppError> {
    let sold: Vec<(i64, Option<i64>)> = order_line::Entity::find()
        .select_only()
        .column(order_line::Column::ProductId)
        .column_as(order_line::Column::Quantity.sum(), "sold")
        .join(JoinType::InnerJoin, order_line::Relation::Order.def())
        .filter(order::Column::Status.eq(OrderStatus::Paid))
        .filter(
            order_line::Column::ProductId.in_subquery(
                Query::select()
                    .column(product::Column::Id)
                    .from(product::Entity)
                    .and_where(product::Column::CategoryId.is_in(categories.iter().copied()))
                    .to_owned(),
            ),
        )
        .group_by(order_line::Column::ProductId)
        .order_by_desc(Expr::col(Alias::new("sold")))
        .order_by_asc(order_line::Column::ProductId)
        .limit(CANDIDATES)
        .into_tuple()
        .all(db)
        .await?;
    Ok(sold.into_iter().map(|(id, _)| id).collect())
}
