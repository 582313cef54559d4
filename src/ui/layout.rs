use crate::models::i18n::{t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{t!(i18n, layout.skip)}</a>
        <header class="site-header">
            <A href=super::lang::href("/") attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"✦"</span>
                {super::SHOP_NAME}
            </A>
            <p class="tagline">{t!(i18n, layout.tagline)}</p>
            <nav class="site-nav" aria-label=move || t_string!(i18n, layout.nav_label)>
                <super::account::AccountLinks/>
                <A href=super::lang::href("/account/orders")>{t!(i18n, layout.orders)}</A>
                <super::cart::CartLink/>
                <super::lang::LanguageSwitcher/>
            </nav>
        </header>
        <super::cart::AddToCartNotice/>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            <p>{super::SHOP_NAME} " — " {t!(i18n, layout.footer)}</p>
        </footer>
    }
}
