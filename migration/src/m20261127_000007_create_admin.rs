//! The back office: archived products, the audit log, and indexes for the admin lists.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            // A product that was ordered is archived instead of deleted (order lines keep it).
            "ALTER TABLE products ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE",
            // Admin order lists and the CSV export page by id or total, often within one
            // status; the dashboard sums paid orders by payment time; "was it ordered?" is
            // asked by product. (Email is matched anywhere in the address: no index helps.)
            "CREATE INDEX idx_orders_created ON orders (created_at)",
            "CREATE INDEX idx_orders_status_id ON orders (status, id)",
            "CREATE INDEX idx_orders_total_id ON orders (total, id)",
            "CREATE INDEX idx_orders_status_total_id ON orders (status, total, id)",
            "CREATE INDEX idx_orders_paid_at ON orders (paid_at)",
            "CREATE INDEX idx_order_lines_product ON order_lines (product_id)",
            "CREATE INDEX idx_products_name ON products (name)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(pk_auto(AuditLog::Id).big_integer())
                .col(timestamp_with_time_zone(AuditLog::At))
                // No foreign key: the entry outlives the account.
                .col(big_integer_null(AuditLog::ActorId))
                .col(string_len(AuditLog::ActorEmail, 255))
                .col(string_len(AuditLog::Action, 60))
                .col(string_len(AuditLog::Entity, 40))
                .col(string_len(AuditLog::EntityId, 64))
                .col(text_null(AuditLog::Before))
                .col(text_null(AuditLog::After))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_audit_at").table(AuditLog::Table).col(AuditLog::At).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_entity")
                .table(AuditLog::Table)
                .col(AuditLog::Entity)
                .col(AuditLog::EntityId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditLog::Table).to_owned()).await?;
        let db = m.get_connection();
        for sql in [
            "DROP INDEX idx_products_name",
            "DROP INDEX idx_order_lines_product",
            "DROP INDEX idx_orders_paid_at",
            "DROP INDEX idx_orders_status_total_id",
            "DROP INDEX idx_orders_total_id",
            "DROP INDEX idx_orders_status_id",
            "DROP INDEX idx_orders_created",
            "ALTER TABLE products DROP COLUMN archived",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    ActorEmail,
    Action,
    Entity,
    EntityId,
    Before,
    After,
}
