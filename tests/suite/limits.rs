//! Anti-automation: every limited action answers 429 with `Retry-After` once its
//! allowance is used up, per shopper/account and per client address. SQLite and PostgreSQL.

use crate::common::{json_request, send, send_from, Backend, Reply, TestEnv};
use axum::http::StatusCode;
use fullstack_ws::flows::limits;
use fullstack_ws::models::AppError;
use serde_json::{json, Value};

/// A 429 in the contract's shape, with a sensible `Retry-After`.
fn assert_limited(r: &Reply, window_secs: u64) {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=window_secs).contains(&retry), "Retry-After {retry}");
    assert_eq!(r.json()["error"]["code"], "rate_limited");
}

/// A guest session (its cookie), made by looking at an empty cart line.
async fn guest(env: &TestEnv) -> String {
    let r = send(env, json_request("POST", "/api/v1/cart/coupon", None, Some(json!({"code": "NOPE"})))).await;
    r.session_cookie().expect("a guest session")
}

fn shopper_request(
    cookie: &str,
    method: &str,
    path: &str,
    body: Value,
) -> axum::http::Request<axum::body::Body> {
    json_request(method, path, Some(cookie), Some(body))
}

async fn coupon_guessing_is_limited(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let cookie = guest(&env).await; // attempt 1
    let max = limits::COUPON_PER_SHOPPER.max;
    for n in 2..=max {
        let r = send(
            &env,
            shopper_request(&cookie, "POST", "/api/v1/cart/coupon", json!({"code": format!("GUESS{n}")})),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "guess {n}: {}", r.body);
    }
    let r =
        send(&env, shopper_request(&cookie, "POST", "/api/v1/cart/coupon", json!({"code": "GUESS99"}))).await;
    assert_limited(&r, 15 * 60);
    // A new session from the same address still has the address's allowance left…
    let fresh = guest(&env).await;
    assert_ne!(fresh, cookie);
    // …until the address's own limit is reached, whatever session it uses.
    for _ in 0..limits::COUPON_PER_IP.max {
        send(&env, json_request("POST", "/api/v1/cart/coupon", None, Some(json!({"code": "X"})))).await;
    }
    let r = send(&env, json_request("POST", "/api/v1/cart/coupon", None, Some(json!({"code": "X"})))).await;
    assert_limited(&r, 15 * 60);
    // Another client is not affected.
    let elsewhere = send_from(
        &env,
        "198.51.100.4".parse().unwrap(),
        json_request("POST", "/api/v1/cart/coupon", None, Some(json!({"code": "X"}))),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn order_placement_is_limited(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let cookie = guest(&env).await;
    let ship = json!({"first_name": "A", "last_name": "L", "email": "victim@example.com", "address": "1 Road", "postal_code": "1", "city": "C"});
    for n in 0..limits::ORDER_PER_SHOPPER.max {
        let r = send(&env, shopper_request(&cookie, "POST", "/api/v1/orders", ship.clone())).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "attempt {n} (empty cart): {}", r.body);
    }
    let r = send(&env, shopper_request(&cookie, "POST", "/api/v1/orders", ship)).await;
    assert_limited(&r, 3600);
}

async fn credential_changes_are_limited(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let reg = send(
        &env,
        json_request(
            "POST",
            "/api/v1/auth/register",
            None,
            Some(json!({"email": "ada@example.com", "password": "correct horse battery", "name": "Ada"})),
        ),
    )
    .await;
    let cookie = reg.session_cookie().unwrap();
    let max = limits::CREDENTIAL_CHANGE_PER_ACCOUNT.max;
    for n in 0..max - 1 {
        let body = json!({"current_password": format!("guess {n}"), "new_password": "a new long passphrase"});
        let r = send(&env, shopper_request(&cookie, "POST", "/api/v1/me/password", body)).await;
        assert!(r.status.is_client_error() && r.status != StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    }
    // Email changes draw on the same allowance (both check the current password).
    let body = json!({"email": "eve@example.com", "current_password": "guess"});
    let r = send(&env, shopper_request(&cookie, "PATCH", "/api/v1/me", body.clone())).await;
    assert!(r.status.is_client_error() && r.status != StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_limited(&send(&env, shopper_request(&cookie, "PATCH", "/api/v1/me", body)).await, 15 * 60);
    let right = json!({"current_password": "correct horse battery", "new_password": "a new long passphrase"});
    let r = send(&env, shopper_request(&cookie, "POST", "/api/v1/me/password", right)).await;
    assert_limited(&r, 15 * 60);
}

async fn payment_confirmation_is_limited(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    for _ in 0..limits::CONFIRM_PER_SESSION.max {
        // Nothing answers at the configured Stripe address: each try is "unavailable".
        let e = fullstack_ws::flows::payments::confirm(&env.state, "cs_test_guess", None).await.unwrap_err();
        assert!(!matches!(e, AppError::RateLimited { .. }), "{e:?}");
    }
    let e = fullstack_ws::flows::payments::confirm(&env.state, "cs_test_guess", None).await.unwrap_err();
    assert!(matches!(e, AppError::RateLimited { retry_after: 1..=600 }), "{e:?}");
}

on_both_backends!(
    coupon_guessing_is_limited,
    order_placement_is_limited,
    credential_changes_are_limited,
    payment_confirmation_is_limited,
);
