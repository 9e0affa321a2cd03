//! Requests and responses as plain values, and the rules that apply to every endpoint:
//! path encoding, status -> error mapping, `Retry-After`, body limits and the retry policy.

use crate::error::{ApiError, Error};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;

/// Bodies larger than this are refused rather than buffered and parsed.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// No wait between attempts, whatever `Retry-After` says, is longer than this.
pub const MAX_RETRY_DELAY_MS: u64 = 20_000;
const BACKOFF_BASE_MS: u64 = 250;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// What a successful response must hold.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// A JSON body that `validate` accepts; the caller hands JS `JSON.parse(body)[field]`
    /// (or the whole value when `field` is `None`; an absent list field means empty).
    Json {
        validate: fn(&[u8]) -> Result<(), serde_json::Error>,
        field: Option<&'static str>,
    },
    /// Any body, ignored (DELETE answers 200 with an empty or `{}` body).
    Nothing,
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
    pub body: Option<String>,
    /// False for the token endpoints, which authenticate through the form body.
    pub authenticated: bool,
    pub expect: Expect,
}

impl HttpRequest {
    pub fn new(method: Method, path: String, expect: Expect) -> Self {
        HttpRequest {
            method,
            path,
            query: String::new(),
            content_type: None,
            body: None,
            authenticated: true,
            expect,
        }
    }

    pub fn json_body(mut self, body: &impl serde::Serialize) -> Result<Self, Error> {
        let text = serde_json::to_string(body).map_err(|e| Error::validation("", e.to_string()))?;
        self.content_type = Some("application/json");
        self.body = Some(text);
        Ok(self)
    }

    /// The path and query to append to the base URL.
    pub fn target(&self) -> String {
        format!("{}{}", self.path, self.query)
    }
}

/// Characters left as they are in a path segment: RFC 3986 unreserved only, so `/`, `?`,
/// `#` and `%` in an id can never change which resource is addressed.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Characters left as they are in an `application/x-www-form-urlencoded` value.
const FORM_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// `/api/v2/tailnet/{tailnet}/{rest...}` with each dynamic segment encoded.
pub fn tailnet_path(tailnet: &str, rest: &[&str]) -> String {
    let mut path = format!("/api/v2/tailnet/{}", encode_segment(tailnet));
    for segment in rest {
        path.push('/');
        path.push_str(&encode_segment(segment));
    }
    path
}

pub fn form_body(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, FORM_VALUE)))
        .collect::<Vec<_>>()
        .join("&")
}

/// What a response said, as far as the core needs to know.
#[derive(Debug, Clone, Copy)]
pub struct ResponseHead<'a> {
    pub status: u16,
    pub retry_after: Option<&'a str>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<serde_json::Value>,
    #[serde(default)]
    data: Option<serde_json::Value>,
}

/// Maps a response to success or to the error the caller sees. `now_ms` (Unix ms) resolves a
/// `Retry-After` given as an HTTP date.
pub fn check_response(
    req: &HttpRequest,
    head: ResponseHead<'_>,
    body: &[u8],
    now_ms: u64,
) -> Result<(), Error> {
    let response_error = |reason: String| Error::Response {
        status: head.status,
        method: req.method,
        path: req.path.clone(),
        reason,
    };
    if body.len() > MAX_BODY_BYTES {
        return Err(response_error(format!(
            "body is larger than {MAX_BODY_BYTES} bytes"
        )));
    }
    if head.status >= 400 {
        return Err(api_error(req, head, body, now_ms));
    }
    if !(200..300).contains(&head.status) {
        return Err(response_error(format!("unexpected status {}", head.status)));
    }
    match req.expect {
        Expect::Nothing => Ok(()),
        Expect::Json { validate, .. } => {
            if body.iter().all(u8::is_ascii_whitespace) {
                return Err(response_error("expected JSON, got an empty body".into()));
            }
            validate(body).map_err(|e| response_error(describe_json_error(&e)))
        }
    }
}

fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    // Position only: serde's own text can quote response values, and a create response
    // holds a secret.
    let at = format!("line {}, column {}", e.line(), e.column());
    match e.classify() {
        Category::Eof => format!("JSON body is truncated ({at})"),
        Category::Syntax | Category::Io => format!("body is not valid JSON ({at})"),
        Category::Data => format!("JSON body has an unexpected shape ({at})"),
    }
}

fn api_error(req: &HttpRequest, head: ResponseHead<'_>, body: &[u8], now_ms: u64) -> Error {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let (message, data) = match parsed {
        Some(b) => (
            b.message
                .and_then(|m| m.as_str().map(str::to_owned))
                .filter(|m| !m.is_empty()),
            b.data.filter(|d| !d.is_null()),
        ),
        None => (None, None),
    };
    Error::Api(ApiError {
        status: head.status,
        message: message.unwrap_or_else(|| status_text(head.status).to_owned()),
        data,
        method: req.method,
        path: req.path.clone(),
        retry_after_ms: head.retry_after.and_then(|v| parse_retry_after(v, now_ms)),
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
/// means "now" (0); anything unparseable is ignored.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for u64 still means "a long time": saturate rather than ignore.
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(secs.saturating_mul(1000));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    let when_ms = when.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis();
    let when_ms = u64::try_from(when_ms).unwrap_or(u64::MAX);
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
            Error::Validation(_) | Error::Response { .. } => None,
        }
    }
}

/// How long to wait before attempt `retries_done + 1`, or `None` to give up.
///
/// 429 means the request was not processed, so any method retries. 502/503/504, dropped
/// connections and timeouts may hide a processed request: only idempotent methods retry, since
/// a repeated POST would mint a second key. `jitter` is a random number in [0, 1).
pub fn retry_delay(
    method: Method,
    failure: Failure,
    retries_done: u32,
    max_retries: u32,
    jitter: f64,
) -> Option<u64> {
    if retries_done >= max_retries {
        return None;
    }
    let idempotent = method != Method::Post;
    let retry_after = match failure {
        Failure::Status {
            status: 429,
            retry_after_ms,
        } => retry_after_ms,
        Failure::Status {
            status: 502..=504, ..
        }
        | Failure::Network
        | Failure::Timeout
            if idempotent =>
        {
            None
        }
        _ => return None,
    };
    Some(match retry_after {
        Some(ms) => ms.min(MAX_RETRY_DELAY_MS),
        None => backoff(retries_done, jitter),
    })
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
