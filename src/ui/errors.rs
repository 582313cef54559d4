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

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Page not found"/>
        <Meta name="robots" content="noindex"/>
        <section class="message-page" aria-labelledby="nf-title">
            <h1 id="nf-title">"Page not found"</h1>
            <p>"We couldn't find what you were looking for. It may have moved or sold out for good."</p>
            <p><A href="/">"Back to the shop"</A></p>
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
    let fields = match &error {
        AppError::Validation(f) => f.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>(),
        _ => vec![],
    };
    view! {
        <Title text="Something went wrong"/>
        <section class="message-page" role="alert">
            <h1>"Something went wrong"</h1>
            <p>{error.to_string()}</p>
            <ul>{fields.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
            <p><A href="/">"Back to the shop"</A></p>
        </section>
    }
    .into_any()
}
