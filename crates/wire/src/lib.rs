//! The wire layer of tailscale-wasm: requests and responses as plain values, the rules every
//! endpoint shares (paths, status -> error, `Retry-After`, the retry policy, body limits), JSON
//! read through a small trait, the one error type, the input rules, and text, dates and
//! encodings written without `core::fmt`. Sans-IO: the wasm layer sends what is built here.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented
)]

pub mod attribute;
pub mod date;
pub mod encoding;
pub mod error;
pub mod http;
pub mod json;
#[cfg(target_arch = "wasm32")]
mod json_js;
pub mod method;
pub mod text;
pub mod validate;

/// Kept in any build with the planted bugs of `make fuzz-canary` (`--cfg fuzz_canary`; each is a
/// `#[cfg(fuzz_canary)]` block where it is planted, panicking with "fuzz canary"), so that a
/// check of the shipped wasm can tell (tests/js/canary.test.mjs).
#[cfg(fuzz_canary)]
#[no_mangle]
#[used]
pub static TAILSCALE_WASM_FUZZ_CANARY: [u8; 26] = *b"tailscale-wasm fuzz canary";
