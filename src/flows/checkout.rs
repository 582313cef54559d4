//! Applying a coupon and placing an order, shared by the pages and REST, within their
//! limits (see `flows::limits`). Placing is the service's transaction, which also queues
//! the "order received" mail.

use crate::flows::limits::{self, shopper_key};
use crate::flows::state::AppState;
use crate::models::{AppError, Cart, Shipping};
use crate::services::cart::{self, Shopper};
use crate::services::orders::{self, Placed};
use std::net::IpAddr;

pub async fn place_order(
    state: &AppState,
    shopper: &Shopper,
    shipping: &Shipping,
    idempotency_key: &str,
    ip: Option<IpAddr>,
    locale: crate::models::lang::Locale,
) -> Result<Placed, AppError> {
    let who = shopper_key(shopper);
    limits::throttle(state, "order", (ip, limits::ORDER_PER_IP), (&who, limits::ORDER_PER_SHOPPER)).await?;
    let settings = state.jobs.mail_settings();
    orders::place_in(&state.db, shopper, shipping, idempotency_key, &settings, locale).await
}

pub async fn apply_coupon(
    state: &AppState,
    shopper: &Shopper,
    code: &str,
    ip: Option<IpAddr>,
) -> Result<Cart, AppError> {
    let who = shopper_key(shopper);
    limits::throttle(state, "coupon", (ip, limits::COUPON_PER_IP), (&who, limits::COUPON_PER_SHOPPER))
        .await?;
    cart::apply_coupon(&state.db, shopper, code).await
}
