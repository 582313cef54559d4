//! Orders: placing one from the cart (one transaction: order, lines, stock reservation,
//! emptied cart, "order received" mail in the outbox), and reading them. The state
//! machine, cancelling and the stale-order cancel are in `lifecycle`.

mod lifecycle;
pub use lifecycle::{cancel, cancel_in, cancel_now, cancel_stale, transition, transition_in, Transition};

use super::cart::{self, Shopper, CURRENCY};
use super::mail;
use crate::entities::{order, order_line, product};
use crate::models::lang::Locale;
use crate::models::messages::msg;
use crate::models::{AppError, Money, Order, OrderLine, OrderStatus, OrderSummary, Shipping};
use chrono::Utc;
use lettre::message::Mailbox;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr, TransactionTrait,
};
use uuid::Uuid;

/// How the "order received" mail is addressed and linked.
pub struct MailSettings<'a> {
    pub from: &'a Mailbox,
    pub site_url: &'a str,
}

#[derive(Debug)]
pub struct Placed {
    pub order: Order,
    /// False when this was a resubmission that found the order already placed.
    pub created: bool,
    /// The "order received" mail in the outbox; enqueue its delivery.
    pub mail_id: Option<Uuid>,
}

/// An idempotency key: 8–64 letters, digits, `-` or `_` (a UUID from the form fits).
pub fn check_idempotency_key(key: &str) -> Result<&str, AppError> {
    let ok = (8..=64).contains(&key.len())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(key)
    } else {
        Err(AppError::BadRequest("The idempotency key must be 8-64 letters, digits, '-' or '_'.".into()))
    }
}

/// Places an order from the shopper's cart. Resubmitting the same `idempotency_key`
/// returns the order it placed instead of placing another.
pub async fn place(
    db: &DatabaseConnection,
    shopper: &Shopper,
    shipping: &Shipping,
    idempotency_key: &str,
    settings: &MailSettings<'_>,
) -> Result<Placed, AppError> {
    place_in(db, shopper, shipping, idempotency_key, settings, Locale::en).await
}

/// [`place`], for a shopper using the shop in `locale`: the order keeps it (its product
/// names, mails, invoice and payment page are in it).
pub async fn place_in(
    db: &DatabaseConnection,
    shopper: &Shopper,
    shipping: &Shipping,
    idempotency_key: &str,
    settings: &MailSettings<'_>,
    locale: Locale,
) -> Result<Placed, AppError> {
    let shipping = shipping.validate()?;
    let key = check_idempotency_key(idempotency_key)?;
    match place_in_transaction(db, shopper, &shipping, key, settings, locale).await {
        // Two submissions raced past the check in the transaction: the loser finds the winner's order.
        Err(PlaceError::DuplicateKey) => match find_by_key(db, shopper, key).await? {
            Some(existing) => Ok(Placed { order: existing, created: false, mail_id: None }),
            None => Err(AppError::Conflict(msg!(form_used).into())),
        },
        Err(PlaceError::App(e)) => Err(e),
        Ok(placed) => Ok(placed),
    }
}

enum PlaceError {
    DuplicateKey,
    App(AppError),
}

impl From<AppError> for PlaceError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl From<sea_orm::DbErr> for PlaceError {
    fn from(e: sea_orm::DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::DuplicateKey,
            _ => Self::App(e.into()),
        }
    }
}

async fn place_in_transaction(
    db: &DatabaseConnection,
    shopper: &Shopper,
    shipping: &Shipping,
    key: &str,
    settings: &MailSettings<'_>,
    locale: Locale,
) -> Result<Placed, PlaceError> {
    let now = Utc::now();
    let txn = db.begin().await?;
    // The first statement writes: on SQLite it takes the write lock up front (a later
    // read-to-write upgrade could fail with SQLITE_BUSY); on PostgreSQL it locks this
    // shopper's cart row, so two submissions of one cart queue up instead of racing.
    let touched = cart::touch(&txn, shopper.cart_filter()).await?;
    let stored = match (touched, cart::find_cart(&txn, shopper).await?) {
        (true, Some(stored)) => stored,
        _ => return Err(AppError::Conflict(msg!(cart_empty).into()).into()),
    };
    // A resubmitted form (the cart row lock makes this check race-free per shopper).
    if let Some(existing) = find_by_key(&txn, shopper, key).await? {
        return Ok(Placed { order: existing, created: false, mail_id: None });
    }
    let priced = cart::price(&txn, &stored, now).await?;
    if priced.lines.is_empty() {
        return Err(AppError::Conflict(msg!(cart_empty).into()).into());
    }
    if let Some(line) = priced.lines.iter().find(|l| l.problem.is_some()) {
        let why = line.problem.as_deref().unwrap_or_default();
        return Err(AppError::Conflict(msg!(about, line.name, why)).into());
    }
    if let Some(why) = &priced.coupon_problem {
        return Err(AppError::Conflict(msg!(remove_to_continue, why)).into());
    }
    // Reserve stock atomically: the conditional update never lets stock go below zero,
    // whatever other shoppers do at the same moment. Products are locked in id order, the
    // same order every checkout and cancellation uses, so two of them sharing products
    // cannot deadlock on PostgreSQL.
    let mut by_product: Vec<_> = priced.lines.iter().collect();
    by_product.sort_by_key(|l| l.product_id);
    for line in by_product {
        let reserved = product::Entity::update_many()
            .col_expr(product::Column::Stock, Expr::col(product::Column::Stock).sub(line.quantity))
            .filter(product::Column::Id.eq(line.product_id))
            .filter(product::Column::Available.eq(true))
            .filter(product::Column::Stock.gte(line.quantity))
            .exec(&txn)
            .await?;
        if reserved.rows_affected != 1 {
            return Err(AppError::Conflict(msg!(sold_out_while_checking_out, line.name)).into());
        }
    }
    let created = order::ActiveModel {
        guest_id: Set(shopper.guest_id()),
        user_id: Set(shopper.user_id()),
        status: Set(OrderStatus::Created),
        email: Set(shipping.email.clone()),
        first_name: Set(shipping.first_name.clone()),
        last_name: Set(shipping.last_name.clone()),
        address: Set(shipping.address.clone()),
        postal_code: Set(shipping.postal_code.clone()),
        city: Set(shipping.city.clone()),
        subtotal: Set(priced.subtotal.amount),
        discount: Set(priced.discount.amount),
        total: Set(priced.total.amount),
        currency: Set(CURRENCY.into()),
        coupon_code: Set(priced.coupon.as_ref().map(|c| c.code.clone())),
        coupon_percent: Set(priced.coupon.as_ref().map(|c| c.percent)),
        idempotency_key: Set(key.into()),
        created_at: Set(now),
        updated_at: Set(now),
        paid_at: Set(None),
        cancelled_at: Set(None),
        locale: Set(locale.tag().into()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // The names as the shopper read them: the order's language, English where untranslated.
    let names =
        crate::services::catalog::product_names(&txn, locale, priced.lines.iter().map(|l| l.product_id))
            .await?;
    let lines: Vec<order_line::ActiveModel> = priced
        .lines
        .iter()
        .map(|l| order_line::ActiveModel {
            order_id: Set(created.id),
            product_id: Set(l.product_id),
            product_name: Set(names.get(&l.product_id).cloned().unwrap_or_else(|| l.name.clone())),
            unit_price: Set(l.unit_price.amount),
            quantity: Set(l.quantity),
            line_total: Set(l.line_total.amount),
            ..Default::default()
        })
        .collect();
    order_line::Entity::insert_many(lines).exec_without_returning(&txn).await?;
    cart::clear(&txn, stored.id).await?;
    let placed = load(&txn, created).await?;
    let mail_id =
        mail::queue(&txn, settings.from, &mail::templates::order_received(&placed, settings.site_url))
            .await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    tracing::info!(order = placed.id, total = placed.total.amount, "order placed");
    Ok(Placed { order: placed, created: true, mail_id: Some(mail_id) })
}

fn owned_by(shopper: &Shopper) -> sea_orm::sea_query::SimpleExpr {
    match shopper {
        Shopper::Guest(id) => order::Column::GuestId.eq(id.to_string()).and(order::Column::UserId.is_null()),
        Shopper::User(id) => order::Column::UserId.eq(*id),
    }
}

/// At login, the orders this browser placed as a guest become the account's.
pub async fn claim_guest_orders(
    db: &impl ConnectionTrait,
    guest: uuid::Uuid,
    user_id: i64,
) -> Result<u64, AppError> {
    let claimed = order::Entity::update_many()
        .col_expr(order::Column::UserId, Expr::value(user_id))
        .filter(order::Column::GuestId.eq(guest.to_string()))
        .filter(order::Column::UserId.is_null())
        .exec(db)
        .await?;
    Ok(claimed.rows_affected)
}

async fn find_by_key(
    db: &impl ConnectionTrait,
    shopper: &Shopper,
    key: &str,
) -> Result<Option<Order>, AppError> {
    let by_key = order::Entity::find().filter(order::Column::IdempotencyKey.eq(key));
    if let Some(mine) = by_key.clone().filter(owned_by(shopper)).one(db).await? {
        return Ok(Some(load(db, mine).await?));
    }
    if by_key.one(db).await?.is_some() {
        // Someone else's key: never reveal their order.
        return Err(AppError::Conflict(msg!(form_used).into()));
    }
    Ok(None)
}

pub(crate) async fn load(db: &impl ConnectionTrait, o: order::Model) -> Result<Order, AppError> {
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(o.id))
        .order_by_asc(order_line::Column::Id)
        .all(db)
        .await?;
    let status = o.status;
    let shipping = shipping_of(&o);
    Ok(Order {
        id: o.id,
        status,
        created_at: o.created_at.to_rfc3339(),
        lines: lines
            .into_iter()
            .map(|l| OrderLine {
                product_id: l.product_id,
                name: l.product_name,
                unit_price: Money::new(l.unit_price, &o.currency),
                quantity: l.quantity,
                line_total: Money::new(l.line_total, &o.currency),
            })
            .collect(),
        subtotal: Money::new(o.subtotal, &o.currency),
        coupon_code: o.coupon_code,
        coupon_percent: o.coupon_percent,
        discount: Money::new(o.discount, &o.currency),
        total: Money::new(o.total, &o.currency),
        paid_at: o.paid_at.map(|t| t.to_rfc3339()),
        locale: o.locale,
        shipping,
    })
}

/// One of the shopper's orders; anyone else's is "not found".
pub async fn get(db: &impl ConnectionTrait, shopper: &Shopper, id: i64) -> Result<Order, AppError> {
    let found = order::Entity::find_by_id(id).filter(owned_by(shopper)).one(db).await?;
    load(db, found.ok_or_else(|| AppError::not_found("Order"))?).await
}

/// Any order, whoever placed it (for admins and jobs).
pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<Order>, AppError> {
    match order::Entity::find_by_id(id).one(db).await? {
        Some(o) => Ok(Some(load(db, o).await?)),
        None => Ok(None),
    }
}

/// An order's status, if the order exists.
pub async fn status_of(db: &impl ConnectionTrait, id: i64) -> Result<Option<OrderStatus>, AppError> {
    let status: Option<OrderStatus> = order::Entity::find_by_id(id)
        .select_only()
        .column(order::Column::Status)
        .into_tuple()
        .one(db)
        .await?;
    Ok(status)
}

/// How many items (the sum of quantities) each of these orders holds.
pub(crate) async fn item_counts(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, i64>, AppError> {
    let rows: Vec<(i64, Option<i64>)> = order_line::Entity::find()
        .select_only()
        .column(order_line::Column::OrderId)
        .column_as(order_line::Column::Quantity.sum(), "items")
        .filter(order_line::Column::OrderId.is_in(ids))
        .group_by(order_line::Column::OrderId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, n)| (id, n.unwrap_or(0))).collect())
}

/// The shopper's orders, newest first.
pub async fn list(db: &impl ConnectionTrait, shopper: &Shopper) -> Result<Vec<OrderSummary>, AppError> {
    let orders = order::Entity::find()
        .filter(owned_by(shopper))
        .order_by_desc(order::Column::CreatedAt)
        .order_by_desc(order::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let counts = item_counts(db, orders.iter().map(|o| o.id)).await?;
    Ok(orders
        .into_iter()
        .map(|o| {
            let items = counts.get(&o.id).copied().unwrap_or(0);
            OrderSummary {
                id: o.id,
                status: o.status,
                created_at: o.created_at.to_rfc3339(),
                item_count: i32::try_from(items).unwrap_or(i32::MAX),
                total: Money::new(o.total, &o.currency),
            }
        })
        .collect())
}

/// The checkout form's starting values: the account's saved address if it has one, else
/// where the shopper's last order went, else the account's name and email.
pub async fn checkout_prefill(
    db: &impl ConnectionTrait,
    shopper: &Shopper,
    account: Option<&crate::entities::user::Model>,
) -> Result<Shipping, AppError> {
    let saved = account.map(|u| {
        let me = super::accounts::to_me(u);
        Shipping {
            first_name: me.address.first_name,
            last_name: me.address.last_name,
            email: me.email,
            address: me.address.address,
            postal_code: me.address.postal_code,
            city: me.address.city,
        }
    });
    if let Some(saved) = saved.as_ref().filter(|s| !s.address.is_empty()) {
        return Ok(saved.clone());
    }
    Ok(match last_shipping(db, shopper).await? {
        Some(last) => last,
        None => saved.unwrap_or_default(),
    })
}

/// Where the shopper's latest order went.
async fn last_shipping(db: &impl ConnectionTrait, shopper: &Shopper) -> Result<Option<Shipping>, AppError> {
    let latest =
        order::Entity::find().filter(owned_by(shopper)).order_by_desc(order::Column::Id).one(db).await?;
    Ok(latest.as_ref().map(shipping_of))
}

fn shipping_of(o: &order::Model) -> Shipping {
    Shipping {
        first_name: o.first_name.clone(),
        last_name: o.last_name.clone(),
        email: o.email.clone(),
        address: o.address.clone(),
        postal_code: o.postal_code.clone(),
        city: o.city.clone(),
    }
}
