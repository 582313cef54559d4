//! Placing an order, shared by the checkout page and `POST /api/v1/orders`: the
//! service's transaction, which also queues the "order received" mail.

use crate::flows::state::AppState;
use crate::models::{AppError, Shipping};
use crate::services::cart::Shopper;
use crate::services::orders::{self, Placed};

pub async fn place_order(
    state: &AppState,
    shopper: &Shopper,
    shipping: &Shipping,
    idempotency_key: &str,
) -> Result<Placed, AppError> {
    orders::place(&state.db, shopper, shipping, idempotency_key, &state.jobs.mail_settings()).await
}
