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
    let site = env.site_url();
    assert_eq!(href_of(&english.body, r#"hreflang="es""#), format!("{site}/es/?sort=price_asc"));
    assert_eq!(href_of(&english.body, r#"hreflang="x-default""#), format!("{site}/?sort=price_asc"));
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
        assert_eq!(href_of(&spanish.body, r#"hreflang="en""#), format!("{site}/?sort=price_asc"));
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
        format!("{}/es/product/{id}/molinillo-manual-de-muelas", env.site_url())
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
    // (The header's "2 artículos" is the browser's: models::cart and languages.spec test it.)
    for text in ["29,00\u{a0}US$", "Actualizar", "Eliminar", "Aplicar cupón", "Finalizar compra"] {
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
    // Its invoice is in Spanish too (the PDF's own words; amounts as Spanish writes them).
    let spanish_id = placed.json()["id"].as_i64().unwrap();
    let invoice = send(
        &env,
        json_request("GET", &format!("/api/v1/orders/{spanish_id}/invoice.pdf"), Some(&cookie), None),
    )
    .await;
    assert_eq!(invoice.status, StatusCode::OK);
    for word in ["(FACTURA)", "(PENDIENTE)", "(Facturar a)", "(Precio unitario)"] {
        assert!(invoice.body.contains(word), "{word} missing from the Spanish invoice");
    }
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
    // Removed behind the back office's back: refresh its search words as the back office does.
    fullstack_ws::services::search::reindex(env.db(), &[grinder]).await.unwrap();
    let r = send(&env, ask(&format!("/api/v1/products/{grinder}"), "es")).await;
    assert_eq!(r.json()["name"], "Burr Hand Grinder");
    assert_eq!(r.json()["category"]["name"], "Utensilios para preparar");
    assert_eq!(search("grinder", "es").await, 1);
    let page = get(&env, &format!("/es/product/{grinder}/burr-hand-grinder")).await;
    assert_eq!(page.status, StatusCode::OK, "the English slug is the Spanish page's slug now");
}

/// `Set-Cookie: lang=…` in a reply, if it sets the language cookie.
fn language_cookie(reply: &common::Reply) -> Option<String> {
    reply.headers.get_all(header::SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        v.strip_prefix("lang=").map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
    })
}

async fn me(env: &TestEnv, cookie: &str) -> serde_json::Value {
    send(env, json_request("GET", "/api/v1/me", Some(cookie), None)).await.json()
}

fn in_spanish(mut req: Request<Body>) -> Request<Body> {
    req.headers_mut().insert(header::ACCEPT_LANGUAGE, "es-ES,es;q=0.9".parse().unwrap());
    req
}

/// The language a visitor chose is remembered: a cookie for everyone, the account's
/// language when logged in; account mails are written in it and REST calls without
/// `Accept-Language` are answered in it.
async fn the_chosen_language_is_remembered_and_used_for_mail(backend: Backend) {
    let env = seeded(backend).await;
    // A guest viewing Spanish pages gets the cookie once; REST then answers in Spanish.
    let first = page(&env, "/es/", "").await;
    assert_eq!(language_cookie(&first).as_deref(), Some("es"));
    let again = page(&env, "/es/", "lang=es").await;
    assert_eq!(language_cookie(&again), None, "set only when it changes");
    assert_eq!(language_cookie(&get(&env, "/pkg/missing.js").await), None, "files do not count");
    let mut req = json_request("GET", "/api/v1/categories", None, None);
    req.headers_mut().insert(header::COOKIE, "lang=es".parse().unwrap());
    assert_eq!(send(&env, req).await.headers[header::CONTENT_LANGUAGE], "es");

    // Registering from Spanish: the account is Spanish, and so is its welcome.
    let body = json!({"name": "Ana", "email": "ana@example.com", "password": "una contraseña larga"});
    let r = send(&env, in_spanish(json_request("POST", "/api/v1/auth/register", None, Some(body)))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "¡Te damos la bienvenida! Te hemos enviado un mensaje a tu dirección de correo."
    );
    let cookie = r.session_cookie().expect("logged in");
    assert_eq!(me(&env, &cookie).await["locale"], "es");
    let mails = outbox_mail::Entity::find().all(env.db()).await.unwrap();
    let welcome = mails.iter().find(|m| m.recipient == "ana@example.com").expect("a welcome");
    assert_eq!(welcome.subject, "Te damos la bienvenida a Ember & Leaf");
    let parsed = mail_parser::MessageParser::default().parse(welcome.message.as_bytes()).unwrap();
    let text = parsed.body_text(0).unwrap();
    assert!(
        text.contains("Hola, Ana:") && text.contains("/es/account"),
        "Spanish, linking Spanish pages: {text}"
    );

    // Viewing English pages while logged in makes the account English.
    let english = page(&env, "/", &cookie).await;
    assert_eq!(english.status, StatusCode::OK);
    assert_eq!(language_cookie(&english).as_deref(), Some("en"));
    assert_eq!(me(&env, &cookie).await["locale"], "en");
    let reset =
        json_request("POST", "/api/v1/auth/password-reset", None, Some(json!({"email": "ana@example.com"})));
    assert_eq!(send(&env, reset).await.status, StatusCode::OK);
    let mails = outbox_mail::Entity::find().all(env.db()).await.unwrap();
    assert!(
        mails.iter().any(|m| m.subject == "Reset your password"),
        "the reset mail is in the account's language"
    );

    // Or chosen on purpose; anything but a shop language is refused.
    let set = |tag: &str| json_request("PATCH", "/api/v1/me", Some(&cookie), Some(json!({"locale": tag})));
    let r = send(&env, set("es")).await;
    assert_eq!((r.status, r.json()["locale"].as_str()), (StatusCode::OK, Some("es")));
    let r = send(&env, set("fr")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["locale"].is_string(), "{}", r.body);
    // Without Accept-Language, REST answers in the account's language.
    let r = send(&env, json_request("GET", "/api/v1/categories", Some(&cookie), None)).await;
    assert_eq!(r.headers[header::CONTENT_LANGUAGE], "es");
}

/// Validation and refusals reach a REST client in the language it asked for: the same
/// rule's message, translated (English stays the contract's default).
async fn rest_errors_speak_the_asked_language(backend: Backend) {
    let env = seeded(backend).await;
    let bad = json!({"name": "", "email": "nope", "password": "short"});
    let r =
        send(&env, in_spanish(json_request("POST", "/api/v1/auth/register", None, Some(bad.clone())))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = &r.json()["error"];
    assert_eq!(error["code"], "validation_failed");
    assert_eq!(error["message"], "Corrige los campos marcados.");
    assert_eq!(error["fields"]["name"], "Escribe tu nombre.");
    assert_eq!(error["fields"]["email"], "Escribe una dirección de correo como nombre@ejemplo.com.");
    assert_eq!(error["fields"]["password"], "Usa al menos 8 caracteres.");
    let r = send(&env, json_request("POST", "/api/v1/auth/register", None, Some(bad))).await;
    assert_eq!(r.json()["error"]["fields"]["password"], "Use at least 8 characters.");

    let id = common::product_by_slug(env.db(), "sencha-asahi").await.id;
    let put = json_request("PUT", &format!("/api/v1/cart/lines/{id}"), None, Some(json!({"quantity": 1000})));
    let r = send(&env, in_spanish(put)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["quantity"].as_str().unwrap().starts_with("Elige una cantidad de 1 a"),
        "{}",
        r.body
    );
    let login = json!({"email": "nobody@example.com", "password": "whatever it is"});
    let r = send(&env, in_spanish(json_request("POST", "/api/v1/auth/login", None, Some(login)))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["message"], "El correo o la contraseña no son correctos.");
}

/// A product or category page names its own address in each language (each language's
/// slug), not a path that would redirect.
async fn alternates_carry_each_languages_slug(backend: Backend) {
    let env = seeded(backend).await;
    let site = env.site_url();
    let id = common::product_by_slug(env.db(), "ember-house-blend").await.id;
    let english = page(&env, &format!("/product/{id}/ember-house-blend"), "").await;
    assert!(
        english
            .body
            .contains(&format!(r#"href="{site}/es/product/{id}/mezcla-de-la-casa-ember" hreflang="es""#)),
        "{}",
        english.body
    );
    assert!(english
        .body
        .contains(&format!(r#"href="{site}/product/{id}/ember-house-blend" hreflang="x-default""#)));
    let spanish = page(&env, "/es/category/cafe", "").await;
    assert!(
        spanish.body.contains(&format!(r#"href="{site}/category/coffee" hreflang="en""#)),
        "{}",
        spanish.body
    );
    assert!(spanish.body.contains(&format!(r#"href="{site}/es/category/cafe" hreflang="es""#)));
    assert_eq!(spanish.body.matches(r#"hreflang="x-default""#).count(), 1);
}

on_both_backends!(
    the_chosen_language_is_remembered_and_used_for_mail,
    rest_errors_speak_the_asked_language,
    alternates_carry_each_languages_slug,
    rest_orders_take_the_asked_language,
    rest_answers_in_the_asked_language_with_english_fallback,
    a_spanish_shopper_checks_out_in_spanish,
    every_page_says_its_language_and_links_the_other,
    spanish_pages_link_within_spanish,
    staff_pages_offer_no_other_language,
);
