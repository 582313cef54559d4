//! Every anti-automation limit in one table, and the one way flows apply them: counted in
//! the database (`services::rate_limit`), so they hold across server processes. Each
//! limited action is counted per client address and per subject (the account, the
//! shopper, the payment session), so neither many addresses nor many sessions get round it.

use crate::flows::state::AppState;
use crate::models::AppError;
use crate::services::cart::Shopper;
use crate::services::rate_limit::{self, Limit};
use chrono::Utc;
use std::net::IpAddr;
use std::time::Duration;

const fn per(max: i32, minutes: u64) -> Limit {
    Limit { max, window: Duration::from_secs(minutes * 60) }
}

/// Logging in: every attempt per address; failed ones only per account.
pub const LOGIN_PER_IP: Limit = per(30, 15);
pub const LOGIN_PER_ACCOUNT: Limit = per(10, 15);
/// Reset requests (each mails someone).
pub const RESET_PER_IP: Limit = per(10, 60);
pub const RESET_PER_ACCOUNT: Limit = per(3, 60);
pub const REGISTER_PER_IP: Limit = per(20, 60);
/// Placing orders: each holds stock for `UNPAID_ORDER_HOURS` and mails the address given.
pub const ORDER_PER_IP: Limit = per(20, 60);
pub const ORDER_PER_SHOPPER: Limit = per(10, 60);
/// Applying coupon codes (guessing them).
pub const COUPON_PER_IP: Limit = per(30, 15);
pub const COUPON_PER_SHOPPER: Limit = per(10, 15);
/// Confirming a payment on return from Stripe (each asks Stripe).
pub const CONFIRM_PER_IP: Limit = per(60, 10);
pub const CONFIRM_PER_SESSION: Limit = per(20, 10);
/// Second-factor codes, per account (a 6-digit code falls to guessing otherwise).
pub const CODE_PER_IP: Limit = per(20, 15);
pub const CODE_PER_ACCOUNT: Limit = per(5, 15);
/// Changing the password or email (each checks the current password: one Argon2 run).
pub const CREDENTIAL_CHANGE_PER_IP: Limit = per(20, 15);
pub const CREDENTIAL_CHANGE_PER_ACCOUNT: Limit = per(5, 15);

/// The address part of a limit's key.
pub fn ip_key(ip: Option<IpAddr>) -> String {
    ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
}

pub fn shopper_key(shopper: &Shopper) -> String {
    match shopper {
        Shopper::Guest(id) => format!("guest:{id}"),
        Shopper::User(id) => format!("user:{id}"),
    }
}

/// Counts one attempt at `action` from `ip` and by `subject`; `RateLimited` (429 with
/// `Retry-After`) once either allowance is used up.
pub async fn throttle(
    state: &AppState,
    action: &str,
    (ip, per_ip): (Option<IpAddr>, Limit),
    (subject, per_subject): (&str, Limit),
) -> Result<(), AppError> {
    let now = Utc::now();
    rate_limit::hit(&state.db, &format!("{action}:ip:{}", ip_key(ip)), per_ip, now).await?;
    // Subjects are bounded (a client-chosen session id could be long).
    let subject: String = subject.chars().take(200).collect();
    rate_limit::hit(&state.db, &format!("{action}:{subject}"), per_subject, now).await
}
