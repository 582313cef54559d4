//! "Customers also bought": co-purchase counts kept by the payment pipeline (once per
//! paid order, whatever arrives twice or races), taken back for a refunded order, and
//! the suggestions ranked, filtered and filled from them.

use super::*;
use fullstack_ws::entities::co_purchase;
use fullstack_ws::models::lang::Locale;
use fullstack_ws::services::recommendations;

/// A guest's order of `items` (slug, quantity), placed.
async fn order_of(env: &TestEnv, items: &[(&str, i32)]) -> fullstack_ws::models::Order {
    let db = env.db();
    let shopper = guest();
    for (slug, quantity) in items {
        cart::add(db, &shopper, common::product_by_slug(db, slug).await.id, *quantity).await.unwrap();
    }
    let settings = MailSettings { from: &env.state.config.mail_from, site_url: env.site_url() };
    orders::place(db, &shopper, &shipping(), &uuid::Uuid::new_v4().to_string(), &settings)
        .await
        .unwrap()
        .order
}

/// Stripe reports the order's session paid, with the event `evt`.
async fn report_paid(env: &TestEnv, order: &fullstack_ws::models::Order, evt: &str) {
    let session = format!("cs_{}", order.id);
    let r = deliver(
        env,
        evt,
        "checkout.session.completed",
        session_object(order.id, &session, order.total.amount, "usd", true),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.body);
}

async fn count(env: &TestEnv, a: i64, b: i64) -> Option<i64> {
    co_purchase::Entity::find_by_id((a, b)).one(env.db()).await.unwrap().map(|r| r.orders)
}

async fn suggested(env: &TestEnv, id: i64) -> Vec<i64> {
    let r = send(
        env,
        Request::get(format!("/api/v1/products/{id}/recommendations")).body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

async fn co_purchases_count_each_paid_order_once(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    let id = |slug: &'static str| {
        let db = env.db().clone();
        async move { common::product_by_slug(&db, slug).await.id }
    };
    let (blend, sencha, grinder) =
        (id("ember-house-blend").await, id("sencha-asahi").await, id("burr-hand-grinder").await);

    // Paid once, reported twice (two events) and processed by two workers at once.
    let first = order_of(&env, &[("ember-house-blend", 2), ("sencha-asahi", 1)]).await;
    report_paid(&env, &first, "evt_a").await;
    report_paid(&env, &first, "evt_b").await;
    let settings = MailSettings { from: &env.state.config.mail_from, site_url: env.site_url() };
    let events = payment_event::Entity::find().all(env.db()).await.unwrap();
    let (x, y) = tokio::join!(
        payments::process_event(env.db(), &settings, events[0].id),
        payments::process_event(env.db(), &settings, events[1].id)
    );
    let outcomes = [x.unwrap().outcome, y.unwrap().outcome];
    assert!(outcomes.contains(&EventOutcome::Paid), "{outcomes:?}");
    process_all(&env).await;
    assert_eq!((count(&env, blend, sencha).await, count(&env, sencha, blend).await), (Some(1), Some(1)));

    // An unpaid order counts for nothing; a second pair ranks by its orders.
    order_of(&env, &[("ember-house-blend", 1), ("burr-hand-grinder", 1)]).await;
    assert_eq!(count(&env, blend, grinder).await, None);
    let second = order_of(&env, &[("ember-house-blend", 1), ("burr-hand-grinder", 1)]).await;
    report_paid(&env, &second, "evt_c").await;
    let third = order_of(&env, &[("ember-house-blend", 1), ("sencha-asahi", 3)]).await;
    report_paid(&env, &third, "evt_d").await;
    process_all(&env).await;
    assert_eq!((count(&env, blend, sencha).await, count(&env, blend, grinder).await), (Some(2), Some(1)));
    let for_blend = suggested(&env, blend).await;
    assert_eq!(&for_blend[..2], [sencha, grinder], "ranked by co-purchases");
    assert!(for_blend.len() <= recommendations::LIMIT && !for_blend.contains(&blend));

    // The cart: ranked over its products, none of them suggested.
    let for_cart = recommendations::for_cart(env.db(), &[blend], Locale::en).await.unwrap();
    assert_eq!(for_cart.first().map(|p| p.id), Some(sencha));
    let both = recommendations::for_cart(env.db(), &[blend, sencha], Locale::es).await.unwrap();
    assert!(
        both.iter().all(|p| p.id != blend && p.id != sencha) && both.first().map(|p| p.id) == Some(grinder)
    );
    assert!(!both.is_empty() && both.len() <= recommendations::LIMIT);

    // Off sale: never suggested.
    fullstack_ws::entities::product::Entity::update_many()
        .col_expr(fullstack_ws::entities::product::Column::Available, Expr::value(false))
        .filter(fullstack_ws::entities::product::Column::Id.eq(grinder))
        .exec(env.db())
        .await
        .unwrap();
    assert!(!suggested(&env, blend).await.contains(&grinder));

    // A refunded order is taken back; at zero the pair is gone.
    let txn = sea_orm::TransactionTrait::begin(env.db()).await.unwrap();
    recommendations::count_order(&txn, third.id, -1).await.unwrap();
    recommendations::count_order(&txn, first.id, -1).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!((count(&env, blend, sencha).await, count(&env, sencha, blend).await), (None, None));
}

/// Without co-purchases a product's page still suggests something: its category's
/// best sellers, then its newest products; never itself, never another category's.
async fn without_co_purchases_the_category_fills_in(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    let p = common::product_by_slug(env.db(), "sencha-asahi").await;
    let r = send(&env, {
        let mut req =
            Request::get(format!("/api/v1/products/{}/recommendations", p.id)).body(Body::empty()).unwrap();
        req.headers_mut().insert(header::ACCEPT_LANGUAGE, "es".parse().unwrap());
        req
    })
    .await;
    let items = r.json().as_array().unwrap().clone();
    assert_eq!(items.len(), recommendations::LIMIT);
    assert!(items.iter().all(|i| i["id"] != p.id && i["category_slug"] == "te"), "{items:?}");
    let r = send(&env, Request::get("/api/v1/products/999999/recommendations").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r =
        send(&env, Request::get("/api/v1/products/abc/recommendations").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

/// The demo's order history makes "Customers also bought" real in a fresh shop, once.
async fn demo_orders_are_bought_together(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    assert_eq!(seed::demo_orders(env.db()).await.unwrap(), 16);
    assert_eq!(seed::demo_orders(env.db()).await.unwrap(), 0, "added once");
    let sencha = common::product_by_slug(env.db(), "sencha-asahi").await;
    let teapot = common::product_by_slug(env.db(), "glass-teapot-with-infuser").await;
    let chawan = common::product_by_slug(env.db(), "matcha-chawan").await;
    let cookies = common::product_by_slug(env.db(), "matcha-cookies").await;
    assert_eq!(count(&env, sencha.id, teapot.id).await, Some(1));
    // Sencha was bought with these three (once each); a best seller fills the fourth place.
    let with_sencha = suggested(&env, sencha.id).await;
    let mut bought_with: Vec<i64> = with_sencha[..3].to_vec();
    bought_with.sort_unstable();
    let mut expected = vec![teapot.id, chawan.id, cookies.id];
    expected.sort_unstable();
    assert_eq!(bought_with, expected, "{with_sencha:?}");
    // The tea pot was bought with Sencha and with Earl Grey: both come first.
    let earl = common::product_by_slug(env.db(), "earl-grey-creme").await;
    let with_teapot = suggested(&env, teapot.id).await;
    assert!(with_teapot[..3].contains(&sencha.id) && with_teapot[..3].contains(&earl.id), "{with_teapot:?}");
}

on_both_backends!(
    co_purchases_count_each_paid_order_once,
    without_co_purchases_the_category_fills_in,
    demo_orders_are_bought_together
);
