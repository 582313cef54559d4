//! Account flows shared by the pages (server functions) and REST: registering, logging in
//! and out (with rate limits, cart merge and session renewal), password reset, and the
//! one guard every admin page, server function and REST route uses.

use super::shopper::session_error;
use crate::flows::auth::{Account, AuthSession, Credentials};
use crate::flows::limits::{
    self, ip_key, LOGIN_PER_ACCOUNT, LOGIN_PER_IP, REGISTER_PER_IP, RESET_PER_ACCOUNT, RESET_PER_IP,
};
use crate::flows::state::AppState;
use crate::models::account::{LoginStep, Me, Role};
use crate::models::lang::Locale;
use crate::models::messages::msg;
use crate::models::AppError;
use crate::services::cart::{self, Shopper};
use crate::services::rate_limit;
use crate::services::{accounts, orders};
use chrono::Utc;
use std::net::IpAddr;
use tower_sessions::Expiry;

/// The same answer whether or not an address has an account.
pub fn registered_message() -> &'static str {
    msg!(registered)
}

/// An address as typed, normalized and bounded (no email is longer than 254 characters),
/// so rate-limit keys and log lines stay small whatever a client sends.
fn typed_email(email: &str) -> String {
    email.trim().to_lowercase().chars().take(254).collect()
}

/// What someone registering typed (`confirm` is the page's second password field; REST
/// has none).
pub struct Registration<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub confirm: Option<&'a str>,
}

/// Registers an account in `lang`. A new account is logged in and welcomed; an address
/// that already has one gets a mail saying so, and the caller sees the same answer.
pub async fn register(
    state: &AppState,
    auth: &mut AuthSession,
    form: Registration<'_>,
    lang: Locale,
    ip: Option<IpAddr>,
) -> Result<Option<Me>, AppError> {
    rate_limit::hit(&state.db, &format!("register:ip:{}", ip_key(ip)), REGISTER_PER_IP, Utc::now()).await?;
    let Registration { name, email, password, confirm } = form;
    let (user, mail) = match accounts::register(&state.db, name, email, password, confirm, lang).await? {
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
        Some(u) => Ok(Some(start_session(state, auth, auth.backend.account(u), false).await?)),
        None => Ok(None),
    }
}

/// Logs in: rate limits per address and per account, every attempt logged (never the
/// password), a new session id, the guest cart merged and guest orders claimed. An
/// account with two-factor sign-in is not logged in yet: the session remembers that the
/// password was right (for 5 minutes) and [`log_in_code`] finishes.
pub async fn log_in(
    state: &AppState,
    auth: &mut AuthSession,
    email: &str,
    password: &str,
    remember: bool,
    ip: Option<IpAddr>,
) -> Result<LoginStep, AppError> {
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
        Ok(Some(account)) if account.0.totp_secret.is_some() => {
            tracing::info!(user = account.0.id, ip = %ip_key(ip), "password accepted; second factor asked");
            let pending = PendingLogin { user: account.0.id, at: now.timestamp(), remember };
            auth.session.insert(PENDING_LOGIN_KEY, pending).await.map_err(session_error)?;
            Ok(LoginStep::CodeNeeded)
        }
        Ok(Some(account)) => {
            tracing::info!(user = account.0.id, ip = %ip_key(ip), "login succeeded");
            Ok(LoginStep::Done(Box::new(start_session(state, auth, account, remember).await?)))
        }
        Ok(None) => {
            tracing::warn!(email = %email, ip = %ip_key(ip), "login failed");
            // Counted now; the answer to this attempt stays "wrong credentials" (the next
            // one is refused once the allowance is used up).
            match rate_limit::hit(&state.db, &account_key, LOGIN_PER_ACCOUNT, now).await {
                Ok(()) | Err(AppError::RateLimited { .. }) => {}
                Err(e) => return Err(e),
            }
            Err(AppError::Unauthorized(msg!(bad_credentials).into()))
        }
        Err(e) => {
            tracing::warn!(email = %email, ip = %ip_key(ip), reason = %e, "login refused");
            Err(e)
        }
    }
}

const PENDING_LOGIN_KEY: &str = "fws.pending_login";
/// How long after the password the second factor may come.
const PENDING_LOGIN_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct PendingLogin {
    user: i64,
    at: i64,
    remember: bool,
}

/// Finishes a login that [`log_in`] left waiting for the second factor: a TOTP code or a
/// recovery code, each accepted once, within limits.
pub async fn log_in_code(
    state: &AppState,
    auth: &mut AuthSession,
    code: &str,
    ip: Option<IpAddr>,
) -> Result<Me, AppError> {
    let now = Utc::now();
    let pending: Option<PendingLogin> = auth.session.get(PENDING_LOGIN_KEY).await.map_err(session_error)?;
    let again = || AppError::Unauthorized(msg!(log_in_first).into());
    let pending = pending.ok_or_else(again)?;
    if now.timestamp() - pending.at > PENDING_LOGIN_SECS {
        auth.session.remove_value(PENDING_LOGIN_KEY).await.map_err(session_error)?;
        return Err(again());
    }
    let account = format!("account:{}", pending.user);
    limits::throttle(state, "login-code", (ip, limits::CODE_PER_IP), (&account, limits::CODE_PER_ACCOUNT))
        .await?;
    let user = accounts::active_user(&state.db, pending.user).await?.ok_or_else(again)?;
    if !crate::services::two_factor::verify(&state.db, &user, code, now).await? {
        tracing::warn!(user = user.id, ip = %ip_key(ip), "second factor refused");
        return Err(AppError::field("code", msg!(code_used)));
    }
    auth.session.remove_value(PENDING_LOGIN_KEY).await.map_err(session_error)?;
    tracing::info!(user = user.id, ip = %ip_key(ip), "login succeeded (two-factor)");
    let account = auth.backend.account(user);
    start_session(state, auth, account, pending.remember).await
}

/// The logged-in staff account, after its password is checked again (within limits):
/// turning two-factor sign-in on or off is as sensitive as changing the password.
async fn reauthenticated(
    state: &AppState,
    auth: &AuthSession,
    current_password: &str,
    ip: Option<IpAddr>,
) -> Result<crate::entities::user::Model, AppError> {
    let id = require_user(auth)?.0.id;
    limit_credential_change(state, id, ip).await?;
    let user = accounts::active_user(&state.db, id).await?.ok_or_else(|| AppError::not_found("Account"))?;
    if !accounts::verify_password(current_password, &user.password_hash).await? {
        return Err(AppError::field("current_password", msg!(wrong_current_password)));
    }
    Ok(user)
}

/// Starts setting up two-factor sign-in for the logged-in staff account.
pub async fn two_factor_begin(
    state: &AppState,
    auth: &AuthSession,
    current_password: &str,
    ip: Option<IpAddr>,
) -> Result<crate::models::account::TwoFactorSetup, AppError> {
    let user = reauthenticated(state, auth, current_password, ip).await?;
    crate::services::two_factor::begin(&state.db, &user).await
}

/// Turns two-factor sign-in on with a first code; returns the recovery codes.
pub async fn two_factor_confirm(
    state: &AppState,
    auth: &AuthSession,
    code: &str,
    ip: Option<IpAddr>,
) -> Result<Vec<String>, AppError> {
    let id = require_user(auth)?.0.id;
    let account = format!("account:{id}");
    limits::throttle(
        state,
        "two-factor-setup",
        (ip, limits::CODE_PER_IP),
        (&account, limits::CODE_PER_ACCOUNT),
    )
    .await?;
    crate::services::two_factor::confirm(&state.db, id, code, Utc::now()).await
}

/// Turns two-factor sign-in off (after the password).
pub async fn two_factor_disable(
    state: &AppState,
    auth: &AuthSession,
    current_password: &str,
    ip: Option<IpAddr>,
) -> Result<(), AppError> {
    let user = reauthenticated(state, auth, current_password, ip).await?;
    crate::services::two_factor::disable(&state.db, user.id).await
}

/// Logs the account in on this session, under a new session id: "Keep me logged in" lasts
/// `SESSION_DAYS` after the last visit, otherwise the cookie ends with the browser session
/// (staff sessions are never remembered). See `flows::sessions` for the lifetimes.
async fn start_session(
    state: &AppState,
    auth: &mut AuthSession,
    account: Account,
    remember: bool,
) -> Result<Me, AppError> {
    let guest = super::shopper::guest_id(auth).await?;
    let remember = remember && account.0.role != Role::Admin;
    auth.login(&account).await.map_err(session_error)?;
    // A new id on every login (session fixation): axum-login renews it only when the
    // session was not logged in already, and a second login may be someone else's.
    auth.session.cycle_id().await.map_err(session_error)?;
    super::sessions::stamp_login(auth, account.0.role, remember).await?;
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
    Ok(msg!(reset_sent))
}

/// Changes the logged-in user's password (after checking the current one, within
/// limits). This session stays logged in; all their other sessions end (their password
/// fingerprint no longer matches).
pub async fn change_password(
    state: &AppState,
    auth: &mut AuthSession,
    current_password: &str,
    new_password: &str,
    ip: Option<IpAddr>,
) -> Result<(), AppError> {
    let id = require_user(auth)?.0.id;
    limit_credential_change(state, id, ip).await?;
    let mail = state.jobs.mail_settings();
    let updated = accounts::change_password(&state.db, id, current_password, new_password, &mail).await?;
    let account = auth.backend.account(updated);
    auth.login(&account).await.map_err(session_error)
}

/// Starts changing the logged-in user's email address (after checking the password,
/// within limits): the new address must confirm it. Returns what to tell the user.
pub async fn change_email(
    state: &AppState,
    auth: &AuthSession,
    current_password: &str,
    email: &str,
    ip: Option<IpAddr>,
) -> Result<String, AppError> {
    let id = require_user(auth)?.0.id;
    limit_credential_change(state, id, ip).await?;
    let mail = state.jobs.mail_settings();
    let email = accounts::request_email_change(&state.db, id, current_password, email, &mail).await?;
    Ok(msg!(link_sent, email))
}

/// Follows the link mailed to a new address.
pub async fn confirm_email_change(state: &AppState, token: &str) -> Result<&'static str, AppError> {
    let mail = state.jobs.mail_settings();
    accounts::confirm_email_change(&state.db, token, Utc::now(), &mail).await?;
    Ok(msg!(email_confirmed))
}

/// Follows the undo link mailed to the old address.
pub async fn undo_email_change(state: &AppState, token: &str) -> Result<&'static str, AppError> {
    let mail = state.jobs.mail_settings();
    accounts::undo_email_change(&state.db, token, Utc::now(), &mail).await?;
    Ok(msg!(email_restored))
}

/// Sets a new password with a mailed reset token (the owner is told by mail).
pub async fn reset_password(state: &AppState, token: &str, new_password: &str) -> Result<(), AppError> {
    let mail = state.jobs.mail_settings();
    accounts::reset_password(&state.db, token, new_password, Utc::now(), &mail).await?;
    Ok(())
}

async fn limit_credential_change(state: &AppState, user: i64, ip: Option<IpAddr>) -> Result<(), AppError> {
    let account = format!("account:{user}");
    limits::throttle(
        state,
        "credential-change",
        (ip, limits::CREDENTIAL_CHANGE_PER_IP),
        (&account, limits::CREDENTIAL_CHANGE_PER_ACCOUNT),
    )
    .await
}

/// The logged-in account, or 401.
pub fn require_user(auth: &AuthSession) -> Result<&Account, AppError> {
    auth.user.as_ref().ok_or_else(|| AppError::Unauthorized(msg!(log_in_to_continue).into()))
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
