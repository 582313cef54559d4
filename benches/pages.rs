//! Server-side rendering of shopper pages in each language: the home page and a product
//! page, English and Spanish, through the real router (SQLite, the demo catalog). Prints
//! the median and 99th percentile of sequential requests, so the cost of the Spanish
//! words (translation lookups, catalogue) shows against the English page.
//!
//!     cargo bench --features ssr --bench pages        (env: REQUESTS, default 300)

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use fullstack_ws::app::server;
use fullstack_ws::infra::config::Config;
use fullstack_ws::services::seed;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tower::ServiceExt;

async fn time_page(router: &axum::Router, path: &str, requests: usize) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(requests);
    for _ in 0..requests {
        let req = Request::get(path).header(header::ACCEPT, "text/html").body(Body::empty()).unwrap();
        let started = Instant::now();
        let res = router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        times.push(started.elapsed());
    }
    times.sort();
    (times[times.len() / 2], times[times.len() * 99 / 100])
}

fn main() {
    let requests: usize = std::env::var("REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        // Page routes first, before anything renders (leptos-rs/leptos#4773).
        let routes = server::page_routes();
        let dir = temp_dir::TempDir::new().unwrap();
        let vars: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".into(), format!("sqlite://{}/shop.db?mode=rwc", dir.path().display())),
            ("MAIL_DIR".into(), dir.path().join("mail").display().to_string()),
            ("MEDIA_DIR".into(), dir.path().join("media").display().to_string()),
            ("WORKERS".into(), "0".into()),
            ("LEPTOS_SITE_ROOT".into(), dir.path().join("site").display().to_string()),
        ]);
        let config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
        let state = server::build_state(config).await.unwrap();
        seed::seed(&state.db).await.unwrap();
        let router = server::router(state.clone(), routes);
        let id = {
            use fullstack_ws::entities::product;
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            let p = product::Entity::find().filter(product::Column::Slug.eq("burr-hand-grinder"));
            p.one(&state.db).await.unwrap().unwrap().id
        };
        println!("SSR, {requests} sequential requests each (median / p99):");
        for (label, path) in [
            ("home, English", "/".to_string()),
            ("home, Spanish", "/es/".to_string()),
            ("product page, English", format!("/product/{id}/burr-hand-grinder")),
            ("product page, Spanish", format!("/es/product/{id}/molinillo-manual-de-muelas")),
        ] {
            time_page(&router, &path, requests / 10).await; // warm-up
            let (p50, p99) = time_page(&router, &path, requests).await;
            println!("  {label:<24}{:>8.2} ms {:>8.2} ms", p50.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
        }
    });
}
