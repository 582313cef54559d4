use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"✦"</span>
                {super::SHOP_NAME}
            </A>
            <p class="tagline">"Small-batch coffee, loose-leaf tea and the gear to brew them."</p>
            <nav class="site-nav" aria-label="Account and cart">
                <super::account::AccountLinks/>
                <A href="/account/orders">"Orders"</A>
                <super::cart::CartLink/>
            </nav>
        </header>
        <super::cart::AddToCartNotice/>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>{super::SHOP_NAME} " — an open-source shop built with Rust, Leptos and axum."</p>
        </footer>
    }
}
