//! The one request path every method of every class goes through: token, concurrency slot,
//! attempt, retry. A `Session` holds what one JS object's requests share.

use super::js::{abortable, now_ms, sleep};
use super::limit::Limiter;
use super::transport::{self, Attempt, AttemptError};
use js_sys::{Array, Function, Promise};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use tailscale_api::auth::{self, Acquire, Credentials, Secret, TokenCache, TokenResponse};
use tailscale_api::config::Config;
use tailscale_wasm_shared::args::{or_empty, signal_only, take_signal};
use tailscale_wasm_shared::errors::{js_error, to_js};
use tailscale_wire::error::Error;
use tailscale_wire::http::{
    check_response, deleted_by_earlier_attempt, retry_delay, Body, Expect, Failure, HttpRequest,
    ResponseHead,
};
use tailscale_wire::json::Json;
use tailscale_wire::text::cat;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

/// Where one object's requests go, their limits, and the credential they carry.
pub struct Session {
    pub config: Config,
    /// `None` for requests that authenticate in their own body (`DeviceProvisioning`).
    pub credentials: Option<Credentials>,
    /// `federated.idToken` when it is a function.
    pub id_token_fn: Option<Function>,
    /// The `fetch` option, called instead of the global `fetch`.
    fetch: Option<Function>,
    tokens: RefCell<TokenCache>,
    /// The token mint in flight, shared by every caller that needs a token meanwhile.
    mint: RefCell<Option<Promise>>,
    limiter: Rc<Limiter>,
    /// Only where `process.versions.node` is set (Node, Bun, Deno): browsers do not let scripts
    /// set `User-Agent`.
    user_agent: Option<String>,
}

/// A request built and checked, with the call's signal, or why it could not be.
pub type Prepared = Result<(HttpRequest, Option<AbortSignal>), Error>;

fn running_in_node() -> bool {
    let global = js_sys::global();
    let process = js_sys::Reflect::get(&global, &"process".into()).unwrap_or(JsValue::UNDEFINED);
    process.is_object()
        && js_sys::Reflect::get(&process, &"versions".into())
            .and_then(|v| js_sys::Reflect::get(&v, &"node".into()))
            .is_ok_and(|v| v.is_string())
}

/// The `fetch` option: a function (the core has checked that it is one, or absent).
pub fn fetch_option(options: &JsValue) -> Option<Function> {
    js_sys::Reflect::get(options, &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
}

impl Session {
    /// `options` are the class's options as given, for the `fetch` function they may hold.
    pub fn new(
        config: Config,
        credentials: Option<Credentials>,
        id_token_fn: Option<Function>,
        options: &JsValue,
    ) -> Rc<Session> {
        let user_agent = running_in_node().then(|| config.user_agent.clone());
        Rc::new(Session {
            limiter: Limiter::new(config.max_concurrency),
            config,
            credentials,
            id_token_fn,
            fetch: fetch_option(options),
            tokens: RefCell::new(TokenCache::default()),
            mint: RefCell::new(None),
            user_agent,
        })
    }

    /// A method whose request is built from its arguments, with a trailing `{ signal }`.
    pub fn call(
        self: &Rc<Self>,
        request: Result<HttpRequest, Error>,
        options: &JsValue,
    ) -> Promise {
        self.start(signal_only(options).and_then(|signal| Ok((request?, signal))))
    }

    /// A list method: its options object (or `undefined`) read by `build` once `signal` is taken
    /// out. One body for every such method rather than one in each.
    pub fn list(
        self: &Rc<Self>,
        build: fn(&str, JsValue) -> Result<HttpRequest, Error>,
        options: &JsValue,
    ) -> Promise {
        let tailnet = &self.config.tailnet;
        let prepared = take_signal(options)
            .and_then(|(rest, signal)| Ok((build(tailnet, or_empty(&rest))?, signal)));
        self.start(prepared)
    }

    /// A method whose request `build` makes from the tailnet and one argument, with a trailing
    /// `{ signal }`: the builder passed as a fn, so that each method is a call.
    pub fn call_with(
        self: &Rc<Self>,
        build: fn(&str, JsValue) -> Result<HttpRequest, Error>,
        arg: JsValue,
        options: &JsValue,
    ) -> Promise {
        self.call(build(&self.config.tailnet, arg), options)
    }

    /// Sends a prepared request; the promise resolves to what the operation returns.
    pub fn start(self: &Rc<Self>, prepared: Prepared) -> Promise {
        self.start_with(prepared, |req, reply| Ok(result(req, reply.body)))
    }

    /// Sends a prepared request and makes its reply the promise's value through `finish`: one
    /// future type for every single-request method (each async block costs its own code).
    pub fn start_with(
        self: &Rc<Self>,
        prepared: Prepared,
        finish: fn(&HttpRequest, Reply) -> Result<JsValue, JsValue>,
    ) -> Promise {
        let session = self.clone();
        spawn(Box::pin(async move {
            let (req, signal) = prepared.map_err(js_error)?;
            let reply = send(&session, &req, signal.as_ref()).await?;
            finish(&req, reply)
        }))
    }

    /// `"apiKey"`, `"oauth"` or `"federated"`.
    pub fn auth_mode(&self) -> &'static str {
        self.credentials.as_ref().map_or("", Credentials::mode)
    }
}

pub type Task = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// Every promise the package hands out comes from one future type, so the executor's code is
/// in the wasm once rather than once per kind of task.
pub fn spawn(task: Task) -> Promise {
    future_to_promise(task)
}

/// The JS value a successful call resolves to: the engine-parsed body, or its list.
fn result(req: &HttpRequest, body: Body<JsValue>) -> JsValue {
    let value = match body {
        Body::Json(v) => v,
        Body::Text(t) => t.into(),
        _ => JsValue::UNDEFINED,
    };
    match req.expect {
        Expect::Nothing => JsValue::UNDEFINED,
        Expect::Object(_) | Expect::ObjectOrEmpty(_) | Expect::Text | Expect::Json => value,
        Expect::List(field, _) => value
            .get(field)
            .filter(|l| !l.is_null())
            .unwrap_or_else(|| Array::new().into()),
    }
}

/// A success: its body, and the `ETag` that versions it (the policy file's).
pub struct Reply {
    pub body: Body<JsValue>,
    pub etag: Option<String>,
}

/// What a request that failed for good rejects with: a core error (which `policy.update` reads
/// to decide its next round), or a JS value (an abort's reason, a failed token mint).
pub enum Rejection {
    Core {
        error: Error,
        cause: Option<JsValue>,
        data: Option<JsValue>,
    },
    Js(JsValue),
}

impl From<Rejection> for JsValue {
    fn from(rejection: Rejection) -> JsValue {
        match rejection {
            Rejection::Core { error, cause, data } => to_js(&error, cause, data),
            Rejection::Js(value) => value,
        }
    }
}

/// Sends `req` until it succeeds, fails for good, or the signal aborts: the single request path.
pub async fn send(
    session: &Rc<Session>,
    req: &HttpRequest,
    signal: Option<&AbortSignal>,
) -> Result<Reply, Rejection> {
    let url = cat(&[&session.config.base_url, &req.path, &req.query]);
    let mut tries = Tries::default();
    loop {
        let bearer = match req.authenticated {
            true => bearer(session, signal).await.map_err(Rejection::Js)?,
            false => None,
        };
        let outcome = {
            let _slot = session
                .limiter
                .acquire(signal)
                .await
                .map_err(Rejection::Js)?;
            transport::send(Attempt {
                url: &url,
                request: req,
                bearer: bearer.as_ref(),
                user_agent: session.user_agent.as_deref(),
                timeout_ms: session.config.timeout_ms,
                signal,
                fetch: session.fetch.as_ref(),
                max_body_bytes: session.config.max_response_bytes,
            })
            .await
        };
        let failed = match outcome {
            Ok(got) => {
                let head = ResponseHead {
                    status: got.status,
                    retry_after: got.retry_after.as_deref(),
                    location: got.location.as_deref(),
                };
                let limit = session.config.max_response_bytes;
                match check_response(req, head, got.body_len, &got.body, now_ms(), limit) {
                    Ok(()) => {
                        return Ok(Reply {
                            body: got.body,
                            etag: got.etag,
                        })
                    }
                    Err(e) => Ok((got, e)),
                }
            }
            Err(e) => Err(e),
        };
        // Bound before the match: matching on the call directly builds 41 B more wasm.
        let next = after_failure(session, req, failed, bearer.as_ref(), &mut tries);
        match next {
            Next::Done(result) => return result,
            Next::Again => {}
            Next::Wait(ms) => sleep(ms, signal).await.map_err(Rejection::Js)?,
        }
    }
}

/// What `send` knows of its earlier attempts.
#[derive(Default)]
struct Tries {
    retries: u32,
    reminted: bool,
    /// An earlier attempt may have done the work although its answer never came.
    maybe_processed: bool,
}

/// What `send` does after an attempt.
enum Next {
    Done(Result<Reply, Rejection>),
    /// Attempt again now, with a new token.
    Again,
    /// Attempt again after this many milliseconds.
    Wait(u64),
}

/// Decides what follows an attempt that did not succeed. Out of line: a call that succeeds
/// never runs it, so its first call does not compile it either (the cold start, BENCHMARKS.md).
#[inline(never)]
fn after_failure(
    session: &Session,
    req: &HttpRequest,
    failed: Result<(transport::Received, Error), AttemptError>,
    bearer: Option<&Secret>,
    tries: &mut Tries,
) -> Next {
    let mut cause = None;
    let mut data = None;
    let error = match failed {
        Ok((_, Error::Api(e)))
            if deleted_by_earlier_attempt(req, e.status, tries.maybe_processed) =>
        {
            return Next::Done(Ok(Reply {
                body: Body::Empty,
                etag: None,
            }))
        }
        Ok((_, Error::Api(e)))
            if e.status == 401 && !tries.reminted && req.authenticated && uses_tokens(session) =>
        {
            // The token was revoked or expired early: drop it and mint once more.
            if let Some(token) = bearer {
                session.tokens.borrow_mut().invalidate(token);
            }
            tries.reminted = true;
            return Next::Again;
        }
        Ok((got, e)) => {
            if let (Error::Api(api), Body::Json(v)) = (&e, &got.body) {
                data = v.get("data").filter(|_| api.has_data);
            }
            e
        }
        Err(AttemptError::Aborted(reason)) => return Next::Done(Err(Rejection::Js(reason))),
        Err(AttemptError::Timeout) => req.timeout_error(session.config.timeout_ms),
        Err(AttemptError::Network { name, message }) => {
            let e = js_sys::Error::new(&message);
            e.set_name(&name);
            cause = Some(e.into());
            req.network_error(message)
        }
    };
    let failure = Failure::of(&error);
    tries.maybe_processed |= failure.is_some_and(Failure::maybe_processed);
    let delay = failure.and_then(|f| {
        retry_delay(
            req.idempotent,
            f,
            tries.retries,
            session.config.max_retries,
            js_sys::Math::random(),
        )
    });
    match delay {
        Some(ms) => {
            tries.retries += 1;
            Next::Wait(ms)
        }
        None => Next::Done(Err(Rejection::Core { error, cause, data })),
    }
}

/// Whether a 401 can mean a stale minted token (OAuth and federated credentials).
fn uses_tokens(session: &Session) -> bool {
    matches!(
        session.credentials,
        Some(Credentials::OAuth { .. } | Credentials::Federated { .. })
    )
}

/// The Bearer token for the next attempt: the API key, a cached token, or a (shared) mint;
/// `None` without credentials.
async fn bearer(
    session: &Rc<Session>,
    signal: Option<&AbortSignal>,
) -> Result<Option<Secret>, JsValue> {
    match &session.credentials {
        None => return Ok(None),
        Some(Credentials::ApiKey(key)) => return Ok(Some(key.clone())),
        Some(_) => {}
    }
    let decision = session.tokens.borrow_mut().acquire(now_ms());
    let in_flight = session.mint.borrow().clone();
    let flight = match (decision, in_flight) {
        (Acquire::Ready(token), _) => return Ok(Some(token)),
        (Acquire::Wait, Some(flight)) => flight,
        (Acquire::Mint | Acquire::Wait, _) => {
            let flight = spawn(mint(session.clone()));
            *session.mint.borrow_mut() = Some(flight.clone());
            flight
        }
    };
    // One caller's abort stops its own wait, not the mint the others share.
    let token = abortable(flight, signal).await?;
    token
        .as_string()
        .map(|t| Some(Secret::new(t)))
        .ok_or_else(|| js_sys::Error::new("token mint returned no token").into())
}

/// Mints an access token. Boxed: it sends through `send`, which may start a mint.
fn mint(session: Rc<Session>) -> Task {
    Box::pin(async move {
        let result = mint_token(&session).await;
        *session.mint.borrow_mut() = None;
        match result {
            Ok(token) => Ok(token.expose().into()),
            Err(e) => {
                session.tokens.borrow_mut().mint_failed();
                Err(e)
            }
        }
    })
}

async fn mint_token(session: &Rc<Session>) -> Result<Secret, JsValue> {
    let req = match &session.credentials {
        Some(Credentials::OAuth {
            client_id,
            client_secret,
            scopes,
            tags,
        }) => auth::oauth_token_request(client_id, client_secret, scopes, tags),
        Some(Credentials::Federated {
            client_id,
            id_token,
        }) => {
            let jwt = match id_token {
                Some(t) => t.clone(),
                None => call_id_token_fn(session).await?,
            };
            // The one `JSON.parse` binding, the transport's (js-sys's would add a second).
            let parse = |t: &str| transport::json_parse(&t.into()).ok();
            auth::check_id_token_with(jwt.expose(), now_ms(), parse).map_err(js_error)?;
            auth::token_exchange_request(client_id, &jwt)
        }
        Some(Credentials::ApiKey(key)) => return Ok(key.clone()),
        None => return Err(js_sys::Error::new("no credential to mint a token with").into()),
    };
    let reply = send(session, &req, None).await?;
    let response = token_response(&req, &reply.body)?;
    session
        .tokens
        .borrow_mut()
        .minted(&response, now_ms())
        .map_err(|reason| unusable(&req, &reason))
}

/// A token endpoint's answer, or the typed error for one without an `access_token`.
pub fn token_response(req: &HttpRequest, body: &Body<JsValue>) -> Result<TokenResponse, JsValue> {
    let response = match body {
        Body::Json(v) => TokenResponse::from_json(v),
        _ => None,
    };
    response.ok_or_else(|| unusable(req, "token response has no string access_token"))
}

/// The error for a success whose body is not what the operation returns.
pub fn unusable(req: &HttpRequest, reason: &str) -> JsValue {
    js_error(Error::Response {
        status: 200,
        method: req.method,
        path: req.path.clone(),
        reason: reason.into(),
    })
}

async fn call_id_token_fn(session: &Session) -> Result<Secret, JsValue> {
    let failed = |message: &str, cause: Option<JsValue>| {
        to_js(
            &Error::validation("federated.idToken", message),
            cause,
            None,
        )
    };
    let Some(f) = &session.id_token_fn else {
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
