//! Idle and absolute lifetimes of logged-in sessions. tower-sessions saves a session only
//! when it changes, so its own "on inactivity" expiry would really count from the last
//! change (the login). The session instead carries a stamp: when it logged in, when it
//! was last seen, whether it is staff's, whether it is remembered. Every request checks
//! the stamp; it is refreshed at most once a minute, so a busy session costs one write a
//! minute, not one per request.

use crate::flows::auth::AuthSession;
use crate::infra::config::SessionLifetimes;
use crate::models::account::Role;
use crate::models::AppError;
use serde::{Deserialize, Serialize};

const STAMP_KEY: &str = "fws.stamp";
/// How stale `seen_at` may get before a request refreshes it.
const TOUCH_AFTER_SECS: i64 = 60;
/// A guest's session (and cart) lives `SESSION_DAYS` after its last save; a visit at least
/// this long after the last one saves it again.
const GUEST_SEEN_KEY: &str = "fws.seen";
const GUEST_TOUCH_AFTER_SECS: i64 = 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Unix seconds.
    pub logged_in_at: i64,
    pub seen_at: i64,
    pub admin: bool,
    pub remembered: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    /// Still valid; record that it was seen now.
    Touch,
    Expired(&'static str),
}

impl Stamp {
    pub fn new(now: i64, role: Role, remembered: bool) -> Self {
        Self { logged_in_at: now, seen_at: now, admin: role == Role::Admin, remembered }
    }

    /// What a request at `now` does with this session.
    pub fn verdict(&self, now: i64, lifetimes: &SessionLifetimes) -> Verdict {
        let (idle, absolute) = if self.admin {
            (lifetimes.admin_idle, lifetimes.admin_absolute)
        } else if self.remembered {
            (lifetimes.remembered_idle, lifetimes.absolute)
        } else {
            (lifetimes.idle, lifetimes.absolute)
        };
        let over = |since: i64, limit: std::time::Duration| now - since > limit.as_secs() as i64;
        if over(self.logged_in_at, absolute) {
            Verdict::Expired("absolute lifetime")
        } else if over(self.seen_at, idle) {
            Verdict::Expired("idle")
        } else if now - self.seen_at >= TOUCH_AFTER_SECS {
            Verdict::Touch
        } else {
            Verdict::Keep
        }
    }
}

/// Stamps a session that has just logged in.
pub async fn stamp_login(auth: &AuthSession, role: Role, remembered: bool) -> Result<(), AppError> {
    let stamp = Stamp::new(chrono::Utc::now().timestamp(), role, remembered);
    auth.session.insert(STAMP_KEY, stamp).await.map_err(super::shopper::session_error)
}

/// Logs out a session past its idle or absolute lifetime (the request goes on as a
/// guest's), and refreshes a live one's `seen_at`. A logged-in session without a stamp
/// (from before stamps existed) is stamped now.
pub async fn enforce(auth: &mut AuthSession, lifetimes: &SessionLifetimes) -> Result<(), AppError> {
    let now = chrono::Utc::now().timestamp();
    let Some(account) = auth.user.as_ref() else { return touch_guest(auth, now).await };
    let (user, role) = (account.0.id, account.0.role);
    let stamp: Option<Stamp> = auth.session.get(STAMP_KEY).await.map_err(super::shopper::session_error)?;
    let stamp = stamp.unwrap_or_else(|| Stamp::new(now, role, false));
    match stamp.verdict(now, lifetimes) {
        Verdict::Keep => Ok(()),
        Verdict::Touch => {
            let seen = Stamp { seen_at: now, ..stamp };
            auth.session.insert(STAMP_KEY, seen).await.map_err(super::shopper::session_error)
        }
        Verdict::Expired(why) => {
            tracing::info!(user, why, "session expired; logged out");
            auth.logout().await.map_err(|e| match e {
                axum_login::Error::Session(e) => super::shopper::session_error(e),
                axum_login::Error::Backend(e) => e,
            })?;
            Ok(())
        }
    }
}

/// Keeps a returning guest's session alive (only one that exists: a first visit creates
/// nothing).
async fn touch_guest(auth: &AuthSession, now: i64) -> Result<(), AppError> {
    if auth.session.id().is_none() {
        return Ok(());
    }
    let seen: Option<i64> = auth.session.get(GUEST_SEEN_KEY).await.map_err(super::shopper::session_error)?;
    if seen.is_none_or(|seen| now - seen >= GUEST_TOUCH_AFTER_SECS) {
        auth.session.insert(GUEST_SEEN_KEY, now).await.map_err(super::shopper::session_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const MIN: i64 = 60;

    fn lifetimes() -> SessionLifetimes {
        SessionLifetimes {
            remembered_idle: Duration::from_secs(14 * 86400),
            idle: Duration::from_secs(120 * 60),
            absolute: Duration::from_secs(30 * 86400),
            admin_idle: Duration::from_secs(30 * 60),
            admin_absolute: Duration::from_secs(12 * 3600),
        }
    }

    #[test]
    fn staff_sessions_end_sooner() {
        let admin = Stamp::new(0, Role::Admin, true);
        let customer = Stamp::new(0, Role::Customer, true);
        let l = lifetimes();
        assert_eq!(admin.verdict(30, &l), Verdict::Keep);
        assert_eq!(admin.verdict(5 * MIN, &l), Verdict::Touch);
        assert_eq!(admin.verdict(31 * MIN, &l), Verdict::Expired("idle"), "remember does not apply to staff");
        assert_eq!(customer.verdict(31 * MIN, &l), Verdict::Touch);
        let busy_admin = Stamp { seen_at: 12 * 3600, ..admin };
        assert_eq!(busy_admin.verdict(12 * 3600 + MIN, &l), Verdict::Expired("absolute lifetime"));
    }

    #[test]
    fn remembering_stretches_idle_not_absolute() {
        let l = lifetimes();
        let brief = Stamp::new(0, Role::Customer, false);
        assert_eq!(brief.verdict(121 * MIN, &l), Verdict::Expired("idle"));
        let kept = Stamp::new(0, Role::Customer, true);
        assert_eq!(kept.verdict(13 * 86400, &l), Verdict::Touch);
        assert_eq!(kept.verdict(15 * 86400, &l), Verdict::Expired("idle"));
        let daily = Stamp { seen_at: 30 * 86400, ..kept };
        assert_eq!(daily.verdict(30 * 86400 + 2 * MIN, &l), Verdict::Expired("absolute lifetime"));
    }
}
