//! The page's language in the UI. It comes from the path alone (Spanish under `/es`), so
//! the server and the browser always agree on it and a shared link shows the same page
//! to everyone; the header offers the same page in the other language.

use crate::models::i18n::{use_i18n, I18nSubContextProvider};
use crate::models::lang::{is_translated, unlocalized, Locale};
use leptos::prelude::*;
use leptos_meta::{Html, Link};
use leptos_router::hooks::use_location;

/// Provides the language of the current path to everything inside it, and sets
/// `<html lang>` and the `hreflang` alternates of the page.
#[component]
pub fn Localized(children: Children) -> impl IntoView {
    let location = use_location();
    let locale = Memo::new(move |_| Locale::of_path(&location.pathname.read()));
    view! {
        <I18nSubContextProvider initial_locale=Signal::from(locale) ssr_lang_header_getter=no_header_lookup()>
            <Html {..} lang=move || locale.get().tag()/>
            <Alternates/>
            {children()}
        </I18nSubContextProvider>
    }
}

/// The path decides the language, so leptos_i18n need not read `Accept-Language`.
fn no_header_lookup() -> leptos_i18n::context::UseLocalesOptions {
    leptos_i18n::context::UseLocalesOptions::default().ssr_lang_header_getter(|| None)
}

/// The language of the page being rendered.
pub fn locale() -> Locale {
    use_i18n().get_locale_untracked()
}

/// `path` (an English path, e.g. `/cart`) in the page's language.
pub fn href(path: &str) -> String {
    locale().localize(path)
}

/// The current page (path and query) in `target`'s language.
fn same_page_in(target: Locale, path: &str, search: &str) -> String {
    let base = target.localize(unlocalized(path));
    if search.is_empty() {
        base
    } else {
        format!("{base}?{}", search.trim_start_matches('?'))
    }
}

#[component]
fn Alternates() -> impl IntoView {
    let location = use_location();
    let url = move |target: Locale| same_page_in(target, &location.pathname.read(), &location.search.read());
    move || {
        is_translated(&location.pathname.read()).then(|| {
            view! {
                <Link rel="alternate" hreflang="en" href=url(Locale::en)/>
                <Link rel="alternate" hreflang="es" href=url(Locale::es)/>
                <Link rel="alternate" hreflang="x-default" href=url(Locale::en)/>
            }
        })
    }
}

/// The header's language switcher: a link to this page in the other language, named in
/// that language (`English` / `Español`). It loads the page afresh (`rel="external"`),
/// so everything on it, server data included, comes in the new language. A visitor
/// whose browser prefers the other language sees it highlighted (never redirected).
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let location = use_location();
    let current = locale();
    let other = current.other();
    let target = move || same_page_in(other, &location.pathname.read(), &location.search.read());
    let suggested = RwSignal::new(false);
    Effect::new(move || suggested.set(browser_prefers(other)));
    move || {
        is_translated(&location.pathname.read()).then(|| {
            view! {
                <a
                    href=target
                    rel="external"
                    hreflang=other.tag()
                    lang=other.tag()
                    class="language-switch"
                    class:suggested=move || suggested.get()
                >
                    {other.endonym()}
                </a>
            }
        })
    }
}

/// Whether the browser's first known language preference is `locale`.
fn browser_prefers(locale: Locale) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let languages = window().navigator().languages();
        languages
            .iter()
            .filter_map(|l| l.as_string())
            .find_map(|tag| Locale::from_tag(&tag))
            .is_some_and(|first| first == locale)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = locale;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_page_keeps_its_query() {
        assert_eq!(same_page_in(Locale::es, "/", ""), "/es/");
        assert_eq!(same_page_in(Locale::en, "/es/", ""), "/");
        assert_eq!(
            same_page_in(Locale::es, "/category/tea", "?q=green&page=2"),
            "/es/category/tea?q=green&page=2"
        );
        assert_eq!(same_page_in(Locale::en, "/es/cart", "sort=newest"), "/cart?sort=newest");
    }
}
