use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Category::Table)
                .col(pk_auto(Category::Id).big_integer())
                .col(string_len(Category::Name, 100))
                .col(string_len_uniq(Category::Slug, 120))
                .col(timestamp_with_time_zone(Category::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Product::Table)
                .col(pk_auto(Product::Id).big_integer())
                .col(big_integer(Product::CategoryId))
                .col(string_len(Product::Name, 200))
                .col(string_len_uniq(Product::Slug, 120))
                .col(text(Product::Description))
                .col(big_integer(Product::Price))
                .col(string_len(Product::Currency, 3))
                .col(string_len(Product::Image, 300))
                .col(boolean(Product::Available))
                .col(integer(Product::Stock))
                .col(timestamp_with_time_zone(Product::CreatedAt))
                .col(timestamp_with_time_zone(Product::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Product::Table, Product::CategoryId)
                        .to(Category::Table, Category::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .check(Expr::col(Product::Price).gte(0))
                .check(Expr::col(Product::Stock).gte(0))
                .to_owned(),
        )
        .await?;
        // The listing filters on availability (and category) and sorts by date or price.
        for (name, cols) in [
            ("idx_products_category_created", [Product::CategoryId, Product::CreatedAt]),
            ("idx_products_available_created", [Product::Available, Product::CreatedAt]),
            ("idx_products_available_price", [Product::Available, Product::Price]),
        ] {
            let [first, second] = cols;
            m.create_index(
                Index::create().name(name).table(Product::Table).col(first).col(second).to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(Coupon::Table)
                .col(pk_auto(Coupon::Id).big_integer())
                .col(string_len_uniq(Coupon::Code, 50))
                .col(integer(Coupon::Percent))
                .col(timestamp_with_time_zone(Coupon::ValidFrom))
                .col(timestamp_with_time_zone(Coupon::ValidTo))
                .col(boolean(Coupon::Active))
                .check(Expr::col(Coupon::Percent).between(0, 100))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Coupon::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Product::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Category::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Category {
    #[sea_orm(iden = "categories")]
    Table,
    Id,
    Name,
    Slug,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Product {
    #[sea_orm(iden = "products")]
    Table,
    Id,
    CategoryId,
    Name,
    Slug,
    Description,
    Price,
    Currency,
    Image,
    Available,
    Stock,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Coupon {
    #[sea_orm(iden = "coupons")]
    Table,
    Id,
    Code,
    Percent,
    ValidFrom,
    ValidTo,
    Active,
}
