//! Demo order history: paid orders of products bought together, so a fresh demo shop's
//! "Customers also bought" and dashboard have something to show. Only the demo loads
//! them (`SEED_DEMO`, `fullstack-ws seed`), never `seed()` alone: tests that count orders
//! start from none. Each order is keyed `demo-order-NN` and added once; co-purchases are
//! counted as the payment pipeline counts them. They are history: stock is left as seeded
//! and no mail is sent.

use crate::entities::{order, order_line, product};
use crate::models::{AppError, OrderStatus, SHOP_CURRENCY};
use crate::services::recommendations;
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

/// Baskets of demo product slugs (one order each). Kenya AA Nyeri and Jasmine Pearls stay
/// out: the end-to-end test buys them together and expects to be the only pair.
const BASKETS: &[&[&str]] = &[
    &["ethiopia-yirgacheffe", "pour-over-dripper", "paper-filters-100"],
    &["ethiopia-yirgacheffe", "paper-filters-100"],
    &["espresso-noir", "espresso-cup-pair"],
    &["espresso-noir", "almond-biscotti"],
    &["sencha-asahi", "glass-teapot-with-infuser"],
    &["sencha-asahi", "matcha-chawan", "matcha-cookies"],
    &["earl-grey-creme", "shortbread-tin"],
    &["earl-grey-creme", "honey-sticks-20", "glass-teapot-with-infuser"],
    &["burr-hand-grinder", "gooseneck-kettle", "digital-brew-scale"],
    &["french-press-8-cup", "sumatra-mandheling"],
    &["cold-brew-coarse-grind", "travel-tumbler"],
    &["dark-chocolate-72", "hazelnut-praline-bar", "salted-caramel-stroopwafels"],
    &["genmaicha", "stoneware-mug-charcoal"],
    &["rooibos-vanilla-chai", "candied-ginger"],
    &["tea-sampler-box", "tasting-notebook"],
    &["guatemala-antigua", "stoneware-mug-sea-glass"],
];

fn key(n: usize) -> String {
    format!("demo-order-{n:02}")
}

/// Adds the demo orders not there yet (a basket whose products are gone is skipped);
/// returns how many were added.
pub async fn demo_orders(db: &DatabaseConnection) -> Result<usize, AppError> {
    let txn = crate::infra::db::begin_write(db).await?;
    let mut added = 0;
    let now = Utc::now();
    for (n, basket) in BASKETS.iter().enumerate() {
        if order::Entity::find().filter(order::Column::IdempotencyKey.eq(key(n))).one(&txn).await?.is_some() {
            continue;
        }
        let products = product::Entity::find()
            .filter(product::Column::Slug.is_in(basket.iter().copied()))
            .all(&txn)
            .await?;
        if products.len() != basket.len() {
            continue;
        }
        let subtotal: i64 = products.iter().map(|p| p.price).sum();
        // Spread over the last month, a couple of days apart.
        let at = now - Duration::days(30) + Duration::hours(n as i64 * 44);
        let placed = order::ActiveModel {
            guest_id: Set(Some("demo".into())),
            status: Set(OrderStatus::Paid),
            email: Set(format!("demo.shopper{n:02}@example.com")),
            first_name: Set("Demo".into()),
            last_name: Set(format!("Shopper {n:02}")),
            address: Set("1 Example Street".into()),
            postal_code: Set("12345".into()),
            city: Set("Springfield".into()),
            subtotal: Set(subtotal),
            discount: Set(0),
            total: Set(subtotal),
            currency: Set(SHOP_CURRENCY.into()),
            idempotency_key: Set(key(n)),
            created_at: Set(at),
            updated_at: Set(at),
            paid_at: Set(Some(at)),
            checkout_attempts: Set(0),
            refund_due: Set(false),
            locale: Set("en".into()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for p in &products {
            order_line::ActiveModel {
                order_id: Set(placed.id),
                product_id: Set(p.id),
                product_name: Set(p.name.clone()),
                unit_price: Set(p.price),
                quantity: Set(1),
                line_total: Set(p.price),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        recommendations::count_order(&txn, placed.id, 1).await?;
        added += 1;
    }
    txn.commit().await?;
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baskets_name_demo_products_and_leave_the_tested_pair_alone() {
        let slugs: std::collections::HashSet<String> = super::super::CATALOG
            .iter()
            .flat_map(|(_, _, items)| items.iter().map(|i| super::super::slugify(i.0)))
            .collect();
        for basket in BASKETS {
            assert!(basket.len() >= 2);
            for slug in basket.iter() {
                assert!(slugs.contains(*slug), "{slug} is not a demo product");
                assert!(!["kenya-aa-nyeri", "jasmine-pearls"].contains(slug));
            }
        }
    }
}
