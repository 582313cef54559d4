//! Webhooks: signatures, duplicates, every event type, ordering, lost jobs and racing workers.

use super::*;

async fn webhook_refuses_bad_signatures_stale_timestamps_and_garbage(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let payload =
        event_payload("evt_x", "checkout.session.completed", session_object(1, "cs_1", 100, "usd", true));
    let now = Utc::now().timestamp();
    let stripe = &env.state.stripe;
    let tampered = payload.replace("100", "1");
    let cases = [
        ("no signature", payload.clone(), None),
        ("wrong secret", payload.clone(), Some(format!("t={now},v1={}", "ab".repeat(32)))),
        ("tampered body", tampered, Some(stripe.sign(&payload, now))),
        ("stale", payload.clone(), Some(stripe.sign(&payload, now - 301))),
        ("not JSON", "{oops".to_owned(), Some(stripe.sign("{oops", now))),
    ];
    for (what, body, sig) in cases {
        let reply = post_webhook(&env, &body, sig).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{what}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], "bad_request", "{what}");
    }
    assert_eq!(payment_event::Entity::find().count(env.db()).await.unwrap(), 0, "nothing stored");
    // The same event, correctly signed and fresh, is accepted.
    let ok = post_webhook(&env, &payload, Some(stripe.sign(&payload, now))).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}

async fn five_deliveries_pay_once_and_mail_once(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let o = placed_order(&env, &guest()).await;
    let object = session_object(o.id, "cs_five", o.total.amount, "usd", true);
    for _ in 0..5 {
        let reply = deliver(&env, "evt_five", "checkout.session.completed", object.clone()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    assert_eq!(payment_event::Entity::find().count(env.db()).await.unwrap(), 1, "stored once");
    let settings = MailSettings { from: &env.state.config.mail_from, site_url: env.site_url() };
    let id = payment_event::Entity::find().one(env.db()).await.unwrap().unwrap().id;
    let mut outcomes = Vec::new();
    for _ in 0..5 {
        outcomes.push(payments::process_event(env.db(), &settings, id).await.unwrap().outcome);
    }
    assert_eq!(outcomes[0], EventOutcome::Paid);
    assert!(outcomes[1..].iter().all(|o| *o == EventOutcome::AlreadyProcessed), "{outcomes:?}");
    let row = order_row(env.db(), o.id).await;
    assert_eq!(row.status, OrderStatus::Paid);
    assert_eq!(row.payment_intent_id.as_deref(), Some("pi_cs_five"));
    assert!(row.paid_at.is_some());
    let mails = mails_with_subject(env.db(), "Payment received").await;
    assert_eq!(mails.len(), 1, "one mail");
    // The invoice is drawn when the mail leaves (invoice_mail_reaches_smtp_with_a_readable_pdf).
    assert_eq!(mails[0].attach_invoice_of, Some(o.id), "the invoice goes with it");
    assert!(!mails[0].message.contains("invoice-"), "not drawn in the paying transaction");
    // A second event for the same payment (e.g. async success) changes nothing.
    deliver(&env, "evt_five_again", "checkout.session.async_payment_succeeded", object).await;
    assert_eq!(process_all(&env).await.last(), Some(&EventOutcome::AlreadyPaid));
    assert_eq!(mails_with_subject(env.db(), "Payment received").await.len(), 1);
}

/// Two payment pages for one order, both paid (two tabs): the first pays the order, the
/// second is money taken twice and is flagged for refund; a repeat of the first is not.
async fn a_second_paid_session_is_flagged_for_refund(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let o = placed_order(&env, &guest()).await;
    set_session(env.db(), o.id, "cs_tab2").await;
    for (event, kind, session) in [
        ("evt_tab1", "checkout.session.completed", "cs_tab1"),
        ("evt_tab1_again", "checkout.session.async_payment_succeeded", "cs_tab1"),
        ("evt_tab2", "checkout.session.completed", "cs_tab2"),
    ] {
        deliver(&env, event, kind, session_object(o.id, session, o.total.amount, "usd", true)).await;
    }
    assert_eq!(
        process_all(&env).await,
        vec![EventOutcome::Paid, EventOutcome::AlreadyPaid, EventOutcome::RefundDue]
    );
    let row = order_row(env.db(), o.id).await;
    assert_eq!(row.status, OrderStatus::Paid);
    assert_eq!(row.checkout_session_id.as_deref(), Some("cs_tab1"), "the first payment stands");
    assert!(row.refund_due);
    let problem = row.payment_problem.unwrap();
    assert!(problem.contains("pi_cs_tab2") && problem.contains("refund due"), "{problem}");
    assert_eq!(mails_with_subject(env.db(), "Payment received").await.len(), 1);
}

async fn every_event_type_has_its_effect(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let db = env.db();
    // Delayed payment: completed unpaid → waits; then async success → paid.
    let delayed = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_a1",
        "checkout.session.completed",
        session_object(delayed.id, "cs_a", delayed.total.amount, "usd", false),
    )
    .await;
    deliver(
        &env,
        "evt_a2",
        "checkout.session.async_payment_succeeded",
        session_object(delayed.id, "cs_a", delayed.total.amount, "usd", true),
    )
    .await;
    // Failed payments: the order stays created and the shopper gets a retry link.
    let failing = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_b1",
        "checkout.session.async_payment_failed",
        session_object(failing.id, "cs_b", failing.total.amount, "usd", false),
    )
    .await;
    let intent = json!({"id": "pi_b", "object": "payment_intent", "metadata": {"order_id": failing.id.to_string()},
        "last_payment_error": {"message": "Your card was declined."}});
    deliver(&env, "evt_b2", "payment_intent.payment_failed", intent).await;
    // Expiry of the order's session cancels it.
    let expiring = placed_order(&env, &guest()).await;
    set_session(db, expiring.id, "cs_c").await;
    let mut expired = session_object(expiring.id, "cs_c", expiring.total.amount, "usd", false);
    expired["status"] = json!("expired");
    deliver(&env, "evt_c", "checkout.session.expired", expired).await;
    // Unknown order and unknown type: stored, not acted on.
    deliver(&env, "evt_d", "checkout.session.completed", session_object(999_999, "cs_d", 100, "usd", true))
        .await;
    deliver(&env, "evt_e", "customer.created", json!({"id": "cus_1", "object": "customer"})).await;

    assert_eq!(
        process_all(&env).await,
        vec![
            EventOutcome::AwaitingPayment,
            EventOutcome::Paid,
            EventOutcome::PaymentFailed,
            EventOutcome::PaymentFailed,
            EventOutcome::Cancelled,
            EventOutcome::UnknownOrder,
            EventOutcome::Ignored,
        ]
    );
    assert_eq!(order_row(db, delayed.id).await.status, OrderStatus::Paid);
    assert_eq!(order_row(db, failing.id).await.status, OrderStatus::Created);
    assert_eq!(order_row(db, expiring.id).await.status, OrderStatus::Cancelled);
    let retry =
        mails_with_subject(db, &format!("Payment for order #{} did not go through", failing.id)).await;
    assert_eq!(retry.len(), 2, "one retry mail per failure event");
    assert!(retry[1].message.contains("Your card was declined."));
    assert!(retry[0].message.contains(&format!("/orders/{}", failing.id)), "a retry link");
    let outcomes: Vec<(String, Option<String>)> = payment_event::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.stripe_event_id, e.outcome))
        .collect();
    assert!(outcomes.contains(&("evt_d".into(), Some("unknown_order".into()))), "{outcomes:?}");
}

async fn late_and_out_of_order_events_never_undo_a_state(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let db = env.db();
    // Paid on session 2, then session 1's expiry arrives: stays paid.
    let paid = placed_order(&env, &guest()).await;
    set_session(db, paid.id, "cs_new").await;
    deliver(
        &env,
        "evt_p",
        "checkout.session.completed",
        session_object(paid.id, "cs_new", paid.total.amount, "usd", true),
    )
    .await;
    let mut old = session_object(paid.id, "cs_old", paid.total.amount, "usd", false);
    old["status"] = json!("expired");
    deliver(&env, "evt_old", "checkout.session.expired", old).await;
    // Even its own session's expiry after payment changes nothing.
    let mut own = session_object(paid.id, "cs_new", paid.total.amount, "usd", false);
    own["status"] = json!("expired");
    deliver(&env, "evt_own", "checkout.session.expired", own).await;
    // A payment landing on a cancelled order: stays cancelled, flagged for refund.
    let cancelled = placed_order(&env, &guest()).await;
    orders::transition(db, cancelled.id, OrderStatus::Cancelled).await.unwrap();
    deliver(
        &env,
        "evt_late",
        "checkout.session.completed",
        session_object(cancelled.id, "cs_late", cancelled.total.amount, "usd", true),
    )
    .await;
    // Wrong amount, wrong currency: flagged, not paid.
    let short = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_short",
        "checkout.session.completed",
        session_object(short.id, "cs_s", short.total.amount - 1, "usd", true),
    )
    .await;
    let euro = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_eur",
        "checkout.session.completed",
        session_object(euro.id, "cs_e", euro.total.amount, "eur", true),
    )
    .await;

    assert_eq!(
        process_all(&env).await,
        vec![
            EventOutcome::Paid,
            EventOutcome::StaleExpiry,
            EventOutcome::StaleExpiry,
            EventOutcome::RefundDue,
            EventOutcome::AmountMismatch,
            EventOutcome::AmountMismatch,
        ]
    );
    assert_eq!(order_row(db, paid.id).await.status, OrderStatus::Paid);
    let flagged = order_row(db, cancelled.id).await;
    assert_eq!(flagged.status, OrderStatus::Cancelled);
    assert!(flagged.refund_due);
    assert!(flagged.payment_problem.unwrap().contains("refund due"));
    for id in [short.id, euro.id] {
        let row = order_row(db, id).await;
        assert_eq!(row.status, OrderStatus::Created);
        assert!(!row.refund_due);
        assert!(row.payment_problem.unwrap().contains("not marked paid"));
    }
    assert_eq!(mails_with_subject(db, "Payment received").await.len(), 1, "only the real payment mails");
    // Admins see the three flagged orders; the API keeps the event log for admins only.
    let issues = payments::issues(db).await.unwrap();
    let mut flagged: Vec<(i64, bool)> = issues.iter().map(|i| (i.order_id, i.refund_due)).collect();
    flagged.sort();
    assert_eq!(flagged, vec![(cancelled.id, true), (short.id, false), (euro.id, false)]);
    let anonymous =
        send(&env, Request::get("/api/v1/admin/payment-events").body(Body::empty()).unwrap()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

async fn reconciler_recovers_an_event_whose_job_was_lost(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let o = placed_order(&env, &guest()).await;
    // Stored with its job, then the job was lost.
    let payload = event_payload(
        "evt_lost",
        "checkout.session.completed",
        session_object(o.id, "cs_l", o.total.amount, "usd", true),
    );
    let recorded =
        payments::record_event(env.db(), "evt_lost", "checkout.session.completed", &payload).await.unwrap();
    assert!(matches!(recorded, payments::Recorded::New(_)));
    let queued = env.queued_tasks().await;
    assert!(queued.iter().any(|t| t.contains("ProcessPaymentEvent")), "stored with its job: {queued:?}");
    env.lose_queued_tasks().await;
    assert_eq!(
        jobs::housekeeping::reconcile_payment_events(&env.state.jobs).await.unwrap(),
        0,
        "not stale yet"
    );
    payment_event::Entity::update_many()
        .col_expr(payment_event::Column::EnqueuedAt, Expr::value(Utc::now() - chrono::Duration::minutes(5)))
        .exec(env.db())
        .await
        .unwrap();
    assert_eq!(jobs::housekeeping::reconcile_payment_events(&env.state.jobs).await.unwrap(), 1);
    assert_eq!(
        jobs::housekeeping::reconcile_payment_events(&env.state.jobs).await.unwrap(),
        0,
        "re-enqueued once"
    );
    let workers = Workers::start(env.state.jobs.clone(), 1);
    wait_for(20, "the recovered event to pay the order", || async {
        (order_row(env.db(), o.id).await.status == OrderStatus::Paid).then_some(())
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
}

async fn racing_workers_apply_one_event_once(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let o = placed_order(&env, &guest()).await;
    deliver(
        &env,
        "evt_race",
        "checkout.session.completed",
        session_object(o.id, "cs_r", o.total.amount, "usd", true),
    )
    .await;
    let id = payment_event::Entity::find().one(env.db()).await.unwrap().unwrap().id;
    // fang can hand one job to two workers: queue it three times, run two workers.
    for _ in 0..2 {
        jobs::process_payment_later(&env.state.jobs, id).await;
    }
    let workers = Workers::start(env.state.jobs.clone(), 2);
    wait_for(20, "the mail job to deliver", || async {
        let sent = mails_with_subject(env.db(), "Payment received").await;
        sent.iter().all(|m| m.sent_at.is_some()).then_some(()).filter(|_| !sent.is_empty())
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
    // And the same event from 8 tasks at once.
    let settings = MailSettings { from: &env.state.config.mail_from, site_url: env.site_url() };
    let runs =
        futures::future::join_all((0..8).map(|_| payments::process_event(env.db(), &settings, id))).await;
    assert!(runs.iter().all(|r| r.as_ref().unwrap().outcome == EventOutcome::AlreadyProcessed));
    assert_eq!(order_row(env.db(), o.id).await.status, OrderStatus::Paid);
    assert_eq!(mails_with_subject(env.db(), "Payment received").await.len(), 1);
    // Placing the order queued its own mail in the same transaction; count payment mails.
    let payment_files = std::fs::read_dir(env.dir.path().join("mail"))
        .unwrap()
        .filter(|f| std::fs::read_to_string(f.as_ref().unwrap().path()).unwrap().contains("Payment received"))
        .count();
    assert_eq!(payment_files, 1, "the payment mail, delivered once");
}

on_both_backends!(
    a_second_paid_session_is_flagged_for_refund,
    webhook_refuses_bad_signatures_stale_timestamps_and_garbage,
    five_deliveries_pay_once_and_mail_once,
    every_event_type_has_its_effect,
    late_and_out_of_order_events_never_undo_a_state,
    reconciler_recovers_an_event_whose_job_was_lost,
    racing_workers_apply_one_event_once,
);
