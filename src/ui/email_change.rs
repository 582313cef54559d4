//! The pages behind the links mailed about a change of sign-in address:
//! `/account/email/confirm/{token}` (to the new address) and `/account/email/undo/{token}`
//! (to the old one). Opening a link changes nothing (mail scanners open links); the
//! button on the page does.

use super::forms::{form_error, FormError};
use crate::models::i18n::td_string;
use crate::models::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// Which mailed link a page is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum EmailLink {
    Confirm,
    Undo,
}

#[server]
pub async fn follow_email_link(undo: bool, token: String) -> Result<String, AppError> {
    let (state, _) = crate::ui::request::request().await?;
    let message = if undo {
        crate::flows::accounts::undo_email_change(&state, &token).await?
    } else {
        crate::flows::accounts::confirm_email_change(&state, &token).await?
    };
    Ok(message.to_owned())
}

#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    view! { <LinkPage link=EmailLink::Confirm/> }
}

#[component]
pub fn UndoEmailChangePage() -> impl IntoView {
    view! { <LinkPage link=EmailLink::Undo/> }
}

#[component]
fn LinkPage(link: EmailLink) -> impl IntoView {
    let lang = super::lang::locale();
    let (title, explain, button) = match link {
        EmailLink::Confirm => (
            td_string!(lang, email_link.confirm_title),
            td_string!(lang, email_link.confirm_text),
            td_string!(lang, email_link.confirm_button),
        ),
        EmailLink::Undo => (
            td_string!(lang, email_link.undo_title),
            td_string!(lang, email_link.undo_text),
            td_string!(lang, email_link.undo_button),
        ),
    };
    let action = ServerAction::<FollowEmailLink>::new();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    view! {
        <Title text=title/>
        <Meta name="robots" content="noindex"/>
        <Meta name="referrer" content="no-referrer"/>
        <section class="form-page" aria-labelledby="link-title">
            <h1 id="link-title">{title}</h1>
            {move || match action.value().get().and_then(Result::ok) {
                Some(message) => view! {
                    <p class="notice" role="status">{crate::ui::lang::locale().message(&message)}</p>
                    <p><A href=lang.localize("/login")>{td_string!(lang, account.log_in)}</A></p>
                }
                .into_any(),
                None => view! {
                    <p>{explain}</p>
                    <ActionForm action=action attr:class="stack-form">
                        <input type="hidden" name="undo" value=(link == EmailLink::Undo).to_string()/>
                        <input type="hidden" name="token" value=token/>
                        <FormError error=form_error(action)/>
                        <button type="submit" class="button primary">{button}</button>
                    </ActionForm>
                }
                .into_any(),
            }}
        </section>
    }
}
