//! The page's language in the UI. It comes from the path alone (Spanish under `/es`), so
//! the server and the browser always agree on it and a shared link shows the same page
//! to everyone; the header offers the same page in the other language.

use super::seo::absolute;
use crate::models::i18n::{use_i18n, I18nSubContextProvider};
use crate::models::lang::{is_translated, unlocalized, Locale};
use leptos::prelude::*;
use leptos_meta::{Html, Link};
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

/// A page's address in each language, for pages whose slugs differ between languages
/// (a product, a category): full paths, `/es/product/3/te-verde`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addresses(pub Vec<(Locale, String)>);

impl Addresses {
    fn of(&self, lang: Locale) -> Option<&str> {
        self.0.iter().find(|(l, _)| *l == lang).map(|(_, path)| path.as_str())
    }
}

/// The addresses the current page gave (with the path they belong to), for the switcher.
#[derive(Clone, Copy)]
struct GivenAddresses(RwSignal<Option<(String, Addresses)>>);

/// Pages that give their own addresses in each language ([`PageAddresses`]): their slugs
/// differ between languages, so the other language's path is not the same path.
fn gives_own_addresses(path: &str) -> bool {
    let path = unlocalized(path);
    path.starts_with("/product/") || path.starts_with("/category/")
}

/// Provides the language of the current path to everything inside it, and sets
/// `<html lang>` and the `hreflang` alternates of the page.
#[component]
pub fn Localized(children: Children) -> impl IntoView {
    let location = use_location();
    let locale = Memo::new(move |_| Locale::of_path(&location.pathname.read()));
    provide_context(GivenAddresses(RwSignal::new(None)));
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
        let path = location.pathname.read();
        (is_translated(&path) && !gives_own_addresses(&path)).then(|| {
            view! {
                <Link rel="alternate" hreflang="en" href=absolute(&url(Locale::en))/>
                <Link rel="alternate" hreflang="es" href=absolute(&url(Locale::es))/>
                <Link rel="alternate" hreflang="x-default" href=absolute(&url(Locale::en))/>
            }
        })
    }
}

/// The `hreflang` alternates of a page that knows its address in each language (its
/// slugs differ), and the address the header's switcher offers once the page is live.
#[component]
pub fn PageAddresses(addresses: Addresses) -> impl IntoView {
    let given = use_context::<GivenAddresses>();
    let path = use_location().pathname.get_untracked();
    let for_switcher = addresses.clone();
    // Client side only: the server has sent the header by now; its link still works (the
    // other language's page redirects to its own slug).
    Effect::new(move || {
        if let Some(given) = given {
            given.0.set(Some((path.clone(), for_switcher.clone())));
        }
    });
    let default = addresses.of(Locale::en).map(str::to_owned);
    view! {
        {addresses.0.into_iter().map(|(l, href)| view! { <Link rel="alternate" hreflang=l.tag() href=absolute(&href)/> }).collect_view()}
        {default.map(|href| view! { <Link rel="alternate" hreflang="x-default" href=absolute(&href)/> })}
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
    let given = use_context::<GivenAddresses>();
    let target = move || {
        let (path, search) = (location.pathname.read(), location.search.read());
        let own = given.and_then(|g| {
            g.0.with(|a| {
                a.as_ref().filter(|(p, _)| *p == *path).and_then(|(_, a)| a.of(other).map(str::to_owned))
            })
        });
        match own {
            Some(own) => same_page_in(other, &own, &search),
            None => same_page_in(other, &path, &search),
        }
    };
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
