//! Who is asking: the account or guest behind a request, from its session. Shared by
//! server functions and REST handlers.

use crate::flows::auth::AuthSession;
use crate::models::AppError;
use crate::services::cart::Shopper;
use uuid::Uuid;

const GUEST_KEY: &str = "guest_id";

/// A session store failure, logged; the client sees `Internal`.
pub(crate) fn session_error(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::Internal
}

/// The guest id kept in this session, if any (it survives login, so the guest's cart and
/// orders can be handed to the account).
pub async fn guest_id(auth: &AuthSession) -> Result<Option<Uuid>, AppError> {
    auth.session.get(GUEST_KEY).await.map_err(session_error)
}

/// The shopper if this session has one; reading never creates a session.
pub async fn known(auth: &AuthSession) -> Result<Option<Shopper>, AppError> {
    if let Some(account) = &auth.user {
        return Ok(Some(Shopper::User(account.0.id)));
    }
    Ok(guest_id(auth).await?.map(Shopper::Guest))
}

/// The shopper, made a guest on first use (this is what sets the session cookie).
pub async fn get_or_create(auth: &AuthSession) -> Result<Shopper, AppError> {
    if let Some(shopper) = known(auth).await? {
        return Ok(shopper);
    }
    let id = Uuid::new_v4();
    auth.session.insert(GUEST_KEY, id).await.map_err(session_error)?;
    Ok(Shopper::Guest(id))
}

/// Whose orders this request may see: no shopper yet means no order is theirs.
pub async fn order_owner(auth: &AuthSession) -> Result<Shopper, AppError> {
    known(auth).await?.ok_or_else(|| AppError::not_found("Order"))
}
