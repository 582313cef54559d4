//! Money as integer minor units plus an ISO 4217 currency code; never floating point.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The shop's one currency (ISO 4217, lowercase).
pub const SHOP_CURRENCY: &str = "usd";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Money {
    /// Amount in minor units (cents for `usd`).
    pub amount: i64,
    /// ISO 4217 code, lowercase (`usd`).
    pub currency: String,
}

impl Money {
    pub fn new(amount: i64, currency: impl Into<String>) -> Self {
        Self { amount, currency: currency.into() }
    }

    fn symbol(&self) -> Option<&'static str> {
        match self.currency.as_str() {
            "usd" => Some("$"),
            "eur" => Some("€"),
            "gbp" => Some("£"),
            _ => None,
        }
    }
}

/// English formatting: `$12.34`, `-$0.50`, `12.34 CHF` for currencies without a symbol.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.amount < 0 { "-" } else { "" };
        let abs = self.amount.unsigned_abs();
        let (units, cents) = (abs / 100, abs % 100);
        let mut grouped = String::new();
        let digits = units.to_string();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        match self.symbol() {
            Some(sym) => write!(f, "{sign}{sym}{grouped}.{cents:02}"),
            None => write!(f, "{sign}{grouped}.{cents:02} {}", self.currency.to_uppercase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Money;

    #[test]
    fn formats_dollars_and_cents() {
        assert_eq!(Money::new(1234, "usd").to_string(), "$12.34");
        assert_eq!(Money::new(5, "usd").to_string(), "$0.05");
        assert_eq!(Money::new(0, "usd").to_string(), "$0.00");
    }

    #[test]
    fn groups_thousands_and_keeps_sign() {
        assert_eq!(Money::new(123_456_789, "usd").to_string(), "$1,234,567.89");
        assert_eq!(Money::new(-50, "usd").to_string(), "-$0.50");
    }

    #[test]
    fn unknown_currency_uses_code() {
        assert_eq!(Money::new(1000, "chf").to_string(), "10.00 CHF");
    }
}
