//! One HTTP attempt through gloo-net's `fetch`, or the caller's own `fetch` option: headers,
//! per-attempt timeout, the caller's `AbortSignal`, and a body read that stops past the size
//! limit.

use super::js::{abort_error, abortable, AbortListener, Timer};
use js_sys::{Array, Function, JsString, Object, Promise, Uint8Array};
use std::cell::Cell;
use std::rc::Rc;
use tailscale_api::auth::Secret;
use tailscale_wasm_shared::args::set;
use tailscale_wire::http::{Body, Expect, HttpRequest};
use tailscale_wire::text::{cat, contains};
use wasm_bindgen::prelude::*;
use web_sys::{
    AbortController, AbortSignal, ReadableStreamDefaultReader, ReadableStreamReadResult,
    RequestInit,
};

pub struct Received {
    pub status: u16,
    pub retry_after: Option<String>,
    pub location: Option<String>,
    /// The `ETag` of a success (the policy file's version), exactly as sent.
    pub etag: Option<String>,
    /// Bytes read; reading stops once past `max_body_bytes`.
    pub body_len: usize,
    /// Parsed by the engine's `JSON.parse`, when the core will look at it.
    pub body: Body<JsValue>,
}

pub enum AttemptError {
    /// The caller's signal fired; carries its reason.
    Aborted(JsValue),
    Timeout,
    Network {
        name: String,
        message: String,
    },
}

pub struct Attempt<'a> {
    pub url: &'a str,
    pub request: &'a HttpRequest,
    pub bearer: Option<&'a Secret>,
    pub user_agent: Option<&'a str>,
    pub timeout_ms: u64,
    pub signal: Option<&'a AbortSignal>,
    /// The `fetch` option, called instead of the global `fetch`.
    pub fetch: Option<&'a Function>,
    pub max_body_bytes: usize,
}

pub async fn send(attempt: Attempt<'_>) -> Result<Received, AttemptError> {
    if let Some(s) = attempt.signal.filter(|s| s.aborted()) {
        return Err(AttemptError::Aborted(s.reason()));
    }
    let controller = AbortController::new().map_err(|_| AttemptError::Network {
        name: "Error".into(),
        message: "AbortController is not available in this runtime".into(),
    })?;
    // Our own controller, never the caller's signal, goes to fetch: its reasons are always
    // Error objects, and timeouts and caller aborts stay distinguishable.
    let timed_out = Rc::new(Cell::new(false));
    let _timer = {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        Timer::new(attempt.timeout_ms, move || {
            timed_out.set(true);
            controller.abort_with_reason(&abort_error("request timed out"));
        })
    };
    let _listener = attempt.signal.map(|s| {
        let controller = controller.clone();
        AbortListener::new(s, move || {
            controller.abort_with_reason(&abort_error("request aborted"));
        })
    });
    let classify = |name: String, message: String| match attempt.signal.filter(|s| s.aborted()) {
        Some(s) => AttemptError::Aborted(s.reason()),
        None if timed_out.get() => AttemptError::Timeout,
        None => AttemptError::Network { name, message },
    };
    // Matched, not printed (no `core::fmt`); gloo-net's `json` feature, off here, would add a
    // serde variant and fail this match at compile time.
    let from_gloo = |e: gloo_net::Error| match e {
        gloo_net::Error::JsError(js) => classify(js.name, js.message),
        gloo_net::Error::GlooError(message) => classify("Error".into(), message),
    };
    // `what` words a failure that JS threw as something other than an Error.
    let from_js = |what: &str, e: JsValue| match e.dyn_into::<js_sys::Error>() {
        Ok(err) => classify(err.name().into(), err.message().into()),
        Err(_) => classify("Error".into(), what.into()),
    };

    // The fetch Request is built directly and handed to gloo-net to send: gloo's builder
    // parses the URL again to merge query parameters, which we never use.
    let req = attempt.request;
    let headers = Object::new();
    let header = |name: &str, value: &str| set(&headers, name, value.into());
    if let Some(accept) = req.accept {
        header("Accept", accept);
    }
    if let Some(etag) = &req.if_match {
        header("If-Match", etag);
    }
    if let Some(token) = attempt.bearer {
        header("Authorization", &cat(&["Bearer ", token.expose()]));
    }
    if let Some(ct) = req.content_type {
        header("Content-Type", ct);
    }
    if let Some(ua) = attempt.user_agent {
        header("User-Agent", ua);
    }
    let init = RequestInit::new();
    init.set_method(req.method.as_str());
    init.set_headers(&headers);
    init.set_signal(Some(&controller.signal()));
    // A redirect comes back as a response (opaque, status 0, in browsers) and is refused by
    // the core: a credential or a body never follows it to another origin.
    // Set as a plain member: web-sys's enum setter costs a conversion table in the glue.
    set(&init, "redirect", "manual".into());
    if let Some(body) = &req.body {
        init.set_body(&body.into());
    }
    let request = web_sys::Request::new_with_str_and_init(attempt.url, &init)
        .map_err(|e| from_js("the request could not be built", e))?;
    // Our signal is in the request either way; a `fetch` option that ignores it (a mock) is
    // raced against it, so that timeouts and aborts hold through any function.
    let aborted = controller.signal();
    let response = match attempt.fetch {
        None => gloo_net::http::Request::from(request)
            .send()
            .await
            .map_err(from_gloo)?,
        Some(fetch) => {
            let answer = fetch
                .call1(&JsValue::UNDEFINED, &request)
                .map_err(|e| from_js("the fetch option failed", e))?;
            abortable(Promise::resolve(&answer), Some(&aborted))
                .await
                .map_err(|e| from_js("the fetch option failed", e))?
                .dyn_into::<web_sys::Response>()
                .map_err(|_| {
                    classify(
                        "TypeError".into(),
                        "the fetch option gave no Response".into(),
                    )
                })?
                .into()
        }
    };
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    let location = match status {
        300..=399 => response.headers().get("location"),
        _ => None,
    };
    let etag = match status {
        200..=299 => response.headers().get("etag"),
        _ => None,
    };
    // The body read is raced against our signal whatever sends: a `fetch` option's body need
    // not end on abort, and Node's own fetch once left a stalled read running past the timeout.
    let (bytes, body_len) = read_body(response.body(), attempt.max_body_bytes, &aborted)
        .await
        .map_err(|e| from_js("the response body could not be read", e))?;
    // A DELETE's success body is ignored; anything else, and every error body, is parsed.
    let needed = status >= 400 || !matches!(req.expect, Expect::Nothing);
    let text = matches!(req.expect, Expect::Text) && status < 300;
    let body = match needed && body_len <= attempt.max_body_bytes {
        // No text at all is an empty body, as the JSON path and the native check read it.
        true if text => match decode(&bytes) {
            Ok(t) if t.length() == 0 => Body::Empty,
            Ok(t) => Body::Text(t.into()),
            Err(_) => Body::Invalid { truncated: false },
        },
        true => parse(&bytes),
        false => Body::Empty,
    };
    Ok(Received {
        status,
        retry_after,
        location,
        etag,
        body_len,
        body,
    })
}

#[wasm_bindgen]
extern "C" {
    // `TextDecoder` and `JSON.parse` bound with the text as a JS string: web-sys and js-sys
    // pass it as a Rust `String`, which copies the whole body into wasm memory and back.
    #[wasm_bindgen(js_name = TextDecoder)]
    type Utf8Decoder;
    #[wasm_bindgen(constructor, catch, js_class = TextDecoder)]
    fn new(label: &str, options: &Object) -> Result<Utf8Decoder, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn decode(this: &Utf8Decoder, input: &Uint8Array) -> Result<JsString, JsValue>;
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    pub fn json_parse(text: &JsString) -> Result<JsValue, JsValue>;
}

/// The body as a JS string. Fatal: invalid UTF-8 is an unusable body, not text with
/// replacement characters.
fn decode(bytes: &Uint8Array) -> Result<JsString, JsValue> {
    let options = Object::new();
    set(&options, "fatal", JsValue::TRUE);
    Utf8Decoder::new("utf-8", &options).and_then(|d| d.decode(bytes))
}

/// UTF-8 text, then `JSON.parse`: the engine builds the JS objects the caller will get, and
/// the text never enters wasm memory.
fn parse(bytes: &Uint8Array) -> Body<JsValue> {
    let Ok(text) = decode(bytes) else {
        return Body::Invalid { truncated: false };
    };
    if text.trim().length() == 0 {
        return Body::Empty;
    }
    match json_parse(&text) {
        Ok(value) => Body::Json(value),
        Err(e) => {
            // Engines word it differently; all say "end of" input or "unterminated".
            let message = e
                .dyn_into::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default()
                .to_ascii_lowercase();
            Body::Invalid {
                truncated: contains(&message, "end of") || contains(&message, "unterminated"),
            }
        }
    }
}

/// The body as one `Uint8Array` kept in JS (the chunks are not copied into wasm memory), and
/// its length. Stops reading once past `limit`. Each read is raced against `aborted` when it is
/// given: a body from the `fetch` option need not end when our signal fires.
async fn read_body(
    stream: Option<web_sys::ReadableStream>,
    limit: usize,
    aborted: &AbortSignal,
) -> Result<(Uint8Array, usize), JsValue> {
    let Some(stream) = stream else {
        return Ok((Uint8Array::new_with_length(0), 0));
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let chunks = Array::new();
    let mut len = 0usize;
    loop {
        let chunk: ReadableStreamReadResult = abortable(reader.read(), Some(aborted))
            .await?
            .unchecked_into();
        if chunk.get_done().unwrap_or(true) {
            break;
        }
        if let Ok(bytes) = chunk.get_value().dyn_into::<Uint8Array>() {
            len += bytes.length() as usize;
            chunks.push(&bytes);
        }
        if len > limit {
            // Enough to know it is too large; the core turns this into a typed error.
            let _ = reader.cancel();
            return Ok((Uint8Array::new_with_length(0), len));
        }
    }
    // `len` is at most `limit` (256 MiB at most) here, so it fits a u32.
    let body = Uint8Array::new_with_length(len as u32);
    let mut at = 0u32;
    for chunk in chunks.iter() {
        let chunk: Uint8Array = chunk.unchecked_into();
        body.set(&chunk, at);
        at += chunk.length();
    }
    Ok((body, len))
}
