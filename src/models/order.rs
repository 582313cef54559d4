//! Orders as shoppers see them, the order state machine, and the checkout form's rules
//! (run on the server, and in the browser for instant feedback).

use super::{AppError, FieldErrors, Money};
use crate::models::messages::msg;
use serde::{Deserialize, Serialize};

/// An order's state. On the server it is also the `orders.status` column's type (stored
/// as the lower-case name), so no code parses the column by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "created"))]
    Created,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "paid"))]
    Paid,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "cancelled"))]
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 3] = [Self::Created, Self::Paid, Self::Cancelled];

    /// The one place that says which transitions exist: `created → paid` and
    /// `created → cancelled`. Everything else is refused.
    pub fn can_become(self, next: OrderStatus) -> bool {
        matches!((self, next), (Self::Created, Self::Paid) | (Self::Created, Self::Cancelled))
    }

    /// The states an order may be in for a transition to `next`.
    pub fn sources_of(next: OrderStatus) -> Vec<OrderStatus> {
        Self::ALL.into_iter().filter(|s| s.can_become(next)).collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
        }
    }

    /// As shown to people: `Created`, `Paid`, `Cancelled`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Paid => "Paid",
            Self::Cancelled => "Cancelled",
        }
    }

    /// The status as shoppers read it, in their language (`Paid`, `Pagado`).
    pub fn label_in(self, locale: super::lang::Locale) -> &'static str {
        use super::i18n::td_string;
        match self {
            Self::Created => td_string!(locale, status.created),
            Self::Paid => td_string!(locale, status.paid),
            Self::Cancelled => td_string!(locale, status.cancelled),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

/// Where an order goes, as typed into the checkout form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Shipping {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
}

impl Shipping {
    /// Trims every field, lower-cases the email, and checks each rule; all problems are
    /// reported at once, by field.
    pub fn validate(&self) -> Result<Shipping, AppError> {
        let clean = Shipping {
            first_name: self.first_name.trim().to_string(),
            last_name: self.last_name.trim().to_string(),
            email: self.email.trim().to_lowercase(),
            address: self.address.trim().to_string(),
            postal_code: self.postal_code.trim().to_uppercase(),
            city: self.city.trim().to_string(),
        };
        let mut errors = FieldErrors::new();
        let mut check = |field: &str, value: &str, required: &str, max: usize| {
            if value.is_empty() {
                errors.insert(field.into(), required.into());
            } else if value.chars().count() > max {
                errors.insert(field.into(), msg!(too_long, max));
            } else if value.chars().any(char::is_control) {
                errors.insert(field.into(), msg!(control_characters).into());
            }
        };
        check("first_name", &clean.first_name, msg!(first_name_required), 100);
        check("last_name", &clean.last_name, msg!(last_name_required), 100);
        check("address", &clean.address, msg!(address_required), 200);
        check("postal_code", &clean.postal_code, msg!(postal_code_required), 20);
        check("city", &clean.city, msg!(city_required), 100);
        if !errors.contains_key("postal_code")
            && !clean.postal_code.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        {
            errors.insert("postal_code".into(), msg!(postal_code_characters).into());
        }
        if let Err(why) = check_email(&clean.email) {
            errors.insert("email".into(), why);
        }
        if errors.is_empty() {
            Ok(clean)
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

/// A practical email check: one `@`, a non-empty local part, a dotted domain, no spaces,
/// at most 254 characters. Deliverability is proven by the mail itself.
pub fn check_email(email: &str) -> Result<(), String> {
    if email.is_empty() {
        return Err(msg!(email_required).into());
    }
    if email.len() > 254 {
        return Err(msg!(too_long, 254));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(msg!(email_invalid).into());
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '@' | '<' | '>' | ','));
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err(msg!(email_invalid).into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderLine {
    pub product_id: i64,
    pub name: String,
    pub unit_price: Money,
    pub quantity: i32,
    pub line_total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Order {
    pub id: i64,
    pub status: OrderStatus,
    /// RFC 3339.
    pub created_at: String,
    pub shipping: Shipping,
    pub lines: Vec<OrderLine>,
    pub subtotal: Money,
    pub coupon_code: Option<String>,
    pub coupon_percent: Option<i32>,
    pub discount: Money,
    pub total: Money,
    /// RFC 3339; set once the payment arrived.
    pub paid_at: Option<String>,
    /// The language it was placed in (`en`, `es`): its mails, invoice and payment page
    /// are in it.
    pub locale: String,
}

impl Order {
    pub fn url(&self) -> String {
        format!("/orders/{}", self.id)
    }

    /// The order's language (English for a tag the shop does not know).
    pub fn language(&self) -> super::lang::Locale {
        super::lang::Locale::from_tag(&self.locale).unwrap_or(super::lang::Locale::en)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderSummary {
    pub id: i64,
    pub status: OrderStatus,
    /// RFC 3339.
    pub created_at: String,
    pub item_count: i32,
    pub total: Money,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Shipping {
        Shipping {
            first_name: " Ada ".into(),
            last_name: "Lovelace".into(),
            email: " Ada@Example.COM ".into(),
            address: "12 St James's Square".into(),
            postal_code: "sw1y 4jh".into(),
            city: "London".into(),
        }
    }

    #[test]
    fn only_created_orders_move_and_only_to_paid_or_cancelled() {
        use OrderStatus::*;
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                let allowed = from == Created && to != Created;
                assert_eq!(from.can_become(to), allowed, "{from:?} → {to:?}");
            }
        }
        assert_eq!(OrderStatus::sources_of(Paid), vec![Created]);
        assert!(OrderStatus::sources_of(Created).is_empty());
    }

    #[test]
    fn status_round_trips_through_its_name() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrderStatus::parse("shipped"), None);
    }

    #[test]
    fn shipping_is_trimmed_and_normalized() {
        let clean = good().validate().unwrap();
        assert_eq!(clean.first_name, "Ada");
        assert_eq!(clean.email, "ada@example.com");
        assert_eq!(clean.postal_code, "SW1Y 4JH");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = Shipping {
            first_name: "  ".into(),
            last_name: "x".repeat(101),
            email: "not-an-email".into(),
            address: String::new(),
            postal_code: "12<34".into(),
            city: "Oslo\u{7}".into(),
        };
        let AppError::Validation(fields) = bad.validate().unwrap_err() else {
            panic!("not a validation error")
        };
        let names: Vec<_> = fields.keys().map(String::as_str).collect();
        assert_eq!(names, ["address", "city", "email", "first_name", "last_name", "postal_code"]);
    }

    #[test]
    fn email_rules() {
        assert!(check_email("a@b.co").is_ok());
        for bad in ["", "a@b", "@b.co", "a b@c.co", "a@.co", "a@b..co", "a@b.co.", "a@@b.co"] {
            assert!(check_email(bad).is_err(), "{bad} accepted");
        }
    }
}

/// An order whose payment needs a person: money to give back, or a payment that did not
/// match the order (shown to admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PaymentIssue {
    pub order_id: i64,
    pub status: OrderStatus,
    pub total: Money,
    pub refund_due: bool,
    pub problem: String,
}
