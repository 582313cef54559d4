//! Domain services: business rules and transactions, over a `DatabaseConnection`.
//! They know nothing of HTTP; adapters call them.

pub mod accounts;
pub mod admin;
pub mod cart;
pub mod catalog;
pub mod invoice;
pub mod jobs;
pub mod mail;
pub mod orders;
pub mod payments;
pub mod rate_limit;
pub mod seed;
