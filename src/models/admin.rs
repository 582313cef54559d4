//! Back-office DTOs and the validation of what admins submit, shared by the admin pages,
//! their server functions and the REST API under `/api/v1/admin`.

use super::account::Role;
use super::{AppError, FieldErrors, Money, Order, OrderStatus, PaymentIssue};
use serde::{Deserialize, Serialize};

pub const ADMIN_PER_PAGE: u32 = 25;
pub const ADMIN_MAX_PER_PAGE: u32 = 200;
/// The most expensive product the shop sells: $999,999.99 (Stripe's unit amount limit).
pub const MAX_PRICE: i64 = 99_999_999;
pub const MAX_STOCK: i32 = 1_000_000;

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

/// Page and page size, bounded: page ≥ 1, 1 ≤ per_page ≤ [`ADMIN_MAX_PER_PAGE`].
pub fn page_bounds(page: Option<u32>, per_page: Option<u32>) -> Result<(u32, u32), AppError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(ADMIN_PER_PAGE);
    if page == 0 || page > super::MAX_PAGE {
        return Err(AppError::field("page", "Page must be between 1 and 10000."));
    }
    if per_page == 0 || per_page > ADMIN_MAX_PER_PAGE {
        return Err(AppError::field("per_page", "Page size must be between 1 and 200."));
    }
    Ok((page, per_page))
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

/// The order list's filters as they arrive. Dates are `YYYY-MM-DD` (UTC days, both ends
/// included).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct OrderFilter {
    /// `created`, `paid` or `cancelled`.
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Part of the customer's email, case-insensitive.
    pub email: Option<String>,
    /// `newest` (default), `oldest`, `total_desc`, `total_asc`.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl OrderFilter {
    /// The query string for this filter (without `page`), for links and the CSV export.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (key, value) in [
            ("status", &self.status),
            ("from", &self.from),
            ("to", &self.to),
            ("email", &self.email),
            ("sort", &self.sort),
        ] {
            if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
                pairs.push((key, v.clone()));
            }
        }
        pairs.iter().map(|(k, v)| format!("{k}={}", encode_query_value(v))).collect::<Vec<_>>().join("&")
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode_query_value(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdminOrderRow {
    pub id: i64,
    /// RFC 3339.
    pub created_at: String,
    pub status: OrderStatus,
    pub email: String,
    pub customer_name: String,
    pub total: Money,
    pub refund_due: bool,
}

/// A stored Stripe event as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PaymentEventView {
    pub id: i64,
    pub stripe_event_id: String,
    pub event_type: String,
    pub order_id: Option<i64>,
    /// RFC 3339.
    pub received_at: String,
    pub processed_at: Option<String>,
    pub outcome: Option<String>,
    pub detail: Option<String>,
    /// The raw event as Stripe signed it.
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdminOrderDetail {
    pub order: Order,
    /// The account that placed it (none for guest orders).
    pub customer: Option<AdminUser>,
    pub refund_due: bool,
    pub payment_problem: Option<String>,
    pub payment_intent_id: Option<String>,
    pub checkout_session_id: Option<String>,
    /// The payment in Stripe's dashboard; only when running on real Stripe.
    pub stripe_dashboard_url: Option<String>,
    /// Oldest first.
    pub events: Vec<PaymentEventView>,
    /// RFC 3339.
    pub cancelled_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdminUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    /// RFC 3339.
    pub created_at: String,
    pub last_login_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct UserFilter {
    /// Part of the email or name, case-insensitive.
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// `PATCH /admin/users/{id}`: either or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserPatch {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// The states a job is listed by.
pub const JOB_STATES: [&str; 4] = ["pending", "running", "retrying", "failed"];

/// A job in fang's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct JobRow {
    pub id: String,
    /// The job's Rust type, e.g. `DeliverMail`.
    pub job: String,
    /// `pending`, `running`, `retrying` or `failed`.
    pub state: String,
    pub retries: i32,
    pub error: Option<String>,
    /// RFC 3339: when it runs next (pending, retrying) or last ran.
    pub scheduled_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339.
    pub at: String,
    pub actor_email: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON of the record before and after the change (none for creation or deletion).
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Orders and revenue (paid orders) over one window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SalesWindow {
    pub label: String,
    pub orders: u64,
    pub paid_orders: u64,
    pub revenue: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DailyRevenue {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Minor units.
    pub revenue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LowStock {
    pub id: i64,
    pub name: String,
    pub stock: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub windows: Vec<SalesWindow>,
    pub by_status: Vec<(OrderStatus, u64)>,
    /// The last 30 days, oldest first, one entry per day.
    pub daily: Vec<DailyRevenue>,
    pub low_stock: Vec<LowStock>,
    pub payment_issues: Vec<PaymentIssue>,
    /// Events whose processing failed or was flagged, newest first.
    pub flagged_events: Vec<PaymentEventView>,
    /// Failed or retrying jobs.
    pub troubled_jobs: Vec<JobRow>,
    pub accounts: u64,
}

/// Stock at or below this is "low" on the dashboard.
pub const LOW_STOCK: i32 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_as_dollars_and_cents() {
        assert_eq!(parse_price("12"), Some(1200));
        assert_eq!(parse_price("12.5"), Some(1250));
        assert_eq!(parse_price(" $1,234.05 "), Some(123405));
        assert_eq!(parse_price("0.99"), Some(99));
        for bad in ["", "abc", "1.234", "-3", "1e5", "$", ".5", "99999999999999999999"] {
            assert_eq!(parse_price(bad), None, "{bad}");
        }
    }

    #[test]
    fn product_input_reports_every_field() {
        let bad = ProductInput {
            category_id: 0,
            name: "  ".into(),
            description: String::new(),
            price: 0,
            stock: -1,
            available: true,
        };
        let Err(AppError::Validation(fields)) = bad.validate() else { panic!("must fail") };
        for key in ["name", "price", "stock", "category_id"] {
            assert!(fields.contains_key(key), "{key}");
        }
        let good = ProductInput {
            category_id: 1,
            name: " Tea ".into(),
            description: "x".into(),
            price: 1,
            stock: 0,
            available: false,
        };
        assert_eq!(good.validate().unwrap().name, "Tea");
    }

    #[test]
    fn coupon_codes_are_upper_cased_and_limited() {
        let c = CouponInput { code: " spring-10 ".into(), percent: 10, ..Default::default() };
        assert_eq!(c.validate_fields().unwrap().code, "SPRING-10");
        assert!(CouponInput { code: "a b".into(), percent: 10, ..Default::default() }
            .validate_fields()
            .is_err());
        assert!(CouponInput { code: "OK".into(), percent: 0, ..Default::default() }
            .validate_fields()
            .is_err());
        assert!(CouponInput { code: "OK".into(), percent: 101, ..Default::default() }
            .validate_fields()
            .is_err());
    }

    #[test]
    fn order_filter_query_encodes_values() {
        let f = OrderFilter {
            status: Some("paid".into()),
            email: Some("a+b@x.com".into()),
            ..Default::default()
        };
        assert_eq!(f.to_query(), "status=paid&email=a%2Bb%40x.com");
        assert_eq!(OrderFilter::default().to_query(), "");
    }

    #[test]
    fn page_bounds_are_checked() {
        assert_eq!(page_bounds(None, None).unwrap(), (1, ADMIN_PER_PAGE));
        assert!(page_bounds(Some(0), None).is_err());
        assert!(page_bounds(None, Some(201)).is_err());
    }
}
