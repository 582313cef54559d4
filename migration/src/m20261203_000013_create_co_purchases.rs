//! Co-purchase counts: how many paid orders held both products of a pair. Kept by the
//! payment pipeline in the transaction that marks an order paid (so exactly once per
//! order), taken back when a paid order is cancelled (its refund). Both directions of a
//! pair are stored, so "bought with X" is one indexed range.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CoPurchases::Table)
                .col(big_integer(CoPurchases::ProductId))
                .col(big_integer(CoPurchases::OtherId))
                .col(big_integer(CoPurchases::Orders).default(0))
                .primary_key(Index::create().col(CoPurchases::ProductId).col(CoPurchases::OtherId))
                .foreign_key(
                    ForeignKey::create()
                        .from(CoPurchases::Table, CoPurchases::ProductId)
                        .to(Products::Table, Products::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CoPurchases::Table, CoPurchases::OtherId)
                        .to(Products::Table, Products::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CoPurchases::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum CoPurchases {
    Table,
    ProductId,
    OtherId,
    Orders,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}
