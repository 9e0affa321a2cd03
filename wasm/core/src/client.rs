//! The exported `TailscaleClient`: its options, its `keys`, `oauthApps` and `devices` groups,
//! and what it shows of itself (settings, never credentials).

use super::devices::DevicesApi;
use super::keys::KeysApi;
use super::oauth_apps::OAuthAppsApi;
use super::policy::PolicyApi;
use super::request::Session;
use super::users::UsersApi;
use js_sys::{Function, Object, Promise, Reflect};
use std::rc::Rc;
use tailscale_api::config;
use tailscale_api::request as custom_request;
use tailscale_wasm_shared::args::set;
use tailscale_wasm_shared::args::{json_text, take_signal};
use tailscale_wasm_shared::errors::js_error;
use tailscale_wire::error::Error;
use wasm_bindgen::prelude::*;

/// A client for the Tailscale API. Holds the credential, a token cache and a concurrency cap;
/// safe to share across concurrent calls.
#[wasm_bindgen]
pub struct TailscaleClient {
    session: Rc<Session>,
    keys: JsValue,
    oauth_apps: JsValue,
    devices: JsValue,
    users: JsValue,
    policy: JsValue,
}

/// Copies `options` with `federated.idToken` set to null when it is a function, which JSON
/// cannot carry; returns the function separately.
fn split_id_token(options: &JsValue) -> (JsValue, Option<Function>) {
    let federated = Reflect::get(options, &"federated".into()).unwrap_or(JsValue::UNDEFINED);
    if !federated.is_object() {
        return (options.clone(), None);
    }
    let id_token = Reflect::get(&federated, &"idToken".into()).unwrap_or(JsValue::UNDEFINED);
    let Ok(f) = id_token.dyn_into::<Function>() else {
        return (options.clone(), None);
    };
    let fed_copy = Object::assign(&Object::new(), federated.unchecked_ref());
    set(&fed_copy, "idToken", JsValue::NULL);
    let copy = Object::assign(&Object::new(), options.unchecked_ref());
    set(&copy, "federated", fed_copy.into());
    (copy.into(), Some(f))
}

#[wasm_bindgen]
impl TailscaleClient {
    /// Creates a client. Throws `TailscaleValidationError` unless exactly one of `apiKey`,
    /// `oauth` or `federated` is given and every option is valid. Sends nothing.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "TailscaleClientOptions")] options: JsValue,
    ) -> Result<TailscaleClient, JsValue> {
        let (plain, id_token_fn) = split_id_token(&options);
        let (config, credentials) = config::parse(plain, id_token_fn.is_some())
            .map_err(|issues| js_error(Error::Validation(issues)))?;
        let session = Session::new(config, Some(credentials), id_token_fn, &options);
        Ok(TailscaleClient {
            keys: KeysApi::new(session.clone()).into(),
            oauth_apps: OAuthAppsApi::new(session.clone()).into(),
            devices: DevicesApi::new(session.clone()).into(),
            users: UsersApi::new(session.clone()).into(),
            policy: PolicyApi::new(session.clone()).into(),
            session,
        })
    }

    /// Keys: list, get, create (auth key, OAuth client, federated identity), set, delete.
    #[wasm_bindgen(getter, unchecked_return_type = "KeysApi")]
    pub fn keys(&self) -> JsValue {
        self.keys.clone()
    }

    /// OAuth apps: list, get, create, update, delete.
    #[wasm_bindgen(getter, js_name = oauthApps, unchecked_return_type = "OAuthAppsApi")]
    pub fn oauth_apps(&self) -> JsValue {
        self.oauth_apps.clone()
    }

    /// Devices and their posture attributes: list, get, getAttributes, setAttribute,
    /// deleteAttribute, updateAttributes.
    #[wasm_bindgen(getter, unchecked_return_type = "DevicesApi")]
    pub fn devices(&self) -> JsValue {
        self.devices.clone()
    }

    /// Users and their roles: list, get.
    #[wasm_bindgen(getter, unchecked_return_type = "UsersApi")]
    pub fn users(&self) -> JsValue {
        self.users.clone()
    }

    /// The policy file: get, set, update, validate, test, preview, evaluatePostures.
    #[wasm_bindgen(getter, unchecked_return_type = "PolicyApi")]
    pub fn policy(&self) -> JsValue {
        self.policy.clone()
    }

    /// Any endpoint: `{ method, path, query?, body?, idempotent?, signal? }`, through the same
    /// request path as every method (declared in the custom section, for its type parameter).
    #[wasm_bindgen(skip_typescript)]
    pub fn request(&self, options: JsValue) -> Promise {
        let tailnet = &self.session.config.tailnet;
        let prepared = take_signal(&options).and_then(|(rest, signal)| {
            Ok((custom_request::build(tailnet, rest, json_text)?, signal))
        });
        self.session.start(prepared)
    }

    /// The tailnet this client addresses (`"-"` by default).
    // Returned as a JS string made here (typed `string`): a Rust `String` return costs the
    // glue a copy out of wasm memory and a deferred free in each getter.
    #[wasm_bindgen(getter, unchecked_return_type = "string")]
    pub fn tailnet(&self) -> JsValue {
        self.session.config.tailnet.as_str().into()
    }

    /// The API origin requests go to.
    #[wasm_bindgen(getter, js_name = baseUrl, unchecked_return_type = "string")]
    pub fn base_url(&self) -> JsValue {
        self.session.config.base_url.as_str().into()
    }

    /// `"apiKey"`, `"oauth"` or `"federated"`; never the credential itself.
    #[wasm_bindgen(getter, js_name = authMode, unchecked_return_type = "string")]
    pub fn auth_mode(&self) -> JsValue {
        self.session.auth_mode().into()
    }

    /// What `JSON.stringify(client)` shows: settings, never credentials or tokens.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ClientSummary")]
    pub fn to_json(&self) -> JsValue {
        let obj = Object::new();
        let config = &self.session.config;
        set(&obj, "tailnet", config.tailnet.as_str().into());
        set(&obj, "baseUrl", config.base_url.as_str().into());
        set(&obj, "authMode", self.session.auth_mode().into());
        obj.into()
    }
}
