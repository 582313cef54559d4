//! An account's language: the one its owner last chose (registering, logging in, or
//! switching language while logged in). Account mails and REST answers without an
//! `Accept-Language` use it. English for existing accounts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(string_len(Users::Locale, 8).default("en"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Users::Table).drop_column(Users::Locale).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Locale,
}
