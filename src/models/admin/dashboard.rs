//! The dashboard's figures.

use super::*;
use crate::models::{Money, OrderStatus, PaymentIssue};
use serde::{Deserialize, Serialize};

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
