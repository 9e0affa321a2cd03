//! Requests and responses as plain values, and the rules that apply to every endpoint:
//! path encoding, status -> error mapping, `Retry-After`, body limits and the retry policy.

use crate::encoding::percent_encode;
use crate::error::{ApiError, Error};
use crate::json::{check_list, check_shape, Json, Ty};
use crate::method::Method;
use crate::text::{cat, decimal};

/// Bodies larger than this are refused rather than buffered and parsed, unless the caller sets
/// `maxResponseBytes`: a `fields=all` device list of a 20,000-device tailnet is about 30 MB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
/// No wait between attempts is longer than this: a `Retry-After` beyond it fails at once.
pub const MAX_RETRY_DELAY_MS: u64 = 20_000;
const BACKOFF_BASE_MS: u64 = 250;

/// Whether sending a request again cannot do its work twice. A property of each operation:
/// by default GET, PUT and DELETE are idempotent and POST and PATCH are not, and an operation
/// that is idempotent whatever its method says so (setting an attribute twice leaves one value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Idempotent(pub bool);

impl From<Method> for Idempotent {
    fn from(method: Method) -> Self {
        Idempotent(!matches!(method, Method::Post | Method::Patch))
    }
}

/// What a successful response must hold.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// One JSON object with these members; the caller gets the object.
    Object(&'static [(&'static str, Ty)]),
    /// A JSON object holding a list of such objects under the field; the caller gets the list
    /// (an absent or null list is empty).
    List(&'static str, &'static [(&'static str, Ty)]),
    /// Any body, ignored (DELETE answers 200 with an empty or `{}` body).
    Nothing,
    /// One JSON object with these members, or an empty body (the policy check answers 200
    /// with nothing when the file passes).
    ObjectOrEmpty(&'static [(&'static str, Ty)]),
    /// UTF-8 text, kept as it came (a HuJSON policy file, comments included).
    Text,
    /// Any JSON value, or an empty body (`client.request`, which knows no endpoint's shape).
    Json,
}

/// One request, fully decided: the wasm layer only prefixes the base URL and sends it.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: Method,
    /// Percent-encoded path from `/api/v2`, without the query; errors report it.
    pub path: String,
    /// `""` or a query string starting with `?`.
    pub query: String,
    pub content_type: Option<&'static str>,
    /// `None` sends no `Accept` (the policy file's `?details=true` wants none).
    pub accept: Option<&'static str>,
    /// An ETag the write is conditional on, sent exactly as the API gave it.
    pub if_match: Option<String>,
    pub body: Option<String>,
    /// False for the token endpoints, which authenticate through the form body.
    pub authenticated: bool,
    /// May be retried after a failure that could hide a processed request (502, 503, 504, a
    /// dropped connection, a timeout).
    pub idempotent: Idempotent,
    pub expect: Expect,
}

impl HttpRequest {
    pub fn new(method: Method, path: String, expect: Expect) -> Self {
        HttpRequest {
            method,
            path,
            query: String::new(),
            content_type: None,
            accept: Some("application/json"),
            if_match: None,
            body: None,
            authenticated: true,
            idempotent: method.into(),
            expect,
        }
    }

    /// Marks an operation idempotent although its method is not.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = Idempotent(true);
        self
    }

    pub fn json_body(mut self, body: String) -> Self {
        self.content_type = Some("application/json");
        self.body = Some(body);
        self
    }

    /// The path and query to append to the base URL.
    pub fn target(&self) -> String {
        cat(&[&self.path, &self.query])
    }

    /// This request could not be completed; `message` is the runtime's reason. Some runtimes
    /// quote the whole URL in it (Deno, node-fetch), which would carry the query's values into
    /// the message: then the runtime's words are left to the error's `cause`.
    pub fn network_error(&self, message: String) -> Error {
        let message = match !self.query.is_empty() && crate::text::contains(&message, "?") {
            true => "the runtime's fetch failed (its message quotes the URL, whose query values are not repeated here; see `cause`)".into(),
            false => message,
        };
        Error::Network {
            method: self.method,
            path: self.path.clone(),
            message,
            retryable: retryable(self.idempotent, Failure::Network),
        }
    }

    /// An attempt at this request took longer than `timeout_ms`.
    pub fn timeout_error(&self, timeout_ms: u64) -> Error {
        Error::Timeout {
            method: self.method,
            path: self.path.clone(),
            timeout_ms,
            retryable: retryable(self.idempotent, Failure::Timeout),
        }
    }
}

/// Characters left as they are in a path segment besides letters and digits: RFC 3986
/// unreserved only, so `/`, `?`, `#` and `%` in an id can never change which resource is
/// addressed.
const SEGMENT: &[u8] = b"-._~";

/// Characters left as they are in an `application/x-www-form-urlencoded` value.
const FORM_VALUE: &[u8] = b"*-._";

pub fn encode_segment(segment: &str) -> String {
    percent_encode(segment, SEGMENT)
}

/// `/api/v2/{segments...}`, each segment percent-encoded, so that no id can reach another path.
pub fn api_path(segments: &[&str]) -> String {
    let mut path = String::from("/api/v2");
    push_segments(&mut path, segments);
    path
}

/// Appends `/{segment}` for each segment, percent-encoded.
pub fn push_segments(path: &mut String, segments: &[&str]) {
    for segment in segments {
        path.push('/');
        path.push_str(&encode_segment(segment));
    }
}

/// `/api/v2/tailnet/{tailnet}/{rest...}`.
pub fn tailnet_path(tailnet: &str, rest: &[&str]) -> String {
    let mut path = api_path(&["tailnet", tailnet]);
    push_segments(&mut path, rest);
    path
}

/// One `application/x-www-form-urlencoded` name or value.
pub fn form_encode(s: &str) -> String {
    percent_encode(s, FORM_VALUE)
}

/// `name=value&...` with each value form-encoded; names are the caller's own, not encoded.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_pair(&mut out, name, value);
    }
    out
}

/// Appends `name=value` to a query string being built: `?` before the first pair, `&` before
/// the others; the value form-encoded, the name as given.
pub fn push_query(query: &mut String, name: &str, value: &str) {
    query.push(if query.is_empty() { '?' } else { '&' });
    push_pair(query, name, value);
}

fn push_pair(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push('=');
    out.push_str(&form_encode(value));
}

/// `?` and [`form_body`], or `""` without parameters: what [`HttpRequest::query`] holds.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        push_query(&mut out, name, value);
    }
    out
}

/// What a response said, as far as the core needs to know.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResponseHead<'a> {
    /// 0 for a browser's opaque redirect (`redirect: "manual"` hides the real status).
    pub status: u16,
    pub retry_after: Option<&'a str>,
    /// The `Location` of a redirect, where the runtime exposes it.
    pub location: Option<&'a str>,
}

impl ResponseHead<'_> {
    pub fn status(status: u16) -> Self {
        ResponseHead {
            status,
            ..Default::default()
        }
    }
}

/// A response body as the transport read it.
pub enum Body<J> {
    /// Nothing but white space.
    Empty,
    /// Not JSON (or, for [`Expect::Text`], not UTF-8); `truncated` when it ended in the middle
    /// of a value.
    Invalid {
        truncated: bool,
    },
    Json(J),
    /// The body of an [`Expect::Text`] success, as it came.
    Text(String),
}

/// Maps a response to success or to the error the caller sees. `body_len` is the size read,
/// refused past `max_body_bytes`; `now_ms` (Unix ms) resolves a `Retry-After` given as an HTTP
/// date.
pub fn check_response<J: Json>(
    req: &HttpRequest,
    head: ResponseHead<'_>,
    body_len: usize,
    body: &Body<J>,
    now_ms: u64,
    max_body_bytes: usize,
) -> Result<(), Error> {
    let response_error = |reason: String| Error::Response {
        status: head.status,
        method: req.method,
        path: req.path.clone(),
        reason,
    };
    if body_len > max_body_bytes {
        return Err(response_error(cat(&[
            "body is larger than maxResponseBytes (",
            &decimal(max_body_bytes as u64),
            " bytes)",
        ])));
    }
    if head.status >= 400 {
        return Err(api_error(req, head, body, now_ms));
    }
    if head.status == 0 || (300..400).contains(&head.status) {
        return Err(redirect_error(req, head));
    }
    if !(200..300).contains(&head.status) {
        let status = decimal(head.status.into());
        return Err(response_error(cat(&["unexpected status ", &status])));
    }
    let shape = match (req.expect, body) {
        (Expect::Nothing, _)
        | (Expect::Text, Body::Text(_) | Body::Empty)
        | (Expect::Json, Body::Json(_) | Body::Empty) => return Ok(()),
        (Expect::Text, _) => return Err(response_error("body is not UTF-8 text".into())),
        (Expect::ObjectOrEmpty(_), Body::Empty) => return Ok(()),
        (_, Body::Text(_)) => return Err(response_error("expected JSON, got text".into())),
        (_, Body::Empty) => return Err(response_error("expected JSON, got an empty body".into())),
        (_, Body::Invalid { truncated: true }) => {
            return Err(response_error("JSON body is truncated".into()))
        }
        (_, Body::Invalid { truncated: false }) => {
            return Err(response_error("body is not valid JSON".into()))
        }
        (Expect::Object(fields) | Expect::ObjectOrEmpty(fields), Body::Json(v)) => {
            check_shape(v, fields)
        }
        (Expect::List(field, fields), Body::Json(v)) => check_list(v, field, fields),
    };
    shape.map_err(response_error)
}

/// [`check_response`] for raw bytes, parsed with serde_json, under the default size limit: for
/// native callers and tests.
pub fn check_response_bytes(
    req: &HttpRequest,
    head: ResponseHead<'_>,
    body: &[u8],
    now_ms: u64,
) -> Result<(), Error> {
    let parsed = serde_json::from_slice::<serde_json::Value>(body);
    let text = std::str::from_utf8(body);
    let body_kind = match &parsed {
        _ if body.iter().all(u8::is_ascii_whitespace) => Body::Empty,
        _ if matches!(req.expect, Expect::Text) && head.status < 300 => match text {
            Ok(t) => Body::Text(t.to_owned()),
            Err(_) => Body::Invalid { truncated: false },
        },
        Ok(v) => Body::Json(v),
        Err(e) => Body::Invalid {
            truncated: e.classify() == serde_json::error::Category::Eof,
        },
    };
    check_response(
        req,
        head,
        body.len(),
        &body_kind,
        now_ms,
        DEFAULT_MAX_RESPONSE_BYTES,
    )
}

fn api_error<J: Json>(
    req: &HttpRequest,
    head: ResponseHead<'_>,
    body: &Body<J>,
    now_ms: u64,
) -> Error {
    let parsed = match body {
        Body::Json(v) => Some(v),
        _ => None,
    };
    let text = |key: &str| {
        parsed
            .and_then(|v| v.get(key))
            .and_then(|m| m.as_string())
            .filter(|m| !m.is_empty())
    };
    // The API's `{"message"}`, else an OAuth token endpoint's `{"error", "error_description"}`
    // (RFC 6749 §5.2).
    let message = text("message").or_else(|| {
        let error = text("error")?;
        Some(match text("error_description") {
            Some(d) => cat(&[&error, ": ", &d]),
            None => error,
        })
    });
    let mut message = message.unwrap_or_else(|| status_text(head.status).to_owned());
    if head.status == 412 && req.if_match.is_some() {
        // The API's own words ("precondition failed, invalid old hash") do not say what to do.
        message = cat(&[
            "the file changed since it was read (its ETag no longer matches); read it again and redo the change: ",
            &message,
        ]);
    }
    let retry_after_ms = head.retry_after.and_then(|v| parse_retry_after(v, now_ms));
    let failure = Failure::Status {
        status: head.status,
        retry_after_ms,
    };
    Error::Api(ApiError {
        status: head.status,
        message,
        has_data: parsed
            .and_then(|v| v.get("data"))
            .is_some_and(|d| !d.is_null()),
        method: req.method,
        path: req.path.clone(),
        retry_after_ms,
        location: None,
        retryable: retryable(req.idempotent, failure),
    })
}

/// Redirects are never followed: a credential or a body must not reach an origin the caller
/// did not name, so the caller learns that the server (or their proxy) redirects.
fn redirect_error(req: &HttpRequest, head: ResponseHead<'_>) -> Error {
    let message = match head.status {
        0 => "redirects are not followed (the browser hides this one's status and Location: an opaque redirect); point baseUrl at the final address",
        _ => "redirects are not followed: a credential or body never follows one; point baseUrl at the final address (`location`)",
    };
    Error::Api(ApiError {
        status: head.status,
        message: message.into(),
        has_data: false,
        method: req.method,
        path: req.path.clone(),
        retry_after_ms: None,
        location: head.location.map(str::to_owned),
        retryable: false,
    })
}

pub fn status_text(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        s if s >= 500 => "Server Error",
        _ => "Client Error",
    }
}

/// `Retry-After` as delay-seconds or an HTTP date, in ms from `now_ms`. A date in the past
/// means "now" (0); anything unparseable is ignored. Only ASCII white space is trimmed: a
/// Unicode space (U+0085, U+00A0...) around a date makes it no HTTP date.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim_ascii();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for u64 still means "a long time": saturate rather than ignore (by
        // hand: the digits are checked, and `str::parse::<u64>` would add its reader).
        let secs = value.bytes().fold(0u64, |n, d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        });
        return Some(secs.saturating_mul(1000));
    }
    let when_ms = crate::date::parse_http_date_ms(value)?;
    Some(when_ms.saturating_sub(now_ms))
}

/// Why an attempt did not succeed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Status {
        status: u16,
        retry_after_ms: Option<u64>,
    },
    Network,
    Timeout,
}

impl Failure {
    pub fn of(error: &Error) -> Option<Failure> {
        match error {
            Error::Api(e) => Some(Failure::Status {
                status: e.status,
                retry_after_ms: e.retry_after_ms,
            }),
            Error::Network { .. } => Some(Failure::Network),
            Error::Timeout { .. } => Some(Failure::Timeout),
            Error::Validation(_) | Error::Response { .. } | Error::Authorization { .. } => None,
        }
    }
}

/// Whether sending the request again is safe and may help, whatever the attempts left: what
/// `retryable` on the JS errors says.
///
/// 429 means the request was not processed, so any operation may try again. 502/503/504,
/// dropped connections and timeouts may hide a processed request: only idempotent operations
/// may, since a repeated create would mint a second key. Anything else would fail the same way.
/// `op` is the request's [`Idempotent`], or a method for its default.
pub fn retryable(op: impl Into<Idempotent>, failure: Failure) -> bool {
    let Idempotent(idempotent) = op.into();
    match failure {
        Failure::Status { status: 429, .. } => true,
        Failure::Status {
            status: 502..=504, ..
        }
        | Failure::Network
        | Failure::Timeout => idempotent,
        Failure::Status { .. } => false,
    }
}

/// How long to wait before attempt `retries_done + 1`, or `None` to give up.
///
/// What [`retryable`] allows, while attempts remain. A `Retry-After` (on 429 and on 503 alike)
/// is the wait; one beyond [`MAX_RETRY_DELAY_MS`] gives up at once, since an earlier attempt
/// would be refused again and waste the attempts (the error carries `retryAfterMs`). Otherwise
/// exponential backoff. `jitter` is a random number in [0, 1).
pub fn retry_delay(
    op: impl Into<Idempotent>,
    failure: Failure,
    retries_done: u32,
    max_retries: u32,
    jitter: f64,
) -> Option<u64> {
    if retries_done >= max_retries || !retryable(op, failure) {
        return None;
    }
    match failure {
        Failure::Status {
            retry_after_ms: Some(ms),
            ..
        } => (ms <= MAX_RETRY_DELAY_MS).then_some(ms),
        _ => Some(backoff(retries_done, jitter)),
    }
}

/// A DELETE whose earlier attempt may have been processed (its answer was lost, or a gateway
/// failed) and whose retry finds nothing: the first attempt deleted it, so the call succeeded.
pub fn deleted_by_earlier_attempt(req: &HttpRequest, status: u16, maybe_processed: bool) -> bool {
    req.method == Method::Delete && status == 404 && maybe_processed
}

impl Failure {
    /// Whether the request may have been processed although no success came back.
    pub fn maybe_processed(self) -> bool {
        match self {
            Failure::Status { status, .. } => (502..=504).contains(&status),
            Failure::Network | Failure::Timeout => true,
        }
    }
}

/// Exponential from 250 ms, with the upper half jittered so that clients do not march in step.
fn backoff(retries_done: u32, jitter: f64) -> u64 {
    let base = BACKOFF_BASE_MS
        .saturating_mul(1u64 << retries_done.min(16))
        .min(MAX_RETRY_DELAY_MS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // `base` fits an f64 exactly and the product is below `base`, so the cast is lossless.
    base / 2 + ((base / 2) as f64 * jitter) as u64
}
