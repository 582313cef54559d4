use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Outbox: a message is written here (in the caller's transaction) before a job
        // is enqueued to send it, so a lost enqueue is recovered by the reconciler.
        m.create_table(
            Table::create()
                .table(OutboxMail::Table)
                .col(uuid(OutboxMail::Id).primary_key())
                .col(text(OutboxMail::Message))
                .col(string_len(OutboxMail::Recipient, 320))
                .col(string_len(OutboxMail::Subject, 300))
                .col(integer(OutboxMail::Attempts).default(0))
                .col(text_null(OutboxMail::LastError))
                .col(timestamp_with_time_zone(OutboxMail::CreatedAt))
                .col(timestamp_with_time_zone(OutboxMail::EnqueuedAt))
                .col(timestamp_with_time_zone_null(OutboxMail::SentAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_mail_unsent")
                .table(OutboxMail::Table)
                .col(OutboxMail::SentAt)
                .col(OutboxMail::EnqueuedAt)
                .to_owned(),
        )
        .await?;

        // Claims make job effects happen once even when fang runs a job twice.
        m.create_table(
            Table::create()
                .table(EffectClaim::Table)
                .col(string_len(EffectClaim::Key, 200).primary_key())
                .col(timestamp_with_time_zone(EffectClaim::ClaimedAt))
                .col(timestamp_with_time_zone_null(EffectClaim::DoneAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(EffectClaim::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(OutboxMail::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum OutboxMail {
    #[sea_orm(iden = "outbox_mail")]
    Table,
    Id,
    Message,
    Recipient,
    Subject,
    Attempts,
    LastError,
    CreatedAt,
    EnqueuedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum EffectClaim {
    #[sea_orm(iden = "effect_claims")]
    Table,
    Key,
    ClaimedAt,
    DoneAt,
}
