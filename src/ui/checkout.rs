//! `/checkout`: the shipping form and `Place order`. The form carries an idempotency key,
//! so a double submit places one order.

use super::cart::use_cart;
use super::errors::ErrorView;
use super::forms::{fields_of, form_error, Field, FieldValue, FormError, LiveCheck};
use crate::models::{AppError, Cart, FieldErrors, Shipping};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckoutData {
    pub cart: Cart,
    /// A fresh key per rendering of the form.
    pub idempotency_key: String,
    pub prefill: Shipping,
}

#[server]
pub async fn checkout_details() -> Result<CheckoutData, AppError> {
    let cart = super::cart::get_cart().await?;
    let (state, auth) = crate::ui::request::request().await?;
    let prefill = match crate::flows::shopper::known(&auth).await? {
        Some(shopper) => {
            let account = auth.user.as_ref().map(|a| &a.0);
            crate::services::orders::checkout_prefill(&state.db, &shopper, account).await?
        }
        None => Shipping::default(),
    };
    Ok(CheckoutData { cart, idempotency_key: uuid::Uuid::new_v4().to_string(), prefill })
}

#[server]
#[allow(clippy::too_many_arguments)]
pub async fn place_order(
    first_name: String,
    last_name: String,
    email: String,
    address: String,
    postal_code: String,
    city: String,
    idempotency_key: String,
) -> Result<i64, AppError> {
    let (state, shopper) = super::cart::shopper_for_change().await?;
    let shipping = Shipping { first_name, last_name, email, address, postal_code, city };
    let ip = crate::ui::request::client_ip().await;
    let placed =
        crate::flows::checkout::place_order(&state, &shopper, &shipping, &idempotency_key, ip).await?;
    leptos_axum::redirect(&placed.order.url());
    Ok(placed.order.id)
}

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let details = Resource::new(|| (), |_| checkout_details());
    view! {
        <Title text="Checkout"/>
        <h1>"Checkout"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(d) if d.cart.lines.is_empty() => view! {
                        <div class="empty-state">
                            <p>"Your cart is empty, so there is nothing to check out."</p>
                            <p><A href="/">"Browse the catalog"</A></p>
                        </div>
                    }
                    .into_any(),
                    Ok(d) => view! { <CheckoutForm details=d/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// (field name, label, input type, autocomplete)
const FIELDS: [(&str, &str, &str, &str); 6] = [
    ("first_name", "First name", "text", "given-name"),
    ("last_name", "Last name", "text", "family-name"),
    ("email", "Email", "email", "email"),
    ("address", "Address", "text", "street-address"),
    ("postal_code", "Postal code", "text", "postal-code"),
    ("city", "City", "text", "address-level2"),
];

fn field_value(s: &Shipping, name: &str) -> String {
    match name {
        "first_name" => &s.first_name,
        "last_name" => &s.last_name,
        "email" => &s.email,
        "address" => &s.address,
        "postal_code" => &s.postal_code,
        _ => &s.city,
    }
    .clone()
}

fn shipping_rules(get: FieldValue) -> FieldErrors {
    let typed = Shipping {
        first_name: get("first_name"),
        last_name: get("last_name"),
        email: get("email"),
        address: get("address"),
        postal_code: get("postal_code"),
        city: get("city"),
    };
    fields_of(typed.validate())
}

#[component]
fn CheckoutForm(details: CheckoutData) -> impl IntoView {
    let place = use_cart().place_order;
    let live = LiveCheck::new();
    let cart = details.cart.clone();
    view! {
        <div class="checkout">
            <ActionForm action=place attr:class="checkout-form" attr:novalidate=true on:focusout=live.on_focusout(shipping_rules)>
                <fieldset>
                    <legend>"Shipping address"</legend>
                    <input type="hidden" name="idempotency_key" value=details.idempotency_key.clone()/>
                    {FIELDS
                        .into_iter()
                        .map(|(name, label, kind, autocomplete)| view! {
                            <Field id=name name=name label=label kind=kind autocomplete=autocomplete required=true
                                value=field_value(&details.prefill, name) error=live.error(place, name)/>
                        })
                        .collect_view()}
                </fieldset>
                <FormError error=form_error(place)/>
                <button type="submit" class="button primary" disabled=move || place.pending().get()>"Place order"</button>
                {move || place.pending().get().then(|| view! { <p class="loading" role="status">"Placing your order…"</p> })}
            </ActionForm>
            <aside class="order-summary" aria-labelledby="summary-title">
                <h2 id="summary-title">"Your order"</h2>
                <ul>
                    {cart.lines.iter().map(|l| view! {
                        <li>{format!("{} × {}", l.quantity, l.name)} <span>{l.line_total.to_string()}</span></li>
                    }).collect_view()}
                </ul>
                <dl class="totals">
                    <dt>"Subtotal"</dt>
                    <dd>{cart.subtotal.to_string()}</dd>
                    {cart.coupon.as_ref().filter(|_| cart.discount.amount > 0).map(|c| view! {
                        <dt>{format!("Coupon {}", c.code)}</dt>
                        <dd>{format!("-{}", cart.discount)}</dd>
                    })}
                    <dt class="grand">"Total"</dt>
                    <dd class="grand">{cart.total.to_string()}</dd>
                </dl>
                <p><A href="/cart">"Change your cart"</A></p>
            </aside>
        </div>
    }
}
