//! An order's life after placement: the state machine's transitions (conditional
//! updates, stock released on cancel), cancelling with its session expiry queued, and
//! the periodic cancel of orders left unpaid.

use super::{get, Shopper};
use crate::entities::{order, order_line, product};
use crate::models::{AppError, Order, OrderStatus};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use std::time::Duration;

/// What a transition did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Applied,
    /// The order was already in the target state: nothing to do (idempotent).
    AlreadyThere,
}

/// Moves an order to `next` if the state machine allows it from its current state, in
/// one transaction; cancelling releases the reserved stock. Refusals are logged.
pub async fn transition(db: &DatabaseConnection, id: i64, next: OrderStatus) -> Result<Transition, AppError> {
    let txn = db.begin().await?;
    let done = transition_in(&txn, id, next, Utc::now()).await?;
    txn.commit().await?;
    Ok(done)
}

/// [`transition`] inside the caller's transaction.
pub async fn transition_in(
    txn: &impl ConnectionTrait,
    id: i64,
    next: OrderStatus,
    now: DateTime<Utc>,
) -> Result<Transition, AppError> {
    let sources = OrderStatus::sources_of(next);
    let mut update = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(next))
        .col_expr(order::Column::UpdatedAt, Expr::value(now));
    update = match next {
        OrderStatus::Paid => update.col_expr(order::Column::PaidAt, Expr::value(now)),
        OrderStatus::Cancelled => update.col_expr(order::Column::CancelledAt, Expr::value(now)),
        OrderStatus::Created => update,
    };
    let moved = update
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::Status.is_in(sources))
        .exec(txn)
        .await?;
    if moved.rows_affected == 0 {
        let current =
            order::Entity::find_by_id(id).one(txn).await?.ok_or_else(|| AppError::not_found("Order"))?;
        if current.status == next {
            return Ok(Transition::AlreadyThere);
        }
        let from = current.status;
        tracing::warn!(order = id, from = from.as_str(), to = next.as_str(), "refused order transition");
        return Err(AppError::Conflict(format!(
            "This order is {} and cannot become {}.",
            from.label(),
            next.label()
        )));
    }
    if next == OrderStatus::Cancelled {
        // In product id order, like placement (see `place`): no lock-order deadlocks.
        let lines = order_line::Entity::find()
            .filter(order_line::Column::OrderId.eq(id))
            .order_by_asc(order_line::Column::ProductId)
            .all(txn)
            .await?;
        for line in lines {
            product::Entity::update_many()
                .col_expr(product::Column::Stock, Expr::col(product::Column::Stock).add(line.quantity))
                .filter(product::Column::Id.eq(line.product_id))
                .exec(txn)
                .await?;
        }
    }
    tracing::info!(order = id, to = next.as_str(), "order transition");
    Ok(Transition::Applied)
}

/// Cancels an order in the caller's transaction (stock released) and, if it moved,
/// queues closing its Checkout Session there too, so that it cannot be paid later.
pub async fn cancel_in(
    txn: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Transition, AppError> {
    let done = transition_in(txn, id, OrderStatus::Cancelled, now).await?;
    if done == Transition::Applied {
        crate::services::tasks::expire_checkout_session(txn, id).await?;
    }
    Ok(done)
}

/// [`cancel_in`] in a transaction of its own; wakes a worker for the session expiry.
pub async fn cancel_now(db: &DatabaseConnection, id: i64) -> Result<Transition, AppError> {
    let txn = db.begin().await?;
    let done = cancel_in(&txn, id, Utc::now()).await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    Ok(done)
}

/// The shopper cancels one of their unpaid orders.
pub async fn cancel(db: &DatabaseConnection, shopper: &Shopper, id: i64) -> Result<Order, AppError> {
    get(db, shopper, id).await?;
    cancel_now(db, id).await?;
    get(db, shopper, id).await
}

/// Cancels unpaid orders placed before `now - max_age` (at most 500 per call), releasing
/// their stock and queuing their session expiry; returns the ids of those cancelled.
pub async fn cancel_stale(
    db: &DatabaseConnection,
    max_age: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    let cutoff = now - chrono::Duration::from_std(max_age).map_err(|_| AppError::Internal)?;
    let ids: Vec<i64> = order::Entity::find()
        .select_only()
        .column(order::Column::Id)
        .filter(order::Column::Status.eq(OrderStatus::Created))
        .filter(order::Column::CreatedAt.lt(cutoff))
        .order_by_asc(order::Column::CreatedAt)
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    let mut cancelled = Vec::new();
    for id in ids {
        // Paid in the meantime → refused, and rightly so.
        if let Ok(Transition::Applied) = cancel_now(db, id).await {
            cancelled.push(id);
        }
    }
    if !cancelled.is_empty() {
        tracing::info!(count = cancelled.len(), "cancelled stale unpaid orders");
    }
    Ok(cancelled)
}
