//! Reconciliation: the shop's orders against the payment provider's Checkout Sessions.
//! Stripe is the record of money taken; the shop is the record of goods owed. Every
//! paid session must be one paid order with the same amount, every paid order must have
//! its paid session, and money taken for an order that cannot be fulfilled is owed back.

use crate::entities::order;
use crate::infra::stripe::{SessionFacts, SessionStatus};
use crate::models::OrderStatus;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::{BTreeSet, HashMap};

/// What reconciliation needs of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFacts {
    pub id: i64,
    pub status: OrderStatus,
    pub total: i64,
    pub currency: String,
    /// The session whose payment the order took (or the latest one offered).
    pub checkout_session_id: Option<String>,
    pub refund_due: bool,
}

impl From<order::Model> for OrderFacts {
    fn from(o: order::Model) -> Self {
        Self {
            id: o.id,
            status: o.status,
            total: o.total,
            currency: o.currency,
            checkout_session_id: o.checkout_session_id,
            refund_due: o.refund_due,
        }
    }
}

/// One disagreement between the shop and the provider, for an operator to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The provider took the money; the shop has no such order, or has not marked it paid.
    PaidThereNotHere { session_id: String, order_id: Option<i64> },
    /// The shop marked the order paid; the provider has no paid session for it.
    PaidHereNotThere { order_id: i64, session_id: Option<String> },
    /// The provider took a different amount (or currency) from the order's total.
    AmountDiffers { order_id: i64, session_id: String, here: String, there: String },
    /// Money was taken for this order that must go back (paid twice, or after cancelling).
    RefundDue { order_id: i64, session_id: String },
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::PaidThereNotHere { session_id, order_id: Some(id) } => {
                write!(f, "paid at the provider but not here: session {session_id} for order {id}")
            }
            Self::PaidThereNotHere { session_id, order_id: None } => {
                write!(
                    f,
                    "paid at the provider but not here: session {session_id} names no order of this shop"
                )
            }
            Self::PaidHereNotThere { order_id, session_id } => write!(
                f,
                "paid here but not at the provider: order {order_id} (session {})",
                session_id.as_deref().unwrap_or("none")
            ),
            Self::AmountDiffers { order_id, session_id, here, there } => {
                write!(f, "amounts differ: order {order_id} is {here}, session {session_id} took {there}")
            }
            Self::RefundDue { order_id, session_id } => {
                write!(f, "refund due: session {session_id} paid for order {order_id}, which cannot keep it")
            }
        }
    }
}

/// Compares the orders with the provider's sessions. `sessions` are every session created
/// in the period; `orders` are the orders they name and every order paid in the period.
pub fn compare(orders: &[OrderFacts], sessions: &[SessionFacts]) -> Vec<Mismatch> {
    let by_id: HashMap<i64, &OrderFacts> = orders.iter().map(|o| (o.id, o)).collect();
    let paid: Vec<&SessionFacts> =
        sessions.iter().filter(|s| s.paid && s.status == SessionStatus::Complete).collect();
    let mut found = Vec::new();
    for session in &paid {
        let Some(order) = session.order_id.and_then(|id| by_id.get(&id)) else {
            found.push(Mismatch::PaidThereNotHere {
                session_id: session.session_id.clone(),
                order_id: session.order_id,
            });
            continue;
        };
        let took_this_one = order.checkout_session_id.as_deref() == Some(session.session_id.as_str());
        match order.status {
            OrderStatus::Paid if took_this_one => {
                let there_currency = session.currency.as_deref().unwrap_or_default();
                if session.amount_total != Some(order.total)
                    || !there_currency.eq_ignore_ascii_case(&order.currency)
                {
                    found.push(Mismatch::AmountDiffers {
                        order_id: order.id,
                        session_id: session.session_id.clone(),
                        here: format!("{} {}", order.total, order.currency),
                        there: format!(
                            "{} {there_currency}",
                            session.amount_total.map_or_else(|| "nothing".to_owned(), |a| a.to_string())
                        ),
                    });
                }
            }
            // A second payment for a paid order, or a payment after cancelling that the
            // webhook has applied (and flagged): owed back.
            OrderStatus::Paid => {
                found
                    .push(Mismatch::RefundDue { order_id: order.id, session_id: session.session_id.clone() });
            }
            OrderStatus::Cancelled if order.refund_due => {
                found
                    .push(Mismatch::RefundDue { order_id: order.id, session_id: session.session_id.clone() });
            }
            _ => found.push(Mismatch::PaidThereNotHere {
                session_id: session.session_id.clone(),
                order_id: Some(order.id),
            }),
        }
    }
    let paid_ids: BTreeSet<&str> = paid.iter().map(|s| s.session_id.as_str()).collect();
    for order in orders.iter().filter(|o| o.status == OrderStatus::Paid) {
        if !order.checkout_session_id.as_deref().is_some_and(|id| paid_ids.contains(id)) {
            found.push(Mismatch::PaidHereNotThere {
                order_id: order.id,
                session_id: order.checkout_session_id.clone(),
            });
        }
    }
    found
}

/// The orders a reconciliation since `since` looks at: those the sessions name, and
/// every order paid since then.
pub async fn orders_to_check(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    named: impl IntoIterator<Item = i64>,
) -> Result<Vec<OrderFacts>, DbErr> {
    let named: Vec<i64> = named.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
    let mut found = Vec::new();
    // In chunks, so that no statement carries more parameters than a database accepts.
    for chunk in named.chunks(500) {
        found.extend(
            order::Entity::find().filter(order::Column::Id.is_in(chunk.iter().copied())).all(db).await?,
        );
    }
    let seen: BTreeSet<i64> = found.iter().map(|o| o.id).collect();
    let paid_since = order::Entity::find()
        .filter(
            Condition::all()
                .add(order::Column::Status.eq(OrderStatus::Paid))
                .add(order::Column::PaidAt.gte(since)),
        )
        .all(db)
        .await?;
    found.extend(paid_since.into_iter().filter(|o| !seen.contains(&o.id)));
    Ok(found.into_iter().map(OrderFacts::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(id: i64, status: OrderStatus, session: &str) -> OrderFacts {
        OrderFacts {
            id,
            status,
            total: 2_500,
            currency: "usd".into(),
            checkout_session_id: Some(session.into()),
            refund_due: false,
        }
    }

    fn session(id: &str, order_id: i64, paid: bool, amount: i64) -> SessionFacts {
        SessionFacts {
            session_id: id.into(),
            order_id: Some(order_id),
            status: if paid { SessionStatus::Complete } else { SessionStatus::Open },
            paid,
            amount_total: Some(amount),
            currency: Some("usd".into()),
            payment_intent: None,
            url: None,
        }
    }

    #[test]
    fn agreeing_books_have_no_mismatches() {
        let orders = [order(1, OrderStatus::Paid, "cs_1"), order(2, OrderStatus::Created, "cs_2")];
        let sessions = [session("cs_1", 1, true, 2_500), session("cs_2", 2, false, 2_500)];
        assert_eq!(compare(&orders, &sessions), vec![]);
    }

    #[test]
    fn each_kind_of_disagreement_is_named() {
        let mut cancelled = order(4, OrderStatus::Cancelled, "cs_4");
        cancelled.refund_due = true;
        let orders = [
            order(1, OrderStatus::Created, "cs_1"),
            order(2, OrderStatus::Paid, "cs_2"),
            order(3, OrderStatus::Paid, "cs_3"),
            cancelled,
            order(5, OrderStatus::Paid, "cs_5a"),
        ];
        let sessions = [
            session("cs_1", 1, true, 2_500),
            session("cs_2", 2, true, 2_400),
            session("cs_3", 3, false, 2_500),
            session("cs_4", 4, true, 2_500),
            session("cs_5a", 5, true, 2_500),
            session("cs_5b", 5, true, 2_500),
            session("cs_9", 9, true, 100),
        ];
        let found = compare(&orders, &sessions);
        assert_eq!(
            found,
            vec![
                Mismatch::PaidThereNotHere { session_id: "cs_1".into(), order_id: Some(1) },
                Mismatch::AmountDiffers {
                    order_id: 2,
                    session_id: "cs_2".into(),
                    here: "2500 usd".into(),
                    there: "2400 usd".into()
                },
                Mismatch::RefundDue { order_id: 4, session_id: "cs_4".into() },
                Mismatch::RefundDue { order_id: 5, session_id: "cs_5b".into() },
                Mismatch::PaidThereNotHere { session_id: "cs_9".into(), order_id: Some(9) },
                Mismatch::PaidHereNotThere { order_id: 3, session_id: Some("cs_3".into()) },
            ]
        );
        assert_eq!(found[4].to_string(), "paid at the provider but not here: session cs_9 for order 9",);
    }
}
