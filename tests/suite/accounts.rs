//! Accounts over HTTP through the real router: registration, login and logout, session
//! fixation, cookie flags, rate limits, cross-site refusal, password reset through a real
//! SMTP server, profile, roles and the admin guard. SQLite and PostgreSQL.
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

async fn register_login_logout(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let first = post(
        &env,
        "/api/v1/auth/register",
        None,
        json!({"email": " Ada@Example.COM ", "password": PASSWORD, "name": " Ada "}),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let cookie = first.session_cookie().expect("a new account is logged in");
    let r = send(&env, json_request("GET", "/api/v1/me", Some(&cookie), None)).await;
    assert_eq!(
        (r.json()["email"].as_str(), r.json()["name"].as_str(), r.json()["role"].as_str()),
        (Some("ada@example.com"), Some("Ada"), Some("customer"))
    );

    // The same address again: the same status and words, and nobody is logged in.
    let again = post(
        &env,
        "/api/v1/auth/register",
        None,
        json!({"email": "ada@example.com", "password": "another long one", "name": "Eve"}),
    )
    .await;
    assert_eq!((again.status, again.body.as_str()), (first.status, first.body.as_str()));
    if let Some(c) = again.session_cookie() {
        assert_eq!(me(&env, &c).await, StatusCode::UNAUTHORIZED);
    }

    // Logout destroys the session on the server: the old cookie is worthless.
    let out = post(&env, "/api/v1/auth/logout", Some(&cookie), json!({})).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(me(&env, &cookie).await, StatusCode::UNAUTHORIZED);

    // Wrong password and unknown address get the very same answer.
    let wrong = log_in(&env, "ada@example.com", "not the password", None).await;
    let unknown = log_in(&env, "nobody@example.com", "not the password", None).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!((wrong.status, wrong.body.as_str()), (unknown.status, unknown.body.as_str()));
    let ok = log_in(&env, "ADA@example.com", PASSWORD, None).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(me(&env, &ok.session_cookie().unwrap()).await, StatusCode::OK);
}

async fn login_renews_the_session_and_keeps_the_cart(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    let account = register(&env, "ada@example.com").await;
    post(&env, "/api/v1/auth/logout", Some(&account), json!({})).await;

    // A guest fills a cart, places an order, then logs in from the same browser.
    let p = common::product_by_slug(env.db(), "ember-house-blend").await;
    let line = format!("/api/v1/cart/lines/{}", p.id);
    let guest = send(&env, json_request("PUT", &line, None, Some(json!({"quantity": 1}))))
        .await
        .session_cookie()
        .unwrap();
    let ship = json!({"first_name": "A", "last_name": "L", "email": "ada@example.com", "address": "1 Road", "postal_code": "1", "city": "C"});
    let order = post(&env, "/api/v1/orders", Some(&guest), ship).await.json()["id"].as_i64().unwrap();
    send(&env, json_request("PUT", &line, Some(&guest), Some(json!({"quantity": 2})))).await;

    let login = log_in(&env, "ada@example.com", PASSWORD, Some(&guest)).await;
    assert_eq!(login.status, StatusCode::OK);
    let renewed = login.session_cookie().expect("a new session id at login");
    assert_ne!(renewed, guest, "session fixation: the id changes at login");
    assert_eq!(me(&env, &guest).await, StatusCode::UNAUTHORIZED, "the pre-login id is gone");
    let cart = send(&env, json_request("GET", "/api/v1/cart", Some(&renewed), None)).await.json();
    assert_eq!(cart["item_count"].as_i64(), Some(2), "the guest cart came along");
    let r = send(&env, json_request("GET", &format!("/api/v1/orders/{order}"), Some(&renewed), None)).await;
    assert_eq!(r.status, StatusCode::OK, "the guest's order now belongs to the account");
}

async fn weak_passwords_and_bad_fields_are_refused(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    for (body, field) in [
        (json!({"email": "a@b.co", "password": "short", "name": "A"}), "password"),
        (json!({"email": "long@example.com", "password": "long@example.com", "name": "A"}), "password"),
        (json!({"email": "a@b.co", "password": "password1", "name": "A"}), "password"),
        (json!({"email": "a@b.co", "password": "iloveyou", "name": "A"}), "password"),
        (json!({"email": "a@b.co", "password": "x".repeat(129), "name": "A"}), "password"),
        (json!({"email": "not an email", "password": PASSWORD, "name": "A"}), "email"),
        (json!({"email": "a@b.co", "password": PASSWORD, "name": "  "}), "name"),
        (json!({"email": "a@b.co", "password": PASSWORD, "name": "n".repeat(101)}), "name"),
    ] {
        let r = post(&env, "/api/v1/auth/register", None, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
        assert!(r.json()["error"]["fields"][field].is_string(), "{body}: {}", r.body);
    }
    let r = post(&env, "/api/v1/auth/register", None, json!({"email": "a@b.co"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The browser form also checks the confirmation.
    let r = call_server_fn(
        &env,
        "register",
        "application/x-www-form-urlencoded",
        "name=A&email=a%40b.co&password=correct+horse+battery&confirm=other",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

async fn cookie_flags_follow_the_site_url(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let r = post(
        &env,
        "/api/v1/auth/register",
        None,
        json!({"email": "a@b.co", "password": PASSWORD, "name": "A"}),
    )
    .await;
    let set = r.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(
        set.starts_with("fws_session=") && set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain http: {set}");
    // Without "Keep me logged in" the cookie ends with the browser session; with it, it persists.
    let plain = log_in(&env, "a@b.co", PASSWORD, None).await;
    let plain = plain.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(!plain.contains("Max-Age") && !plain.contains("Expires"), "{plain}");
    let kept = post(
        &env,
        "/api/v1/auth/login",
        None,
        json!({"email": "a@b.co", "password": PASSWORD, "remember": true}),
    )
    .await;
    let kept = kept.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(kept.contains("Max-Age") || kept.contains("Expires"), "{kept}");

    let https = TestEnv::new(backend, &[("SITE_URL", "https://shop.example")]).await;
    let r = post(
        &https,
        "/api/v1/auth/register",
        None,
        json!({"email": "a@b.co", "password": PASSWORD, "name": "A"}),
    )
    .await;
    let set = r.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(
        set.starts_with("__Host-fws_session=") && set.contains("Secure") && set.contains("Path=/"),
        "{set}"
    );
    assert!(!set.contains("Domain"), "{set}");
}

fn from_ip(
    mut req: axum::http::Request<axum::body::Body>,
    ip: [u8; 4],
) -> axum::http::Request<axum::body::Body> {
    req.extensions_mut().insert(ConnectInfo(std::net::SocketAddr::from((ip, 40000))));
    req
}

async fn brute_force_is_limited_per_account_and_per_address(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    register(&env, "ada@example.com").await;
    let attempt = |email: &str, ip: [u8; 4]| {
        from_ip(
            json_request(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(json!({"email": email, "password": "wrong guess"})),
            ),
            ip,
        )
    };
    // One account from many addresses: 10 attempts, then 429 even with the right password.
    for n in 0..10u8 {
        assert_eq!(
            send(&env, attempt("ada@example.com", [10, 0, 0, n])).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = send(&env, attempt("ada@example.com", [10, 0, 1, 1])).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert_eq!(limited.json()["error"]["code"], "rate_limited");
    let right = from_ip(
        json_request(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "ada@example.com", "password": PASSWORD})),
        ),
        [10, 0, 2, 2],
    );
    assert_eq!(send(&env, right).await.status, StatusCode::TOO_MANY_REQUESTS);

    // One address trying many accounts: 30 attempts, then 429.
    for n in 0..30 {
        let r = send(&env, attempt(&format!("user{n}@example.com"), [192, 168, 0, 9])).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        send(&env, attempt("user99@example.com", [192, 168, 0, 9])).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        send(&env, attempt("user99@example.com", [192, 168, 0, 10])).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Reset requests too: 3 an hour per account.
    let reset_request = || {
        let body = json!({"email": "ada@example.com"});
        from_ip(json_request("POST", "/api/v1/auth/password-reset", None, Some(body)), [172, 16, 0, 1])
    };
    for _ in 0..3 {
        assert_eq!(send(&env, reset_request()).await.status, StatusCode::OK);
    }
    let r = send(&env, reset_request()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn oversized_input_is_refused_not_a_server_error(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let huge_email = format!("{}@example.com", "a".repeat(1000));
    let login = log_in(&env, &huge_email, PASSWORD, None).await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED, "{}", login.body);
    let reset = post(&env, "/api/v1/auth/password-reset", None, json!({"email": huge_email})).await;
    assert_eq!(reset.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reset.body);
    let register = post(
        &env,
        "/api/v1/auth/register",
        None,
        json!({"email": huge_email, "password": PASSWORD, "name": "A"}),
    )
    .await;
    assert_eq!(register.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", register.body);
    let cookie = self::register(&env, "ada@example.com").await;
    let patch = json!({"name": "n".repeat(5000), "address": {"first_name": "", "last_name": "", "address": "x".repeat(5000), "postal_code": "", "city": ""}});
    let r = send(&env, json_request("PATCH", "/api/v1/me", Some(&cookie), Some(patch))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

async fn behind_a_trusted_proxy_limits_apply_per_client(backend: Backend) {
    let env = TestEnv::new(backend, &[("TRUSTED_PROXIES", "10.9.9.9")]).await;
    let attempt = |n: usize, client: &str| {
        let body = json!({"email": format!("user{n}@example.com"), "password": "wrong guess"});
        let mut req = from_ip(json_request("POST", "/api/v1/auth/login", None, Some(body)), [10, 9, 9, 9]);
        req.headers_mut().insert("x-forwarded-for", client.parse().unwrap());
        req
    };
    for n in 0..30 {
        assert_eq!(send(&env, attempt(n, "198.51.100.7")).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(send(&env, attempt(99, "198.51.100.7")).await.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not affected, however it forges the header.
    assert_eq!(send(&env, attempt(99, "198.51.100.8")).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&env, attempt(98, "198.51.100.7, 198.51.100.9")).await.status, StatusCode::UNAUTHORIZED);
}

async fn cross_site_requests_are_refused(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let cookie = register(&env, "ada@example.com").await;
    for (name, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
        let mut req = json_request("POST", "/api/v1/auth/logout", Some(&cookie), Some(json!({})));
        req.headers_mut().insert(name, value.parse().unwrap());
        let r = send(&env, req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}: {value}");
        let mut req = json_request("PATCH", "/api/v1/me", Some(&cookie), Some(json!({"name": "Mallory"})));
        req.headers_mut().insert(name, value.parse().unwrap());
        assert_eq!(send(&env, req).await.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(me(&env, &cookie).await, StatusCode::OK, "still logged in");
    // Same-origin requests and cross-site reads are fine.
    let mut req = json_request("PATCH", "/api/v1/me", Some(&cookie), Some(json!({"name": "Ada L."})));
    req.headers_mut().insert("sec-fetch-site", "same-origin".parse().unwrap());
    assert_eq!(send(&env, req).await.status, StatusCode::OK);
    let mut req = json_request("GET", "/api/v1/me", Some(&cookie), None);
    req.headers_mut().insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&env, req).await.status, StatusCode::OK);
}

/// The reset link in the newest message to `to` that the SMTP sink received.
fn reset_token(received: &std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>, to: &str) -> Option<String> {
    let messages = received.lock().unwrap();
    messages.iter().rev().find_map(|raw| {
        let msg = mail_parser::MessageParser::default().parse(raw)?;
        let addressed = msg.to()?.first()?.address()? == to;
        let text = msg.body_text(0)?;
        let start = text.find("/password-reset/")? + "/password-reset/".len();
        addressed.then(|| text[start..start + 64].to_string())
    })
}

async fn password_reset_by_mailed_link(backend: Backend) {
    let (port, received) = start_smtp_sink();
    let url = format!("smtp://127.0.0.1:{port}");
    let env = TestEnv::new(backend, &[("SMTP_URL", &url)]).await;
    let workers = fullstack_ws::jobs::Workers::start(env.state.jobs.clone(), 1);
    let old_session = register(&env, "ada@example.com").await;

    let known = post(&env, "/api/v1/auth/password-reset", None, json!({"email": "ada@example.com"})).await;
    let unknown =
        post(&env, "/api/v1/auth/password-reset", None, json!({"email": "nobody@example.com"})).await;
    assert_eq!((known.status, known.body.as_str()), (unknown.status, unknown.body.as_str()));
    let token =
        wait_for(20, "reset mail over SMTP", || async { reset_token(&received, "ada@example.com") }).await;
    assert!(reset_token(&received, "nobody@example.com").is_none());

    let confirm = |token: String, password: &'static str| {
        json_request(
            "POST",
            "/api/v1/auth/password-reset/confirm",
            None,
            Some(json!({"token": token, "new_password": password})),
        )
    };
    let weak = send(&env, confirm(token.clone(), "password")).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY, "rules apply; the token is not spent");
    assert_eq!(send(&env, confirm(token.clone(), "a brand new secret")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        send(&env, confirm(token.clone(), "yet another secret")).await.status,
        StatusCode::BAD_REQUEST,
        "single use"
    );
    assert_eq!(
        send(&env, confirm("f".repeat(64), "yet another secret")).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(me(&env, &old_session).await, StatusCode::UNAUTHORIZED, "other sessions ended");
    assert_eq!(log_in(&env, "ada@example.com", PASSWORD, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(log_in(&env, "ada@example.com", "a brand new secret", None).await.status, StatusCode::OK);

    // An expired link does not work.
    post(&env, "/api/v1/auth/password-reset", None, json!({"email": "ada@example.com"})).await;
    let fresh = wait_for(20, "second reset mail", || async {
        reset_token(&received, "ada@example.com").filter(|t| *t != token)
    })
    .await;
    fullstack_ws::entities::password_reset::Entity::update_many()
        .col_expr(
            fullstack_ws::entities::password_reset::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .exec(env.db())
        .await
        .unwrap();
    assert_eq!(send(&env, confirm(fresh, "a third new secret")).await.status, StatusCode::BAD_REQUEST);
    workers.shutdown(std::time::Duration::from_secs(5)).await;
}

async fn profile_password_and_email_changes(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let here = register(&env, "ada@example.com").await;
    let elsewhere = log_in(&env, "ada@example.com", PASSWORD, None).await.session_cookie().unwrap();

    let address = json!({"first_name": "Ada", "last_name": "Lovelace", "address": "1 Square", "postal_code": "sw1", "city": "London"});
    let r = send(
        &env,
        json_request("PATCH", "/api/v1/me", Some(&here), Some(json!({"name": "Ada L.", "address": address}))),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["name"].as_str(), r.json()["address"]["postal_code"].as_str()),
        (Some("Ada L."), Some("SW1"))
    );

    let wrong = post(
        &env,
        "/api/v1/me/password",
        Some(&here),
        json!({"current_password": "nope", "new_password": "a brand new secret"}),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.json()["error"]["fields"]["current_password"].is_string());
    let ok = post(
        &env,
        "/api/v1/me/password",
        Some(&here),
        json!({"current_password": PASSWORD, "new_password": "a brand new secret"}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.body);
    assert_eq!(me(&env, &here).await, StatusCode::OK, "this session stays");
    assert_eq!(me(&env, &elsewhere).await, StatusCode::UNAUTHORIZED, "the other one ends");

    let email = |password: &str| json!({"email": "ada@lovelace.example", "current_password": password});
    let r = send(&env, json_request("PATCH", "/api/v1/me", Some(&here), Some(email("wrong")))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r =
        send(&env, json_request("PATCH", "/api/v1/me", Some(&here), Some(email("a brand new secret")))).await;
    assert_eq!(r.json()["email"].as_str(), Some("ada@lovelace.example"));
    assert_eq!(
        send(&env, json_request("GET", "/api/v1/me", None, None)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn disabled_accounts_cannot_log_in(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let session = register(&env, "ada@example.com").await;
    user::Entity::update_many()
        .col_expr(user::Column::Disabled, Expr::value(true))
        .filter(user::Column::Email.eq("ada@example.com"))
        .exec(env.db())
        .await
        .unwrap();
    assert_eq!(me(&env, &session).await, StatusCode::UNAUTHORIZED, "its sessions end");
    assert_eq!(
        log_in(&env, "ada@example.com", "wrong password", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(log_in(&env, "ada@example.com", PASSWORD, None).await.status, StatusCode::FORBIDDEN);
}

async fn the_admin_guard(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let customer = register(&env, "cust@example.com").await;
    accounts::create_admin(env.db(), "boss@example.com", Some("boss password 2026")).await.unwrap();
    let admin = log_in(&env, "boss@example.com", "boss password 2026", None).await.session_cookie().unwrap();

    let users = |cookie: Option<&str>| json_request("GET", "/api/v1/admin/users", cookie, None);
    assert_eq!(send(&env, users(None)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&env, users(Some(&customer))).await.status, StatusCode::FORBIDDEN);
    let r = send(&env, users(Some(&admin))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 2);
    assert!(!r.body.contains("argon2"), "no password hashes leave the server");

    let page = |cookie: Option<&str>| {
        let mut req = json_request("GET", "/admin", cookie, None);
        req.headers_mut().insert("accept", "text/html".parse().unwrap());
        req
    };
    let anonymous = send(&env, page(None)).await;
    assert_eq!(anonymous.status, StatusCode::FOUND);
    assert_eq!(anonymous.location.as_deref(), Some("/login?next=/admin"));
    assert_eq!(send(&env, page(Some(&customer))).await.status, StatusCode::FORBIDDEN);
    let ok = send(&env, page(Some(&admin))).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body.contains("Back office"));

    // The server function behind the page applies the same guard.
    let mut req = json_request("POST", &server_fn_path("admin_dashboard"), Some(&customer), None);
    req.headers_mut().insert("content-type", "application/x-www-form-urlencoded".parse().unwrap());
    assert_eq!(send(&env, req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        call_server_fn(&env, "admin_dashboard", "application/x-www-form-urlencoded", "").await.status,
        StatusCode::UNAUTHORIZED
    );

    // Promoting the customer (as `create-admin` does) takes effect at their next request.
    let promoted = accounts::create_admin(env.db(), "cust@example.com", None).await.unwrap();
    assert_eq!(promoted, accounts::AdminOutcome::Promoted);
    assert_eq!(send(&env, users(Some(&customer))).await.status, StatusCode::OK);
}

fn server_fn_path(name: &str) -> String {
    let prefix = format!("/api/{name}");
    leptos::server_fn::axum::server_fn_paths().find(|(p, _)| p.starts_with(&prefix)).unwrap().0.to_string()
}

async fn outdated_hashes_are_upgraded_at_login(backend: Backend) {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let env = TestEnv::new(backend, &[]).await;
    register(&env, "ada@example.com").await;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8192, 1, 1, None).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut rand::rngs::OsRng))
    .unwrap()
    .to_string();
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(weak))
        .exec(env.db())
        .await
        .unwrap();
    assert_eq!(log_in(&env, "ada@example.com", PASSWORD, None).await.status, StatusCode::OK);
    let stored = user::Entity::find().one(env.db()).await.unwrap().unwrap().password_hash;
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
}

async fn login_returns_to_a_local_next_only(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    register(&env, "ada@example.com").await;
    for (next, expected) in
        [("%2Fcart", "/cart"), ("%2F%2Fevil.example", "/"), ("https%3A%2F%2Fevil.example", "/")]
    {
        let body = format!("email=ada%40example.com&password=correct+horse+battery&next={next}");
        let mut req = json_request("POST", &server_fn_path("log_in"), None, None);
        *req.body_mut() = axum::body::Body::from(body);
        req.headers_mut().insert("content-type", "application/x-www-form-urlencoded".parse().unwrap());
        // A browser without JavaScript posts the form and follows the redirect.
        req.headers_mut().insert("accept", "text/html".parse().unwrap());
        let r = send(&env, req).await;
        assert_eq!(r.location.as_deref(), Some(expected), "next={next}: {} {}", r.status, r.body);
    }
}

async fn housekeeping_deletes_what_expired(backend: Backend) {
    use fullstack_ws::entities::session;
    use fullstack_ws::services::rate_limit::{self, Limit};
    use sea_orm::{ActiveModelTrait, ConnectionTrait, PaginatorTrait, Set};
    let env = TestEnv::new(backend, &[]).await;
    let db = env.db();
    let live = register(&env, "ada@example.com").await;
    session::ActiveModel {
        id: Set("long-gone".into()),
        data: Set("{}".into()),
        expires_at: Set(chrono::Utc::now() - chrono::Duration::hours(1)),
    }
    .insert(db)
    .await
    .unwrap();
    let limit = Limit { max: 5, window: std::time::Duration::from_secs(60) };
    rate_limit::hit(db, "old", limit, chrono::Utc::now() - chrono::Duration::days(2)).await.unwrap();
    rate_limit::hit(db, "fresh", limit, chrono::Utc::now()).await.unwrap();

    fullstack_ws::jobs::housekeeping(&env.state.jobs).await;

    assert_eq!(session::Entity::find().count(db).await.unwrap(), 1);
    assert_eq!(me(&env, &live).await, StatusCode::OK);
    let keys = db
        .query_all(sea_orm::Statement::from_string(db.get_database_backend(), "SELECT key FROM rate_limits"))
        .await
        .unwrap();
    let keys: Vec<String> = keys.iter().map(|r| r.try_get("", "key").unwrap()).collect();
    assert!(keys.contains(&"fresh".to_string()) && !keys.contains(&"old".to_string()), "{keys:?}");
}

on_both_backends!(
    oversized_input_is_refused_not_a_server_error,
    behind_a_trusted_proxy_limits_apply_per_client,
    housekeeping_deletes_what_expired,
    register_login_logout,
    login_renews_the_session_and_keeps_the_cart,
    weak_passwords_and_bad_fields_are_refused,
    cookie_flags_follow_the_site_url,
    brute_force_is_limited_per_account_and_per_address,
    cross_site_requests_are_refused,
    password_reset_by_mailed_link,
    profile_password_and_email_changes,
    disabled_accounts_cannot_log_in,
    the_admin_guard,
    outdated_hashes_are_upgraded_at_login,
    login_returns_to_a_local_next_only,
);

/// Every server function is called with POST: none changes state through a GET.
#[test]
fn no_server_function_uses_get() {
    let paths: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(paths.len() >= 20, "server functions are registered: {}", paths.len());
    for (path, method) in paths {
        assert_eq!(method, axum::http::Method::POST, "{path}");
    }
}
