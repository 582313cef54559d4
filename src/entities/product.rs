use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub category_id: i64,
    pub name: String,
    #[sea_orm(unique)]
    pub slug: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// Minor units.
    pub price: i64,
    pub currency: String,
    pub image: String,
    pub available: bool,
    pub stock: i32,
    /// Ordered once and then removed by an admin: hidden everywhere but order history.
    pub archived: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::category::Entity",
        from = "Column::CategoryId",
        to = "super::category::Column::Id"
    )]
    Category,
}

impl Related<super::category::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Category.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn into_detail(self, category: super::category::Model) -> crate::models::Product {
        crate::models::Product {
            id: self.id,
            price: crate::models::Money::new(self.price, self.currency),
            name: self.name,
            slug: self.slug,
            description: self.description,
            image: self.image,
            stock: self.stock,
            available: self.available,
            category: category.into(),
            created_at: self.created_at.to_rfc3339(),
            updated_at: self.updated_at.to_rfc3339(),
        }
    }

    pub fn into_summary(self, category_slug: String) -> crate::models::ProductSummary {
        crate::models::ProductSummary {
            id: self.id,
            price: crate::models::Money::new(self.price, self.currency),
            name: self.name,
            slug: self.slug,
            image: self.image,
            category_slug,
            in_stock: self.stock > 0,
        }
    }
}
