//! `/orders/{id}` (the status page, which turns *Paid* on its own when the payment
//! lands) and `/account/orders` (the shopper's orders).

use super::errors::ErrorView;
use super::lang::{href, locale};
use crate::models::i18n::{t, t_string, td_string, use_i18n};
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
    let i18n = use_i18n();
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
        <Transition fallback=move || view! { <p class="loading" role="status">{t!(i18n, order.loading)}</p> }>
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
    let i18n = use_i18n();
    let lang = locale();
    let title = td_string!(lang, order.title, id = order.id).to_string();
    let cancel_error = move || cancel.value().get().and_then(Result::err).map(|e| e.message_in(lang));
    let invoice = format!("/api/v1/orders/{}/invoice.pdf", order.id);
    let pay_url = <StartPayment as leptos::server_fn::ServerFn>::url();
    let s = order.shipping.clone();
    view! {
        <Title text=title.clone()/>
        <Meta name="robots" content="noindex"/>
        <h1>{title}</h1>
        <p class="order-status">
            {t!(i18n, order.status)} " "
            <strong class=format!("status status-{}", status.as_str()) aria-live="polite" data-testid="order-status">
                {status.label_in(lang)}
            </strong>
        </p>
        {match status {
            OrderStatus::Created => view! {
                <p>{t!(i18n, order.created_text)}</p>
            }.into_any(),
            OrderStatus::Paid => view! { <p>{t!(i18n, order.paid_text)}</p> }.into_any(),
            OrderStatus::Cancelled => view! { <p>{t!(i18n, order.cancelled_text)}</p> }.into_any(),
        }}
        <table class="order-lines">
            <caption class="visually-hidden">{t!(i18n, order.caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, cart.product)}</th>
                    <th scope="col">{t!(i18n, cart.price)}</th>
                    <th scope="col">{t!(i18n, cart.quantity)}</th>
                    <th scope="col">{t!(i18n, cart.total)}</th>
                </tr>
            </thead>
            <tbody>
                {order.lines.iter().map(|l| view! {
                    <tr>
                        <th scope="row">{l.name.clone()}</th>
                        <td>{l.unit_price.format_in(lang)}</td>
                        <td>{l.quantity}</td>
                        <td>{l.line_total.format_in(lang)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <dl class="totals">
            <dt>{t!(i18n, cart.subtotal)}</dt>
            <dd>{order.subtotal.format_in(lang)}</dd>
            {order.coupon_code.clone().filter(|_| order.discount.amount > 0).map(|code| view! {
                <dt>{td_string!(lang, checkout.coupon, code = code.as_str()).to_string()}</dt>
                <dd>{format!("-{}", order.discount.format_in(lang))}</dd>
            })}
            <dt class="grand">{t!(i18n, cart.total)}</dt>
            <dd class="grand" data-testid="order-total">{order.total.format_in(lang)}</dd>
        </dl>
        <section aria-labelledby="ship-title">
            <h2 id="ship-title">{t!(i18n, order.shipping_to)}</h2>
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
                    <button type="submit" class="button" aria-describedby="pay-hint">{t!(i18n, order.pay)}</button>
                </form>
                <ActionForm action=cancel attr:class="inline-form">
                    <input type="hidden" name="id" value=order.id/>
                    <button type="submit" class="button secondary">{t!(i18n, order.cancel)}</button>
                </ActionForm>
            </div>
            <p id="pay-hint" class="hint">{t!(i18n, order.pay_hint)}</p>
        })}
        {(status == OrderStatus::Paid).then(|| view! {
            <p><a href=invoice rel="external" download>{t!(i18n, order.invoice)}</a></p>
        })}
        {move || cancel_error().map(|e| view! { <p class="notice error" role="alert">{e}</p> })}
        <p><A href=href("/account/orders")>{t!(i18n, order.all)}</A></p>
    }
}

#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let orders = Resource::new(|| (), |_| my_orders());
    let i18n = use_i18n();
    let lang = locale();
    view! {
        <Title text=move || t_string!(i18n, orders.title).to_string()/>
        <Meta name="robots" content="noindex"/>
        <h1>{t!(i18n, orders.title)}</h1>
        <Suspense fallback=move || view! { <p class="loading" role="status">{t!(i18n, orders.loading)}</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty-state">
                            <p>{t!(i18n, orders.none)}</p>
                            <p><A href=href("/")>{t!(i18n, cart.browse)}</A></p>
                        </div>
                    }
                    .into_any(),
                    Ok(list) => view! {
                        <table class="orders">
                            <caption class="visually-hidden">{t!(i18n, orders.caption)}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, orders.order)}</th>
                                    <th scope="col">{t!(i18n, orders.placed)}</th>
                                    <th scope="col">{t!(i18n, orders.items)}</th>
                                    <th scope="col">{t!(i18n, cart.total)}</th>
                                    <th scope="col">{t!(i18n, orders.status)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|o| view! {
                                    <tr>
                                        <th scope="row"><A href=href(&format!("/orders/{}", o.id))>{td_string!(lang, order.title, id = o.id).to_string()}</A></th>
                                        <td><time datetime=o.created_at.clone()>{lang.date(&o.created_at)}</time></td>
                                        <td>{o.item_count}</td>
                                        <td>{o.total.format_in(lang)}</td>
                                        <td>{o.status.label_in(lang)}</td>
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
