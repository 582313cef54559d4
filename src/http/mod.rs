//! The HTTP edge (axum): the REST API, Stripe's webhook and the back office's plain-form
//! and file endpoints. Handlers parse and check input, call one flow or service, and map
//! the result; errors leave in the contract's shape (`error::ApiError`), through the
//! extractors in `extract` (who is asking, bodies, queries and ids).
//!
//! May import: flows, jobs, services, infra, entities, models. Never ui or app.

pub mod admin_forms;
pub mod deadline;
pub mod error;
pub mod extract;
pub mod language;
pub mod metrics;
pub mod negotiate;
pub mod page_cache;
pub mod rest;
pub mod webhook;

pub use error::ApiError;

/// Request bodies carrying an image: the image limit plus room for the multipart framing.
pub const UPLOAD_LIMIT: usize = crate::services::admin::media::MAX_IMAGE_BYTES + 64 * 1024;
