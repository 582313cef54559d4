//! Who may use the back office: every admin route, server function and page, as anonymous, customer and admin.

use super::*;

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
        // Reaches the payment provider: the admin's own call is in payments::checkout.
        ("admin_reconciliation", "days=7".to_string()),
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

on_both_backends!(authorization_matrix,);
