//! The back office through the real router: the authorization matrix over every admin
//! page, REST route and server function; products, categories and coupons with their
//! rules; image upload; orders with filters, cancel and the CSV export; the invoice;
//! users and the last-admin rule; the job queue; the audit log. SQLite and PostgreSQL.

mod access;
mod catalog;
mod orders_and_jobs;
mod users;
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
