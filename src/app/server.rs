//! Assembles and runs the HTTP server: pages, server functions, REST, health checks,
//! static files; request logging; graceful shutdown.

use crate::flows::AppState;
use crate::infra::mail::Transport;
use crate::infra::{config::Config, db};
use crate::jobs as queue;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::{extract::State, http::StatusCode, response::IntoResponse, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::{sync::Arc, time::Duration};
use tower_http::{compression::CompressionLayer, set_header::SetResponseHeaderLayer, trace::TraceLayer};

/// Connects everything the app needs and runs migrations.
pub async fn build_state(mut config: Config) -> Result<AppState, String> {
    // Several TLS users (Stripe, SMTP, the emulator's deliveries) share rustls; with more
    // than one crypto backend in the build it needs to be told which (once per process).
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Before any request or job is counted.
    crate::http::metrics::handle();
    let db = db::connect(&config.database_url).await.map_err(|e| format!("database: {e}"))?;
    db::migrate(&db).await.map_err(|e| format!("migrations: {e}"))?;
    crate::services::search::ensure_index(&db).await.map_err(|e| format!("search index: {e}"))?;
    #[cfg(feature = "stripe-emulator")]
    if config.stripe.emulated {
        db::migrate_emulator(&db).await.map_err(|e| format!("emulator migrations: {e}"))?;
    }
    if config.stripe.webhook_secret.is_none() {
        // Development with the emulator: sign with this database's own secret, never a
        // constant anyone could read in the source.
        let secret = crate::infra::secrets::get_or_create(
            &db,
            crate::infra::secrets::EMULATOR_WEBHOOK_SECRET,
            "whsec_",
        )
        .await
        .map_err(|e| format!("webhook secret: {e}"))?;
        config.stripe.webhook_secret = Some(secret);
    }
    let queue = queue::connect(&config.database_url, config.workers + 2).await?;
    let transport = Transport::from_config(config.smtp_url.as_deref(), &config.mail_dir)?;
    let stripe = crate::infra::stripe::Stripe::from_settings(&config.stripe)?;
    let assets = super::assets::Bundle::embedded().map(Arc::new);
    if let Some(bundle) = &assets {
        tracing::info!(files = %bundle.pkg_dir(), "serving the site files built into this binary");
    }
    let leptos_options = LeptosOptions::builder()
        .output_name(env!("CARGO_PKG_NAME"))
        .site_root(config.site_root.clone())
        .site_pkg_dir(assets.as_ref().map_or_else(|| "pkg".to_owned(), |b| b.pkg_dir()))
        .site_addr(config.site_addr)
        .reload_port(config.reload_port)
        .env(if config.production { leptos::config::Env::PROD } else { leptos::config::Env::DEV })
        .build();
    let key = crate::infra::secrets::get_or_create(&db, crate::infra::secrets::SESSION_KEY, "")
        .await
        .map_err(|e| format!("session key: {e}"))?;
    let fingerprint_key = crate::flows::auth::FingerprintKey::new(&key);
    let jobs = queue::JobContext { db, queue, transport, stripe, config: Arc::new(config) };
    Ok(AppState { leptos_options, jobs, fingerprint_key, assets })
}

/// The page routes, generated from the UI's `<Routes>`. Generate them once per process,
/// before anything is served: while it runs, leptos suppresses resource loading
/// process-wide (leptos-rs/leptos#4773), so a page rendered meanwhile would never finish.
pub fn page_routes() -> Vec<AxumRouteListing> {
    generate_route_list(crate::ui::App)
}

/// `/es` is the Spanish home page's other spelling; `/es/` is the page.
async fn spanish_home(axum::extract::RawQuery(query): axum::extract::RawQuery) -> axum::response::Redirect {
    match query {
        Some(q) => axum::response::Redirect::permanent(&format!("/es/?{q}")),
        None => axum::response::Redirect::permanent("/es/"),
    }
}

/// The whole app: pages (from `routes`, see [`page_routes`]), server functions, REST,
/// webhook, plain forms, media, health checks, and the layers every request passes.
pub fn router(state: AppState, routes: Vec<AxumRouteListing>) -> Router {
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::http::metrics::metrics))
        .route("/payment/webhook", post(crate::http::webhook::webhook))
        .route("/es", get(spanish_home))
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap))
        // The admin product page's image form (a plain multipart POST; 303 back).
        .route(
            "/admin/products/{id}/image",
            post(crate::http::admin_forms::upload_image_form)
                .layer(DefaultBodyLimit::max(crate::http::UPLOAD_LIMIT)),
        )
        .route("/admin/products/availability", post(crate::http::admin_forms::bulk_availability_form))
        .nest_service("/media", tower_http::services::ServeDir::new(&state.config.media_dir))
        .merge(crate::http::rest::router());
    // The emulator exists only without a real Stripe key (and only in builds that have it).
    #[cfg(feature = "stripe-emulator")]
    let app = if state.stripe.emulated { app.merge(crate::stripe_emulator::router()) } else { app };
    app.leptos_routes_with_context(&state, routes, page_context(state.clone()), {
        let options = state.leptos_options.clone();
        move || crate::ui::shell(options.clone())
    })
    .fallback({
        // The binary's own files first (if it has them), then files on disk, then a 404 page.
        let from_disk_or_404 = leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            page_context(state.clone()),
            crate::ui::shell,
        );
        // Leptos's own file handler drops the request's conditional headers; this one
        // answers `If-Modified-Since` with 304.
        let files = tower_http::services::ServeDir::new(&state.config.site_root)
            .precompressed_br()
            .precompressed_gzip();
        move |uri: axum::http::Uri, State(state): State<AppState>, req: axum::extract::Request| async move {
            if let Some(found) = state.assets.as_ref().and_then(|b| b.serve(uri.path(), req.headers())) {
                return found;
            }
            if req.method() == axum::http::Method::GET || req.method() == axum::http::Method::HEAD {
                let mut file = axum::http::Request::new(axum::body::Body::empty());
                (*file.method_mut(), *file.uri_mut(), *file.headers_mut()) =
                    (req.method().clone(), uri.clone(), req.headers().clone());
                let Ok(res) = tower::ServiceExt::oneshot(files.clone(), file).await;
                if res.status() != StatusCode::NOT_FOUND {
                    return res.into_response();
                }
            }
            from_disk_or_404(uri, State(state), req).await
        }
    })
    .layer(axum::middleware::map_response(server_fn_error_status))
    .layer(axum::middleware::from_fn(crate::infra::security::no_store_for_dynamic))
    // Catalog pages, the same for everyone, from memory (one cache per router).
    .layer(axum::middleware::from_fn_with_state(
        crate::http::page_cache::PageCache::new(!state.config.production),
        crate::http::page_cache::serve,
    ))
    .layer(axum::middleware::from_fn_with_state(
        crate::http::language::Remember {
            db: state.db.clone(),
            https: state.config.site_url.starts_with("https://"),
        },
        crate::http::language::remember_choice,
    ))
    .layer(axum::middleware::from_fn_with_state(state.config.sessions, enforce_session_lifetimes))
    .layer(axum::middleware::from_fn_with_state(
        crate::infra::security::TrustedProxies(Arc::new(state.config.trusted_proxies.clone())),
        crate::infra::security::resolve_client_ip,
    ))
    .layer(axum::middleware::from_fn_with_state(
        crate::infra::security::SiteOrigin::from_site_url(&state.config.site_url),
        crate::infra::security::refuse_cross_site,
    ))
    .layer(
        axum_login::AuthManagerLayerBuilder::new(
            crate::flows::auth::Backend::new(state.db.clone(), state.fingerprint_key.clone()),
            crate::infra::session::layer(state.db.clone(), &state.config.site_url, state.config.session_days),
        )
        .build(),
    )
    // Safe defaults for every response.
    .layer(axum::middleware::from_fn_with_state(
        crate::infra::security::SecurityHeaders { https: state.config.site_url.starts_with("https://") },
        crate::infra::security::security_headers,
    ))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ))
    .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    ))
    // HTML, JSON, CSS and JS shrink to a fifth or less; images and files that are already
    // compressed (the embedded bundle's brotli variants) pass through as they are.
    .layer(CompressionLayer::new())
    .layer(axum::middleware::from_fn_with_state(
        crate::http::deadline::Deadline(state.config.request_timeout),
        crate::http::deadline::answer_within,
    ))
    .layer(axum::middleware::from_fn(crate::http::metrics::track_requests))
    .layer(
        TraceLayer::new_for_http()
            .make_span_with(|req: &axum::http::Request<_>| {
                // The route's template (`/reset/{token}`), never the path itself: paths
                // can carry tokens. Unrouted requests (files, 404s) log their path.
                let matched = req.extensions().get::<axum::extract::MatchedPath>();
                let route = matched.map_or_else(|| req.uri().path(), |m| m.as_str());
                tracing::info_span!("request", method = %req.method(), route = %route)
            })
            .on_request(())
            .on_response(|res: &axum::http::Response<_>, latency: Duration, _span: &tracing::Span| {
                tracing::info!(
                    status = res.status().as_u16(),
                    latency_ms = latency.as_secs_f64() * 1000.0,
                    "response"
                );
            }),
    )
    .with_state(state)
}

/// What every rendered page (and server function) gets in its context: the app state,
/// and for a page a Content-Security-Policy naming the nonce Leptos gave its scripts.
fn page_context(state: AppState) -> impl Fn() + Clone + Send + 'static {
    move || {
        provide_context(state.clone());
        // Server functions and static files have no nonce: they keep the default policy.
        if let (Some(nonce), Some(res)) =
            (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        {
            let policy = crate::infra::security::page_policy(&nonce, !state.config.production);
            if let Ok(value) = HeaderValue::from_str(&policy) {
                res.insert_header(header::CONTENT_SECURITY_POLICY, value);
            }
        }
    }
}

/// Ends sessions past their idle or absolute lifetime before any handler sees them.
async fn enforce_session_lifetimes(
    State(lifetimes): State<crate::infra::config::SessionLifetimes>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(auth) = req.extensions_mut().get_mut::<crate::flows::auth::AuthSession>() {
        if let Err(e) = crate::flows::sessions::enforce(auth, &lifetimes).await {
            return crate::http::ApiError(e).into_response();
        }
    }
    next.run(req).await
}

async fn robots(State(state): State<AppState>) -> impl IntoResponse {
    let body = crate::services::seo::robots(&state.config.site_url);
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

async fn sitemap(State(state): State<AppState>) -> axum::response::Response {
    match crate::services::seo::sitemap(&state.db, &state.config.site_url).await {
        Ok(xml) => (
            [
                (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            xml,
        )
            .into_response(),
        Err(e) => crate::http::ApiError(e).into_response(),
    }
}

/// server_fn answers every failed server function with 500. Give it the status of the
/// `AppError` in its body instead (422 for invalid input, 404, …), so that bad input is
/// a 4xx here exactly as in the REST API.
async fn server_fn_error_status(res: axum::response::Response) -> axum::response::Response {
    use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    if let Ok(error) = serde_json::from_slice::<crate::models::AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let crate::models::AppError::RateLimited { retry_after } = error {
            parts.headers.insert(header::RETRY_AFTER, retry_after.into());
        }
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Ready when the database answers with every migration applied and no due task has
/// waited longer than `QUEUE_STUCK_SECONDS` (the workers are gone or stuck).
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if let Err(check) = db::check_ready(&state.db).await {
        return (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {check}"));
    }
    // Only the queue's figures: readiness is polled often, the rest of the snapshot is for /metrics.
    match crate::infra::queue::stats(&state.db).await {
        Ok(jobs) => match crate::services::operations::stuck_queue(&jobs, state.config.queue_stuck_after) {
            Some((task_type, waited)) => {
                tracing::warn!(task_type, waited_seconds = waited, "readiness: the job queue is stuck");
                (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: job queue stuck ({task_type})"))
            }
            None => (StatusCode::OK, "ready".to_owned()),
        },
        Err(e) => {
            tracing::warn!(error = %e, "readiness: cannot read the job queue");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready: job queue".to_owned())
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown signal received; draining");
}

/// Serves HTTP (and in-process workers) until a shutdown signal.
pub async fn serve(state: AppState) -> Result<(), String> {
    let addr = state.config.site_addr;
    // Built before the listener exists, so no request can meet route generation.
    let app = router(state.clone(), page_routes());
    let workers = queue::Workers::start(state.jobs.clone(), state.config.workers);
    let listener = listen(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("listening on {}", state.config.site_url);
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server: {e}"));
    workers.shutdown(Duration::from_secs(30)).await;
    tracing::info!("stopped");
    served
}

/// The server's socket. Every accepted connection gets `TCP_NODELAY`: a response's head
/// and body leave as separate writes, and with Nagle's algorithm the body would wait for
/// the client's delayed ACK (about 40 ms) on a kept-alive connection.
pub async fn listen(addr: std::net::SocketAddr) -> std::io::Result<Listener> {
    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    Ok(listener.tap_io(send_without_delay as fn(&mut tokio::net::TcpStream)))
}

/// The server's socket (see [`listen`]).
pub type Listener = axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>;

fn send_without_delay(stream: &mut tokio::net::TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::warn!("cannot set TCP_NODELAY: {e}");
    }
}

/// Runs job workers only, until a shutdown signal.
pub async fn work(state: AppState) -> Result<(), String> {
    let count = state.config.workers.max(1);
    let workers = queue::Workers::start(state.jobs.clone(), count);
    shutdown_signal().await;
    workers.shutdown(Duration::from_secs(30)).await;
    Ok(())
}
