//! What the policy module asks of the core: the client's own methods (`policy.get`,
//! `policy.set`, `devices.list`, `devices.getAttributes`, `users.list`), passed in by the core's
//! `policy_tools.rs`. Every request so goes through the core's one request path, with its
//! credentials, retries, concurrency cap and typed errors; this module sends nothing itself.

use js_sys::{Object, Promise, Reflect};
use tailscale_wasm_shared::args::set;
use tailscale_wire::http::Failure;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    /// `{ tailnet, policy, devices, users }` from the core.
    pub type Requests;
    #[wasm_bindgen(method, getter)]
    pub fn tailnet(this: &Requests) -> String;
    #[wasm_bindgen(method, getter)]
    pub fn policy(this: &Requests) -> PolicyApi;
    #[wasm_bindgen(method, getter)]
    pub fn devices(this: &Requests) -> DevicesApi;
    #[wasm_bindgen(method, getter)]
    pub fn users(this: &Requests) -> UsersApi;

    pub type PolicyApi;
    #[wasm_bindgen(method, js_name = get)]
    fn get_file(this: &PolicyApi, options: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = set)]
    fn set_file(this: &PolicyApi, text: &str, precondition: &JsValue, options: &JsValue)
        -> Promise;

    /// `policy.validate(doc, options)`.
    #[wasm_bindgen(method, js_name = validate)]
    pub fn validate_document(this: &PolicyApi, doc: JsValue, options: &JsValue) -> Promise;

    pub type DevicesApi;
    #[wasm_bindgen(method, js_name = list)]
    fn list_devices(this: &DevicesApi, options: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = getAttributes)]
    fn get_attributes(this: &DevicesApi, id: &str, options: &JsValue) -> Promise;

    pub type UsersApi;
    #[wasm_bindgen(method, js_name = list)]
    fn list_users(this: &UsersApi, options: &JsValue) -> Promise;
}

/// The trailing options of each call: the caller's signal, if any.
pub fn call_options(signal: &Option<AbortSignal>) -> JsValue {
    let options = Object::new();
    if let Some(signal) = signal {
        set(&options, "signal", signal.into());
    }
    options.into()
}

impl PolicyApi {
    /// `policy.get()`: `{ text, etag }`.
    pub async fn get(&self, options: &JsValue) -> Result<JsValue, JsValue> {
        JsFuture::from(self.get_file(options)).await
    }

    /// `policy.set(text, { ifMatch })`: `{ text, etag }`.
    pub async fn set(&self, text: &str, etag: &str, options: &JsValue) -> Result<JsValue, JsValue> {
        let precondition = Object::new();
        set(&precondition, "ifMatch", etag.into());
        JsFuture::from(self.set_file(text, &precondition, options)).await
    }
}

impl DevicesApi {
    /// `devices.list(options)`: `Device[]`.
    pub async fn list(&self, options: &JsValue) -> Result<JsValue, JsValue> {
        JsFuture::from(self.list_devices(options)).await
    }

    /// `devices.getAttributes(id).attributes`, `{}` when there are none, or null when the
    /// device is gone (a 404: ephemeral devices come and go between a list and this read).
    pub async fn attributes_or_gone(
        &self,
        id: &str,
        options: &JsValue,
    ) -> Result<JsValue, JsValue> {
        match JsFuture::from(self.get_attributes(id, options)).await {
            Ok(answer) => Ok(Reflect::get(&answer, &"attributes".into())
                .ok()
                .filter(|a| a.is_object())
                .unwrap_or_else(|| Object::new().into())),
            Err(e) if matches!(failure_of(&e), Some(Failure::Status { status: 404, .. })) => {
                Ok(JsValue::NULL)
            }
            Err(e) => Err(e),
        }
    }
}

impl UsersApi {
    /// `users.list(options)`: `User[]`.
    pub async fn list(&self, options: &JsValue) -> Result<JsValue, JsValue> {
        JsFuture::from(self.list_users(options)).await
    }
}

/// What a rejected call's error says as far as retrying goes, read from the package's error
/// classes (by name, which both modules' classes share): the status of an API error, a lost
/// connection or a timeout; `None` for anything else.
pub fn failure_of(error: &JsValue) -> Option<Failure> {
    let field = |name: &str| Reflect::get(error, &name.into()).ok();
    match field("name")?.as_string()?.as_str() {
        "TailscaleApiError" => Some(Failure::Status {
            status: field("status")?.as_f64()? as u16,
            retry_after_ms: None,
        }),
        "TailscaleNetworkError" => Some(Failure::Network),
        "TailscaleTimeoutError" => Some(Failure::Timeout),
        _ => None,
    }
}
