//! tailscale-wasm: a client for the Tailscale HTTP API.
//!
//! Everything outside `wasm` is a sans-IO core: it decides (which request, is this input
//! valid, what does this response mean, should we retry, is the token stale) and never
//! performs I/O, so it is tested natively. `wasm` moves bytes between `fetch` and the core.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented
)]

pub mod auth;
// Planted bugs for `make fuzz-canary` only (src/canary.rs).
#[cfg(fuzz_canary)]
mod canary;
pub mod config;
pub mod custom_request;
pub mod date;
pub mod devices;
pub mod encoding;
pub mod error;
pub mod http;
pub mod hujson;
pub mod json;
pub mod keys;
pub mod oauth_apps;
pub mod policy;
pub mod policy_check;
pub mod posture;
pub mod provisioning;
pub mod text;
pub mod validate;

#[cfg(target_arch = "wasm32")]
mod wasm;

/// The crate version; the default `User-Agent` is `tailscale-wasm/<VERSION>`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
