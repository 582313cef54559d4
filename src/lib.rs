//! fullstack-ws: one crate, two faces. With `ssr` it is the server; with `hydrate` the
//! WASM that makes server-rendered pages interactive.
//!
//! Rooms, top to bottom; each imports only rooms below it (see docs/architecture.md):
//! - `app`: the composition root (server assembly, CLI, logging); nothing imports it
//! - `ui`: pages, components and server functions (both sides)
//! - `http`: the axum edge: REST, webhook, plain-form and file endpoints
//! - `stripe_emulator`: the offline Stripe (cargo feature `stripe-emulator`, on by default)
//! - `flows`: use cases shared by ui and http (a service call plus its jobs), who is asking
//! - `jobs`: fang task types, the worker loop, housekeeping
//! - `services`: domain rules and transactions
//! - `infra`: gateways (config, database, sessions, Stripe client, mail transport)
//! - `entities`: sea-orm table mappings
//! - `models`: shared types (both sides)

#![recursion_limit = "256"]

pub mod models;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod app;
#[cfg(feature = "ssr")]
pub mod entities;
#[cfg(feature = "ssr")]
pub mod flows;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod infra;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(all(feature = "ssr", feature = "stripe-emulator"))]
pub mod stripe_emulator;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous, because a lazy route's code may have to arrive before its part of the
    // page can hydrate (`ui::lazy_pages`).
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document().body().expect("a page has a body");
        let mounted = leptos::mount::hydrate_from_async(body.clone(), ui::App).await;
        mounted.forget();
        // Lets tests (and curious humans) see that the page is interactive.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
