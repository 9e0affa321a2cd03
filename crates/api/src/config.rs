//! The client's constructor options: defaults, checks, and which credential is in use.

use crate::auth::{header_safe, Credentials, Secret};
use tailscale_wire::error::Issue;
use tailscale_wire::json::Json;
use tailscale_wire::text::{cat, decimal, trim_end};
use tailscale_wire::validate::{self, finish, Input};

pub const DEFAULT_BASE_URL: &str = "https://api.tailscale.com";
pub const DEFAULT_TAILNET: &str = "-";
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
pub const DEFAULT_MAX_RETRIES: u32 = 2;
pub const DEFAULT_MAX_CONCURRENCY: u32 = 8;
/// `setTimeout` cannot wait longer than this.
const MAX_TIMEOUT_MS: i64 = 2_147_483_647;
const MAX_RETRIES_LIMIT: i64 = 10;
/// The largest `maxResponseBytes`: the body is decoded into one JS string before `JSON.parse`,
/// and V8 holds at most 2^29 - 24 characters (about 512 MiB) in one; half that keeps every
/// engine clear of its limit, and parsing it already takes gigabytes of heap.
const MAX_RESPONSE_BYTES_LIMIT: i64 = 256 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub tailnet: String,
    /// Without a trailing `/`; request paths start with `/api/v2`.
    pub base_url: String,
    pub timeout_ms: u64,
    pub max_retries: u32,
    pub max_concurrency: u32,
    pub user_agent: String,
    /// Response bodies larger than this are refused (`maxResponseBytes`).
    pub max_response_bytes: usize,
}

/// Parses the options object. `id_token_fn` says the caller found a function in
/// `federated.idToken` (JSON cannot carry one, so it arrives as `null` here).
pub fn parse<J: Json>(value: J, id_token_fn: bool) -> Result<(Config, Credentials), Vec<Issue>> {
    let mut input = Input::new(value, "");
    let credentials = credentials(&mut input, id_token_fn);
    let tailnet = input.string("tailnet");
    if let Some(t) = &tailnet {
        input.check("tailnet", validate::id(t));
    }
    let (mut config, _) = transport(&mut input);
    let max_concurrency = input.integer("maxConcurrency");
    let user_agent = input.string("userAgent");
    check_range(&mut input, "maxConcurrency", max_concurrency, 1, 1024);
    // Header-safe once each space is read as a printable character (no `str::replace`, whose
    // char search costs wasm).
    let printable =
        |u: &String| !u.is_empty() && u.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
    if user_agent.as_ref().is_some_and(|u| !printable(u)) {
        input.issue("userAgent", "must be printable ASCII");
    }
    if let Some(t) = tailnet {
        config.tailnet = t;
    }
    if let Some(n) = max_concurrency {
        config.max_concurrency = n.clamp(1, 1024) as u32;
    }
    if let Some(u) = user_agent {
        config.user_agent = u;
    }
    let result = finish(input, (config, credentials));
    match result {
        Ok((config, Some(credentials))) => Ok((config, credentials)),
        Ok((_, None)) => Err(vec![Issue::new("", "no credential")]),
        Err(issues) => Err(issues),
    }
}

/// What every class that sends reads: `allowInsecureHttp`, `baseUrl` under the transport rules,
/// `timeoutMs`, `maxRetries`, `maxResponseBytes` and `fetch` (a function, which the wasm layer
/// takes from the options itself), with the rest of the config at its defaults. Also returns
/// `allowInsecureHttp`, for the class's other URL options.
pub fn transport<J: Json>(input: &mut Input<J>) -> (Config, bool) {
    let allow_insecure_http = input.bool("allowInsecureHttp").unwrap_or(false);
    let base_url = url(input, "baseUrl", DEFAULT_BASE_URL, allow_insecure_http);
    let timeout_ms = input.integer("timeoutMs");
    let max_retries = input.integer("maxRetries");
    let max_response_bytes = input.integer("maxResponseBytes");
    check_range(input, "timeoutMs", timeout_ms, 1, MAX_TIMEOUT_MS);
    check_range(input, "maxRetries", max_retries, 0, MAX_RETRIES_LIMIT);
    check_range(
        input,
        "maxResponseBytes",
        max_response_bytes,
        1,
        MAX_RESPONSE_BYTES_LIMIT,
    );
    if input.raw("fetch").is_some_and(|f| !f.is_function()) {
        input.issue("fetch", "must be a function, such as fetch");
    }
    let config = Config {
        tailnet: DEFAULT_TAILNET.into(),
        base_url,
        timeout_ms: timeout_ms.map_or(DEFAULT_TIMEOUT_MS, |n| n.unsigned_abs()),
        max_retries: max_retries.map_or(DEFAULT_MAX_RETRIES, |n| {
            n.clamp(0, MAX_RETRIES_LIMIT) as u32
        }),
        max_concurrency: DEFAULT_MAX_CONCURRENCY,
        user_agent: cat(&["tailscale-wasm/", crate::VERSION]),
        max_response_bytes: max_response_bytes
            .map_or(tailscale_wire::http::DEFAULT_MAX_RESPONSE_BYTES, |n| {
                n.clamp(1, MAX_RESPONSE_BYTES_LIMIT) as usize
            }),
    };
    (config, allow_insecure_http)
}

/// A URL option that requests with credentials go to, checked against the transport rules;
/// `default` when absent. Without a trailing `/`.
pub fn url<J: Json>(
    input: &mut Input<J>,
    name: &'static str,
    default: &str,
    allow_insecure_http: bool,
) -> String {
    let Some(url) = input.string(name) else {
        return default.to_owned();
    };
    input.check(name, validate::transport_url(&url, allow_insecure_http));
    trim_end(&url, b'/').to_owned()
}

fn check_range<J: Json>(input: &mut Input<J>, field: &str, n: Option<i64>, lo: i64, hi: i64) {
    if n.is_some_and(|n| !(lo..=hi).contains(&n)) {
        let (lo, hi) = (decimal(lo.unsigned_abs()), decimal(hi.unsigned_abs()));
        input.issue(field, cat(&["must be from ", &lo, " to ", &hi]));
    }
}

/// A secret that must be a non-empty, header-safe string. The value is never quoted in issues.
fn secret<J: Json>(input: &mut Input<J>, name: &'static str) -> Option<Secret> {
    let s = input.string(name)?;
    if !header_safe(&s) {
        input.issue(
            name,
            "must be a non-empty string of printable characters with no spaces",
        );
        return None;
    }
    Some(Secret::new(s))
}

fn credentials<J: Json>(input: &mut Input<J>, id_token_fn: bool) -> Option<Credentials> {
    // Which are given, counted and listed in one loop.
    let (mut given, mut got) = (0, String::new());
    for name in ["apiKey", "oauth", "federated"] {
        if input.present(name) {
            if given > 0 {
                got.push_str(", ");
            }
            got.push_str(name);
            given += 1;
        }
    }
    if given != 1 {
        if given == 0 {
            got.push_str("none");
        }
        input.issue(
            "",
            cat(&[
                "pass exactly one of apiKey, oauth or federated (got ",
                &got,
                ")",
            ]),
        );
    }
    let api_key = secret(input, "apiKey");
    let mut oauth = None;
    if let Some(v) = input.raw("oauth") {
        let mut o = Input::new(v, "oauth");
        let client_id = o.required_string("clientId");
        let client_secret = secret(&mut o, "clientSecret");
        if !o.present("clientSecret") {
            o.issue("clientSecret", "is required");
        }
        let scopes = o.strings("scopes", validate::scope);
        let tags = o.strings("tags", validate::tag);
        if let Some(id) = &client_id {
            o.check("clientId", validate::non_empty(id));
        }
        oauth = match (client_id, client_secret) {
            (Some(client_id), Some(client_secret)) => Some(Credentials::OAuth {
                client_id,
                client_secret,
                scopes: scopes.unwrap_or_default(),
                tags: tags.unwrap_or_default(),
            }),
            _ => None,
        };
        input.issues.extend(o.finish());
    }
    let mut federated = None;
    if let Some(v) = input.raw("federated") {
        let mut f = Input::new(v, "federated");
        let client_id = f.required_string("clientId");
        if let Some(id) = &client_id {
            f.check("clientId", validate::non_empty(id));
        }
        let id_token = if id_token_fn {
            f.allow("idToken");
            None
        } else {
            let t = f.string("idToken");
            if t.is_none() && !f.present("idToken") {
                f.issue(
                    "idToken",
                    "is required (a JWT string or a function returning one)",
                );
            }
            t.map(Secret::new)
        };
        if let Some(client_id) = client_id {
            if id_token.is_some() || id_token_fn {
                federated = Some(Credentials::Federated {
                    client_id,
                    id_token,
                });
            }
        }
        input.issues.extend(f.finish());
    }
    if given != 1 {
        return None;
    }
    api_key.map(Credentials::ApiKey).or(oauth).or(federated)
}
