//! Products, categories and coupons: what admins see and submit, and its checks.

use super::*;
use crate::models::{AppError, FieldErrors, Money};
use serde::{Deserialize, Serialize};

/// A product as the back office sees it (archived and unavailable ones included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdminProduct {
    pub id: i64,
    pub category_id: i64,
    pub category_name: String,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub price: Money,
    pub stock: i32,
    pub available: bool,
    pub archived: bool,
    pub image: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Its words in the shop's other languages (English is the fields above).
    #[serde(default)]
    pub translations: Vec<ProductTranslation>,
    /// The other languages it has no words in yet (shoppers see English there).
    #[serde(default)]
    pub missing_translations: Vec<String>,
}

/// A product's name, slug and description in another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductTranslation {
    pub locale: String,
    pub name: String,
    pub slug: String,
    pub description: String,
}

/// A category's name and slug in another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CategoryTranslation {
    pub locale: String,
    pub name: String,
    pub slug: String,
}

/// What an admin submits for a translation (the slug is made from the name; categories
/// have no description).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TranslationInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

impl TranslationInput {
    /// Trims the text and checks it with the rules of the English fields.
    pub fn validate(&self, name_max: usize) -> Result<TranslationInput, AppError> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.insert("name".into(), "Enter a name.".into());
        } else if name.chars().count() > name_max {
            errors.insert("name".into(), format!("Use at most {name_max} characters."));
        }
        let description = self.description.trim().to_string();
        if description.chars().count() > 5000 {
            errors.insert("description".into(), "Use at most 5,000 characters.".into());
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(TranslationInput { name, description })
    }
}

/// The shop's languages other than English, which translations are for; `None` for
/// anything else.
pub fn translation_language(tag: &str) -> Option<crate::models::lang::Locale> {
    crate::models::lang::Locale::from_tag(tag)
        .filter(|l| *l != crate::models::lang::Locale::en && l.tag() == tag.to_ascii_lowercase())
}

/// What an admin submits for a product (`price` in minor units).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductInput {
    pub category_id: i64,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub price: i64,
    pub stock: i32,
    #[serde(default)]
    pub available: bool,
}

impl ProductInput {
    /// Trims the text and checks every field, reporting all problems at once.
    pub fn validate(&self) -> Result<ProductInput, AppError> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.insert("name".into(), "Enter a name.".into());
        } else if name.chars().count() > 200 {
            errors.insert("name".into(), "Use at most 200 characters.".into());
        }
        let description = self.description.trim().to_string();
        if description.chars().count() > 5000 {
            errors.insert("description".into(), "Use at most 5,000 characters.".into());
        }
        if self.price <= 0 {
            errors.insert("price".into(), "The price must be more than zero.".into());
        } else if self.price > MAX_PRICE {
            errors.insert("price".into(), "The price is too high.".into());
        }
        if self.stock < 0 {
            errors.insert("stock".into(), "Stock cannot be negative.".into());
        } else if self.stock > MAX_STOCK {
            errors.insert("stock".into(), "Stock is too high.".into());
        }
        if self.category_id <= 0 {
            errors.insert("category_id".into(), "Choose a category.".into());
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(ProductInput { name, description, ..self.clone() })
    }
}

/// Parses a price typed as dollars and cents (`12`, `12.5`, `12.50`, `$1,234.00`) into
/// minor units; `None` if it is not such a number.
pub fn parse_price(text: &str) -> Option<i64> {
    let cleaned: String = text.trim().trim_start_matches('$').chars().filter(|c| *c != ',').collect();
    let (whole, cents) = match cleaned.split_once('.') {
        Some((w, c)) => (w, c),
        None => (cleaned.as_str(), ""),
    };
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || cents.len() > 2 {
        return None;
    }
    if !cents.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = if cents.is_empty() { 0 } else { format!("{cents:0<2}").parse().ok()? };
    whole.checked_mul(100)?.checked_add(cents)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProductSort {
    #[default]
    Newest,
    NameAsc,
    NameDesc,
    PriceAsc,
    PriceDesc,
    StockAsc,
}

impl ProductSort {
    pub const ALL: [(ProductSort, &'static str); 6] = [
        (ProductSort::Newest, "Newest"),
        (ProductSort::NameAsc, "Name A–Z"),
        (ProductSort::NameDesc, "Name Z–A"),
        (ProductSort::PriceAsc, "Price, low to high"),
        (ProductSort::PriceDesc, "Price, high to low"),
        (ProductSort::StockAsc, "Stock, lowest first"),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProductSort::Newest => "newest",
            ProductSort::NameAsc => "name_asc",
            ProductSort::NameDesc => "name_desc",
            ProductSort::PriceAsc => "price_asc",
            ProductSort::PriceDesc => "price_desc",
            ProductSort::StockAsc => "stock_asc",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().map(|(sort, _)| *sort).find(|sort| sort.as_str() == s)
    }
}

/// The product list's filters as they arrive (query string or server function).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct ProductFilter {
    /// Matches name or slug, case-insensitively.
    pub q: Option<String>,
    pub category_id: Option<i64>,
    /// `true` or `false`; absent means both.
    pub available: Option<bool>,
    /// Show archived products instead of current ones.
    #[serde(default)]
    pub archived: bool,
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Availability of many products at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkAvailability {
    pub ids: Vec<i64>,
    pub available: bool,
}

/// What removing a product did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Removal {
    Deleted,
    /// It was ordered, so it is kept for the order history but hidden everywhere else.
    Archived,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdminCategory {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub product_count: u64,
    #[serde(default)]
    pub translations: Vec<CategoryTranslation>,
    #[serde(default)]
    pub missing_translations: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CategoryInput {
    pub name: String,
}

impl CategoryInput {
    pub fn validate(&self) -> Result<CategoryInput, AppError> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            return Err(AppError::field("name", "Enter a name."));
        }
        if name.chars().count() > 100 {
            return Err(AppError::field("name", "Use at most 100 characters."));
        }
        Ok(CategoryInput { name })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdminCoupon {
    pub id: i64,
    pub code: String,
    pub percent: i32,
    /// RFC 3339.
    pub valid_from: String,
    pub valid_to: String,
    pub active: bool,
}

/// A coupon as submitted. Dates are RFC 3339 or `YYYY-MM-DD` (the day's start in UTC for
/// `valid_from`, its end for `valid_to`); checked on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CouponInput {
    pub code: String,
    pub percent: i32,
    pub valid_from: String,
    pub valid_to: String,
    #[serde(default)]
    pub active: bool,
}

impl CouponInput {
    /// The checks that need no clock or calendar (dates are checked on the server).
    pub fn validate_fields(&self) -> Result<CouponInput, AppError> {
        let mut errors = FieldErrors::new();
        let code = self.code.trim().to_uppercase();
        if code.is_empty()
            || code.len() > 50
            || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            errors.insert("code".into(), "Use 1–50 letters, digits, - or _.".into());
        }
        if !(1..=100).contains(&self.percent) {
            errors.insert("percent".into(), "The discount must be between 1 and 100 percent.".into());
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(CouponInput { code, ..self.clone() })
    }
}
