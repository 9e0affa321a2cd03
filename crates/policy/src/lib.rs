//! The policy tools of tailscale-wasm: a lossless HuJSON document (comments kept through edits),
//! posture conditions and their evaluation, the local checks of a policy file, and the access
//! engine. Sans-IO and synchronous: the client fetches the file, devices, users and attributes;
//! everything here decides from what it is given.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented
)]

pub mod access;
pub mod hujson;
pub mod lint;
pub mod posture;
pub mod update;
