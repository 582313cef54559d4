//! Placing an order, shared by the checkout page and `POST /api/v1/orders`: the
//! service's transaction, then the "order received" mail handed to the job queue.

use crate::flows::state::AppState;
use crate::models::{AppError, Shipping};
use crate::services::cart::Shopper;
use crate::services::orders::{self, MailSettings, Placed};

pub async fn place_order(
    state: &AppState,
    shopper: &Shopper,
    shipping: &Shipping,
    idempotency_key: &str,
) -> Result<Placed, AppError> {
    let settings = MailSettings { from: &state.config.mail_from, site_url: &state.config.site_url };
    let placed = orders::place(&state.db, shopper, shipping, idempotency_key, &settings).await?;
    if let Some(mail_id) = placed.mail_id {
        crate::jobs::deliver_later(&state.jobs, mail_id).await;
    }
    Ok(placed)
}
