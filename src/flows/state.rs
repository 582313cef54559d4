use crate::infra::config::Config;
use crate::jobs::JobContext;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Everything a request handler or server function may need.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub jobs: JobContext,
    pub stripe: crate::infra::stripe::Stripe,
}

impl AppState {
    /// The state inside a server function.
    pub fn current() -> Result<Self, crate::models::AppError> {
        leptos::prelude::use_context::<Self>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            crate::models::AppError::Internal
        })
    }
}
