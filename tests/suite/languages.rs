//! The shop in English and Spanish: pages say their language, link to the same page in
//! the other one, and show the Spanish names shoppers and tests rely on. SQLite and
//! PostgreSQL.
use crate::common;

use crate::common::{get, Backend, TestEnv};
use axum::http::StatusCode;
use fullstack_ws::services::seed;

async fn seeded(backend: Backend) -> TestEnv {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    env
}

/// The `href` of the first `<a>` or `<link>` whose opening tag contains `marker`.
fn href_of(html: &str, marker: &str) -> String {
    let at = html.find(marker).unwrap_or_else(|| panic!("no tag with {marker}"));
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let href = tag.split("href=\"").nth(1).unwrap_or_else(|| panic!("no href in {tag}"));
    href[..href.find('"').unwrap()].to_string()
}

async fn every_page_says_its_language_and_links_the_other(backend: Backend) {
    let env = seeded(backend).await;
    let english = get(&env, "/?sort=price_asc").await;
    assert_eq!(english.status, StatusCode::OK);
    assert!(english.body.contains(r#"<html lang="en""#), "{}", &english.body[..200]);
    assert_eq!(href_of(&english.body, r#"hreflang="es""#), "/es/?sort=price_asc");
    assert_eq!(href_of(&english.body, r#"hreflang="x-default""#), "/?sort=price_asc");
    assert_eq!(href_of(&english.body, r#"class="language-switch"#), "/es/?sort=price_asc");
    assert!(english.body.contains("Español"));

    let bare = get(&env, "/es?sort=price_asc").await;
    assert_eq!(bare.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(bare.location.as_deref(), Some("/es/?sort=price_asc"));
    {
        let path = "/es/";
        let spanish = get(&env, &format!("{path}?sort=price_asc")).await;
        assert_eq!(spanish.status, StatusCode::OK, "{path}");
        assert!(spanish.body.contains(r#"<html lang="es""#), "{path}");
        assert_eq!(href_of(&spanish.body, r#"hreflang="en""#), "/?sort=price_asc");
        assert_eq!(href_of(&spanish.body, r#"class="language-switch"#), "/?sort=price_asc");
        assert!(spanish.body.contains("English"));
        for name in ["Añadir al carrito", "Carrito", "Todos los productos", "Precio: de menor a mayor"] {
            assert!(spanish.body.contains(name), "{path} lacks {name}");
        }
        assert!(!spanish.body.contains(">Add to cart<"), "{path} has English buttons");
        assert!(spanish.body.contains("\u{a0}US$"), "Spanish prices");
    }
}

async fn spanish_pages_link_within_spanish(backend: Backend) {
    let env = seeded(backend).await;
    let id = common::product_by_slug(env.db(), "burr-hand-grinder").await.id;
    let page = get(&env, &format!("/es/product/{id}/burr-hand-grinder")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("89,00\u{a0}US$"));
    assert!(page.body.contains("Añadir al carrito"));
    assert!(page.body.contains("Cantidad"));
    assert_eq!(href_of(&page.body, r#"rel="canonical""#), format!("/es/product/{id}/burr-hand-grinder"));
    assert_eq!(href_of(&page.body, r#"class="cart-link"#), "/es/cart");
    assert_eq!(href_of(&page.body, r#"hreflang="en""#), format!("/product/{id}/burr-hand-grinder"));
    let moved = get(&env, &format!("/es/product/{id}/old-name")).await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.location.as_deref(), Some(format!("/es/product/{id}/burr-hand-grinder").as_str()));

    let cart = get(&env, "/es/cart").await;
    assert_eq!(cart.status, StatusCode::OK);
    assert!(cart.body.contains("Tu carrito está vacío."));

    let missing = get(&env, "/es/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Página no encontrada"));
    assert!(missing.body.contains(r#"<html lang="es""#));
}

async fn staff_pages_offer_no_other_language(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let admin = get(&env, "/admin").await;
    assert!(admin.body.contains(r#"<html lang="en""#));
    assert!(!admin.body.contains("hreflang"), "the back office is in English only");
    assert_eq!(get(&env, "/es/admin").await.status, StatusCode::NOT_FOUND);
}

on_both_backends!(
    every_page_says_its_language_and_links_the_other,
    spanish_pages_link_within_spanish,
    staff_pages_offer_no_other_language,
);
