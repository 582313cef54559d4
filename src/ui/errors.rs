use crate::models::i18n::{t, t_string, use_i18n};
use crate::models::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;

/// Sets the HTTP status of the server-rendered response (no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = axum::http::StatusCode::from_u16(code) {
            res.set_status(status);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Sends the shopper to the canonical URL: a 301 for server-rendered requests,
/// a history replacement once hydrated.
pub fn redirect_permanently(url: &str) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        use axum::http::{header, HeaderValue, StatusCode};
        if let Ok(value) = HeaderValue::from_str(url) {
            res.set_status(StatusCode::MOVED_PERMANENTLY);
            res.insert_header(header::LOCATION, value);
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        let navigate = leptos_router::hooks::use_navigate();
        navigate(url, leptos_router::NavigateOptions { replace: true, ..Default::default() });
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, errors.not_found).to_string()/>
        <Meta name="robots" content="noindex"/>
        <section class="message-page" aria-labelledby="nf-title">
            <h1 id="nf-title">{t!(i18n, errors.not_found)}</h1>
            <p>{t!(i18n, errors.not_found_text)}</p>
            <p><A href=super::lang::href("/")>{t!(i18n, errors.back)}</A></p>
        </section>
    }
}

/// Renders an error from a server function; sets the response status accordingly.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    if matches!(error, AppError::NotFound(_)) {
        return view! { <NotFound/> }.into_any();
    }
    set_status(error.status());
    let i18n = use_i18n();
    let lang = super::lang::locale();
    let fields = error.fields_in(lang).into_iter().map(|(k, why)| format!("{k} {why}")).collect::<Vec<_>>();
    view! {
        <Title text=move || t_string!(i18n, errors.went_wrong).to_string()/>
        <section class="message-page" role="alert">
            <h1>{t!(i18n, errors.went_wrong)}</h1>
            <p>{error.message_in(lang)}</p>
            <ul>{fields.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
            <p><A href=super::lang::href("/")>{t!(i18n, errors.back)}</A></p>
        </section>
    }
    .into_any()
}
