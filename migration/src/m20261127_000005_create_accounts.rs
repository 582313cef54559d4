use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(User::Table)
                .col(pk_auto(User::Id).big_integer())
                .col(string_len_uniq(User::Email, 254))
                .col(string_len(User::Name, 100))
                .col(string_len(User::PasswordHash, 255))
                .col(string_len(User::Role, 16).default("customer"))
                .col(boolean(User::Disabled).default(false))
                .col(string_len_null(User::FirstName, 100))
                .col(string_len_null(User::LastName, 100))
                .col(string_len_null(User::Address, 200))
                .col(string_len_null(User::PostalCode, 20))
                .col(string_len_null(User::City, 100))
                .col(timestamp_with_time_zone(User::CreatedAt))
                .col(timestamp_with_time_zone(User::UpdatedAt))
                .col(timestamp_with_time_zone_null(User::LastLoginAt))
                .check(Expr::col(User::Role).is_in(["customer", "admin"]))
                .to_owned(),
        )
        .await?;

        // Only a SHA-256 of each reset token is stored: a leaked table opens no account.
        m.create_table(
            Table::create()
                .table(PasswordReset::Table)
                .col(string_len(PasswordReset::TokenHash, 64).primary_key())
                .col(big_integer(PasswordReset::UserId))
                .col(timestamp_with_time_zone(PasswordReset::CreatedAt))
                .col(timestamp_with_time_zone(PasswordReset::ExpiresAt))
                .col(timestamp_with_time_zone_null(PasswordReset::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PasswordReset::Table, PasswordReset::UserId)
                        .to(User::Table, User::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_password_resets_user")
                .table(PasswordReset::Table)
                .col(PasswordReset::UserId)
                .to_owned(),
        )
        .await?;

        // Fixed-window counters for login and reset attempts, shared by every process.
        m.create_table(
            Table::create()
                .table(RateLimit::Table)
                .col(string_len(RateLimit::Key, 300).primary_key())
                .col(timestamp_with_time_zone(RateLimit::WindowStart))
                .col(integer(RateLimit::Hits))
                .to_owned(),
        )
        .await?;

        // Carts and orders may now belong to an account. The same SQL works on both
        // backends (SQLite accepts a REFERENCES clause on an added nullable column).
        let db = m.get_connection();
        for sql in [
            "ALTER TABLE carts ADD COLUMN user_id BIGINT REFERENCES users(id) ON DELETE CASCADE",
            "CREATE UNIQUE INDEX idx_carts_user ON carts (user_id)",
            "ALTER TABLE orders ADD COLUMN user_id BIGINT REFERENCES users(id) ON DELETE SET NULL",
            "CREATE INDEX idx_orders_user ON orders (user_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "DROP INDEX idx_orders_user",
            "ALTER TABLE orders DROP COLUMN user_id",
            "DROP INDEX idx_carts_user",
            "ALTER TABLE carts DROP COLUMN user_id",
        ] {
            db.execute_unprepared(sql).await?;
        }
        m.drop_table(Table::drop().table(RateLimit::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(PasswordReset::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(User::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum User {
    #[sea_orm(iden = "users")]
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Role,
    Disabled,
    FirstName,
    LastName,
    Address,
    PostalCode,
    City,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum PasswordReset {
    #[sea_orm(iden = "password_resets")]
    Table,
    TokenHash,
    UserId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum RateLimit {
    #[sea_orm(iden = "rate_limits")]
    Table,
    Key,
    WindowStart,
    Hits,
}
