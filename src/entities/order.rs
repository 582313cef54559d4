use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Set for orders placed by a guest: the guest id of the session that placed it.
    pub guest_id: Option<String>,
    /// Set for orders placed while logged in (or claimed at login by the session that placed them).
    pub user_id: Option<i64>,
    pub status: crate::models::OrderStatus,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub subtotal: i64,
    pub discount: i64,
    pub total: i64,
    pub currency: String,
    pub coupon_code: Option<String>,
    pub coupon_percent: Option<i32>,
    /// From the checkout form (or the REST `Idempotency-Key`): a resubmission finds this order.
    #[sea_orm(unique)]
    pub idempotency_key: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    /// The latest Stripe Checkout Session started for this order.
    pub checkout_session_id: Option<String>,
    /// How many Checkout Sessions were started (part of each one's idempotency key).
    pub checkout_attempts: i32,
    pub payment_intent_id: Option<String>,
    /// Money arrived that the shop must give back (e.g. paid after being cancelled).
    pub refund_due: bool,
    /// Why a payment was not applied as it came (shown to admins).
    pub payment_problem: Option<String>,
    /// The language the order was placed in (`en`, `es`).
    pub locale: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::order_line::Entity")]
    Lines,
}

impl Related<super::order_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Lines.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
