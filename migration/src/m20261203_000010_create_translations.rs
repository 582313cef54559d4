//! Catalog translations: a category's and a product's name, slug and description in a
//! language other than English (English stays in `categories` and `products`, and is the
//! fallback wherever a translation is missing). A slug is unique within its language.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CategoryTranslations::Table)
                .col(big_integer(CategoryTranslations::CategoryId))
                .col(string_len(CategoryTranslations::Locale, 8))
                .col(string_len(CategoryTranslations::Name, 100))
                .col(string_len(CategoryTranslations::Slug, 120))
                .primary_key(
                    Index::create().col(CategoryTranslations::CategoryId).col(CategoryTranslations::Locale),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CategoryTranslations::Table, CategoryTranslations::CategoryId)
                        .to(Categories::Table, Categories::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_category_translations_slug")
                .table(CategoryTranslations::Table)
                .col(CategoryTranslations::Locale)
                .col(CategoryTranslations::Slug)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ProductTranslations::Table)
                .col(big_integer(ProductTranslations::ProductId))
                .col(string_len(ProductTranslations::Locale, 8))
                .col(string_len(ProductTranslations::Name, 200))
                .col(string_len(ProductTranslations::Slug, 220))
                .col(text(ProductTranslations::Description))
                .primary_key(
                    Index::create().col(ProductTranslations::ProductId).col(ProductTranslations::Locale),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ProductTranslations::Table, ProductTranslations::ProductId)
                        .to(Products::Table, Products::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ProductTranslations::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(CategoryTranslations::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CategoryTranslations {
    Table,
    CategoryId,
    Locale,
    Name,
    Slug,
}

#[derive(DeriveIden)]
enum ProductTranslations {
    Table,
    ProductId,
    Locale,
    Name,
    Slug,
    Description,
}
