use sea_orm::entity::prelude::*;

/// A mailed link about an account's sign-in address: `confirm` (sent to the new address;
/// following it makes the change) or `undo` (sent to the old one afterwards; following it
/// puts the old address back).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_changes")]
pub struct Model {
    /// SHA-256 (hex) of the token in the link; the token itself is never stored.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub user_id: i64,
    pub kind: String,
    /// The address the link switches the account to.
    pub email: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
