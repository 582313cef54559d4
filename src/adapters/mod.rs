//! Thin adapters: they parse and validate input, call a service, map the result.
//! (The UI adapter — pages and server functions — lives in `crate::ui`.)

pub mod accounts;
pub mod admin;
pub mod checkout;
pub mod cli;
pub mod jobs;
pub mod payments;
pub mod rest;
pub mod shopper;
pub mod stripe_emulator;
