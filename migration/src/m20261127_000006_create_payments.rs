use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // What an order knows of its payment. The same SQL works on both backends.
        let db = m.get_connection();
        for sql in [
            "ALTER TABLE orders ADD COLUMN checkout_session_id VARCHAR(255)",
            "ALTER TABLE orders ADD COLUMN checkout_attempts INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE orders ADD COLUMN payment_intent_id VARCHAR(255)",
            "ALTER TABLE orders ADD COLUMN refund_due BOOLEAN NOT NULL DEFAULT FALSE",
            "ALTER TABLE orders ADD COLUMN payment_problem VARCHAR(500)",
            "CREATE INDEX idx_orders_checkout_session ON orders (checkout_session_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }

        // Every Stripe event received, once (the outbox for its processing job).
        m.create_table(
            Table::create()
                .table(PaymentEvent::Table)
                .col(pk_auto(PaymentEvent::Id).big_integer())
                .col(string_len_uniq(PaymentEvent::StripeEventId, 255))
                .col(string_len(PaymentEvent::EventType, 100))
                // No foreign key: an event may name an order this shop does not have.
                .col(big_integer_null(PaymentEvent::OrderId))
                .col(string_len_null(PaymentEvent::CheckoutSessionId, 255))
                .col(text(PaymentEvent::Payload))
                .col(timestamp_with_time_zone(PaymentEvent::ReceivedAt))
                .col(timestamp_with_time_zone(PaymentEvent::EnqueuedAt))
                .col(timestamp_with_time_zone_null(PaymentEvent::ProcessedAt))
                .col(string_len_null(PaymentEvent::Outcome, 40))
                .col(string_len_null(PaymentEvent::Detail, 500))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_payment_events_unprocessed")
                .table(PaymentEvent::Table)
                .col(PaymentEvent::ProcessedAt)
                .col(PaymentEvent::EnqueuedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_payment_events_order")
                .table(PaymentEvent::Table)
                .col(PaymentEvent::OrderId)
                .to_owned(),
        )
        .await?;
        // (The emulator's tables have their own migrations: `emulator`.)
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PaymentEvent::Table).to_owned()).await?;
        let db = m.get_connection();
        for sql in [
            "DROP INDEX idx_orders_checkout_session",
            "ALTER TABLE orders DROP COLUMN payment_problem",
            "ALTER TABLE orders DROP COLUMN refund_due",
            "ALTER TABLE orders DROP COLUMN payment_intent_id",
            "ALTER TABLE orders DROP COLUMN checkout_attempts",
            "ALTER TABLE orders DROP COLUMN checkout_session_id",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum PaymentEvent {
    #[sea_orm(iden = "payment_events")]
    Table,
    Id,
    StripeEventId,
    EventType,
    OrderId,
    CheckoutSessionId,
    Payload,
    ReceivedAt,
    EnqueuedAt,
    ProcessedAt,
    Outcome,
    Detail,
}
