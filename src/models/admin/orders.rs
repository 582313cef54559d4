//! Orders and payment events as admins filter and see them.

use super::*;
use crate::models::{Money, Order, OrderStatus};
use serde::{Deserialize, Serialize};

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
