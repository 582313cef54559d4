//! Users: roles, disabling, and the last-admin rule.

use super::*;

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

on_both_backends!(users_roles_and_the_last_admin,);
