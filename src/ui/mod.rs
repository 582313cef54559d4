//! The UI adapter: the HTML shell, routes, pages and the server functions they call.
//! Compiles for both server (SSR) and browser (hydrate).

mod account;
mod admin;
mod cart;
mod catalog;
mod checkout;
mod dev_mail;
mod email_change;
mod errors;
mod forms;
mod lang;
mod layout;
mod orders;
mod payment;
mod product;
#[cfg(feature = "ssr")]
pub(crate) mod request;
mod seo;
mod two_factor;

pub use account::{
    change_email, change_password, current_user, log_in, log_out, register, request_password_reset,
    reset_password, update_profile,
};
pub use cart::{add_to_cart, apply_coupon, get_cart, remove_cart_line, remove_coupon, update_cart_line};
pub use catalog::{get_categories, list_products};
pub use checkout::{checkout_details, place_order};
pub use orders::{cancel_order, get_order, my_orders};
pub use product::get_product;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Title};
use leptos_router::{
    components::{Outlet, ParentRoute, Route, Router, Routes},
    path, Lazy, SsrMode, StaticSegment,
};

/// Pages few shoppers open, as lazy routes: their code is a WASM chunk of its own, fetched
/// when the page is first shown (`cargo leptos build --split`), so the catalog, product
/// and cart pages download and compile less.
macro_rules! lazy_pages {
    ($($route:ident => $module:ident :: $page:ident),* $(,)?) => {$(
        struct $route;
        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            fn view(_this: Self) -> AnyView {
                view! { <$module::$page/> }.into_any()
            }
        }
    )*};
}

lazy_pages!(
    Checkout => checkout::CheckoutPage,
    Order => orders::OrderPage,
    MyOrders => orders::MyOrdersPage,
    PaymentSuccess => payment::PaymentSuccessPage,
    PaymentCancel => payment::PaymentCancelPage,
    Register => account::RegisterPage,
    LogIn => account::LoginPage,
    LogOut => account::LogoutPage,
    Account => account::AccountPage,
    PasswordReset => account::PasswordResetPage,
    PasswordResetConfirm => account::PasswordResetConfirmPage,
    LoginCode => two_factor::LoginCodePage,
    ConfirmEmail => email_change::ConfirmEmailPage,
    UndoEmailChange => email_change::UndoEmailChangePage,
    AdminDashboard => admin::DashboardPage,
    AdminProducts => admin::ProductsPage,
    AdminProductEdit => admin::ProductEditPage,
    AdminCategories => admin::CategoriesPage,
    AdminCoupons => admin::CouponsPage,
    AdminOrders => admin::OrdersPage,
    AdminOrder => admin::OrderAdminPage,
    AdminUsers => admin::UsersPage,
    AdminPayments => admin::PaymentsPage,
    AdminReconciliation => admin::ReconciliationPage,
    AdminJobs => admin::JobsPage,
    AdminAudit => admin::AuditPage,
    DevMailbox => dev_mail::Mailbox,
    DevMail => dev_mail::MailView,
);

pub const SHOP_NAME: &str = "Ember & Leaf";

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        // `lang` is set per page by `lang::Localized` (the path says the language).
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // Read back by the browser (`seo::site_url`): absolute links match on both sides.
                <meta name="site-url" content=seo::site_url()/>
                <AutoReload options=options.clone()/>
                // In the shell, not the app: its path carries the build's version when the
                // binary serves its own files (see `app::assets`).
                <link rel="stylesheet" id="leptos" href=format!("/{}/fullstack-ws.css", options.site_pkg_dir)/>
                <HydrationAfterFirstPaint options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Loads the WASM and hydrates once the page has loaded and painted. Leptos's own
/// `HydrationScripts` preloads the bundle from the `<head>`, so on a slow phone link the
/// download competes with the page's own CSS and images for the first paint; the pages
/// are complete without it (forms post without JavaScript), so it waits its turn.
/// Measured in docs/figures.md ("Hydration after the first paint").
#[component]
fn HydrationAfterFirstPaint(options: LeptosOptions) -> impl IntoView {
    // Called for its side effect only: it provides the split manifest, from which lazy
    // routes name the chunks a page needs. Its own tags are not rendered.
    let _ = HydrationScripts(HydrationScriptsProps::builder().options(options.clone()).build());
    // Named as Leptos names them (no hashed file names in this build: `app::assets`
    // versions the whole directory instead).
    let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    let wasm_suffix = if option_env!("LEPTOS_OUTPUT_NAME").is_some() { "" } else { "_bg" };
    let script = format!(
        "(()=>{{const go=()=>import({js:?}).then(m=>m.default({{module_or_path:{wasm:?}}}).then(()=>m.hydrate()));\
         const later=()=>requestAnimationFrame(()=>setTimeout(go,0));\
         document.readyState==='complete'?later():addEventListener('load',later,{{once:true}})}})()",
        js = format!("{pkg}.js"),
        wasm = format!("{pkg}{wasm_suffix}.wasm"),
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let auth = account::provide_auth_state();
    cart::provide_cart_state(auth);
    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Title formatter=|title: String| {
            if title.is_empty() { SHOP_NAME.to_string() } else { format!("{title} · {SHOP_NAME}") }
        }/>
        <Router>
            <lang::Localized>
            <layout::Header/>
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <errors::NotFound/> }>
                    // Every shopper page in English at its path, and in Spanish under `/es`
                    // (`lang::Localized` reads the prefix).
                    // (The home pages are `/` and `/es/`, where a parent route would make `/es`.)
                    <Route path=path!("/") view=catalog::CatalogPage ssr=SsrMode::Async/>
                    <Route path=path!("/es/") view=catalog::CatalogPage ssr=SsrMode::Async/>
                    <ShopperRoutes lang=""/>
                    <ShopperRoutes lang="es"/>
                    // Staff and development pages are in English only.
                    <Route path=path!("/admin") view={Lazy::<AdminDashboard>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/products") view={Lazy::<AdminProducts>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/products/:id") view={Lazy::<AdminProductEdit>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/categories") view={Lazy::<AdminCategories>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/coupons") view={Lazy::<AdminCoupons>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/orders") view={Lazy::<AdminOrders>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/orders/:id") view={Lazy::<AdminOrder>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view={Lazy::<AdminUsers>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/payments") view={Lazy::<AdminPayments>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/reconciliation") view={Lazy::<AdminReconciliation>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/jobs") view={Lazy::<AdminJobs>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view={Lazy::<AdminAudit>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/dev/mail") view={Lazy::<DevMailbox>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/dev/mail/:id") view={Lazy::<DevMail>::new()} ssr=SsrMode::Async/>
                </Routes>
            </main>
            <layout::Footer/>
            </lang::Localized>
        </Router>
    }
}

/// The pages shoppers see (but the home page), under `lang`'s prefix (`""` for English).
#[component(transparent)]
fn ShopperRoutes(lang: &'static str) -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=StaticSegment(lang) view=Outlet>
            <Route path=path!("/category/:slug") view=catalog::CatalogPage ssr=SsrMode::Async/>
            <Route path=path!("/product/:id/:slug") view=product::ProductPage ssr=SsrMode::Async/>
            <Route path=path!("/cart") view=cart::CartPage ssr=SsrMode::Async/>
            <Route path=path!("/checkout") view={Lazy::<Checkout>::new()} ssr=SsrMode::Async/>
            <Route path=path!("/orders/:id") view={Lazy::<Order>::new()} ssr=SsrMode::Async/>
            <Route path=path!("/account/orders") view={Lazy::<MyOrders>::new()} ssr=SsrMode::Async/>
            <Route path=path!("/payment/success") view={Lazy::<PaymentSuccess>::new()} ssr=SsrMode::Async/>
            <Route path=path!("/payment/cancel") view={Lazy::<PaymentCancel>::new()} ssr=SsrMode::Async/>
            <Route path=path!("/register") view={Lazy::<Register>::new()} ssr=SsrMode::Async/>
            <Route path=path!("/login") view={Lazy::<LogIn>::new()} ssr=SsrMode::Async/>
            <Route path=path!("/logout") view={Lazy::<LogOut>::new()} ssr=SsrMode::Async/>
            <Route path=path!("/account") view={Lazy::<Account>::new()} ssr=SsrMode::Async/>
            <Route path=path!("/password-reset") view={Lazy::<PasswordReset>::new()} ssr=SsrMode::Async/>
            <Route path=path!("/password-reset/:token") view={Lazy::<PasswordResetConfirm>::new()} ssr=SsrMode::Async/>
            <Route path=path!("/login/code") view={Lazy::<LoginCode>::new()}/>
            <Route path=path!("/account/email/confirm/:token") view={Lazy::<ConfirmEmail>::new()}/>
            <Route path=path!("/account/email/undo/:token") view={Lazy::<UndoEmailChange>::new()}/>
        </ParentRoute>
    }
    .into_inner()
}
