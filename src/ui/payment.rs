//! Where Stripe sends the shopper back: `/payment/success` (confirms the payment with
//! Stripe at once, so the order shows *Paid* even before the webhook lands) and
//! `/payment/cancel` (back to the order, `Pay` still offered).

use super::errors::ErrorView;
use super::lang::locale;
use crate::models::i18n::{t, t_string, td_string, use_i18n};
use crate::models::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::{components::A, hooks::use_query_map};
use serde::{Deserialize, Serialize};

/// What the success page learned from Stripe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentConfirmation {
    pub paid: bool,
    /// Only when the order is this shopper's.
    pub order_id: Option<i64>,
}

#[server]
pub async fn confirm_payment(session_id: String) -> Result<PaymentConfirmation, AppError> {
    use crate::flows::shopper;
    let (state, auth) = crate::ui::request::request().await?;
    let ip = crate::ui::request::client_ip().await;
    let confirmed = crate::flows::payments::confirm(&state, &session_id, ip).await?;
    // The session id proves a payment, not who owns the order: link it only for its owner.
    let order_id = match (confirmed.order_id, shopper::known(&auth).await?) {
        (Some(id), Some(me)) => crate::services::orders::get(&state.db, &me, id).await.ok().map(|o| o.id),
        _ => None,
    };
    Ok(PaymentConfirmation { paid: confirmed.paid, order_id })
}

#[component]
pub fn PaymentSuccessPage() -> impl IntoView {
    let query = use_query_map();
    let session_id = move || query.read().get("session_id").unwrap_or_default();
    let i18n = use_i18n();
    let lang = locale();
    let confirmation = Resource::new(session_id, |id| async move {
        if id.is_empty() {
            Err(AppError::BadRequest("This link has no payment session.".into()))
        } else {
            confirm_payment(id).await
        }
    });
    view! {
        <Title text=move || t_string!(i18n, payment.title).to_string()/>
        <Meta name="robots" content="noindex"/>
        <Suspense fallback=move || view! { <p class="loading" role="status">{t!(i18n, payment.confirming)}</p> }>
            {move || Suspend::new(async move {
                match confirmation.await {
                    Ok(c) => {
                        let link = c.order_id.map(|id| view! {
                            <p><A href=lang.localize(&format!("/orders/{id}"))>{td_string!(lang, payment.view_order, id = id).to_string()}</A></p>
                        });
                        if c.paid {
                            view! {
                                <h1>{t!(i18n, payment.received)}</h1>
                                <p role="status">{t!(i18n, payment.received_text)}</p>
                                {link}
                            }.into_any()
                        } else {
                            view! {
                                <h1>{t!(i18n, payment.in_progress)}</h1>
                                <p role="status">{t!(i18n, payment.in_progress_text)}</p>
                                {link}
                            }.into_any()
                        }
                    }
                    Err(error) => view! { <h1>{t!(i18n, payment.title)}</h1><ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn PaymentCancelPage() -> impl IntoView {
    let query = use_query_map();
    let order_id =
        move || query.read().get("order_id").and_then(|s| s.parse::<i64>().ok()).filter(|id| *id > 0);
    let i18n = use_i18n();
    let lang = locale();
    view! {
        <Title text=move || t_string!(i18n, payment.cancelled).to_string()/>
        <Meta name="robots" content="noindex"/>
        <h1>{t!(i18n, payment.cancelled)}</h1>
        <p>{t!(i18n, payment.cancelled_text)}</p>
        {move || match order_id() {
            Some(id) => view! {
                <p><A href=lang.localize(&format!("/orders/{id}"))>{td_string!(lang, payment.back_to_order, id = id).to_string()}</A></p>
            }
            .into_any(),
            None => view! { <p><A href=lang.localize("/account/orders")>{t!(i18n, orders.title)}</A></p> }.into_any(),
        }}
    }
}
