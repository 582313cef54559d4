//! Infrastructure (server-only): configuration, database, sessions and authentication,
//! request protections, job queue, HTTP server, logging.

pub mod auth;
pub mod config;
pub mod db;
pub mod queue;
pub mod security;
pub mod server;
pub mod session;
pub mod state;
pub mod stripe;
pub mod telemetry;
