//! What crawlers and link previews read: robots.txt, the sitemap (parsed, and every
//! address in it answering), absolute canonical and alternate links, Open Graph tags,
//! JSON-LD, and `noindex` where a page is private or a search. SQLite and PostgreSQL.

use crate::common::{self, get, Backend, TestEnv};
use axum::http::{header, StatusCode};
use fullstack_ws::services::seed;

async fn seeded(backend: Backend) -> TestEnv {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    env
}

/// The JSON of every `<script type="application/ld+json">` on a page.
fn structured_data(html: &str) -> Vec<serde_json::Value> {
    html.split(r#"<script type="application/ld+json">"#)
        .skip(1)
        .map(|rest| {
            let json = &rest[..rest.find("</script>").unwrap()];
            serde_json::from_str(json).unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {json}"))
        })
        .collect()
}

/// Attribute `name` of the first tag whose opening contains `marker`.
fn attribute(html: &str, marker: &str, name: &str) -> Option<String> {
    let at = html.find(marker)?;
    let tag = &html[html[..at].rfind('<')?..];
    let tag = &tag[..tag.find('>')?];
    let value = tag.split(&format!("{name}=\"")).nth(1)?;
    Some(value[..value.find('"')?].to_string())
}

fn meta(html: &str, property: &str) -> Option<String> {
    attribute(html, &format!(r#"property="{property}""#), "content")
}

async fn robots_and_the_sitemap_name_every_public_page(backend: Backend) {
    let env = seeded(backend).await;
    let site = env.site_url().to_string();
    let robots = get(&env, "/robots.txt").await;
    assert_eq!(robots.status, StatusCode::OK);
    assert!(robots.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    for line in ["Disallow: /cart", "Disallow: /es/checkout", "Disallow: /account", "Disallow: /admin"] {
        assert!(robots.body.lines().any(|l| l == line), "{line}:\n{}", robots.body);
    }
    assert!(robots.body.contains(&format!("Sitemap: {site}/sitemap.xml")));

    // One product taken off sale leaves the sitemap.
    let hidden = common::product_by_slug(env.db(), "burr-hand-grinder").await;
    {
        use fullstack_ws::entities::product;
        use sea_orm::{ActiveModelTrait, Set};
        let mut p: product::ActiveModel = hidden.clone().into();
        p.available = Set(false);
        p.update(env.db()).await.unwrap();
    }
    let sitemap = get(&env, "/sitemap.xml").await;
    assert_eq!(sitemap.status, StatusCode::OK);
    assert!(sitemap.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/xml"));
    let doc = roxmltree::Document::parse(&sitemap.body).expect("the sitemap is well-formed XML");
    let urls: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("url")).collect();
    // The home page, 6 categories and 47 products, each in English and Spanish.
    assert_eq!(urls.len(), (1 + 6 + 47) * 2);
    let xhtml = "http://www.w3.org/1999/xhtml";
    for url in &urls {
        let loc = url.children().find(|n| n.has_tag_name("loc")).and_then(|n| n.text()).expect("a loc");
        let lastmod =
            url.children().find(|n| n.has_tag_name("lastmod")).and_then(|n| n.text()).expect("a lastmod");
        assert!(chrono::DateTime::parse_from_rfc3339(lastmod).is_ok(), "{lastmod}");
        let alternates: Vec<_> = url
            .children()
            .filter(|n| n.tag_name().name() == "link" && n.tag_name().namespace() == Some(xhtml))
            .collect();
        let langs: Vec<_> = alternates.iter().filter_map(|n| n.attribute("hreflang")).collect();
        assert_eq!(langs, ["en", "es", "x-default"], "{loc}");
        assert!(alternates.iter().any(|n| n.attribute("href") == Some(loc)), "{loc} is among its alternates");
        // Every address answers, with no redirect.
        let path =
            loc.strip_prefix(site.as_str()).unwrap_or_else(|| panic!("{loc} is not absolute on {site}"));
        assert_eq!(get(&env, path).await.status, StatusCode::OK, "{path}");
    }
    assert!(!sitemap.body.contains(&hidden.slug), "an unavailable product is not listed");
    assert!(sitemap.body.contains(&format!("{site}/es/category/cafe")));
}

async fn product_pages_describe_themselves_to_crawlers(backend: Backend) {
    let env = seeded(backend).await;
    let site = env.site_url().to_string();
    let p = common::product_by_slug(env.db(), "ember-house-blend").await;
    let page = get(&env, &format!("/es/product/{}/mezcla-de-la-casa-ember", p.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    let canonical = format!("{site}/es/product/{}/mezcla-de-la-casa-ember", p.id);
    assert_eq!(
        attribute(&page.body, r#"rel="canonical""#, "href"),
        Some(canonical.clone()),
        "absolute canonical"
    );
    assert_eq!(meta(&page.body, "og:url"), Some(canonical.clone()));
    assert_eq!(meta(&page.body, "og:type").as_deref(), Some("product"));
    assert_eq!(meta(&page.body, "og:locale").as_deref(), Some("es_ES"));
    assert_eq!(meta(&page.body, "og:title").as_deref(), Some("Mezcla de la Casa Ember"));
    assert_eq!(meta(&page.body, "og:image"), Some(format!("{site}{}", p.image)));
    assert!(page.body.contains(r#"name="twitter:card" content="summary_large_image""#));

    let data = structured_data(&page.body);
    let product = data.iter().find(|d| d["@type"] == "Product").expect("Product data");
    assert_eq!(product["name"], "Mezcla de la Casa Ember");
    assert_eq!(product["sku"], format!("EL-{:05}", p.id));
    assert_eq!(product["image"], format!("{site}{}", p.image));
    let offer = &product["offers"];
    assert_eq!(offer["@type"], "Offer");
    assert_eq!(offer["price"], format!("{}.{:02}", p.price / 100, p.price % 100));
    assert_eq!(offer["priceCurrency"], "USD");
    assert_eq!(offer["availability"], "https://schema.org/InStock");
    assert_eq!(offer["url"], canonical);
    let crumbs = data.iter().find(|d| d["@type"] == "BreadcrumbList").expect("breadcrumbs");
    let names: Vec<_> =
        crumbs["itemListElement"].as_array().unwrap().iter().map(|i| i["name"].clone()).collect();
    assert_eq!(names, ["Tienda", "Café", "Mezcla de la Casa Ember"]);
    assert_eq!(crumbs["itemListElement"][1]["item"], format!("{site}/es/category/cafe"));
}

async fn searches_later_pages_and_private_pages_are_not_indexed(backend: Backend) {
    let env = seeded(backend).await;
    let noindex = |body: &str| body.contains(r#"name="robots" content="noindex"#);
    let first = get(&env, "/category/tea").await;
    assert!(!noindex(&first.body), "a category's first page is indexed");
    let data = structured_data(&first.body);
    assert!(data.iter().any(|d| d["@type"] == "BreadcrumbList"), "a category has breadcrumbs");
    assert!(!noindex(&get(&env, "/").await.body));
    for path in [
        "/?page=2",
        "/?q=tea",
        "/es/category/te?page=2",
        "/cart",
        "/es/checkout",
        "/login",
        "/register",
        "/es/account",
    ] {
        let page = get(&env, path).await;
        assert!(noindex(&page.body), "{path} should say noindex");
    }
}

on_both_backends!(
    robots_and_the_sitemap_name_every_public_page,
    product_pages_describe_themselves_to_crawlers,
    searches_later_pages_and_private_pages_are_not_indexed,
);
