//! Orders (filters, cancel, CSV, invoice) and the job queue in the back office.

use super::*;

async fn orders_filters_cancel_csv_and_invoice(backend: Backend) {
    let (env, c) = shop(backend).await;
    let admin = Some(c.admin.as_str());
    let db = env.db();
    let tricky =
        order(&env, "ember-house-blend", 2, &shipping("Zoë \"Z\"", "O'Brien, Jr.", "zoe@example.com")).await;
    let formula =
        order(&env, "sencha-asahi", 1, &shipping("=HYPERLINK(\"http://x\")", "Smith", "eve@example.com"))
            .await;
    let paid = order(&env, "sencha-asahi", 3, &shipping("Pat", "Paid", "pat@example.com")).await;
    orders::transition(db, paid.id, OrderStatus::Paid).await.unwrap();

    let list = |q: &str| admin_get(&env, &c.admin, format!("/api/v1/admin/orders?{q}"));
    assert_eq!(list("").await["total"], 3);
    assert_eq!(list("status=paid").await["items"][0]["id"], paid.id);
    assert_eq!(list("email=ZOE").await["items"][0]["id"], tricky.id);
    assert_eq!(list("sort=oldest").await["items"][0]["id"], tricky.id);
    let highest = [&tricky, &formula, &paid].into_iter().max_by_key(|o| (o.total.amount, o.id)).unwrap().id;
    assert_eq!(list("sort=total_desc").await["items"][0]["id"], highest);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(list(&format!("from={today}&to={today}")).await["total"], 3);
    assert_eq!(list("to=2020-01-01").await["total"], 0);
    let bad = call(&env, "GET", "/api/v1/admin/orders?status=shipped&from=yesterday", admin, None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.json()["error"]["fields"]["status"].is_string()
            && bad.json()["error"]["fields"]["from"].is_string()
    );

    // Detail, and the PDF invoice of the paid order.
    let detail = call(&env, "GET", &format!("/api/v1/admin/orders/{}", paid.id), admin, None).await.json();
    assert_eq!(detail["order"]["shipping"]["email"], "pat@example.com");
    assert!(detail["stripe_dashboard_url"].is_null(), "no Stripe link with the emulator");
    // Raw bytes (`send` decodes bodies as text).
    let res = {
        use tower::ServiceExt;
        let req = json_request("GET", &format!("/api/v1/orders/{}/invoice.pdf", paid.id), admin, None);
        env.router.clone().oneshot(req).await.unwrap()
    };
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/pdf");
    let raw = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
    assert!(raw.starts_with(b"%PDF"));
    let path = env.dir.path().join("admin-invoice.pdf");
    std::fs::write(&path, &raw).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext installed");
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in ["INVOICE", "PAID", "Pat Paid", "Sencha Asahi", &format!("{}", paid.total)] {
        assert!(text.contains(expected), "{expected} in {text}");
    }

    // Cancel: unpaid → cancelled with stock back; paid → 409; twice → unchanged.
    let stock_before = common::product_by_slug(db, "ember-house-blend").await.stock;
    let cancelled =
        call(&env, "POST", &format!("/api/v1/admin/orders/{}/cancel", tricky.id), admin, None).await;
    assert_eq!(cancelled.json()["order"]["status"], "cancelled", "{}", cancelled.body);
    assert_eq!(common::product_by_slug(db, "ember-house-blend").await.stock, stock_before + 2);
    let again = call(&env, "POST", &format!("/api/v1/admin/orders/{}/cancel", tricky.id), admin, None).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        common::product_by_slug(db, "ember-house-blend").await.stock,
        stock_before + 2,
        "stock released once"
    );
    assert_eq!(
        call(&env, "POST", &format!("/api/v1/admin/orders/{}/cancel", paid.id), admin, None).await.status,
        StatusCode::CONFLICT
    );
    let cancels: Vec<Value> =
        audit_actions(&env, &c.admin).await.into_iter().filter(|e| e["action"] == "order.cancel").collect();
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0]["entity_id"], tricky.id.to_string());

    // CSV: header, UTF-8, quoting that survives a real parser, formulas defused, filters.
    let csv_get = |q: &str| json_request("GET", &format!("/api/v1/admin/orders/export.csv?{q}"), admin, None);
    let all = send(&env, csv_get("sort=oldest")).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(all.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"orders-"));
    let mut reader = csv::Reader::from_reader(all.body.as_bytes());
    let header_row: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header_row[..4], ["order_id", "created_at", "status", "email"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    // Compressed for a browser that takes it, to the last byte (the stream ends once).
    let mut zipped = csv_get("sort=oldest");
    zipped.headers_mut().insert(header::ACCEPT_ENCODING, "gzip".parse().unwrap());
    let res = tower::ServiceExt::oneshot(env.router.clone(), zipped).await.unwrap();
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
    let bytes = http_body_util::BodyExt::collect(res.into_body()).await.expect("the whole body").to_bytes();
    let mut unzipped = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut unzipped).unwrap();
    assert_eq!(unzipped, all.body);
    let col = |name: &str| header_row.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("order_id")], tricky.id.to_string());
    assert_eq!(&rows[0][col("first_name")], "Zoë \"Z\"");
    assert_eq!(&rows[0][col("last_name")], "O'Brien, Jr.");
    assert_eq!(&rows[0][col("status")], "cancelled");
    assert_eq!(&rows[0][col("items")], "2");
    assert_eq!(&rows[1][col("first_name")], "'=HYPERLINK(\"http://x\")", "formula defused");
    assert_eq!(&rows[2][col("total")], format!("{}.{:02}", paid.total.amount / 100, paid.total.amount % 100));
    assert!(!rows[2][col("paid_at")].is_empty());
    assert!(all.body.contains("\"Zoë \"\"Z\"\"\""), "quotes doubled inside a quoted field: {}", all.body);
    let only_paid = send(&env, csv_get("status=paid")).await;
    assert_eq!(only_paid.body.lines().count(), 2, "header + the paid order");
    assert_eq!(send(&env, csv_get("from=nope")).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The dashboard counts it all.
    let d = call(&env, "GET", "/api/v1/admin/dashboard", admin, None).await.json();
    assert_eq!(d["windows"][0]["orders"], 3);
    assert_eq!(d["windows"][0]["paid_orders"], 1);
    assert_eq!(d["windows"][0]["revenue"]["amount"], paid.total.amount);
    assert_eq!(d["daily"].as_array().unwrap().len(), 30);
    assert_eq!(d["daily"][29]["revenue"], paid.total.amount);
    assert_eq!(d["by_status"], json!([["created", 1], ["paid", 1], ["cancelled", 1]]));
}

async fn job_queue_and_retry(backend: Backend) {
    use sea_orm::ConnectionTrait;
    let (env, c) = shop(backend).await;
    let admin = Some(c.admin.as_str());
    // Only this test's job (registration queued a welcome mail; no workers run here).
    env.db().execute_unprepared("DELETE FROM fang_tasks").await.unwrap();
    fullstack_ws::jobs::enqueue(
        &env.state.jobs.queue,
        &fullstack_ws::jobs::ExpireCheckoutSession { order_id: 42 },
    )
    .await
    .unwrap();
    let jobs = call(&env, "GET", "/api/v1/admin/jobs", admin, None).await.json();
    assert_eq!(jobs["total"], 1, "{jobs}");
    let job = &jobs["items"][0];
    assert_eq!(
        (job["job"].as_str(), job["state"].as_str()),
        (Some("ExpireCheckoutSession"), Some("pending"))
    );
    let id = job["id"].as_str().unwrap().to_string();
    // Only a failed job is retried.
    let retry = format!("/api/v1/admin/jobs/{id}/retry");
    assert_eq!(call(&env, "POST", &retry, admin, None).await.status, StatusCode::CONFLICT);
    env.db()
        .execute_unprepared(
            "UPDATE fang_tasks SET state = 'failed', retries = 5, error_message = 'Stripe unreachable'",
        )
        .await
        .unwrap();
    let failed = call(&env, "GET", "/api/v1/admin/jobs?state=failed", admin, None).await.json();
    assert_eq!(
        (failed["total"].as_u64(), failed["items"][0]["error"].as_str()),
        (Some(1), Some("Stripe unreachable"))
    );
    let d = call(&env, "GET", "/api/v1/admin/dashboard", admin, None).await.json();
    assert_eq!(d["troubled_jobs"][0]["state"], "failed");
    assert_eq!(call(&env, "POST", &retry, admin, None).await.status, StatusCode::NO_CONTENT);
    let pending = call(&env, "GET", "/api/v1/admin/jobs?state=pending", admin, None).await.json();
    assert_eq!(
        (pending["items"][0]["id"].as_str(), pending["items"][0]["retries"].as_i64()),
        (Some(id.as_str()), Some(0))
    );
    assert_eq!(call(&env, "GET", "/api/v1/admin/jobs?state=failed", admin, None).await.json()["total"], 0);
    assert_eq!(
        call(&env, "GET", "/api/v1/admin/jobs?state=stuck", admin, None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        call(&env, "POST", "/api/v1/admin/jobs/not-a-uuid/retry", admin, None).await.status,
        StatusCode::NOT_FOUND
    );
    let entries = audit_actions(&env, &c.admin).await;
    assert_eq!(
        (entries[0]["action"].as_str(), entries[0]["entity_id"].as_str()),
        (Some("job.retry"), Some(id.as_str()))
    );
}

on_both_backends!(orders_filters_cancel_csv_and_invoice, job_queue_and_retry,);
