//! Backups of a live SQLite shop: a copy taken while orders are being placed holds every
//! order committed before it began, opens cleanly, and restores into a working shop.

use crate::common::{product_by_slug, runtime, Backend, TestEnv};
use fullstack_ws::infra::backup;
use fullstack_ws::services::cart::{self, Shopper};
use fullstack_ws::services::orders::{self, MailSettings};
use fullstack_ws::services::seed;
use sea_orm::{ConnectionTrait, Statement};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn shipping() -> fullstack_ws::models::Shipping {
    fullstack_ws::models::Shipping {
        first_name: "Bea".into(),
        last_name: "Backup".into(),
        email: "bea@example.com".into(),
        address: "1 Copy Lane".into(),
        postal_code: "1000".into(),
        city: "Town".into(),
    }
}

async fn ids_in(path: &std::path::Path) -> Vec<i64> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    let copy = sea_orm::Database::connect(url).await.unwrap();
    let rows = copy
        .query_all(Statement::from_string(sea_orm::DbBackend::Sqlite, "SELECT id FROM orders ORDER BY id"))
        .await
        .unwrap();
    let lineless = copy
        .query_one(Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT COUNT(*) AS n FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lineless.try_get::<i64>("", "n").unwrap(), 0, "every order in the copy has its lines");
    copy.close().await.ok();
    rows.iter().map(|r| r.try_get_by_index::<i64>(0).unwrap()).collect()
}

#[test]
fn a_backup_under_write_load_holds_every_committed_order() {
    runtime().block_on(async {
        let env = TestEnv::new(Backend::Sqlite, &[]).await;
        seed::seed(env.db()).await.unwrap();
        let products = [
            product_by_slug(env.db(), "ember-house-blend").await.id,
            product_by_slug(env.db(), "sencha-asahi").await.id,
        ];
        let committed = Arc::new(Mutex::new(Vec::<i64>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (db, committed, stop) = (env.db().clone(), committed.clone(), stop.clone());
            let (from, site) = (env.state.config.mail_from.clone(), env.site_url().to_owned());
            tokio::spawn(async move {
                let settings = MailSettings { from: &from, site_url: &site };
                for n in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let shopper = Shopper::Guest(uuid::Uuid::new_v4());
                    cart::add(&db, &shopper, products[n % 2], 1).await.unwrap();
                    let key = uuid::Uuid::new_v4().to_string();
                    match orders::place(&db, &shopper, &shipping(), &key, &settings).await {
                        Ok(placed) => committed.lock().unwrap().push(placed.order.id),
                        Err(e) => panic!("order {n}: {e:?}"),
                    }
                }
            })
        };
        crate::common::wait_for(20, "orders being placed", || async {
            (committed.lock().unwrap().len() >= 5).then_some(())
        })
        .await;
        let before: Vec<i64> = committed.lock().unwrap().clone();
        let path = env.dir.path().join("backups/shop-backup.db");
        let report = backup::backup_sqlite(env.db(), &path).await.unwrap();
        // Keep writing a little longer: the copy must not change or break.
        let during = committed.lock().unwrap().len();
        crate::common::wait_for(20, "more orders after the backup", || async {
            (committed.lock().unwrap().len() >= during + 3).then_some(())
        })
        .await;
        stop.store(true, Ordering::SeqCst);
        writer.await.unwrap();
        let all: Vec<i64> = committed.lock().unwrap().clone();

        let copied = ids_in(&path).await;
        assert_eq!(report.orders as usize, copied.len());
        for id in &before {
            assert!(copied.contains(id), "order {id} was committed before the backup began");
        }
        assert!(copied.iter().all(|id| all.contains(id)), "nothing in the copy that was not committed");
        assert!(copied.len() < all.len(), "orders placed after the backup are not in it");
        assert!(
            backup::backup_sqlite(env.db(), &path).await.unwrap_err().contains("already exists"),
            "a backup never overwrites a file"
        );

        // Restored into place, it is a working shop with exactly those orders.
        let target = env.dir.path().join("restored/shop.db");
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(&target, b"the database being replaced").unwrap();
        let (restored, kept) = backup::restore_sqlite(&path, &target).await.unwrap();
        assert_eq!(restored.orders as usize, copied.len());
        let kept = kept.expect("the replaced file is kept");
        assert_eq!(std::fs::read(&kept).unwrap(), b"the database being replaced");
        assert_eq!(ids_in(&target).await, copied);

        let garbage = env.dir.path().join("not-a-backup.db");
        std::fs::write(&garbage, b"hello").unwrap();
        assert!(backup::restore_sqlite(&garbage, &target).await.is_err(), "only a checked copy is restored");
        assert_eq!(ids_in(&target).await, copied, "a refused restore changes nothing");
    });
}
