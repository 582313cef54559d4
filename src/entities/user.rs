use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Trimmed and lower-cased.
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub role: crate::models::account::Role,
    pub disabled: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
    /// Base32 TOTP secret once two-factor sign-in is on (`services::two_factor`).
    pub totp_secret: Option<String>,
    /// A secret being set up, until a first code proves the authenticator has it.
    pub totp_pending: Option<String>,
    /// The last 30-second step whose code was used (each code works once).
    pub totp_last_step: Option<i64>,
    /// The account's language tag (`en`, `es`): see `models::lang::Locale`.
    pub locale: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
