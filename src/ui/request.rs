//! The request context of a server function (server only): the app state and the
//! auth session of the request being handled, and the client address as the rate limits
//! see it. Every server function starts here.

use crate::flows::auth::AuthSession;
use crate::flows::AppState;
use crate::models::AppError;

/// The app state and auth session of the request a server function is handling.
pub async fn request() -> Result<(AppState, AuthSession), AppError> {
    let state = AppState::current()?;
    let auth = leptos_axum::extract::<AuthSession>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer on this request");
        AppError::Internal
    })?;
    Ok((state, auth))
}

/// The client's address (through `TRUSTED_PROXIES`), if known.
pub async fn client_ip() -> Option<std::net::IpAddr> {
    leptos_axum::extract::<crate::infra::security::ClientIp>().await.map(|c| c.0).unwrap_or(None)
}

/// The language of the page being rendered, or of the page that called: the page's own
/// path while it renders on the server, else the `Referer` (sent by forms and by the
/// hydrated page's calls alike); English when there is neither.
pub async fn page_locale() -> crate::models::lang::Locale {
    use crate::models::lang::Locale;
    if let Ok(uri) = leptos_axum::extract::<axum::http::Uri>().await {
        if !uri.path().starts_with("/api/") {
            return Locale::of_path(uri.path());
        }
    }
    let headers = leptos_axum::extract::<axum::http::HeaderMap>().await.unwrap_or_default();
    headers
        .get(axum::http::header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.parse::<axum::http::Uri>().ok())
        .map(|uri| Locale::of_path(uri.path()))
        .unwrap_or(Locale::en)
}

/// Whether the server function was called by a plain HTML form (no JavaScript): the
/// browser then asks for a page, where the hydrated app's calls ask for data.
pub async fn from_plain_form() -> bool {
    let headers = leptos_axum::extract::<axum::http::HeaderMap>().await.unwrap_or_default();
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}
