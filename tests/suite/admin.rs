//! The back office through the real router: the authorization matrix over every admin
//! page, REST route and server function; products, categories and coupons with their
//! rules; image upload; orders with filters, cancel and the CSV export; the invoice;
//! users and the last-admin rule; the job queue; the audit log. SQLite and PostgreSQL.
use crate::common;

use crate::common::{json_request, send, Backend, Reply, TestEnv};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use fullstack_ws::models::{OrderStatus, Shipping};
use fullstack_ws::services::cart::{self, Shopper};
use fullstack_ws::services::orders::{self, MailSettings};
use fullstack_ws::services::{accounts, seed};
use serde_json::{json, Value};

const ADMIN_PASSWORD: &str = "boss password 2026";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

struct Cookies {
    admin: String,
    customer: String,
}

async fn log_in(env: &TestEnv, email: &str, password: &str) -> String {
    let r = send(
        env,
        json_request("POST", "/api/v1/auth/login", None, Some(json!({"email": email, "password": password}))),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.session_cookie().expect("logged in")
}

/// A seeded shop with one admin and one customer, both logged in.
async fn shop(backend: Backend) -> (TestEnv, Cookies) {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    accounts::create_admin(env.db(), "boss@example.com", Some(ADMIN_PASSWORD)).await.unwrap();
    let r = send(
        &env,
        json_request(
            "POST",
            "/api/v1/auth/register",
            None,
            Some(json!({"email": "cust@example.com", "password": "correct horse battery", "name": "Cus"})),
        ),
    )
    .await;
    let customer = r.session_cookie().expect("registered");
    let admin = log_in(&env, "boss@example.com", ADMIN_PASSWORD).await;
    (env, Cookies { admin, customer })
}

async fn call(env: &TestEnv, method: &str, path: &str, cookie: Option<&str>, body: Option<Value>) -> Reply {
    send(env, json_request(method, path, cookie, body)).await
}

/// The path of server function `name` (its URL is the name plus a numeric hash).
fn server_fn_path(name: &str) -> String {
    let prefix = format!("/api/{name}");
    leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .find(|p| p.strip_prefix(&prefix).is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit())))
        .unwrap_or_else(|| panic!("no server function {name}"))
}

async fn server_fn(env: &TestEnv, name: &str, cookie: Option<&str>, body: &str) -> Reply {
    let mut req = Request::post(server_fn_path(name))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(env, req.body(Body::from(body.to_owned())).unwrap()).await
}

fn shipping(first: &str, last: &str, email: &str) -> Shipping {
    Shipping {
        first_name: first.into(),
        last_name: last.into(),
        email: email.into(),
        address: "1 Main St".into(),
        postal_code: "12345".into(),
        city: "Springfield".into(),
    }
}

/// Places a guest order of `qty` × the product with `slug`.
async fn order(env: &TestEnv, slug: &str, qty: i32, ship: &Shipping) -> fullstack_ws::models::Order {
    let db = env.db();
    let shopper = Shopper::Guest(uuid::Uuid::new_v4());
    let id = common::product_by_slug(db, slug).await.id;
    cart::add(db, &shopper, id, qty).await.unwrap();
    let settings = MailSettings { from: &env.state.config.mail_from, site_url: env.site_url() };
    orders::place(db, &shopper, ship, &uuid::Uuid::new_v4().to_string(), &settings).await.unwrap().order
}

fn multipart(field: &str, filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----fws-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(env: &TestEnv, path: &str, cookie: Option<&str>, bytes: &[u8]) -> Reply {
    let (content_type, body) = multipart("image", "x.png", bytes);
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(env, req.body(Body::from(body)).unwrap()).await
}

/// GETs an admin JSON resource, asserting 200.
async fn admin_get(env: &TestEnv, cookie: &str, path: String) -> Value {
    let r = call(env, "GET", &path, Some(cookie), None).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.json()
}

async fn audit_actions(env: &TestEnv, cookie: &str) -> Vec<Value> {
    let r = call(env, "GET", "/api/v1/admin/audit?per_page=200", Some(cookie), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["items"].as_array().unwrap().clone()
}

async fn authorization_matrix(backend: Backend) {
    let (env, c) = shop(backend).await;
    let o = order(&env, "ember-house-blend", 1, &shipping("Ada", "L", "ada@example.com")).await;
    let product = common::product_by_slug(env.db(), "sencha-asahi").await.id;
    let category = common::product_by_slug(env.db(), "sencha-asahi").await.category_id;
    let new_product = json!({"category_id": category, "name": "Matrix Tea", "description": "", "price": 500, "stock": 3, "available": true});
    let coupon = json!({"code": "MATRIX", "percent": 5, "valid_from": "2026-01-01", "valid_to": "2099-01-01", "active": true});

    // Every admin REST route: anonymous 401, customer 403, admin a success.
    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/api/v1/admin/dashboard".into(), None),
        ("GET", "/api/v1/admin/products".into(), None),
        ("POST", "/api/v1/admin/products".into(), Some(new_product.clone())),
        ("GET", format!("/api/v1/admin/products/{product}"), None),
        (
            "PATCH",
            format!("/api/v1/admin/products/{product}"),
            Some(
                json!({"category_id": category, "name": "Sencha Asahi", "description": "Green.", "price": 1400, "stock": 20, "available": true}),
            ),
        ),
        (
            "POST",
            "/api/v1/admin/products/availability".into(),
            Some(json!({"ids": [product], "available": true})),
        ),
        ("GET", "/api/v1/admin/categories".into(), None),
        ("POST", "/api/v1/admin/categories".into(), Some(json!({"name": "Matrix"}))),
        ("GET", format!("/api/v1/admin/categories/{category}"), None),
        ("PATCH", format!("/api/v1/admin/categories/{category}"), Some(json!({"name": "Tea"}))),
        ("GET", "/api/v1/admin/coupons".into(), None),
        ("POST", "/api/v1/admin/coupons".into(), Some(coupon)),
        ("GET", "/api/v1/admin/orders?status=created".into(), None),
        ("GET", format!("/api/v1/admin/orders/{}", o.id), None),
        ("GET", "/api/v1/admin/orders/export.csv".into(), None),
        ("GET", "/api/v1/admin/users?q=cust".into(), None),
        ("GET", "/api/v1/admin/payment-events".into(), None),
        ("GET", "/api/v1/admin/jobs".into(), None),
        ("GET", "/api/v1/admin/audit".into(), None),
        ("POST", format!("/api/v1/admin/orders/{}/cancel", o.id), None),
    ];
    for (method, path, body) in &routes {
        let anon = call(&env, method, path, None, body.clone()).await;
        assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "anonymous {method} {path}: {}", anon.body);
        let cust = call(&env, method, path, Some(&c.customer), body.clone()).await;
        assert_eq!(cust.status, StatusCode::FORBIDDEN, "customer {method} {path}: {}", cust.body);
        let admin = call(&env, method, path, Some(&c.admin), body.clone()).await;
        assert!(admin.status.is_success(), "admin {method} {path}: {} {}", admin.status, admin.body);
    }
    // Routes that change one record, checked last so the matrix above stays valid.
    let made = call(&env, "POST", "/api/v1/admin/products", Some(&c.admin), Some(new_product)).await.json();
    let made_id = made["id"].as_i64().unwrap();
    let user_id = call(&env, "GET", "/api/v1/admin/users?q=cust", Some(&c.admin), None).await.json()["items"]
        [0]["id"]
        .as_i64()
        .unwrap();
    let coupon_id = call(&env, "GET", "/api/v1/admin/coupons", Some(&c.admin), None)
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "MATRIX")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let empty_category = call(&env, "GET", "/api/v1/admin/categories", Some(&c.admin), None)
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Matrix")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    for (method, path, body) in [
        ("PATCH", format!("/api/v1/admin/users/{user_id}"), Some(json!({"disabled": false}))),
        ("GET", format!("/api/v1/admin/coupons/{coupon_id}"), None),
        (
            "PATCH",
            format!("/api/v1/admin/coupons/{coupon_id}"),
            Some(
                json!({"code": "MATRIX", "percent": 6, "valid_from": "2026-01-01", "valid_to": "2099-01-01", "active": false}),
            ),
        ),
        ("DELETE", format!("/api/v1/admin/coupons/{coupon_id}"), None),
        ("DELETE", format!("/api/v1/admin/categories/{empty_category}"), None),
        ("DELETE", format!("/api/v1/admin/products/{made_id}"), None),
    ] {
        assert_eq!(
            call(&env, method, &path, None, body.clone()).await.status,
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        assert_eq!(
            call(&env, method, &path, Some(&c.customer), body.clone()).await.status,
            StatusCode::FORBIDDEN,
            "{method} {path}"
        );
        let r = call(&env, method, &path, Some(&c.admin), body).await;
        assert!(r.status.is_success(), "admin {method} {path}: {} {}", r.status, r.body);
    }
    // Uploads and the job retry refuse before reading anything.
    let img = format!("/api/v1/admin/products/{product}/image");
    assert_eq!(upload(&env, &img, None, PNG).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(upload(&env, &img, Some(&c.customer), PNG).await.status, StatusCode::FORBIDDEN);
    let retry = format!("/api/v1/admin/jobs/{}/retry", uuid::Uuid::new_v4());
    assert_eq!(call(&env, "POST", &retry, None, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&env, "POST", &retry, Some(&c.customer), None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&env, "POST", &retry, Some(&c.admin), None).await.status, StatusCode::NOT_FOUND);
    // The plain-form endpoints behind the pages.
    let form_upload = format!("/admin/products/{product}/image");
    let anon = upload(&env, &form_upload, None, PNG).await;
    assert_eq!(
        (anon.status, anon.location.as_deref()),
        (StatusCode::SEE_OTHER, Some(&*format!("/login?next=/admin/products/{product}")))
    );
    assert_eq!(upload(&env, &form_upload, Some(&c.customer), PNG).await.status, StatusCode::FORBIDDEN);
    let bulk = |cookie: Option<&str>| {
        let mut req = Request::post("/admin/products/availability")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        req.body(Body::from(format!("ids={product}&available=false"))).unwrap()
    };
    assert_eq!(send(&env, bulk(None)).await.location.as_deref(), Some("/login?next=/admin/products"));
    assert_eq!(send(&env, bulk(Some(&c.customer))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&env, bulk(Some(&c.admin))).await.location.as_deref(), Some("/admin/products?changed=1"));

    // Every admin server function, with valid arguments.
    let o2 = order(&env, "ember-house-blend", 1, &shipping("Bo", "B", "bo@example.com")).await;
    let fns: Vec<(&str, String)> = vec![
        ("admin_dashboard", String::new()),
        ("admin_products", "filter[archived]=false".into()),
        ("admin_product_detail", format!("id={product}")),
        ("admin_categories", String::new()),
        ("save_product", format!("id={product}&category_id={category}&name=Sencha+Asahi&description=x&price=14.00&stock=20&available=on")),
        ("save_category", format!("id={category}&name=Tea")),
        ("admin_coupons", String::new()),
        ("save_coupon", "id=&code=FN{n}&percent=5&valid_from=2026-01-01&valid_to=2099-01-01&active=on".into()),
        ("admin_orders", "filter[status]=".into()),
        ("admin_order", format!("id={}", o2.id)),
        ("admin_users", "filter[q]=".into()),
        ("update_user", format!("id={user_id}&disabled=false")),
        ("admin_payment_events", String::new()),
        ("admin_jobs", String::new()),
        ("admin_audit", String::new()),
        ("admin_cancel_order", format!("id={}", o2.id)),
    ];
    for (n, (name, body)) in fns.iter().enumerate() {
        let body = body.replace("{n}", &n.to_string());
        let anon = server_fn(&env, name, None, &body).await;
        assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "anonymous {name}: {}", anon.body);
        let cust = server_fn(&env, name, Some(&c.customer), &body).await;
        assert_eq!(cust.status, StatusCode::FORBIDDEN, "customer {name}: {}", cust.body);
        let admin = server_fn(&env, name, Some(&c.admin), &body).await;
        assert!(admin.status.is_success(), "admin {name}: {} {}", admin.status, admin.body);
    }
    for (name, body) in [
        ("delete_product", format!("id={product}")),
        ("delete_category", format!("id={category}")),
        ("set_coupon_active", "id=1&active=false".to_string()),
        ("delete_coupon", "id=1".to_string()),
        ("retry_job", format!("id={}", uuid::Uuid::new_v4())),
    ] {
        assert_eq!(server_fn(&env, name, None, &body).await.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(
            server_fn(&env, name, Some(&c.customer), &body).await.status,
            StatusCode::FORBIDDEN,
            "{name}"
        );
    }

    // Every admin page: anonymous → log in, customer → 403, admin → the page.
    let pages = [
        "/admin".to_string(),
        "/admin/products".into(),
        "/admin/products/new".into(),
        format!("/admin/products/{product}"),
        "/admin/categories".into(),
        "/admin/coupons".into(),
        "/admin/orders".into(),
        format!("/admin/orders/{}", o.id),
        "/admin/users".into(),
        "/admin/payments".into(),
        "/admin/jobs".into(),
        "/admin/audit".into(),
    ];
    for page in &pages {
        let get = |cookie: Option<&str>| {
            let mut req = Request::get(page.as_str()).header(header::ACCEPT, "text/html");
            if let Some(c) = cookie {
                req = req.header(header::COOKIE, c);
            }
            req.body(Body::empty()).unwrap()
        };
        let anon = send(&env, get(None)).await;
        assert_eq!(anon.status, StatusCode::FOUND, "anonymous {page}");
        assert_eq!(anon.location.as_deref(), Some(&*format!("/login?next={page}")), "anonymous {page}");
        assert_eq!(send(&env, get(Some(&c.customer))).await.status, StatusCode::FORBIDDEN, "customer {page}");
        let ok = send(&env, get(Some(&c.admin))).await;
        assert_eq!(ok.status, StatusCode::OK, "admin {page}");
        assert!(ok.body.contains("aria-label=\"Back office\""), "admin {page} shows the back office");
    }
}

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

async fn orders_filters_cancel_csv_and_invoice(backend: Backend) {
    let (env, c) = shop(backend).await;
    let admin = Some(c.admin.as_str());
    let db = env.db();
    let tricky =
        order(&env, "ember-house-blend", 2, &shipping("Zoë \"Z\"", "O'Brien, Jr.", "zoe@example.com")).await;
    let formula =
        order(&env, "sencha-asahi", 1, &shipping("=HYPERLINK(\"http://x\")", "Smith", "eve@example.com"))
            .await;
    let paid = order(&env, "sencha-asahi", 3, &shipping("Pat", "Paid", "pat@example.com")).await;
    orders::transition(db, paid.id, OrderStatus::Paid).await.unwrap();

    let list = |q: &str| admin_get(&env, &c.admin, format!("/api/v1/admin/orders?{q}"));
    assert_eq!(list("").await["total"], 3);
    assert_eq!(list("status=paid").await["items"][0]["id"], paid.id);
    assert_eq!(list("email=ZOE").await["items"][0]["id"], tricky.id);
    assert_eq!(list("sort=oldest").await["items"][0]["id"], tricky.id);
    let highest = [&tricky, &formula, &paid].into_iter().max_by_key(|o| (o.total.amount, o.id)).unwrap().id;
    assert_eq!(list("sort=total_desc").await["items"][0]["id"], highest);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(list(&format!("from={today}&to={today}")).await["total"], 3);
    assert_eq!(list("to=2020-01-01").await["total"], 0);
    let bad = call(&env, "GET", "/api/v1/admin/orders?status=shipped&from=yesterday", admin, None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.json()["error"]["fields"]["status"].is_string()
            && bad.json()["error"]["fields"]["from"].is_string()
    );

    // Detail, and the PDF invoice of the paid order.
    let detail = call(&env, "GET", &format!("/api/v1/admin/orders/{}", paid.id), admin, None).await.json();
    assert_eq!(detail["order"]["shipping"]["email"], "pat@example.com");
    assert!(detail["stripe_dashboard_url"].is_null(), "no Stripe link with the emulator");
    // Raw bytes (`send` decodes bodies as text).
    let res = {
        use tower::ServiceExt;
        let req = json_request("GET", &format!("/api/v1/orders/{}/invoice.pdf", paid.id), admin, None);
        env.router.clone().oneshot(req).await.unwrap()
    };
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/pdf");
    let raw = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
    assert!(raw.starts_with(b"%PDF"));
    let path = env.dir.path().join("admin-invoice.pdf");
    std::fs::write(&path, &raw).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext installed");
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in ["INVOICE", "PAID", "Pat Paid", "Sencha Asahi", &format!("{}", paid.total)] {
        assert!(text.contains(expected), "{expected} in {text}");
    }

    // Cancel: unpaid → cancelled with stock back; paid → 409; twice → unchanged.
    let stock_before = common::product_by_slug(db, "ember-house-blend").await.stock;
    let cancelled =
        call(&env, "POST", &format!("/api/v1/admin/orders/{}/cancel", tricky.id), admin, None).await;
    assert_eq!(cancelled.json()["order"]["status"], "cancelled", "{}", cancelled.body);
    assert_eq!(common::product_by_slug(db, "ember-house-blend").await.stock, stock_before + 2);
    let again = call(&env, "POST", &format!("/api/v1/admin/orders/{}/cancel", tricky.id), admin, None).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        common::product_by_slug(db, "ember-house-blend").await.stock,
        stock_before + 2,
        "stock released once"
    );
    assert_eq!(
        call(&env, "POST", &format!("/api/v1/admin/orders/{}/cancel", paid.id), admin, None).await.status,
        StatusCode::CONFLICT
    );
    let cancels: Vec<Value> =
        audit_actions(&env, &c.admin).await.into_iter().filter(|e| e["action"] == "order.cancel").collect();
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0]["entity_id"], tricky.id.to_string());

    // CSV: header, UTF-8, quoting that survives a real parser, formulas defused, filters.
    let csv_get = |q: &str| json_request("GET", &format!("/api/v1/admin/orders/export.csv?{q}"), admin, None);
    let all = send(&env, csv_get("sort=oldest")).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(all.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"orders-"));
    let mut reader = csv::Reader::from_reader(all.body.as_bytes());
    let header_row: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header_row[..4], ["order_id", "created_at", "status", "email"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let col = |name: &str| header_row.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("order_id")], tricky.id.to_string());
    assert_eq!(&rows[0][col("first_name")], "Zoë \"Z\"");
    assert_eq!(&rows[0][col("last_name")], "O'Brien, Jr.");
    assert_eq!(&rows[0][col("status")], "cancelled");
    assert_eq!(&rows[0][col("items")], "2");
    assert_eq!(&rows[1][col("first_name")], "'=HYPERLINK(\"http://x\")", "formula defused");
    assert_eq!(&rows[2][col("total")], format!("{}.{:02}", paid.total.amount / 100, paid.total.amount % 100));
    assert!(!rows[2][col("paid_at")].is_empty());
    assert!(all.body.contains("\"Zoë \"\"Z\"\"\""), "quotes doubled inside a quoted field: {}", all.body);
    let only_paid = send(&env, csv_get("status=paid")).await;
    assert_eq!(only_paid.body.lines().count(), 2, "header + the paid order");
    assert_eq!(send(&env, csv_get("from=nope")).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The dashboard counts it all.
    let d = call(&env, "GET", "/api/v1/admin/dashboard", admin, None).await.json();
    assert_eq!(d["windows"][0]["orders"], 3);
    assert_eq!(d["windows"][0]["paid_orders"], 1);
    assert_eq!(d["windows"][0]["revenue"]["amount"], paid.total.amount);
    assert_eq!(d["daily"].as_array().unwrap().len(), 30);
    assert_eq!(d["daily"][29]["revenue"], paid.total.amount);
    assert_eq!(d["by_status"], json!([["created", 1], ["paid", 1], ["cancelled", 1]]));
}

async fn users_roles_and_the_last_admin(backend: Backend) {
    let (env, c) = shop(backend).await;
    let admin = Some(c.admin.as_str());
    let users = call(&env, "GET", "/api/v1/admin/users", admin, None).await.json();
    assert_eq!(users["total"], 2);
    assert!(!users.to_string().contains("argon2"), "no password hashes leave the server");
    let id_of = |email: &str| {
        users["items"].as_array().unwrap().iter().find(|u| u["email"] == email).unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (boss, cust) = (id_of("boss@example.com"), id_of("cust@example.com"));
    let patch =
        |id: i64, body: Value| json_request("PATCH", &format!("/api/v1/admin/users/{id}"), admin, Some(body));
    // Not yourself; never the last admin.
    let r = send(&env, patch(boss, json!({"role": "customer"}))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(send(&env, patch(boss, json!({"disabled": true}))).await.status, StatusCode::CONFLICT);
    assert_eq!(send(&env, patch(cust, json!({}))).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(send(&env, patch(cust, json!({"role": "owner"}))).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(send(&env, patch(999_999, json!({"disabled": true}))).await.status, StatusCode::NOT_FOUND);
    // Promote the customer; now they can demote the first admin, but not the last.
    let promoted = send(&env, patch(cust, json!({"role": "admin"}))).await;
    assert_eq!(promoted.json()["role"], "admin");
    assert_eq!(
        call(&env, "GET", "/api/v1/admin/users", Some(&c.customer), None).await.status,
        StatusCode::OK
    );
    let demote_boss = json_request(
        "PATCH",
        &format!("/api/v1/admin/users/{boss}"),
        Some(&c.customer),
        Some(json!({"role": "customer"})),
    );
    assert_eq!(send(&env, demote_boss).await.status, StatusCode::OK);
    assert_eq!(
        call(&env, "GET", "/api/v1/admin/users", admin, None).await.status,
        StatusCode::FORBIDDEN,
        "demoted at the next request"
    );
    // The remaining admin is both "yourself" and the last: refused either way.
    let last = json_request(
        "PATCH",
        &format!("/api/v1/admin/users/{cust}"),
        Some(&c.customer),
        Some(json!({"disabled": true})),
    );
    assert_eq!(send(&env, last).await.status, StatusCode::CONFLICT);
    // Disabling ends the account's sessions at their next request; enabling lets it log in.
    let promote_back = json_request(
        "PATCH",
        &format!("/api/v1/admin/users/{boss}"),
        Some(&c.customer),
        Some(json!({"role": "admin"})),
    );
    assert_eq!(send(&env, promote_back).await.status, StatusCode::OK);
    let disable =
        json_request("PATCH", &format!("/api/v1/admin/users/{cust}"), admin, Some(json!({"disabled": true})));
    assert_eq!(send(&env, disable).await.json()["disabled"], true);
    assert_eq!(
        call(&env, "GET", "/api/v1/me", Some(&c.customer), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let enable = json_request(
        "PATCH",
        &format!("/api/v1/admin/users/{cust}"),
        admin,
        Some(json!({"disabled": false})),
    );
    assert_eq!(send(&env, enable).await.status, StatusCode::OK);
    log_in(&env, "cust@example.com", "correct horse battery").await;
    // Search.
    let found = call(&env, "GET", "/api/v1/admin/users?q=CUST", admin, None).await.json();
    assert_eq!(
        (found["total"].as_u64(), found["items"][0]["email"].as_str()),
        (Some(1), Some("cust@example.com"))
    );
    let entries = audit_actions(&env, &c.admin).await;
    assert_eq!(entries.iter().filter(|e| e["action"] == "user.update").count(), 5, "refusals are not logged");
    let disabled = entries
        .iter()
        .find(|e| e["after"].as_str().is_some_and(|a| a.contains("\"disabled\":true")))
        .unwrap();
    assert!(disabled["before"].as_str().unwrap().contains("\"disabled\":false"));
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

async fn job_queue_and_retry(backend: Backend) {
    use sea_orm::ConnectionTrait;
    let (env, c) = shop(backend).await;
    let admin = Some(c.admin.as_str());
    // Only this test's job (registration queued a welcome mail; no workers run here).
    env.db().execute_unprepared("DELETE FROM fang_tasks").await.unwrap();
    fullstack_ws::jobs::enqueue(
        &env.state.jobs.queue,
        &fullstack_ws::jobs::ExpireCheckoutSession { order_id: 42 },
    )
    .await
    .unwrap();
    let jobs = call(&env, "GET", "/api/v1/admin/jobs", admin, None).await.json();
    assert_eq!(jobs["total"], 1, "{jobs}");
    let job = &jobs["items"][0];
    assert_eq!(
        (job["job"].as_str(), job["state"].as_str()),
        (Some("ExpireCheckoutSession"), Some("pending"))
    );
    let id = job["id"].as_str().unwrap().to_string();
    // Only a failed job is retried.
    let retry = format!("/api/v1/admin/jobs/{id}/retry");
    assert_eq!(call(&env, "POST", &retry, admin, None).await.status, StatusCode::CONFLICT);
    env.db()
        .execute_unprepared(
            "UPDATE fang_tasks SET state = 'failed', retries = 5, error_message = 'Stripe unreachable'",
        )
        .await
        .unwrap();
    let failed = call(&env, "GET", "/api/v1/admin/jobs?state=failed", admin, None).await.json();
    assert_eq!(
        (failed["total"].as_u64(), failed["items"][0]["error"].as_str()),
        (Some(1), Some("Stripe unreachable"))
    );
    let d = call(&env, "GET", "/api/v1/admin/dashboard", admin, None).await.json();
    assert_eq!(d["troubled_jobs"][0]["state"], "failed");
    assert_eq!(call(&env, "POST", &retry, admin, None).await.status, StatusCode::NO_CONTENT);
    let pending = call(&env, "GET", "/api/v1/admin/jobs?state=pending", admin, None).await.json();
    assert_eq!(
        (pending["items"][0]["id"].as_str(), pending["items"][0]["retries"].as_i64()),
        (Some(id.as_str()), Some(0))
    );
    assert_eq!(call(&env, "GET", "/api/v1/admin/jobs?state=failed", admin, None).await.json()["total"], 0);
    assert_eq!(
        call(&env, "GET", "/api/v1/admin/jobs?state=stuck", admin, None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        call(&env, "POST", "/api/v1/admin/jobs/not-a-uuid/retry", admin, None).await.status,
        StatusCode::NOT_FOUND
    );
    let entries = audit_actions(&env, &c.admin).await;
    assert_eq!(
        (entries[0]["action"].as_str(), entries[0]["entity_id"].as_str()),
        (Some("job.retry"), Some(id.as_str()))
    );
}

on_both_backends!(
    authorization_matrix,
    products_rules_and_audit,
    images_are_sniffed_stored_and_served,
    orders_filters_cancel_csv_and_invoice,
    users_roles_and_the_last_admin,
    categories_and_coupons,
    job_queue_and_retry,
);
