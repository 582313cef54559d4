//! Form building blocks: a labelled input with its error message, and the errors a
//! server action answered with.

use crate::models::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The message for field `name` from the action's last answer, if it was a validation error.
pub fn field_error<S>(action: ServerAction<S>, name: &'static str) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| match v {
            Some(Err(AppError::Validation(fields))) => fields.get(name).cloned(),
            _ => None,
        })
    })
}

/// The action's last error when it was not about a field (wrong password, rate limit…).
pub fn form_error<S>(action: ServerAction<S>) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| match v {
            Some(Err(AppError::Validation(_))) => Some("Please correct the highlighted fields.".to_string()),
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    })
}

/// A labelled input; its error is announced with it (`aria-describedby`, `aria-invalid`).
#[component]
pub fn Field(
    /// Unique on the page.
    #[prop(into)]
    id: String,
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional, into)] error: MaybeProp<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id name=name type=kind autocomplete=autocomplete value=value required=required
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=error_id.clone()/>
            <p class="field-error" id=error_id>{move || error.get()}</p>
        </div>
    }
}

/// The form-level message (role=alert) for an action's non-field error.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || error.get().map(|e| view! { <p class="notice error" role="alert">{e}</p> })
}
