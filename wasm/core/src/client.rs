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

#[wasm_bindgen(typescript_custom_section)]
const TS_OPTIONS: &str = r#"
import type { Key, OAuthApp, ValidationIssue, CreateAuthKeyOptions, OAuthClientOptions, FederatedIdentityOptions, OAuthAppOptions, Device, DevicePostureAttributes, AttributeValue, SetAttributeOptions, UpdateAttributesOptions } from "../models.js";

/** Options for `new TailscaleClient(...)`. Pass exactly one of `apiKey`, `oauth`, `federated`. */
export interface TailscaleClientOptions {
  /** An API access token (`tskey-api-...`), sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** OAuth client credentials, exchanged at POST /api/v2/oauth/token for short-lived tokens. */
  oauth?: OAuthCredentials;
  /** Workload identity federation: POST /api/v2/oauth/token-exchange with an OIDC ID token. */
  federated?: FederatedCredentials;
  /** The tailnet. Default `"-"`, the token's own tailnet. */
  tailnet?: string;
  /** Default `"https://api.tailscale.com"`; requests go to `${baseUrl}/api/v2/...`. Must be
   *  `https://`, or `http://` on localhost, 127.0.0.0/8 or [::1]; never with a user name or
   *  password. */
  baseUrl?: string;
  /** Allows a plain `http://` baseUrl to a host that is not loopback, where the credential
   *  crosses the network in clear text. Default false. */
  allowInsecureHttp?: boolean;
  /** Per attempt, in ms. Default 30000. */
  timeoutMs?: number;
  /** Extra attempts after the first, default 2; 0 disables retries. */
  maxRetries?: number;
  /** Requests in flight at once from this client, default 8. */
  maxConcurrency?: number;
  /** Sent where the runtime allows it (Node). Default `"tailscale-wasm/<version>"`. */
  userAgent?: string;
  /** Responses larger than this many bytes are refused with `TailscaleResponseError`, from 1
   *  to 268435456 (256 MiB). Default 67108864 (64 MiB). */
  maxResponseBytes?: number;
  /** Called instead of the global `fetch`, with one `Request` (for a mock in tests, a proxy
   *  dispatcher, logging). It must resolve to a `Response`. Redirects stay unfollowed (the
   *  request says `redirect: "manual"`), and `timeoutMs` and aborts hold even if it ignores
   *  the request's signal. Default: the global `fetch`. */
  fetch?: FetchFunction;
}

/** What the `fetch` option takes: the global `fetch`, or any function that answers a
 *  `Request` with a `Response`. */
export type FetchFunction = (input: Request) => Promise<Response>;

/** What `client.request` sends. */
export interface RequestOptions extends CallOptions {
  /** The HTTP method. */
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The path under `/api/v2`, such as `/device/${encodeURIComponent(id)}/routes`;
   *  `{tailnet}` becomes the client's tailnet. No query, no `.` or `..` segment. */
  path: string;
  /** Query parameters; a list repeats its parameter. `undefined` and `null` are left out. */
  query?: Record<string, string | number | boolean | (string | number | boolean)[] | null | undefined>;
  /** A JSON body (sent as `application/json`). Not on GET. */
  body?: unknown;
  /** Whether sending the request twice does no harm, so that 502, 503, 504, a dropped
   *  connection and a timeout may be retried. Default: true for GET, PUT and DELETE, false
   *  for POST and PATCH. */
  idempotent?: boolean;
}

export interface TailscaleClient {
  /**
   * Sends a request to any API endpoint, wrapped by this package or not, with the client's
   * credentials, transport rules, retries, timeouts, size cap and typed errors. Resolves to
   * the decoded JSON body, or `undefined` for an empty one. Rejects with
   * `TailscaleValidationError` before sending when an option is wrong.
   * @example
   * const routes = await client.request<{ advertisedRoutes: string[] }>({ method: "GET", path: `/device/${id}/routes` });
   */
  request<T = unknown>(options: RequestOptions): Promise<T>;
}

/** OAuth client credentials. Tokens are cached and re-minted 60 s before they expire. */
export interface OAuthCredentials {
  /** The OAuth client's ID. */
  clientId: string;
  /** The client secret (`tskey-client-...`); never shown in errors or logs. */
  clientSecret: string;
  /** Scopes to ask for (form field `scope`). Default: all of the client's scopes. */
  scopes?: string[];
  /** Tags to ask for (form field `tags`). Default: the client's tags. */
  tags?: string[];
}

/** A federated identity and the OIDC ID token that proves it. */
export interface FederatedCredentials {
  /** The federated identity's client ID. */
  clientId: string;
  /** The ID token (a JWT), or a function returning one, called again for every exchange.
   *  An expired token is refused before anything is sent. */
  idToken: string | (() => string | Promise<string>);
}

/** What `JSON.stringify(client)` shows: settings only, never credentials. */
export interface ClientSummary {
  /** The tailnet the client addresses. */
  tailnet: string;
  /** The API origin. */
  baseUrl: string;
  /** `"apiKey"`, `"oauth"` or `"federated"`. */
  authMode: string;
}

/** The optional last argument of every method. */
export interface CallOptions {
  /** Aborting rejects the call with the signal's reason and stops any wait. Default none. */
  signal?: AbortSignal;
}
"#;

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
    let _ = Reflect::set(&fed_copy, &"idToken".into(), &JsValue::NULL);
    let copy = Object::assign(&Object::new(), options.unchecked_ref());
    let _ = Reflect::set(&copy, &"federated".into(), &fed_copy);
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
    #[wasm_bindgen(getter)]
    pub fn tailnet(&self) -> String {
        self.session.config.tailnet.clone()
    }

    /// The API origin requests go to.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.session.config.base_url.clone()
    }

    /// `"apiKey"`, `"oauth"` or `"federated"`; never the credential itself.
    #[wasm_bindgen(getter, js_name = authMode)]
    pub fn auth_mode(&self) -> String {
        self.session.auth_mode().to_owned()
    }

    /// What `JSON.stringify(client)` shows: settings, never credentials or tokens.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ClientSummary")]
    pub fn to_json(&self) -> JsValue {
        let obj = Object::new();
        set(&obj, "tailnet", self.tailnet().into());
        set(&obj, "baseUrl", self.base_url().into());
        set(&obj, "authMode", self.auth_mode().into());
        obj.into()
    }
}
