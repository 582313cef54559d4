//! Registering, logging in and out, session cookies, limits and CSRF.

use super::*;

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

async fn correct_logins_never_count_as_failures(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    register(&env, "ada@example.com").await;
    let login = |password: &str, n: u8| {
        let body = json!({"email": "ada@example.com", "password": password});
        from_ip(json_request("POST", "/api/v1/auth/login", None, Some(body)), [10, 9, 0, n])
    };
    // More correct logins than the account's failure allowance (10), from many addresses.
    for n in 0..15u8 {
        assert_eq!(send(&env, login(PASSWORD, n)).await.status, StatusCode::OK, "correct login {n}");
    }
    // Failures still lock the account: 10 wrong, then even the right password waits.
    for n in 20..30u8 {
        assert_eq!(send(&env, login("wrong guess", n)).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(send(&env, login(PASSWORD, 40)).await.status, StatusCode::TOO_MANY_REQUESTS);
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

/// A second login on a session that is already logged in (say, someone else at a shared
/// computer) still gets a new session id.
async fn every_login_gets_a_new_session_id(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let first = register(&env, "ada@example.com").await;
    register(&env, "bob@example.com").await;
    let again = log_in(&env, "bob@example.com", PASSWORD, Some(&first)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let second = again.session_cookie().expect("a new id on the second login");
    assert_ne!(second, first);
    assert_eq!(me(&env, &first).await, StatusCode::UNAUTHORIZED, "the old id is gone");
    let r = send(&env, json_request("GET", "/api/v1/me", Some(&second), None)).await;
    assert_eq!(r.json()["email"], "bob@example.com");
    // Session rows hold a keyed fingerprint of the password hash, never the hash itself.
    use fullstack_ws::entities::session;
    let rows = session::Entity::find().all(env.db()).await.unwrap();
    assert!(!rows.is_empty());
    let hash = user::Entity::find().one(env.db()).await.unwrap().unwrap().password_hash;
    let mut logged_in = 0;
    for row in rows {
        let key = r#""auth_hash":["#;
        let Some(start) = row.data.find(key).map(|i| i + key.len() - 1) else { continue };
        let end = start + row.data[start..].find(']').unwrap() + 1;
        let stored: Vec<u8> = serde_json::from_str(&row.data[start..end]).unwrap();
        assert_eq!(stored.len(), 32, "an HMAC-SHA256");
        assert_ne!(stored, hash.as_bytes());
        logged_in += 1;
    }
    assert!(logged_in > 0);
}

/// Moves every logged-in session's stamp back in time: its last visit by `idle` seconds,
/// its login by `age` seconds, as if that much time had passed.
async fn age_sessions(env: &TestEnv, idle: i64, age: i64) {
    use fullstack_ws::entities::session;
    use sea_orm::{ActiveModelTrait, Set};
    for row in session::Entity::find().all(env.db()).await.unwrap() {
        // Edited in place: the record's id is an i128, which a round trip through
        // `serde_json::Value` would turn into a float.
        let key = r#""fws.stamp":{"#;
        let Some(start) = row.data.find(key).map(|i| i + key.len() - 1) else { continue };
        let end = start + row.data[start..].find('}').unwrap() + 1;
        let mut stamp: Value = serde_json::from_str(&row.data[start..end]).unwrap();
        let now = chrono::Utc::now().timestamp();
        stamp["seen_at"] = json!(now - idle);
        stamp["logged_in_at"] = json!(now - age);
        let data = format!("{}{stamp}{}", &row.data[..start], &row.data[end..]);
        let mut active: session::ActiveModel = row.into();
        active.data = Set(data);
        active.update(env.db()).await.unwrap();
    }
}

async fn sessions_end_after_idle_and_absolute_lifetimes(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let login = |email: &'static str, remember: bool| {
        let env = &env;
        async move {
            let body = json!({"email": email, "password": PASSWORD, "remember": remember});
            let r = post(env, "/api/v1/auth/login", None, body).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.session_cookie().unwrap()
        }
    };
    register(&env, "ada@example.com").await;
    // Not remembered: two hours idle (SESSION_IDLE_MINUTES).
    let brief = login("ada@example.com", false).await;
    age_sessions(&env, 100 * 60, 100 * 60).await;
    assert_eq!(me(&env, &brief).await, StatusCode::OK, "100 minutes idle is within 2 hours");
    age_sessions(&env, 121 * 60, 221 * 60).await;
    assert_eq!(me(&env, &brief).await, StatusCode::UNAUTHORIZED, "121 minutes idle");
    // The session was ended on the server, not just refused once.
    assert_eq!(me(&env, &brief).await, StatusCode::UNAUTHORIZED);

    // Remembered: SESSION_DAYS idle, but never past SESSION_MAX_DAYS after login.
    let kept = login("ada@example.com", true).await;
    age_sessions(&env, 5 * 86400, 5 * 86400).await;
    assert_eq!(me(&env, &kept).await, StatusCode::OK);
    age_sessions(&env, 60, 31 * 86400).await;
    assert_eq!(me(&env, &kept).await, StatusCode::UNAUTHORIZED, "past the absolute lifetime");

    // Staff: 30 minutes idle, remembered or not; 12 hours in all.
    accounts::create_admin(env.db(), "boss@example.com", Some("boss password 2026")).await.unwrap();
    let staff = |remember: bool| {
        let env = &env;
        async move {
            let body =
                json!({"email": "boss@example.com", "password": "boss password 2026", "remember": remember});
            post(env, "/api/v1/auth/login", None, body).await.session_cookie().unwrap()
        }
    };
    let admin = staff(true).await;
    age_sessions(&env, 20 * 60, 20 * 60).await;
    assert_eq!(me(&env, &admin).await, StatusCode::OK);
    age_sessions(&env, 31 * 60, 60 * 60).await;
    assert_eq!(me(&env, &admin).await, StatusCode::UNAUTHORIZED, "staff idle limit");
    let admin = staff(false).await;
    age_sessions(&env, 60, 13 * 3600).await;
    assert_eq!(me(&env, &admin).await, StatusCode::UNAUTHORIZED, "staff absolute limit");
}

on_both_backends!(
    every_login_gets_a_new_session_id,
    sessions_end_after_idle_and_absolute_lifetimes,
    register_login_logout,
    login_renews_the_session_and_keeps_the_cart,
    weak_passwords_and_bad_fields_are_refused,
    cookie_flags_follow_the_site_url,
    brute_force_is_limited_per_account_and_per_address,
    correct_logins_never_count_as_failures,
    oversized_input_is_refused_not_a_server_error,
    behind_a_trusted_proxy_limits_apply_per_client,
    cross_site_requests_are_refused,
);
