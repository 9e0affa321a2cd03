//! Device provisioning through an OAuth app: the OAuth 2.0 authorization code grant
//! (RFC 6749 §4.1). A person consents on Tailscale's consent screen, the callback brings a code
//! back, and the code is exchanged for a single-use auth key for that person's new device.
//! What is documented and what independent implementations agree on is in the README ("Device
//! provisioning"); this module builds the URL, reads the callback and builds the exchange.

use crate::auth::{self, Secret, TokenResponse};
use crate::config::{self, Config};
use tailscale_wire::error::{Error, Issue};
use tailscale_wire::http::{form_body, HttpRequest};
use tailscale_wire::json::Json;
use tailscale_wire::text::{cat, join, lossy, split};
use tailscale_wire::validate::{self, finish, issues_or, string_arg, Input};

/// Where the consent screen is.
pub const DEFAULT_LOGIN_URL: &str = "https://login.tailscale.com";
/// The scope for minting one auth key for one device.
pub const DEFAULT_SCOPE: &str = "auth_keys:create:once";
/// Random bytes in a state this client makes (RFC 6749 §10.10: not guessable).
pub const STATE_BYTES: usize = 32;
/// A longer `expires_in` is read as this (about 3,000 years): the expiry must stay a date JS can
/// hold (`Date` ends 8.64e15 ms after the epoch), or `expiresAt` would throw.
const MAX_KEY_LIFETIME_SECS: f64 = 1e11;

/// A `DeviceProvisioning`'s settings. The secret is a [`Secret`]: never printed.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The OAuth app's id (the spec's `OAuthApp` has no separate client id).
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    /// Without a trailing `/`.
    pub login_url: String,
}

/// Parses `new DeviceProvisioning(options)`: every problem at once.
pub fn parse<J: Json>(options: J) -> Result<(Config, Settings), Vec<Issue>> {
    let mut input = Input::new(options, "");
    let client_id = input.required_string("clientId");
    let client_secret = input.required_string("clientSecret");
    let redirect_uri = input.required_string("redirectUri");
    let scopes = input.strings("scopes", validate::scope);
    for (name, value) in [("clientId", &client_id), ("clientSecret", &client_secret)] {
        if let Some(s) = value {
            // Never quoted: the secret's value must not reach a message.
            input.check(name, validate::non_empty(s));
        }
    }
    if let Some(uri) = &redirect_uri {
        input.check("redirectUri", validate::redirect_uri(uri));
    }
    if scopes.as_ref().is_some_and(Vec::is_empty) {
        input.issue("scopes", "must hold at least one scope");
    }
    let (config, allow_insecure_http) = config::transport(&mut input);
    let login_url = config::url(
        &mut input,
        "loginUrl",
        DEFAULT_LOGIN_URL,
        allow_insecure_http,
    );
    let settings = Settings {
        client_id: client_id.unwrap_or_default(),
        client_secret: Secret::new(client_secret.unwrap_or_default()),
        redirect_uri: redirect_uri.unwrap_or_default(),
        scopes: scopes.unwrap_or_else(|| vec![DEFAULT_SCOPE.into()]),
        login_url,
    };
    finish(input, (config, settings))
}

/// Reads the `{ state? }` option of `authorizationUrl`: the caller's state, if given.
pub fn state_option<J: Json>(options: J) -> Result<Option<String>, Error> {
    let mut input = Input::new(options, "");
    let state = input.string("state");
    if let Some(s) = &state {
        input.check("state", validate::non_empty(s));
    }
    finish(input, state).map_err(Error::Validation)
}

/// `{loginUrl}/a/oauth_authorize?client_id&redirect_uri&response_type=code&scope&state`.
pub fn authorization_url(settings: &Settings, state: &str) -> String {
    let scope = join(settings.scopes.iter().map(String::as_str), " ");
    let query = form_body(&[
        ("client_id", &settings.client_id),
        ("redirect_uri", &settings.redirect_uri),
        ("response_type", "code"),
        ("scope", &scope),
        ("state", state),
    ]);
    cat(&[&settings.login_url, "/a/oauth_authorize?", &query])
}

/// What a callback said, once its state checked out: the code to exchange.
///
/// The state is checked before anything else is read: a callback that did not come from this
/// flow's consent screen is a forgery, whatever it says, so a forged `?error=` with any text
/// is never shown as a denial (RFC 6749 §10.12).
pub fn parse_callback(callback_url: &str, expected_state: &str) -> Result<String, Error> {
    let pairs = query_pairs(callback_url);
    let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    // Planted bug for `make fuzz-canary` (CONTRIBUTING.md, "Fuzzing"): a state still holding a
    // percent-escape once decoded, such as `state=%2541`.
    #[cfg(fuzz_canary)]
    #[allow(clippy::panic)]
    if param("state").is_some_and(|s| {
        s.as_bytes()
            .windows(3)
            .any(|w| matches!(w, [b'%', h, l] if h.is_ascii_hexdigit() && l.is_ascii_hexdigit()))
    }) {
        panic!("fuzz canary: a nested percent-escape in the callback's state");
    }
    let mut issues = Vec::new();
    if expected_state.is_empty() {
        issues.push(Issue::new(
            "state",
            "must be the state that authorizationUrl returned",
        ));
    }
    match param("state") {
        None => issues.push(Issue::new(
            "state",
            "is missing from the callback: it did not come from this flow's consent screen",
        )),
        Some(got) if !same_secret(got.as_bytes(), expected_state.as_bytes()) => {
            issues.push(Issue::new(
                "state",
                "does not match the state this flow sent: a forged or replayed callback",
            ))
        }
        Some(_) => {}
    }
    if !issues.is_empty() {
        return Err(Error::Validation(issues));
    }
    if let Some(error) = param("error") {
        return Err(Error::Authorization {
            error: error.clone(),
            description: param("error_description").cloned(),
        });
    }
    let code = param("code").filter(|c| !c.is_empty());
    if code.is_none() {
        issues.push(Issue::new("code", "is missing from the callback"));
    }
    issues_or(issues, code.cloned().unwrap_or_default())
}

/// Compares two secrets in time that depends only on their lengths, so that a forged state
/// cannot be guessed a byte at a time.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The query of a URL (absolute, or a path with a query as a server sees it) as
/// `application/x-www-form-urlencoded` pairs, the way the WHATWG URL parser and
/// `URLSearchParams` read it: tabs and newlines are dropped, leading and trailing spaces and
/// control characters trimmed, the query runs from the first `?` to the first `#`, `+` is a
/// space, and `%XX` is a byte (UTF-8 decoded, invalid sequences replaced).
pub fn query_pairs(url: &str) -> Vec<(String, String)> {
    // Read as bytes: every character the reading looks for is ASCII, and no byte of another
    // character is ASCII, so the pieces are those of a character-wise reading.
    let bytes = url.as_bytes();
    let start = bytes.iter().position(|&b| b > b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| b > b' ')
        .map_or(start, |i| i + 1);
    let cleaned: Vec<u8> = bytes
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|b| !matches!(b, b'\t' | b'\n' | b'\r'))
        .collect();
    let (before_fragment, _) = cut(&cleaned, b'#');
    let (_, Some(mut query)) = cut(before_fragment, b'?') else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    loop {
        let (pair, more) = cut(query, b'&');
        if !pair.is_empty() {
            let (k, v) = cut(pair, b'=');
            pairs.push((form_decode(k), form_decode(v.unwrap_or_default())));
        }
        match more {
            Some(more) => query = more,
            None => return pairs,
        }
    }
}

/// `s` before its first `sep`, and after it when there is one.
fn cut(s: &[u8], sep: u8) -> (&[u8], Option<&[u8]>) {
    match s.iter().position(|&b| b == sep) {
        Some(at) => (s.get(..at).unwrap_or_default(), s.get(at + 1..)),
        None => (s, None),
    }
}

/// One `application/x-www-form-urlencoded` name or value.
fn form_decode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|h| char::from(*h).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                // Two hex digits: at most 0xff.
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b'+', ..) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    lossy(&out)
}

/// `POST /api/v2/oauth/token` with the authorization-code grant. Never retried but on 429: a
/// code works once, so a retry after a lost answer could only fail.
pub fn exchange_request<J: Json>(settings: &Settings, code: J) -> Result<HttpRequest, Error> {
    let mut issues = Vec::new();
    let code = string_arg("code", code, validate::non_empty, &mut issues);
    let form = form_body(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", &settings.redirect_uri),
        ("client_id", &settings.client_id),
        ("client_secret", settings.client_secret.expose()),
    ]);
    issues_or(issues, auth::token_endpoint("/api/v2/oauth/token", form))
}

/// What an exchange gives: the auth key, when it stops working, and the scopes granted.
#[derive(Debug)]
pub struct Grant {
    pub auth_key: Secret,
    /// Unix ms.
    pub expires_at_ms: f64,
    pub scopes: Vec<String>,
}

impl Grant {
    pub fn from_response(response: TokenResponse, now_ms: u64) -> Grant {
        let lifetime = response.lifetime_secs().min(MAX_KEY_LIFETIME_SECS);
        let mut scopes = Vec::new();
        for scope in split(response.scope.as_deref().unwrap_or_default(), b' ') {
            if !scope.is_empty() {
                scopes.push(scope.to_owned());
            }
        }
        Grant {
            expires_at_ms: now_ms as f64 + lifetime * 1000.0,
            scopes,
            auth_key: Secret::new(response.access_token),
        }
    }
}
