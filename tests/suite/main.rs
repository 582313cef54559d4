//! The integration tests: one binary (one link of the server crate), a module per area,
//! shared helpers in `common`. Every scenario runs on SQLite and on PostgreSQL.
#![cfg(feature = "ssr")]

#[macro_use]
mod common;

mod accounts;
mod admin;
mod backup;
mod catalog;
mod cli;
mod http;
mod jobs_and_mail;
mod languages;
mod limits;
mod operations;
mod orders;
mod payments;
mod search;
mod seo;
mod shop_http;
