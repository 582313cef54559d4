//! The shop in English and Spanish: pages say their language, link to the same page in
//! the other one, and show the Spanish names shoppers and tests rely on. SQLite and
//! PostgreSQL.
use crate::common;

use crate::common::{get, json_request, send, Backend, TestEnv};
use axum::body::Body;
use axum::http::StatusCode;
use axum::http::{header, Request};
use fullstack_ws::entities::outbox_mail;
use fullstack_ws::services::seed;
use sea_orm::EntityTrait;
use serde_json::json;

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
    let page = get(&env, &format!("/es/product/{id}/molinillo-manual-de-muelas")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Molinillo manual de muelas"));
    assert!(page.body.contains("89,00\u{a0}US$"));
    assert!(page.body.contains("Añadir al carrito"));
    assert!(page.body.contains("Cantidad"));
    assert_eq!(
        href_of(&page.body, r#"rel="canonical""#),
        format!("/es/product/{id}/molinillo-manual-de-muelas")
    );
    assert_eq!(href_of(&page.body, r#"class="cart-link"#), "/es/cart");
    assert!(
        page.body.contains(r#"href="/es/category/utensilios-para-preparar""#),
        "the Spanish category link"
    );
    // The switcher keeps the product; the English page then moves to its English slug.
    let english = href_of(&page.body, r#"class="language-switch"#);
    assert_eq!(english, format!("/product/{id}/molinillo-manual-de-muelas"));
    let moved = get(&env, &english).await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.location.as_deref(), Some(format!("/product/{id}/burr-hand-grinder").as_str()));
    // A wrong-language (or old) slug moves to this language's.
    for wrong in ["burr-hand-grinder", "old-name"] {
        let moved = get(&env, &format!("/es/product/{id}/{wrong}")).await;
        assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
        assert_eq!(
            moved.location.as_deref(),
            Some(format!("/es/product/{id}/molinillo-manual-de-muelas").as_str())
        );
    }
    for (from, to) in [
        ("/es/category/coffee?sort=price_asc", "/es/category/cafe?sort=price_asc"),
        ("/category/cafe", "/category/coffee"),
    ] {
        let moved = get(&env, from).await;
        assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY, "{from}");
        assert_eq!(moved.location.as_deref(), Some(to), "{from}");
    }
    let cafe = get(&env, "/es/category/cafe").await;
    assert_eq!(cafe.status, StatusCode::OK);
    assert!(cafe.body.contains("Mezcla de la Casa Ember") && !cafe.body.contains("Ember House Blend"));

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

/// A page as the browser asks for it, with the session cookie.
async fn page(env: &TestEnv, path: &str, cookie: &str) -> common::Reply {
    let req = Request::get(path)
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    send(env, req).await
}

async fn a_spanish_shopper_checks_out_in_spanish(backend: Backend) {
    // Served: the payment step calls the Stripe emulator over HTTP.
    let env = TestEnv::served(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    let id = common::product_by_slug(env.db(), "ember-house-blend").await.id;
    let put = json_request("PUT", &format!("/api/v1/cart/lines/{id}"), None, Some(json!({"quantity": 2})));
    let cookie = send(&env, put).await.session_cookie().expect("session cookie");

    let cart = page(&env, "/es/cart", &cookie).await;
    for text in ["2 artículos, 29,00\u{a0}US$", "Actualizar", "Eliminar", "Aplicar cupón", "Finalizar compra"]
    {
        assert!(cart.body.contains(text), "the Spanish cart lacks {text}");
    }
    let checkout = page(&env, "/es/checkout", &cookie).await;
    assert_eq!(checkout.status, StatusCode::OK);
    for label in [
        "Nombre",
        "Apellidos",
        "Correo electrónico",
        "Dirección",
        "Código postal",
        "Ciudad",
        "Realizar pedido",
    ] {
        assert!(checkout.body.contains(&format!(">{label}<")), "the Spanish checkout lacks {label}");
    }

    // Placing the order from the Spanish page lands on the Spanish order page.
    let (path, _) = leptos::server_fn::axum::server_fn_paths()
        .find(|(path, _)| path.starts_with("/api/place_order"))
        .expect("place_order");
    let form = "first_name=Ana&last_name=Mart%C3%ADnez&email=ana%40example.com&address=Calle%20Mayor%201\
                &postal_code=28013&city=Madrid&idempotency_key=es-00000001";
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, &cookie)
        .header(header::REFERER, format!("{}/es/checkout", env.site_url()))
        .body(Body::from(form))
        .unwrap();
    let placed = send(&env, req).await;
    assert!(placed.status.is_redirection(), "{}: {}", placed.status, placed.body);
    let order_page = placed.location.expect("redirect to the order");
    assert!(order_page.starts_with("/es/orders/"), "{order_page}");
    let order = page(&env, &order_page, &cookie).await;
    for text in ["Creado", "Pagar", "Cancelar pedido", "29,00\u{a0}US$"] {
        assert!(order.body.contains(text), "the Spanish order page lacks {text}");
    }
    let english = page(&env, order_page.trim_start_matches("/es"), &cookie).await;
    assert!(english.body.contains("Created") && english.body.contains("$29.00"));

    // The order keeps its language: Spanish product names, mail and payment page.
    let id: i64 = order_page.rsplit('/').next().unwrap().parse().unwrap();
    let order =
        send(&env, json_request("GET", &format!("/api/v1/orders/{id}"), Some(&cookie), None)).await.json();
    assert_eq!(order["locale"], "es");
    assert_eq!(order["lines"][0]["name"], "Mezcla de la Casa Ember");
    let mails = outbox_mail::Entity::find().all(env.db()).await.unwrap();
    let mail = mails
        .iter()
        .find(|m| m.subject == format!("Hemos recibido tu pedido n.º {id}"))
        .expect("Spanish mail");
    assert_eq!(mail.recipient, "ana@example.com");
    let checkout =
        send(&env, json_request("POST", &format!("/api/v1/orders/{id}/checkout"), Some(&cookie), None)).await;
    assert_eq!(checkout.status, StatusCode::OK, "{}", checkout.body);
    let session = checkout.json()["session_id"].as_str().unwrap().to_string();
    let stored = fullstack_ws::entities::emulator_object::Entity::find_by_id(session)
        .one(env.db())
        .await
        .unwrap()
        .unwrap();
    assert!(stored.body.contains(r#""locale":"es""#), "Stripe's page in Spanish: {}", stored.body);
    assert!(stored.body.contains("/es/payment/success?session_id="), "{}", stored.body);
    assert!(stored.body.contains(&format!("/es/payment/cancel?order_id={id}")), "{}", stored.body);
}

async fn rest_orders_take_the_asked_language(backend: Backend) {
    let env = seeded(backend).await;
    let id = common::product_by_slug(env.db(), "sencha-asahi").await.id;
    let put = json_request("PUT", &format!("/api/v1/cart/lines/{id}"), None, Some(json!({"quantity": 1})));
    let cookie = send(&env, put).await.session_cookie().unwrap();
    let ship = json!({"first_name": "A", "last_name": "B", "email": "a@b.co", "address": "1 Road", "postal_code": "1000", "city": "Town"});
    let mut req = json_request("POST", "/api/v1/orders", Some(&cookie), Some(ship));
    req.headers_mut().insert(header::ACCEPT_LANGUAGE, "es-MX, en;q=0.3".parse().unwrap());
    let placed = send(&env, req).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    assert_eq!(placed.json()["locale"], "es");
    // Without a language asked for, English.
    let put =
        json_request("PUT", &format!("/api/v1/cart/lines/{id}"), Some(&cookie), Some(json!({"quantity": 1})));
    send(&env, put).await;
    let ship = json!({"first_name": "A", "last_name": "B", "email": "a@b.co", "address": "1 Road", "postal_code": "1000", "city": "Town"});
    let placed = send(&env, json_request("POST", "/api/v1/orders", Some(&cookie), Some(ship))).await;
    assert_eq!(placed.json()["locale"], "en");
    assert_eq!(placed.json()["lines"][0]["name"], "Sencha Asahi");
}

async fn rest_answers_in_the_asked_language_with_english_fallback(backend: Backend) {
    use fullstack_ws::entities::product_translation;
    use sea_orm::EntityTrait;
    let env = seeded(backend).await;
    let ask = |uri: &str, lang: &str| {
        let mut req = json_request("GET", uri, None, None);
        req.headers_mut().insert(header::ACCEPT_LANGUAGE, lang.parse().unwrap());
        req
    };
    let r = send(&env, ask("/api/v1/categories", "es-ES,es;q=0.9,en;q=0.5")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_LANGUAGE], "es");
    let names: Vec<String> =
        r.json().as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().into()).collect();
    assert!(
        names.contains(&"Café".to_string()) && names.contains(&"Ropa y regalos".to_string()),
        "{names:?}"
    );
    let r = send(&env, ask("/api/v1/categories", "fr")).await;
    assert_eq!(r.headers[header::CONTENT_LANGUAGE], "en");
    assert!(r.body.contains("\"Coffee\""));

    // Either language's category slug finds it; the answer is in the asked language.
    for slug in ["cafe", "coffee"] {
        let r = send(&env, ask(&format!("/api/v1/products?category={slug}&per_page=50"), "es")).await;
        assert_eq!(r.status, StatusCode::OK, "{slug}");
        let items = r.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 8, "{slug}");
        assert!(items
            .iter()
            .any(|p| p["name"] == "Mezcla de la Casa Ember" && p["slug"] == "mezcla-de-la-casa-ember"));
        assert!(items.iter().all(|p| p["category_slug"] == "cafe"));
    }
    // Search matches the language asked in.
    let search = |q: &str, lang: &str| {
        let req = ask(&format!("/api/v1/products?q={q}"), lang);
        let env = &env;
        async move { send(env, req).await.json()["total"].as_u64().unwrap() }
    };
    assert_eq!(search("molinillo", "es").await, 1);
    assert_eq!(search("molinillo", "en").await, 0);
    assert_eq!(search("grinder", "es").await, 0, "a translated product matches on its Spanish words");
    assert_eq!(search("grinder", "en").await, 1);

    // A product without Spanish words is shown (and found) in English.
    let grinder = common::product_by_slug(env.db(), "burr-hand-grinder").await.id;
    product_translation::Entity::delete_by_id((grinder, "es".to_string())).exec(env.db()).await.unwrap();
    let r = send(&env, ask(&format!("/api/v1/products/{grinder}"), "es")).await;
    assert_eq!(r.json()["name"], "Burr Hand Grinder");
    assert_eq!(r.json()["category"]["name"], "Utensilios para preparar");
    assert_eq!(search("grinder", "es").await, 1);
    let page = get(&env, &format!("/es/product/{grinder}/burr-hand-grinder")).await;
    assert_eq!(page.status, StatusCode::OK, "the English slug is the Spanish page's slug now");
}

on_both_backends!(
    rest_orders_take_the_asked_language,
    rest_answers_in_the_asked_language_with_english_fallback,
    a_spanish_shopper_checks_out_in_spanish,
    every_page_says_its_language_and_links_the_other,
    spanish_pages_link_within_spanish,
    staff_pages_offer_no_other_language,
);
