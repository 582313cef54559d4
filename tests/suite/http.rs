//! HTTP behaviour through the real router: REST (JSON, errors, OpenAPI), server-rendered
//! pages (status codes, redirects), health checks. SQLite and PostgreSQL.
use crate::common;

use crate::common::{call_server_fn, get, send, send_from, Backend, TestEnv};
use axum::body::Body;
use axum::http::StatusCode;
use axum::http::{header, Request};
use fullstack_ws::services::seed;

async fn seeded(backend: Backend) -> TestEnv {
    let env = TestEnv::new(backend, &[]).await;
    seed::seed(env.db()).await.unwrap();
    env
}

async fn product_id(env: &TestEnv, slug: &str) -> i64 {
    common::product_by_slug(env.db(), slug).await.id
}

async fn rest_lists_categories_and_products(backend: Backend) {
    let env = seeded(backend).await;
    let cats = get(&env, "/api/v1/categories").await;
    assert_eq!(cats.status, StatusCode::OK);
    assert_eq!(cats.json().as_array().unwrap().len(), 6);

    let r = get(&env, "/api/v1/products?category=tea&sort=price_asc&per_page=5&page=2").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(
        (v["page"].as_u64(), v["per_page"].as_u64(), v["total"].as_u64()),
        (Some(2), Some(5), Some(8))
    );
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let prices: Vec<i64> = items.iter().map(|i| i["price"]["amount"].as_i64().unwrap()).collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(items[0]["price"]["currency"], "usd");

    let id = product_id(&env, "jasmine-pearls").await;
    let p = get(&env, &format!("/api/v1/products/{id}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.json()["price"]["amount"], 2290);
    assert_eq!(p.json()["category"]["slug"], "tea");
}

async fn rest_rejects_bad_input_with_4xx(backend: Backend) {
    let env = seeded(backend).await;
    let long = "x".repeat(101);
    let cases: Vec<(String, StatusCode, Option<&str>)> = vec![
        ("/api/v1/products?page=-1".into(), StatusCode::UNPROCESSABLE_ENTITY, Some("page")),
        ("/api/v1/products?page=0".into(), StatusCode::UNPROCESSABLE_ENTITY, Some("page")),
        ("/api/v1/products?page=99999999999999999999".into(), StatusCode::UNPROCESSABLE_ENTITY, Some("page")),
        ("/api/v1/products?per_page=101".into(), StatusCode::UNPROCESSABLE_ENTITY, Some("per_page")),
        ("/api/v1/products?sort=cheapest".into(), StatusCode::UNPROCESSABLE_ENTITY, Some("sort")),
        (format!("/api/v1/products?q={long}"), StatusCode::UNPROCESSABLE_ENTITY, Some("q")),
        ("/api/v1/products?category=Bad%20Slug".into(), StatusCode::UNPROCESSABLE_ENTITY, Some("category")),
        ("/api/v1/products?category=no-such".into(), StatusCode::NOT_FOUND, None),
        ("/api/v1/products?page=1&page=2".into(), StatusCode::BAD_REQUEST, None),
        ("/api/v1/products/abc".into(), StatusCode::BAD_REQUEST, None),
        ("/api/v1/products/-4".into(), StatusCode::BAD_REQUEST, None),
        ("/api/v1/products/99999999999999999999999".into(), StatusCode::BAD_REQUEST, None),
        ("/api/v1/products/424242".into(), StatusCode::NOT_FOUND, None),
        ("/api/v1/no-such-endpoint".into(), StatusCode::NOT_FOUND, None),
    ];
    for (uri, status, field) in cases {
        let r = get(&env, &uri).await;
        assert_eq!(r.status, status, "{uri}: {}", r.body);
        let v = r.json();
        assert!(v["error"]["code"].is_string(), "{uri}: {}", r.body);
        assert!(v["error"]["message"].is_string(), "{uri}: {}", r.body);
        if let Some(field) = field {
            assert!(v["error"]["fields"][field].is_string(), "{uri}: {}", r.body);
        }
    }
}

async fn openapi_describes_the_api(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let r = get(&env, "/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert!(v["openapi"].as_str().unwrap().starts_with("3."));
    for (method, path) in [
        ("get", "/api/v1/categories"),
        ("get", "/api/v1/products"),
        ("get", "/api/v1/products/{id}"),
        ("get", "/api/v1/cart"),
        ("put", "/api/v1/cart/lines/{product_id}"),
        ("delete", "/api/v1/cart/lines/{product_id}"),
        ("post", "/api/v1/cart/coupon"),
        ("delete", "/api/v1/cart/coupon"),
        ("post", "/api/v1/orders"),
        ("get", "/api/v1/orders"),
        ("get", "/api/v1/orders/{id}"),
        ("post", "/api/v1/orders/{id}/cancel"),
    ] {
        assert!(v["paths"][path][method].is_object(), "missing {method} {path}");
    }
    assert!(v["components"]["schemas"]["Order"].is_object());
    // Input that cannot be parsed is answered 400, and the spec says so wherever there is input.
    for (method, path) in [
        ("get", "/api/v1/orders/{id}"),
        ("patch", "/api/v1/me"),
        ("delete", "/api/v1/cart/lines/{product_id}"),
    ] {
        let documented = &v["paths"][path][method]["responses"]["400"];
        assert_eq!(
            documented["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
            "{method} {path}"
        );
    }
    assert_eq!(get(&env, "/api/v1/orders/9223372036854775808").await.status, StatusCode::BAD_REQUEST);
    assert!(v["paths"]["/api/v1/categories"]["get"]["responses"]["400"].is_null(), "no input, no 400");
}

async fn pages_render_with_correct_status(backend: Backend) {
    let env = seeded(backend).await;
    let home = get(&env, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("All products"));
    assert!(home.body.contains("Tea Sampler Box"), "newest product on the first page");
    assert!(
        home.body.contains("<title>All products · Ember &amp; Leaf</title>")
            || home.body.contains("All products · Ember & Leaf")
    );

    let cat = get(&env, "/category/snacks?sort=price_desc").await;
    assert_eq!(cat.status, StatusCode::OK);
    assert!(cat.body.contains("Shortbread Tin"));
    assert!(!cat.body.contains("Gooseneck Kettle"));

    let search = get(&env, "/?q=kettle").await;
    assert!(search.body.contains("Gooseneck Kettle"));
    assert!(!search.body.contains("Almond Biscotti"));

    assert_eq!(get(&env, "/category/no-such").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&env, "/no/such/page").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&env, "/product/999999/nothing").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&env, "/product/abc/nothing").await.status, StatusCode::NOT_FOUND);
    let bad_page = get(&env, "/?page=-3").await;
    assert_eq!(bad_page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_page.body.contains("page must be a whole number"));
}

/// Pages start the WASM download only after they have loaded and painted: nothing in the
/// head preloads it (on a slow link that download competed with the first paint), and the
/// hydration script waits for `load`. The pages work before it arrives (forms post).
async fn the_wasm_loads_after_the_first_paint(backend: Backend) {
    let env = seeded(backend).await;
    for path in ["/", "/category/coffee", "/es/", "/cart"] {
        let page = get(&env, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains("modulepreload"), "{path} preloads the JS");
        assert!(!page.body.contains(r#"as="fetch""#), "{path} preloads the WASM");
        let script = page.body.split(r#"<script type="module""#).nth(1).expect("a hydration script");
        let script = &script[..script.find("</script>").unwrap()];
        assert!(script.contains("/fullstack-ws.js") && script.contains("hydrate"), "{path}: {script}");
        assert!(script.contains("addEventListener('load'"), "{path} waits for the page to load: {script}");
    }
}

async fn product_page_redirects_to_canonical_slug(backend: Backend) {
    let env = seeded(backend).await;
    let id = product_id(&env, "burr-hand-grinder").await;
    let ok = get(&env, &format!("/product/{id}/burr-hand-grinder")).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body.contains("Burr Hand Grinder"));
    assert!(ok.body.contains("$89.00"));
    assert!(ok.body.contains("Add to cart"));
    assert!(ok.body.contains(r#"rel="canonical""#));
    let moved = get(&env, &format!("/product/{id}/old-name")).await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.location.as_deref(), Some(format!("/product/{id}/burr-hand-grinder").as_str()));
}

/// A site root with a style sheet and a script, as `cargo leptos build` leaves them.
fn site_files() -> temp_dir::TempDir {
    let site = temp_dir::TempDir::new().unwrap();
    std::fs::create_dir(site.path().join("pkg")).unwrap();
    let css = ".product-card { display: grid; gap: 0.5rem; }\n".repeat(200);
    std::fs::write(site.path().join("pkg/fullstack-ws.css"), css).unwrap();
    let js = "export function hydrate() { return import('./fullstack-ws_bg.wasm'); }\n".repeat(200);
    std::fs::write(site.path().join("pkg/fullstack-ws.js"), js).unwrap();
    std::fs::create_dir_all(site.path().join("images/products")).unwrap();
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\">{}</svg>",
        "<rect width=\"4\" height=\"4\"/>".repeat(50)
    );
    std::fs::write(site.path().join("images/products/burr-hand-grinder.svg"), svg).unwrap();
    site
}

async fn responses_carry_security_headers(backend: Backend) {
    let site = site_files();
    let env = TestEnv::new(backend, &[("LEPTOS_SITE_ROOT", site.path().to_str().unwrap())]).await;
    for uri in ["/", "/cart", "/api/v1/categories", "/no/such/page"] {
        let r = get(&env, uri).await;
        assert_eq!(r.headers["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(r.headers["x-frame-options"], "DENY", "{uri}");
        assert_eq!(r.headers["referrer-policy"], "strict-origin-when-cross-origin", "{uri}");
        if uri != "/" {
            assert_eq!(r.headers["cache-control"], "no-store", "{uri}: personal data is never cached");
        }
    }
    assert!(
        get(&env, "/").await.headers["cache-control"].to_str().unwrap().starts_with("public"),
        "the same for all"
    );
    let asset = get(&env, "/pkg/fullstack-ws.css").await;
    assert_eq!(asset.headers["cache-control"], "public, no-cache", "files from disk are revalidated");
    let modified = asset.headers["last-modified"].to_str().unwrap();
    let again = Request::get("/pkg/fullstack-ws.css").header(header::IF_MODIFIED_SINCE, modified);
    assert_eq!(send(&env, again.body(Body::empty()).unwrap()).await.status, StatusCode::NOT_MODIFIED);
}

/// The raw bytes of an answer to `uri` for a client that accepts `coding`.
async fn fetch_encoded(env: &TestEnv, uri: &str, coding: &str) -> (axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = Request::get(uri).header(header::ACCEPT_ENCODING, coding).body(Body::empty()).unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 40000))));
    let res = env.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{uri}");
    let headers = res.headers().clone();
    (headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
}

async fn answers_are_compressed_for_clients_that_take_it(backend: Backend) {
    use std::io::Read;
    let site = site_files();
    let env = TestEnv::new(backend, &[("LEPTOS_SITE_ROOT", site.path().to_str().unwrap())]).await;
    seed::seed(env.db()).await.unwrap();
    for uri in ["/", "/api/v1/products", "/pkg/fullstack-ws.css", "/pkg/fullstack-ws.js"] {
        let plain = get(&env, uri).await;
        assert!(plain.headers.get("content-encoding").is_none(), "{uri}: not asked, not compressed");
        let (headers, bytes) = fetch_encoded(&env, uri, "gzip").await;
        assert_eq!(headers["content-encoding"], "gzip", "{uri}");
        let vary: Vec<_> =
            headers.get_all(header::VARY).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        assert!(vary.iter().any(|v| v.contains("accept-encoding")), "{uri}: {vary:?}");
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut unzipped).unwrap();
        // A page's nonce differs per answer; its size does not.
        assert_eq!(unzipped.len(), plain.body.len(), "{uri}: the same answer, compressed");
        assert!(bytes.len() * 3 < unzipped.len(), "{uri}: {} of {} bytes", bytes.len(), unzipped.len());
        let (headers, brotli) = fetch_encoded(&env, uri, "gzip, deflate, br").await;
        assert_eq!(headers["content-encoding"], "br", "{uri}: brotli is preferred");
        assert!(brotli.len() <= bytes.len(), "{uri}");
    }
    let (headers, _) = fetch_encoded(&env, "/images/products/burr-hand-grinder.svg", "br").await;
    assert_eq!(headers["content-encoding"], "br", "SVG is text");
}

async fn health_and_readiness(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    assert_eq!(get(&env, "/healthz").await.status, StatusCode::OK);
    let ready = get(&env, "/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    // Without the job table the app is not ready.
    use sea_orm::ConnectionTrait;
    env.db().execute_unprepared("DROP TABLE fang_tasks").await.unwrap();
    let broken = get(&env, "/readyz").await;
    assert_eq!(broken.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(broken.body.contains("job queue"));
    // It names the check, never the database's own words (which can name hosts and SQL).
    assert_eq!(broken.body, "not ready: job queue");
}

async fn dev_mailbox_exists_only_without_smtp(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let page = get(&env, "/dev/mail").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No mail yet"));
    let smtp = TestEnv::new(backend, &[("SMTP_URL", "smtp://127.0.0.1:2525")]).await;
    assert_eq!(get(&smtp, "/dev/mail").await.status, StatusCode::NOT_FOUND);
    // Only this machine may read it: the mail holds password-reset links.
    let from_afar =
        |uri: &str| Request::get(uri).header(header::ACCEPT, "text/html").body(Body::empty()).unwrap();
    let remote: std::net::IpAddr = "203.0.113.7".parse().unwrap();
    assert_eq!(send_from(&env, remote, from_afar("/dev/mail")).await.status, StatusCode::NOT_FOUND);
    // A proxy on this machine forwarding a remote client is the remote client.
    let proxied = TestEnv::new(backend, &[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let mut req = from_afar("/dev/mail");
    req.headers_mut().insert("x-forwarded-for", "203.0.113.7".parse().unwrap());
    assert_eq!(send(&proxied, req).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&proxied, "/dev/mail").await.status, StatusCode::OK, "the proxy's own machine");
    let v6: std::net::IpAddr = "::1".parse().unwrap();
    assert_eq!(send_from(&env, v6, from_afar("/dev/mail")).await.status, StatusCode::OK);
}

/// Pages carry a nonce CSP (a new nonce each time; the pages shared by everyone name their
/// scripts' hashes instead), other answers a policy without inline script; nothing may
/// frame the shop; HSTS only when the site is https.
async fn security_headers_on_every_answer(backend: Backend) {
    let env = seeded(backend).await;
    let shared = get(&env, "/").await.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(shared.contains("script-src 'self' 'sha256-") && !shared.contains("'nonce-"), "{shared}");
    let page = get(&env, "/cart").await;
    let csp = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self' 'nonce-") && csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(page.body.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the header's nonce");
    let again =
        get(&env, "/cart").await.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert_ne!(again, csp, "a fresh nonce per page");
    let missing = get(&env, "/no/such/page").await;
    assert!(
        missing.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("'nonce-"),
        "404 pages hydrate too"
    );
    let api = get(&env, "/api/v1/categories").await;
    let api_csp = api.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(!api_csp.contains("nonce") && api_csp.contains("frame-ancestors 'none'"), "{api_csp}");
    assert!(page.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over plain http");
    let https = TestEnv::new(backend, &[("SITE_URL", "https://shop.example")]).await;
    let hsts = get(&https, "/api/v1/categories").await.headers[header::STRICT_TRANSPORT_SECURITY].clone();
    assert_eq!(hsts, "max-age=31536000");
}

/// `LEPTOS_ENV=PROD` with everything it requires: no emulator, no dev mailbox, whatever
/// the client.
async fn production_never_serves_development_tools(backend: Backend) {
    let env = TestEnv::new(
        backend,
        &[
            ("LEPTOS_ENV", "PROD"),
            ("SITE_URL", "https://shop.example"),
            ("SMTP_URL", "smtp://127.0.0.1:2525"),
            ("STRIPE_SECRET_KEY", "sk_test_real_account"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_real"),
            ("STRIPE_API_BASE", "http://127.0.0.1:9/"),
        ],
    )
    .await;
    assert!(env.state.config.production && !env.state.stripe.emulated);
    for path in
        ["/dev/mail", "/dev/mail/x", "/_stripe/pay/cs_test_1", "/_stripe/v1/checkout/sessions/cs_test_1"]
    {
        assert_eq!(get(&env, path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let create = Request::post("/_stripe/v1/checkout/sessions")
        .header(header::AUTHORIZATION, "Bearer sk_test_emulator")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&env, create).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&env, "/").await.status, StatusCode::OK, "the shop itself runs");
}

async fn server_functions_answer_errors_with_fitting_status(backend: Backend) {
    let env = seeded(backend).await;
    let json = "application/json";
    let form = "application/x-www-form-urlencoded";
    let ok = call_server_fn(&env, "list_products", json, r#"{"raw":{"category":"tea"}}"#).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["products"]["total"], 8);
    assert_eq!(ok.json()["category"]["slug"], "tea");

    let invalid = call_server_fn(&env, "list_products", json, r#"{"raw":{"page":"-1"}}"#).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", invalid.body);
    assert!(invalid.json()["Validation"]["page"].is_string(), "{}", invalid.body);

    let missing = call_server_fn(&env, "get_product", form, "id=999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);

    for garbage in ["id=abc", ""] {
        let bad = call_server_fn(&env, "get_product", form, garbage).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{garbage:?}: {}", bad.body);
    }
    let bad_json = call_server_fn(&env, "list_products", json, "{not json").await;
    assert_eq!(bad_json.status, StatusCode::BAD_REQUEST, "{}", bad_json.body);
}

async fn internal_errors_hide_details(backend: Backend) {
    let env = seeded(backend).await;
    use sea_orm::ConnectionTrait;
    env.db().execute_unprepared("ALTER TABLE products RENAME TO products_gone").await.unwrap();
    let api = get(&env, "/api/v1/products").await;
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(api.json()["error"]["code"], "internal");
    let page = get(&env, "/").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(page.body.contains("Something went wrong on our side"));
    for leak in [&api.body, &page.body] {
        assert!(!leak.contains("no such table") && !leak.contains("does not exist"), "leaks SQL: {leak}");
    }
}

#[tokio::test]
async fn accepted_connections_send_without_delay() {
    use axum::serve::Listener;
    let mut listener = fullstack_ws::app::server::listen(([127, 0, 0, 1], 0).into()).await.unwrap();
    let _client = tokio::net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    let (accepted, _) = listener.accept().await;
    assert!(accepted.nodelay().unwrap(), "TCP_NODELAY on the server's side of the connection");
    // The control: a socket accepted without the server's listener has Nagle's algorithm on.
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let _client = tokio::net::TcpStream::connect(plain.local_addr().unwrap()).await.unwrap();
    assert!(!plain.accept().await.unwrap().0.nodelay().unwrap());
}

on_both_backends!(
    answers_are_compressed_for_clients_that_take_it,
    server_functions_answer_errors_with_fitting_status,
    responses_carry_security_headers,
    internal_errors_hide_details,
    rest_lists_categories_and_products,
    rest_rejects_bad_input_with_4xx,
    openapi_describes_the_api,
    pages_render_with_correct_status,
    product_page_redirects_to_canonical_slug,
    the_wasm_loads_after_the_first_paint,
    health_and_readiness,
    dev_mailbox_exists_only_without_smtp,
    production_never_serves_development_tools,
    security_headers_on_every_answer,
);
