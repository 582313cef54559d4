//! The back office's reconciliation of orders against the payment provider.

use crate::models::AppError;
use serde::{Deserialize, Serialize};

/// How far back a reconciliation looks unless asked otherwise, and at most.
pub const RECONCILE_DAYS: u32 = 30;
pub const RECONCILE_MAX_DAYS: u32 = 400;

/// What a reconciliation looked at and what disagreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationReport {
    pub days: u32,
    /// RFC 3339: orders paid and sessions created since then.
    pub since: String,
    /// "Stripe" or "the Stripe emulator".
    pub provider: String,
    pub sessions: u32,
    pub orders: u32,
    pub mismatches: Vec<MismatchView>,
}

/// One disagreement, as a row an operator acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MismatchView {
    /// "Paid there, not here", "Paid here, not there", "Amounts differ" or "Refund due".
    pub kind: String,
    pub order_id: Option<i64>,
    pub session_id: Option<String>,
    /// The whole finding in one sentence.
    pub detail: String,
}

/// The period asked for, bounded: 1 to [`RECONCILE_MAX_DAYS`] days.
pub fn reconcile_days(days: Option<u32>) -> Result<u32, AppError> {
    match days.unwrap_or(RECONCILE_DAYS) {
        d @ 1..=RECONCILE_MAX_DAYS => Ok(d),
        _ => Err(AppError::field("days", "Days must be between 1 and 400.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_bounded() {
        assert_eq!(reconcile_days(None).unwrap(), 30);
        assert_eq!(reconcile_days(Some(400)).unwrap(), 400);
        assert!(reconcile_days(Some(0)).is_err());
        assert!(reconcile_days(Some(401)).is_err());
    }
}
