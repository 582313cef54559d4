//! Extractors for the HTTP edge: who is asking ([`Admin`], [`User`], [`KnownShopper`],
//! [`OrderOwner`]) and request parts that reject in the API's error shape ([`ApiJson`],
//! [`ApiQuery`], [`Id`]). Handlers name what they need in their signature; none maps a
//! rejection or checks a role by hand.
//!
//! Handlers that change a cart take the session itself and call
//! `flows::shopper::get_or_create` last: creating a guest identity sets a cookie, so it
//! happens only once the input is known to be valid.

use crate::flows::accounts::{require_admin, require_user};
use crate::flows::auth::{Account, AuthSession};
use crate::flows::shopper;
use crate::http::ApiError;
use crate::models::AppError;
use crate::services::admin::Actor;
use crate::services::cart::Shopper;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path};
use axum::http::request::Parts;

/// A JSON body; a malformed one is a 400 in the API's error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// Query parameters; undecodable ones are a 400 in the API's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        Self(AppError::BadRequest(e.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        Self(AppError::BadRequest(e.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        Self(AppError::BadRequest(e.body_text()))
    }
}

/// The route's one `{id}`: a positive integer, or a 400 naming what was sent.
#[derive(Debug, Clone, Copy)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await?;
        Ok(Self(parse_id(&raw)?))
    }
}

/// Parses a positive numeric id from a path segment.
pub fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
        AppError::BadRequest(format!("`{}` is not a valid id", raw.chars().take(40).collect::<String>()))
    })
}

async fn session<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<AuthSession, ApiError> {
    AuthSession::from_request_parts(parts, state).await.map_err(|(_, why)| {
        tracing::error!(error = why, "no session layer on this request");
        ApiError(AppError::Internal)
    })
}

/// The shopper behind this request, if it has one yet (reading never creates one).
pub struct KnownShopper(pub Option<Shopper>);

impl<S: Send + Sync> FromRequestParts<S> for KnownShopper {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let auth = session(parts, state).await?;
        Ok(Self(shopper::known(&auth).await?))
    }
}

/// Whose orders this request may see; without a shopper no order is theirs (404).
pub struct OrderOwner(pub Shopper);

impl<S: Send + Sync> FromRequestParts<S> for OrderOwner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let auth = session(parts, state).await?;
        Ok(Self(shopper::order_owner(&auth).await?))
    }
}

/// The logged-in account, or 401.
pub struct User(pub Account);

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let auth = session(parts, state).await?;
        Ok(Self(require_user(&auth)?.clone()))
    }
}

/// Shop staff, as the audit log names them: 401 anonymous, 403 customers. The admin
/// routes also carry [`admin_only`] as a route layer, so a handler that forgets to ask
/// for this is still guarded.
pub struct Admin(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let auth = session(parts, state).await?;
        Ok(Self(Actor::of(&require_admin(&auth)?.0)))
    }
}

/// Route layer for everything under `/admin`: refuses anyone but staff before any
/// handler or body extractor runs.
pub async fn admin_only(
    auth: AuthSession,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match require_admin(&auth) {
        Ok(_) => next.run(request).await,
        Err(e) => ApiError(e).into_response(),
    }
}
