//! axum-login over our accounts: the session remembers a user id plus a fingerprint of
//! the password hash, so changing or resetting a password ends every other session, and
//! a disabled account's sessions end at their next request.

use crate::entities::user;
use crate::models::AppError;
use crate::services::accounts;
use axum_login::{AuthUser, AuthnBackend, UserId};
use sea_orm::DatabaseConnection;

/// The signed-in account. Its Debug output leaves the password hash out (axum-login logs
/// users at debug level).
#[derive(Clone)]
pub struct Account(pub user::Model);

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
        self.0.password_hash.as_bytes()
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
}

impl Backend {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

impl AuthnBackend for Backend {
    type User = Account;
    type Credentials = Credentials;
    type Error = AppError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<Account>, AppError> {
        Ok(accounts::authenticate(&self.db, &creds.email, &creds.password).await?.map(Account))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<Account>, AppError> {
        Ok(accounts::active_user(&self.db, *id).await?.map(Account))
    }
}

pub type AuthSession = axum_login::AuthSession<Backend>;
