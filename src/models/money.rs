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

/// `units` with a separator between groups of three, once it has `min_digits` digits.
fn grouped(units: u64, separator: char, min_digits: usize) -> String {
    let digits = units.to_string();
    if digits.len() < min_digits {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

impl Money {
    /// The amount as the language writes it (CLDR): `$1,234.56` in English;
    /// `1234,56 US$` and `12.345,67 US$` in Spanish (a group separator only from five
    /// digits on, and a no-break space before the symbol).
    pub fn format_in(&self, locale: super::lang::Locale) -> String {
        use super::lang::Locale;
        match locale {
            Locale::en => self.to_string(),
            Locale::es => {
                let sign = if self.amount < 0 { "-" } else { "" };
                let abs = self.amount.unsigned_abs();
                let symbol = match self.currency.as_str() {
                    "usd" => "US$".to_string(),
                    "eur" => "€".to_string(),
                    other => other.to_uppercase(),
                };
                format!("{sign}{},{:02}\u{a0}{symbol}", grouped(abs / 100, '.', 5), abs % 100)
            }
        }
    }
}

/// English formatting: `$12.34`, `-$0.50`, `12.34 CHF` for currencies without a symbol.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.amount < 0 { "-" } else { "" };
        let abs = self.amount.unsigned_abs();
        let (units, cents) = (grouped(abs / 100, ',', 4), abs % 100);
        match self.symbol() {
            Some(sym) => write!(f, "{sign}{sym}{units}.{cents:02}"),
            None => write!(f, "{sign}{units}.{cents:02} {}", self.currency.to_uppercase()),
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
    fn spanish_writes_money_as_cldr_does() {
        use crate::models::lang::Locale;
        let es = |amount, cur| Money::new(amount, cur).format_in(Locale::es);
        assert_eq!(es(1234, "usd"), "12,34\u{a0}US$");
        assert_eq!(es(123_456, "usd"), "1234,56\u{a0}US$", "no separator in four digits");
        assert_eq!(es(1_234_567, "usd"), "12.345,67\u{a0}US$");
        assert_eq!(es(-50, "usd"), "-0,50\u{a0}US$");
        assert_eq!(es(1000, "eur"), "10,00\u{a0}€");
        assert_eq!(Money::new(1234, "usd").format_in(Locale::en), "$12.34");
    }

    #[test]
    fn unknown_currency_uses_code() {
        assert_eq!(Money::new(1000, "chf").to_string(), "10.00 CHF");
    }
}
