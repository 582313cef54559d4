use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Server-side sessions (tower-sessions records as JSON), shared by every process.
        m.create_table(
            Table::create()
                .table(Session::Table)
                .col(string_len(Session::Id, 64).primary_key())
                .col(text(Session::Data))
                .col(timestamp_with_time_zone(Session::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sessions_expires")
                .table(Session::Table)
                .col(Session::ExpiresAt)
                .to_owned(),
        )
        .await?;

        // One cart per shopper. A guest's cart is found through the guest id kept in the
        // session; accounts add their own owner column.
        m.create_table(
            Table::create()
                .table(Cart::Table)
                .col(pk_auto(Cart::Id).big_integer())
                .col(string_len_null(Cart::GuestId, 36).unique_key())
                .col(big_integer_null(Cart::CouponId))
                .col(timestamp_with_time_zone(Cart::CreatedAt))
                .col(timestamp_with_time_zone(Cart::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Cart::Table, Cart::CouponId)
                        .to(Coupon::Table, Coupon::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CartLine::Table)
                .col(big_integer(CartLine::CartId))
                .col(big_integer(CartLine::ProductId))
                .col(integer(CartLine::Quantity))
                .col(timestamp_with_time_zone(CartLine::AddedAt))
                .primary_key(Index::create().col(CartLine::CartId).col(CartLine::ProductId))
                .foreign_key(
                    ForeignKey::create()
                        .from(CartLine::Table, CartLine::CartId)
                        .to(Cart::Table, Cart::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CartLine::Table, CartLine::ProductId)
                        .to(Product::Table, Product::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .check(Expr::col(CartLine::Quantity).gt(0))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Order::Table)
                .col(pk_auto(Order::Id).big_integer())
                .col(string_len_null(Order::GuestId, 36))
                .col(string_len(Order::Status, 16))
                .col(string_len(Order::Email, 254))
                .col(string_len(Order::FirstName, 100))
                .col(string_len(Order::LastName, 100))
                .col(string_len(Order::Address, 200))
                .col(string_len(Order::PostalCode, 20))
                .col(string_len(Order::City, 100))
                .col(big_integer(Order::Subtotal))
                .col(big_integer(Order::Discount))
                .col(big_integer(Order::Total))
                .col(string_len(Order::Currency, 3))
                .col(string_len_null(Order::CouponCode, 50))
                .col(integer_null(Order::CouponPercent))
                .col(string_len_uniq(Order::IdempotencyKey, 64))
                .col(timestamp_with_time_zone(Order::CreatedAt))
                .col(timestamp_with_time_zone(Order::UpdatedAt))
                .col(timestamp_with_time_zone_null(Order::PaidAt))
                .col(timestamp_with_time_zone_null(Order::CancelledAt))
                .check(Expr::col(Order::Status).is_in(["created", "paid", "cancelled"]))
                .check(Expr::col(Order::Total).gte(0))
                .to_owned(),
        )
        .await?;
        // Shoppers list their own orders; the stale-order job looks for old unpaid ones.
        m.create_index(
            Index::create().name("idx_orders_guest").table(Order::Table).col(Order::GuestId).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_orders_status_created")
                .table(Order::Table)
                .col(Order::Status)
                .col(Order::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OrderLine::Table)
                .col(pk_auto(OrderLine::Id).big_integer())
                .col(big_integer(OrderLine::OrderId))
                .col(big_integer(OrderLine::ProductId))
                .col(string_len(OrderLine::ProductName, 200))
                .col(big_integer(OrderLine::UnitPrice))
                .col(integer(OrderLine::Quantity))
                .col(big_integer(OrderLine::LineTotal))
                .foreign_key(
                    ForeignKey::create()
                        .from(OrderLine::Table, OrderLine::OrderId)
                        .to(Order::Table, Order::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(OrderLine::Table, OrderLine::ProductId)
                        .to(Product::Table, Product::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .check(Expr::col(OrderLine::Quantity).gt(0))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_order_lines_order")
                .table(OrderLine::Table)
                .col(OrderLine::OrderId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [OrderLine::Table.into_iden(), Order::Table.into_iden(), CartLine::Table.into_iden()] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        m.drop_table(Table::drop().table(Cart::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Session::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Session {
    #[sea_orm(iden = "sessions")]
    Table,
    Id,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Cart {
    #[sea_orm(iden = "carts")]
    Table,
    Id,
    GuestId,
    CouponId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CartLine {
    #[sea_orm(iden = "cart_lines")]
    Table,
    CartId,
    ProductId,
    Quantity,
    AddedAt,
}

#[derive(DeriveIden)]
enum Order {
    #[sea_orm(iden = "orders")]
    Table,
    Id,
    GuestId,
    Status,
    Email,
    FirstName,
    LastName,
    Address,
    PostalCode,
    City,
    Subtotal,
    Discount,
    Total,
    Currency,
    CouponCode,
    CouponPercent,
    IdempotencyKey,
    CreatedAt,
    UpdatedAt,
    PaidAt,
    CancelledAt,
}

#[derive(DeriveIden)]
enum OrderLine {
    #[sea_orm(iden = "order_lines")]
    Table,
    Id,
    OrderId,
    ProductId,
    ProductName,
    UnitPrice,
    Quantity,
    LineTotal,
}

#[derive(DeriveIden)]
enum Product {
    #[sea_orm(iden = "products")]
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Coupon {
    #[sea_orm(iden = "coupons")]
    Table,
    Id,
}
