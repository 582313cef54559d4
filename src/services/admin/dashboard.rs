//! The back office's front page: sales over today / 7 / 30 days, orders by status, the
//! daily revenue chart's data, and what needs a person (low stock, flagged payments,
//! failed or retrying jobs).

use super::orders::event_view;
use crate::entities::{order, payment_event, product, user};
use crate::models::admin::{DailyRevenue, Dashboard, LowStock, PaymentEventView, SalesWindow, LOW_STOCK};
use crate::models::{AppError, Money, OrderStatus, SHOP_CURRENCY};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Alias, Expr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Event outcomes a person should look at.
pub const FLAGGED_OUTCOMES: [&str; 3] = ["amount_mismatch", "refund_due", "unknown_order"];

/// Days shown in the revenue chart.
pub const CHART_DAYS: i64 = 30;

async fn window(
    db: &impl ConnectionTrait,
    label: &str,
    since: DateTime<Utc>,
) -> Result<SalesWindow, AppError> {
    let orders = order::Entity::find().filter(order::Column::CreatedAt.gte(since)).count(db).await?;
    let (paid_orders, revenue): (i64, Option<i64>) = order::Entity::find()
        .select_only()
        .column_as(order::Column::Id.count(), "n")
        // PostgreSQL sums bigint as numeric: bring it back to bigint.
        .column_as(Expr::col(order::Column::Total).sum().cast_as(Alias::new("BIGINT")), "revenue")
        .filter(order::Column::Status.eq(OrderStatus::Paid))
        .filter(order::Column::PaidAt.gte(since))
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, None));
    Ok(SalesWindow {
        label: label.into(),
        orders,
        paid_orders: paid_orders.max(0) as u64,
        revenue: Money::new(revenue.unwrap_or(0), SHOP_CURRENCY),
    })
}

/// Paid revenue per UTC day for the last [`CHART_DAYS`] days, oldest first, zero-filled.
pub fn bucket_by_day(today_start: DateTime<Utc>, paid: &[(DateTime<Utc>, i64)]) -> Vec<DailyRevenue> {
    let first = today_start - Duration::days(CHART_DAYS - 1);
    let mut sums = vec![0i64; CHART_DAYS as usize];
    for (at, total) in paid {
        let day = (*at - first).num_days();
        if *at >= first && (0..CHART_DAYS).contains(&day) {
            sums[day as usize] += total;
        }
    }
    sums.into_iter()
        .enumerate()
        .map(|(i, revenue)| DailyRevenue {
            day: (first + Duration::days(i as i64)).format("%Y-%m-%d").to_string(),
            revenue,
        })
        .collect()
}

pub async fn dashboard(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Dashboard, AppError> {
    let today = now.date_naive().and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(now);
    let windows = vec![
        window(db, "Today", today).await?,
        window(db, "Last 7 days", today - Duration::days(6)).await?,
        window(db, "Last 30 days", today - Duration::days(CHART_DAYS - 1)).await?,
    ];
    let by_status: Vec<(OrderStatus, i64)> = order::Entity::find()
        .select_only()
        .column(order::Column::Status)
        .column_as(order::Column::Id.count(), "n")
        .group_by(order::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let by_status = [OrderStatus::Created, OrderStatus::Paid, OrderStatus::Cancelled]
        .into_iter()
        .map(|s| {
            let n = by_status.iter().find(|(status, _)| *status == s).map_or(0, |(_, n)| *n);
            (s, n.max(0) as u64)
        })
        .collect();
    let paid: Vec<(Option<DateTime<Utc>>, i64)> = order::Entity::find()
        .select_only()
        .column(order::Column::PaidAt)
        .column(order::Column::Total)
        .filter(order::Column::Status.eq(OrderStatus::Paid))
        .filter(order::Column::PaidAt.gte(today - Duration::days(CHART_DAYS - 1)))
        .into_tuple()
        .all(db)
        .await?;
    let paid: Vec<(DateTime<Utc>, i64)> = paid.into_iter().filter_map(|(at, t)| Some((at?, t))).collect();
    let low_stock = product::Entity::find()
        .filter(product::Column::Archived.eq(false))
        .filter(product::Column::Stock.lte(LOW_STOCK))
        .order_by_asc(product::Column::Stock)
        .order_by_asc(product::Column::Name)
        .limit(20)
        .all(db)
        .await?
        .into_iter()
        .map(|p| LowStock { id: p.id, name: p.name, stock: p.stock })
        .collect();
    let stuck_since = now - Duration::minutes(5);
    let flagged_events: Vec<PaymentEventView> = payment_event::Entity::find()
        .filter(
            Condition::any().add(payment_event::Column::Outcome.is_in(FLAGGED_OUTCOMES)).add(
                Condition::all()
                    .add(payment_event::Column::ProcessedAt.is_null())
                    .add(payment_event::Column::ReceivedAt.lt(stuck_since)),
            ),
        )
        .order_by_desc(payment_event::Column::Id)
        .limit(20)
        .all(db)
        .await?
        .into_iter()
        .map(event_view)
        .collect();
    Ok(Dashboard {
        windows,
        by_status,
        daily: bucket_by_day(today, &paid),
        low_stock,
        payment_issues: crate::services::payments::issues(db).await?,
        flagged_events,
        troubled_jobs: super::jobs::troubled_jobs(db).await?,
        accounts: user::Entity::find().count(db).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revenue_is_bucketed_by_utc_day_and_zero_filled() {
        let today: DateTime<Utc> = "2026-11-27T00:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let days = bucket_by_day(
            today,
            &[
                (at("2026-11-27T23:59:00Z"), 500),
                (at("2026-11-27T00:00:00Z"), 100),
                (at("2026-10-29T00:00:00Z"), 7),
                (at("2026-10-28T23:59:59Z"), 1_000_000),
            ],
        );
        assert_eq!(days.len(), 30);
        assert_eq!(days[0].day, "2026-10-29");
        assert_eq!(days[0].revenue, 7);
        assert_eq!(days[29].day, "2026-11-27");
        assert_eq!(days[29].revenue, 600);
        assert_eq!(days.iter().map(|d| d.revenue).sum::<i64>(), 607);
    }
}
