//! The wasm boundary: the only code that knows wasm-bindgen, js-sys, web-sys or gloo-net.
//! It turns JS values into core inputs, sends the core's requests with `fetch`, and turns
//! core errors into the JS error classes.

mod client;
mod convert;
mod devices;
mod errors;
mod js;
mod keys;
mod limit;
mod oauth_apps;
mod policy;
mod provisioning;
mod request;
mod transport;

// The module is single-threaded (no atomics), which is what this allocator is built for.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
