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
