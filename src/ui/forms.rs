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
    let lang = crate::ui::lang::locale();
    Signal::derive(move || {
        action.value().with(|v| match v {
            Some(Err(AppError::Validation(fields))) => fields.get(name).map(|why| lang.message(why)),
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
    let lang = crate::ui::lang::locale();
    Signal::derive(move || {
        action.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err()).map(|e| e.message_in(lang)))
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

/// Reads a field of the form being checked.
pub type FieldValue<'a> = &'a dyn Fn(&str) -> String;

/// Instant feedback: the same rules the server runs, run in the browser as the shopper
/// leaves each field. Only fields already visited show their message.
#[derive(Clone, Copy)]
pub struct LiveCheck {
    errors: RwSignal<crate::models::FieldErrors>,
    touched: RwSignal<Vec<String>>,
}

impl LiveCheck {
    pub fn new() -> Self {
        Self { errors: RwSignal::new(Default::default()), touched: RwSignal::new(Vec::new()) }
    }

    /// A `focusout` handler for the form: re-runs `rules` over the form's current values.
    pub fn on_focusout(
        self,
        rules: fn(FieldValue) -> crate::models::FieldErrors,
    ) -> impl Fn(leptos::ev::FocusEvent) + Clone + 'static {
        move |ev: leptos::ev::FocusEvent| {
            #[cfg(feature = "hydrate")]
            {
                use wasm_bindgen::JsCast;
                let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                else {
                    return;
                };
                let Some(form) = input.form() else { return };
                let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
                let get = |k: &str| data.get(k).as_string().unwrap_or_default();
                self.touched.update(|t| {
                    if !t.contains(&input.name()) {
                        t.push(input.name());
                    }
                });
                self.errors.set(rules(&get));
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (ev, rules);
        }
    }

    /// The message for `name`: the server's answer first, else the browser's own check
    /// once the field has been visited.
    pub fn error<S>(self, action: ServerAction<S>, name: &'static str) -> Signal<Option<String>>
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Send + Sync + 'static,
    {
        let server = field_error(action, name);
        let lang = crate::ui::lang::locale();
        Signal::derive(move || {
            server.get().or_else(|| {
                let visited = self.touched.with(|t| t.iter().any(|f| f == name));
                visited.then(|| self.errors.with(|e| e.get(name).map(|why| lang.message(why)))).flatten()
            })
        })
    }
}

impl Default for LiveCheck {
    fn default() -> Self {
        Self::new()
    }
}

/// The validation errors of a check, or none.
pub fn fields_of<T>(result: Result<T, AppError>) -> crate::models::FieldErrors {
    match result {
        Err(AppError::Validation(fields)) => fields,
        _ => Default::default(),
    }
}
