//! Accounts in the browser: register, log in and out, profile, password and email
//! changes, password reset; the header's account links.

use super::errors::ErrorView;
use super::forms::{field_error, fields_of, form_error, Field, FieldValue, FormError, LiveCheck};
use super::lang::{href, locale};
use crate::models::account::{check_password, check_registration};
use crate::models::account::{LoginStep, Me};
use crate::models::i18n::{t, t_string, td_string, use_i18n};
use crate::models::messages::msg;
use crate::models::AppError;
use crate::models::FieldErrors;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::{use_params_map, use_query_map};

#[cfg(feature = "ssr")]
async fn context() -> Result<
    (crate::flows::state::AppState, crate::flows::auth::AuthSession, Option<std::net::IpAddr>),
    AppError,
> {
    let (state, auth) = crate::ui::request::request().await?;
    let ip = crate::ui::request::client_ip().await;
    Ok((state, auth, ip))
}

#[server]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let (_, auth) = crate::ui::request::request().await?;
    Ok(auth.user.as_ref().map(|a| crate::services::accounts::to_me(&a.0)))
}

#[server]
pub async fn register(
    name: String,
    email: String,
    password: String,
    confirm: String,
) -> Result<String, AppError> {
    let (state, mut auth, ip) = context().await?;
    let lang = crate::ui::request::page_locale().await;
    let form = crate::flows::accounts::Registration {
        name: &name,
        email: &email,
        password: &password,
        confirm: Some(&confirm),
    };
    crate::flows::accounts::register(&state, &mut auth, form, lang, ip).await?;
    Ok(crate::flows::accounts::registered_message().to_string())
}

#[server]
pub async fn log_in(
    email: String,
    password: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<LoginStep, AppError> {
    let (state, mut auth, ip) = context().await?;
    let step =
        crate::flows::accounts::log_in(&state, &mut auth, &email, &password, remember.is_some(), ip).await?;
    let next = crate::models::account::safe_next(next.as_deref());
    match &step {
        LoginStep::Done(_) => leptos_axum::redirect(&next),
        LoginStep::CodeNeeded => {
            let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            let code_page = crate::ui::request::page_locale().await.localize("/login/code");
            leptos_axum::redirect(&format!("{code_page}?next={next}"))
        }
    }
    Ok(step)
}

#[server]
pub async fn log_out() -> Result<(), AppError> {
    let (_, mut auth, _) = context().await?;
    crate::flows::accounts::log_out(&mut auth).await?;
    leptos_axum::redirect(&crate::ui::request::page_locale().await.localize("/"));
    Ok(())
}

#[server]
#[allow(clippy::too_many_arguments)]
pub async fn update_profile(
    name: String,
    first_name: String,
    last_name: String,
    address: String,
    postal_code: String,
    city: String,
) -> Result<Me, AppError> {
    let (state, auth, _) = context().await?;
    let id = crate::flows::accounts::require_user(&auth)?.0.id;
    let address = crate::models::account::Address { first_name, last_name, address, postal_code, city };
    crate::services::accounts::update_profile(&state.db, id, &name, &address).await
}

#[server]
pub async fn change_email(email: String, current_password: String) -> Result<String, AppError> {
    let (state, auth, ip) = context().await?;
    crate::flows::accounts::change_email(&state, &auth, &current_password, &email, ip).await
}

#[server]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm: String,
) -> Result<String, AppError> {
    let (state, mut auth, ip) = context().await?;
    crate::flows::accounts::require_user(&auth)?;
    if new_password != confirm {
        return Err(AppError::field("confirm", msg!(passwords_differ)));
    }
    crate::flows::accounts::change_password(&state, &mut auth, &current_password, &new_password, ip).await?;
    Ok(msg!(password_changed_here).into())
}

#[server]
pub async fn request_password_reset(email: String) -> Result<String, AppError> {
    let (state, _, ip) = context().await?;
    Ok(crate::flows::accounts::request_reset(&state, &email, ip).await?.to_string())
}

#[server]
pub async fn reset_password(
    token: String,
    new_password: String,
    confirm: String,
) -> Result<String, AppError> {
    let (state, _, _) = context().await?;
    if new_password != confirm {
        return Err(AppError::field("confirm", msg!(passwords_differ)));
    }
    crate::flows::accounts::reset_password(&state, &token, &new_password).await?;
    Ok(msg!(password_changed_log_in).into())
}

/// The actions that change who is logged in, shared through context. Who it is, is
/// loaded by whatever shows it: see [`AuthState::me`] and [`AuthState::me_in_browser`].
#[derive(Clone, Copy)]
pub struct AuthState {
    pub register: ServerAction<Register>,
    pub log_in: ServerAction<LogIn>,
    /// The second step of a login with two-factor sign-in.
    pub log_in_code: ServerAction<super::two_factor::EnterLoginCode>,
    pub log_out: ServerAction<LogOut>,
    pub update_profile: ServerAction<UpdateProfile>,
    pub change_email: ServerAction<ChangeEmail>,
}

impl AuthState {
    /// Changes whenever who is logged in may have changed.
    pub fn version(&self) -> usize {
        self.register.version().get()
            + self.log_in.version().get()
            + self.log_in_code.version().get()
            + self.log_out.version().get()
    }

    /// Changes whenever who is logged in, or their details, may have changed.
    fn details_version(&self) -> usize {
        self.version() + self.update_profile.version().get() + self.change_email.version().get()
    }

    /// The signed-in account, rendered into the page: for the pages about the account.
    pub fn me(&self) -> Resource<Result<Option<Me>, AppError>> {
        let this = *self;
        Resource::new(move || this.details_version(), |_| current_user())
    }

    /// The signed-in account, loaded by the browser once the page is there: for what every
    /// page shows (the header), so that a catalog page's HTML is the same for every visitor
    /// and can be cached (`http::page_cache`).
    pub fn me_in_browser(&self) -> LocalResource<Result<Option<Me>, AppError>> {
        let this = *self;
        LocalResource::new(move || {
            this.details_version();
            current_user()
        })
    }
}

pub fn provide_auth_state() -> AuthState {
    let state = AuthState {
        register: ServerAction::<Register>::new(),
        log_in: ServerAction::<LogIn>::new(),
        log_in_code: ServerAction::<super::two_factor::EnterLoginCode>::new(),
        log_out: ServerAction::<LogOut>::new(),
        update_profile: ServerAction::<UpdateProfile>::new(),
        change_email: ServerAction::<ChangeEmail>::new(),
    };
    provide_context(state);
    state
}

pub fn use_auth() -> AuthState {
    expect_context::<AuthState>()
}

/// The header's account links: `Log in` and `Register`, or the name and `Log out`.
#[component]
pub fn AccountLinks() -> impl IntoView {
    let auth = use_auth();
    let me = if super::layout::on_shared_page() {
        super::layout::VisitorData::InBrowser(auth.me_in_browser())
    } else {
        super::layout::VisitorData::WithPage(auth.me())
    };
    let i18n = use_i18n();
    // On a page shared by everyone the server renders the links for a visitor; the
    // browser swaps in the account's name once it knows who is signed in.
    let visitor = move || {
        view! {
            <A href=href("/login")>{t!(i18n, account.log_in)}</A>
            <A href=href("/register")>{t!(i18n, account.register)}</A>
        }
    };
    let signed_in = move |me: Me| {
        view! {
            <A href=href("/account") attr:class="account-link">{me.name}</A>
            <ActionForm action=auth.log_out attr:class="inline-form">
                <button type="submit" class="button link">{t!(i18n, account.log_out)}</button>
            </ActionForm>
        }
    };
    match me {
        // Read without a Suspense: on the server a local resource never loads, and a
        // Suspense waiting on one meets a race in Leptos 0.8's SSR (two tasks write its
        // error-boundary notifier; the one that finds it locked panics). Both sides render
        // the visitor's links first; the browser swaps in the account when it has loaded.
        super::layout::VisitorData::InBrowser(local) => (move || match local.get() {
            Some(Ok(Some(me))) => signed_in(me).into_any(),
            _ => visitor().into_any(),
        })
        .into_any(),
        super::layout::VisitorData::WithPage(resource) => view! {
            <Transition fallback=visitor>
                {move || Suspend::new(async move {
                    match resource.await {
                        Ok(Some(me)) => signed_in(me).into_any(),
                        _ => visitor().into_any(),
                    }
                })}
            </Transition>
        }
        .into_any(),
    }
}

fn registration_rules(get: FieldValue) -> FieldErrors {
    fields_of(check_registration(&get("name"), &get("email"), &get("password"), Some(&get("confirm"))))
}

/// Rules for a form with `new_password` and `confirm`.
fn new_password_rules(get: FieldValue) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if let Err(why) = check_password(&get("new_password"), "") {
        errors.insert("new_password".into(), why);
    }
    if get("confirm") != get("new_password") {
        errors.insert("confirm".into(), msg!(passwords_differ).into());
    }
    errors
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = use_auth().register;
    let i18n = use_i18n();
    let lang = locale();
    let live = LiveCheck::new();
    let done = move || action.value().get().and_then(Result::ok);
    view! {
        <Title text=move || t_string!(i18n, account.create).to_string()/>
        <Meta name="robots" content="noindex"/>
        <section class="form-page" aria-labelledby="register-title">
            <h1 id="register-title">{t!(i18n, account.create)}</h1>
            {move || match done() {
                Some(message) => view! {
                    <p class="notice" role="status">{lang.message(&message)}</p>
                    <p>
                        <A href=href("/account")>{t!(i18n, account.your_account)}</A>
                        " · "
                        <A href=href("/")>{t!(i18n, account.keep_shopping)}</A>
                    </p>
                }
                .into_any(),
                None => view! {
                    <ActionForm action=action attr:class="stack-form" on:focusout=live.on_focusout(registration_rules)>
                        <Field id="reg-name" name="name" label=td_string!(lang, fields.name) autocomplete="name" required=true
                            error=live.error(action, "name")/>
                        <Field id="reg-email" name="email" label=td_string!(lang, fields.email) kind="email" autocomplete="email" required=true
                            error=live.error(action, "email")/>
                        <Field id="reg-password" name="password" label=td_string!(lang, fields.password) kind="password" autocomplete="new-password"
                            required=true error=live.error(action, "password")/>
                        <Field id="reg-confirm" name="confirm" label=td_string!(lang, fields.confirm_password) kind="password"
                            autocomplete="new-password" required=true error=live.error(action, "confirm")/>
                        <p class="note">{t!(i18n, account.password_rule)}</p>
                        <FormError error=form_error(action)/>
                        <button type="submit" class="button primary" disabled=move || action.pending().get()>
                            {t!(i18n, account.register)}
                        </button>
                    </ActionForm>
                    <p>{t!(i18n, account.have_account)} " " <A href=href("/login")>{t!(i18n, account.log_in)}</A></p>
                }
                .into_any(),
            }}
        </section>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = use_auth().log_in;
    let query = use_query_map();
    let i18n = use_i18n();
    let lang = locale();
    let next = move || query.read().get("next").unwrap_or_else(|| lang.localize("/"));
    view! {
        <Title text=move || t_string!(i18n, account.log_in).to_string()/>
        <Meta name="robots" content="noindex"/>
        <section class="form-page" aria-labelledby="login-title">
            <h1 id="login-title">{t!(i18n, account.log_in)}</h1>
            <ActionForm action=action attr:class="stack-form">
                <input type="hidden" name="next" value=next/>
                <Field id="login-email" name="email" label=td_string!(lang, fields.email) kind="email" autocomplete="username" required=true
                   />
                <Field id="login-password" name="password" label=td_string!(lang, fields.password) kind="password"
                    autocomplete="current-password" required=true/>
                <div class="check">
                    <input id="login-remember" name="remember" type="checkbox"/>
                    <label for="login-remember">{t!(i18n, account.remember)}</label>
                </div>
                <FormError error=form_error(action)/>
                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                    {t!(i18n, account.log_in)}
                </button>
            </ActionForm>
            <p>
                <A href=href("/password-reset")>{t!(i18n, account.forgot)}</A>
                " · "
                <A href=href("/register")>{t!(i18n, account.create)}</A>
            </p>
        </section>
    }
}

#[component]
pub fn LogoutPage() -> impl IntoView {
    let auth = use_auth();
    let me = auth.me();
    let i18n = use_i18n();
    let lang = locale();
    view! {
        <Title text=move || t_string!(i18n, account.log_out).to_string()/>
        <Meta name="robots" content="noindex"/>
        <section class="form-page" aria-labelledby="logout-title">
            <h1 id="logout-title">{t!(i18n, account.log_out)}</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(me)) => view! {
                            <p>{td_string!(lang, account.logged_in_as, email = me.email.as_str()).to_string()}</p>
                            <ActionForm action=auth.log_out>
                                <button type="submit" class="button primary">{t!(i18n, account.log_out)}</button>
                            </ActionForm>
                        }
                        .into_any(),
                        _ => view! {
                            <p>{t!(i18n, account.logged_out)} " " <A href=href("/login")>{t!(i18n, account.log_in)}</A></p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = use_auth().me();
    let i18n = use_i18n();
    let login = format!("{}?next={}", href("/login"), href("/account"));
    view! {
        <Title text=move || t_string!(i18n, account.your_account).to_string()/>
        <Meta name="robots" content="noindex"/>
        <Transition fallback=move || view! { <p class="loading" role="status">{t!(i18n, account.loading)}</p> }>
            {move || {
                let login = login.clone();
                Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <AccountForms me/> }.into_any(),
                    Ok(None) => view! { <Redirect path=login/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}}
        </Transition>
    }
}

#[component]
fn AccountForms(me: Me) -> impl IntoView {
    let auth = use_auth();
    let (profile, email) = (auth.update_profile, auth.change_email);
    let password = ServerAction::<ChangePassword>::new();
    let i18n = use_i18n();
    let lang = locale();
    let live = LiveCheck::new();
    let saved =
        |ok: bool, text: &'static str| ok.then(|| view! { <p class="notice" role="status">{text}</p> });
    let a = me.address.clone();
    let staff = (me.role == crate::models::account::Role::Admin).then(|| me.clone());
    view! {
        <h1>{t!(i18n, account.your_account)}</h1>
        <p><A href=href("/account/orders")>{t!(i18n, orders.title)}</A></p>
        <section class="account-section" aria-labelledby="profile-title">
            <h2 id="profile-title">{t!(i18n, account.profile)}</h2>
            <ActionForm action=profile attr:class="stack-form">
                <Field id="profile-name" name="name" label=td_string!(lang, fields.name) autocomplete="name" value=me.name.clone() required=true
                    error=field_error(profile, "name")/>
                <fieldset class="address">
                    <legend>{t!(i18n, account.default_address)}</legend>
                    <Field id="profile-first" name="first_name" label=td_string!(lang, fields.first_name) autocomplete="given-name"
                        value=a.first_name error=field_error(profile, "first_name")/>
                    <Field id="profile-last" name="last_name" label=td_string!(lang, fields.last_name) autocomplete="family-name"
                        value=a.last_name error=field_error(profile, "last_name")/>
                    <Field id="profile-address" name="address" label=td_string!(lang, fields.address) autocomplete="street-address"
                        value=a.address error=field_error(profile, "address")/>
                    <Field id="profile-postal" name="postal_code" label=td_string!(lang, fields.postal_code) autocomplete="postal-code"
                        value=a.postal_code error=field_error(profile, "postal_code")/>
                    <Field id="profile-city" name="city" label=td_string!(lang, fields.city) autocomplete="address-level2" value=a.city
                        error=field_error(profile, "city")/>
                </fieldset>
                <FormError error=form_error(profile)/>
                {move || saved(matches!(profile.value().get(), Some(Ok(_))), td_string!(lang, account.profile_saved))}
                <button type="submit" class="button primary">{t!(i18n, account.save)}</button>
            </ActionForm>
        </section>
        <section class="account-section" aria-labelledby="email-title">
            <h2 id="email-title">{t!(i18n, account.email_address)}</h2>
            <ActionForm action=email attr:class="stack-form">
                <Field id="email-new" name="email" label=td_string!(lang, fields.email) kind="email" autocomplete="email" value=me.email.clone()
                    required=true error=field_error(email, "email")/>
                <Field id="email-password" name="current_password" label=td_string!(lang, fields.current_password) kind="password"
                    autocomplete="current-password" required=true error=field_error(email, "current_password")/>
                <FormError error=form_error(email)/>
                {move || email.value().get().and_then(Result::ok).map(|m| view! { <p class="notice" role="status">{lang.message(&m)}</p> })}
                <button type="submit" class="button primary">{t!(i18n, account.save)}</button>
            </ActionForm>
        </section>
        {staff.map(|me| view! { <super::two_factor::TwoFactorSection me/> })}
        <section class="account-section" aria-labelledby="password-title">
            <h2 id="password-title">{t!(i18n, account.password)}</h2>
            <ActionForm action=password attr:class="stack-form" on:focusout=live.on_focusout(new_password_rules)>
                <Field id="pw-current" name="current_password" label=td_string!(lang, fields.current_password) kind="password"
                    autocomplete="current-password" required=true error=field_error(password, "current_password")/>
                <Field id="pw-new" name="new_password" label=td_string!(lang, fields.new_password) kind="password" autocomplete="new-password"
                    required=true error=live.error(password, "new_password")/>
                <Field id="pw-confirm" name="confirm" label=td_string!(lang, fields.confirm_password) kind="password" autocomplete="new-password"
                    required=true error=live.error(password, "confirm")/>
                <FormError error=form_error(password)/>
                {move || password.value().get().and_then(Result::ok).map(|m| view! { <p class="notice" role="status">{lang.message(&m)}</p> })}
                <button type="submit" class="button primary">{t!(i18n, account.save)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn PasswordResetPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let i18n = use_i18n();
    let lang = locale();
    view! {
        <Title text=move || t_string!(i18n, account.reset_title).to_string()/>
        <Meta name="robots" content="noindex"/>
        <section class="form-page" aria-labelledby="reset-title">
            <h1 id="reset-title">{t!(i18n, account.reset_title)}</h1>
            {move || match action.value().get().and_then(Result::ok) {
                Some(message) => view! { <p class="notice" role="status">{lang.message(&message)}</p> }.into_any(),
                None => view! {
                    <p>{t!(i18n, account.reset_intro)}</p>
                    <ActionForm action=action attr:class="stack-form">
                        <Field id="reset-email" name="email" label=td_string!(lang, fields.email) kind="email" autocomplete="email" required=true
                            error=field_error(action, "email")/>
                        <FormError error=form_error(action)/>
                        <button type="submit" class="button primary">{t!(i18n, account.send_reset)}</button>
                    </ActionForm>
                }
                .into_any(),
            }}
        </section>
    }
}

#[component]
pub fn PasswordResetConfirmPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let live = LiveCheck::new();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let i18n = use_i18n();
    let lang = locale();
    view! {
        <Title text=move || t_string!(i18n, account.choose_new).to_string()/>
        <Meta name="robots" content="noindex"/>
        <Meta name="referrer" content="no-referrer"/>
        <section class="form-page" aria-labelledby="newpw-title">
            <h1 id="newpw-title">{t!(i18n, account.choose_new)}</h1>
            {move || match action.value().get().and_then(Result::ok) {
                Some(message) => view! {
                    <p class="notice" role="status">{lang.message(&message)}</p>
                    <p><A href=href("/login")>{t!(i18n, account.log_in)}</A></p>
                }
                .into_any(),
                None => view! {
                    <ActionForm action=action attr:class="stack-form" on:focusout=live.on_focusout(new_password_rules)>
                        <input type="hidden" name="token" value=token/>
                        <Field id="newpw-password" name="new_password" label=td_string!(lang, fields.new_password) kind="password"
                            autocomplete="new-password" required=true error=live.error(action, "new_password")/>
                        <Field id="newpw-confirm" name="confirm" label=td_string!(lang, fields.confirm_password) kind="password"
                            autocomplete="new-password" required=true error=live.error(action, "confirm")/>
                        <FormError error=form_error(action)/>
                        <button type="submit" class="button primary">{t!(i18n, account.save)}</button>
                    </ActionForm>
                }
                .into_any(),
            }}
        </section>
    }
}
