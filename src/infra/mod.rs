//! Gateways (server-only): configuration, the database, the session store, request
//! protections, the Stripe client, the mail transport
//! and the job queue's table. Each owns the types it returns.
//!
//! May import: entities, models. Never services or anything above.

pub mod backup;
pub mod config;
pub mod db;
pub mod mail;
pub mod queue;
pub mod secrets;
pub mod security;
pub mod session;
pub mod stripe;
