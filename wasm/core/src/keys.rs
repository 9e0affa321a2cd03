//! `client.keys` and the validators for what it sends: auth keys, OAuth clients, federated
//! identities and API access tokens.

use super::request::Session;
use js_sys::Promise;
use std::rc::Rc;
use tailscale_api::keys::{self, CreateAuthKey, FederatedIdentitySpec, OAuthClientSpec};
use tailscale_wasm_shared::args::or_empty;
use tailscale_wasm_shared::errors::{validate_one, validate_request};
use tailscale_wire::validate;
use wasm_bindgen::prelude::*;

/// `client.keys`: auth keys, OAuth clients, federated identities and API access tokens.
#[wasm_bindgen]
pub struct KeysApi {
    session: Rc<Session>,
}

impl KeysApi {
    pub fn new(session: Rc<Session>) -> KeysApi {
        KeysApi { session }
    }

    fn tailnet(&self) -> &str {
        &self.session.config.tailnet
    }
}

#[wasm_bindgen]
impl KeysApi {
    /// Lists keys: GET /api/v2/tailnet/{tailnet}/keys (`?all=true` with `all`). Resolves to `Key[]`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Key[]>")]
    pub fn list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListKeysOptions")] options: JsValue,
    ) -> Promise {
        self.session.list(keys::list, &options)
    }

    /// Gets one key: GET /api/v2/tailnet/{tailnet}/keys/{keyId}.
    #[wasm_bindgen(unchecked_return_type = "Promise<Key>")]
    pub fn get(
        &self,
        #[wasm_bindgen(js_name = keyId, unchecked_param_type = "string")] key_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session.call_with(keys::get, key_id, &options)
    }

    /// Creates an auth key: POST /api/v2/tailnet/{tailnet}/keys. The result's `key` is the
    /// secret, shown only here (`CreatedKey`). Never retried except after 429.
    #[wasm_bindgen(js_name = createAuthKey, unchecked_return_type = "Promise<CreatedKey>")]
    pub fn create_auth_key(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CreateAuthKeyOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session
            .call_with(keys::create_auth_key, or_empty(&request), &options)
    }

    /// Creates an OAuth client: POST /api/v2/tailnet/{tailnet}/keys with `keyType: "client"`.
    /// The result's `key` is the client secret, shown only here (`CreatedKey`).
    #[wasm_bindgen(js_name = createOAuthClient, unchecked_return_type = "Promise<CreatedKey>")]
    pub fn create_oauth_client(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OAuthClientOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session
            .call_with(keys::create_oauth_client, request, &options)
    }

    /// Creates a federated identity: POST /api/v2/tailnet/{tailnet}/keys with `keyType: "federated"`.
    #[wasm_bindgen(js_name = createFederatedIdentity, unchecked_return_type = "Promise<Key>")]
    pub fn create_federated_identity(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FederatedIdentityOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session
            .call_with(keys::create_federated_identity, request, &options)
    }

    /// Replaces an OAuth client's settings: PUT /api/v2/tailnet/{tailnet}/keys/{keyId}.
    #[wasm_bindgen(js_name = setOAuthClient, unchecked_return_type = "Promise<Key>")]
    pub fn set_oauth_client(
        &self,
        #[wasm_bindgen(js_name = keyId, unchecked_param_type = "string")] key_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "OAuthClientOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session.call(
            keys::set_oauth_client(self.tailnet(), key_id, request),
            &options,
        )
    }

    /// Replaces a federated identity's settings: PUT /api/v2/tailnet/{tailnet}/keys/{keyId}.
    #[wasm_bindgen(js_name = setFederatedIdentity, unchecked_return_type = "Promise<Key>")]
    pub fn set_federated_identity(
        &self,
        #[wasm_bindgen(js_name = keyId, unchecked_param_type = "string")] key_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "FederatedIdentityOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session.call(
            keys::set_federated_identity(self.tailnet(), key_id, request),
            &options,
        )
    }

    /// Revokes a key: DELETE /api/v2/tailnet/{tailnet}/keys/{keyId}. Resolves to `undefined`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(
        &self,
        #[wasm_bindgen(js_name = keyId, unchecked_param_type = "string")] key_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session.call_with(keys::delete, key_id, &options)
    }
}

/// The checks `keys.createAuthKey` runs before sending; `[]` when valid.
#[wasm_bindgen(js_name = validateCreateAuthKey, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_create_auth_key(
    #[wasm_bindgen(unchecked_optional_param_type = "CreateAuthKeyOptions")] request: JsValue,
) -> JsValue {
    validate_request(&or_empty(&request), CreateAuthKey::parse)
}

/// The checks `keys.createOAuthClient` and `keys.setOAuthClient` run; `[]` when valid.
#[wasm_bindgen(js_name = validateCreateOAuthClient, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_create_oauth_client(
    #[wasm_bindgen(unchecked_param_type = "OAuthClientOptions")] request: JsValue,
) -> JsValue {
    validate_request(&request, OAuthClientSpec::parse)
}

/// The checks `keys.createFederatedIdentity` and `keys.setFederatedIdentity` run; `[]` when valid.
#[wasm_bindgen(js_name = validateCreateFederatedIdentity, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_create_federated_identity(
    #[wasm_bindgen(unchecked_param_type = "FederatedIdentityOptions")] request: JsValue,
) -> JsValue {
    validate_request(&request, FederatedIdentitySpec::parse)
}

/// A tag: `tag:` then a letter, then letters, digits or `-`. `[]` when valid.
#[wasm_bindgen(js_name = validateTag, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_tag(#[wasm_bindgen(unchecked_param_type = "string")] tag: JsValue) -> JsValue {
    validate_one("tag", validate::tag, &tag)
}

/// A scope: `name` or `name:sub[:sub]`, lowercase letters and `_`. `[]` when valid.
#[wasm_bindgen(js_name = validateScope, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_scope(#[wasm_bindgen(unchecked_param_type = "string")] scope: JsValue) -> JsValue {
    validate_one("scope", validate::scope, &scope)
}
