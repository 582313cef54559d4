//! Server-side sessions: tower-sessions records kept in the shop's own database, so any
//! number of server processes share them. The cookie carries only the random session id.

use crate::entities::session;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};

pub const COOKIE_NAME: &str = "fws_session";
/// Over https the cookie carries the `__Host-` prefix: browsers then insist on `Secure`,
/// `Path=/` and no `Domain`, so no other host can plant or read it.
pub const SECURE_COOKIE_NAME: &str = "__Host-fws_session";

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Deletes expired sessions; returns how many.
    pub async fn delete_expired(&self) -> Result<u64, sea_orm::DbErr> {
        let gone = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lt(Utc::now()))
            .exec(&self.db)
            .await?;
        Ok(gone.rows_affected)
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn row(record: &Record) -> session_store::Result<session::ActiveModel> {
    let expires_at = DateTime::<Utc>::from_timestamp(record.expiry_date.unix_timestamp(), 0)
        .ok_or_else(|| session_store::Error::Encode("expiry out of range".into()))?;
    let data = serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    Ok(session::ActiveModel { id: Set(record.id.to_string()), data: Set(data), expires_at: Set(expires_at) })
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; a collision is astronomically unlikely, but never
        // overwrite someone else's session: draw again instead.
        loop {
            let inserted = session::Entity::insert(row(record)?)
                .on_conflict(OnConflict::column(session::Column::Id).do_nothing().to_owned())
                .exec_without_returning(&self.db)
                .await
                .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        session::Entity::insert(row(record)?)
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let found = session::Entity::find_by_id(id.to_string())
            .filter(session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        found
            .map(|row| {
                serde_json::from_str(&row.data).map_err(|e| session_store::Error::Decode(e.to_string()))
            })
            .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(id.to_string()).exec(&self.db).await.map_err(backend)?;
        Ok(())
    }
}

/// The session layer: `HttpOnly`, `SameSite=Lax`, `Secure` and `__Host-` when the site is
/// served over https; a guest's session (and cart) lasts `idle_days` after its last use.
/// Logging in sets the session's own expiry (see `flows::accounts`).
pub fn layer(db: DatabaseConnection, site_url: &str, idle_days: u32) -> SessionManagerLayer<DbSessionStore> {
    let https = site_url.starts_with("https://");
    SessionManagerLayer::new(DbSessionStore::new(db))
        .with_name(if https { SECURE_COOKIE_NAME } else { COOKIE_NAME })
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(https)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::days(i64::from(idle_days))))
}
