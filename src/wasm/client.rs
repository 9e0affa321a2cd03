//! The exported `TailscaleClient`, its `keys` and `oauthApps` groups, the validators, and the
//! one request path every method goes through: token, concurrency slot, attempt, retry.

use super::convert::{or_empty, signal_only, take_signal};
use super::errors::{issues_to_js, to_js};
use super::js::{abortable, now_ms, sleep};
use super::limit::Limiter;
use super::transport::{self, Attempt, AttemptError};
use crate::auth::{self, Acquire, Credentials, Secret, TokenCache, TokenResponse};
use crate::config::{self, Config};
use crate::error::{Error, Issue};
use crate::http::{check_response, retry_delay, Body, Expect, Failure, HttpRequest, ResponseHead};
use crate::json::Json;
use crate::keys::{self, CreateAuthKey, FederatedIdentitySpec, OAuthClientSpec};
use crate::oauth_apps::{self, OAuthAppSpec};
use crate::text::cat;
use crate::validate;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

#[wasm_bindgen(typescript_custom_section)]
const TS_OPTIONS: &str = r#"
import type { Key, OAuthApp, ValidationIssue, CreateAuthKeyOptions, OAuthClientOptions, FederatedIdentityOptions, OAuthAppOptions } from "../models.js";

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

/** Options for `keys.list`. */
export interface ListKeysOptions extends CallOptions {
  /** Also list keys owned by other users (`?all=true`). Default false. */
  all?: boolean;
}
"#;

struct Inner {
    config: Config,
    credentials: Credentials,
    /// `federated.idToken` when it is a function.
    id_token_fn: Option<Function>,
    tokens: RefCell<TokenCache>,
    /// The token mint in flight, shared by every caller that needs a token meanwhile.
    mint: RefCell<Option<Promise>>,
    limiter: Rc<Limiter>,
    /// Only in Node: browsers do not let scripts set `User-Agent`.
    user_agent: Option<String>,
}

/// A client for the Tailscale API. Holds the credential, a token cache and a concurrency cap;
/// safe to share across concurrent calls.
#[wasm_bindgen]
pub struct TailscaleClient {
    inner: Rc<Inner>,
    keys: JsValue,
    oauth_apps: JsValue,
}

/// `client.keys`: auth keys, OAuth clients, federated identities and API access tokens.
#[wasm_bindgen]
pub struct KeysApi {
    inner: Rc<Inner>,
}

/// `client.oauthApps`: OAuth apps for device provisioning.
#[wasm_bindgen]
pub struct OAuthAppsApi {
    inner: Rc<Inner>,
}

fn js_error(e: Error) -> JsValue {
    to_js(&e, None, None)
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

fn running_in_node() -> bool {
    let process = Reflect::get(&js_sys::global(), &"process".into()).unwrap_or(JsValue::UNDEFINED);
    process.is_object()
        && Reflect::get(&process, &"versions".into())
            .and_then(|v| Reflect::get(&v, &"node".into()))
            .is_ok_and(|v| v.is_string())
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
        let user_agent = running_in_node().then(|| config.user_agent.clone());
        let inner = Rc::new(Inner {
            limiter: Limiter::new(config.max_concurrency),
            config,
            credentials,
            id_token_fn,
            tokens: RefCell::new(TokenCache::default()),
            mint: RefCell::new(None),
            user_agent,
        });
        Ok(TailscaleClient {
            keys: KeysApi {
                inner: inner.clone(),
            }
            .into(),
            oauth_apps: OAuthAppsApi {
                inner: inner.clone(),
            }
            .into(),
            inner,
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

    /// The tailnet this client addresses (`"-"` by default).
    #[wasm_bindgen(getter)]
    pub fn tailnet(&self) -> String {
        self.inner.config.tailnet.clone()
    }

    /// The API origin requests go to.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.config.base_url.clone()
    }

    /// `"apiKey"`, `"oauth"` or `"federated"`; never the credential itself.
    #[wasm_bindgen(getter, js_name = authMode)]
    pub fn auth_mode(&self) -> String {
        self.inner.credentials.mode().to_owned()
    }

    /// What `JSON.stringify(client)` shows: settings, never credentials or tokens.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ClientSummary")]
    pub fn to_json(&self) -> JsValue {
        let obj = Object::new();
        let _ = Reflect::set(&obj, &"tailnet".into(), &self.tailnet().into());
        let _ = Reflect::set(&obj, &"baseUrl".into(), &self.base_url().into());
        let _ = Reflect::set(&obj, &"authMode".into(), &self.auth_mode().into());
        obj.into()
    }
}

type Build = fn(&str, JsValue) -> Result<HttpRequest, Error>;
type BuildWithId = fn(&str, JsValue, JsValue) -> Result<HttpRequest, Error>;

impl Inner {
    /// A method with a body and a trailing `{ signal }`.
    fn call(self: &Rc<Self>, build: Build, body: &JsValue, options: &JsValue) -> Promise {
        let prepared = signal_only(options)
            .and_then(|signal| Ok((build(&self.config.tailnet, body.clone())?, signal)));
        self.start(prepared)
    }

    /// A method addressed by id, with an optional body and a trailing `{ signal }`.
    fn call_id(
        self: &Rc<Self>,
        build: BuildWithId,
        id: &JsValue,
        body: &JsValue,
        options: &JsValue,
    ) -> Promise {
        let prepared = signal_only(options).and_then(|signal| {
            Ok((
                build(&self.config.tailnet, id.clone(), body.clone())?,
                signal,
            ))
        });
        self.start(prepared)
    }

    fn start(
        self: &Rc<Self>,
        prepared: Result<(HttpRequest, Option<AbortSignal>), Error>,
    ) -> Promise {
        let inner = self.clone();
        spawn(Box::pin(async move {
            let (req, signal) = prepared.map_err(js_error)?;
            let body = perform(&inner, &req, signal.as_ref()).await?;
            to_result(&req, body)
        }))
    }
}

type Task = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// Every promise the client hands out comes from one future type, so the executor's code is
/// in the wasm once rather than once per kind of task.
fn spawn(task: Task) -> Promise {
    future_to_promise(task)
}

/// The JS value a successful call resolves to: the engine-parsed body, or its list.
fn to_result(req: &HttpRequest, body: Body<JsValue>) -> Result<JsValue, JsValue> {
    let value = match body {
        Body::Json(v) => v,
        _ => JsValue::UNDEFINED,
    };
    Ok(match req.expect {
        Expect::Nothing => JsValue::UNDEFINED,
        Expect::Object(_) => value,
        Expect::List(field, _) => value
            .get(field)
            .filter(|l| !l.is_null())
            .unwrap_or_else(|| Array::new().into()),
    })
}

/// Sends `req` until it succeeds, fails for good, or the signal aborts: the single request path.
async fn perform(
    inner: &Rc<Inner>,
    req: &HttpRequest,
    signal: Option<&AbortSignal>,
) -> Result<Body<JsValue>, JsValue> {
    let url = cat(&[&inner.config.base_url, &req.target()]);
    let mut retries = 0;
    let mut reminted = false;
    loop {
        let bearer = match req.authenticated {
            true => Some(bearer(inner, signal).await?),
            false => None,
        };
        let outcome = {
            let _slot = inner.limiter.acquire(signal).await?;
            transport::send(Attempt {
                url: url.clone(),
                request: req,
                bearer: bearer.as_ref(),
                user_agent: inner.user_agent.as_deref(),
                timeout_ms: inner.config.timeout_ms,
                signal,
            })
            .await
        };
        let mut cause = None;
        let mut data = None;
        let error = match outcome {
            Ok(got) => {
                let head = ResponseHead {
                    status: got.status,
                    retry_after: got.retry_after.as_deref(),
                    location: got.location.as_deref(),
                };
                match check_response(req, head, got.body_len, &got.body, now_ms()) {
                    Ok(()) => return Ok(got.body),
                    Err(Error::Api(e))
                        if e.status == 401
                            && !reminted
                            && bearer.is_some()
                            && uses_tokens(inner) =>
                    {
                        // The token was revoked or expired early: drop it and mint once more.
                        if let Some(token) = &bearer {
                            inner.tokens.borrow_mut().invalidate(token);
                        }
                        reminted = true;
                        continue;
                    }
                    Err(e) => {
                        if let (Error::Api(api), Body::Json(v)) = (&e, &got.body) {
                            data = v.get("data").filter(|_| api.has_data);
                        }
                        e
                    }
                }
            }
            Err(AttemptError::Aborted(reason)) => return Err(reason),
            Err(AttemptError::Timeout) => Error::Timeout {
                timeout_ms: inner.config.timeout_ms,
            },
            Err(AttemptError::Network { name, message }) => {
                let e = js_sys::Error::new(&message);
                e.set_name(&name);
                cause = Some(e.into());
                Error::Network {
                    message: cat(&[
                        req.method.as_str(),
                        " ",
                        &req.path,
                        " could not be completed: ",
                        &message,
                    ]),
                }
            }
        };
        let failure = Failure::of(&error);
        let delay = failure.and_then(|f| {
            retry_delay(
                req.method,
                f,
                retries,
                inner.config.max_retries,
                js_sys::Math::random(),
            )
        });
        match delay {
            Some(ms) => {
                sleep(ms, signal).await?;
                retries += 1;
            }
            None => return Err(to_js(&error, cause, data)),
        }
    }
}

fn uses_tokens(inner: &Inner) -> bool {
    !matches!(inner.credentials, Credentials::ApiKey(_))
}

/// The Bearer token for the next attempt: the API key, a cached token, or a (shared) mint.
async fn bearer(inner: &Rc<Inner>, signal: Option<&AbortSignal>) -> Result<Secret, JsValue> {
    if let Credentials::ApiKey(key) = &inner.credentials {
        return Ok(key.clone());
    }
    let decision = inner.tokens.borrow_mut().acquire(now_ms());
    let in_flight = inner.mint.borrow().clone();
    let flight = match (decision, in_flight) {
        (Acquire::Ready(token), _) => return Ok(token),
        (Acquire::Wait, Some(flight)) => flight,
        (Acquire::Mint | Acquire::Wait, _) => {
            let flight = spawn(mint(inner.clone()));
            *inner.mint.borrow_mut() = Some(flight.clone());
            flight
        }
    };
    // One caller's abort stops its own wait, not the mint the others share.
    let token = abortable(flight, signal).await?;
    token
        .as_string()
        .map(Secret::new)
        .ok_or_else(|| js_sys::Error::new("token mint returned no token").into())
}

/// Mints an access token. Boxed: it sends through `perform`, which may start a mint.
fn mint(inner: Rc<Inner>) -> Task {
    Box::pin(async move {
        let result = mint_token(&inner).await;
        *inner.mint.borrow_mut() = None;
        match result {
            Ok(token) => Ok(token.expose().into()),
            Err(e) => {
                inner.tokens.borrow_mut().mint_failed();
                Err(e)
            }
        }
    })
}

async fn mint_token(inner: &Rc<Inner>) -> Result<Secret, JsValue> {
    let req = match &inner.credentials {
        Credentials::OAuth {
            client_id,
            client_secret,
            scopes,
            tags,
        } => auth::oauth_token_request(client_id, client_secret, scopes, tags),
        Credentials::Federated {
            client_id,
            id_token,
        } => {
            let jwt = match id_token {
                Some(t) => t.clone(),
                None => call_id_token_fn(inner).await?,
            };
            auth::check_id_token_with(jwt.expose(), now_ms(), |t| js_sys::JSON::parse(t).ok())
                .map_err(js_error)?;
            auth::token_exchange_request(client_id, &jwt)
        }
        Credentials::ApiKey(key) => return Ok(key.clone()),
    };
    let body = perform(inner, &req, None).await?;
    let unusable = |reason: String| {
        js_error(Error::Response {
            status: 200,
            method: req.method,
            path: req.path.clone(),
            reason,
        })
    };
    let response = match &body {
        Body::Json(v) => TokenResponse::from_json(v),
        _ => None,
    }
    .ok_or_else(|| unusable("token response has no string access_token".into()))?;
    inner
        .tokens
        .borrow_mut()
        .minted(&response, now_ms())
        .map_err(unusable)
}

async fn call_id_token_fn(inner: &Inner) -> Result<Secret, JsValue> {
    let failed = |message: &str, cause: Option<JsValue>| {
        to_js(
            &Error::validation("federated.idToken", message),
            cause,
            None,
        )
    };
    let Some(f) = &inner.id_token_fn else {
        return Err(failed("is missing", None));
    };
    let value = f
        .call0(&JsValue::UNDEFINED)
        .map_err(|e| failed("function threw", Some(e)))?;
    let value = wasm_bindgen_futures::JsFuture::from(Promise::resolve(&value))
        .await
        .map_err(|e| failed("function rejected", Some(e)))?;
    value
        .as_string()
        .map(Secret::new)
        .ok_or_else(|| failed("function must return a string (or a Promise of one)", None))
}

#[wasm_bindgen]
impl KeysApi {
    /// Lists keys: GET /api/v2/tailnet/{tailnet}/keys (`?all=true` with `all`). Resolves to `Key[]`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Key[]>")]
    pub fn list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListKeysOptions")] options: JsValue,
    ) -> Promise {
        let prepared = take_signal(&options).and_then(|(rest, signal)| {
            Ok((
                keys::list(&self.inner.config.tailnet, or_empty(&rest))?,
                signal,
            ))
        });
        self.inner.start(prepared)
    }

    /// Gets one key: GET /api/v2/tailnet/{tailnet}/keys/{keyId}.
    #[wasm_bindgen(unchecked_return_type = "Promise<Key>")]
    pub fn get(
        &self,
        #[wasm_bindgen(js_name = keyId, unchecked_param_type = "string")] key_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.inner.call(keys::get, &key_id, &options)
    }

    /// Creates an auth key: POST /api/v2/tailnet/{tailnet}/keys. The result's `key` is the
    /// secret, shown only here. Never retried except after 429.
    #[wasm_bindgen(js_name = createAuthKey, unchecked_return_type = "Promise<Key>")]
    pub fn create_auth_key(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CreateAuthKeyOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let request = if request.is_undefined() {
            Object::new().into()
        } else {
            request
        };
        self.inner.call(keys::create_auth_key, &request, &options)
    }

    /// Creates an OAuth client: POST /api/v2/tailnet/{tailnet}/keys with `keyType: "client"`.
    /// The result's `key` is the client secret, shown only here.
    #[wasm_bindgen(js_name = createOAuthClient, unchecked_return_type = "Promise<Key>")]
    pub fn create_oauth_client(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OAuthClientOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.inner
            .call(keys::create_oauth_client, &request, &options)
    }

    /// Creates a federated identity: POST /api/v2/tailnet/{tailnet}/keys with `keyType: "federated"`.
    #[wasm_bindgen(js_name = createFederatedIdentity, unchecked_return_type = "Promise<Key>")]
    pub fn create_federated_identity(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FederatedIdentityOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.inner
            .call(keys::create_federated_identity, &request, &options)
    }

    /// Replaces an OAuth client's settings: PUT /api/v2/tailnet/{tailnet}/keys/{keyId}.
    #[wasm_bindgen(js_name = setOAuthClient, unchecked_return_type = "Promise<Key>")]
    pub fn set_oauth_client(
        &self,
        #[wasm_bindgen(js_name = keyId, unchecked_param_type = "string")] key_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "OAuthClientOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.inner
            .call_id(keys::set_oauth_client, &key_id, &request, &options)
    }

    /// Replaces a federated identity's settings: PUT /api/v2/tailnet/{tailnet}/keys/{keyId}.
    #[wasm_bindgen(js_name = setFederatedIdentity, unchecked_return_type = "Promise<Key>")]
    pub fn set_federated_identity(
        &self,
        #[wasm_bindgen(js_name = keyId, unchecked_param_type = "string")] key_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "FederatedIdentityOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.inner
            .call_id(keys::set_federated_identity, &key_id, &request, &options)
    }

    /// Revokes a key: DELETE /api/v2/tailnet/{tailnet}/keys/{keyId}. Resolves to `undefined`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(
        &self,
        #[wasm_bindgen(js_name = keyId, unchecked_param_type = "string")] key_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.inner.call(keys::delete, &key_id, &options)
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
        self.inner.call(
            |t, _| Ok(oauth_apps::list(t)),
            &JsValue::UNDEFINED,
            &options,
        )
    }

    /// Gets one OAuth app: GET /api/v2/tailnet/{tailnet}/oauth-apps/{appId}.
    #[wasm_bindgen(unchecked_return_type = "Promise<OAuthApp>")]
    pub fn get(
        &self,
        #[wasm_bindgen(js_name = appId, unchecked_param_type = "string")] app_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.inner.call(oauth_apps::get, &app_id, &options)
    }

    /// Creates an OAuth app: POST /api/v2/tailnet/{tailnet}/oauth-apps. The result's
    /// `clientSecret` is shown only here. Never retried except after 429.
    #[wasm_bindgen(unchecked_return_type = "Promise<OAuthApp>")]
    pub fn create(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OAuthAppOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.inner.call(oauth_apps::create, &request, &options)
    }

    /// Replaces an OAuth app's settings: PUT /api/v2/tailnet/{tailnet}/oauth-apps/{appId}.
    #[wasm_bindgen(unchecked_return_type = "Promise<OAuthApp>")]
    pub fn update(
        &self,
        #[wasm_bindgen(js_name = appId, unchecked_param_type = "string")] app_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "OAuthAppOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.inner
            .call_id(oauth_apps::update, &app_id, &request, &options)
    }

    /// Deletes an OAuth app: DELETE /api/v2/tailnet/{tailnet}/oauth-apps/{appId}.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(
        &self,
        #[wasm_bindgen(js_name = appId, unchecked_param_type = "string")] app_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.inner.call(oauth_apps::delete, &app_id, &options)
    }
}

fn issues_js(issues: Vec<Issue>) -> JsValue {
    issues_to_js(&issues)
}

/// Runs a request parser as a validator: the issues it finds, `[]` when valid.
fn validate_request<T>(value: &JsValue, parse: fn(JsValue) -> Result<T, Vec<Issue>>) -> JsValue {
    issues_js(parse(value.clone()).err().unwrap_or_default())
}

fn validate_one(field: &str, rule: fn(&str) -> Result<(), String>, value: &JsValue) -> JsValue {
    issues_js(validate::single(field, rule, value.clone()))
}

/// The checks `keys.createAuthKey` runs before sending; `[]` when valid.
#[wasm_bindgen(js_name = validateCreateAuthKey, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_create_auth_key(
    #[wasm_bindgen(unchecked_optional_param_type = "CreateAuthKeyOptions")] request: JsValue,
) -> JsValue {
    let request = if request.is_undefined() {
        Object::new().into()
    } else {
        request
    };
    validate_request(&request, CreateAuthKey::parse)
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

/// The checks `oauthApps.create` and `oauthApps.update` run; `[]` when valid.
#[wasm_bindgen(js_name = validateOAuthApp, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_oauth_app(
    #[wasm_bindgen(unchecked_param_type = "OAuthAppOptions")] request: JsValue,
) -> JsValue {
    validate_request(&request, OAuthAppSpec::parse)
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
