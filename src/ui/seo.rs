//! What a page tells search engines and link previews: absolute addresses built from
//! `SITE_URL`, Open Graph and Twitter card tags, and JSON-LD structured data.

use super::lang::locale;
use crate::models::lang::Locale;
use leptos::prelude::*;
use leptos_meta::Meta;

/// The shop's public address (`SITE_URL`, no trailing slash). The server reads its
/// setting and writes it into the shell (`<meta name="site-url">`); the browser reads it
/// back from there, so both render the same absolute links.
pub fn site_url() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::flows::state::AppState>().map(|s| s.config.site_url.clone()).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .query_selector(r#"meta[name="site-url"]"#)
            .ok()
            .flatten()
            .and_then(|m| m.get_attribute("content"))
            .unwrap_or_default()
    }
}

/// `path` (site-relative) as an absolute URL.
pub fn absolute(path: &str) -> String {
    format!("{}{path}", site_url())
}

/// Open Graph and Twitter card tags: how a shared link to the page is previewed.
#[component]
pub fn SocialTags(
    title: String,
    description: String,
    /// The page's own path (its canonical one).
    path: String,
    /// A site-relative image.
    #[prop(optional)]
    image: Option<String>,
    #[prop(default = "website")] kind: &'static str,
) -> impl IntoView {
    let og_locale = match locale() {
        Locale::en => "en_US",
        Locale::es => "es_ES",
    };
    let image = image.filter(|i| !i.is_empty());
    let card = if image.is_some() { "summary_large_image" } else { "summary" };
    view! {
        <Meta property="og:type" content=kind/>
        <Meta property="og:site_name" content=super::SHOP_NAME/>
        <Meta property="og:locale" content=og_locale/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=description.clone()/>
        <Meta property="og:url" content=absolute(&path)/>
        {image.map(|i| view! { <Meta property="og:image" content=absolute(&i)/> })}
        <Meta name="twitter:card" content=card/>
        <Meta name="twitter:title" content=title/>
        <Meta name="twitter:description" content=description/>
    }
}

/// Structured data (schema.org as JSON-LD). `<` is written as `\u003c`, so nothing in
/// a name can close the script element.
#[component]
pub fn JsonLd(data: serde_json::Value) -> impl IntoView {
    let json = data.to_string().replace('<', "\\u003c");
    view! { <script type="application/ld+json" inner_html=json></script> }
}

/// A `BreadcrumbList`: each (name, site-relative path) in order.
pub fn breadcrumbs(trail: &[(String, String)]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = trail
        .iter()
        .enumerate()
        .map(|(i, (name, path))| {
            serde_json::json!({"@type": "ListItem", "position": i + 1, "name": name, "item": absolute(path)})
        })
        .collect();
    serde_json::json!({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items})
}

/// A `Product` with its `Offer`.
pub fn product_data(p: &crate::models::Product, path: &str, in_stock: bool) -> serde_json::Value {
    let availability = if in_stock { "https://schema.org/InStock" } else { "https://schema.org/OutOfStock" };
    let mut data = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": p.name,
        "description": p.description,
        "sku": format!("EL-{:05}", p.id),
        "category": p.category.name,
        "offers": {
            "@type": "Offer",
            "url": absolute(path),
            "price": format!("{}.{:02}", p.price.amount / 100, p.price.amount % 100),
            "priceCurrency": p.price.currency.to_uppercase(),
            "availability": availability,
        },
    });
    // No image is better than the placeholder's: search engines would show it as the product.
    if !p.image.trim().is_empty() {
        data["image"] = absolute(&p.image).into();
    }
    data
}
