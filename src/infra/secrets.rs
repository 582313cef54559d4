//! Secrets the shop generates once per database (`app_secrets`): the first process to ask
//! creates one, and every later process of that shop reads the same value.

use rand::distributions::{Alphanumeric, DistString};
use sea_orm::{ConnectionTrait, DbErr, Statement};

/// What the development emulator signs webhooks with when `STRIPE_WEBHOOK_SECRET` is unset.
pub const EMULATOR_WEBHOOK_SECRET: &str = "emulator_webhook_secret";
/// The key of the session fingerprint of an account's password (see `flows::auth`).
pub const SESSION_KEY: &str = "session_key";

/// The secret called `name`, generated (48 random alphanumerics after `prefix`) if this
/// database has none yet. Concurrent first calls agree: the insert keeps the first value.
pub async fn get_or_create(db: &impl ConnectionTrait, name: &str, prefix: &str) -> Result<String, DbErr> {
    let backend = db.get_database_backend();
    let fresh = format!("{prefix}{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 48));
    db.execute(Statement::from_sql_and_values(
        backend,
        "INSERT INTO app_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        [name.into(), fresh.into(), chrono::Utc::now().into()],
    ))
    .await?;
    let row = db
        .query_one(Statement::from_sql_and_values(
            backend,
            "SELECT value FROM app_secrets WHERE name = $1",
            [name.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("app secret {name}")))?;
    row.try_get("", "value")
}
