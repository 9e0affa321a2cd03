//! `client.request`: a request to an endpoint the package does not wrap, checked before it is
//! sent like every other request, then sent through the same path (credentials, transport
//! rules, retries, timeouts, size cap, typed errors).

use crate::error::Error;
use crate::http::{encode_segment, form_encode, Expect, HttpRequest, Method};
use crate::json::{Json, Kind};
use crate::text::{cat, decimal, join};
use crate::validate::{finish, Input};

/// The placeholder a path may hold for the client's tailnet.
const TAILNET: &str = "{tailnet}";
/// Path characters besides letters and digits (RFC 3986 `pchar`, and `%` for an escape).
const PATH_CHARS: &[u8] = b"-._~!$&'()*+,;=:@%";

/// Reads `{ method, path, query?, body?, idempotent? }` (the wasm layer has taken `signal`
/// out). `stringify` writes the body as JSON text (the engine's `JSON.stringify` in the wasm),
/// `None` when it cannot.
pub fn build<J: Json + Clone>(
    tailnet: &str,
    options: J,
    stringify: impl Fn(&J) -> Option<String>,
) -> Result<HttpRequest, Error> {
    let mut input = Input::new(options, "");
    let method = input.required_string("method").and_then(|m| {
        let method = method_named(&m);
        if method.is_none() {
            input.issue("method", "must be one of GET, POST, PUT, PATCH or DELETE");
        }
        method
    });
    let path = input.required_string("path");
    if let Some(p) = &path {
        input.check("path", check_path(p));
    }
    let query = input.raw("query").map(|q| query_string(&q, &mut input));
    let body = input
        .raw("body")
        .and_then(|b| body_text(&b, &stringify, &mut input));
    let idempotent = input.bool("idempotent");
    if method == Some(Method::Get) && body.is_some() {
        input.issue("body", "must be absent: a GET request carries no body");
    }
    let (Some(method), Some(path)) = (method, path) else {
        return Err(Error::Validation(input.finish()));
    };
    let path = cat(&["/api/v2", &path.replace(TAILNET, &encode_segment(tailnet))]);
    let mut req = HttpRequest::new(method, path, Expect::Json);
    req.query = query.unwrap_or_default();
    if let Some(body) = body {
        req = req.json_body(body);
    }
    if let Some(idempotent) = idempotent {
        req.idempotent.0 = idempotent;
    }
    finish(input, req).map_err(Error::Validation)
}

fn method_named(name: &str) -> Option<Method> {
    [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ]
    .into_iter()
    .find(|m| m.as_str() == name)
}

/// A path under `/api/v2` that stays there: no scheme or host, no query, no `.` or `..`
/// segment (escaped or not, since URL parsers resolve `%2e%2e` too), and only URL path
/// characters, so that nothing a URL parser drops or rewrites (tabs, `\`) can change it.
pub fn check_path(path: &str) -> Result<(), String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err("must start with \"/\": a path under /api/v2, not a URL".into());
    };
    if rest == "api/v2" || rest.starts_with("api/v2/") {
        return Err("is already under /api/v2: leave that prefix out".into());
    }
    if path.contains(['?', '#']) {
        return Err("must not hold a query or a fragment: pass `query` instead".into());
    }
    let template_free = path.replace(TAILNET, "t");
    if !template_free
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'/' || PATH_CHARS.contains(&b))
    {
        return Err("may hold only URL path characters and {tailnet}: percent-encode ids with encodeURIComponent".into());
    }
    for segment in rest.split('/') {
        let dots = segment.replace("%2e", ".").replace("%2E", ".");
        if segment.is_empty() {
            return Err("must not hold an empty segment (\"//\" or a trailing \"/\")".into());
        }
        if dots == "." || dots == ".." {
            return Err("must not hold a \".\" or \"..\" segment".into());
        }
    }
    Ok(())
}

/// `?name=value&...` from an object of strings, numbers, booleans or lists of them (each
/// item a repeated parameter); `undefined` and `null` members are left out.
fn query_string<J: Json>(query: &J, input: &mut Input<J>) -> String {
    if !query.is_record() {
        input.issue("query", "must be an object");
        return String::new();
    }
    let mut pairs = Vec::new();
    for name in query.keys() {
        let Some(value) = query.get(&name).filter(|v| !v.is_null()) else {
            continue;
        };
        let field = cat(&["query.", &name]);
        if name.is_empty() {
            input.issue("query", "must not have an empty parameter name");
        }
        let items = match value.kind() {
            Kind::Array => value.items(),
            _ => vec![value],
        };
        for (i, item) in items.iter().enumerate() {
            match scalar_text(item) {
                Some(text) => pairs.push(cat(&[&form_encode(&name), "=", &form_encode(&text)])),
                None => {
                    let at = match item.kind() == Kind::Array || items.len() > 1 || i > 0 {
                        true => cat(&[&field, "[", &decimal(i as u64), "]"]),
                        false => field.clone(),
                    };
                    input.issue(
                        &at,
                        "must be a string, a finite number, a boolean, or a list of them",
                    );
                }
            }
        }
    }
    match pairs.is_empty() {
        true => String::new(),
        false => cat(&["?", &join(pairs.iter().map(String::as_str), "&")]),
    }
}

fn scalar_text<J: Json>(value: &J) -> Option<String> {
    match value.kind() {
        Kind::String => value.as_string(),
        Kind::Bool => Some(if value.as_bool()? { "true" } else { "false" }.into()),
        Kind::Number if value.as_f64().is_some_and(f64::is_finite) => value.number_text(),
        _ => None,
    }
}

/// The body as JSON text, once every value in it is one JSON holds as it is: no function,
/// symbol, bigint or non-finite number, which `JSON.stringify` would drop or turn into `null`
/// without a word.
fn body_text<J: Json + Clone>(
    body: &J,
    stringify: impl Fn(&J) -> Option<String>,
    input: &mut Input<J>,
) -> Option<String> {
    // Stringified first: it refuses cycles, so the walk below ends.
    let Some(text) = stringify(body) else {
        input.issue(
            "body",
            "must be a value JSON can hold (JSON.stringify refused it)",
        );
        return None;
    };
    match first_unheld(body) {
        Some(at) => {
            input.issue(
                &at,
                "is not a JSON value (a function, symbol, bigint or non-finite number)",
            );
            None
        }
        None => Some(text),
    }
}

/// Where the first value JSON cannot hold is, as `body.a[0]`. Depth-first with a list rather
/// than recursion: a deep body must not exhaust the wasm stack.
fn first_unheld<J: Json + Clone>(body: &J) -> Option<String> {
    let mut pending = vec![(String::from("body"), body.clone())];
    while let Some((at, value)) = pending.pop() {
        match value.kind() {
            Kind::Other => return Some(at),
            Kind::Number if !value.as_f64().is_some_and(f64::is_finite) => return Some(at),
            Kind::Array => {
                for (i, item) in value.items().into_iter().enumerate() {
                    pending.push((cat(&[&at, "[", &decimal(i as u64), "]"]), item));
                }
            }
            Kind::Object => {
                for key in value.keys() {
                    if let Some(member) = value.get(&key) {
                        pending.push((cat(&[&at, ".", &key]), member));
                    }
                }
            }
            _ => {}
        }
    }
    None
}
