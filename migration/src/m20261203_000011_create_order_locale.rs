//! The language an order was placed in: what the shop sends about it later (mails, the
//! invoice, the payment page) is in that language. English for existing orders.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Orders::Table)
                .add_column(string_len(Orders::Locale, 8).default("en"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Orders::Table).drop_column(Orders::Locale).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Locale,
}
