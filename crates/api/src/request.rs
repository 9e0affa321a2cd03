//! `client.request`: a request to an endpoint the package does not wrap, checked before it is
//! sent like every other request, then sent through the same path (credentials, transport
//! rules, retries, timeouts, size cap, typed errors).

use tailscale_wire::error::{member_field, Error};
use tailscale_wire::http::{encode_segment, form_encode, push_query, Expect, HttpRequest};
use tailscale_wire::json::{Json, Kind};
use tailscale_wire::method::Method;
use tailscale_wire::validate::{finish, Input};

/// The path segment that stands for the client's tailnet.
const TAILNET: &str = "{tailnet}";
/// Path characters besides letters and digits (RFC 3986 `pchar`, and `%` for an escape).
const PATH_CHARS: &[u8] = b"-._~!$&'()*+,;=:@%";

/// Reads `{ method, path, query?, body?, idempotent? }` (the wasm layer has taken `signal`
/// out). `stringify` writes the body as JSON text (the engine's `JSON.stringify` in the wasm),
/// `None` when it cannot (a cycle, a bigint, a function).
pub fn build<J: Json>(
    tailnet: &str,
    options: J,
    stringify: impl Fn(&J) -> Option<String>,
) -> Result<HttpRequest, Error> {
    let mut input = Input::new(options, "");
    let method = input.required_string("method").and_then(|m| {
        let method = [
            Method::Get,
            Method::Post,
            Method::Put,
            Method::Patch,
            Method::Delete,
        ]
        .into_iter()
        .find(|known| known.as_str() == m);
        if method.is_none() {
            input.issue("method", "must be GET, POST, PUT, PATCH or DELETE");
        }
        method
    });
    let path = input
        .required_string("path")
        .and_then(|p| match api_path(&p, tailnet) {
            Ok(path) => Some(path),
            Err(message) => {
                input.issue("path", message);
                None
            }
        });
    let query = input.raw("query").map(|q| query_string(&q, &mut input));
    let body = input.raw("body").map(|b| stringify(&b));
    let idempotent = input.bool("idempotent");
    match (&body, method) {
        (Some(None), _) => input.issue("body", "must be a value JSON.stringify can write"),
        (Some(_), Some(Method::Get)) => input.issue("body", "must be absent on a GET"),
        _ => {}
    }
    let (Some(method), Some(path)) = (method, path) else {
        return Err(Error::Validation(input.finish()));
    };
    let mut req = HttpRequest::new(method, path, Expect::Json);
    req.query = query.unwrap_or_default();
    if let Some(Some(body)) = body {
        req = req.json_body(body);
    }
    if let Some(idempotent) = idempotent {
        req.idempotent.0 = idempotent;
    }
    finish(input, req).map_err(Error::Validation)
}

/// `/api/v2` and `path`, with a `{tailnet}` segment as the tailnet, percent-encoded. The path
/// must stay under `/api/v2`: no scheme or host, no query, no empty, `.` or `..` segment
/// (escaped or not: URL parsers resolve `%2e%2e` too), and only URL path characters, so that
/// nothing a URL parser drops or rewrites (tabs, `\`) can change it.
pub fn api_path(path: &str, tailnet: &str) -> Result<String, &'static str> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err("must start with \"/\": a path under /api/v2");
    };
    if rest == "api/v2" || rest.starts_with("api/v2/") {
        return Err("must leave out the /api/v2 prefix");
    }
    let mut out = String::from("/api/v2");
    for segment in rest.split('/') {
        out.push('/');
        if segment == TAILNET {
            out.push_str(&encode_segment(tailnet));
            continue;
        }
        if let Some(b) = segment
            .bytes()
            .find(|b| !b.is_ascii_alphanumeric() && !PATH_CHARS.contains(b))
        {
            return Err(match b {
                b'?' | b'#' => "must not hold a query: pass `query`",
                _ => "may hold only URL path characters: encode ids with encodeURIComponent",
            });
        }
        if dots(segment) < 3 {
            return Err("must not hold an empty, \".\" or \"..\" segment");
        }
        out.push_str(segment);
    }
    Ok(out)
}

/// How many dots a segment made only of `.` and `%2e` holds; 3 for any other segment.
fn dots(segment: &str) -> usize {
    let mut rest = segment.as_bytes();
    let mut n = 0;
    while !rest.is_empty() && n < 3 {
        rest = match rest {
            [b'.', tail @ ..] => tail,
            [b'%', b'2', b'e' | b'E', tail @ ..] => tail,
            _ => return 3,
        };
        n += 1;
    }
    n
}

/// `?name=value&...` from an object of strings, numbers, booleans or lists of them (each
/// item a repeated parameter); `undefined` and `null` members are left out.
fn query_string<J: Json>(query: &J, input: &mut Input<J>) -> String {
    if !query.is_record() {
        input.issue("query", "must be an object");
        return String::new();
    }
    let mut out = String::new();
    for name in query.keys() {
        let Some(value) = query.get(&name).filter(|v| !v.is_null()) else {
            continue;
        };
        let field = member_field("query", &name);
        if name.is_empty() {
            input.issue(&field, "must not be an empty parameter name");
            continue;
        }
        let items = match value.is_array() {
            true => value.items(),
            false => vec![value],
        };
        for item in items {
            match scalar_text(&item) {
                Some(text) => push_query(&mut out, &form_encode(&name), &text),
                None => input.issue(
                    &field,
                    "must be a string, number or boolean, or a list of them",
                ),
            }
        }
    }
    out
}

fn scalar_text<J: Json>(value: &J) -> Option<String> {
    match value.kind() {
        Kind::String => value.as_string(),
        Kind::Bool => Some(if value.as_bool()? { "true" } else { "false" }.into()),
        Kind::Number if value.as_f64().is_some_and(f64::is_finite) => value.number_text(),
        _ => None,
    }
}
