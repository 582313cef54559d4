//! Back-office flows shared by the admin pages and the REST API: the admin guard as an
//! [`Actor`], and the steps that pair a service call with work after commit (jobs to
//! wake, sessions to expire).

use crate::flows::auth::AuthSession;
use crate::flows::state::AppState;
use crate::models::admin::{AdminOrderDetail, AdminProduct};
use crate::models::AppError;
use crate::services::admin::{self, media, Actor};

/// The signed-in admin (401 anonymous, 403 customers).
pub fn actor(auth: &AuthSession) -> Result<Actor, AppError> {
    Ok(Actor::of(&super::accounts::require_admin(auth)?.0))
}

/// Where a payment is in Stripe's dashboard; none with the emulator.
pub fn stripe_dashboard(state: &AppState) -> Option<String> {
    if state.stripe.emulated {
        return None;
    }
    let live = state.config.stripe.secret_key.starts_with("sk_live_")
        || state.config.stripe.secret_key.starts_with("rk_live_");
    Some(
        if live {
            "https://dashboard.stripe.com/payments"
        } else {
            "https://dashboard.stripe.com/test/payments"
        }
        .into(),
    )
}

pub async fn order_detail(state: &AppState, id: i64) -> Result<AdminOrderDetail, AppError> {
    admin::orders::order_detail(&state.db, id, stripe_dashboard(state).as_deref()).await
}

/// Cancels an unpaid order; its open payment page is closed in the background.
pub async fn cancel_order(state: &AppState, actor: &Actor, id: i64) -> Result<AdminOrderDetail, AppError> {
    admin::orders::cancel_order(&state.db, actor, id).await?;
    order_detail(state, id).await
}

/// Re-queues a failed job and wakes the in-process workers.
pub async fn retry_job(state: &AppState, actor: &Actor, id: &str) -> Result<(), AppError> {
    admin::jobs::retry_job(&state.db, actor, id).await?;
    crate::infra::queue::wake_all();
    Ok(())
}

/// Stores an uploaded image and points the product at it.
pub async fn set_image(
    state: &AppState,
    actor: &Actor,
    id: i64,
    bytes: &[u8],
) -> Result<AdminProduct, AppError> {
    admin::catalog::get_product(&state.db, id).await?;
    let url = media::store_product_image(&state.config.media_dir, id, bytes).await?;
    admin::catalog::set_product_image(&state.db, actor, id, &url).await
}
