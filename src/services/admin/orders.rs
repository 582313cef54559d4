//! Orders as the back office sees them: filtered lists, the CSV export, details with the
//! payment-event timeline, and cancelling an unpaid order.

use super::users::admin_user;
use super::{audit, contains, search_text, Actor};
use crate::entities::{order, payment_event, user};
use crate::models::admin::{page_bounds, AdminOrderDetail, AdminOrderRow, OrderFilter, PaymentEventView};
use crate::models::{AppError, Money, OrderStatus, Page};
use crate::services::orders::{self as shop_orders, Transition};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select, TransactionTrait,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSort {
    Newest,
    Oldest,
    TotalDesc,
    TotalAsc,
}

/// A checked [`OrderFilter`].
#[derive(Debug, Clone)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive: the start of the day after `to`.
    pub until: Option<DateTime<Utc>>,
    pub email: Option<String>,
    pub sort: OrderSort,
}

impl OrderQuery {
    /// Checks every filter, reporting all bad ones at once.
    pub fn parse(f: &OrderFilter) -> Result<Self, AppError> {
        let mut errors = crate::models::FieldErrors::new();
        let blank =
            |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let status = match blank(&f.status) {
            None => None,
            Some(s) => OrderStatus::parse(&s).or_else(|| {
                errors.insert("status".into(), "Choose created, paid or cancelled.".into());
                None
            }),
        };
        let mut day = |field: &str, v: Option<String>| -> Option<chrono::NaiveDate> {
            let v = v?;
            chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok().or_else(|| {
                errors.insert(field.into(), "Enter a date as YYYY-MM-DD.".into());
                None
            })
        };
        let from = day("from", blank(&f.from));
        let to = day("to", blank(&f.to));
        if let (Some(a), Some(b)) = (from, to) {
            if b < a {
                errors.insert("to".into(), "The end date is before the start date.".into());
            }
        }
        let sort = match blank(&f.sort).as_deref() {
            None | Some("newest") => OrderSort::Newest,
            Some("oldest") => OrderSort::Oldest,
            Some("total_desc") => OrderSort::TotalDesc,
            Some("total_asc") => OrderSort::TotalAsc,
            Some(_) => {
                errors.insert("sort".into(), "Unknown sort order.".into());
                OrderSort::Newest
            }
        };
        let email = match search_text("email", f.email.as_deref()) {
            Ok(e) => e,
            Err(AppError::Validation(e)) => {
                errors.extend(e);
                None
            }
            Err(other) => return Err(other),
        };
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let start = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        Ok(Self {
            status,
            from: from.and_then(start),
            until: to.and_then(|d| d.succ_opt()).and_then(start),
            email,
            sort,
        })
    }

    fn select(&self) -> Select<order::Entity> {
        let mut select = order::Entity::find();
        if let Some(status) = self.status {
            select = select.filter(order::Column::Status.eq(status));
        }
        if let Some(from) = self.from {
            select = select.filter(order::Column::CreatedAt.gte(from));
        }
        if let Some(until) = self.until {
            select = select.filter(order::Column::CreatedAt.lt(until));
        }
        if let Some(email) = &self.email {
            select = select.filter(contains((order::Entity, order::Column::Email), email));
        }
        select
    }

    /// Orders in this query's order. Ids grow with creation time, so "newest" is by id.
    fn ordered(&self, select: Select<order::Entity>) -> Select<order::Entity> {
        match self.sort {
            OrderSort::Newest => select.order_by_desc(order::Column::Id),
            OrderSort::Oldest => select.order_by_asc(order::Column::Id),
            OrderSort::TotalDesc => {
                select.order_by_desc(order::Column::Total).order_by_desc(order::Column::Id)
            }
            OrderSort::TotalAsc => select.order_by_asc(order::Column::Total).order_by_asc(order::Column::Id),
        }
    }

    /// Rows strictly after `last` in this query's order (keyset paging for the export).
    fn after(&self, select: Select<order::Entity>, last: &order::Model) -> Select<order::Entity> {
        use order::Column::{Id, Total};
        let cond = match self.sort {
            OrderSort::Newest => Condition::all().add(Id.lt(last.id)),
            OrderSort::Oldest => Condition::all().add(Id.gt(last.id)),
            OrderSort::TotalDesc => Condition::any()
                .add(Total.lt(last.total))
                .add(Condition::all().add(Total.eq(last.total)).add(Id.lt(last.id))),
            OrderSort::TotalAsc => Condition::any()
                .add(Total.gt(last.total))
                .add(Condition::all().add(Total.eq(last.total)).add(Id.gt(last.id))),
        };
        select.filter(cond)
    }
}

fn row_of(o: order::Model) -> AdminOrderRow {
    AdminOrderRow {
        id: o.id,
        created_at: o.created_at.to_rfc3339(),
        status: o.status,
        customer_name: format!("{} {}", o.first_name, o.last_name),
        total: Money::new(o.total, &o.currency),
        email: o.email,
        refund_due: o.refund_due,
    }
}

pub async fn list_orders(
    db: &impl ConnectionTrait,
    filter: &OrderFilter,
) -> Result<Page<AdminOrderRow>, AppError> {
    let (page, per_page) = page_bounds(filter.page, filter.per_page)?;
    let query = OrderQuery::parse(filter)?;
    let paginator = query.ordered(query.select()).paginate(db, u64::from(per_page));
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(u64::from(page - 1)).await?.into_iter().map(row_of).collect();
    Ok(Page { items, page, per_page, total })
}

pub fn event_view(e: payment_event::Model) -> PaymentEventView {
    PaymentEventView {
        id: e.id,
        stripe_event_id: e.stripe_event_id,
        event_type: e.event_type,
        order_id: e.order_id,
        received_at: e.received_at.to_rfc3339(),
        processed_at: e.processed_at.map(|t| t.to_rfc3339()),
        outcome: e.outcome,
        detail: e.detail,
        payload: e.payload,
    }
}

/// Everything about one order. `stripe_dashboard` is the dashboard's payments URL when
/// running on real Stripe (none with the emulator).
pub async fn order_detail(
    db: &impl ConnectionTrait,
    id: i64,
    stripe_dashboard: Option<&str>,
) -> Result<AdminOrderDetail, AppError> {
    let row = order::Entity::find_by_id(id).one(db).await?.ok_or_else(|| AppError::not_found("Order"))?;
    let customer = match row.user_id {
        Some(uid) => user::Entity::find_by_id(uid).one(db).await?.map(admin_user),
        None => None,
    };
    let events = payment_event::Entity::find()
        .filter(payment_event::Column::OrderId.eq(id))
        .order_by_asc(payment_event::Column::Id)
        .limit(200)
        .all(db)
        .await?
        .into_iter()
        .map(event_view)
        .collect();
    let stripe_dashboard_url = match (stripe_dashboard, &row.payment_intent_id) {
        (Some(base), Some(pi)) => Some(format!("{base}/{pi}")),
        _ => None,
    };
    Ok(AdminOrderDetail {
        customer,
        refund_due: row.refund_due,
        payment_problem: row.payment_problem.clone(),
        payment_intent_id: row.payment_intent_id.clone(),
        checkout_session_id: row.checkout_session_id.clone(),
        stripe_dashboard_url,
        events,
        cancelled_at: row.cancelled_at.map(|t| t.to_rfc3339()),
        order: shop_orders::load(db, row).await?,
    })
}

/// Cancels an unpaid order for an admin, releasing its stock and queuing its session
/// expiry (paid → 409). Idempotent:
/// cancelling a cancelled order changes nothing and writes no audit entry.
pub async fn cancel_order(db: &DatabaseConnection, actor: &Actor, id: i64) -> Result<Transition, AppError> {
    let txn = db.begin().await?;
    let done = shop_orders::cancel_in(&txn, id, Utc::now()).await?;
    if done == Transition::Applied {
        let before = serde_json::json!({ "status": OrderStatus::Created.as_str() });
        let after = serde_json::json!({ "status": OrderStatus::Cancelled.as_str() });
        audit(&txn, actor, "order.cancel", "order", id, Some(before), Some(after)).await?;
    }
    txn.commit().await?;
    crate::infra::queue::wake();
    Ok(done)
}

/// The export's columns.
pub const CSV_HEADER: [&str; 16] = [
    "order_id",
    "created_at",
    "status",
    "email",
    "first_name",
    "last_name",
    "address",
    "postal_code",
    "city",
    "items",
    "subtotal",
    "discount",
    "total",
    "currency",
    "coupon_code",
    "paid_at",
];

/// Shopper-typed text that a spreadsheet would run as a formula gets a leading `'`
/// (CSV injection); everything else is written as is.
pub fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// Amount in major units with two decimals, no currency symbol (`1234.50`).
fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", minor.abs() / 100, minor.abs() % 100)
}

/// The export, a chunk at a time: the header row, then rows in the list's order.
pub struct CsvExport {
    query: OrderQuery,
    last: Option<order::Model>,
    header_done: bool,
    finished: bool,
}

/// Rows per database round trip.
const CSV_CHUNK: u64 = 1000;

impl CsvExport {
    pub fn new(filter: &OrderFilter) -> Result<Self, AppError> {
        Ok(Self { query: OrderQuery::parse(filter)?, last: None, header_done: false, finished: false })
    }

    /// The next piece of the file, or `None` once it is complete.
    pub async fn next_chunk(&mut self, db: &impl ConnectionTrait) -> Result<Option<Vec<u8>>, AppError> {
        if self.finished {
            return Ok(None);
        }
        let mut out = csv::Writer::from_writer(Vec::with_capacity(64 * 1024));
        let csv_error = |e: csv::Error| {
            tracing::error!(error = %e, "CSV export");
            AppError::Internal
        };
        if !self.header_done {
            out.write_record(CSV_HEADER).map_err(csv_error)?;
            self.header_done = true;
        }
        let mut select = self.query.select();
        if let Some(last) = &self.last {
            select = self.query.after(select, last);
        }
        let rows = self.query.ordered(select).limit(CSV_CHUNK).all(db).await?;
        if (rows.len() as u64) < CSV_CHUNK {
            self.finished = true;
        }
        let items = shop_orders::item_counts(db, rows.iter().map(|o| o.id)).await?;
        for o in &rows {
            let count = items.get(&o.id).copied().unwrap_or(0).to_string();
            out.write_record([
                o.id.to_string().as_str(),
                &o.created_at.to_rfc3339(),
                o.status.as_str(),
                &cell(&o.email),
                &cell(&o.first_name),
                &cell(&o.last_name),
                &cell(&o.address),
                &cell(&o.postal_code),
                &cell(&o.city),
                &count,
                &decimal(o.subtotal),
                &decimal(o.discount),
                &decimal(o.total),
                &o.currency.to_uppercase(),
                &cell(o.coupon_code.as_deref().unwrap_or("")),
                &o.paid_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            ])
            .map_err(csv_error)?;
        }
        self.last = rows.into_iter().last();
        let bytes = out.into_inner().map_err(|e| csv_error(e.into_error().into()))?;
        Ok(Some(bytes))
    }
}

/// Every stored Stripe event, newest first.
pub async fn payment_events(
    db: &impl ConnectionTrait,
    page: u32,
    per_page: u32,
) -> Result<Page<PaymentEventView>, AppError> {
    let paginator = payment_event::Entity::find()
        .order_by_desc(payment_event::Column::Id)
        .paginate(db, u64::from(per_page));
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(u64::from(page - 1)).await?.into_iter().map(event_view).collect();
    Ok(Page { items, page, per_page, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_amounts_are_decimal() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM"), "'@SUM");
        assert_eq!(cell("Zoë"), "Zoë");
        assert_eq!(decimal(123405), "1234.05");
        assert_eq!(decimal(7), "0.07");
    }

    #[test]
    fn filters_are_checked_together() {
        let bad = OrderFilter {
            status: Some("shipped".into()),
            from: Some("2026-13-01".into()),
            to: Some("yesterday".into()),
            sort: Some("price".into()),
            ..Default::default()
        };
        let Err(AppError::Validation(fields)) = OrderQuery::parse(&bad) else { panic!("must fail") };
        assert_eq!(fields.len(), 4, "{fields:?}");
        let reversed = OrderFilter {
            from: Some("2026-02-02".into()),
            to: Some("2026-02-01".into()),
            ..Default::default()
        };
        assert!(OrderQuery::parse(&reversed).is_err());
        let day = OrderFilter {
            from: Some("2026-02-01".into()),
            to: Some("2026-02-01".into()),
            ..Default::default()
        };
        let q = OrderQuery::parse(&day).unwrap();
        assert_eq!(q.until.unwrap() - q.from.unwrap(), chrono::Duration::days(1));
    }
}
