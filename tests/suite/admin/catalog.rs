//! Products (rules, slugs, archive, images), categories and coupons in the back office.

use super::*;

async fn products_rules_and_audit(backend: Backend) {
    let (env, c) = shop(backend).await;
    let admin = Some(c.admin.as_str());
    let category = common::product_by_slug(env.db(), "sencha-asahi").await.category_id;
    let body = |name: &str, price: i64, stock: i64, available: bool| json!({"category_id": category, "name": name, "description": "Fresh.", "price": price, "stock": stock, "available": available});
    // Validation: every bad field at once, in the API's error shape.
    let bad = call(
        &env,
        "POST",
        "/api/v1/admin/products",
        admin,
        Some(json!({"category_id": 999999, "name": " ", "price": 0, "stock": -1})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for field in ["name", "price", "stock"] {
        assert!(bad.json()["error"]["fields"][field].is_string(), "{field}: {}", bad.body);
    }
    let unknown_category = call(
        &env,
        "POST",
        "/api/v1/admin/products",
        admin,
        Some(json!({"category_id": 999999, "name": "X", "price": 1, "stock": 0})),
    )
    .await;
    assert_eq!(unknown_category.json()["error"]["fields"]["category_id"], "Choose an existing category.");
    // Slugs are generated and unique.
    let a =
        call(&env, "POST", "/api/v1/admin/products", admin, Some(body("Zyx Rooibos Crème!", 900, 5, true)))
            .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let b =
        call(&env, "POST", "/api/v1/admin/products", admin, Some(body("Zyx Rooibos Crème", 950, 0, false)))
            .await;
    assert_eq!(
        (a.json()["slug"].as_str(), b.json()["slug"].as_str()),
        (Some("zyx-rooibos-creme"), Some("zyx-rooibos-creme-2"))
    );
    let a_id = a.json()["id"].as_i64().unwrap();
    let b_id = b.json()["id"].as_i64().unwrap();
    // Only available products reach the shop.
    let public = |id: i64| format!("/api/v1/products/{id}");
    assert_eq!(call(&env, "GET", &public(a_id), None, None).await.status, StatusCode::OK);
    assert_eq!(call(&env, "GET", &public(b_id), None, None).await.status, StatusCode::NOT_FOUND);
    // Filters, search and sort.
    let list = |q: &str| admin_get(&env, &c.admin, format!("/api/v1/admin/products?{q}"));
    let found = list("q=zyx&sort=price_desc").await;
    assert_eq!(found["total"], 2);
    assert_eq!(found["items"][0]["id"], b_id, "price, high to low");
    assert_eq!(list("q=zyx&available=false").await["items"].as_array().unwrap().len(), 1);
    assert!(list(&format!("category_id={category}&per_page=200")).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["category_id"] == category));
    assert_eq!(
        call(&env, "GET", "/api/v1/admin/products?sort=cheapest", admin, None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        call(&env, "GET", "/api/v1/admin/products?per_page=1000", admin, None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Edit; bulk availability.
    let edited = call(
        &env,
        "PATCH",
        &format!("/api/v1/admin/products/{b_id}"),
        admin,
        Some(body("Zyx Rooibos Vanilla", 975, 4, false)),
    )
    .await;
    assert_eq!(
        (edited.json()["name"].as_str(), edited.json()["slug"].as_str()),
        (Some("Zyx Rooibos Vanilla"), Some("zyx-rooibos-creme-2"))
    );
    let bulk = call(
        &env,
        "POST",
        "/api/v1/admin/products/availability",
        admin,
        Some(json!({"ids": [a_id, b_id], "available": true})),
    )
    .await;
    assert_eq!(bulk.json()["changed"], 1, "only b changed");
    assert_eq!(call(&env, "GET", &public(b_id), None, None).await.status, StatusCode::OK);
    // Remove: never ordered → deleted; ordered → archived and hidden.
    let o = order(&env, "zyx-rooibos-creme", 1, &shipping("Ann", "A", "ann@example.com")).await;
    assert_eq!(o.lines[0].product_id, a_id);
    let gone = call(&env, "DELETE", &format!("/api/v1/admin/products/{b_id}"), admin, None).await;
    assert_eq!(gone.json()["outcome"], "deleted");
    assert_eq!(
        call(&env, "GET", &format!("/api/v1/admin/products/{b_id}"), admin, None).await.status,
        StatusCode::NOT_FOUND
    );
    let kept = call(&env, "DELETE", &format!("/api/v1/admin/products/{a_id}"), admin, None).await;
    assert_eq!(kept.json()["outcome"], "archived");
    assert_eq!(call(&env, "GET", &public(a_id), None, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(list("q=zyx").await["total"], 0, "archived products leave the default list");
    assert_eq!(list("q=zyx&archived=true").await["items"][0]["id"], a_id);
    let revive = call(
        &env,
        "PATCH",
        &format!("/api/v1/admin/products/{a_id}"),
        admin,
        Some(body("Zyx Rooibos Crème!", 900, 5, true)),
    )
    .await;
    assert_eq!(revive.status, StatusCode::UNPROCESSABLE_ENTITY, "archived products cannot go back on sale");
    // The order keeps its line, so the order page and invoice still work.
    assert_eq!(
        call(&env, "GET", &format!("/api/v1/admin/orders/{}", o.id), admin, None).await.json()["order"]
            ["lines"][0]["name"],
        "Zyx Rooibos Crème!"
    );

    // The audit log: who, what, before and after, newest first.
    let entries = audit_actions(&env, &c.admin).await;
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "product.archive",
            "product.delete",
            "product.bulk_availability",
            "product.update",
            "product.create",
            "product.create"
        ]
    );
    assert!(entries.iter().all(|e| e["actor_email"] == "boss@example.com"));
    let update = &entries[3];
    assert_eq!(update["entity_id"], b_id.to_string());
    let before: Value = serde_json::from_str(update["before"].as_str().unwrap()).unwrap();
    let after: Value = serde_json::from_str(update["after"].as_str().unwrap()).unwrap();
    assert_eq!(
        (before["name"].as_str(), after["name"].as_str()),
        (Some("Zyx Rooibos Crème"), Some("Zyx Rooibos Vanilla"))
    );
    assert_eq!(
        (before["price"]["amount"].as_i64(), after["price"]["amount"].as_i64()),
        (Some(950), Some(975))
    );
    assert!(entries[1]["after"].is_null(), "a deletion has no after");
    // Refused changes leave no entry.
    assert_eq!(audit_actions(&env, &c.admin).await.len(), 6);
}

async fn images_are_sniffed_stored_and_served(backend: Backend) {
    let (env, c) = shop(backend).await;
    let id = common::product_by_slug(env.db(), "sencha-asahi").await.id;
    let path = format!("/api/v1/admin/products/{id}/image");
    let ok = upload(&env, &path, Some(&c.admin), PNG).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let url = ok.json()["image"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("/media/products/{id}-")) && url.ends_with(".png"), "{url}");
    let served = send(&env, Request::get(&url).body(Body::empty()).unwrap()).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(served.headers["x-content-type-options"], "nosniff");
    // The shop shows the new image.
    assert_eq!(call(&env, "GET", &format!("/api/v1/products/{id}"), None, None).await.json()["image"], url);
    // Type is sniffed from the bytes: a script named .png is refused, and so is SVG.
    for bad in [
        &b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"[..],
        b"not an image at all",
    ] {
        let r = upload(&env, &path, Some(&c.admin), bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["error"]["fields"]["image"], "Upload a JPEG, PNG, WebP or GIF image.");
    }
    let mut huge = PNG.to_vec();
    huge.resize(2 * 1024 * 1024 + 10, 0);
    let r = upload(&env, &path, Some(&c.admin), &huge).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"]["image"], "The image is larger than 2 MB.");
    // The page's plain form: 303 back with the result.
    let form = upload(&env, &format!("/admin/products/{id}/image"), Some(&c.admin), PNG).await;
    assert_eq!(form.location.as_deref(), Some(&*format!("/admin/products/{id}?image=saved")));
    let refused = upload(&env, &format!("/admin/products/{id}/image"), Some(&c.admin), b"%PDF-1.7").await;
    assert!(refused.location.unwrap().starts_with(&format!("/admin/products/{id}?image_error=")));
    let files = std::fs::read_dir(env.dir.path().join("media/products")).unwrap().count();
    assert_eq!(files, 2, "refused uploads store nothing");
    assert_eq!(
        audit_actions(&env, &c.admin).await.iter().filter(|e| e["action"] == "product.image").count(),
        2
    );
}

async fn a_product_without_an_image_shows_the_placeholder(backend: Backend) {
    use fullstack_ws::models::PLACEHOLDER_IMAGE;
    let (env, c) = shop(backend).await;
    let category = common::product_by_slug(env.db(), "sencha-asahi").await.category_id;
    let made = call(
        &env,
        "POST",
        "/api/v1/admin/products",
        Some(&c.admin),
        Some(json!({"category_id": category, "name": "Plain Oolong", "price": 700, "stock": 3, "available": true})),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.json()["image"], "", "the data says it has none");
    let url = format!("/product/{}/plain-oolong", made.json()["id"]);
    let page = common::get(&env, &url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("src=\"{PLACEHOLDER_IMAGE}\"")), "{}", page.body);
    assert!(!page.body.contains("src=\"\""), "no empty image source");
    let listed = common::get(&env, "/?q=plain+oolong").await;
    assert!(listed.body.contains(&format!("src=\"{PLACEHOLDER_IMAGE}\"")), "{}", listed.body);
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("public").join(&PLACEHOLDER_IMAGE[1..]);
    assert!(file.is_file(), "{} is one of the site's files", file.display());
}

async fn categories_and_coupons(backend: Backend) {
    let (env, c) = shop(backend).await;
    let admin = Some(c.admin.as_str());
    let made =
        call(&env, "POST", "/api/v1/admin/categories", admin, Some(json!({"name": "Cocoa & Co"}))).await;
    assert_eq!((made.status, made.json()["slug"].as_str()), (StatusCode::CREATED, Some("cocoa-co")));
    let id = made.json()["id"].as_i64().unwrap();
    let dup =
        call(&env, "POST", "/api/v1/admin/categories", admin, Some(json!({"name": "cocoa & co"}))).await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    let renamed =
        call(&env, "PATCH", &format!("/api/v1/admin/categories/{id}"), admin, Some(json!({"name": "Cocoa"})))
            .await;
    assert_eq!(
        (renamed.json()["name"].as_str(), renamed.json()["slug"].as_str()),
        (Some("Cocoa"), Some("cocoa-co"))
    );
    assert!(call(&env, "GET", "/api/v1/categories", None, None).await.body.contains("\"Cocoa\""));
    let tea = common::product_by_slug(env.db(), "sencha-asahi").await.category_id;
    let busy = call(&env, "DELETE", &format!("/api/v1/admin/categories/{tea}"), admin, None).await;
    assert_eq!(busy.status, StatusCode::CONFLICT, "{}", busy.body);
    assert_eq!(
        call(&env, "DELETE", &format!("/api/v1/admin/categories/{id}"), admin, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&env, "DELETE", &format!("/api/v1/admin/categories/{id}"), admin, None).await.status,
        StatusCode::NOT_FOUND
    );

    let coupon = |code: &str, percent: i64, from: &str, to: &str| json!({"code": code, "percent": percent, "valid_from": from, "valid_to": to, "active": true});
    let bad = call(
        &env,
        "POST",
        "/api/v1/admin/coupons",
        admin,
        Some(coupon("no spaces", 0, "2026-02-30", "2026-01-01")),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["code", "percent", "valid_from"] {
        assert!(bad.json()["error"]["fields"][f].is_string(), "{f}: {}", bad.body);
    }
    let backwards = call(
        &env,
        "POST",
        "/api/v1/admin/coupons",
        admin,
        Some(coupon("LATE", 5, "2026-02-01", "2026-01-01")),
    )
    .await;
    assert_eq!(backwards.json()["error"]["fields"]["valid_to"], "The end must be after the start.");
    let spring = call(
        &env,
        "POST",
        "/api/v1/admin/coupons",
        admin,
        Some(coupon("spring25", 25, "2026-01-01", "2099-12-31")),
    )
    .await;
    assert_eq!((spring.status, spring.json()["code"].as_str()), (StatusCode::CREATED, Some("SPRING25")));
    assert_eq!(spring.json()["valid_to"], "2099-12-31T23:59:59+00:00");
    let dup = call(
        &env,
        "POST",
        "/api/v1/admin/coupons",
        admin,
        Some(coupon("SPRING25", 5, "2026-01-01", "2099-12-31")),
    )
    .await;
    assert_eq!(dup.json()["error"]["fields"]["code"], "A coupon with this code exists.");
    // A shopper can use it; switched off, they cannot.
    let spring_id = spring.json()["id"].as_i64().unwrap();
    let shopper = Shopper::Guest(uuid::Uuid::new_v4());
    let p = common::product_by_slug(env.db(), "sencha-asahi").await.id;
    cart::add(env.db(), &shopper, p, 1).await.unwrap();
    assert!(cart::apply_coupon(env.db(), &shopper, "spring25").await.is_ok());
    let off = call(&env, "PATCH", &format!("/api/v1/admin/coupons/{spring_id}"), admin, Some(json!({"code": "SPRING25", "percent": 25, "valid_from": "2026-01-01", "valid_to": "2099-12-31", "active": false}))).await;
    assert_eq!(off.json()["active"], false);
    assert!(cart::apply_coupon(env.db(), &shopper, "SPRING25").await.is_err());
    assert_eq!(
        call(&env, "DELETE", &format!("/api/v1/admin/coupons/{spring_id}"), admin, None).await.status,
        StatusCode::NO_CONTENT
    );
    let actions: Vec<String> = audit_actions(&env, &c.admin)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "coupon.delete",
            "coupon.update",
            "coupon.create",
            "category.delete",
            "category.update",
            "category.create"
        ]
    );
}

async fn the_product_form_refuses_zero_prices_and_negative_stock(backend: Backend) {
    let (env, c) = shop(backend).await;
    let p = common::product_by_slug(env.db(), "sencha-asahi").await;
    for (price, stock, field) in [("0", "20", "price"), ("0.00", "20", "price"), ("14.00", "-5", "stock")] {
        let body = format!(
            "id={}&category_id={}&name=Sencha+Asahi&description=x&price={price}&stock={stock}&available=on",
            p.id, p.category_id
        );
        let r = server_fn(&env, "save_product", Some(&c.admin), &body).await;
        assert!(!r.status.is_success(), "price {price}, stock {stock} was accepted: {}", r.body);
        assert!(r.body.contains(field), "price {price}, stock {stock}: {}", r.body);
    }
    let after = common::product_by_slug(env.db(), "sencha-asahi").await;
    assert_eq!((after.price, after.stock), (p.price, p.stock), "nothing was saved");
}

/// Every translation is edited in the back office (REST here; the pages use the same
/// service), the missing ones are listed, and shoppers see the change at once.
async fn translations_are_edited_and_missing_ones_shown(backend: Backend) {
    let (env, c) = shop(backend).await;
    let id = common::product_by_slug(env.db(), "sencha-asahi").await.id;
    let product =
        call(&env, "GET", &format!("/api/v1/admin/products/{id}"), Some(&c.admin), None).await.json();
    assert_eq!(product["translations"][0]["locale"], "es", "the demo catalog is translated");
    assert_eq!(product["missing_translations"], json!([]));

    let path = format!("/api/v1/admin/products/{id}/translations/es");
    let body = json!({"name": "  Sencha de Shizuoka ", "description": "Un verde japonés."});
    let r = call(&env, "PUT", &path, Some(&c.admin), Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json()["translations"][0],
        json!({"locale": "es", "name": "Sencha de Shizuoka", "slug": "sencha-de-shizuoka", "description": "Un verde japonés."})
    );
    let mut ask = json_request("GET", &format!("/api/v1/products/{id}"), None, None);
    ask.headers_mut().insert(header::ACCEPT_LANGUAGE, "es".parse().unwrap());
    assert_eq!(send(&env, ask).await.json()["name"], "Sencha de Shizuoka");

    // Bad input and languages that are not translated into are refused.
    let r = call(&env, "PUT", &path, Some(&c.admin), Some(json!({"name": " "}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["name"].is_string());
    for tag in ["en", "fr", "ES-mx"] {
        let other = format!("/api/v1/admin/products/{id}/translations/{tag}");
        assert_eq!(
            call(&env, "PUT", &other, Some(&c.admin), Some(body.clone())).await.status,
            StatusCode::NOT_FOUND,
            "{tag}"
        );
    }
    assert_eq!(
        call(&env, "PUT", &path, Some(&c.customer), Some(body.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(call(&env, "PUT", &path, None, Some(body)).await.status, StatusCode::UNAUTHORIZED);

    // Removed: listed as missing, and shoppers reading Spanish see the English words.
    let r = call(&env, "DELETE", &path, Some(&c.admin), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["missing_translations"], json!(["es"]));
    let list = call(&env, "GET", "/api/v1/admin/products?q=sencha", Some(&c.admin), None).await.json();
    assert_eq!(list["items"][0]["missing_translations"], json!(["es"]));
    let mut ask = json_request("GET", &format!("/api/v1/products/{id}"), None, None);
    ask.headers_mut().insert(header::ACCEPT_LANGUAGE, "es".parse().unwrap());
    assert_eq!(send(&env, ask).await.json()["name"], "Sencha Asahi");

    // Categories: the name, a slug unique in the language, and no two with one name.
    let cats = call(&env, "GET", "/api/v1/admin/categories", Some(&c.admin), None).await.json();
    let tea = cats.as_array().unwrap().iter().find(|c| c["slug"] == "tea").unwrap().clone();
    let coffee = cats.as_array().unwrap().iter().find(|c| c["slug"] == "coffee").unwrap().clone();
    let tea_path = format!("/api/v1/admin/categories/{}/translations/es", tea["id"]);
    let r = call(&env, "PUT", &tea_path, Some(&c.admin), Some(json!({"name": "Tés e infusiones"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["translations"][0]["slug"], "tes-e-infusiones");
    let page = common::get(&env, "/es/category/tes-e-infusiones").await;
    assert_eq!(page.status, StatusCode::OK);
    let coffee_path = format!("/api/v1/admin/categories/{}/translations/es", coffee["id"]);
    let r = call(&env, "PUT", &coffee_path, Some(&c.admin), Some(json!({"name": "tés E infusiones"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = call(&env, "DELETE", &coffee_path, Some(&c.admin), None).await;
    assert_eq!(r.json()["missing_translations"], json!(["es"]));

    let actions = audit_actions(&env, &c.admin).await;
    for action in ["product.translate", "product.untranslate", "category.translate", "category.untranslate"] {
        assert!(actions.iter().any(|e| e["action"] == action), "{action} audited");
    }
}

/// A page as a browser with `cookie` gets it: status, headers and body.
async fn page(env: &TestEnv, path: &str, cookie: Option<&str>, if_none_match: Option<&str>) -> Reply {
    let mut req = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(tag) = if_none_match {
        req = req.header(header::IF_NONE_MATCH, tag);
    }
    send(env, req.body(Body::empty()).unwrap()).await
}

async fn catalog_pages_are_shared_cached_and_renewed_by_staff_changes(backend: Backend) {
    let (env, c) = shop(backend).await;
    let product = common::product_by_slug(env.db(), "burr-hand-grinder").await;
    let path = format!("/product/{}/burr-hand-grinder", product.id);
    let customer_sets_quantity = |quantity: i64| {
        let line = format!("/api/v1/cart/lines/{}", product.id);
        send(&env, json_request("PUT", &line, Some(&c.customer), Some(json!({"quantity": quantity}))))
    };
    // The customer has a cart: the header would name it, if the server rendered it.
    assert_eq!(customer_sets_quantity(2).await.status, StatusCode::OK);
    // The first visitor is the customer: what the server renders for them is stored and
    // given to everyone, so it must hold nothing of theirs.
    let first = page(&env, &path, Some(&c.customer), None).await;
    assert_eq!(first.status, StatusCode::OK);
    for personal in ["cust@example.com", "2 items", "\"quantity\":2"] {
        assert!(!first.body.contains(personal), "{personal} in a shared page");
    }
    let anonymous = page(&env, &path, None, None).await;
    assert_eq!(anonymous.body, first.body, "the same bytes for every visitor");
    assert_eq!(anonymous.headers["cache-control"], "public, max-age=0, stale-while-revalidate=10");
    // Only the page's own language may be remembered: the same for everyone who gets it.
    for cookie in anonymous.headers.get_all(header::SET_COOKIE) {
        assert!(cookie.to_str().unwrap().starts_with("lang=en;"), "{cookie:?}");
    }
    let policy = anonymous.headers["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("'sha256-") && !policy.contains("'nonce-"), "{policy}");
    assert!(!anonymous.body.contains("nonce="), "no nonce in a page for everyone");
    // The server renders the visitor's links; the browser swaps in the account's.
    let header = anonymous.body.split("</header>").next().unwrap_or_default();
    assert!(header.contains("href=\"/login\">Log in"), "links work before (and without) WASM: {header}");
    let etag = anonymous.headers["etag"].to_str().unwrap().to_owned();
    let unchanged = page(&env, &path, None, Some(&etag)).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert!(unchanged.body.is_empty());
    assert_eq!(
        unchanged.headers["content-security-policy"],
        policy.as_str(),
        "the stored page's policy stays"
    );
    // Rendered again (after a change by staff elsewhere: a coupon), it is the same bytes.
    let coupon = json!({"code": "CACHE", "percent": 5, "valid_from": "2026-01-01", "valid_to": "2099-01-01", "active": true});
    let created = call(&env, "POST", "/api/v1/admin/coupons", Some(&c.admin), Some(coupon)).await;
    assert!(created.status.is_success(), "{}", created.body);
    let again = page(&env, &path, None, None).await;
    let first_difference = again.body.bytes().zip(anonymous.body.bytes()).position(|(a, b)| a != b);
    let around = |body: &str, at: usize| body[at.saturating_sub(80)..(at + 80).min(body.len())].to_owned();
    assert!(
        first_difference.is_none() && again.body.len() == anonymous.body.len(),
        "nothing random in it: {:?}",
        first_difference.map(|at| (around(&anonymous.body, at), around(&again.body, at)))
    );
    assert_eq!(again.headers["etag"], etag.as_str());
    // A customer's change leaves the page as it was; a change by staff shows at once.
    assert_eq!(customer_sets_quantity(1).await.status, StatusCode::OK);
    assert_eq!(page(&env, &path, None, Some(&etag)).await.status, StatusCode::NOT_MODIFIED);
    let edit = json!({"category_id": product.category_id, "name": "Burr hand grinder", "description": "Now with a steel burr.", "price": product.price, "stock": product.stock, "available": true});
    let edited =
        call(&env, "PATCH", &format!("/api/v1/admin/products/{}", product.id), Some(&c.admin), Some(edit))
            .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let renewed = page(&env, &path, None, Some(&etag)).await;
    assert_eq!(renewed.status, StatusCode::OK);
    assert!(renewed.body.contains("Now with a steel burr."));
    assert_ne!(renewed.headers["etag"], etag.as_str());
    // Pages with something personal in them are never stored anywhere.
    for personal in ["/cart", "/account", "/checkout"] {
        let r = page(&env, personal, Some(&c.customer), None).await;
        assert_eq!(r.headers["cache-control"], "no-store", "{personal}");
    }
}

on_both_backends!(
    catalog_pages_are_shared_cached_and_renewed_by_staff_changes,
    translations_are_edited_and_missing_ones_shown,
    products_rules_and_audit,
    images_are_sniffed_stored_and_served,
    a_product_without_an_image_shows_the_placeholder,
    categories_and_coupons,
    the_product_form_refuses_zero_prices_and_negative_stock,
);
