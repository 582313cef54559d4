//! Database migrations, run by `fullstack-ws migrate`, at server start-up, and by sea-orm-cli.

pub use sea_orm_migration::prelude::*;

pub mod emulator;
mod m20261127_000001_create_catalog;
mod m20261127_000002_create_fang_tasks;
mod m20261127_000003_create_mail_and_claims;
mod m20261127_000004_create_sessions_carts_orders;
mod m20261127_000005_create_accounts;
mod m20261127_000006_create_payments;
mod m20261127_000007_create_admin;
mod m20261202_000008_create_app_secrets;
mod m20261202_000009_create_two_factor;
mod m20261203_000010_create_translations;
mod m20261203_000011_create_order_locale;
mod m20261203_000012_create_user_locale;
mod m20261203_000013_create_co_purchases;
mod m20261204_000014_create_product_search;
mod m20261207_000015_create_outbox_invoice;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_catalog::Migration),
            Box::new(m20261127_000002_create_fang_tasks::Migration),
            Box::new(m20261127_000003_create_mail_and_claims::Migration),
            Box::new(m20261127_000004_create_sessions_carts_orders::Migration),
            Box::new(m20261127_000005_create_accounts::Migration),
            Box::new(m20261127_000006_create_payments::Migration),
            Box::new(m20261127_000007_create_admin::Migration),
            Box::new(m20261202_000008_create_app_secrets::Migration),
            Box::new(m20261202_000009_create_two_factor::Migration),
            Box::new(m20261203_000010_create_translations::Migration),
            Box::new(m20261203_000011_create_order_locale::Migration),
            Box::new(m20261203_000012_create_user_locale::Migration),
            Box::new(m20261203_000013_create_co_purchases::Migration),
            Box::new(m20261204_000014_create_product_search::Migration),
            Box::new(m20261207_000015_create_outbox_invoice::Migration),
        ]
    }
}
