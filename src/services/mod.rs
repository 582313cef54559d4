//! Domain services: business rules and transactions, over a `DatabaseConnection`.
//! They know nothing of HTTP; adapters call them.

pub mod catalog;
pub mod jobs;
pub mod mail;
pub mod seed;
