//! Checkout through the emulator and async-stripe, its errors and idempotency, REST checkout and the invoice.

use super::*;

/// The whole pipeline through the emulator: async-stripe creates the session, the
/// hosted page takes a test card, the emulator's signed webhook comes back and a worker
/// pays the order.
async fn emulator_pipeline_through_async_stripe(backend: Backend) {
    let env = TestEnv::served(backend, &[("WORKERS", "2")]).await;
    let workers = Workers::start(env.state.jobs.clone(), 2);
    let shopper = guest();
    let o = placed_order(&env, &shopper).await;
    let link = fullstack_ws::flows::payments::pay(&env.state, &shopper, o.id).await.expect("session created");
    assert!(link.session_id.starts_with("cs_test_"));
    assert_eq!(link.url, format!("{}/_stripe/pay/{}", env.site_url(), link.session_id));
    // Pay again before paying: the open session is reused, not duplicated.
    let again = fullstack_ws::flows::payments::pay(&env.state, &shopper, o.id).await.unwrap();
    assert_eq!(again.session_id, link.session_id);
    // The session as async-stripe reads it: totals equal the order's, coupon included.
    let facts = env.state.stripe.retrieve_session(&link.session_id).await.expect("typed session");
    assert_eq!(facts.amount_total, Some(o.total.amount));
    assert_eq!(facts.order_id, Some(o.id));

    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = http.get(&link.url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("Pay {}", o.total)), "the page shows the total");
    assert!(page.contains("WELCOME10"), "and the coupon");
    let declined = http.post(&link.url).form(&[("card", "4000 0000 0000 0002")]).send().await.unwrap();
    assert_eq!(declined.status(), StatusCode::PAYMENT_REQUIRED);
    let paid = http.post(&link.url).form(&[("card", "4242 4242 4242 4242")]).send().await.unwrap();
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    let back = paid.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(back, format!("{}/payment/success?session_id={}", env.site_url(), link.session_id));

    wait_for(20, "the webhook to pay the order", || async {
        (order_row(env.db(), o.id).await.status == OrderStatus::Paid).then_some(())
    })
    .await;
    let stored = wait_for(20, "both events to be processed", || async {
        let events = payment_event::Entity::find().all(env.db()).await.unwrap();
        (events.len() == 2 && events.iter().all(|e| e.processed_at.is_some())).then_some(events)
    })
    .await;
    // The emulator's events parse into async-stripe's own types and verify with its verifier.
    for e in &stored {
        let sig = stripe_webhook::Webhook::generate_test_header(
            &e.payload,
            env.state.config.stripe.webhook_secret.as_deref().unwrap(),
            None,
        );
        let typed = stripe_webhook::Webhook::construct_event(
            &e.payload,
            &sig,
            env.state.config.stripe.webhook_secret.as_deref().unwrap(),
        )
        .unwrap_or_else(|err| panic!("{} does not parse into async-stripe's Event: {err}", e.event_type));
        assert_eq!(typed.id.as_str(), e.stripe_event_id);
    }
    let kinds: Vec<&str> = stored.iter().map(|e| e.event_type.as_str()).collect();
    assert!(
        kinds.contains(&"payment_intent.payment_failed") && kinds.contains(&"checkout.session.completed")
    );
    // Confirming on the success page after the webhook changes nothing more.
    let confirmed = fullstack_ws::flows::payments::confirm(&env.state, &link.session_id, None).await.unwrap();
    assert!(confirmed.paid);
    assert_eq!(mails_with_subject(env.db(), "Payment received").await.len(), 1);
    // A paid order cannot be paid again; cancelling is refused.
    let twice = fullstack_ws::flows::payments::pay(&env.state, &shopper, o.id).await.unwrap_err();
    assert_eq!(twice.status(), 409);
    workers.shutdown(Duration::from_secs(5)).await;
}

/// The hosted page links to `cancel_url` and redirects to `success_url` on the shop's own
/// origin: a `javascript:` link would run script there, an off-site one is an open redirect.
async fn emulator_refuses_script_and_off_site_return_urls(backend: Backend) {
    let env = TestEnv::served(backend, &[]).await;
    let http = reqwest::Client::new();
    let site = env.site_url().to_owned();
    let session = |success: String, cancel: String| {
        http.post(format!("{site}/_stripe/v1/checkout/sessions"))
            .bearer_auth("sk_test_emulator")
            .form(&[
                ("mode", "payment".to_owned()),
                ("success_url", success),
                ("cancel_url", cancel),
                ("line_items[0][quantity]", "1".into()),
                ("line_items[0][price_data][currency]", "usd".into()),
                ("line_items[0][price_data][unit_amount]", "500".into()),
                ("line_items[0][price_data][product_data][name]", "Tea".into()),
            ])
            .send()
    };
    let ok = format!("{site}/payment/success?session_id={{CHECKOUT_SESSION_ID}}");
    for (success, cancel, param) in [
        (ok.clone(), "javascript:alert(document.cookie)".to_owned(), "cancel_url"),
        (ok.clone(), "data:text/html,<script>alert(1)</script>".to_owned(), "cancel_url"),
        ("https://evil.example/phish".to_owned(), format!("{site}/cart"), "success_url"),
        (ok.clone(), "//evil.example/".to_owned(), "cancel_url"),
        (ok.clone(), format!("{site}.evil.example/"), "cancel_url"),
    ] {
        let refused = session(success.clone(), cancel.clone()).await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{success} / {cancel}");
        let body: Value = serde_json::from_str(&refused.text().await.unwrap()).unwrap();
        assert_eq!(body["error"]["type"], "invalid_request_error", "Stripe's error shape");
        assert_eq!(body["error"]["param"], param);
    }
    let accepted = session(ok, format!("{site}/cart")).await.unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
}

/// Development signs with a secret generated for each database: the old published
/// constant (and any other database's secret) is refused.
async fn webhook_secret_is_generated_per_database(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let other = TestEnv::new(backend, &[]).await;
    let ours = env.state.config.stripe.webhook_secret.clone().unwrap();
    let theirs = other.state.config.stripe.webhook_secret.clone().unwrap();
    assert!(ours.starts_with("whsec_") && ours.len() > 40);
    assert_ne!(ours, theirs, "each database has its own");
    assert_ne!(ours, "whsec_fullstack_ws_emulator");
    // A restart on the same database signs with the same secret.
    let again = fullstack_ws::infra::secrets::get_or_create(
        env.db(),
        fullstack_ws::infra::secrets::EMULATOR_WEBHOOK_SECRET,
        "whsec_",
    )
    .await
    .unwrap();
    assert_eq!(again, ours);
    let payload =
        r#"{"id":"evt_forged","object":"event","type":"checkout.session.completed","data":{"object":{}}}"#;
    for secret in ["whsec_fullstack_ws_emulator", theirs.as_str()] {
        let forged = stripe_webhook::Webhook::generate_test_header(payload, secret, None);
        let req = axum::http::Request::post("/payment/webhook")
            .header("stripe-signature", forged)
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(payload))
            .unwrap();
        let answer = crate::common::send(&env, req).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    }
    assert!(payment_event::Entity::find().all(env.db()).await.unwrap().is_empty(), "nothing stored");
}

async fn emulator_speaks_stripe_errors_and_idempotency(backend: Backend) {
    let env = TestEnv::served(backend, &[]).await;
    let http = reqwest::Client::new();
    let base = format!("{}/_stripe/v1", env.site_url());
    let unauthorized = http.post(format!("{base}/coupons")).send().await.unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    let live = http.post(format!("{base}/coupons")).bearer_auth("sk_live_x").send().await.unwrap();
    assert_eq!(live.status(), StatusCode::UNAUTHORIZED, "never a live key");
    let other_test_key =
        http.post(format!("{base}/coupons")).bearer_auth("sk_test_51Other").send().await.unwrap();
    assert_eq!(other_test_key.status(), StatusCode::UNAUTHORIZED, "only the app's own emulator key");
    let bad = http
        .post(format!("{base}/checkout/sessions"))
        .bearer_auth("sk_test_emulator")
        .form(&[("mode", "payment"), ("success_url", "http://x/s")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_str(&bad.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    // Amounts that would overflow a total are Stripe's 400, not a panic.
    let (success, cancel) = (format!("{}/s", env.site_url()), format!("{}/c", env.site_url()));
    let huge = http
        .post(format!("{base}/checkout/sessions"))
        .bearer_auth("sk_test_emulator")
        .form(&[
            ("mode", "payment"),
            ("success_url", success.as_str()),
            ("cancel_url", cancel.as_str()),
            ("line_items[0][quantity]", "9223372036854775807"),
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][unit_amount]", "9223372036854775807"),
            ("line_items[0][price_data][product_data][name]", "Everything"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::BAD_REQUEST);
    let coupon = |key: &'static str| {
        http.post(format!("{base}/coupons"))
            .bearer_auth("sk_test_emulator")
            .header("Idempotency-Key", key)
            .form(&[("amount_off", "500"), ("currency", "usd"), ("duration", "once")])
            .send()
    };
    let first: Value = serde_json::from_str(&coupon("k1").await.unwrap().text().await.unwrap()).unwrap();
    let replay = coupon("k1").await.unwrap();
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay: Value = serde_json::from_str(&replay.text().await.unwrap()).unwrap();
    assert_eq!(first["id"], replay["id"], "same key, same coupon");
    let other: Value = serde_json::from_str(&coupon("k2").await.unwrap().text().await.unwrap()).unwrap();
    assert_ne!(first["id"], other["id"]);
    // A session past its expires_at is expired on its next read, and Stripe's event follows.
    let request = payments::CheckoutRequest {
        order_id: 77,
        lines: vec![payments::CheckoutLine { name: "Tea".into(), unit_amount: 500, quantity: 2 }],
        coupon: None,
        currency: "usd".into(),
        customer_email: "a@b.co".into(),
        success_url: format!("{}/payment/success?session_id={{CHECKOUT_SESSION_ID}}", env.site_url()),
        cancel_url: format!("{}/payment/cancel?order_id=77", env.site_url()),
        locale: "en".into(),
        expires_at: Utc::now().timestamp() + 3600,
        idempotency_key: "order-77-checkout-1".into(),
    };
    let session = env.state.stripe.create_checkout(&request).await.unwrap();
    assert_eq!(
        (session.amount_total, session.status),
        (Some(1000), fullstack_ws::infra::stripe::SessionStatus::Open)
    );
    let row =
        emulator_object::Entity::find_by_id(session.session_id.clone()).one(env.db()).await.unwrap().unwrap();
    let mut body: Value = serde_json::from_str(&row.body).unwrap();
    body["session"]["expires_at"] = json!(Utc::now().timestamp() - 5);
    let mut active: emulator_object::ActiveModel = row.into();
    active.body = sea_orm::Set(body.to_string());
    sea_orm::ActiveModelTrait::update(active, env.db()).await.unwrap();
    let read = env.state.stripe.retrieve_session(&session.session_id).await.unwrap();
    assert_eq!(read.status, fullstack_ws::infra::stripe::SessionStatus::Expired);
    wait_for(20, "the expiry event", || async {
        let events = payment_event::Entity::find().all(env.db()).await.unwrap();
        events.into_iter().find(|e| e.event_type == "checkout.session.expired").map(|_| ())
    })
    .await;
    // Unknown session: Stripe's 404, which the shop shows as "not found".
    let missing = env.state.stripe.retrieve_session("cs_test_nothing").await.unwrap_err();
    assert!(matches!(missing, fullstack_ws::infra::stripe::GatewayError::Rejected { status: 404, .. }));
}

async fn rest_checkout_and_invoice_are_for_the_owner(backend: Backend) {
    let env = TestEnv::served(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    let product = common::product_by_slug(env.db(), "ember-house-blend").await.id;
    let put = send(
        &env,
        common::json_request(
            "PUT",
            &format!("/api/v1/cart/lines/{product}"),
            None,
            Some(json!({"quantity": 2})),
        ),
    )
    .await;
    let cookie = put.session_cookie().expect("a session");
    let ship = serde_json::to_value(shipping()).unwrap();
    let placed = send(&env, common::json_request("POST", "/api/v1/orders", Some(&cookie), Some(ship))).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    let id = placed.json()["id"].as_i64().unwrap();

    let started = send(
        &env,
        common::json_request("POST", &format!("/api/v1/orders/{id}/checkout"), Some(&cookie), None),
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let started = started.json();
    assert!(started["checkout_url"].as_str().unwrap().contains("/_stripe/pay/cs_test_"));
    assert!(started["session_id"].as_str().unwrap().starts_with("cs_test_"));
    let stranger =
        send(&env, common::json_request("POST", &format!("/api/v1/orders/{id}/checkout"), None, None)).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);

    let pdf = send(
        &env,
        Request::get(format!("/api/v1/orders/{id}/invoice.pdf"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    let nobody =
        send(&env, Request::get(format!("/api/v1/orders/{id}/invoice.pdf")).body(Body::empty()).unwrap())
            .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    // Cancelling closes the open session in the background.
    let cancel =
        send(&env, common::json_request("POST", &format!("/api/v1/orders/{id}/cancel"), Some(&cookie), None))
            .await;
    assert_eq!(cancel.status, StatusCode::OK);
    let workers = Workers::start(env.state.jobs.clone(), 1);
    let session = started["session_id"].as_str().unwrap().to_owned();
    wait_for(20, "the session to be expired", || async {
        let facts = env.state.stripe.retrieve_session(&session).await.unwrap();
        (facts.status == fullstack_ws::infra::stripe::SessionStatus::Expired).then_some(())
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
    let openapi = send(&env, Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await.json();
    assert!(openapi["paths"]["/api/v1/orders/{id}/checkout"].is_object());
    assert!(openapi["paths"]["/api/v1/orders/{id}/invoice.pdf"].is_object());
}

async fn invoice_mail_reaches_smtp_with_a_readable_pdf(backend: Backend) {
    let (port, messages) = common::start_smtp_sink();
    let smtp = format!("smtp://127.0.0.1:{port}");
    let env = TestEnv::new(backend, &[("SMTP_URL", &smtp)]).await;
    let o = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_mail",
        "checkout.session.completed",
        session_object(o.id, "cs_m", o.total.amount, "usd", true),
    )
    .await;
    let workers = Workers::start(env.state.jobs.clone(), 1);
    let id = payment_event::Entity::find().one(env.db()).await.unwrap().unwrap().id;
    jobs::process_payment_later(&env.state.jobs, id).await;
    let raw = wait_for(20, "the payment mail over SMTP", || async {
        let all = messages.lock().unwrap();
        all.iter().find(|m| String::from_utf8_lossy(m).contains("Payment received")).cloned()
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let pdf = parsed
        .attachments()
        .find(|a| a.attachment_name() == Some(format!("invoice-{}.pdf", o.id).as_str()))
        .expect("the invoice is attached");
    let path = env.dir.path().join("invoice.pdf");
    std::fs::write(&path, pdf.contents()).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "INVOICE",
        "PAID",
        "Grace Hopper",
        "1 Navy Way",
        "Ember House Blend",
        "Sencha Asahi",
        "Coupon WELCOME10 (10% off)",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the invoice:\n{text}");
    }
    for money in [o.subtotal.to_string(), format!("-{}", o.discount), o.total.to_string()] {
        assert!(text.contains(&money), "{money} missing from the invoice:\n{text}");
    }
}

/// A shop on real Stripe has no emulator tables: they are created, by their own
/// migrations, only where the emulator is served.
async fn emulator_tables_exist_only_where_it_is_served(backend: Backend) {
    use migration::SchemaManager;
    let real = TestEnv::new(
        backend,
        &[
            ("STRIPE_SECRET_KEY", "sk_test_real"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_real"),
            ("STRIPE_API_BASE", "http://127.0.0.1:9/"),
        ],
    )
    .await;
    let schema = SchemaManager::new(real.db());
    assert!(schema.has_table("payment_events").await.unwrap());
    assert!(!schema.has_table("stripe_emulator_objects").await.unwrap());
    assert!(!schema.has_table("stripe_emulator_idempotency").await.unwrap());
    let emulated = TestEnv::new(backend, &[]).await;
    let schema = SchemaManager::new(emulated.db());
    assert!(schema.has_table("stripe_emulator_objects").await.unwrap());
    assert!(schema.has_table("stripe_emulator_idempotency").await.unwrap());
}

/// Reconciliation reads the provider's sessions through async-stripe (here the emulator's
/// list endpoint) and names each way the books can disagree; the CLI exits 1 on them.
async fn reconciliation_compares_orders_with_the_providers_sessions(backend: Backend) {
    use fullstack_ws::services::payments::reconcile::Mismatch;
    use sea_orm::{ActiveModelTrait, Set};
    let env = TestEnv::served(backend, &[]).await;
    let workers = Workers::start(env.state.jobs.clone(), 1);
    let (buyer, browser) = (guest(), guest());
    let paid = placed_order(&env, &buyer).await;
    let unpaid = placed_order(&env, &browser).await;
    let link = fullstack_ws::flows::payments::pay(&env.state, &buyer, paid.id).await.unwrap();
    let open = fullstack_ws::flows::payments::pay(&env.state, &browser, unpaid.id).await.unwrap();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let card = http.post(&link.url).form(&[("card", "4242 4242 4242 4242")]).send().await.unwrap();
    assert_eq!(card.status(), StatusCode::SEE_OTHER);
    wait_for(20, "the webhook to pay the order", || async {
        (order_row(env.db(), paid.id).await.status == OrderStatus::Paid).then_some(())
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;

    let found = fullstack_ws::flows::payments::reconcile(&env.state, 30).await.unwrap();
    assert_eq!((found.sessions, found.orders), (2, 2), "both sessions, and the orders they name");
    assert_eq!(found.mismatches, vec![], "the books agree");

    let set = |id: i64, change: fn(&mut order::ActiveModel)| {
        let db = env.db().clone();
        async move {
            let mut row: order::ActiveModel = order_row(&db, id).await.into();
            change(&mut row);
            row.update(&db).await.unwrap();
        }
    };
    // The shop loses the payment: paid there, not here.
    set(paid.id, |o| o.status = Set(OrderStatus::Created)).await;
    let found = fullstack_ws::flows::payments::reconcile(&env.state, 30).await.unwrap();
    assert_eq!(
        found.mismatches,
        vec![Mismatch::PaidThereNotHere { session_id: link.session_id.clone(), order_id: Some(paid.id) }]
    );
    // Paid, but not the amount the order says.
    set(paid.id, |o| {
        o.status = Set(OrderStatus::Paid);
        o.total = Set(o.total.clone().unwrap() + 1);
    })
    .await;
    // And an order marked paid whose session never was.
    set(unpaid.id, |o| o.status = Set(OrderStatus::Paid)).await;
    let found = fullstack_ws::flows::payments::reconcile(&env.state, 30).await.unwrap();
    assert_eq!(
        found.mismatches,
        vec![
            Mismatch::AmountDiffers {
                order_id: paid.id,
                session_id: link.session_id.clone(),
                here: format!("{} usd", paid.total.amount + 1),
                there: format!("{} usd", paid.total.amount),
            },
            Mismatch::PaidHereNotThere { order_id: unpaid.id, session_id: Some(open.session_id.clone()) },
        ]
    );

    // The operator's command says the same and fails.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fullstack-ws"))
        .args(["reconcile", "--days", "7"])
        .env_clear()
        .env("DATABASE_URL", &env.state.config.database_url)
        .env("SITE_URL", env.site_url())
        .env("MAIL_DIR", env.dir.path().join("mail"))
        .env("MEDIA_DIR", env.dir.path().join("media"))
        .env("RUST_LOG", "warn")
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("2 Checkout Sessions at the Stripe emulator, 2 orders here"), "{stdout}");
    assert!(
        stdout.contains(&format!("MISMATCH paid here but not at the provider: order {}", unpaid.id)),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 mismatches"));

    // And the back office's page, for an admin only.
    fullstack_ws::services::accounts::create_admin(
        env.db(),
        "ops@example.com",
        Some("an operator's passphrase"),
    )
    .await
    .unwrap();
    let login = send(
        &env,
        common::json_request(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "ops@example.com", "password": "an operator's passphrase"})),
        ),
    )
    .await;
    let admin = login.session_cookie().expect("logged in");
    let page = |cookie: Option<String>| {
        let mut req = Request::get("/admin/reconciliation?days=7").header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        req.body(Body::empty()).unwrap()
    };
    let shown = send(&env, page(Some(admin))).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(shown.body.contains("2 Checkout Sessions at the Stripe emulator, 2 orders here; 2 mismatches."));
    assert!(
        shown.body.contains("Paid here, not there") && shown.body.contains("Amounts differ"),
        "{}",
        shown.body
    );
    let anonymous = send(&env, page(None)).await;
    assert!(
        anonymous.location.as_deref().is_some_and(|l| l.starts_with("/login")),
        "anonymous visitors log in first"
    );
    assert!(!anonymous.body.contains("Paid here, not there"));
}

on_both_backends!(
    emulator_tables_exist_only_where_it_is_served,
    emulator_pipeline_through_async_stripe,
    emulator_speaks_stripe_errors_and_idempotency,
    emulator_refuses_script_and_off_site_return_urls,
    webhook_secret_is_generated_per_database,
    rest_checkout_and_invoice_are_for_the_owner,
    invoice_mail_reaches_smtp_with_a_readable_pdf,
    reconciliation_compares_orders_with_the_providers_sessions,
);
