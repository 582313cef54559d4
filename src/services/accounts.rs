//! Accounts: registration, password checks (Argon2id, off the async runtime), profile,
//! password changes and resets (each mailed to the owner), email changes (confirmed from
//! the new address, undoable from the old one), roles. Nothing here reveals whether an
//! email address has an account.

use super::mail;
use crate::entities::{email_change, password_reset, user};
use crate::models::account::{self as rules, Address, Me, Role};
use crate::models::lang::Locale;
use crate::models::messages::msg;
use crate::models::AppError;
use crate::services::orders::MailSettings;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    SqlErr, TransactionTrait,
};
use sha2::{Digest, Sha256};
use std::time::Duration;
use uuid::Uuid;

/// OWASP's Argon2id minimum: 19 MiB, 2 passes, 1 lane.
const ARGON2_M_KIB: u32 = 19 * 1024;
const ARGON2_T: u32 = 2;
const ARGON2_P: u32 = 1;
/// How long a mailed reset link works.
pub const RESET_TOKEN_TTL: Duration = Duration::from_secs(3600);
/// How long the link confirming a new sign-in address works.
pub const EMAIL_CONFIRM_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long the old address may undo a change of sign-in address.
pub const EMAIL_UNDO_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

fn hasher() -> Argon2<'static> {
    let params = Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How long a password check may wait for a free hasher before the request is turned away.
const HASHING_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// At most one Argon2 run per CPU at a time: each takes 19 MiB and ~50 ms of a core, so a
/// flood of logins queues here instead of exhausting memory and starving every request.
async fn hashing_permit() -> Result<tokio::sync::SemaphorePermit<'static>, AppError> {
    static HASHERS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let hashers = HASHERS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    match tokio::time::timeout(HASHING_QUEUE_WAIT, hashers.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) => Err(AppError::Internal),
        Err(_) => {
            tracing::warn!("password hashing queue full; request turned away");
            Err(AppError::Unavailable(msg!(busy).into()))
        }
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "password hashing failed");
    AppError::Internal
}

/// Hashes a password into a PHC string (on a blocking thread: it takes ~50 ms of CPU).
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    let _permit = hashing_permit().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(internal)
    })
    .await
    .map_err(internal)?
}

/// Checks a password against a PHC string (on a blocking thread).
pub async fn verify_password(password: &str, phc: &str) -> Result<bool, AppError> {
    let (password, phc) = (password.to_owned(), phc.to_owned());
    let _permit = hashing_permit().await?;
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&phc).map_err(internal)?;
        Ok(hasher().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(internal)?
}

/// True when a stored hash uses weaker or other parameters than today's.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return true };
    let Ok(params) = Params::try_from(&parsed) else { return true };
    parsed.algorithm.as_str() != "argon2id"
        || params.m_cost() < ARGON2_M_KIB
        || params.t_cost() < ARGON2_T
        || params.p_cost() < ARGON2_P
}

/// A hash of a random password, computed once: unknown emails are checked against it so
/// that they take as long as known ones.
async fn dummy_hash() -> &'static str {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY.get_or_init(|| async { hash_password(&Uuid::new_v4().to_string()).await.unwrap_or_default() }).await
}

/// True for the 10,000 most common passwords (zxcvbn's list of leaked passwords, any
/// letter case).
pub fn is_common_password(password: &str) -> bool {
    use zxcvbn::matching::patterns::MatchPattern;
    let length = password.chars().count();
    if length == 0 || length > rules::PASSWORD_MAX {
        return false;
    }
    zxcvbn::zxcvbn(password, &[]).sequence().iter().any(|m| {
        m.i == 0
            && m.j + 1 == length
            && matches!(&m.pattern, MatchPattern::Dictionary(d)
                // zxcvbn does not export its dictionary type's name; its Debug form is stable.
                if format!("{:?}", d.dictionary_name) == "Passwords" && d.rank <= 10_000 && !d.l33t && !d.reversed)
    })
}

/// Every password rule, server side: length, not the email, not a common password.
pub fn check_new_password(password: &str, email: &str, field: &str) -> Result<(), AppError> {
    rules::check_password(password, email).map_err(|why| AppError::field(field, why))?;
    if is_common_password(password) {
        return Err(AppError::field(field, msg!(common_password)));
    }
    Ok(())
}

pub fn to_me(u: &user::Model) -> Me {
    Me {
        id: u.id,
        email: u.email.clone(),
        name: u.name.clone(),
        role: u.role,
        two_factor: u.totp_secret.is_some(),
        locale: u.locale.clone(),
        address: Address {
            first_name: u.first_name.clone().unwrap_or_default(),
            last_name: u.last_name.clone().unwrap_or_default(),
            address: u.address.clone().unwrap_or_default(),
            postal_code: u.postal_code.clone().unwrap_or_default(),
            city: u.city.clone().unwrap_or_default(),
        },
    }
}

/// What registering did. Callers answer both alike and mail the address either way.
#[derive(Debug)]
pub enum Registered {
    Created(user::Model),
    /// The address already has an account; its owner is told by mail, nobody else.
    AlreadyTaken(user::Model),
}

pub async fn register(
    db: &DatabaseConnection,
    name: &str,
    email: &str,
    password: &str,
    confirm: Option<&str>,
    locale: Locale,
) -> Result<Registered, AppError> {
    // Every problem at once: the shared rules, plus the common-password list.
    let (name, email) =
        match (rules::check_registration(name, email, password, confirm), is_common_password(password)) {
            (Ok(valid), false) => valid,
            (Ok(_), true) => return Err(AppError::field("password", msg!(common_password))),
            (Err(AppError::Validation(mut fields)), common) => {
                if common {
                    fields.entry("password".into()).or_insert_with(|| msg!(common_password).into());
                }
                return Err(AppError::Validation(fields));
            }
            (Err(other), _) => return Err(other),
        };
    // Hash before looking the address up, so both outcomes cost the same.
    let hash = hash_password(password).await?;
    let now = Utc::now();
    let inserted = user::ActiveModel {
        email: Set(email.clone()),
        name: Set(name),
        password_hash: Set(hash),
        role: Set(Role::Customer),
        disabled: Set(false),
        locale: Set(locale.tag().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(created) => {
            tracing::info!(user = created.id, "account registered");
            Ok(Registered::Created(created))
        }
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            let existing = find_by_email(db, &email).await?.ok_or(AppError::Internal)?;
            tracing::info!(user = existing.id, "registration for an existing address");
            Ok(Registered::AlreadyTaken(existing))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(email.trim().to_lowercase())).one(db).await?)
}

/// An enabled account by id (disabled accounts are as good as gone for sessions).
pub async fn active_user(db: &impl ConnectionTrait, id: i64) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find_by_id(id).filter(user::Column::Disabled.eq(false)).one(db).await?)
}

/// Checks an email and password. Unknown addresses are checked against a dummy hash, so
/// they answer as slowly as wrong passwords. A disabled account is refused only once its
/// password is right. Hashes with outdated parameters are upgraded here.
pub async fn authenticate(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
) -> Result<Option<user::Model>, AppError> {
    let found = match rules::normalize_email(email) {
        Ok(email) => find_by_email(db, &email).await?,
        Err(_) => None,
    };
    let Some(found) = found else {
        verify_password(password, dummy_hash().await).await?;
        return Ok(None);
    };
    if !verify_password(password, &found.password_hash).await? {
        return Ok(None);
    }
    if found.disabled {
        return Err(AppError::Forbidden(msg!(account_disabled).into()));
    }
    let mut active: user::ActiveModel = found.clone().into();
    if needs_rehash(&found.password_hash) {
        active.password_hash = Set(hash_password(password).await?);
        tracing::info!(user = found.id, "password hash upgraded");
    }
    active.last_login_at = Set(Some(Utc::now()));
    Ok(Some(active.update(db).await?))
}

pub async fn update_profile(
    db: &DatabaseConnection,
    id: i64,
    name: &str,
    address: &Address,
) -> Result<Me, AppError> {
    let name = rules::normalize_name(name)?;
    let a = rules::check_address(address)?;
    let found = active_user(db, id).await?.ok_or_else(|| AppError::not_found("Account"))?;
    let blank_as_none = |s: String| if s.is_empty() { None } else { Some(s) };
    let mut active: user::ActiveModel = found.into();
    active.name = Set(name);
    active.first_name = Set(blank_as_none(a.first_name));
    active.last_name = Set(blank_as_none(a.last_name));
    active.address = Set(blank_as_none(a.address));
    active.postal_code = Set(blank_as_none(a.postal_code));
    active.city = Set(blank_as_none(a.city));
    active.updated_at = Set(Utc::now());
    Ok(to_me(&active.update(db).await?))
}

/// Sets the account's language (the language its mails are written in).
pub async fn set_language(db: &DatabaseConnection, id: i64, locale: Locale) -> Result<Me, AppError> {
    let found = active_user(db, id).await?.ok_or_else(|| AppError::not_found("Account"))?;
    let mut active: user::ActiveModel = found.into();
    active.locale = Set(locale.tag().to_owned());
    Ok(to_me(&active.update(db).await?))
}

/// Changes the password after checking the current one, and mails the owner that it
/// changed. Other sessions end: their stored password fingerprint no longer matches.
pub async fn change_password(
    db: &DatabaseConnection,
    id: i64,
    current: &str,
    new: &str,
    mail: &MailSettings<'_>,
) -> Result<user::Model, AppError> {
    let found = active_user(db, id).await?.ok_or_else(|| AppError::not_found("Account"))?;
    if !verify_password(current, &found.password_hash).await? {
        return Err(AppError::field("current_password", msg!(wrong_current_password)));
    }
    check_new_password(new, &found.email, "new_password")?;
    let hash = hash_password(new).await?;
    let txn = crate::infra::db::begin_write(db).await?;
    let updated = store_password_hash(&txn, found, hash).await?;
    mail::queue(&txn, mail.from, &mail::templates::password_changed(&updated, Utc::now(), mail.site_url))
        .await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    tracing::info!(user = updated.id, "password changed");
    Ok(updated)
}

/// Stores an already computed hash (hash outside the transaction: it takes ~50 ms).
async fn store_password_hash(
    db: &impl ConnectionTrait,
    found: user::Model,
    hash: String,
) -> Result<user::Model, AppError> {
    let mut active: user::ActiveModel = found.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    Ok(active.update(db).await?)
}

fn address_taken() -> AppError {
    AppError::field("email", msg!(address_unusable))
}

/// Starts a change of sign-in address after checking the password: the new address is
/// mailed a link, and the account keeps its current address until the link is followed
/// (so nobody can move an account to an address they cannot read). Earlier pending links
/// stop working. Returns the new address, normalized.
pub async fn request_email_change(
    db: &DatabaseConnection,
    id: i64,
    password: &str,
    new_email: &str,
    mail: &MailSettings<'_>,
) -> Result<String, AppError> {
    let found = active_user(db, id).await?.ok_or_else(|| AppError::not_found("Account"))?;
    if !verify_password(password, &found.password_hash).await? {
        return Err(AppError::field("current_password", msg!(wrong_current_password)));
    }
    let email = rules::normalize_email(new_email)?;
    if email == found.email {
        return Err(AppError::field("email", msg!(already_your_address)));
    }
    if find_by_email(db, &email).await?.is_some() {
        return Err(address_taken());
    }
    let now = Utc::now();
    let token = new_token();
    let txn = crate::infra::db::begin_write(db).await?;
    retire_email_links(&txn, id, now).await?;
    store_email_link(&txn, &token, id, "confirm", &email, now, EMAIL_CONFIRM_TTL).await?;
    let link = format!("/account/email/confirm/{token}");
    let message = mail::templates::email_change_confirm(&found, &email, &link, mail.site_url);
    mail::queue(&txn, mail.from, &message).await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    tracing::info!(user = id, "email change requested");
    Ok(email)
}

/// Follows a confirm link: the account signs in with the new address from now on, and
/// the old address is told, with a link that undoes the change.
pub async fn confirm_email_change(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
    mail: &MailSettings<'_>,
) -> Result<user::Model, AppError> {
    let txn = crate::infra::db::begin_write(db).await?;
    let link = claim_email_link(&txn, token, "confirm", now).await?;
    let account = active_user(&txn, link.user_id)
        .await?
        .ok_or_else(|| AppError::BadRequest(msg!(invalid_email_link).into()))?;
    let old_email = account.email.clone();
    let updated = set_email(&txn, account, &link.email).await?;
    let undo = new_token();
    store_email_link(&txn, &undo, updated.id, "undo", &old_email, now, EMAIL_UNDO_TTL).await?;
    let undo_link = format!("/account/email/undo/{undo}");
    let message = mail::templates::email_changed(&updated, &old_email, now, &undo_link, mail.site_url);
    mail::queue(&txn, mail.from, &message).await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    tracing::info!(user = updated.id, "email changed");
    Ok(updated)
}

/// Follows an undo link (mailed to the old address): the old address is back, every
/// session ends (the password is replaced by an unusable one) and the old address gets a
/// reset link to set a new password. Whoever made the change is locked out.
pub async fn undo_email_change(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
    mail: &MailSettings<'_>,
) -> Result<user::Model, AppError> {
    let unusable = hash_password(&new_token()).await?;
    let txn = crate::infra::db::begin_write(db).await?;
    let link = claim_email_link(&txn, token, "undo", now).await?;
    let account = user::Entity::find_by_id(link.user_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::BadRequest(msg!(invalid_email_link).into()))?;
    retire_email_links(&txn, account.id, now).await?;
    let restored = set_email(&txn, account, &link.email).await?;
    let restored = store_password_hash(&txn, restored, unusable).await?;
    issue_reset(&txn, &restored, mail.from, mail.site_url).await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    tracing::warn!(user = restored.id, "email change undone; sessions ended, reset link mailed");
    Ok(restored)
}

async fn set_email(
    txn: &impl ConnectionTrait,
    account: user::Model,
    email: &str,
) -> Result<user::Model, AppError> {
    let mut active: user::ActiveModel = account.into();
    active.email = Set(email.to_owned());
    active.updated_at = Set(Utc::now());
    match active.update(txn).await {
        Ok(updated) => Ok(updated),
        // Taken by another account since the link was sent.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(address_taken()),
        Err(e) => Err(e.into()),
    }
}

async fn store_email_link(
    txn: &impl ConnectionTrait,
    token: &str,
    user_id: i64,
    kind: &str,
    email: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<(), AppError> {
    email_change::ActiveModel {
        token_hash: Set(token_hash(token)),
        user_id: Set(user_id),
        kind: Set(kind.to_owned()),
        email: Set(email.to_owned()),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::from_std(ttl).map_err(|_| AppError::Internal)?),
        used_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Ends every outstanding email link of an account.
async fn retire_email_links(
    txn: &impl ConnectionTrait,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    email_change::Entity::update_many()
        .col_expr(email_change::Column::UsedAt, Expr::value(now))
        .filter(email_change::Column::UserId.eq(user_id))
        .filter(email_change::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// Uses a link's token once: of two concurrent uses, one wins.
async fn claim_email_link(
    txn: &impl ConnectionTrait,
    token: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<email_change::Model, AppError> {
    let invalid = || AppError::BadRequest(msg!(invalid_email_link).into());
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let hash = token_hash(token);
    let claimed = email_change::Entity::update_many()
        .col_expr(email_change::Column::UsedAt, Expr::value(now))
        .filter(email_change::Column::TokenHash.eq(hash.clone()))
        .filter(email_change::Column::Kind.eq(kind))
        .filter(email_change::Column::UsedAt.is_null())
        .filter(email_change::Column::ExpiresAt.gt(now))
        .exec(txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(invalid());
    }
    email_change::Entity::find_by_id(hash).one(txn).await?.ok_or_else(invalid)
}

fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// 256 random bits, URL-safe.
fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts a password reset: when the address belongs to an enabled account, stores a
/// hashed single-use token and queues the mail with the link. Returns the mail's id, or
/// `None` (which the caller must not reveal).
pub async fn request_reset(
    db: &DatabaseConnection,
    email: &str,
    from: &Mailbox,
    site_url: &str,
) -> Result<Option<Uuid>, AppError> {
    let email = rules::normalize_email(email)?;
    let Some(found) = find_by_email(db, &email).await?.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    let txn = db.begin().await?;
    let mail_id = issue_reset(&txn, &found, from, site_url).await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    tracing::info!(user = found.id, "password reset requested");
    Ok(Some(mail_id))
}

/// Stores a hashed single-use reset token and queues the mail with its link.
async fn issue_reset(
    txn: &impl ConnectionTrait,
    account: &user::Model,
    from: &Mailbox,
    site_url: &str,
) -> Result<Uuid, AppError> {
    let token = new_token();
    let now = Utc::now();
    password_reset::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(account.id),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::from_std(RESET_TOKEN_TTL).map_err(|_| AppError::Internal)?),
        used_at: Set(None),
    }
    .insert(txn)
    .await?;
    let link = format!("/password-reset/{token}");
    mail::queue(txn, from, &mail::templates::password_reset(account, &link, site_url)).await
}

/// Deletes reset tokens that expired before `cutoff` (housekeeping).
pub async fn forget_expired_resets(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
) -> Result<u64, AppError> {
    let gone = password_reset::Entity::delete_many()
        .filter(password_reset::Column::ExpiresAt.lt(cutoff))
        .exec(db)
        .await?;
    let links = email_change::Entity::delete_many()
        .filter(email_change::Column::ExpiresAt.lt(cutoff))
        .exec(db)
        .await?;
    Ok(gone.rows_affected + links.rows_affected)
}

/// Sets a new password with a mailed token: once, within the hour. Returns the account.
pub async fn reset_password(
    db: &DatabaseConnection,
    token: &str,
    new: &str,
    now: DateTime<Utc>,
    mail: &MailSettings<'_>,
) -> Result<user::Model, AppError> {
    let invalid = || AppError::BadRequest(msg!(invalid_reset_link).into());
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let hash = token_hash(token);
    let found = password_reset::Entity::find_by_id(hash.clone()).one(db).await?.ok_or_else(invalid)?;
    if found.used_at.is_some() || found.expires_at < now {
        return Err(invalid());
    }
    let account = active_user(db, found.user_id).await?.ok_or_else(invalid)?;
    check_new_password(new, &account.email, "new_password")?;
    let new_hash = hash_password(new).await?;
    let txn = crate::infra::db::begin_write(db).await?;
    // Claim the token first: of two concurrent uses, one wins.
    let claimed = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(now))
        .filter(password_reset::Column::TokenHash.eq(hash))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(invalid());
    }
    // Any other outstanding links for this account stop working too.
    password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(now))
        .filter(password_reset::Column::UserId.eq(account.id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    let updated = store_password_hash(&txn, account, new_hash).await?;
    mail::queue(&txn, mail.from, &mail::templates::password_changed(&updated, now, mail.site_url)).await?;
    txn.commit().await?;
    crate::infra::queue::wake();
    tracing::info!(user = updated.id, "password reset");
    Ok(updated)
}

/// What `create-admin` did.
#[derive(Debug, PartialEq, Eq)]
pub enum AdminOutcome {
    Created,
    Promoted,
    AlreadyAdmin,
}

/// Creates an admin account, or promotes an existing account (its password unchanged).
pub async fn create_admin(
    db: &DatabaseConnection,
    email: &str,
    password: Option<&str>,
) -> Result<AdminOutcome, AppError> {
    let email = rules::normalize_email(email)?;
    if let Some(found) = find_by_email(db, &email).await? {
        if found.role == Role::Admin {
            return Ok(AdminOutcome::AlreadyAdmin);
        }
        let mut active: user::ActiveModel = found.into();
        active.role = Set(Role::Admin);
        active.updated_at = Set(Utc::now());
        active.update(db).await?;
        return Ok(AdminOutcome::Promoted);
    }
    let password = password.ok_or_else(|| AppError::field("password", "A new admin needs a password."))?;
    check_new_password(password, &email, "password")?;
    let now = Utc::now();
    user::ActiveModel {
        name: Set(email.split('@').next().unwrap_or("Admin").to_string()),
        email: Set(email),
        password_hash: Set(hash_password(password).await?),
        role: Set(Role::Admin),
        disabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(AdminOutcome::Created)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// While every hashing permit is taken, a password check waits instead of running a
    /// further Argon2 at once; it runs as soon as one is free.
    #[tokio::test]
    async fn password_hashing_waits_for_a_free_permit() {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut held = Vec::new();
        for _ in 0..cpus {
            held.push(hashing_permit().await.unwrap());
        }
        let waiting = tokio::spawn(hash_password("a long enough password"));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!waiting.is_finished(), "no permit, no hashing");
        drop(held);
        let phc = tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap().unwrap();
        assert!(phc.starts_with("$argon2id$"));
    }

    #[test]
    fn common_passwords_are_recognised() {
        for common in ["password", "Password1", "123456789", "qwertyuiop", "iloveyou"] {
            assert!(is_common_password(common), "{common}");
        }
        for rare in ["correct horse battery staple", "Ember&Leaf-2026-tea", "x7#Lq9!vR2m"] {
            assert!(!is_common_password(rare), "{rare}");
        }
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters() {
        let phc = hash_password("correct horse battery").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse battery", &phc).await.unwrap());
        assert!(!verify_password("wrong", &phc).await.unwrap());
        assert!(!needs_rehash(&phc));
        let weak =
            Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8 * 1024, 1, 1, None).unwrap())
                .hash_password(b"pw", &SaltString::generate(&mut rand::rngs::OsRng))
                .unwrap()
                .to_string();
        assert!(needs_rehash(&weak));
    }

    #[test]
    fn tokens_are_256_bits_and_stored_hashed() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_ne!(new_token(), t);
        assert_eq!(token_hash(&t).len(), 64);
        assert_ne!(token_hash(&t), t);
    }
}
