//! Two-factor sign-in in the browser: the code step of a login (`/login/code`) and, on
//! the account page of a staff account, turning it on (secret, `otpauth://` link, first
//! code, recovery codes shown once) and off.

use super::forms::{field_error, form_error, Field, FormError};
use crate::models::account::{Me, TwoFactorSetup};
use crate::models::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

#[server]
pub async fn enter_login_code(code: String, next: Option<String>) -> Result<Me, AppError> {
    let (state, mut auth) = crate::ui::request::request().await?;
    let ip = crate::ui::request::client_ip().await;
    let me = crate::flows::accounts::log_in_code(&state, &mut auth, &code, ip).await?;
    leptos_axum::redirect(&crate::models::account::safe_next(next.as_deref()));
    Ok(me)
}

#[server]
pub async fn two_factor_begin(current_password: String) -> Result<TwoFactorSetup, AppError> {
    let (state, auth) = crate::ui::request::request().await?;
    let ip = crate::ui::request::client_ip().await;
    crate::flows::accounts::two_factor_begin(&state, &auth, &current_password, ip).await
}

#[server]
pub async fn two_factor_confirm(code: String) -> Result<Vec<String>, AppError> {
    let (state, auth) = crate::ui::request::request().await?;
    let ip = crate::ui::request::client_ip().await;
    crate::flows::accounts::two_factor_confirm(&state, &auth, &code, ip).await
}

#[server]
pub async fn two_factor_disable(current_password: String) -> Result<String, AppError> {
    let (state, auth) = crate::ui::request::request().await?;
    let ip = crate::ui::request::client_ip().await;
    crate::flows::accounts::two_factor_disable(&state, &auth, &current_password, ip).await?;
    Ok(crate::models::messages::msg!(two_factor_off).into())
}

#[component]
pub fn LoginCodePage() -> impl IntoView {
    // Shared with the header and the account page, which ask again who is logged in.
    let action = super::account::use_auth().log_in_code;
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    let i18n = crate::models::i18n::use_i18n();
    let lang = crate::ui::lang::locale();
    view! {
        <Title text=move || crate::models::i18n::t_string!(i18n, account.code_title).to_string()/>
        <Meta name="robots" content="noindex"/>
        <section class="form-page" aria-labelledby="code-title">
            <h1 id="code-title">{crate::models::i18n::t!(i18n, account.code_title)}</h1>
            <p>{crate::models::i18n::t!(i18n, account.code_intro)}</p>
            <ActionForm action=action attr:class="stack-form">
                <input type="hidden" name="next" value=next/>
                <Field id="login-code" name="code" label=crate::models::i18n::td_string!(lang, account.code_label) autocomplete="one-time-code" required=true
                    error=field_error(action, "code")/>
                <FormError error=form_error(action)/>
                <button type="submit" class="button primary" disabled=move || action.pending().get()>{crate::models::i18n::t!(i18n, account.log_in)}</button>
            </ActionForm>
        </section>
    }
}

/// The account page's section for staff accounts.
#[component]
pub fn TwoFactorSection(me: Me) -> impl IntoView {
    let begin = ServerAction::<TwoFactorBegin>::new();
    let confirm = ServerAction::<TwoFactorConfirm>::new();
    let disable = ServerAction::<TwoFactorDisable>::new();
    let on = me.two_factor;
    view! {
        <section class="account-section" aria-labelledby="two-factor-title">
            <h2 id="two-factor-title">"Two-factor sign-in"</h2>
            {move || {
                if let Some(Ok(codes)) = confirm.value().get() {
                    return view! {
                        <p class="notice" role="status">"Two-factor sign-in is on. Keep these recovery codes somewhere safe: each works once instead of a code, and they are shown only now."</p>
                        <ul class="recovery-codes">{codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
                    }
                    .into_any();
                }
                if let Some(Ok(message)) = disable.value().get() {
                    return view! { <p class="notice" role="status">{crate::ui::lang::locale().message(&message)}</p> }.into_any();
                }
                if let Some(Ok(setup)) = begin.value().get() {
                    return view! {
                        <p>"Add this account to your authenticator app with the key below (or open the link on the device that has the app), then enter the code it shows."</p>
                        <p>"Key: " <code>{setup.secret}</code></p>
                        <p><a href=setup.otpauth_url>"Open in authenticator app"</a></p>
                        <ActionForm action=confirm attr:class="stack-form">
                            <Field id="two-factor-code" name="code" label="Code" autocomplete="one-time-code" required=true
                                error=field_error(confirm, "code")/>
                            <FormError error=form_error(confirm)/>
                            <button type="submit" class="button primary">"Turn on"</button>
                        </ActionForm>
                    }
                    .into_any();
                }
                if on {
                    view! {
                        <p>"On: logging in asks for a code from your authenticator app."</p>
                        <ActionForm action=disable attr:class="stack-form">
                            <Field id="two-factor-off-password" name="current_password" label="Current password" kind="password"
                                autocomplete="current-password" required=true error=field_error(disable, "current_password")/>
                            <FormError error=form_error(disable)/>
                            <button type="submit" class="button">"Turn off two-factor sign-in"</button>
                        </ActionForm>
                    }
                    .into_any()
                } else {
                    view! {
                        <p>"Off. With it on, logging in also asks for a code from an authenticator app."</p>
                        <ActionForm action=begin attr:class="stack-form">
                            <Field id="two-factor-password" name="current_password" label="Current password" kind="password"
                                autocomplete="current-password" required=true error=field_error(begin, "current_password")/>
                            <FormError error=form_error(begin)/>
                            <button type="submit" class="button primary">"Set up two-factor sign-in"</button>
                        </ActionForm>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}
