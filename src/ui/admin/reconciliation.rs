//! Back office: orders against the payment provider's Checkout Sessions.

use super::{short_time, AdminShell, Loaded};
use crate::models::admin::{ReconciliationReport, RECONCILE_DAYS};
use crate::models::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[server]
pub async fn admin_reconciliation(days: Option<u32>) -> Result<ReconciliationReport, AppError> {
    use crate::models::admin::MismatchView;
    use crate::services::payments::reconcile::Mismatch;
    let (state, _) = super::admin_context().await?;
    let days = crate::models::admin::reconcile_days(days)?;
    let found = crate::flows::payments::reconcile(&state, days).await.map_err(|e| {
        use crate::flows::payments::ReconcileError;
        tracing::error!(error = %e, "reconciliation failed");
        match e {
            ReconcileError::Provider(_) => AppError::Unavailable(
                "The payment provider could not be reached; try again in a moment.".into(),
            ),
            ReconcileError::Database(_) => AppError::Internal,
        }
    })?;
    let mismatches = found
        .mismatches
        .iter()
        .map(|m| {
            let (kind, order_id, session_id) = match m {
                Mismatch::PaidThereNotHere { session_id, order_id } => {
                    ("Paid there, not here", *order_id, Some(session_id.clone()))
                }
                Mismatch::PaidHereNotThere { order_id, session_id } => {
                    ("Paid here, not there", Some(*order_id), session_id.clone())
                }
                Mismatch::AmountDiffers { order_id, session_id, .. } => {
                    ("Amounts differ", Some(*order_id), Some(session_id.clone()))
                }
                Mismatch::RefundDue { order_id, session_id } => {
                    ("Refund due", Some(*order_id), Some(session_id.clone()))
                }
            };
            MismatchView { kind: kind.into(), order_id, session_id, detail: m.to_string() }
        })
        .collect();
    Ok(ReconciliationReport {
        days,
        since: found.since.to_rfc3339(),
        provider: if state.stripe.emulated { "the Stripe emulator" } else { "Stripe" }.into(),
        sessions: found.sessions as u32,
        orders: found.orders as u32,
        mismatches,
    })
}

/// `/admin/reconciliation?days=N`: what disagrees between the orders and the provider.
#[component]
pub fn ReconciliationPage() -> impl IntoView {
    let query = use_query_map();
    let days = move || query.read().get("days").and_then(|d| d.parse::<u32>().ok());
    let data = Resource::new(days, admin_reconciliation);
    view! {
        <Loaded data=data ok=move |report: ReconciliationReport| view! {
            <AdminShell title="Reconciliation">
                <form method="get" action="/admin/reconciliation" class="inline-form">
                    <label for="reconcile-days">"Days back"</label>
                    <input id="reconcile-days" name="days" type="number" min="1" max="400"
                        value=report.days.to_string() placeholder=RECONCILE_DAYS.to_string()/>
                    <button type="submit">"Reconcile"</button>
                </form>
                <p role="status">{format!(
                    "Since {} UTC: {} Checkout Sessions at {}, {} orders here; {} {}.",
                    short_time(&report.since),
                    report.sessions,
                    report.provider,
                    report.orders,
                    report.mismatches.len(),
                    if report.mismatches.len() == 1 { "mismatch" } else { "mismatches" },
                )}</p>
                {if report.mismatches.is_empty() {
                    view! { <p>"The books agree: every paid session has its paid order, for the same amount."</p> }.into_any()
                } else {
                    view! {
                        <table class="admin-table">
                            <caption class="visually-hidden">"Mismatches between the orders and the payment provider"</caption>
                            <thead><tr><th scope="col">"Kind"</th><th scope="col">"Order"</th><th scope="col">"Session"</th><th scope="col">"Finding"</th></tr></thead>
                            <tbody>
                                {report.mismatches.clone().into_iter().map(|m| view! {
                                    <tr>
                                        <th scope="row">{m.kind.clone()}</th>
                                        <td>{m.order_id.map(|id| view! { <a href=format!("/admin/orders/{id}")>{format!("Order #{id}")}</a> })}</td>
                                        <td>{m.session_id.clone().unwrap_or_default()}</td>
                                        <td>{m.detail.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </AdminShell>
        }/>
    }
}
