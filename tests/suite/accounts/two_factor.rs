//! Two-factor sign-in for staff: setting it up, logging in with a code or a recovery
//! code (each once), the limit on guessing, and turning it off.

use super::*;

const BOSS: &str = "boss@example.com";
const BOSS_PASSWORD: &str = "boss password 2026";

fn code_for(secret: &str, at: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 0, 30, bytes, None, String::new()).unwrap();
    totp.generate(at as u64)
}

async fn password_step(env: &TestEnv) -> Reply {
    post(env, "/api/v1/auth/login", None, json!({"email": BOSS, "password": BOSS_PASSWORD})).await
}

async fn staff_turn_on_two_factor_and_log_in_with_codes(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    accounts::create_admin(env.db(), BOSS, Some(BOSS_PASSWORD)).await.unwrap();
    let customer = register(&env, "ada@example.com").await;
    let refused =
        post(&env, "/api/v1/me/two-factor", Some(&customer), json!({"current_password": PASSWORD})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "staff accounts only");

    let first = password_step(&env).await;
    assert_eq!(first.status, StatusCode::OK, "off: the password is enough");
    let boss = first.session_cookie().unwrap();
    let wrong_password =
        post(&env, "/api/v1/me/two-factor", Some(&boss), json!({"current_password": "nope"})).await;
    assert_eq!(wrong_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    let setup =
        post(&env, "/api/v1/me/two-factor", Some(&boss), json!({"current_password": BOSS_PASSWORD})).await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    let secret = setup.json()["secret"].as_str().unwrap().to_owned();
    assert!(setup.json()["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/"));
    // Not on until a code proves the app has the secret.
    let still_off = password_step(&env).await;
    assert_eq!(still_off.status, StatusCode::OK);
    let bad = post(&env, "/api/v1/me/two-factor/confirm", Some(&boss), json!({"code": "000000"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let now = chrono::Utc::now().timestamp();
    let on =
        post(&env, "/api/v1/me/two-factor/confirm", Some(&boss), json!({"code": code_for(&secret, now)}))
            .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    let recovery: Vec<String> = on.json()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    let profile = send(&env, json_request("GET", "/api/v1/me", Some(&boss), None)).await;
    assert_eq!(profile.json()["two_factor"], true);

    // The password alone no longer logs in.
    let waiting = password_step(&env).await;
    assert_eq!(waiting.status, StatusCode::ACCEPTED, "{}", waiting.body);
    assert_eq!(waiting.json()["two_factor_required"], true);
    let pending = waiting.session_cookie().unwrap();
    assert_eq!(me(&env, &pending).await, StatusCode::UNAUTHORIZED, "not logged in yet");
    // The code used to turn it on is spent; the next step's code works once.
    let spent =
        post(&env, "/api/v1/auth/login/code", Some(&pending), json!({"code": code_for(&secret, now)})).await;
    assert_eq!(spent.status, StatusCode::UNPROCESSABLE_ENTITY, "a code works once");
    let next = code_for(&secret, now + 30);
    let ok = post(&env, "/api/v1/auth/login/code", Some(&pending), json!({"code": next})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let logged_in = ok.session_cookie().expect("a new session id");
    assert_ne!(logged_in, pending);
    assert_eq!(me(&env, &logged_in).await, StatusCode::OK);
    let again = password_step(&env).await.session_cookie().unwrap();
    let replay = post(&env, "/api/v1/auth/login/code", Some(&again), json!({"code": next})).await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY, "replayed");

    // A recovery code works once, typed loosely.
    let typed = format!(" {} ", recovery[0].to_uppercase());
    let rescued = post(&env, "/api/v1/auth/login/code", Some(&again), json!({"code": typed})).await;
    assert_eq!(rescued.status, StatusCode::OK, "{}", rescued.body);
    let once_more = password_step(&env).await.session_cookie().unwrap();
    let reused = post(&env, "/api/v1/auth/login/code", Some(&once_more), json!({"code": recovery[0]})).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // No code step without the password step.
    let fresh = post(&env, "/api/v1/auth/login/code", None, json!({"code": recovery[1]})).await;
    assert_eq!(fresh.status, StatusCode::UNAUTHORIZED);

    // Turned off with the password: the password is enough again.
    let off = post(
        &env,
        "/api/v1/me/two-factor/disable",
        Some(&logged_in),
        json!({"current_password": BOSS_PASSWORD}),
    )
    .await;
    assert_eq!(off.status, StatusCode::NO_CONTENT, "{}", off.body);
    assert_eq!(password_step(&env).await.status, StatusCode::OK);
}

async fn guessing_codes_is_limited(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    accounts::create_admin(env.db(), BOSS, Some(BOSS_PASSWORD)).await.unwrap();
    let boss = password_step(&env).await.session_cookie().unwrap();
    let secret = post(&env, "/api/v1/me/two-factor", Some(&boss), json!({"current_password": BOSS_PASSWORD}))
        .await
        .json()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = chrono::Utc::now().timestamp();
    post(&env, "/api/v1/me/two-factor/confirm", Some(&boss), json!({"code": code_for(&secret, now)})).await;
    let pending = password_step(&env).await.session_cookie().unwrap();
    let max = fullstack_ws::flows::limits::CODE_PER_ACCOUNT.max;
    for n in 0..max {
        let r =
            post(&env, "/api/v1/auth/login/code", Some(&pending), json!({"code": format!("{n:06}")})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "guess {n}");
    }
    let right =
        post(&env, "/api/v1/auth/login/code", Some(&pending), json!({"code": code_for(&secret, now + 30)}))
            .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "even the right code waits");
    assert!(right.headers.contains_key("retry-after"));
}

on_both_backends!(staff_turn_on_two_factor_and_log_in_with_codes, guessing_codes_is_limited,);
