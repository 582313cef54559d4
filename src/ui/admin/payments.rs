//! Back office: every Stripe event with outcome and payload.

use super::page_param;
use super::{short_time, AdminShell, Loaded, Pager};
use crate::models::admin::PaymentEventView;
use crate::models::{AppError, Page};
use leptos::prelude::*;

#[server]
pub async fn admin_payment_events(page: Option<u32>) -> Result<Page<PaymentEventView>, AppError> {
    let (state, _) = super::admin_context().await?;
    let (page, per_page) = crate::models::admin::page_bounds(page, None)?;
    crate::services::admin::orders::payment_events(&state.db, page, per_page).await
}

/// `/admin/payments`: every Stripe event with its outcome and payload.
#[component]
pub fn PaymentsPage() -> impl IntoView {
    let page = page_param();
    let data = Resource::new(move || page.get(), admin_payment_events);
    view! {
        <Loaded data=data ok=move |events| view! {
                        <AdminShell title="Payment events">
                            {if events.items.is_empty() {
                                view! { <p>"No payment events yet."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="admin-table">
                                        <caption class="visually-hidden">"Stripe events, newest first"</caption>
                                        <thead><tr><th scope="col">"Event"</th><th scope="col">"Received (UTC)"</th><th scope="col">"Order"</th><th scope="col">"Outcome"</th><th scope="col">"Payload"</th></tr></thead>
                                        <tbody>
                                            {events.items.clone().into_iter().map(|e| view! {
                                                <tr>
                                                    <th scope="row">{e.event_type.clone()}<br/><span class="hint">{e.stripe_event_id.clone()}</span></th>
                                                    <td>{short_time(&e.received_at)}</td>
                                                    <td>{e.order_id.map(|id| view! { <a href=format!("/admin/orders/{id}")>{format!("Order #{id}")}</a> })}</td>
                                                    <td>{e.outcome.clone().unwrap_or_else(|| "not processed yet".into())}{e.detail.clone().map(|d| format!(" ({d})"))}</td>
                                                    <td><details><summary>{format!("Payload of {}", e.stripe_event_id)}</summary><pre>{e.payload}</pre></details></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    <Pager page=events base="/admin/payments"/>
                                }.into_any()
                            }}
                        </AdminShell>
                    }/>
    }
}
