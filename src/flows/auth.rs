//! axum-login over our accounts: the session remembers a user id plus a fingerprint of
//! the password hash, so changing or resetting a password ends every other session, and
//! a disabled account's sessions end at their next request. The fingerprint is an
//! HMAC-SHA256 under a key generated for this database (`infra::secrets`): session rows
//! never hold the password hash, nor anything an attacker could test passwords against.

use crate::entities::user;
use crate::models::AppError;
use crate::services::accounts;
use axum_login::{AuthUser, AuthnBackend, UserId};
use sea_orm::DatabaseConnection;

/// The key of the session fingerprint.
#[derive(Clone)]
pub struct FingerprintKey(std::sync::Arc<[u8]>);

impl FingerprintKey {
    pub fn new(secret: &str) -> Self {
        Self(secret.as_bytes().into())
    }

    fn fingerprint(&self, user: &user::Model) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(&user.id.to_be_bytes());
        mac.update(user.password_hash.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// The signed-in account and its session fingerprint. Its Debug output leaves both the
/// password hash and the fingerprint out (axum-login logs users at debug level).
#[derive(Clone)]
pub struct Account(pub user::Model, [u8; 32]);

impl Account {
    pub fn new(user: user::Model, key: &FingerprintKey) -> Self {
        let fingerprint = key.fingerprint(&user);
        Self(user, fingerprint)
    }
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account").field("id", &self.0.id).field("role", &self.0.role).finish_non_exhaustive()
    }
}

impl AuthUser for Account {
    type Id = i64;

    fn id(&self) -> i64 {
        self.0.id
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.1
    }
}

#[derive(Clone)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Clone)]
pub struct Backend {
    db: DatabaseConnection,
    key: FingerprintKey,
}

impl Backend {
    pub fn new(db: DatabaseConnection, key: FingerprintKey) -> Self {
        Self { db, key }
    }

    /// `user` as a session's account (with its fingerprint).
    pub fn account(&self, user: user::Model) -> Account {
        Account::new(user, &self.key)
    }
}

impl AuthnBackend for Backend {
    type User = Account;
    type Credentials = Credentials;
    type Error = AppError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<Account>, AppError> {
        Ok(accounts::authenticate(&self.db, &creds.email, &creds.password).await?.map(|u| self.account(u)))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<Account>, AppError> {
        Ok(accounts::active_user(&self.db, *id).await?.map(|u| self.account(u)))
    }
}

pub type AuthSession = axum_login::AuthSession<Backend>;
