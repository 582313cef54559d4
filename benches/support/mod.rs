//! Shared by the benchmarks: a throwaway PostgreSQL database on the server named by
//! `TEST_POSTGRES_URL` (default: the local `test` database's server).

use sea_orm::{ConnectionTrait, DatabaseConnection};

pub struct ScratchPostgres {
    admin: DatabaseConnection,
    name: String,
    /// The new, empty database.
    pub url: String,
}

impl ScratchPostgres {
    pub async fn create() -> Self {
        let admin_url = std::env::var("TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let admin = sea_orm::Database::connect(&admin_url).await.expect("PostgreSQL reachable");
        let name = format!("fws_bench_{}", uuid::Uuid::new_v4().simple());
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
        let (prefix, _) = admin_url.rsplit_once('/').unwrap();
        let url = format!("{prefix}/{name}");
        Self { admin, name, url }
    }

    pub async fn drop_database(self) {
        let sql = format!("DROP DATABASE {} WITH (FORCE)", self.name);
        self.admin.execute_unprepared(&sql).await.unwrap();
    }
}

/// A count from the environment (`PRODUCTS=1000`), else `default`.
#[allow(dead_code)] // not every bench takes counts
pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs `bench` on a fresh SQLite file, then on a scratch PostgreSQL database (dropped
/// after), each migrated by the bench itself.
#[allow(dead_code)] // not every bench compares the databases
pub fn on_both_databases<F, Fut>(mut bench: F)
where
    F: FnMut(&'static str, DatabaseConnection) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let dir = temp_dir::TempDir::new().unwrap();
        let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
        bench("SQLite", fullstack_ws::infra::db::connect(&url).await.unwrap()).await;

        let scratch = ScratchPostgres::create().await;
        let pg = fullstack_ws::infra::db::connect(&scratch.url).await.unwrap();
        bench("PostgreSQL", pg.clone()).await;
        pg.close().await.ok();
        scratch.drop_database().await;
    });
}

/// The times of `runs` calls of `f`, shortest first.
#[allow(dead_code)]
pub async fn timed<F, Fut, T>(runs: usize, mut f: F) -> Vec<std::time::Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = std::time::Instant::now();
        std::hint::black_box(f().await);
        times.push(t.elapsed());
    }
    times.sort();
    times
}

/// A duration as milliseconds, right-aligned for tables.
#[allow(dead_code)]
pub fn ms(d: std::time::Duration) -> String {
    format!("{:>9.2} ms", d.as_secs_f64() * 1000.0)
}
