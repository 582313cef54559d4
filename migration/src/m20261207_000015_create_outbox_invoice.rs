//! A queued mail can name the order whose PDF invoice it carries: the invoice is drawn
//! when the mail is delivered, not inside the transaction that marks the order paid.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(OutboxMail::Table)
                .add_column(big_integer_null(OutboxMail::AttachInvoiceOf))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(OutboxMail::Table).drop_column(OutboxMail::AttachInvoiceOf).to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum OutboxMail {
    Table,
    AttachInvoiceOf,
}
