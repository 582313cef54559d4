//! The cart as the shopper sees it, and the arithmetic behind it. Every figure is
//! computed on the server from current catalog prices; the browser only displays them.

use super::Money;
use crate::models::messages::msg;
use serde::{Deserialize, Serialize};

/// No line may hold more than this many units, whatever the stock.
pub const MAX_QUANTITY_PER_LINE: i32 = 20;

/// The most of one product a shopper may hold: `min(20, stock)`.
pub fn max_quantity(stock: i32) -> i32 {
    stock.clamp(0, MAX_QUANTITY_PER_LINE)
}

/// The coupon discount on `subtotal` minor units: `percent`% rounded half up to the
/// nearest minor unit (10% of $0.05 is $0.01; 10% of $0.04 is $0.00).
pub fn discount(subtotal: i64, percent: i32) -> i64 {
    let percent = i64::from(percent.clamp(0, 100));
    (subtotal * percent + 50) / 100
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CartLine {
    pub product_id: i64,
    pub name: String,
    pub url: String,
    pub image: String,
    pub unit_price: Money,
    pub quantity: i32,
    /// The largest quantity the shopper may choose now (0 when it can no longer be bought).
    pub max_quantity: i32,
    pub line_total: Money,
    /// Why this line cannot be ordered as it is (sold out, fewer left, withdrawn).
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppliedCoupon {
    pub code: String,
    pub percent: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Cart {
    pub lines: Vec<CartLine>,
    /// Units across all lines.
    pub item_count: i32,
    pub subtotal: Money,
    pub coupon: Option<AppliedCoupon>,
    /// Set when the coupon on the cart no longer applies (expired, deactivated).
    pub coupon_problem: Option<String>,
    pub discount: Money,
    pub total: Money,
}

impl Cart {
    pub fn empty(currency: &str) -> Self {
        Self {
            lines: Vec::new(),
            item_count: 0,
            subtotal: Money::new(0, currency),
            coupon: None,
            coupon_problem: None,
            discount: Money::new(0, currency),
            total: Money::new(0, currency),
        }
    }

    /// True when every line can be ordered as it stands.
    pub fn can_check_out(&self) -> bool {
        !self.lines.is_empty() && self.lines.iter().all(|l| l.problem.is_none())
    }

    /// The header link's text: "2 items, $25.00" ("2 artículos, 25,00 US$").
    pub fn summary(&self, locale: super::lang::Locale) -> String {
        use super::i18n::td_string;
        let count = self.item_count;
        format!("{}, {}", td_string!(locale, cart.items, count = count), self.total.format_in(locale))
    }
}

/// Validates a requested line quantity: 1..=`max` (0 removes, where the caller allows it).
pub fn check_quantity(quantity: i32, max: i32) -> Result<i32, super::AppError> {
    if max == 0 {
        return Err(super::AppError::field("quantity", msg!(product_sold_out)));
    }
    if !(1..=max).contains(&quantity) {
        return Err(super::AppError::field("quantity", msg!(quantity_range, max)));
    }
    Ok(quantity)
}

/// Normalizes a coupon code as typed: trimmed, upper-case; 1–50 letters, digits, `-` or `_`.
pub fn normalize_coupon_code(raw: &str) -> Result<String, super::AppError> {
    let code = raw.trim().to_uppercase();
    if code.is_empty() {
        return Err(super::AppError::field("code", msg!(coupon_required)));
    }
    if code.len() > 50 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(super::AppError::field("code", msg!(coupon_unknown)));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discount_rounds_half_up_to_the_minor_unit() {
        assert_eq!(discount(10_000, 10), 1_000);
        assert_eq!(discount(5, 10), 1); // 0.5 cent → 1
        assert_eq!(discount(4, 10), 0); // 0.4 cent → 0
        assert_eq!(discount(1_999, 15), 300); // 299.85 → 300
        assert_eq!(discount(1_234, 100), 1_234);
        assert_eq!(discount(1_234, 0), 0);
    }

    #[test]
    fn max_quantity_is_capped_by_stock_and_twenty() {
        assert_eq!(max_quantity(3), 3);
        assert_eq!(max_quantity(50), 20);
        assert_eq!(max_quantity(0), 0);
        assert_eq!(max_quantity(-1), 0);
    }

    #[test]
    fn quantities_outside_the_range_are_field_errors() {
        assert_eq!(check_quantity(3, 5), Ok(3));
        assert!(check_quantity(0, 5).is_err());
        assert!(check_quantity(6, 5).is_err());
        assert!(check_quantity(1, 0).is_err());
    }

    #[test]
    fn coupon_codes_are_trimmed_and_upper_cased() {
        assert_eq!(normalize_coupon_code("  welcome10 ").unwrap(), "WELCOME10");
        assert!(normalize_coupon_code("   ").is_err());
        assert!(normalize_coupon_code("DROP TABLE").is_err());
        assert!(normalize_coupon_code(&"A".repeat(51)).is_err());
    }

    #[test]
    fn summary_reads_naturally() {
        let mut cart = Cart::empty("usd");
        use crate::models::lang::Locale;
        assert_eq!(cart.summary(Locale::en), "0 items, $0.00");
        assert_eq!(cart.summary(Locale::es), "0 artículos, 0,00\u{a0}US$");
        cart.item_count = 1;
        cart.total = Money::new(1250, "usd");
        assert_eq!(cart.summary(Locale::en), "1 item, $12.50");
        assert_eq!(cart.summary(Locale::es), "1 artículo, 12,50\u{a0}US$");
        cart.item_count = 2;
        assert_eq!(cart.summary(Locale::en), "2 items, $12.50");
    }
}
