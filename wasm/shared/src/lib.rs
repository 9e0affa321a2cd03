//! What both wasm modules share at the JS boundary: reading arguments (options, the trailing
//! `{ signal }`, text, JSON values) and turning core errors into the package's JS error classes.
//! Nothing here is exported to JS: each module exports its own classes and `__setup`.
#![cfg(target_arch = "wasm32")]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented
)]

pub mod args;
pub mod errors;
