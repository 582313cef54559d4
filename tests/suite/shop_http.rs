//! Cart and orders over HTTP: REST and server functions with the session cookie, the
//! client's numbers ignored, other sessions kept out, bad input answered with 4xx.
//! SQLite and PostgreSQL.
use crate::common;

use crate::common::{call_server_fn, json_request, send, Backend, TestEnv};
use axum::http::StatusCode;
use fullstack_ws::services::seed;
use serde_json::json;

async fn seeded(backend: Backend) -> TestEnv {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    env
}

fn ship() -> serde_json::Value {
    json!({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
           "address": "1 Main St", "postal_code": "12345", "city": "Springfield"})
}

async fn rest_cart_to_order_with_the_session_cookie(backend: Backend) {
    let env = seeded(backend).await;
    let p = common::product_by_slug(env.db(), "ember-house-blend").await;

    // Reading an empty cart sets no cookie; the first change does.
    let r = send(&env, json_request("GET", "/api/v1/cart", None, None)).await;
    assert_eq!((r.status, r.json()["item_count"].as_i64()), (StatusCode::OK, Some(0)));
    assert!(r.session_cookie().is_none());

    // Extra fields (a price, a total) are ignored: the server prices the cart.
    let uri = format!("/api/v1/cart/lines/{}", p.id);
    let r = send(&env, json_request("PUT", &uri, None, Some(json!({"quantity": 2, "price": 1, "total": 1}))))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cookie = r.session_cookie().expect("session cookie set");
    let set_cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert_eq!(r.json()["subtotal"]["amount"].as_i64(), Some(2 * p.price));
    assert_eq!(r.json()["subtotal"]["currency"], "usd");

    let r = send(
        &env,
        json_request("POST", "/api/v1/cart/coupon", Some(&cookie), Some(json!({"code": "welcome10"}))),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["discount"]["amount"].as_i64(), Some((2 * p.price * 10 + 50) / 100));

    let r = send(
        &env,
        json_request("POST", "/api/v1/cart/coupon", Some(&cookie), Some(json!({"code": "BOGUS"}))),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["code"], "validation_failed");
    assert!(r.json()["error"]["fields"]["code"].is_string());

    // Place it; the same Idempotency-Key again returns the same order with 200.
    let mut req = json_request("POST", "/api/v1/orders", Some(&cookie), Some(ship()));
    req.headers_mut().insert("idempotency-key", "rest-key-0001".parse().unwrap());
    let r = send(&env, req).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let order = r.json();
    let id = order["id"].as_i64().unwrap();
    assert_eq!(order["status"], "created");
    let mut req = json_request("POST", "/api/v1/orders", Some(&cookie), Some(ship()));
    req.headers_mut().insert("idempotency-key", "rest-key-0001".parse().unwrap());
    let r = send(&env, req).await;
    assert_eq!((r.status, r.json()["id"].as_i64()), (StatusCode::OK, Some(id)));

    let r = send(&env, json_request("GET", "/api/v1/orders", Some(&cookie), None)).await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    let r = send(&env, json_request("GET", &format!("/api/v1/orders/{id}"), Some(&cookie), None)).await;
    assert_eq!(r.status, StatusCode::OK);

    // Nobody else sees it: no cookie, or another shopper's.
    let r = send(&env, json_request("GET", &format!("/api/v1/orders/{id}"), None, None)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let other = send(&env, json_request("PUT", &uri, None, Some(json!({"quantity": 1}))))
        .await
        .session_cookie()
        .unwrap();
    for (method, path) in
        [("GET", format!("/api/v1/orders/{id}")), ("POST", format!("/api/v1/orders/{id}/cancel"))]
    {
        let r = send(&env, json_request(method, &path, Some(&other), None)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let r =
        send(&env, json_request("POST", &format!("/api/v1/orders/{id}/cancel"), Some(&cookie), None)).await;
    assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("cancelled")));
    let r =
        send(&env, json_request("POST", &format!("/api/v1/orders/{id}/cancel"), Some(&cookie), None)).await;
    assert_eq!(r.status, StatusCode::OK, "cancelling twice is harmless");
}

async fn rest_bad_input_is_4xx(backend: Backend) {
    let env = seeded(backend).await;
    let p = common::product_by_slug(env.db(), "ember-house-blend").await;
    let line = format!("/api/v1/cart/lines/{}", p.id);
    let cases: Vec<(&str, String, Option<serde_json::Value>, StatusCode)> = vec![
        ("PUT", line.clone(), Some(json!({"quantity": 21})), StatusCode::UNPROCESSABLE_ENTITY),
        ("PUT", line.clone(), Some(json!({"quantity": -3})), StatusCode::UNPROCESSABLE_ENTITY),
        ("PUT", line.clone(), Some(json!({"quantity": "two"})), StatusCode::BAD_REQUEST),
        ("PUT", line.clone(), Some(json!({"quantity": 1e12})), StatusCode::BAD_REQUEST),
        ("PUT", line.clone(), None, StatusCode::BAD_REQUEST),
        ("PUT", "/api/v1/cart/lines/abc".into(), Some(json!({"quantity": 1})), StatusCode::BAD_REQUEST),
        ("PUT", "/api/v1/cart/lines/999999".into(), Some(json!({"quantity": 1})), StatusCode::NOT_FOUND),
        ("DELETE", "/api/v1/cart/lines/-1".into(), None, StatusCode::BAD_REQUEST),
        ("POST", "/api/v1/cart/coupon".into(), Some(json!({})), StatusCode::BAD_REQUEST),
        (
            "POST",
            "/api/v1/cart/coupon".into(),
            Some(json!({"code": "x".repeat(500)})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("POST", "/api/v1/orders".into(), Some(ship()), StatusCode::CONFLICT), // empty cart
        ("POST", "/api/v1/orders".into(), Some(json!({"first_name": "A"})), StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/orders/0".into(), None, StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/orders/12".into(), None, StatusCode::NOT_FOUND),
    ];
    for (method, uri, body, want) in cases {
        let r = send(&env, json_request(method, &uri, None, body.clone())).await;
        assert_eq!(r.status, want, "{method} {uri} {body:?}: {}", r.body);
        assert!(r.json()["error"]["message"].is_string(), "{method} {uri}: error shape");
    }
    // Invalid shipping fields come back by field.
    let cookie =
        send(&env, json_request("PUT", &line, None, Some(json!({"quantity": 1})))).await.session_cookie();
    let bad = json!({"first_name": "", "last_name": "L", "email": "nope", "address": "a", "postal_code": "<>", "city": "c"});
    let r = send(&env, json_request("POST", "/api/v1/orders", cookie.as_deref(), Some(bad))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = r.json()["error"]["fields"].clone();
    for f in ["first_name", "email", "postal_code"] {
        assert!(fields[f].is_string(), "{f} in {fields}");
    }
}

async fn server_functions_and_pages_share_the_cart(backend: Backend) {
    let env = seeded(backend).await;
    let p = common::product_by_slug(env.db(), "ember-house-blend").await;
    // The product page's form posts to the server function (form encoding, as without JS).
    let r = call_server_fn(
        &env,
        "add_to_cart",
        "application/x-www-form-urlencoded",
        &format!("product_id={}&quantity=2", p.id),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cookie = r.session_cookie().expect("cookie");
    let r = send(&env, json_request("GET", "/api/v1/cart", Some(&cookie), None)).await;
    assert_eq!(r.json()["item_count"].as_i64(), Some(2));

    let mut req = json_request("GET", "/cart", Some(&cookie), None);
    req.headers_mut().insert("accept", "text/html".parse().unwrap());
    let page = send(&env, req).await;
    assert_eq!(page.status, StatusCode::OK);
    let quantity = format!("id=\"qty-{}\" name=\"quantity\" type=\"number\" min=\"1\"", p.id);
    assert!(page.body.contains(&p.name) && page.body.contains(&quantity), "cart page lists the line");
    assert!(page.body.contains("value=\"2\""), "with its quantity");

    let r = call_server_fn(
        &env,
        "add_to_cart",
        "application/x-www-form-urlencoded",
        &format!("product_id={}&quantity=99", p.id),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r =
        call_server_fn(&env, "add_to_cart", "application/x-www-form-urlencoded", "product_id=abc&quantity=1")
            .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = call_server_fn(
        &env,
        "place_order",
        "application/x-www-form-urlencoded",
        "first_name=&last_name=L&email=bad&address=A&postal_code=1&city=C&idempotency_key=k-00000001",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // The status page of someone else's order is a 404 page.
    let r = send(&env, json_request("POST", "/api/v1/orders", Some(&cookie), Some(ship()))).await;
    let id = r.json()["id"].as_i64().unwrap();
    let mut own = json_request("GET", &format!("/orders/{id}"), Some(&cookie), None);
    own.headers_mut().insert("accept", "text/html".parse().unwrap());
    let page = send(&env, own).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Created"));
    let mut theirs = json_request("GET", &format!("/orders/{id}"), None, None);
    theirs.headers_mut().insert("accept", "text/html".parse().unwrap());
    assert_eq!(send(&env, theirs).await.status, StatusCode::NOT_FOUND);
}

async fn server_functions_refuse_bad_input_with_4xx(backend: Backend) {
    let env = seeded(backend).await;
    let form = "application/x-www-form-urlencoded";
    for (name, body, want) in [
        ("update_cart_line", "product_id=1&quantity=abc", StatusCode::BAD_REQUEST),
        ("update_cart_line", "product_id=1&quantity=500", StatusCode::UNPROCESSABLE_ENTITY),
        ("update_cart_line", "product_id=999999&quantity=1", StatusCode::NOT_FOUND),
        ("update_cart_line", "", StatusCode::BAD_REQUEST),
        ("remove_cart_line", "product_id=x", StatusCode::BAD_REQUEST),
        ("apply_coupon", "code=", StatusCode::UNPROCESSABLE_ENTITY),
        ("apply_coupon", "code=%00%01", StatusCode::UNPROCESSABLE_ENTITY),
        ("get_order", "id=-5", StatusCode::NOT_FOUND),
        ("get_order", "id=1e99", StatusCode::BAD_REQUEST),
        ("cancel_order", "id=1", StatusCode::NOT_FOUND),
        ("place_order", "first_name=A", StatusCode::BAD_REQUEST),
        (
            "place_order",
            "first_name=A&last_name=B&email=a%40b.co&address=1&postal_code=1&city=C&idempotency_key=no",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let r = call_server_fn(&env, name, form, body).await;
        assert_eq!(r.status, want, "{name}({body}): {}", r.body);
    }
}

on_both_backends!(
    server_functions_refuse_bad_input_with_4xx,
    rest_cart_to_order_with_the_session_cookie,
    rest_bad_input_is_4xx,
    server_functions_and_pages_share_the_cart,
);
