//! fang's task table, created here because fang's own migrations need diesel.
//! The SQL follows fang 0.11's `up.sql` for each backend (PostgreSQL uses the built-in
//! `gen_random_uuid()` instead of the `uuid-ossp` extension).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &str = r#"
CREATE TABLE fang_tasks (
    id BLOB NOT NULL PRIMARY KEY,
    metadata TEXT NOT NULL,
    error_message TEXT,
    state TEXT CHECK (state IN ('new', 'in_progress', 'failed', 'finished', 'retried')) NOT NULL DEFAULT 'new',
    task_type TEXT NOT NULL DEFAULT 'common',
    uniq_hash CHAR(64),
    retries INTEGER NOT NULL DEFAULT 0,
    scheduled_at INTEGER NOT NULL DEFAULT (unixepoch('now')),
    created_at INTEGER NOT NULL DEFAULT (unixepoch('now')),
    updated_at INTEGER NOT NULL DEFAULT (unixepoch('now'))
);
CREATE INDEX fang_tasks_state_index ON fang_tasks(state);
CREATE INDEX fang_tasks_type_index ON fang_tasks(task_type);
CREATE INDEX fang_tasks_scheduled_at_index ON fang_tasks(scheduled_at);
CREATE INDEX fang_tasks_uniq_hash ON fang_tasks(uniq_hash);
"#;

const POSTGRES_UP: &str = r#"
CREATE TYPE fang_task_state AS ENUM ('new', 'in_progress', 'failed', 'finished', 'retried');
CREATE TABLE fang_tasks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    metadata jsonb NOT NULL,
    error_message TEXT,
    state fang_task_state DEFAULT 'new' NOT NULL,
    task_type TEXT DEFAULT 'common' NOT NULL,
    uniq_hash TEXT,
    retries INTEGER DEFAULT 0 NOT NULL,
    scheduled_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
CREATE INDEX fang_tasks_state_index ON fang_tasks(state);
CREATE INDEX fang_tasks_type_index ON fang_tasks(task_type);
CREATE INDEX fang_tasks_scheduled_at_index ON fang_tasks(scheduled_at);
CREATE INDEX fang_tasks_uniq_hash ON fang_tasks(uniq_hash);
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let sql = match m.get_database_backend() {
            DatabaseBackend::Sqlite => SQLITE_UP,
            DatabaseBackend::Postgres => POSTGRES_UP,
            other => return Err(DbErr::Migration(format!("unsupported backend {other:?}"))),
        };
        m.get_connection().execute_unprepared(sql).await.map(|_| ())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let sql = match m.get_database_backend() {
            DatabaseBackend::Postgres => "DROP TABLE fang_tasks; DROP TYPE fang_task_state;",
            _ => "DROP TABLE fang_tasks;",
        };
        m.get_connection().execute_unprepared(sql).await.map(|_| ())
    }
}
