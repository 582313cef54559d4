use crate::jobs::JobContext;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

/// Everything a request handler or server function may need: what a job may use (the
/// gateways and the configuration, built once) plus Leptos's options. It reads through
/// to the job context (`state.db`, `state.config`, `state.stripe`), so nothing is held
/// twice.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub jobs: JobContext,
    /// The key of the sessions' password fingerprints (see `flows::auth`).
    pub fingerprint_key: crate::flows::auth::FingerprintKey,
    /// The site's files when this binary carries them (`app::assets`); else they are
    /// served from `LEPTOS_SITE_ROOT`.
    pub assets: Option<std::sync::Arc<crate::app::assets::Bundle>>,
}

impl std::ops::Deref for AppState {
    type Target = JobContext;

    fn deref(&self) -> &JobContext {
        &self.jobs
    }
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
