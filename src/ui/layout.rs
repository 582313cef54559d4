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

/// Whether the page the app started on is one that is the same for every visitor
/// (`models::pages`): its header then loads the account and cart in the browser.
pub fn on_shared_page() -> bool {
    crate::models::pages::is_shared(&leptos_router::hooks::use_location().pathname.get_untracked())
}

/// The visitor's data in the header: rendered with a personal page, or loaded by the
/// browser on a page shared by everyone (so that its HTML holds nothing of theirs).
pub enum VisitorData<T: Send + Sync + 'static> {
    WithPage(Resource<T>),
    InBrowser(LocalResource<T>),
}

impl<T: Send + Sync + 'static> Clone for VisitorData<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for VisitorData<T> {}
