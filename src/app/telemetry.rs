//! Logging: `RUST_LOG` filter (default `info`), text or JSON lines (`LOG_FORMAT`).

use crate::infra::config::LogFormat;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry.with(fmt::layer().json().flatten_event(true)).try_init(),
        LogFormat::Text => registry.with(fmt::layer().compact()).try_init(),
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}
