//! The Tailscale API's endpoints as tailscale-wasm sends them: one module per resource, each
//! turning a caller's input into a checked [`HttpRequest`](tailscale_wire::http::HttpRequest)
//! and saying what a successful answer must hold; plus credentials and the token cache.
//! Sans-IO: the wasm layer sends what is built here and feeds back what came.
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
pub mod config;
pub mod devices;
pub mod keys;
pub mod oauth_apps;
pub mod policy_file;
pub mod provisioning;
pub mod request;
pub mod users;

/// The crate version; the default `User-Agent` is `tailscale-wasm/<VERSION>`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
