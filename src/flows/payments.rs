//! Payment flows shared by pages and REST (pay, cancel, confirm on return, invoice).
//! The services queue their own background work in their transactions.

use crate::flows::auth::AuthSession;
use crate::flows::state::AppState;
use crate::models::{AppError, Order, OrderStatus};
use crate::services::cart::Shopper;
use crate::services::orders::{self};
use crate::services::payments::{self, CheckoutLink};

/// Starts or resumes paying for an order: the page to send the shopper to.
pub async fn pay(state: &AppState, shopper: &Shopper, order_id: i64) -> Result<CheckoutLink, AppError> {
    payments::start_checkout(&state.db, &state.stripe, shopper, order_id, &state.jobs.checkout_settings())
        .await
}

/// The shopper cancels an unpaid order; its open payment page is closed in the background.
pub async fn cancel(state: &AppState, shopper: &Shopper, order_id: i64) -> Result<Order, AppError> {
    orders::cancel(&state.db, shopper, order_id).await
}

/// What the success page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub order_id: Option<i64>,
    pub paid: bool,
}

/// The success page: confirm the session with Stripe and apply it (idempotent with the
/// webhook).
pub async fn confirm(
    state: &AppState,
    session_id: &str,
    ip: Option<std::net::IpAddr>,
) -> Result<Confirmation, AppError> {
    use crate::flows::limits;
    limits::throttle(
        state,
        "confirm",
        (ip, limits::CONFIRM_PER_IP),
        (session_id, limits::CONFIRM_PER_SESSION),
    )
    .await?;
    let settings = state.jobs.mail_settings();
    let (order_id, _) = payments::confirm(&state.db, &state.stripe, &settings, session_id).await?;
    let paid = match order_id {
        Some(id) => orders::status_of(&state.db, id).await? == Some(OrderStatus::Paid),
        None => false,
    };
    Ok(Confirmation { order_id, paid })
}

/// The PDF invoice of an order, for its owner and for admins: (file name, bytes).
pub async fn invoice(
    state: &AppState,
    auth: &AuthSession,
    order_id: i64,
) -> Result<(String, Vec<u8>), AppError> {
    let is_admin = super::accounts::require_admin(auth).is_ok();
    let order = if is_admin {
        orders::find(&state.db, order_id).await?.ok_or_else(|| AppError::not_found("Order"))?
    } else {
        orders::get(&state.db, &super::shopper::order_owner(auth).await?, order_id).await?
    };
    Ok((crate::services::invoice::file_name(order.id), crate::services::invoice::render(&order)))
}

/// A reconciliation's findings, and what it looked at.
#[derive(Debug, Clone)]
pub struct Reconciliation {
    pub since: chrono::DateTime<chrono::Utc>,
    pub sessions: usize,
    pub orders: usize,
    pub mismatches: Vec<payments::reconcile::Mismatch>,
}

/// Compares the orders paid (or named by a session) in the last `days` days with the
/// provider's Checkout Sessions, read through async-stripe (the real API or the emulator).
pub async fn reconcile(state: &AppState, days: u32) -> Result<Reconciliation, ReconcileError> {
    let since = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
    // A session can be paid up to a day after it is created.
    let sessions = state
        .stripe
        .list_sessions((since - chrono::Duration::days(1)).timestamp())
        .await
        .map_err(|e| ReconcileError::Provider(e.to_string()))?;
    let orders =
        payments::reconcile::orders_to_check(&state.db, since, sessions.iter().filter_map(|s| s.order_id))
            .await?;
    let mismatches = payments::reconcile::compare(&orders, &sessions);
    Ok(Reconciliation { since, sessions: sessions.len(), orders: orders.len(), mismatches })
}

/// Why a reconciliation could not be done: the provider or the shop's own database.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("listing Checkout Sessions: {0}")]
    Provider(String),
    #[error("reading orders: {0}")]
    Database(#[from] sea_orm::DbErr),
}
