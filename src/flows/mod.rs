//! Use cases shared by the pages (server functions), the REST API and the plain-form
//! handlers: who is asking (the session's account or guest), and each step that pairs a
//! service call with the jobs that must follow it after commit. One rule, one place.
//!
//! May import: jobs, services, infra, entities, models. Never http, ui or app.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod checkout;
pub mod limits;
pub mod payments;
pub mod sessions;
pub mod shopper;
pub mod state;

pub use state::AppState;
