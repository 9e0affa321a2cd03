//! The core module: `TailscaleClient` (keys, OAuth apps, devices, users, the policy file's
//! requests, any endpoint), `DeviceProvisioning` and the validators. It turns JS values into the
//! API crate's inputs, sends its requests with `fetch` through one request path, and turns core
//! errors into the JS error classes. What reads a policy (HuJSON, postures, access) is in the
//! policy module, which this one loads on first use (`policy_tools.rs`).
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

mod client;
mod devices;
mod js;
mod keys;
mod limit;
mod oauth_apps;
mod policy;
mod policy_tools;
mod provisioning;
mod request;
mod transport;
mod users;

use js_sys::Function;
use wasm_bindgen::prelude::*;

// The module is single-threaded (no atomics), which is what this allocator is built for.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Called once by the entry: the factory that builds the JS error classes, the Web Crypto
/// object random states come from, and how to load the policy module (a function returning a
/// Promise of its exports).
#[wasm_bindgen(js_name = "__setup", skip_typescript)]
pub fn setup(error_factory: Function, crypto: JsValue, load_policy: Function) {
    tailscale_wasm_shared::errors::set_error_factory(error_factory);
    js::set_crypto(crypto);
    policy_tools::set_loader(load_policy);
}
