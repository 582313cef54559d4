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
    path, SsrMode, StaticSegment,
};

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
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
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
                    <Route path=path!("/admin") view=admin::DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/products") view=admin::ProductsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/products/:id") view=admin::ProductEditPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/categories") view=admin::CategoriesPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/coupons") view=admin::CouponsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/orders") view=admin::OrdersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/orders/:id") view=admin::OrderAdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=admin::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/payments") view=admin::PaymentsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/jobs") view=admin::JobsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=admin::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/dev/mail") view=dev_mail::Mailbox ssr=SsrMode::Async/>
                    <Route path=path!("/dev/mail/:id") view=dev_mail::MailView ssr=SsrMode::Async/>
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
            <Route path=path!("/checkout") view=checkout::CheckoutPage ssr=SsrMode::Async/>
            <Route path=path!("/orders/:id") view=orders::OrderPage ssr=SsrMode::Async/>
            <Route path=path!("/account/orders") view=orders::MyOrdersPage ssr=SsrMode::Async/>
            <Route path=path!("/payment/success") view=payment::PaymentSuccessPage ssr=SsrMode::Async/>
            <Route path=path!("/payment/cancel") view=payment::PaymentCancelPage ssr=SsrMode::Async/>
            <Route path=path!("/register") view=account::RegisterPage ssr=SsrMode::Async/>
            <Route path=path!("/login") view=account::LoginPage ssr=SsrMode::Async/>
            <Route path=path!("/logout") view=account::LogoutPage ssr=SsrMode::Async/>
            <Route path=path!("/account") view=account::AccountPage ssr=SsrMode::Async/>
            <Route path=path!("/password-reset") view=account::PasswordResetPage ssr=SsrMode::Async/>
            <Route path=path!("/password-reset/:token") view=account::PasswordResetConfirmPage ssr=SsrMode::Async/>
            <Route path=path!("/login/code") view=two_factor::LoginCodePage/>
            <Route path=path!("/account/email/confirm/:token") view=email_change::ConfirmEmailPage/>
            <Route path=path!("/account/email/undo/:token") view=email_change::UndoEmailChangePage/>
        </ParentRoute>
    }
    .into_inner()
}
