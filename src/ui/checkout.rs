//! `/checkout`: the shipping form and `Place order`. The form carries an idempotency key,
//! so a double submit places one order.

use super::cart::use_cart;
use super::errors::ErrorView;
use super::forms::{fields_of, form_error, Field, FieldValue, FormError, LiveCheck};
use super::lang::{href, locale};
use crate::models::i18n::{t, t_string, td_string, use_i18n};
use crate::models::{AppError, Cart, FieldErrors, Shipping};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
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
    let lang = crate::ui::request::page_locale().await;
    let placed =
        crate::flows::checkout::place_order(&state, &shopper, &shipping, &idempotency_key, ip, lang).await?;
    leptos_axum::redirect(&lang.localize(&placed.order.url()));
    Ok(placed.order.id)
}

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let details = Resource::new(|| (), |_| checkout_details());
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, checkout.title).to_string()/>
        <Meta name="robots" content="noindex"/>
        <h1>{t!(i18n, checkout.title)}</h1>
        <Suspense fallback=move || view! { <p class="loading" role="status">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(d) if d.cart.lines.is_empty() => view! {
                        <div class="empty-state">
                            <p>{t!(i18n, checkout.empty)}</p>
                            <p><A href=href("/")>{t!(i18n, cart.browse)}</A></p>
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
fn fields(
    lang: crate::models::lang::Locale,
) -> [(&'static str, &'static str, &'static str, &'static str); 6] {
    [
        ("first_name", td_string!(lang, fields.first_name), "text", "given-name"),
        ("last_name", td_string!(lang, fields.last_name), "text", "family-name"),
        ("email", td_string!(lang, fields.email), "email", "email"),
        ("address", td_string!(lang, fields.address), "text", "street-address"),
        ("postal_code", td_string!(lang, fields.postal_code), "text", "postal-code"),
        ("city", td_string!(lang, fields.city), "text", "address-level2"),
    ]
}

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
    let i18n = use_i18n();
    let lang = locale();
    let live = LiveCheck::new();
    let cart = details.cart.clone();
    view! {
        <div class="checkout">
            <ActionForm action=place attr:class="checkout-form" attr:novalidate=true on:focusout=live.on_focusout(shipping_rules)>
                <fieldset>
                    <legend>{t!(i18n, checkout.shipping_address)}</legend>
                    <input type="hidden" name="idempotency_key" value=details.idempotency_key.clone()/>
                    {fields(lang)
                        .into_iter()
                        .map(|(name, label, kind, autocomplete)| view! {
                            <Field id=name name=name label=label kind=kind autocomplete=autocomplete required=true
                                value=field_value(&details.prefill, name) error=live.error(place, name)/>
                        })
                        .collect_view()}
                </fieldset>
                <FormError error=form_error(place)/>
                <button type="submit" class="button primary" disabled=move || place.pending().get()>{t!(i18n, checkout.place_order)}</button>
                {move || place.pending().get().then(|| view! { <p class="loading" role="status">{t!(i18n, checkout.placing)}</p> })}
            </ActionForm>
            <aside class="order-summary" aria-labelledby="summary-title">
                <h2 id="summary-title">{t!(i18n, checkout.your_order)}</h2>
                <ul>
                    {cart.lines.iter().map(|l| view! {
                        <li>{format!("{} × {}", l.quantity, l.name)} <span>{l.line_total.format_in(lang)}</span></li>
                    }).collect_view()}
                </ul>
                <dl class="totals">
                    <dt>{t!(i18n, cart.subtotal)}</dt>
                    <dd>{cart.subtotal.format_in(lang)}</dd>
                    {cart.coupon.as_ref().filter(|_| cart.discount.amount > 0).map(|c| view! {
                        <dt>{td_string!(lang, checkout.coupon, code = c.code.as_str()).to_string()}</dt>
                        <dd>{format!("-{}", cart.discount.format_in(lang))}</dd>
                    })}
                    <dt class="grand">{t!(i18n, cart.total)}</dt>
                    <dd class="grand">{cart.total.format_in(lang)}</dd>
                </dl>
                <p><A href=href("/cart")>{t!(i18n, checkout.change_cart)}</A></p>
            </aside>
        </div>
    }
}
