use sea_orm::entity::prelude::*;

/// A Stripe event as received (verified), stored once per Stripe event id. Rows with no
/// `processed_at` are the outbox of the processing job.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub stripe_event_id: String,
    pub event_type: String,
    /// The order the event names (it may not exist).
    pub order_id: Option<i64>,
    pub checkout_session_id: Option<String>,
    /// The raw body as signed by Stripe.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub received_at: DateTimeUtc,
    /// Last time a processing job was enqueued; the reconciler re-enqueues stale ones.
    pub enqueued_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
    /// See `services::payments::EventOutcome`.
    pub outcome: Option<String>,
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
