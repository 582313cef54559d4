//! Accounts over REST: `/auth/*` and `/me`. The same session
//! cookie as the site; the same flows as the pages (`flows::accounts`).

use crate::flows::accounts as flows;
use crate::flows::auth::AuthSession;
use crate::flows::state::AppState;
use crate::http::error::ErrorBody;
use crate::http::extract::{ApiJson, User};
use crate::http::language::RequestLanguage;
use crate::http::ApiError;
use crate::infra::security::ClientIp;
use crate::models::account::{Address, LoginStep, Me, TwoFactorSetup};
use crate::models::lang::Locale;
use crate::models::AppError;
use crate::services::accounts;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RegisterBody {
    pub email: String,
    pub password: String,
    pub name: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
    /// Keep the session for `SESSION_DAYS` instead of the browser session.
    #[serde(default)]
    pub remember: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct EmailBody {
    pub email: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordChangeBody {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ResetConfirmBody {
    pub token: String,
    pub new_password: String,
}

/// `PATCH /me`: any of the profile fields; a new `email` needs `current_password`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub address: Option<Address>,
    pub email: Option<String>,
    pub current_password: Option<String>,
    /// `en` or `es`: the language of the account's mails.
    pub locale: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Message {
    pub message: String,
}

impl Message {
    /// A shop message, in the language of the call being answered.
    fn new(text: &str) -> Json<Self> {
        Json(Self { message: crate::http::language::current().message(text) })
    }
}

#[utoipa::path(post, path = "/api/v1/auth/register", request_body = RegisterBody,
    responses((status = 200, description = "The same answer whether or not the address had an account", body = Message),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    mut auth: AuthSession,
    ClientIp(ip): ClientIp,
    RequestLanguage(lang): RequestLanguage,
    ApiJson(b): ApiJson<RegisterBody>,
) -> Result<Json<Message>, ApiError> {
    let form = flows::Registration { name: &b.name, email: &b.email, password: &b.password, confirm: None };
    flows::register(&state, &mut auth, form, lang, ip).await?;
    Ok(Message::new(flows::registered_message()))
}

#[utoipa::path(post, path = "/api/v1/auth/login", request_body = LoginBody,
    responses((status = 200, body = Me), (status = 202, description = "Password right; the account wants its second factor: POST /auth/login/code", body = TwoFactorRequired),
              (status = 401, body = ErrorBody), (status = 403, description = "Account disabled", body = ErrorBody),
              (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    mut auth: AuthSession,
    ClientIp(ip): ClientIp,
    ApiJson(b): ApiJson<LoginBody>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    Ok(match flows::log_in(&state, &mut auth, &b.email, &b.password, b.remember, ip).await? {
        LoginStep::Done(me) => Json(*me).into_response(),
        LoginStep::CodeNeeded => {
            (StatusCode::ACCEPTED, Json(TwoFactorRequired { two_factor_required: true })).into_response()
        }
    })
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TwoFactorRequired {
    pub two_factor_required: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CodeBody {
    /// A 6-digit code from the authenticator app, or a recovery code.
    pub code: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordBody {
    pub current_password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    /// Each works once instead of a code; shown only now.
    pub recovery_codes: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/auth/login/code", request_body = CodeBody,
    responses((status = 200, body = Me), (status = 401, description = "No password login waiting (or it took over 5 minutes)", body = ErrorBody),
              (status = 422, description = "Wrong or used code", body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login_code(
    State(state): State<AppState>,
    mut auth: AuthSession,
    ClientIp(ip): ClientIp,
    ApiJson(b): ApiJson<CodeBody>,
) -> Result<Json<Me>, ApiError> {
    Ok(Json(flows::log_in_code(&state, &mut auth, &b.code, ip).await?))
}

#[utoipa::path(post, path = "/api/v1/me/two-factor", request_body = PasswordBody,
    responses((status = 200, body = TwoFactorSetup), (status = 403, description = "Staff accounts only", body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, description = "Too many attempts: wait for Retry-After", body = ErrorBody)))]
pub async fn two_factor_begin(
    State(state): State<AppState>,
    auth: AuthSession,
    ClientIp(ip): ClientIp,
    ApiJson(b): ApiJson<PasswordBody>,
) -> Result<Json<TwoFactorSetup>, ApiError> {
    Ok(Json(flows::two_factor_begin(&state, &auth, &b.current_password, ip).await?))
}

#[utoipa::path(post, path = "/api/v1/me/two-factor/confirm", request_body = CodeBody,
    responses((status = 200, body = RecoveryCodes), (status = 422, description = "Wrong code", body = ErrorBody), (status = 429, description = "Too many attempts: wait for Retry-After", body = ErrorBody)))]
pub async fn two_factor_confirm(
    State(state): State<AppState>,
    auth: AuthSession,
    ClientIp(ip): ClientIp,
    ApiJson(b): ApiJson<CodeBody>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    Ok(Json(RecoveryCodes { recovery_codes: flows::two_factor_confirm(&state, &auth, &b.code, ip).await? }))
}

#[utoipa::path(post, path = "/api/v1/me/two-factor/disable", request_body = PasswordBody,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 429, description = "Too many attempts: wait for Retry-After", body = ErrorBody)))]
pub async fn two_factor_disable(
    State(state): State<AppState>,
    auth: AuthSession,
    ClientIp(ip): ClientIp,
    ApiJson(b): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    flows::two_factor_disable(&state, &auth, &b.current_password, ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/auth/logout", responses((status = 204)))]
pub async fn logout(mut auth: AuthSession) -> Result<StatusCode, ApiError> {
    flows::log_out(&mut auth).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset", request_body = EmailBody,
    responses((status = 200, description = "The same answer for every address", body = Message), (status = 422, description = "Not an email address", body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn password_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(b): ApiJson<EmailBody>,
) -> Result<Json<Message>, ApiError> {
    Ok(Message::new(flows::request_reset(&state, &b.email, ip).await?))
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", request_body = ResetConfirmBody,
    responses((status = 204), (status = 400, description = "Invalid, used or expired token", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn password_reset_confirm(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<ResetConfirmBody>,
) -> Result<StatusCode, ApiError> {
    flows::reset_password(&state, &b.token, &b.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct EmailLinkBody {
    /// The token from the mailed link.
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/auth/email-change/confirm", request_body = EmailLinkBody,
    responses((status = 200, body = Message), (status = 400, description = "Invalid, used or expired link", body = ErrorBody), (status = 422, description = "The address is now taken", body = ErrorBody)))]
pub async fn email_change_confirm(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<EmailLinkBody>,
) -> Result<Json<Message>, ApiError> {
    Ok(Message::new(flows::confirm_email_change(&state, &b.token).await?))
}

#[utoipa::path(post, path = "/api/v1/auth/email-change/undo", request_body = EmailLinkBody,
    responses((status = 200, body = Message), (status = 400, description = "Invalid, used or expired link", body = ErrorBody)))]
pub async fn email_change_undo(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<EmailLinkBody>,
) -> Result<Json<Message>, ApiError> {
    Ok(Message::new(flows::undo_email_change(&state, &b.token).await?))
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(User(account): User) -> Result<Json<Me>, ApiError> {
    Ok(Json(accounts::to_me(&account.0)))
}

#[utoipa::path(patch, path = "/api/v1/me", request_body = ProfilePatch,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, description = "Too many attempts: wait for Retry-After", body = ErrorBody)))]
pub async fn patch_me(
    State(state): State<AppState>,
    auth: AuthSession,
    ClientIp(ip): ClientIp,
    ApiJson(parsed): ApiJson<ProfilePatch>,
) -> Result<Json<Me>, ApiError> {
    let current = accounts::to_me(&flows::require_user(&auth)?.0);
    let b = parsed;
    let mut me = current.clone();
    if b.name.is_some() || b.address.is_some() {
        let name = b.name.as_deref().unwrap_or(&current.name);
        let address = b.address.as_ref().unwrap_or(&current.address);
        me = accounts::update_profile(&state.db, current.id, name, address).await?;
    }
    if let Some(tag) = &b.locale {
        let locale = Locale::from_tag(tag).ok_or_else(|| AppError::field("locale", "Choose en or es."))?;
        me = accounts::set_language(&state.db, current.id, locale).await?;
    }
    if let Some(email) = &b.email {
        let password = b.current_password.as_deref().unwrap_or_default();
        // The address changes only once the new one confirms (the mailed link).
        flows::change_email(&state, &auth, password, email, ip).await?;
    }
    Ok(Json(me))
}

#[utoipa::path(post, path = "/api/v1/me/password", request_body = PasswordChangeBody,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, description = "Too many attempts: wait for Retry-After", body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    mut auth: AuthSession,
    ClientIp(ip): ClientIp,
    ApiJson(parsed): ApiJson<PasswordChangeBody>,
) -> Result<StatusCode, ApiError> {
    let b = parsed;
    flows::change_password(&state, &mut auth, &b.current_password, &b.new_password, ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `/auth/*` and `/me`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/login/code", post(login_code))
        .route("/me/two-factor", post(two_factor_begin))
        .route("/me/two-factor/confirm", post(two_factor_confirm))
        .route("/me/two-factor/disable", post(two_factor_disable))
        .route("/auth/logout", post(logout))
        .route("/auth/password-reset", post(password_reset))
        .route("/auth/password-reset/confirm", post(password_reset_confirm))
        .route("/auth/email-change/confirm", post(email_change_confirm))
        .route("/auth/email-change/undo", post(email_change_undo))
        .route("/me", get(me).patch(patch_me))
        .route("/me/password", post(change_password))
}
