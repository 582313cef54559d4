//! The cart: server functions, the shared cart state (header link and pages read one
//! resource that refreshes after every cart action), and the `/cart` page.

use super::errors::ErrorView;
use super::lang::{href, locale};
use crate::models::i18n::{t, t_string, td_string, use_i18n};
use crate::models::lang::Locale;
use crate::models::{AppError, Cart, CartLine, ProductSummary};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::{Form, A};

#[cfg(feature = "ssr")]
pub(super) async fn shopper_for_change(
) -> Result<(crate::flows::state::AppState, crate::services::cart::Shopper), AppError> {
    let (state, auth) = crate::ui::request::request().await?;
    Ok((state, crate::flows::shopper::get_or_create(&auth).await?))
}

#[server]
pub async fn get_cart() -> Result<Cart, AppError> {
    let (state, auth) = crate::ui::request::request().await?;
    let mut cart = match crate::flows::shopper::known(&auth).await? {
        Some(shopper) => crate::services::cart::view(&state.db, &shopper).await?,
        None => Cart::empty(crate::models::SHOP_CURRENCY),
    };
    let lang = crate::ui::request::page_locale().await;
    crate::services::catalog::translate_cart(&state.db, &mut cart, lang).await?;
    Ok(cart)
}

#[server]
pub async fn add_to_cart(product_id: i64, quantity: i32) -> Result<Cart, AppError> {
    let (state, shopper) = shopper_for_change().await?;
    let cart = crate::services::cart::add(&state.db, &shopper, product_id, quantity).await?;
    // Without JavaScript the form's post ends on the cart, which shows what was added
    // (the product page is the same for everyone, so it cannot).
    if crate::ui::request::from_plain_form().await {
        leptos_axum::redirect(&crate::ui::request::page_locale().await.localize("/cart"));
    }
    Ok(cart)
}

#[server]
pub async fn update_cart_line(product_id: i64, quantity: i32) -> Result<Cart, AppError> {
    let (state, shopper) = shopper_for_change().await?;
    crate::services::cart::set_quantity(&state.db, &shopper, product_id, quantity).await
}

#[server]
pub async fn remove_cart_line(product_id: i64) -> Result<Cart, AppError> {
    let (state, shopper) = shopper_for_change().await?;
    crate::services::cart::remove(&state.db, &shopper, product_id).await
}

#[server]
pub async fn apply_coupon(code: String) -> Result<Cart, AppError> {
    let (state, shopper) = shopper_for_change().await?;
    let ip = crate::ui::request::client_ip().await;
    crate::flows::checkout::apply_coupon(&state, &shopper, &code, ip).await
}

#[server]
pub async fn remove_coupon() -> Result<Cart, AppError> {
    let (state, shopper) = shopper_for_change().await?;
    crate::services::cart::remove_coupon(&state.db, &shopper).await
}

/// The cart actions, shared by every page through context. The cart itself is loaded by
/// whatever shows it: see [`CartState::cart`] and [`CartState::cart_in_browser`].
#[derive(Clone, Copy)]
pub struct CartState {
    pub add: ServerAction<AddToCart>,
    pub update: ServerAction<UpdateCartLine>,
    pub remove: ServerAction<RemoveCartLine>,
    pub apply_coupon: ServerAction<ApplyCoupon>,
    pub remove_coupon: ServerAction<RemoveCoupon>,
    pub place_order: ServerAction<super::checkout::PlaceOrder>,
    auth: super::account::AuthState,
}

impl CartState {
    /// Any cart action bumps its version; the sum changes, and the cart is fetched again.
    fn version(&self) -> usize {
        self.add.version().get()
            + self.update.version().get()
            + self.remove.version().get()
            + self.apply_coupon.version().get()
            + self.remove_coupon.version().get()
            + self.place_order.version().get()
            // Logging in merges the guest cart into the account's; logging out leaves it.
            + self.auth.version()
    }

    /// The cart, rendered into the page: for the cart page.
    pub fn cart(&self) -> Resource<Result<Cart, AppError>> {
        let this = *self;
        Resource::new(move || this.version(), |_| get_cart())
    }

    /// The cart, loaded by the browser once the page is there: for the header's link, so
    /// that a catalog page's HTML is the same for every visitor (`http::page_cache`).
    pub fn cart_in_browser(&self) -> LocalResource<Result<Cart, AppError>> {
        let this = *self;
        LocalResource::new(move || {
            this.version();
            get_cart()
        })
    }
}

pub fn provide_cart_state(auth: super::account::AuthState) {
    provide_context(CartState {
        add: ServerAction::<AddToCart>::new(),
        update: ServerAction::<UpdateCartLine>::new(),
        remove: ServerAction::<RemoveCartLine>::new(),
        apply_coupon: ServerAction::<ApplyCoupon>::new(),
        remove_coupon: ServerAction::<RemoveCoupon>::new(),
        place_order: ServerAction::<super::checkout::PlaceOrder>::new(),
        auth,
    });
}

pub fn use_cart() -> CartState {
    expect_context::<CartState>()
}

/// The header's `Cart` link: "Cart (2 items, $25.00)", kept current after every change.
/// On a page shared by everyone the server renders the plain "Cart", and the browser
/// adds what is in it.
#[component]
pub fn CartLink() -> impl IntoView {
    let state = use_cart();
    let cart = if super::layout::on_shared_page() {
        super::layout::VisitorData::InBrowser(state.cart_in_browser())
    } else {
        super::layout::VisitorData::WithPage(state.cart())
    };
    let i18n = use_i18n();
    let lang = locale();
    view! {
        <A href=href("/cart") attr:class="cart-link">
            {t!(i18n, cart.link)}
            {match cart {
                // Without a Suspense on shared pages: see `account::AccountLinks`.
                super::layout::VisitorData::InBrowser(local) => (move || {
                    local.get().and_then(Result::ok).map(|cart| format!(" ({})", cart.summary(lang)))
                })
                .into_any(),
                super::layout::VisitorData::WithPage(resource) => view! {
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            resource.await.ok().map(|cart| format!(" ({})", cart.summary(lang)))
                        })}
                    </Transition>
                }
                .into_any(),
            }}
        </A>
    }
}

/// The outcome of the last "Add to cart", announced politely to screen readers.
#[component]
pub fn AddToCartNotice() -> impl IntoView {
    let add = use_cart().add;
    let i18n = use_i18n();
    // The notice belongs to the page it was shown on: clear it when the shopper moves on.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            add.value().set(None);
        }
        path
    });
    view! {
        <div class="notice-region" role="status" aria-live="polite">
            {move || match add.value().get() {
                Some(Ok(_)) => view! {
                    <p class="notice ok">{t!(i18n, cart.added)} " " <A href=href("/cart")>{t!(i18n, cart.view)}</A></p>
                }
                .into_any(),
                Some(Err(e)) => view! { <p class="notice error">{error_text(&e)}</p> }.into_any(),
                None => ().into_any(),
            }}
        </div>
    }
}

/// One message for an error: the field reasons when it is a validation error.
pub fn error_text(e: &AppError) -> String {
    let lang = locale();
    match e {
        AppError::Validation(_) => e.fields_in(lang).into_values().collect::<Vec<_>>().join(" "),
        other => other.message_in(lang),
    }
}

/// "You may also like": bought with what is in the shopper's cart (read here, on the
/// server), none of it already there.
#[server]
pub async fn cart_recommendations(#[server(default)] lang: Locale) -> Result<Vec<ProductSummary>, AppError> {
    let (state, auth) = crate::ui::request::request().await?;
    let Some(shopper) = crate::flows::shopper::known(&auth).await? else {
        return Ok(Vec::new());
    };
    let cart = crate::services::cart::view(&state.db, &shopper).await?;
    let ids: Vec<i64> = cart.lines.iter().map(|l| l.product_id).collect();
    crate::services::recommendations::for_cart(&state.db, &ids, lang).await
}

/// "Add to cart" for a product: one unit from a listing, or a chosen quantity.
#[component]
pub fn AddToCartForm(
    product_id: i64,
    max_quantity: i32,
    #[prop(optional)] with_quantity: bool,
) -> impl IntoView {
    let add = use_cart().add;
    let i18n = use_i18n();
    let sold_out = max_quantity == 0;
    let input_id = format!("quantity-{product_id}");
    view! {
        <ActionForm action=add attr:class="add-to-cart">
            <input type="hidden" name="product_id" value=product_id/>
            {if with_quantity {
                view! {
                    <div class="field">
                        <label for=input_id.clone()>{t!(i18n, cart.quantity)}</label>
                        <input id=input_id name="quantity" type="number" min="1" max=max_quantity.max(1)
                            value="1" inputmode="numeric" required disabled=sold_out/>
                    </div>
                }
                .into_any()
            } else {
                view! { <input type="hidden" name="quantity" value="1"/> }.into_any()
            }}
            // The product's name (rendered with this id) tells screen readers which product.
            <button type="submit" class="button" aria-describedby=format!("product-name-{product_id}")
                disabled=move || sold_out || add.pending().get()>
                {t!(i18n, cart.add)}
            </button>
        </ActionForm>
    }
}

#[component]
pub fn CartPage() -> impl IntoView {
    let state = use_cart();
    let cart = state.cart();
    let i18n = use_i18n();
    let lang = locale();
    // Again whenever the cart changes, so nothing in it is suggested.
    let changes =
        move || (state.add.version().get(), state.update.version().get(), state.remove.version().get());
    let suggestions = Resource::new(changes, move |_| cart_recommendations(lang));
    let last_error = move || {
        [
            state.update.value().get().and_then(Result::err),
            state.remove.value().get().and_then(Result::err),
            state.remove_coupon.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    view! {
        <Title text=move || t_string!(i18n, cart.title).to_string()/>
        <Meta name="robots" content="noindex"/>
        <h1>{t!(i18n, cart.title)}</h1>
        {move || last_error().map(|e| view! { <p class="notice error" role="alert">{error_text(&e)}</p> })}
        <Transition fallback=move || view! { <p class="loading" role="status">{t!(i18n, cart.loading)}</p> }>
            {move || Suspend::new(async move {
                match cart.await {
                    Ok(cart) if cart.lines.is_empty() => view! {
                        <div class="empty-state">
                            <p>{t!(i18n, cart.empty)}</p>
                            <p><A href=href("/")>{t!(i18n, cart.browse)}</A></p>
                        </div>
                    }
                    .into_any(),
                    Ok(cart) => view! { <CartContents cart/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let products = suggestions.await.unwrap_or_default();
                view! { <super::catalog::Suggestions id="also-like" title=t_string!(i18n, cart.also_like).to_string() products/> }
            })}
        </Transition>
    }
}

#[component]
fn CartContents(cart: Cart) -> impl IntoView {
    let state = use_cart();
    let i18n = use_i18n();
    let lang = locale();
    let can_check_out = cart.can_check_out() && cart.coupon_problem.is_none();
    view! {
        <table class="cart-table">
            <caption class="visually-hidden">{t!(i18n, cart.caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, cart.product)}</th>
                    <th scope="col">{t!(i18n, cart.price)}</th>
                    <th scope="col">{t!(i18n, cart.quantity)}</th>
                    <th scope="col">{t!(i18n, cart.total)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, cart.actions)}</span></th>
                </tr>
            </thead>
            <tbody>
                {cart.lines.into_iter().map(|line| view! { <CartRow line/> }).collect_view()}
            </tbody>
        </table>
        <div class="cart-footer">
            <CouponBox coupon=cart.coupon.clone() problem=cart.coupon_problem.clone()/>
            <dl class="totals">
                <dt>{t!(i18n, cart.subtotal)}</dt>
                <dd>{cart.subtotal.format_in(lang)}</dd>
                {cart.coupon.as_ref().filter(|_| cart.discount.amount > 0).map(|c| view! {
                    <dt>{td_string!(lang, cart.coupon_line, code = c.code.as_str(), percent = c.percent).to_string()}</dt>
                    <dd>{format!("-{}", cart.discount.format_in(lang))}</dd>
                })}
                <dt class="grand">{t!(i18n, cart.total)}</dt>
                <dd class="grand" data-testid="cart-total">{cart.total.format_in(lang)}</dd>
            </dl>
            <Form action=href("/checkout") method="get">
                <button type="submit" class="button primary" disabled=!can_check_out>{t!(i18n, cart.checkout)}</button>
            </Form>
            {(!can_check_out).then(|| view! {
                <p class="note">{t!(i18n, cart.fix_lines)}</p>
            })}
        </div>
        {move || state.update.pending().get().then(|| view! { <p class="loading" role="status">{t!(i18n, cart.updating)}</p> })}
    }
}

#[component]
fn CartRow(line: CartLine) -> impl IntoView {
    let state = use_cart();
    let i18n = use_i18n();
    let lang = locale();
    let input_id = format!("qty-{}", line.product_id);
    let problem_id = format!("problem-{}", line.product_id);
    let has_problem = line.problem.is_some();
    view! {
        <tr class:problem=has_problem>
            <th scope="row">
                <A href=lang.localize(&line.url)>{line.name.clone()}</A>
                {line.problem.clone().map(|p| view! { <p class="line-problem" id=problem_id.clone()>{lang.message(&p)}</p> })}
            </th>
            <td>{line.unit_price.format_in(lang)}</td>
            <td>
                <ActionForm action=state.update attr:class="inline-form">
                    <input type="hidden" name="product_id" value=line.product_id/>
                    <label for=input_id.clone()>{t!(i18n, cart.quantity)}</label>
                    <input id=input_id name="quantity" type="number" min="1" max=line.max_quantity.max(1)
                        value=line.quantity inputmode="numeric" required
                        aria-describedby=has_problem.then(|| problem_id.clone())/>
                    <button type="submit" class="button secondary">{t!(i18n, cart.update)}</button>
                </ActionForm>
            </td>
            <td>{line.line_total.format_in(lang)}</td>
            <td>
                <ActionForm action=state.remove attr:class="inline-form">
                    <input type="hidden" name="product_id" value=line.product_id/>
                    <button type="submit" class="button link">{t!(i18n, cart.remove)}</button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn CouponBox(coupon: Option<crate::models::AppliedCoupon>, problem: Option<String>) -> impl IntoView {
    let state = use_cart();
    let i18n = use_i18n();
    let lang = locale();
    let apply_error = move || state.apply_coupon.value().get().and_then(Result::err).map(|e| error_text(&e));
    match coupon {
        Some(c) => view! {
            <div class="coupon">
                <p>{td_string!(lang, cart.coupon_applied, code = c.code.as_str(), percent = c.percent).to_string()}</p>
                {problem.map(|p| view! { <p class="line-problem" role="alert">{super::lang::locale().message(&p)}</p> })}
                <ActionForm action=state.remove_coupon attr:class="inline-form">
                    <button type="submit" class="button link">{t!(i18n, cart.remove_coupon)}</button>
                </ActionForm>
            </div>
        }
        .into_any(),
        None => view! {
            <ActionForm action=state.apply_coupon attr:class="coupon">
                <div class="field">
                    <label for="coupon-code">{t!(i18n, cart.coupon_code)}</label>
                    <input id="coupon-code" name="code" type="text" autocomplete="off" maxlength="50" required
                        aria-invalid=move || apply_error().is_some().to_string()
                        aria-describedby="coupon-error"/>
                    <p id="coupon-error" class="field-error">{apply_error}</p>
                </div>
                <button type="submit" class="button secondary">{t!(i18n, cart.apply_coupon)}</button>
            </ActionForm>
        }
        .into_any(),
    }
}
