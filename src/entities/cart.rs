use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "carts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The guest id kept in the shopper's session.
    #[sea_orm(unique)]
    pub guest_id: Option<String>,
    /// The account whose cart this is (one per account).
    #[sea_orm(unique)]
    pub user_id: Option<i64>,
    pub coupon_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::cart_line::Entity")]
    Lines,
}

impl Related<super::cart_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Lines.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
