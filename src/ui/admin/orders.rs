//! Back office: orders (filters, sort, pages, CSV export) and one order's detail.

use super::{given, refused, short_time, AdminShell, IdButton, Loaded, Pager};
use crate::models::admin::{AdminOrderDetail, AdminOrderRow, OrderFilter};
use crate::models::{AppError, OrderStatus, Page};
use crate::ui::forms::{form_error, FormError};
use crate::ui::orders::OrderPath;
use leptos::prelude::*;
use leptos_router::hooks::{use_params, use_query};
use leptos_router::params::Params;

#[server]
pub async fn admin_orders(filter: OrderFilter) -> Result<Page<AdminOrderRow>, AppError> {
    let (state, _) = super::admin_context().await?;
    crate::services::admin::orders::list_orders(&state.db, &filter).await
}

#[server]
pub async fn admin_order(id: i64) -> Result<AdminOrderDetail, AppError> {
    let (state, _) = super::admin_context().await?;
    crate::flows::admin::order_detail(&state, id).await
}

#[server]
pub async fn admin_cancel_order(id: i64) -> Result<AdminOrderDetail, AppError> {
    let (state, actor) = super::admin_context().await?;
    crate::flows::admin::cancel_order(&state, &actor, id).await
}

/// The order list's URL state as typed (strings; empty means "any").
#[derive(leptos::Params, Clone, Default, PartialEq)]
struct OrderListQuery {
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    email: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

/// `/admin/orders`: filter by status, dates and email; sort; export what is shown.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let query = use_query::<OrderListQuery>();
    let filter = Memo::new(move |_| {
        let q = query.get().unwrap_or_default();
        OrderFilter {
            status: given(q.status),
            from: given(q.from),
            to: given(q.to),
            email: given(q.email),
            sort: given(q.sort),
            page: given(q.page).and_then(|p| p.parse().ok()),
            per_page: None,
        }
    });
    let data = Resource::new(move || filter.get(), admin_orders);
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let f = filter.get_untracked();
                let result = data.await;
                match result {
                    Err(AppError::Validation(fields)) => view! {
                        <AdminShell title="Orders">
                            <OrderFilters f=f.clone()/>
                            <div class="notice error" role="alert">
                                <p>"Some filters are not valid:"</p>
                                <ul>{fields.into_iter().map(|(k, v)| view! { <li>{format!("{k}: {v}")}</li> }).collect_view()}</ul>
                            </div>
                        </AdminShell>
                    }.into_any(),
                    Ok(page) => {
                        let query = f.to_query();
                        let export = format!("/api/v1/admin/orders/export.csv?{query}");
                        let base = format!("/admin/orders?{query}");
                        view! {
                            <AdminShell title="Orders">
                                <OrderFilters f=f.clone()/>
                                <p><a class="button" href=export download>"Export CSV"</a>" "<span class="hint">"(the orders matching these filters)"</span></p>
                                {if page.items.is_empty() {
                                    view! { <p>"No orders match these filters."</p> }.into_any()
                                } else {
                                    view! { <OrderTable rows=page.items.clone()/><Pager page base/> }.into_any()
                                }}
                            </AdminShell>
                        }.into_any()
                    }
                    Err(e) => refused(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderFilters(f: OrderFilter) -> impl IntoView {
    let status = f.status.clone().unwrap_or_default();
    let sort = f.sort.clone().unwrap_or_default();
    view! {
        <form method="get" action="/admin/orders" class="filters" role="search" aria-label="Filter orders">
            <div class="field">
                <label for="of-status">"Status"</label>
                <select id="of-status" name="status">
                    <option value="" selected=status.is_empty()>"Any"</option>
                    {[OrderStatus::Created, OrderStatus::Paid, OrderStatus::Cancelled].into_iter().map(|s| view! {
                        <option value=s.as_str() selected=status == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="of-from">"From"</label>
                <input id="of-from" name="from" type="date" value=f.from.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="of-to">"To"</label>
                <input id="of-to" name="to" type="date" value=f.to.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="of-email">"Customer email"</label>
                <input id="of-email" name="email" type="search" value=f.email.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="of-sort">"Sort"</label>
                <select id="of-sort" name="sort">
                    {[("newest", "Newest first"), ("oldest", "Oldest first"), ("total_desc", "Total, highest first"), ("total_asc", "Total, lowest first")]
                        .into_iter().map(|(v, label)| view! { <option value=v selected=sort == v>{label}</option> }).collect_view()}
                </select>
            </div>
            <button type="submit">"Filter"</button>
        </form>
    }
}

#[component]
fn OrderTable(rows: Vec<AdminOrderRow>) -> impl IntoView {
    view! {
        <table class="admin-table">
            <caption class="visually-hidden">"Orders"</caption>
            <thead><tr><th scope="col">"Order"</th><th scope="col">"Placed (UTC)"</th><th scope="col">"Customer"</th><th scope="col">"Status"</th><th scope="col">"Total"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|o| view! {
                    <tr>
                        <th scope="row"><a href=format!("/admin/orders/{}", o.id)>{format!("Order #{}", o.id)}</a></th>
                        <td>{short_time(&o.created_at)}</td>
                        <td>{o.customer_name}<br/><span class="hint">{o.email}</span></td>
                        <td class=format!("status status-{}", o.status.as_str())>{o.status.label()}{o.refund_due.then_some(" · refund due")}</td>
                        <td>{o.total.to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// `/admin/orders/{id}`: lines, totals, customer, shipping, payment timeline, actions.
#[component]
pub fn OrderAdminPage() -> impl IntoView {
    let path = use_params::<OrderPath>();
    let cancel = ServerAction::<AdminCancelOrder>::new();
    let data = Resource::new(
        move || (path.get().ok().and_then(|p| p.id), cancel.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => admin_order(id).await,
                None => Err(AppError::not_found("Order")),
            }
        },
    );
    view! {
        <Loaded data=data ok=move |d| view! { <AdminShell title=format!("Order #{}", d.order.id)><OrderAdminView d cancel/></AdminShell> }/>
    }
}

#[component]
fn OrderAdminView(d: AdminOrderDetail, cancel: ServerAction<AdminCancelOrder>) -> impl IntoView {
    let o = d.order;
    let s = o.shipping.clone();
    view! {
        <p class="order-status">"Status: "<strong class=format!("status status-{}", o.status.as_str()) data-testid="order-status">{o.status.label()}</strong></p>
        {d.refund_due.then(|| view! { <p class="notice error" role="alert">"Money arrived after this order was cancelled: a refund is due."</p> })}
        {d.payment_problem.clone().map(|p| view! { <p class="notice error" role="alert">{format!("Payment problem: {p}")}</p> })}
        <dl class="totals">
            <dt>"Placed"</dt><dd>{short_time(&o.created_at)}" UTC"</dd>
            {o.paid_at.clone().map(|t| view! { <dt>"Paid"</dt><dd>{short_time(&t)}" UTC"</dd> })}
            {d.cancelled_at.clone().map(|t| view! { <dt>"Cancelled"</dt><dd>{short_time(&t)}" UTC"</dd> })}
            <dt>"Customer"</dt>
            <dd>{match d.customer.clone() {
                Some(u) => view! { <a href=format!("/admin/users?q={}", crate::models::admin::encode_query_value(&u.email))>{format!("{} ({})", u.name, u.email)}</a> }.into_any(),
                None => view! { <span>"Guest"</span> }.into_any(),
            }}</dd>
        </dl>
        <table class="admin-table order-lines">
            <caption class="visually-hidden">"Products in this order"</caption>
            <thead><tr><th scope="col">"Product"</th><th scope="col">"Price"</th><th scope="col">"Quantity"</th><th scope="col">"Total"</th></tr></thead>
            <tbody>
                {o.lines.iter().map(|l| view! {
                    <tr><th scope="row"><a href=format!("/admin/products/{}", l.product_id)>{l.name.clone()}</a></th><td>{l.unit_price.to_string()}</td><td>{l.quantity}</td><td>{l.line_total.to_string()}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <dl class="totals">
            <dt>"Subtotal"</dt><dd>{o.subtotal.to_string()}</dd>
            {o.coupon_code.clone().map(|c| view! { <dt>{format!("Coupon {c}")}</dt><dd>{format!("-{}", o.discount)}</dd> })}
            <dt>"Total"</dt><dd data-testid="order-total">{o.total.to_string()}</dd>
        </dl>
        <h2>"Shipping"</h2>
        <address>{format!("{} {}", s.first_name, s.last_name)}<br/>{s.address}<br/>{format!("{} {}", s.postal_code, s.city)}<br/>{s.email}</address>
        <h2>"Payment"</h2>
        <ul class="plain-list">
            <li>{format!("Checkout session: {}", d.checkout_session_id.clone().unwrap_or_else(|| "none".into()))}</li>
            <li>{format!("Payment intent: {}", d.payment_intent_id.clone().unwrap_or_else(|| "none".into()))}</li>
            {d.stripe_dashboard_url.clone().map(|url| view! { <li><a href=url rel="noopener noreferrer" target="_blank">"View the payment in Stripe"</a></li> })}
            {(o.status == OrderStatus::Paid).then(|| view! { <li><a href=format!("/api/v1/orders/{}/invoice.pdf", o.id)>"Download invoice (PDF)"</a></li> })}
        </ul>
        <h3>"Payment events"</h3>
        {if d.events.is_empty() {
            view! { <p>"No payment events for this order."</p> }.into_any()
        } else {
            view! {
                <ol class="timeline">
                    {d.events.into_iter().map(|e| view! {
                        <li>
                            <strong>{e.event_type.clone()}</strong>
                            {format!(" — received {} UTC, {}", short_time(&e.received_at), e.outcome.clone().unwrap_or_else(|| "not processed yet".into()))}
                            {e.detail.clone().map(|d| format!(" ({d})"))}
                            <details><summary>{format!("Payload of {}", e.stripe_event_id)}</summary><pre>{e.payload}</pre></details>
                        </li>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        {(o.status == OrderStatus::Created).then(|| view! {
            <h2>"Cancel"</h2>
            <p>"Cancelling releases the reserved stock and closes the payment page."</p>
            <FormError error=form_error(cancel)/>
            <IdButton action=cancel id=o.id.to_string() label="Cancel order" danger=true standalone=true/>
        })}
    }
}
