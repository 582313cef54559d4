//! What search engines read: `/sitemap.xml` (every page a shopper can land on, in each
//! language, with its alternates and when it last changed) and `/robots.txt`.

use crate::entities::{category, category_translation, product, product_translation};
use crate::models::lang::Locale;
use crate::models::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use std::fmt::Write;

/// Shopper pages that are one visitor's own: never indexed, in any language.
const PRIVATE: [&str; 9] = [
    "/cart",
    "/checkout",
    "/account",
    "/orders/",
    "/login",
    "/register",
    "/logout",
    "/password-reset",
    "/payment/",
];

/// `robots.txt`: private pages and the back office are off limits; the sitemap is named.
pub fn robots(site_url: &str) -> String {
    let mut out = String::from("User-agent: *\n");
    for lang in Locale::ALL {
        for path in PRIVATE {
            let _ = writeln!(out, "Disallow: {}", lang.localize(path));
        }
    }
    out.push_str("Disallow: /admin\nDisallow: /api/\nDisallow: /dev/\nDisallow: /_stripe/\n");
    let _ = writeln!(out, "\nSitemap: {site_url}/sitemap.xml");
    out
}

/// A page of the sitemap: its path in each language, and when it last changed.
struct Entry {
    paths: Vec<(Locale, String)>,
    changed: DateTime<Utc>,
}

/// The sitemap: the home page, every category and every available product, each in
/// every language, each naming its alternates (`xhtml:link`) and `lastmod`.
pub async fn sitemap(db: &DatabaseConnection, site_url: &str) -> Result<String, AppError> {
    let products = product::Entity::find()
        .filter(product::Column::Available.eq(true))
        .order_by_asc(product::Column::Id)
        .all(db)
        .await?;
    let categories = category::Entity::find().order_by_asc(category::Column::Id).all(db).await?;
    let product_slugs: HashMap<(i64, String), String> = product_translation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| ((t.product_id, t.locale), t.slug))
        .collect();
    let category_slugs: HashMap<(i64, String), String> = category_translation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| ((t.category_id, t.locale), t.slug))
        .collect();
    let slug_in = |slugs: &HashMap<(i64, String), String>, id: i64, english: &str, lang: Locale| {
        slugs.get(&(id, lang.tag().to_owned())).cloned().unwrap_or_else(|| english.to_owned())
    };
    let newest =
        |of: &mut dyn Iterator<Item = DateTime<Utc>>, otherwise: DateTime<Utc>| of.max().unwrap_or(otherwise);
    let epoch = DateTime::<Utc>::UNIX_EPOCH;

    let mut entries = vec![Entry {
        paths: Locale::ALL.into_iter().map(|l| (l, l.localize("/"))).collect(),
        changed: newest(&mut products.iter().map(|p| p.updated_at), epoch),
    }];
    for c in &categories {
        let in_it = &mut products.iter().filter(|p| p.category_id == c.id).map(|p| p.updated_at);
        entries.push(Entry {
            paths: Locale::ALL
                .into_iter()
                .map(|l| {
                    (l, l.localize(&format!("/category/{}", slug_in(&category_slugs, c.id, &c.slug, l))))
                })
                .collect(),
            changed: newest(in_it, c.created_at),
        });
    }
    for p in &products {
        entries.push(Entry {
            paths: Locale::ALL
                .into_iter()
                .map(|l| {
                    (
                        l,
                        l.localize(&format!(
                            "/product/{}/{}",
                            p.id,
                            slug_in(&product_slugs, p.id, &p.slug, l)
                        )),
                    )
                })
                .collect(),
            changed: p.updated_at,
        });
    }
    Ok(render(&entries, site_url))
}

fn render(entries: &[Entry], site_url: &str) -> String {
    let url =
        |path: &str| html_escape::encode_double_quoted_attribute(&format!("{site_url}{path}")).into_owned();
    let mut out = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        "\n",
        r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">"#,
        "\n"
    ));
    for entry in entries {
        let lastmod = entry.changed.format("%Y-%m-%dT%H:%M:%SZ");
        for (_, path) in &entry.paths {
            let _ = writeln!(out, "  <url>\n    <loc>{}</loc>\n    <lastmod>{lastmod}</lastmod>", url(path));
            for (lang, alternate) in &entry.paths {
                let _ = writeln!(
                    out,
                    r#"    <xhtml:link rel="alternate" hreflang="{}" href="{}"/>"#,
                    lang.tag(),
                    url(alternate)
                );
            }
            if let Some((_, english)) = entry.paths.iter().find(|(l, _)| *l == Locale::en) {
                let _ = writeln!(
                    out,
                    r#"    <xhtml:link rel="alternate" hreflang="x-default" href="{}"/>"#,
                    url(english)
                );
            }
            out.push_str("  </url>\n");
        }
    }
    out.push_str("</urlset>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_keeps_crawlers_out_of_private_pages_in_every_language() {
        let robots = robots("https://shop.example");
        for line in [
            "Disallow: /cart",
            "Disallow: /es/cart",
            "Disallow: /es/checkout",
            "Disallow: /admin",
            "Disallow: /api/",
        ] {
            assert!(robots.lines().any(|l| l == line), "{line} missing:\n{robots}");
        }
        assert!(!robots.lines().any(|l| l == "Disallow: /" || l == "Disallow: /es/"), "{robots}");
        assert!(robots.ends_with("Sitemap: https://shop.example/sitemap.xml\n"));
    }

    #[test]
    fn each_page_names_itself_and_its_alternates() {
        let changed = DateTime::parse_from_rfc3339("2026-12-03T08:00:00Z").unwrap().to_utc();
        let entry = Entry {
            paths: vec![(Locale::en, "/category/tea".into()), (Locale::es, "/es/category/te".into())],
            changed,
        };
        let xml = render(&[entry], "https://shop.example");
        assert_eq!(xml.matches("<url>").count(), 2);
        assert!(xml.contains("<loc>https://shop.example/es/category/te</loc>"));
        assert!(xml.contains("<lastmod>2026-12-03T08:00:00Z</lastmod>"));
        assert_eq!(
            xml.matches(r#"hreflang="x-default" href="https://shop.example/category/tea""#).count(),
            2
        );
    }
}
