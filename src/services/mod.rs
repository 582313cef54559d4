//! Domain services: business rules and transactions, over a `DatabaseConnection`.
//! They know nothing of HTTP; adapters call them.

pub mod cart;
pub mod catalog;
pub mod jobs;
pub mod mail;
pub mod orders;
pub mod seed;
