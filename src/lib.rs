//! fullstack-ws: one crate, two faces. With `ssr` it is the server; with `hydrate` the
//! WASM that makes server-rendered pages interactive.
//!
//! - `models`: shared types (both sides)
//! - `ui`: pages, components and server functions (the UI adapter; both sides)
//! - `services`: domain logic and transactions (server)
//! - `adapters`: REST, jobs, CLI (server)
//! - `infra`: config, database, queue, HTTP server (server)
//! - `entities`: sea-orm table mappings (server)

#![recursion_limit = "256"]

pub mod models;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod adapters;
#[cfg(feature = "ssr")]
pub mod entities;
#[cfg(feature = "ssr")]
pub mod infra;
#[cfg(feature = "ssr")]
pub mod services;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(ui::App);
    // Lets tests (and curious humans) see that the page is interactive.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
