//! The cart: one per shopper, stored in the database. Every figure is computed here
//! from current catalog prices and coupon rules; nothing the client sends but product
//! ids, quantities and a coupon code is ever used.

use crate::entities::{cart, cart_line, coupon, product};
use crate::models::cart::{self as rules, AppliedCoupon, Cart, CartLine};
use crate::models::messages::msg;
use crate::models::{product_url, AppError, Money};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

pub use crate::models::SHOP_CURRENCY as CURRENCY;

/// Who a cart or an order belongs to: an account, or a guest known by a random id kept
/// in their session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shopper {
    Guest(Uuid),
    User(i64),
}

impl Shopper {
    pub(crate) fn guest_id(&self) -> Option<String> {
        match self {
            Shopper::Guest(id) => Some(id.to_string()),
            Shopper::User(_) => None,
        }
    }

    pub(crate) fn user_id(&self) -> Option<i64> {
        match self {
            Shopper::Guest(_) => None,
            Shopper::User(id) => Some(*id),
        }
    }

    pub(crate) fn cart_filter(&self) -> sea_orm::sea_query::SimpleExpr {
        match self {
            Shopper::Guest(id) => cart::Column::GuestId.eq(id.to_string()),
            Shopper::User(id) => cart::Column::UserId.eq(*id),
        }
    }
}

pub(crate) async fn find_cart(
    db: &impl ConnectionTrait,
    shopper: &Shopper,
) -> Result<Option<cart::Model>, AppError> {
    Ok(cart::Entity::find().filter(shopper.cart_filter()).one(db).await?)
}

/// The shopper's cart, created on first use (two concurrent first uses make one cart).
async fn ensure_cart(db: &impl ConnectionTrait, shopper: &Shopper) -> Result<cart::Model, AppError> {
    if let Some(found) = find_cart(db, shopper).await? {
        return Ok(found);
    }
    let now = Utc::now();
    let owner_column = match shopper {
        Shopper::Guest(_) => cart::Column::GuestId,
        Shopper::User(_) => cart::Column::UserId,
    };
    cart::Entity::insert(cart::ActiveModel {
        guest_id: Set(shopper.guest_id()),
        user_id: Set(shopper.user_id()),
        coupon_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(OnConflict::column(owner_column).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    find_cart(db, shopper).await?.ok_or(AppError::Internal)
}

/// Marks the matching cart as just used; false when there is none. Placing an order
/// runs this first so that its transaction starts with a write (see `orders::place`).
pub(crate) async fn touch(
    db: &impl ConnectionTrait,
    which: sea_orm::sea_query::SimpleExpr,
) -> Result<bool, AppError> {
    let touched = cart::Entity::update_many()
        .col_expr(cart::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(which)
        .exec(db)
        .await?;
    Ok(touched.rows_affected > 0)
}

/// Why a coupon cannot be used at `now`, if it cannot.
pub fn coupon_problem(c: &coupon::Model, now: DateTime<Utc>) -> Option<&'static str> {
    if !c.active {
        Some(msg!(coupon_inactive))
    } else if now < c.valid_from {
        Some(msg!(coupon_not_yet))
    } else if now > c.valid_to {
        Some(msg!(coupon_expired))
    } else {
        None
    }
}

/// The shopper's cart, priced now. A shopper without a cart has an empty one.
pub async fn view(db: &impl ConnectionTrait, shopper: &Shopper) -> Result<Cart, AppError> {
    match find_cart(db, shopper).await? {
        Some(found) => price(db, &found, Utc::now()).await,
        None => Ok(Cart::empty(CURRENCY)),
    }
}

/// Prices a stored cart at the catalog's current prices and the coupon's current rules.
pub(crate) async fn price(
    db: &impl ConnectionTrait,
    stored: &cart::Model,
    now: DateTime<Utc>,
) -> Result<Cart, AppError> {
    let rows = cart_line::Entity::find()
        .filter(cart_line::Column::CartId.eq(stored.id))
        .order_by_asc(cart_line::Column::AddedAt)
        .order_by_asc(cart_line::Column::ProductId)
        .find_also_related(product::Entity)
        .all(db)
        .await?;
    let mut lines = Vec::with_capacity(rows.len());
    for (line, product) in rows {
        let Some(p) = product else { continue };
        let max_quantity = max_for(&p);
        let problem = if !on_sale(&p) {
            Some(msg!(no_longer_sold).to_string())
        } else if p.stock == 0 {
            Some(msg!(sold_out).to_string())
        } else if line.quantity > max_quantity {
            Some(msg!(only_so_many, max_quantity))
        } else {
            None
        };
        lines.push(CartLine {
            product_id: p.id,
            url: product_url(p.id, &p.slug),
            image: p.image,
            unit_price: Money::new(p.price, CURRENCY),
            quantity: line.quantity,
            max_quantity,
            line_total: Money::new(p.price * i64::from(line.quantity), CURRENCY),
            problem,
            name: p.name,
        });
    }
    let subtotal: i64 = lines.iter().map(|l| l.line_total.amount).sum();
    let (coupon, coupon_problem) = match stored.coupon_id {
        None => (None, None),
        Some(id) => match coupon::Entity::find_by_id(id).one(db).await? {
            None => (None, None),
            Some(c) => {
                let problem = coupon_problem(&c, now).map(str::to_string);
                (Some(AppliedCoupon { code: c.code, percent: c.percent }), problem)
            }
        },
    };
    let percent = match (&coupon, &coupon_problem) {
        (Some(c), None) => c.percent,
        _ => 0,
    };
    let discount = rules::discount(subtotal, percent);
    Ok(Cart {
        item_count: lines.iter().map(|l| l.quantity).sum(),
        lines,
        subtotal: Money::new(subtotal, CURRENCY),
        coupon,
        coupon_problem,
        discount: Money::new(discount, CURRENCY),
        total: Money::new(subtotal - discount, CURRENCY),
    })
}

async fn sellable(db: &impl ConnectionTrait, product_id: i64) -> Result<product::Model, AppError> {
    product::Entity::find_by_id(product_id).one(db).await?.ok_or_else(|| AppError::not_found("Product"))
}

/// Listed and priced in the shop's currency.
fn on_sale(p: &product::Model) -> bool {
    p.available && p.currency == CURRENCY
}

/// The most of `p` one line may hold now (0 when it cannot be bought).
fn max_for(p: &product::Model) -> i32 {
    if on_sale(p) {
        rules::max_quantity(p.stock)
    } else {
        0
    }
}

async fn current_quantity(db: &impl ConnectionTrait, cart_id: i64, product_id: i64) -> Result<i32, AppError> {
    Ok(cart_line::Entity::find_by_id((cart_id, product_id)).one(db).await?.map_or(0, |l| l.quantity))
}

async fn write_line(
    db: &impl ConnectionTrait,
    cart_id: i64,
    product_id: i64,
    quantity: i32,
) -> Result<(), AppError> {
    cart_line::Entity::insert(cart_line::ActiveModel {
        cart_id: Set(cart_id),
        product_id: Set(product_id),
        quantity: Set(quantity),
        added_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([cart_line::Column::CartId, cart_line::Column::ProductId])
            .update_column(cart_line::Column::Quantity)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    touch(db, cart::Column::Id.eq(cart_id)).await?;
    Ok(())
}

/// Adds `quantity` units of a product (1 from a catalog button).
pub async fn add(
    db: &impl ConnectionTrait,
    shopper: &Shopper,
    product_id: i64,
    quantity: i32,
) -> Result<Cart, AppError> {
    let p = sellable(db, product_id).await?;
    rules::check_quantity(quantity, rules::MAX_QUANTITY_PER_LINE)?;
    let max = max_for(&p);
    if max == 0 {
        return Err(AppError::field("quantity", msg!(named_sold_out, p.name)));
    }
    let stored = ensure_cart(db, shopper).await?;
    let have = current_quantity(db, stored.id, product_id).await?;
    if have + quantity > max {
        let why = if have == 0 {
            msg!(only_so_many_of, max, p.name)
        } else {
            msg!(already_in_cart, have, p.name, max)
        };
        return Err(AppError::field("quantity", why));
    }
    write_line(db, stored.id, product_id, have + quantity).await?;
    price(db, &stored, Utc::now()).await
}

/// Sets a line's quantity; 0 removes the line.
pub async fn set_quantity(
    db: &impl ConnectionTrait,
    shopper: &Shopper,
    product_id: i64,
    quantity: i32,
) -> Result<Cart, AppError> {
    if quantity == 0 {
        return remove(db, shopper, product_id).await;
    }
    let p = sellable(db, product_id).await?;
    rules::check_quantity(quantity, max_for(&p))?;
    let stored = ensure_cart(db, shopper).await?;
    write_line(db, stored.id, product_id, quantity).await?;
    price(db, &stored, Utc::now()).await
}

/// Removes a line; removing what is not there changes nothing.
pub async fn remove(db: &impl ConnectionTrait, shopper: &Shopper, product_id: i64) -> Result<Cart, AppError> {
    let Some(stored) = find_cart(db, shopper).await? else { return Ok(Cart::empty(CURRENCY)) };
    cart_line::Entity::delete_by_id((stored.id, product_id)).exec(db).await?;
    touch(db, cart::Column::Id.eq(stored.id)).await?;
    price(db, &stored, Utc::now()).await
}

/// Applies a coupon by code (any case, surrounding spaces ignored).
pub async fn apply_coupon(
    db: &impl ConnectionTrait,
    shopper: &Shopper,
    raw_code: &str,
) -> Result<Cart, AppError> {
    let code = rules::normalize_coupon_code(raw_code)?;
    let found = coupon::Entity::find()
        .filter(coupon::Column::Code.eq(&code))
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("code", msg!(coupon_unknown)))?;
    if let Some(why) = coupon_problem(&found, Utc::now()) {
        return Err(AppError::field("code", why));
    }
    let mut stored = ensure_cart(db, shopper).await?;
    set_coupon(db, stored.id, Some(found.id)).await?;
    stored.coupon_id = Some(found.id);
    price(db, &stored, Utc::now()).await
}

pub async fn remove_coupon(db: &impl ConnectionTrait, shopper: &Shopper) -> Result<Cart, AppError> {
    let Some(mut stored) = find_cart(db, shopper).await? else { return Ok(Cart::empty(CURRENCY)) };
    set_coupon(db, stored.id, None).await?;
    stored.coupon_id = None;
    price(db, &stored, Utc::now()).await
}

async fn set_coupon(db: &impl ConnectionTrait, cart_id: i64, coupon_id: Option<i64>) -> Result<(), AppError> {
    cart::Entity::update_many()
        .col_expr(cart::Column::CouponId, Expr::value(coupon_id))
        .col_expr(cart::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(cart::Column::Id.eq(cart_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Moves `from`'s cart into `into`'s (at login: the guest cart joins the account's).
/// Quantities of the same product add up, capped by what may be ordered now; the
/// guest's coupon is kept unless the account's cart has one. Runs in one transaction.
pub async fn merge(db: &DatabaseConnection, from: &Shopper, into: &Shopper) -> Result<Cart, AppError> {
    // It reads, then writes: on SQLite it must hold the write lock from the start, or a
    // concurrent writer makes the upgrade fail with BUSY after the login switched sessions.
    let txn = crate::infra::db::begin_write(db).await?;
    let Some(source) = find_cart(&txn, from).await? else {
        txn.commit().await?;
        return view(db, into).await;
    };
    let target = ensure_cart(&txn, into).await?;
    let lines = cart_line::Entity::find()
        .filter(cart_line::Column::CartId.eq(source.id))
        .find_also_related(product::Entity)
        .all(&txn)
        .await?;
    for (line, product) in lines {
        let Some(p) = product else { continue };
        let have = current_quantity(&txn, target.id, p.id).await?;
        let merged = (have + line.quantity).min(max_for(&p)).max(have);
        if merged > 0 {
            write_line(&txn, target.id, p.id, merged).await?;
        }
    }
    if target.coupon_id.is_none() && source.coupon_id.is_some() {
        set_coupon(&txn, target.id, source.coupon_id).await?;
    }
    cart::Entity::delete_by_id(source.id).exec(&txn).await?;
    txn.commit().await?;
    view(db, into).await
}

/// Empties a cart after its order was placed (inside the order's transaction).
pub(crate) async fn clear(db: &impl ConnectionTrait, cart_id: i64) -> Result<(), AppError> {
    cart_line::Entity::delete_many().filter(cart_line::Column::CartId.eq(cart_id)).exec(db).await?;
    set_coupon(db, cart_id, None).await
}
