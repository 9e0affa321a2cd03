//! The exported `DeviceProvisioning`: an OAuth app's authorization code flow, from the consent
//! URL to the auth key for the consenting user's new device. The exchange goes through the one
//! request path, unauthenticated (the app's secret is in the form body).

use super::js::{now_ms, random_bytes};
use super::request::{token_response, Reply, Session};
use js_sys::{Object, Promise};
use std::rc::Rc;
use tailscale_api::provisioning::{self, Grant, Settings, STATE_BYTES};
use tailscale_wasm_shared::args::{or_empty, set, signal_only};
use tailscale_wasm_shared::errors::js_error;
use tailscale_wire::encoding::base64url_encode;
use tailscale_wire::error::Error;
use tailscale_wire::http::HttpRequest;
use tailscale_wire::text::cat;
use wasm_bindgen::prelude::*;

/// What a value is, for a message: `null`, `undefined`, or its `typeof` with an article.
fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        return "null".into();
    }
    let kind = value.js_typeof().as_string().unwrap_or_default();
    match kind.as_str() {
        "undefined" => kind,
        "object" => "an object".into(),
        _ => cat(&["a ", &kind]),
    }
}

/// A JS array of the strings.
fn strings(list: &[String]) -> JsValue {
    let array = js_sys::Array::new();
    for s in list {
        array.push(&JsValue::from_str(s));
    }
    array.into()
}

/// `{ authKey, expiresAt, scopes }` from an exchange's reply.
fn grant_result(req: &HttpRequest, reply: Reply) -> Result<JsValue, JsValue> {
    let grant = Grant::from_response(token_response(req, &reply.body)?, now_ms());
    let out = Object::new();
    set(&out, "authKey", grant.auth_key.expose().into());
    let expires = js_sys::Date::new(&grant.expires_at_ms.into());
    set(&out, "expiresAt", expires.to_iso_string().into());
    set(&out, "scopes", strings(&grant.scopes));
    Ok(out.into())
}

/// Device provisioning through an OAuth app: builds the consent-screen URL, checks the
/// callback, and exchanges its code for a single-use auth key owned by the person who
/// consented. The exchange needs the app's secret, so it belongs on a server or in a CLI.
#[wasm_bindgen]
pub struct DeviceProvisioning {
    session: Rc<Session>,
    settings: Settings,
}

#[wasm_bindgen]
impl DeviceProvisioning {
    /// Creates a flow. Throws `TailscaleValidationError` listing every problem: `clientId` and
    /// `clientSecret` non-empty, `redirectUri` a valid redirect URI, `scopes` well-formed,
    /// `loginUrl` and `baseUrl` following the transport rules. Sends nothing.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "DeviceProvisioningOptions")] options: JsValue,
    ) -> Result<DeviceProvisioning, JsValue> {
        let (config, settings) = provisioning::parse(options.clone())
            .map_err(|issues| js_error(Error::Validation(issues)))?;
        Ok(DeviceProvisioning {
            session: Session::new(config, None, None, &options),
            settings,
        })
    }

    /// The consent-screen URL and its state: the given `state`, or 32 random bytes from Web
    /// Crypto as base64url. Keep the state (in memory, or the session of the page that
    /// redirects) for `parseCallback`. Sends nothing.
    #[wasm_bindgen(js_name = authorizationUrl, unchecked_return_type = "AuthorizationRequest")]
    pub fn authorization_url(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "AuthorizationOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let options = or_empty(&options);
        let given = provisioning::state_option(options).map_err(js_error)?;
        let state = match given {
            Some(state) => state,
            None => base64url_encode(&random_bytes(STATE_BYTES)?),
        };
        let out = Object::new();
        let url = provisioning::authorization_url(&self.settings, &state);
        set(&out, "url", url.into());
        set(&out, "state", state.into());
        Ok(out.into())
    }

    /// Reads the callback (a URL string, a `URL`, or a path with its query such as a server's
    /// `req.url`) against the state `authorizationUrl` gave, compared in constant time, before
    /// anything else. Returns `{ code }`. Throws `TailscaleValidationError` when the state is
    /// missing or differs (a forged or replayed callback, whatever else it says), the code is
    /// missing, or `callbackUrl` is neither a string nor a URL; `TailscaleAuthorizationError`
    /// when a callback with the right state carries `error` (the person denied, say). Sends
    /// nothing.
    #[wasm_bindgen(js_name = parseCallback, unchecked_return_type = "AuthorizationCallback")]
    pub fn parse_callback(
        &self,
        #[wasm_bindgen(js_name = callbackUrl, unchecked_param_type = "string | URL")]
        callback_url: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
    ) -> Result<JsValue, JsValue> {
        // A URL (or a `Location`) is read as its href.
        let href = js_sys::Reflect::get(&callback_url, &"href".into()).ok();
        let Some(url) = callback_url
            .as_string()
            .or_else(|| href.filter(|_| callback_url.is_object())?.as_string())
        else {
            let message = cat(&["must be a string or a URL, got ", &type_name(&callback_url)]);
            return Err(js_error(Error::validation("callbackUrl", message)));
        };
        let state = state.as_string().unwrap_or_default();
        let code = provisioning::parse_callback(&url, &state).map_err(js_error)?;
        let out = Object::new();
        set(&out, "code", code.into());
        Ok(out.into())
    }

    /// Exchanges the callback's code for the auth key: POST {baseUrl}/api/v2/oauth/token
    /// (form `grant_type=authorization_code`, `code`, `redirect_uri`, `client_id`,
    /// `client_secret`). A code works once, so only 429 is retried. Resolves to
    /// `{ authKey, expiresAt, scopes }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<ProvisioningGrant>")]
    pub fn exchange(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let prepared = signal_only(&options).and_then(|signal| {
            Ok((
                provisioning::exchange_request(&self.settings, code)?,
                signal,
            ))
        });
        // The session's one future type, with the grant read from its reply.
        self.session.start_with(prepared, grant_result)
    }

    /// What `JSON.stringify(flow)` shows: the settings, never the secret.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ProvisioningSummary")]
    pub fn to_json(&self) -> JsValue {
        let out = Object::new();
        let s = &self.settings;
        set(&out, "clientId", s.client_id.as_str().into());
        set(&out, "redirectUri", s.redirect_uri.as_str().into());
        set(&out, "scopes", strings(&s.scopes));
        set(&out, "loginUrl", s.login_url.as_str().into());
        set(
            &out,
            "baseUrl",
            self.session.config.base_url.as_str().into(),
        );
        out.into()
    }
}
