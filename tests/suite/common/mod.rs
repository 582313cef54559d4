//! Test support: a fresh, migrated database per test on SQLite (a temp file) or
//! PostgreSQL (a new database on the machine's server, dropped afterwards).
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use fullstack_ws::app::server;
use fullstack_ws::flows::AppState;
use fullstack_ws::infra::config::Config;
use http_body_util::BodyExt;
use serde_json::Value;
use std::collections::HashMap;
use tower::ServiceExt;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Admin connection for creating per-test databases.
fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The page routes, generated once per test binary before any test builds a router.
/// Route generation suppresses resource loading process-wide while it runs
/// (leptos-rs/leptos#4773): generating them per test, while other tests render pages,
/// left those pages pending forever. Once, first, nothing can meet it.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(server::page_routes).clone()
}

pub struct TestEnv {
    pub state: AppState,
    /// The app's router, built once per test as the server builds it once.
    pub router: axum::Router,
    pub dir: temp_dir::TempDir,
    pg_database: Option<String>,
    /// Set by [`TestEnv::served`]: the HTTP server task.
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestEnv {
    /// A migrated database plus app state; `extra` overrides configuration variables.
    pub async fn new(backend: Backend, extra: &[(&str, &str)]) -> Self {
        let dir = temp_dir::TempDir::new().expect("temp dir");
        let (url, pg_database) = match backend {
            Backend::Sqlite => (format!("sqlite://{}/shop.db?mode=rwc", dir.path().display()), None),
            Backend::Postgres => {
                use sea_orm::ConnectionTrait;
                let name = format!("fws_test_{}", uuid::Uuid::new_v4().simple());
                let admin =
                    sea_orm::Database::connect(postgres_admin_url()).await.expect("postgres reachable");
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
                admin.close().await.ok();
                let base = postgres_admin_url();
                let (prefix, _) = base.rsplit_once('/').expect("database in url");
                (format!("{prefix}/{name}"), Some(name))
            }
        };
        let mut vars: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".into(), url),
            ("MAIL_DIR".into(), dir.path().join("mail").display().to_string()),
            ("MEDIA_DIR".into(), dir.path().join("media").display().to_string()),
            ("WORKERS".into(), "0".into()),
            ("LEPTOS_SITE_ROOT".into(), dir.path().join("site").display().to_string()),
        ]);
        for (k, v) in extra {
            vars.insert((*k).into(), (*v).into());
        }
        let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("valid test config");
        let state = server::build_state(config).await.expect("app state");
        let router = server::router(state.clone(), page_routes());
        Self { state, router, dir, pg_database, server: None }
    }

    /// Like [`TestEnv::new`], and also serving HTTP on a free local port that is the
    /// `SITE_URL`: the Stripe emulator is called over HTTP by async-stripe and posts its
    /// webhooks back to the site.
    pub async fn served(backend: Backend, extra: &[(&str, &str)]) -> Self {
        use axum::serve::Listener;
        let listener = server::listen(([127, 0, 0, 1], 0).into()).await.expect("free port");
        let addr = listener.local_addr().unwrap().to_string();
        let site = format!("http://{addr}");
        let mut vars: Vec<(&str, &str)> = vec![("LEPTOS_SITE_ADDR", &addr), ("SITE_URL", &site)];
        vars.extend_from_slice(extra);
        let mut env = Self::new(backend, &vars).await;
        let app = env.router.clone().into_make_service_with_connect_info::<std::net::SocketAddr>();
        env.server = Some(tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }));
        env
    }

    pub fn site_url(&self) -> &str {
        &self.state.config.site_url
    }

    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.state.db
    }

    /// The queued tasks' metadata (fang's rows, as JSON text), oldest first.
    pub async fn queued_tasks(&self) -> Vec<String> {
        use sea_orm::{ConnectionTrait, Statement};
        let backend = self.db().get_database_backend();
        let sql = match backend {
            sea_orm::DbBackend::Postgres => "SELECT metadata::text AS m FROM fang_tasks ORDER BY created_at",
            _ => "SELECT metadata AS m FROM fang_tasks ORDER BY created_at",
        };
        let rows = self.db().query_all(Statement::from_string(backend, sql)).await.unwrap();
        rows.iter().map(|r| r.try_get::<String>("", "m").unwrap()).collect()
    }

    /// Loses every queued task, as a crashed or purged queue would.
    pub async fn lose_queued_tasks(&self) {
        use sea_orm::ConnectionTrait;
        self.db().execute_unprepared("DELETE FROM fang_tasks").await.unwrap();
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some(name) = self.pg_database.take() {
            // Drop the per-test database from a separate runtime (Drop cannot await).
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    use sea_orm::ConnectionTrait;
                    if let Ok(admin) = sea_orm::Database::connect(postgres_admin_url()).await {
                        let _ = admin
                            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// Polls `check` every 25 ms until it returns `Some`, failing after `secs` seconds.
pub async fn wait_for<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// One runtime for every test in a binary, as in the server. (A runtime per test, as
/// `#[tokio::test]` makes, occasionally left a server-rendered response pending forever:
/// Leptos keeps process-wide state that outlives a test's runtime.)
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().expect("runtime")
    })
}

/// For each `name`, generates `mod name { sqlite, postgres }` running `name(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    $crate::common::runtime().block_on(super::$name($crate::common::Backend::Sqlite))
                }
                #[test]
                fn postgres() {
                    $crate::common::runtime().block_on(super::$name($crate::common::Backend::Postgres))
                }
            }
        )*
    };
}

/// The seeded product row with this slug.
pub async fn product_by_slug(
    db: &sea_orm::DatabaseConnection,
    slug: &str,
) -> fullstack_ws::entities::product::Model {
    use fullstack_ws::entities::product;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    product::Entity::find()
        .filter(product::Column::Slug.eq(slug))
        .one(db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no product {slug}"))
}

mod smtp;
pub use smtp::{start_smtp_sink, Mailbox};

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub location: Option<String>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends a request through the app's router, failing the test (naming the request) if no
/// answer comes within 10 s.
/// The request comes from a loopback client unless it names its own peer (`ConnectInfo`),
/// as the server's listener would report it.
pub async fn send(env: &TestEnv, mut req: Request<Body>) -> Reply {
    if req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().is_none() {
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 40000))));
    }
    send_once(env, req).await
}

/// Like [`send`], from a client at `peer`.
pub async fn send_from(env: &TestEnv, peer: std::net::IpAddr, mut req: Request<Body>) -> Reply {
    req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(peer, 40000)));
    send_once(env, req).await
}

async fn send_once(env: &TestEnv, req: Request<Body>) -> Reply {
    let what = format!("{} {}", req.method(), req.uri());
    let res = tokio::time::timeout(std::time::Duration::from_secs(10), env.router.clone().oneshot(req))
        .await
        .unwrap_or_else(|_| panic!("{what} timed out"))
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let location = res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned());
    let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Reply { status, headers, location, body }
}

pub async fn get(env: &TestEnv, uri: &str) -> Reply {
    let req =
        Request::get(uri).header(header::ACCEPT, "text/html,application/json").body(Body::empty()).unwrap();
    send(env, req).await
}

/// POSTs to the server function whose path starts with `/api/{name}`.
pub async fn call_server_fn(env: &TestEnv, name: &str, content_type: &str, body: &str) -> Reply {
    let prefix = format!("/api/{name}");
    let (path, _) = leptos::server_fn::axum::server_fn_paths()
        .find(|(path, _)| path.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no server function {name}"));
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(env, req).await
}

impl Reply {
    /// `name=value` of the session cookie this reply sets, if it sets one.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers.get_all(header::SET_COOKIE).iter().find_map(|v| {
            let v = v.to_str().ok()?;
            (v.starts_with(fullstack_ws::infra::session::COOKIE_NAME)
                || v.starts_with(fullstack_ws::infra::session::SECURE_COOKIE_NAME))
            .then(|| v.split(';').next().unwrap_or_default().to_owned())
        })
    }
}

/// A JSON request, with the session cookie when there is one.
pub fn json_request(method: &str, uri: &str, cookie: Option<&str>, body: Option<Value>) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(uri).header(header::ACCEPT, "application/json");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    match body {
        Some(b) => {
            req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())).unwrap()
        }
        None => req.body(Body::empty()).unwrap(),
    }
}
