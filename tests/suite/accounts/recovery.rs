//! Password reset, profile changes, disabled accounts, the admin guard, hash upgrades and housekeeping.

use super::*;
use crate::common::Mailbox;

/// The token of the `{path}{token}` link in the newest message to `to` that has one.
fn link_token(received: &Mailbox, to: &str, path: &str) -> Option<String> {
    let messages = received.lock().unwrap();
    messages.iter().rev().find_map(|raw| {
        let msg = mail_parser::MessageParser::default().parse(raw)?;
        let addressed = msg.to()?.first()?.address()? == to;
        let text = msg.body_text(0)?;
        let start = text.find(path)? + path.len();
        addressed.then(|| text[start..start + 64].to_string())
    })
}

/// The reset link in the newest message to `to` that the SMTP sink received.
fn reset_token(received: &Mailbox, to: &str) -> Option<String> {
    link_token(received, to, "/password-reset/")
}

/// The text of the newest message to `to` with this subject.
fn mail_text(received: &Mailbox, to: &str, subject: &str) -> Option<String> {
    let messages = received.lock().unwrap();
    messages.iter().rev().find_map(|raw| {
        let msg = mail_parser::MessageParser::default().parse(raw)?;
        let matches = msg.to()?.first()?.address()? == to && msg.subject()? == subject;
        matches.then(|| msg.body_text(0).map(|t| t.into_owned())).flatten()
    })
}

/// Every change of a credential is mailed (over real SMTP) to whoever could lose the
/// account: a password change to the account, a new address is confirmed from that
/// address before it counts, and the old address is told and can undo it.
async fn security_mails_and_email_verification(backend: Backend) {
    let (port, received) = start_smtp_sink();
    let url = format!("smtp://127.0.0.1:{port}");
    let env = TestEnv::new(backend, &[("SMTP_URL", &url)]).await;
    let workers = fullstack_ws::jobs::Workers::start(env.state.jobs.clone(), 1);
    let here = register(&env, "ada@example.com").await;

    let changed = post(
        &env,
        "/api/v1/me/password",
        Some(&here),
        json!({"current_password": PASSWORD, "new_password": "a brand new secret"}),
    )
    .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    let text = wait_for(20, "the password-changed mail", || async {
        mail_text(&received, "ada@example.com", "Your password was changed")
    })
    .await;
    let today = fullstack_ws::models::lang::Locale::en.date(&chrono::Utc::now().to_rfc3339());
    assert!(text.contains(&today) && text.contains("UTC"), "says when: {text}");
    assert!(text.contains(&format!("{}/password-reset", env.site_url())), "a way to act: {text}");

    // A new address counts only once it confirms.
    let body = json!({"email": "Ada@New.example", "current_password": "a brand new secret"});
    let r = send(&env, json_request("PATCH", "/api/v1/me", Some(&here), Some(body))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["email"], "ada@example.com", "unchanged until confirmed");
    let confirm = wait_for(20, "the confirmation mail to the new address", || async {
        link_token(&received, "ada@new.example", "/account/email/confirm/")
    })
    .await;
    assert_eq!(
        log_in(&env, "ada@new.example", "a brand new secret", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let follow = |path: &str, token: &str| json_request("POST", path, None, Some(json!({"token": token})));
    let done = send(&env, follow("/api/v1/auth/email-change/confirm", &confirm)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let again = send(&env, follow("/api/v1/auth/email-change/confirm", &confirm)).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "single use");
    let r = send(&env, json_request("GET", "/api/v1/me", Some(&here), None)).await;
    assert_eq!(r.json()["email"], "ada@new.example");

    // The old address is told, with the time and an undo link.
    let text = wait_for(20, "the email-changed mail to the old address", || async {
        mail_text(&received, "ada@example.com", "Your email address was changed")
    })
    .await;
    assert!(text.contains("ada@new.example") && text.contains(&today), "{text}");
    let undo = link_token(&received, "ada@example.com", "/account/email/undo/").expect("an undo link");
    let undone = send(&env, follow("/api/v1/auth/email-change/undo", &undo)).await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    // Whoever changed it is locked out: sessions ended, the password no longer works.
    assert_eq!(me(&env, &here).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        log_in(&env, "ada@new.example", "a brand new secret", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        log_in(&env, "ada@example.com", "a brand new secret", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // …and the owner, back on the old address, sets a new password from the mailed link.
    let reset =
        wait_for(20, "the reset link after the undo", || async { reset_token(&received, "ada@example.com") })
            .await;
    let set = json_request(
        "POST",
        "/api/v1/auth/password-reset/confirm",
        None,
        Some(json!({"token": reset, "new_password": "mine again, for good"})),
    );
    assert_eq!(send(&env, set).await.status, StatusCode::NO_CONTENT);
    assert_eq!(log_in(&env, "ada@example.com", "mine again, for good", None).await.status, StatusCode::OK);
    for bad in ["f".repeat(64), "short".into()] {
        assert_eq!(
            send(&env, follow("/api/v1/auth/email-change/undo", &bad)).await.status,
            StatusCode::BAD_REQUEST
        );
    }
    workers.shutdown(std::time::Duration::from_secs(5)).await;
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
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["email"].as_str(), Some("ada@example.com"), "changes once the new address confirms");
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

/// Every server function is called with POST: none changes state through a GET.
#[test]
fn no_server_function_uses_get() {
    let paths: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(paths.len() >= 20, "server functions are registered: {}", paths.len());
    for (path, method) in paths {
        assert_eq!(method, axum::http::Method::POST, "{path}");
    }
}

on_both_backends!(
    security_mails_and_email_verification,
    password_reset_by_mailed_link,
    profile_password_and_email_changes,
    disabled_accounts_cannot_log_in,
    the_admin_guard,
    outdated_hashes_are_upgraded_at_login,
    login_returns_to_a_local_next_only,
    housekeeping_deletes_what_expired,
);
