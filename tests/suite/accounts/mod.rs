//! Accounts over HTTP through the real router: registration, login and logout, session
//! fixation, cookie flags, rate limits, cross-site refusal, password reset through a real
//! SMTP server, profile, roles and the admin guard. SQLite and PostgreSQL.

mod recovery;
mod sessions;
mod two_factor;
use crate::common;

use crate::common::{call_server_fn, json_request, send, start_smtp_sink, wait_for, Backend, Reply, TestEnv};
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use fullstack_ws::entities::user;
use fullstack_ws::services::{accounts, seed};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";

async fn post(env: &TestEnv, path: &str, cookie: Option<&str>, body: Value) -> Reply {
    send(env, json_request("POST", path, cookie, Some(body))).await
}

async fn me(env: &TestEnv, cookie: &str) -> StatusCode {
    send(env, json_request("GET", "/api/v1/me", Some(cookie), None)).await.status
}

/// Registers and returns the logged-in session cookie.
async fn register(env: &TestEnv, email: &str) -> String {
    let r = post(
        env,
        "/api/v1/auth/register",
        None,
        json!({"email": email, "password": PASSWORD, "name": "Ada"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.session_cookie().expect("logged in")
}

async fn log_in(env: &TestEnv, email: &str, password: &str, cookie: Option<&str>) -> Reply {
    post(env, "/api/v1/auth/login", cookie, json!({"email": email, "password": password})).await
}
