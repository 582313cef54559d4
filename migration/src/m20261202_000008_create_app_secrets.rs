//! Security: secrets the shop generates for itself, one per database (the development
//! emulator's webhook signing secret, the key of the session fingerprint), kept in the
//! database so every process of one shop agrees on them and no constant in the source can
//! forge them; and the mailed links that confirm or undo a change of sign-in address.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AppSecrets::Table)
                .col(string_len(AppSecrets::Name, 60).primary_key())
                .col(text(AppSecrets::Value))
                .col(timestamp_with_time_zone(AppSecrets::CreatedAt))
                .to_owned(),
        )
        .await?;
        // Only a SHA-256 of each token is stored, as for password resets.
        m.create_table(
            Table::create()
                .table(EmailChanges::Table)
                .col(string_len(EmailChanges::TokenHash, 64).primary_key())
                .col(big_integer(EmailChanges::UserId))
                .col(string_len(EmailChanges::Kind, 10))
                .col(string_len(EmailChanges::Email, 255))
                .col(timestamp_with_time_zone(EmailChanges::CreatedAt))
                .col(timestamp_with_time_zone(EmailChanges::ExpiresAt))
                .col(timestamp_with_time_zone_null(EmailChanges::UsedAt))
                .check(Expr::col(EmailChanges::Kind).is_in(["confirm", "undo"]))
                .foreign_key(
                    ForeignKey::create()
                        .from(EmailChanges::Table, EmailChanges::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_email_changes_user")
                .table(EmailChanges::Table)
                .col(EmailChanges::UserId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(EmailChanges::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AppSecrets::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AppSecrets {
    Table,
    Name,
    Value,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EmailChanges {
    Table,
    TokenHash,
    UserId,
    Kind,
    Email,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
