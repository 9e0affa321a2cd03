//! The policy module (`tailscale-wasm/policy`): `PolicyDocument`, the posture functions and the
//! posture report, compiled to its own wasm so that an app which never reads a policy never
//! downloads them. The core module loads it on first use (`client.policy.update`,
//! `evaluatePostures`, `access`, and `validate` or `preview` of text).
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

mod access;
mod answers;
mod document;
mod posture;
mod report;
mod requests;
mod update;

use js_sys::Function;

use wasm_bindgen::prelude::*;

// The module is single-threaded (no atomics), which is what this allocator is built for.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Called once by the entry: the factory that builds the package's JS error classes, and the
/// builder of long answers (`pkg/answers.js`).
#[wasm_bindgen(js_name = "__setup", skip_typescript)]
pub fn setup(error_factory: Function, reachers: Option<Function>) {
    tailscale_wasm_shared::errors::set_error_factory(error_factory);
    answers::set_decoders(reachers);
}
