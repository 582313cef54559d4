use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_mail")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The RFC 5322 message, formatted once when queued (all but a late invoice).
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub recipient: String,
    pub subject: String,
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    /// Last time a send job was enqueued for it; the reconciler re-enqueues stale ones.
    pub enqueued_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// The order whose PDF invoice is added to `message` when it is delivered.
    pub attach_invoice_of: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
