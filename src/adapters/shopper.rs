//! Who is asking: the shopper behind a request, from its session. Shared by server
//! functions and REST handlers.

use crate::models::AppError;
use crate::services::cart::Shopper;
use tower_sessions::Session;
use uuid::Uuid;

const GUEST_KEY: &str = "guest_id";

fn session_error(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::Internal
}

/// The shopper if this session has one; reading never creates a session.
pub async fn known(session: &Session) -> Result<Option<Shopper>, AppError> {
    let guest: Option<Uuid> = session.get(GUEST_KEY).await.map_err(session_error)?;
    Ok(guest.map(Shopper::Guest))
}

/// The shopper, made a guest on first use (this is what sets the session cookie).
pub async fn get_or_create(session: &Session) -> Result<Shopper, AppError> {
    if let Some(shopper) = known(session).await? {
        return Ok(shopper);
    }
    let id = Uuid::new_v4();
    session.insert(GUEST_KEY, id).await.map_err(session_error)?;
    Ok(Shopper::Guest(id))
}

/// The session of the request a server function is handling.
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer on this request");
        AppError::Internal
    })
}
