//! Cart, coupons and orders through the services: money arithmetic, stock that never
//! oversells, idempotent placement, the order state machine, the stale-order job.
//! SQLite and PostgreSQL.
use crate::common;

use crate::common::{Backend, TestEnv};
use chrono::{Duration, Utc};
use fullstack_ws::entities::{coupon, order, outbox_mail, product};
use fullstack_ws::models::{AppError, OrderStatus, Shipping};
use fullstack_ws::services::cart::{self, Shopper};
use fullstack_ws::services::orders::{self, MailSettings, Transition};
use fullstack_ws::services::seed;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

fn guest() -> Shopper {
    Shopper::Guest(uuid::Uuid::new_v4())
}

fn shipping() -> Shipping {
    Shipping {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        address: "12 St James's Square".into(),
        postal_code: "SW1Y 4JH".into(),
        city: "London".into(),
    }
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn seeded(backend: Backend) -> TestEnv {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    env
}

/// A product with exactly this price and stock.
async fn product_with(db: &DatabaseConnection, slug: &str, price: i64, stock: i32) -> i64 {
    let p = common::product_by_slug(db, slug).await;
    let mut active: product::ActiveModel = p.into();
    active.price = Set(price);
    active.stock = Set(stock);
    active.update(db).await.unwrap().id
}

async fn place(env: &TestEnv, shopper: &Shopper, key: &str) -> Result<orders::Placed, AppError> {
    let settings = MailSettings { from: &env.state.config.mail_from, site_url: &env.state.config.site_url };
    orders::place(env.db(), shopper, &shipping(), key, &settings).await
}

async fn stock(db: &DatabaseConnection, id: i64) -> i32 {
    product::Entity::find_by_id(id).one(db).await.unwrap().unwrap().stock
}

fn field_error(result: Result<impl std::fmt::Debug, AppError>, field: &str) -> String {
    match result {
        Err(AppError::Validation(fields)) => {
            fields.get(field).cloned().unwrap_or_else(|| panic!("no error for {field}: {fields:?}"))
        }
        other => panic!("expected a validation error on {field}, got {other:?}"),
    }
}

async fn cart_totals_with_coupon_round_half_up(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let a = product_with(db, "ember-house-blend", 1_999, 10).await;
    let b = product_with(db, "sencha-asahi", 1_251, 10).await;
    let shopper = guest();
    cart::add(db, &shopper, a, 2).await.unwrap();
    let c = cart::add(db, &shopper, b, 1).await.unwrap();
    assert_eq!(c.item_count, 3);
    assert_eq!(c.subtotal.amount, 2 * 1_999 + 1_251); // 5249
    assert_eq!(c.total.amount, 5_249);

    let c = cart::apply_coupon(db, &shopper, "  welcome10 ").await.unwrap();
    assert_eq!(c.coupon.as_ref().unwrap().code, "WELCOME10");
    assert_eq!(c.discount.amount, 525, "10% of 52.49 is 5.249, rounded half up to 5.25");
    assert_eq!(c.total.amount, 5_249 - 525);

    let c = cart::remove_coupon(db, &shopper).await.unwrap();
    assert_eq!((c.discount.amount, c.total.amount), (0, 5_249));
}

async fn bad_coupons_get_a_clear_message(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let now = Utc::now();
    for (code, active, from, to) in [
        ("OLD5", true, now - Duration::days(10), now - Duration::days(1)),
        ("SOON5", true, now + Duration::days(1), now + Duration::days(10)),
        ("OFF5", false, now - Duration::days(1), now + Duration::days(10)),
    ] {
        coupon::ActiveModel {
            code: Set(code.into()),
            percent: Set(5),
            valid_from: Set(from),
            valid_to: Set(to),
            active: Set(active),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    let shopper = guest();
    assert!(field_error(cart::apply_coupon(db, &shopper, "NOPE").await, "code").contains("not a coupon"));
    assert!(field_error(cart::apply_coupon(db, &shopper, "old5").await, "code").contains("expired"));
    assert!(field_error(cart::apply_coupon(db, &shopper, "SOON5").await, "code").contains("not valid yet"));
    assert!(field_error(cart::apply_coupon(db, &shopper, "off5").await, "code").contains("no longer active"));
    assert!(field_error(cart::apply_coupon(db, &shopper, "").await, "code").contains("Enter"));

    // A coupon that lapses after it was applied stops discounting and blocks the order.
    let p = product_with(db, "ember-house-blend", 1_000, 5).await;
    cart::add(db, &shopper, p, 1).await.unwrap();
    cart::apply_coupon(db, &shopper, "WELCOME10").await.unwrap();
    coupon::Entity::update_many()
        .col_expr(coupon::Column::Active, Expr::value(false))
        .filter(coupon::Column::Code.eq("WELCOME10"))
        .exec(db)
        .await
        .unwrap();
    let c = cart::view(db, &shopper).await.unwrap();
    assert_eq!(c.discount.amount, 0);
    assert!(c.coupon_problem.is_some());
    assert!(matches!(place(&env, &shopper, &key()).await, Err(AppError::Conflict(_))));
}

async fn quantities_are_bounded_by_stock_and_twenty(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let few = product_with(db, "ember-house-blend", 1_000, 3).await;
    let many = product_with(db, "sencha-asahi", 1_000, 100).await;
    let shopper = guest();
    assert!(field_error(cart::set_quantity(db, &shopper, few, 4).await, "quantity").contains("1 to 3"));
    assert!(field_error(cart::set_quantity(db, &shopper, many, 21).await, "quantity").contains("1 to 20"));
    assert!(field_error(cart::set_quantity(db, &shopper, many, -1).await, "quantity").contains("1 to 20"));
    cart::add(db, &shopper, few, 2).await.unwrap();
    assert!(field_error(cart::add(db, &shopper, few, 2).await, "quantity").contains("already have 2"));
    assert_eq!(cart::set_quantity(db, &shopper, few, 3).await.unwrap().item_count, 3);
    assert_eq!(cart::set_quantity(db, &shopper, few, 0).await.unwrap().lines.len(), 0, "0 removes");
    assert!(matches!(cart::add(db, &shopper, 999_999, 1).await, Err(AppError::NotFound(_))));
    // Removing what is not there is not an error.
    assert!(cart::remove(db, &shopper, few).await.unwrap().lines.is_empty());
    assert!(cart::remove(db, &guest(), few).await.unwrap().lines.is_empty());
}

async fn prices_come_from_the_catalog_at_order_time(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let p = product_with(db, "ember-house-blend", 1_000, 10).await;
    let shopper = guest();
    cart::add(db, &shopper, p, 2).await.unwrap();
    product_with(db, "ember-house-blend", 1_250, 10).await;
    let c = cart::view(db, &shopper).await.unwrap();
    assert_eq!(
        (c.lines[0].unit_price.amount, c.total.amount),
        (1_250, 2_500),
        "the cart shows today's price"
    );
    let placed = place(&env, &shopper, &key()).await.unwrap();
    assert_eq!(placed.order.lines[0].unit_price.amount, 1_250);
    assert_eq!(placed.order.total.amount, 2_500);
    // A later price change does not touch the placed order.
    product_with(db, "ember-house-blend", 9_999, 10).await;
    assert_eq!(orders::get(db, &shopper, placed.order.id).await.unwrap().total.amount, 2_500);
}

async fn placing_reserves_stock_empties_cart_and_queues_mail(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let a = product_with(db, "ember-house-blend", 1_999, 5).await;
    let b = product_with(db, "sencha-asahi", 1_251, 5).await;
    let shopper = guest();
    cart::add(db, &shopper, a, 2).await.unwrap();
    cart::add(db, &shopper, b, 1).await.unwrap();
    cart::apply_coupon(db, &shopper, "WELCOME10").await.unwrap();
    let placed = place(&env, &shopper, &key()).await.unwrap();
    let o = &placed.order;
    assert!(placed.created);
    assert_eq!(o.status, OrderStatus::Created);
    assert_eq!((o.subtotal.amount, o.discount.amount, o.total.amount), (5_249, 525, 4_724));
    assert_eq!(o.coupon_code.as_deref(), Some("WELCOME10"));
    assert_eq!(o.lines.len(), 2);
    assert_eq!((stock(db, a).await, stock(db, b).await), (3, 4));
    let c = cart::view(db, &shopper).await.unwrap();
    assert!(c.lines.is_empty() && c.coupon.is_none(), "cart emptied: {c:?}");
    let next_form = orders::checkout_prefill(db, &shopper, None).await.unwrap();
    assert_eq!((next_form.email.as_str(), next_form.city.as_str()), ("ada@example.com", "London"));

    let mail = outbox_mail::Entity::find_by_id(placed.mail_id.unwrap()).one(db).await.unwrap().unwrap();
    assert_eq!(mail.recipient, "ada@example.com");
    assert_eq!(mail.subject, format!("Order #{} received", o.id));
    assert!(mail.message.contains(&format!("/orders/{}", o.id)), "links to the status page");
    assert!(mail.message.contains("$47.24"));

    assert!(matches!(place(&env, &shopper, &key()).await, Err(AppError::Conflict(m)) if m.contains("empty")));
    assert!(matches!(
        orders::place(
            db,
            &shopper,
            &Shipping { email: "nope".into(), ..shipping() },
            &key(),
            &MailSettings { from: &env.state.config.mail_from, site_url: "http://x" }
        )
        .await,
        Err(AppError::Validation(f)) if f.contains_key("email")
    ));
    assert!(matches!(place(&env, &shopper, "short").await, Err(AppError::BadRequest(_))));
}

async fn a_double_submitted_form_places_one_order(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let p = product_with(db, "ember-house-blend", 1_000, 10).await;
    let shopper = guest();
    cart::add(db, &shopper, p, 2).await.unwrap();
    let k = key();
    // The same form submitted twice at once, then once more later.
    let (first, second) = tokio::join!(place(&env, &shopper, &k), place(&env, &shopper, &k));
    let (first, second) = (first.unwrap(), second.unwrap());
    let again = place(&env, &shopper, &k).await.unwrap();
    assert_eq!(first.order.id, second.order.id);
    assert_eq!(first.order.id, again.order.id);
    assert_eq!(u8::from(first.created) + u8::from(second.created), 1, "exactly one placed it");
    assert!(!again.created);
    assert_eq!(order::Entity::find().count(db).await.unwrap(), 1);
    assert_eq!(stock(db, p).await, 8, "stock reserved once");
    assert_eq!(outbox_mail::Entity::find().count(db).await.unwrap(), 1, "one mail");
    // Another shopper reusing the key learns nothing about the order.
    let other = guest();
    cart::add(db, &other, p, 1).await.unwrap();
    assert!(matches!(place(&env, &other, &k).await, Err(AppError::Conflict(_))));
}

async fn fifty_shoppers_five_in_stock_five_orders(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let p = product_with(db, "ember-house-blend", 1_000, 5).await;
    let shoppers: Vec<Shopper> = (0..50).map(|_| guest()).collect();
    for s in &shoppers {
        cart::add(db, s, p, 1).await.unwrap();
    }
    // 50 shoppers press `Place order` at the same moment, each on its own task.
    let tasks = shoppers.into_iter().map(|s| {
        let (db, from, site) =
            (db.clone(), env.state.config.mail_from.clone(), env.state.config.site_url.clone());
        tokio::spawn(async move {
            let settings = MailSettings { from: &from, site_url: &site };
            orders::place(&db, &s, &shipping(), &key(), &settings).await
        })
    });
    let results: Vec<_> = futures::future::join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    let placed = results.iter().filter(|r| r.is_ok()).count();
    // The others hear that it sold out (from the stock check or from the reservation).
    let sold_out = results
        .iter()
        .filter(|r| matches!(r, Err(AppError::Conflict(m)) if m.to_lowercase().contains("sold out")))
        .count();
    assert_eq!(
        (placed, sold_out),
        (5, 45),
        "{:?}",
        results.iter().filter(|r| r.is_err()).take(3).collect::<Vec<_>>()
    );
    assert_eq!(stock(db, p).await, 0);
    assert_eq!(order::Entity::find().count(db).await.unwrap(), 5);
}

async fn only_created_orders_move(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let p = product_with(db, "ember-house-blend", 1_000, 10).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let s = guest();
        cart::add(db, &s, p, 3).await.unwrap();
        ids.push(place(&env, &s, &key()).await.unwrap().order.id);
    }
    assert_eq!(stock(db, p).await, 4);
    let (paid, cancelled) = (ids[0], ids[1]);

    assert_eq!(orders::transition(db, paid, OrderStatus::Paid).await.unwrap(), Transition::Applied);
    assert_eq!(orders::transition(db, paid, OrderStatus::Paid).await.unwrap(), Transition::AlreadyThere);
    assert!(matches!(orders::transition(db, paid, OrderStatus::Cancelled).await, Err(AppError::Conflict(_))));
    assert!(matches!(orders::transition(db, paid, OrderStatus::Created).await, Err(AppError::Conflict(_))));
    assert_eq!(stock(db, p).await, 4, "a refused cancel releases nothing");

    assert_eq!(orders::transition(db, cancelled, OrderStatus::Cancelled).await.unwrap(), Transition::Applied);
    assert_eq!(stock(db, p).await, 7, "cancelling released 3");
    assert_eq!(
        orders::transition(db, cancelled, OrderStatus::Cancelled).await.unwrap(),
        Transition::AlreadyThere
    );
    assert_eq!(stock(db, p).await, 7, "released once");
    assert!(matches!(orders::transition(db, cancelled, OrderStatus::Paid).await, Err(AppError::Conflict(_))));
    assert!(matches!(orders::transition(db, 999_999, OrderStatus::Paid).await, Err(AppError::NotFound(_))));
}

async fn shoppers_see_and_cancel_only_their_own_orders(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let p = product_with(db, "ember-house-blend", 1_000, 10).await;
    let owner = guest();
    cart::add(db, &owner, p, 2).await.unwrap();
    let id = place(&env, &owner, &key()).await.unwrap().order.id;
    let stranger = guest();
    assert!(matches!(orders::get(db, &stranger, id).await, Err(AppError::NotFound(_))));
    assert!(matches!(orders::cancel(db, &stranger, id).await, Err(AppError::NotFound(_))));
    assert!(orders::list(db, &stranger).await.unwrap().is_empty());
    let mine = orders::list(db, &owner).await.unwrap();
    assert_eq!((mine.len(), mine[0].item_count, mine[0].total.amount), (1, 2, 2_000));
    let queued = env.queued_tasks().await;
    assert!(queued.iter().any(|t| t.contains("SendMail")), "placing queued its mail: {queued:?}");
    assert!(!queued.iter().any(|t| t.contains("ExpireCheckoutSession")), "a refused cancel queues nothing");
    assert_eq!(orders::cancel(db, &owner, id).await.unwrap().status, OrderStatus::Cancelled);
    assert_eq!(stock(db, p).await, 10);
    orders::cancel(db, &owner, id).await.unwrap();
    let expiries: Vec<serde_json::Value> = env
        .queued_tasks()
        .await
        .iter()
        .map(|t| serde_json::from_str::<serde_json::Value>(t).unwrap())
        .filter(|t| t["type"] == "ExpireCheckoutSession")
        .collect();
    assert_eq!(
        expiries,
        [serde_json::json!({"type": "ExpireCheckoutSession", "order_id": id})],
        "queued once, with the cancel"
    );
}

async fn stale_unpaid_orders_are_cancelled(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let p = product_with(db, "ember-house-blend", 1_000, 10).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let s = guest();
        cart::add(db, &s, p, 1).await.unwrap();
        ids.push(place(&env, &s, &key()).await.unwrap().order.id);
    }
    // One is old and unpaid, one old but paid, one fresh.
    let old = Utc::now() - Duration::hours(30);
    order::Entity::update_many()
        .col_expr(order::Column::CreatedAt, Expr::value(old))
        .filter(order::Column::Id.is_in([ids[0], ids[1]]))
        .exec(db)
        .await
        .unwrap();
    orders::transition(db, ids[1], OrderStatus::Paid).await.unwrap();
    let ttl = std::time::Duration::from_secs(24 * 3600);
    assert_eq!(orders::cancel_stale(db, ttl, Utc::now()).await.unwrap().len(), 1);
    assert!(orders::cancel_stale(db, ttl, Utc::now()).await.unwrap().is_empty(), "idempotent");
    let status = |id| async move { order::Entity::find_by_id(id).one(db).await.unwrap().unwrap().status };
    assert_eq!(status(ids[0]).await, OrderStatus::Cancelled);
    assert_eq!(status(ids[1]).await, OrderStatus::Paid);
    assert_eq!(status(ids[2]).await, OrderStatus::Created);
    assert_eq!(stock(db, p).await, 8);
}

async fn withdrawn_products_block_checkout(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let p = product_with(db, "ember-house-blend", 1_000, 10).await;
    let shopper = guest();
    cart::add(db, &shopper, p, 4).await.unwrap();
    product_with(db, "ember-house-blend", 1_000, 2).await;
    let c = cart::view(db, &shopper).await.unwrap();
    assert!(c.lines[0].problem.as_deref().unwrap().contains("Only 2"));
    assert!(!c.can_check_out());
    assert!(matches!(place(&env, &shopper, &key()).await, Err(AppError::Conflict(_))));
    assert_eq!(stock(db, p).await, 2, "nothing reserved");
}

async fn a_guest_cart_merges_into_another(backend: Backend) {
    let env = seeded(backend).await;
    let db = env.db();
    let few = product_with(db, "ember-house-blend", 1_000, 5).await;
    let other = product_with(db, "sencha-asahi", 500, 50).await;
    let (guest_cart, account) = (guest(), guest());
    cart::add(db, &account, few, 3).await.unwrap();
    cart::add(db, &guest_cart, few, 4).await.unwrap();
    cart::add(db, &guest_cart, other, 2).await.unwrap();
    cart::apply_coupon(db, &guest_cart, "WELCOME10").await.unwrap();

    let merged = cart::merge(db, &guest_cart, &account).await.unwrap();
    let qty = |id| merged.lines.iter().find(|l| l.product_id == id).map(|l| l.quantity);
    assert_eq!(qty(few), Some(5), "3 + 4 capped by the stock of 5");
    assert_eq!(qty(other), Some(2));
    assert_eq!(merged.coupon.as_ref().map(|c| c.code.as_str()), Some("WELCOME10"));
    assert!(cart::view(db, &guest_cart).await.unwrap().lines.is_empty(), "the guest cart is gone");
    // Merging again (or from a shopper without a cart) changes nothing.
    assert_eq!(cart::merge(db, &guest_cart, &account).await.unwrap(), merged);
}

/// SQLite: a login merge while another connection holds the write lock waits for it and
/// succeeds. The control shows the failure this avoids: a transaction that reads first,
/// then writes after another writer committed, fails with BUSY (its snapshot is stale,
/// and SQLite does not retry that), which at login came after the session had switched.
#[test]
fn a_merge_waits_for_a_concurrent_writer_instead_of_failing() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    common::runtime().block_on(async {
        let env = seeded(Backend::Sqlite).await;
        let db = env.db();
        let p = product_with(db, "ember-house-blend", 1_000, 10).await;
        // It must change the row: SQLite leaves an unchanged page unwritten.
        let touch = format!("UPDATE products SET stock = stock + 1 WHERE id = {p}");
        let other = fullstack_ws::infra::db::connect(&env.state.config.database_url).await.unwrap();

        // Control: read first, another writer commits, then write.
        let deferred = db.begin().await.unwrap();
        product::Entity::find_by_id(p).one(&deferred).await.unwrap();
        other.execute_unprepared(&touch).await.unwrap();
        let err = deferred.execute_unprepared(&touch).await.expect_err("a stale snapshot cannot write");
        assert!(err.to_string().contains("database is locked"), "{err}");
        deferred.rollback().await.unwrap();

        let (guest_cart, account) = (guest(), guest());
        cart::add(db, &guest_cart, p, 2).await.unwrap();
        cart::add(db, &account, p, 1).await.unwrap();
        let writer = other.begin().await.unwrap();
        writer.execute_unprepared(&touch).await.unwrap();
        let merging = {
            let db = db.clone();
            tokio::spawn(async move { cart::merge(&db, &guest_cart, &account).await })
        };
        // While the lock is held the merge cannot finish. (A read-first merge fails here at
        // once: SQLite answers BUSY to a read transaction's upgrade without waiting.)
        let mut merging = std::pin::pin!(merging);
        let waited = tokio::time::timeout(std::time::Duration::from_millis(300), &mut merging).await;
        assert!(waited.is_err(), "the merge waits for the write lock");
        writer.commit().await.unwrap();
        let merged = merging.await.unwrap().expect("the merge succeeds once the lock is free");
        assert_eq!(merged.lines.iter().map(|l| (l.product_id, l.quantity)).collect::<Vec<_>>(), vec![(p, 3)]);
        assert!(cart::view(db, &guest_cart).await.unwrap().lines.is_empty());
    });
}

on_both_backends!(
    a_guest_cart_merges_into_another,
    cart_totals_with_coupon_round_half_up,
    bad_coupons_get_a_clear_message,
    quantities_are_bounded_by_stock_and_twenty,
    prices_come_from_the_catalog_at_order_time,
    placing_reserves_stock_empties_cart_and_queues_mail,
    a_double_submitted_form_places_one_order,
    fifty_shoppers_five_in_stock_five_orders,
    only_created_orders_move,
    shoppers_see_and_cancel_only_their_own_orders,
    stale_unpaid_orders_are_cancelled,
    withdrawn_products_block_checkout,
);
