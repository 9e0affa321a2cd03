//! `client.oauthApps` and the validators for what it sends: OAuth apps for device
//! provisioning, with the node attributes and redirect URIs they allow.

use super::request::Session;
use js_sys::Promise;
use std::rc::Rc;
use tailscale_api::oauth_apps::{self, OAuthAppSpec};
use tailscale_wasm_shared::errors::{validate_one, validate_request};
use tailscale_wire::validate;
use wasm_bindgen::prelude::*;

/// `client.oauthApps`: OAuth apps for device provisioning.
#[wasm_bindgen]
pub struct OAuthAppsApi {
    session: Rc<Session>,
}

impl OAuthAppsApi {
    pub fn new(session: Rc<Session>) -> OAuthAppsApi {
        OAuthAppsApi { session }
    }

    fn tailnet(&self) -> &str {
        &self.session.config.tailnet
    }
}

#[wasm_bindgen]
impl OAuthAppsApi {
    /// Lists OAuth apps: GET /api/v2/tailnet/{tailnet}/oauth-apps.
    #[wasm_bindgen(unchecked_return_type = "Promise<OAuthApp[]>")]
    pub fn list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let list = |tailnet: &str, _| Ok(oauth_apps::list(tailnet));
        self.session.call_with(list, JsValue::UNDEFINED, &options)
    }

    /// Gets one OAuth app: GET /api/v2/tailnet/{tailnet}/oauth-apps/{appId}.
    #[wasm_bindgen(unchecked_return_type = "Promise<OAuthApp>")]
    pub fn get(
        &self,
        #[wasm_bindgen(js_name = appId, unchecked_param_type = "string")] app_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session.call_with(oauth_apps::get, app_id, &options)
    }

    /// Creates an OAuth app: POST /api/v2/tailnet/{tailnet}/oauth-apps. The result's
    /// `clientSecret` is shown only here (`CreatedOAuthApp`). Never retried except after 429.
    #[wasm_bindgen(unchecked_return_type = "Promise<CreatedOAuthApp>")]
    pub fn create(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OAuthAppOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session
            .call_with(oauth_apps::create, request, &options)
    }

    /// Replaces an OAuth app's settings: PUT /api/v2/tailnet/{tailnet}/oauth-apps/{appId}.
    #[wasm_bindgen(unchecked_return_type = "Promise<OAuthApp>")]
    pub fn update(
        &self,
        #[wasm_bindgen(js_name = appId, unchecked_param_type = "string")] app_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "OAuthAppOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session.call(
            oauth_apps::update(self.tailnet(), app_id, request),
            &options,
        )
    }

    /// Deletes an OAuth app: DELETE /api/v2/tailnet/{tailnet}/oauth-apps/{appId}.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(
        &self,
        #[wasm_bindgen(js_name = appId, unchecked_param_type = "string")] app_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session.call_with(oauth_apps::delete, app_id, &options)
    }
}

/// The checks `oauthApps.create` and `oauthApps.update` run; `[]` when valid.
#[wasm_bindgen(js_name = validateOAuthApp, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_oauth_app(
    #[wasm_bindgen(unchecked_param_type = "OAuthAppOptions")] request: JsValue,
) -> JsValue {
    validate_request(&request, OAuthAppSpec::parse)
}

/// A node attribute an OAuth app may set: `custom:` then letters, digits, `_` or `:`, at most
/// 128 characters. `[]` when valid.
#[wasm_bindgen(js_name = validateNodeAttribute, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_node_attribute(
    #[wasm_bindgen(unchecked_param_type = "string")] attribute: JsValue,
) -> JsValue {
    validate_one("nodeAttribute", validate::node_attribute, &attribute)
}

/// An OAuth app redirect URI: https, or any scheme on localhost, 127.0.0.1 or [::1]. `[]` when valid.
#[wasm_bindgen(js_name = validateRedirectUri, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_redirect_uri(
    #[wasm_bindgen(unchecked_param_type = "string")] uri: JsValue,
) -> JsValue {
    validate_one("redirectUri", validate::redirect_uri, &uri)
}
