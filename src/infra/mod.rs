//! Infrastructure (server-only): configuration, database, job queue, HTTP server, logging.

pub mod config;
pub mod db;
pub mod queue;
pub mod server;
pub mod session;
pub mod state;
pub mod telemetry;
