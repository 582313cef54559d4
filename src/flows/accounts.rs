//! Account flows shared by the pages (server functions) and REST: registering, logging in
//! and out (with rate limits, cart merge and session renewal), password reset, and the
//! one guard every admin page, server function and REST route uses.

use super::shopper::session_error;
use crate::flows::auth::{Account, AuthSession, Credentials};
use crate::flows::state::AppState;
use crate::models::account::{Me, Role};
use crate::models::AppError;
use crate::services::cart::{self, Shopper};
use crate::services::rate_limit::{self, Limit};
use crate::services::{accounts, orders};
use chrono::Utc;
use std::net::IpAddr;
use std::time::Duration;
use tower_sessions::Expiry;

/// Per client address: attempts to log in (any account) in 15 minutes.
const LOGIN_PER_IP: Limit = Limit { max: 30, window: Duration::from_secs(15 * 60) };
/// Per account: failed attempts to log in in 15 minutes (correct ones are not counted).
const LOGIN_PER_ACCOUNT: Limit = Limit { max: 10, window: Duration::from_secs(15 * 60) };
/// Per client address and per account: reset requests in an hour.
const RESET_PER_IP: Limit = Limit { max: 10, window: Duration::from_secs(3600) };
const RESET_PER_ACCOUNT: Limit = Limit { max: 3, window: Duration::from_secs(3600) };
/// Registrations per client address in an hour.
const REGISTER_PER_IP: Limit = Limit { max: 20, window: Duration::from_secs(3600) };

/// The same answer whether or not an address has an account.
pub const REGISTERED_MESSAGE: &str = "Welcome! We have sent a message to your email address.";
pub const RESET_REQUESTED_MESSAGE: &str =
    "If an account uses that address, we have mailed it a link to set a new password. It works for one hour.";
const BAD_CREDENTIALS: &str = "The email or password is incorrect.";

/// An address as typed, normalized and bounded (no email is longer than 254 characters),
/// so rate-limit keys and log lines stay small whatever a client sends.
fn typed_email(email: &str) -> String {
    email.trim().to_lowercase().chars().take(254).collect()
}

fn ip_key(ip: Option<IpAddr>) -> String {
    ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
}

/// Registers an account. A new account is logged in and welcomed; an address that
/// already has one gets a mail saying so, and the caller sees the same answer.
pub async fn register(
    state: &AppState,
    auth: &mut AuthSession,
    name: &str,
    email: &str,
    password: &str,
    confirm: Option<&str>,
    ip: Option<IpAddr>,
) -> Result<Option<Me>, AppError> {
    rate_limit::hit(&state.db, &format!("register:ip:{}", ip_key(ip)), REGISTER_PER_IP, Utc::now()).await?;
    let (user, mail) = match accounts::register(&state.db, name, email, password, confirm).await? {
        accounts::Registered::Created(u) => {
            let mail = crate::services::mail::templates::welcome(&u, &state.config.site_url);
            (Some(u), mail)
        }
        accounts::Registered::AlreadyTaken(u) => {
            (None, crate::services::mail::templates::already_registered(&u, &state.config.site_url))
        }
    };
    crate::jobs::send_mail(&state.jobs, &mail).await?;
    match user {
        Some(u) => Ok(Some(start_session(state, auth, Account(u), false).await?)),
        None => Ok(None),
    }
}

/// Logs in: rate limits per address and per account, every attempt logged (never the
/// password), a new session id, the guest cart merged and guest orders claimed.
pub async fn log_in(
    state: &AppState,
    auth: &mut AuthSession,
    email: &str,
    password: &str,
    remember: bool,
    ip: Option<IpAddr>,
) -> Result<Me, AppError> {
    let now = Utc::now();
    let creds = Credentials { email: email.to_owned(), password: password.to_owned() };
    let email = typed_email(email);
    // Every attempt counts against the address; only failed ones against the account, so
    // its owner's correct logins never add up to a lockout.
    rate_limit::hit(&state.db, &format!("login:ip:{}", ip_key(ip)), LOGIN_PER_IP, now).await?;
    let account_key = format!("login:account:{email}");
    rate_limit::check(&state.db, &account_key, LOGIN_PER_ACCOUNT, now).await?;
    let result = auth.authenticate(creds).await.map_err(|e| match e {
        axum_login::Error::Backend(app) => app,
        axum_login::Error::Session(e) => session_error(e),
    });
    match result {
        Ok(Some(account)) => {
            tracing::info!(user = account.0.id, ip = %ip_key(ip), "login succeeded");
            start_session(state, auth, account, remember).await
        }
        Ok(None) => {
            tracing::warn!(email = %email, ip = %ip_key(ip), "login failed");
            // Counted now; the answer to this attempt stays "wrong credentials" (the next
            // one is refused once the allowance is used up).
            match rate_limit::hit(&state.db, &account_key, LOGIN_PER_ACCOUNT, now).await {
                Ok(()) | Err(AppError::RateLimited { .. }) => {}
                Err(e) => return Err(e),
            }
            Err(AppError::Unauthorized(BAD_CREDENTIALS.into()))
        }
        Err(e) => {
            tracing::warn!(email = %email, ip = %ip_key(ip), reason = %e, "login refused");
            Err(e)
        }
    }
}

/// Logs the account in on this session: "Keep me logged in" lasts `SESSION_DAYS` after the
/// last visit, otherwise the cookie ends with the browser session.
async fn start_session(
    state: &AppState,
    auth: &mut AuthSession,
    account: Account,
    remember: bool,
) -> Result<Me, AppError> {
    let guest = super::shopper::guest_id(auth).await?;
    // axum-login gives the session a new id here (session fixation).
    auth.login(&account).await.map_err(session_error)?;
    auth.session.set_expiry(Some(if remember {
        Expiry::OnInactivity(time::Duration::days(i64::from(state.config.session_days)))
    } else {
        Expiry::OnSessionEnd
    }));
    let user = Shopper::User(account.0.id);
    if let Some(guest) = guest {
        cart::merge(&state.db, &Shopper::Guest(guest), &user).await?;
        orders::claim_guest_orders(&state.db, guest, account.0.id).await?;
    }
    Ok(accounts::to_me(&account.0))
}

/// Logs out: the session is deleted on the server and its cookie cleared.
pub async fn log_out(auth: &mut AuthSession) -> Result<(), AppError> {
    if let Some(account) = &auth.user {
        tracing::info!(user = account.0.id, "logout");
    }
    auth.logout().await.map_err(session_error)?;
    Ok(())
}

/// Requests a reset link; the answer never says whether the address has an account.
pub async fn request_reset(
    state: &AppState,
    email: &str,
    ip: Option<IpAddr>,
) -> Result<&'static str, AppError> {
    let now = Utc::now();
    rate_limit::hit(&state.db, &format!("reset:ip:{}", ip_key(ip)), RESET_PER_IP, now).await?;
    let key = format!("reset:account:{}", typed_email(email));
    rate_limit::hit(&state.db, &key, RESET_PER_ACCOUNT, now).await?;
    let from = &state.config.mail_from;
    accounts::request_reset(&state.db, email, from, &state.config.site_url).await?;
    Ok(RESET_REQUESTED_MESSAGE)
}

/// After the user changes their own password, this session stays logged in (all their
/// other sessions end: their password fingerprint no longer matches).
pub async fn keep_session_after_password_change(
    auth: &mut AuthSession,
    updated: crate::entities::user::Model,
) -> Result<(), AppError> {
    auth.login(&Account(updated)).await.map_err(session_error)
}

/// The logged-in account, or 401.
pub fn require_user(auth: &AuthSession) -> Result<&Account, AppError> {
    auth.user.as_ref().ok_or_else(|| AppError::Unauthorized("Log in to continue.".into()))
}

/// The one admin guard: anonymous → 401 (pages send them to log in), customers → 403.
pub fn require_admin(auth: &AuthSession) -> Result<&Account, AppError> {
    let account = require_user(auth)?;
    if account.0.role == Role::Admin {
        Ok(account)
    } else {
        tracing::warn!(user = account.0.id, "admin area refused to a customer");
        Err(AppError::Forbidden("This area is for shop staff.".into()))
    }
}
