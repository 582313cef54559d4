//! Domain services: business rules and transactions, over a `DatabaseConnection`.
//! They know nothing of HTTP; flows, jobs and the edge call them.
//!
//! May import: infra, entities, models. Never jobs, flows, http, ui or app.

pub mod accounts;
pub mod admin;
pub mod cart;
pub mod catalog;
pub mod effects;
pub mod invoice;
pub mod mail;
pub mod operations;
pub mod orders;
pub mod payments;
pub mod rate_limit;
pub mod recommendations;
pub mod retention;
pub mod search;
pub mod seed;
pub mod seo;
pub mod tasks;
pub mod two_factor;
