//! Database connection (SQLite or PostgreSQL) and migrations.

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, SqlxPostgresConnector,
    SqlxSqliteConnector, TransactionTrait,
};
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use std::{str::FromStr, time::Duration};

/// Opens a pool. SQLite gets WAL, foreign keys and a busy timeout so that the web
/// server, the job workers and fang's own pool can share one file.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db_err = |e: sqlx::Error| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e));
    if url.starts_with("sqlite:") {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(db_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = opts.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| DbErr::Custom(format!("{}: {e}", dir.display())))?;
            }
        }
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await.map_err(db_err)?;
        Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
    } else {
        let opts = PgConnectOptions::from_str(url).map_err(db_err)?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(db_err)?;
        Ok(SqlxPostgresConnector::from_sqlx_postgres_pool(pool))
    }
}

/// A transaction that holds the write lock from its first statement. SQLite transactions
/// start as readers, and one that reads and then writes fails with BUSY if another
/// connection wrote in between (orders are placed all the time); a no-op write first
/// avoids that. PostgreSQL needs nothing.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DatabaseBackend::Sqlite {
        txn.execute_unprepared("DELETE FROM audit_log WHERE 1 = 0").await?;
    }
    Ok(txn)
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// The Stripe emulator's tables, kept apart from the shop's (their own migration history),
/// so they exist only in databases where the emulator is served.
pub async fn migrate_emulator(db: &DatabaseConnection) -> Result<(), DbErr> {
    migration::emulator::EmulatorMigrator::up(db, None).await
}

/// Readiness: the database answers, every migration is applied and the job table exists
/// (fang swallows fetch errors, so a missing table would otherwise go unnoticed).
pub async fn check_ready(db: &DatabaseConnection) -> Result<(), NotReady> {
    let failed = |check: &'static str| {
        move |e: DbErr| {
            tracing::warn!(check, error = %e, "readiness check failed");
            NotReady(check)
        }
    };
    db.execute_unprepared("SELECT 1").await.map_err(failed("database"))?;
    let pending = Migrator::get_pending_migrations(db).await.map_err(failed("migrations"))?;
    if !pending.is_empty() {
        tracing::warn!(pending = pending.len(), "readiness: migrations pending");
        return Err(NotReady("migrations"));
    }
    db.execute_unprepared("SELECT COUNT(*) FROM fang_tasks WHERE 1 = 0")
        .await
        .map_err(failed("job queue"))?;
    Ok(())
}

/// Which readiness check failed, and nothing more: the error itself (which may name
/// hosts, users or SQL) goes to the log, not to whoever asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotReady(pub &'static str);

impl std::fmt::Display for NotReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// How many connections the pool holds, how many of them are idle, and its ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

pub fn pool_use(db: &DatabaseConnection) -> PoolUse {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            PoolUse {
                open: pool.size(),
                idle: pool.num_idle() as u32,
                max: pool.options().get_max_connections(),
            }
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            PoolUse {
                open: pool.size(),
                idle: pool.num_idle() as u32,
                max: pool.options().get_max_connections(),
            }
        }
    }
}
