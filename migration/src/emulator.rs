//! The Stripe emulator's own tables, with their own migration history
//! (`seaql_emulator_migrations`): run only where the emulator is mounted, so a production
//! database carries no emulator tables. Databases made before this split already have
//! them (the create is `IF NOT EXISTS`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct EmulatorMigrator;

#[async_trait::async_trait]
impl MigratorTrait for EmulatorMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateEmulatorTables)]
    }

    fn migration_table_name() -> DynIden {
        Alias::new("seaql_emulator_migrations").into_iden()
    }
}

struct CreateEmulatorTables;

impl MigrationName for CreateEmulatorTables {
    fn name(&self) -> &str {
        "m20261202_000001_create_emulator_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateEmulatorTables {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The offline Stripe emulator's objects (sessions, coupons, refunds) and the
        // responses it gave per idempotency key. Unused when a real Stripe key is set.
        m.create_table(
            Table::create()
                .if_not_exists()
                .table(EmulatorObject::Table)
                .col(string_len(EmulatorObject::Id, 255).primary_key())
                .col(string_len(EmulatorObject::Kind, 40))
                .col(text(EmulatorObject::Body))
                .col(timestamp_with_time_zone(EmulatorObject::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .if_not_exists()
                .table(EmulatorIdempotency::Table)
                .col(string_len(EmulatorIdempotency::Key, 300).primary_key())
                .col(integer(EmulatorIdempotency::Status))
                .col(text(EmulatorIdempotency::Body))
                .col(timestamp_with_time_zone(EmulatorIdempotency::CreatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(EmulatorIdempotency::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(EmulatorObject::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum EmulatorObject {
    #[sea_orm(iden = "stripe_emulator_objects")]
    Table,
    Id,
    Kind,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EmulatorIdempotency {
    #[sea_orm(iden = "stripe_emulator_idempotency")]
    Table,
    Key,
    Status,
    Body,
    CreatedAt,
}
