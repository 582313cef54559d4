//! `/orders/{id}` (the status page, which turns *Paid* on its own when the payment
//! lands) and `/account/orders` (the shopper's orders).

use super::errors::ErrorView;
use crate::models::{AppError, Order, OrderStatus, OrderSummary};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::params::Params;
use leptos_router::{components::A, hooks::use_params};

#[server]
pub async fn get_order(id: i64) -> Result<Order, AppError> {
    use crate::flows::shopper;
    let (state, auth) = crate::ui::request::request().await?;
    crate::services::orders::get(&state.db, &shopper::order_owner(&auth).await?, id).await
}

#[server]
pub async fn cancel_order(id: i64) -> Result<Order, AppError> {
    use crate::flows::shopper;
    let (state, auth) = crate::ui::request::request().await?;
    crate::flows::payments::cancel(&state, &shopper::order_owner(&auth).await?, id).await
}

/// Sends the shopper to Stripe's payment page for this order (303 without JavaScript).
#[server]
pub async fn start_payment(id: i64) -> Result<(), AppError> {
    use crate::flows::shopper;
    let (state, auth) = crate::ui::request::request().await?;
    let link = crate::flows::payments::pay(&state, &shopper::order_owner(&auth).await?, id).await?;
    leptos_axum::redirect(&link.url);
    Ok(())
}

#[server]
pub async fn my_orders() -> Result<Vec<OrderSummary>, AppError> {
    use crate::flows::shopper;
    let (state, auth) = crate::ui::request::request().await?;
    match shopper::known(&auth).await? {
        Some(shopper) => crate::services::orders::list(&state.db, &shopper).await,
        None => Ok(Vec::new()),
    }
}

/// How often an unpaid order's page asks whether the payment has landed.
const POLL_MS: u64 = 3000;

/// `/orders/:id`, typed (a non-numeric id is no order).
#[derive(leptos::Params, Clone, PartialEq)]
pub(crate) struct OrderPath {
    pub id: Option<i64>,
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let path = use_params::<OrderPath>();
    let id = move || path.get().ok().and_then(|p| p.id).filter(|id| *id > 0);
    let cancel = ServerAction::<CancelOrder>::new();
    let tick = RwSignal::new(0u32);
    let order = Resource::new(
        move || (id(), tick.get(), cancel.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_order(id).await,
                None => Err(AppError::not_found("Order")),
            }
        },
    );
    // While the order waits for payment, look again every few seconds.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let waiting =
                    order.with_untracked(|o| matches!(o, Some(Ok(o)) if o.status == OrderStatus::Created));
                if waiting {
                    tick.update(|t| *t = t.wrapping_add(1));
                }
            },
            std::time::Duration::from_millis(POLL_MS),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading your order…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(o) => view! { <OrderDetail order=o cancel/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OrderDetail(order: Order, cancel: ServerAction<CancelOrder>) -> impl IntoView {
    let status = order.status;
    let cancel_error = move || cancel.value().get().and_then(Result::err).map(|e| e.to_string());
    let invoice = format!("/api/v1/orders/{}/invoice.pdf", order.id);
    let pay_url = <StartPayment as leptos::server_fn::ServerFn>::url();
    let s = order.shipping.clone();
    view! {
        <Title text=format!("Order #{}", order.id)/>
        <Meta name="robots" content="noindex"/>
        <h1>{format!("Order #{}", order.id)}</h1>
        <p class="order-status">
            "Status: "
            <strong class=format!("status status-{}", status.as_str()) aria-live="polite" data-testid="order-status">
                {status.label()}
            </strong>
        </p>
        {match status {
            OrderStatus::Created => view! {
                <p>"We have your order and have reserved your items. It waits for payment; we will mail you when it is paid."</p>
            }.into_any(),
            OrderStatus::Paid => view! { <p>"Paid — thank you! We are packing your order."</p> }.into_any(),
            OrderStatus::Cancelled => view! { <p>"This order was cancelled and its items released."</p> }.into_any(),
        }}
        <table class="order-lines">
            <caption class="visually-hidden">"Products in this order"</caption>
            <thead>
                <tr><th scope="col">"Product"</th><th scope="col">"Price"</th><th scope="col">"Quantity"</th><th scope="col">"Total"</th></tr>
            </thead>
            <tbody>
                {order.lines.iter().map(|l| view! {
                    <tr>
                        <th scope="row">{l.name.clone()}</th>
                        <td>{l.unit_price.to_string()}</td>
                        <td>{l.quantity}</td>
                        <td>{l.line_total.to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <dl class="totals">
            <dt>"Subtotal"</dt>
            <dd>{order.subtotal.to_string()}</dd>
            {order.coupon_code.clone().filter(|_| order.discount.amount > 0).map(|code| view! {
                <dt>{format!("Coupon {code}")}</dt>
                <dd>{format!("-{}", order.discount)}</dd>
            })}
            <dt class="grand">"Total"</dt>
            <dd class="grand" data-testid="order-total">{order.total.to_string()}</dd>
        </dl>
        <section aria-labelledby="ship-title">
            <h2 id="ship-title">"Shipping to"</h2>
            <address>
                {format!("{} {}", s.first_name, s.last_name)}<br/>
                {s.address}<br/>
                {format!("{} {}", s.postal_code, s.city)}<br/>
                {s.email}
            </address>
        </section>
        {(status == OrderStatus::Created).then(|| view! {
            <div class="actions">
                // A plain form on purpose: the browser follows the 303 to the payment page
                // itself (the router would try to render a same-origin emulator URL).
                <form method="post" action=pay_url class="inline-form">
                    <input type="hidden" name="id" value=order.id/>
                    <button type="submit" class="button" aria-describedby="pay-hint">"Pay"</button>
                </form>
                <ActionForm action=cancel attr:class="inline-form">
                    <input type="hidden" name="id" value=order.id/>
                    <button type="submit" class="button secondary">"Cancel order"</button>
                </ActionForm>
            </div>
            <p id="pay-hint" class="hint">"You pay on Stripe's secure page."</p>
        })}
        {(status == OrderStatus::Paid).then(|| view! {
            <p><a href=invoice rel="external" download>"Download invoice (PDF)"</a></p>
        })}
        {move || cancel_error().map(|e| view! { <p class="notice error" role="alert">{e}</p> })}
        <p><A href="/account/orders">"All your orders"</A></p>
    }
}

#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let orders = Resource::new(|| (), |_| my_orders());
    view! {
        <Title text="Your orders"/>
        <Meta name="robots" content="noindex"/>
        <h1>"Your orders"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading your orders…"</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty-state">
                            <p>"You have not placed an order yet."</p>
                            <p><A href="/">"Browse the catalog"</A></p>
                        </div>
                    }
                    .into_any(),
                    Ok(list) => view! {
                        <table class="orders">
                            <caption class="visually-hidden">"Your orders, newest first"</caption>
                            <thead>
                                <tr><th scope="col">"Order"</th><th scope="col">"Placed"</th><th scope="col">"Items"</th><th scope="col">"Total"</th><th scope="col">"Status"</th></tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|o| view! {
                                    <tr>
                                        <th scope="row"><A href=format!("/orders/{}", o.id)>{format!("Order #{}", o.id)}</A></th>
                                        <td>{o.created_at.get(..10).unwrap_or_default().to_string()}</td>
                                        <td>{o.item_count}</td>
                                        <td>{o.total.to_string()}</td>
                                        <td>{o.status.label()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
