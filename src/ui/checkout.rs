//! `/checkout`: the shipping form and `Place order`. The form carries an idempotency key,
//! so a double submit places one order.

use super::cart::{error_text, use_cart};
use super::errors::ErrorView;
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
    let state = crate::infra::state::AppState::current()?;
    let auth = crate::adapters::shopper::auth_session().await?;
    let prefill = match crate::adapters::shopper::known(&auth).await? {
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
    let placed =
        crate::adapters::checkout::place_order(&state, &shopper, &shipping, &idempotency_key).await?;
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

#[component]
fn CheckoutForm(details: CheckoutData) -> impl IntoView {
    let place = use_cart().place_order;
    // Checked in the browser as the shopper leaves each field (same rules as the server).
    let client_errors = RwSignal::new(FieldErrors::new());
    let touched = RwSignal::new(Vec::<String>::new());
    let server_errors = move || match place.value().get() {
        Some(Err(AppError::Validation(fields))) => fields,
        _ => FieldErrors::new(),
    };
    let other_error = move || match place.value().get() {
        Some(Err(AppError::Validation(_))) | Some(Ok(_)) | None => None,
        Some(Err(e)) => Some(error_text(&e)),
    };
    let error_for = move |name: &'static str| {
        move || {
            let server = server_errors();
            server.get(name).cloned().or_else(|| {
                touched
                    .with(|t| t.iter().any(|f| f == name))
                    .then(|| client_errors.with(|c| c.get(name).cloned()))
                    .flatten()
            })
        }
    };
    let on_focusout = move |ev: leptos::ev::FocusEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
                return;
            };
            let Some(form) = input.form() else { return };
            let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
            let get = |k: &str| data.get(k).as_string().unwrap_or_default();
            let typed = Shipping {
                first_name: get("first_name"),
                last_name: get("last_name"),
                email: get("email"),
                address: get("address"),
                postal_code: get("postal_code"),
                city: get("city"),
            };
            touched.update(|t| {
                if !t.contains(&input.name()) {
                    t.push(input.name());
                }
            });
            client_errors.set(match typed.validate() {
                Err(AppError::Validation(fields)) => fields,
                _ => FieldErrors::new(),
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let cart = details.cart.clone();
    view! {
        <div class="checkout">
            <ActionForm action=place attr:class="checkout-form" attr:novalidate=true on:focusout=on_focusout>
                <fieldset>
                    <legend>"Shipping address"</legend>
                    <input type="hidden" name="idempotency_key" value=details.idempotency_key.clone()/>
                    {FIELDS
                        .into_iter()
                        .map(|(name, label, kind, autocomplete)| {
                            let error = error_for(name);
                            let error_id = format!("{name}-error");
                            view! {
                                <div class="field">
                                    <label for=name>{label}</label>
                                    <input id=name name=name type=kind autocomplete=autocomplete required
                                        value=field_value(&details.prefill, name)
                                        aria-invalid=move || error().is_some().to_string()
                                        aria-describedby=error_id.clone()/>
                                    <p class="field-error" id=error_id>{error}</p>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
                {move || other_error().map(|e| view! { <p class="notice error" role="alert">{e}</p> })}
                {move || (!server_errors().is_empty()).then(|| view! {
                    <p class="notice error" role="alert">"Please correct the highlighted fields."</p>
                })}
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
