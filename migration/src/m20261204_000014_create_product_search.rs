//! The search index: one row per product and language, holding the words shoppers search
//! (the translation where there is one, else English), written by the shop whenever a
//! product's words change (`services::search`).
//!
//! - SQLite: an FTS5 table of Snowball-stemmed words (SQLite has no Spanish stemmer, so the
//!   shop stems them), ranked by bm25.
//! - PostgreSQL: a `tsvector` generated in the row's language (name weighted A,
//!   description B) under a GIN index.
//!
//! `search_words` lists each language's words, for the typo fallback: by trigram
//! similarity on PostgreSQL (`pg_trgm`, which also indexes the back office's searches by
//! email and name), by edit distance on SQLite.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &str = r#"
CREATE VIRTUAL TABLE product_search USING fts5(
    name, description, product_id UNINDEXED, locale UNINDEXED, tokenize = 'unicode61'
);
CREATE TABLE search_words (locale TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (locale, word));
"#;

const POSTGRES_UP: &str = r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE product_search (
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(CASE locale WHEN 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, name), 'A')
        || setweight(to_tsvector(CASE locale WHEN 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, description), 'B')
    ) STORED,
    PRIMARY KEY (product_id, locale)
);
CREATE INDEX product_search_document ON product_search USING GIN (document);
CREATE TABLE search_words (locale TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (locale, word));
CREATE INDEX search_words_trigrams ON search_words USING GIN (word gin_trgm_ops);
CREATE INDEX users_email_trigrams ON users USING GIN (lower(email) gin_trgm_ops);
CREATE INDEX users_name_trigrams ON users USING GIN (lower(name) gin_trgm_ops);
CREATE INDEX orders_email_trigrams ON orders USING GIN (lower(email) gin_trgm_ops);
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
            DatabaseBackend::Postgres => {
                "DROP INDEX orders_email_trigrams; DROP INDEX users_name_trigrams; \
                 DROP INDEX users_email_trigrams; DROP TABLE search_words; DROP TABLE product_search;"
            }
            _ => "DROP TABLE search_words; DROP TABLE product_search;",
        };
        m.get_connection().execute_unprepared(sql).await.map(|_| ())
    }
}
