//! Two-factor sign-in for staff accounts: TOTP (RFC 6238 with totp-rs: SHA-1, 6 digits,
//! 30-second steps, one step of clock drift either way, as every authenticator app
//! expects) and ten single-use recovery codes. A code is accepted once: the account
//! remembers the last step used, and a recovery code is spent by a conditional update.

use crate::entities::{recovery_code, user};
use crate::models::account::{Role, TwoFactorSetup};
use crate::models::messages::msg;
use crate::models::AppError;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

const ISSUER: &str = "Ember and Leaf";
const STEP_SECS: u64 = 30;
pub const RECOVERY_CODE_COUNT: usize = 10;

fn totp(secret: &str, account: &str) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().map_err(|_| AppError::Internal)?;
    // Skew 0: each candidate step is checked on its own, to learn which one matched.
    TOTP::new(Algorithm::SHA1, 6, 0, STEP_SECS, bytes, Some(ISSUER.into()), account.to_owned())
        .map_err(|_| AppError::Internal)
}

/// The time step `code` belongs to (the current one or one either side), if it matches.
fn matching_step(totp: &TOTP, code: &str, now: DateTime<Utc>) -> Option<i64> {
    let current = now.timestamp().max(0) as u64 / STEP_SECS;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| totp.check(code, step * STEP_SECS))
        .map(|step| step as i64)
}

fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// Digits, or a recovery code, as typed: spaces and dashes dropped, lower case.
fn normalized(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_lowercase()
}

/// Starts setting up two-factor sign-in: a new secret, pending until [`confirm`] sees a
/// code made from it (so a mistyped setup cannot lock anyone out).
pub async fn begin(db: &DatabaseConnection, account: &user::Model) -> Result<TwoFactorSetup, AppError> {
    if account.role != Role::Admin {
        return Err(AppError::Forbidden("Two-factor sign-in is for staff accounts.".into()));
    }
    if account.totp_secret.is_some() {
        return Err(AppError::Conflict("Two-factor sign-in is already on.".into()));
    }
    let Secret::Encoded(secret) = Secret::generate_secret().to_encoded() else {
        return Err(AppError::Internal);
    };
    let otpauth_url = totp(&secret, &account.email)?.get_url();
    let mut active: user::ActiveModel = account.clone().into();
    active.totp_pending = Set(Some(secret.clone()));
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    Ok(TwoFactorSetup { secret, otpauth_url })
}

/// Turns two-factor sign-in on once `code` proves the authenticator has the pending
/// secret. Returns the recovery codes, shown once (only their hashes are kept).
pub async fn confirm(
    db: &DatabaseConnection,
    user_id: i64,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    let account =
        user::Entity::find_by_id(user_id).one(db).await?.ok_or_else(|| AppError::not_found("Account"))?;
    let Some(pending) = account.totp_pending.clone() else {
        return Err(AppError::BadRequest("Start setting up two-factor sign-in first.".into()));
    };
    let step = matching_step(&totp(&pending, &account.email)?, &normalized(code), now)
        .ok_or_else(|| AppError::field("code", msg!(code_wrong)))?;
    let codes: Vec<String> = (0..RECOVERY_CODE_COUNT).map(|_| new_recovery_code()).collect();
    let txn = crate::infra::db::begin_write(db).await?;
    let mut active: user::ActiveModel = account.into();
    active.totp_secret = Set(Some(pending));
    active.totp_pending = Set(None);
    active.totp_last_step = Set(Some(step));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user_id)).exec(&txn).await?;
    for code in &codes {
        recovery_code::ActiveModel {
            user_id: Set(user_id),
            code_hash: Set(code_hash(&normalized(code))),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    tracing::info!(user = user_id, "two-factor sign-in turned on");
    Ok(codes)
}

/// Ten random base32 characters, shown as `xxxxx-xxxxx`.
fn new_recovery_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: String = (0..10).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// Checks a sign-in code: a TOTP code not used before, or an unused recovery code
/// (which is spent). Either way a code works once.
pub async fn verify(
    db: &impl ConnectionTrait,
    account: &user::Model,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(secret) = &account.totp_secret else { return Ok(false) };
    let code = normalized(code);
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        let Some(step) = matching_step(&totp(secret, &account.email)?, &code, now) else { return Ok(false) };
        let used = user::Entity::update_many()
            .col_expr(user::Column::TotpLastStep, Expr::value(step))
            .filter(user::Column::Id.eq(account.id))
            .filter(user::Column::TotpLastStep.is_null().or(user::Column::TotpLastStep.lt(step)))
            .exec(db)
            .await?;
        return Ok(used.rows_affected == 1);
    }
    let spent = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
        .filter(recovery_code::Column::UserId.eq(account.id))
        .filter(recovery_code::Column::CodeHash.eq(code_hash(&code)))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if spent.rows_affected == 1 {
        tracing::warn!(user = account.id, "signed in with a recovery code");
    }
    Ok(spent.rows_affected == 1)
}

/// Turns two-factor sign-in off and forgets the secret and the recovery codes.
pub async fn disable(db: &DatabaseConnection, user_id: i64) -> Result<(), AppError> {
    let txn = crate::infra::db::begin_write(db).await?;
    user::Entity::update_many()
        .col_expr(user::Column::TotpSecret, Expr::value(Option::<String>::None))
        .col_expr(user::Column::TotpPending, Expr::value(Option::<String>::None))
        .col_expr(user::Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user_id)).exec(&txn).await?;
    txn.commit().await?;
    tracing::info!(user = user_id, "two-factor sign-in turned off");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_step_and_its_neighbours_only() {
        let Secret::Encoded(secret) = Secret::generate_secret().to_encoded() else { panic!() };
        let t = totp(&secret, "a@b.c").unwrap();
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let step = 1_800_000_000 / 30;
        let code = t.generate(step * 30);
        assert_eq!(matching_step(&t, &code, now), Some(step as i64));
        let late = now + chrono::Duration::seconds(30);
        assert_eq!(matching_step(&t, &code, late), Some(step as i64), "one step of drift");
        let too_late = now + chrono::Duration::seconds(90);
        assert_eq!(matching_step(&t, &code, too_late), None);
    }

    #[test]
    fn recovery_codes_are_typed_loosely() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(normalized(&format!(" {} ", code.to_uppercase())), code.replace('-', ""));
    }
}
