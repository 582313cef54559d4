//! Backups of the shop's database. SQLite: `VACUUM INTO` writes a consistent, compacted
//! copy of a live database (one read transaction: every commit before it is in, none
//! after), which is then checked; restoring puts a checked copy in place while the shop
//! is stopped, keeping the previous file beside it. PostgreSQL has `pg_dump` for this.

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use sqlx::sqlite::SqliteConnectOptions;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What a checked copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub bytes: u64,
    pub orders: i64,
    pub users: i64,
}

/// How to back up and restore a PostgreSQL shop (this command only copies SQLite files).
pub const POSTGRES_HOWTO: &str = "DATABASE_URL is PostgreSQL: back it up with pg_dump, which takes a consistent \
snapshot of a live database:\n  pg_dump --format=custom --file shop.dump \"$DATABASE_URL\"\n\
and restore into an empty database with:\n  pg_restore --clean --if-exists --no-owner --dbname \"$DATABASE_URL\" shop.dump";

fn sql_literal(path: &Path) -> Result<String, String> {
    let text = path.to_str().ok_or_else(|| format!("{}: the path must be valid UTF-8", path.display()))?;
    Ok(format!("'{}'", text.replace('\'', "''")))
}

/// Writes a consistent copy of the live SQLite database `db` to `to` (which must not
/// exist yet), then opens and checks the copy.
pub async fn backup_sqlite(db: &DatabaseConnection, to: &Path) -> Result<Report, String> {
    if to.exists() {
        return Err(format!("{}: already exists; choose a new file name", to.display()));
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let sql = format!("VACUUM INTO {}", sql_literal(to)?);
    db.execute_unprepared(&sql).await.map_err(|e| format!("backup failed: {e}"))?;
    check(to).await
}

/// Opens a copy read-only and checks it: SQLite's integrity check passes and it is a
/// shop database (migrated). Returns what it holds.
pub async fn check(path: &Path) -> Result<Report, String> {
    let bytes = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    let opts = SqliteConnectOptions::new().filename(path).read_only(true);
    let pool = sqlx::SqlitePool::connect_with(opts)
        .await
        .map_err(|e| format!("{}: cannot open: {e}", path.display()))?;
    let conn = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
    let one = |sql: &'static str| {
        let conn = &conn;
        async move {
            conn.query_one(Statement::from_string(sea_orm::DbBackend::Sqlite, sql))
                .await
                .map_err(|e| format!("{}: {e}", path.display()))?
                .ok_or_else(|| format!("{}: no answer to {sql}", path.display()))
        }
    };
    let verdict: String =
        one("PRAGMA integrity_check").await?.try_get_by_index(0).map_err(|e| e.to_string())?;
    if verdict != "ok" {
        return Err(format!("{}: integrity check failed: {verdict}", path.display()));
    }
    let not_a_shop = |e: sea_orm::DbErr| format!("{}: not a shop database ({e})", path.display());
    let orders: i64 = one("SELECT COUNT(*) FROM orders").await?.try_get_by_index(0).map_err(not_a_shop)?;
    let users: i64 = one("SELECT COUNT(*) FROM users").await?.try_get_by_index(0).map_err(not_a_shop)?;
    conn.close().await.ok();
    Ok(Report { bytes, orders, users })
}

/// The file behind a `sqlite:` URL.
pub fn sqlite_file(database_url: &str) -> Result<PathBuf, String> {
    let opts = SqliteConnectOptions::from_str(database_url).map_err(|e| format!("DATABASE_URL: {e}"))?;
    Ok(opts.get_filename().to_path_buf())
}

/// Puts the checked copy `from` in place of the database file `target` (the shop must be
/// stopped). The current file, if any, is kept as `<target>.before-restore-<time>`; its
/// WAL files go with it. Returns where the previous file went.
pub async fn restore_sqlite(from: &Path, target: &Path) -> Result<(Report, Option<PathBuf>), String> {
    let report = check(from).await?;
    let staged = target.with_extension("restoring");
    std::fs::copy(from, &staged).map_err(|e| format!("{}: {e}", staged.display()))?;
    let mut kept = None;
    if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = PathBuf::from(format!("{}.before-restore-{stamp}", target.display()));
        std::fs::rename(target, &aside).map_err(|e| format!("{}: {e}", target.display()))?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", target.display()));
            if side.exists() {
                let moved = PathBuf::from(format!("{}{suffix}", aside.display()));
                std::fs::rename(&side, &moved).map_err(|e| format!("{}: {e}", side.display()))?;
            }
        }
        kept = Some(aside);
    }
    std::fs::rename(&staged, target).map_err(|e| format!("{}: {e}", target.display()))?;
    Ok((report, kept))
}
