//! Credentials, the token endpoints, the token cache and the ID-token expiry check. Pure: the
//! clock is passed in as Unix milliseconds.

use tailscale_wire::error::Error;
use tailscale_wire::http::{form_body, push_query, Expect, HttpRequest};
use tailscale_wire::json::{Json, Kind, Ty};
use tailscale_wire::method::Method;
use tailscale_wire::text::{join, split, trim_end};

/// Tokens are re-minted this long before they expire, so none expires in flight.
pub const REFRESH_MARGIN_MS: u64 = 60_000;
/// An ID token is refused locally only this long after its `exp`: a CI runner's clock a little
/// ahead of the server's must not fail where the server would accept.
pub const ID_TOKEN_CLOCK_SKEW_MS: u64 = 60_000;
/// Used when a token response has no `expires_in`: Tailscale documents one hour, for access
/// tokens and for the auth keys an OAuth app's code buys.
const DEFAULT_TOKEN_LIFETIME_SECS: f64 = 3600.0;

/// A credential or token. It has no `Display` and its `Debug` is redacted, so it cannot reach
/// an error message or a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Self {
        Secret(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Exactly one of the three ways to authenticate.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// An API access token, sent as the Bearer token.
    ApiKey(Secret),
    /// OAuth client credentials, exchanged for short-lived tokens.
    OAuth {
        client_id: String,
        client_secret: Secret,
        scopes: Vec<String>,
        tags: Vec<String>,
    },
    /// Workload identity federation. `id_token` is `None` when a function supplies it (the
    /// wasm layer calls that for every exchange).
    Federated {
        client_id: String,
        id_token: Option<Secret>,
    },
}

impl Credentials {
    pub fn mode(&self) -> &'static str {
        match self {
            Credentials::ApiKey(_) => "apiKey",
            Credentials::OAuth { .. } => "oauth",
            Credentials::Federated { .. } => "federated",
        }
    }
}

/// A token response: `access_token` (required), `expires_in` and the rest optional.
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: Option<String>,
    /// Seconds; a number or a numeric string, anything else counts as absent.
    pub expires_in: Option<f64>,
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

impl TokenResponse {
    /// How long the token (or key) lasts, in seconds: `expires_in`, at least 0, or the
    /// documented hour when it is absent or not a finite number.
    pub fn lifetime_secs(&self) -> f64 {
        self.expires_in
            .filter(|s| s.is_finite())
            .unwrap_or(DEFAULT_TOKEN_LIFETIME_SECS)
            .max(0.0)
    }

    /// Reads a parsed token response; `None` without a string `access_token`.
    pub fn from_json<J: Json>(v: &J) -> Option<TokenResponse> {
        let text = |k: &str| v.get(k).and_then(|x| x.as_string());
        let expires_in = v.get("expires_in").and_then(|x| match x.kind() {
            Kind::Number => x.as_f64(),
            // Whole seconds as text ("3600"): integer parsing keeps float parsing out of the wasm.
            Kind::String => x
                .as_string()
                .and_then(|s| s.trim_ascii().parse::<u32>().ok())
                .map(f64::from),
            _ => None,
        });
        Some(TokenResponse {
            access_token: text("access_token")?,
            token_type: text("token_type"),
            expires_in,
            scope: text("scope"),
        })
    }
}

/// Native convenience (tests, fuzzing): parse with serde_json, then [`TokenResponse::from_json`].
pub fn decode_token(body: &[u8]) -> Option<TokenResponse> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    TokenResponse::from_json(&&v)
}

const TOKEN: Expect = Expect::Object(&[
    ("access_token", Ty::Str),
    ("token_type", Ty::Str),
    ("scope", Ty::Str),
]);

/// A form-encoded POST to a token endpoint, which authenticates through its body.
pub fn token_endpoint(path: &str, form: String) -> HttpRequest {
    let mut req = HttpRequest::new(Method::Post, path.to_owned(), TOKEN);
    req.content_type = Some("application/x-www-form-urlencoded");
    req.body = Some(form);
    req.authenticated = false;
    req
}

/// `POST /api/v2/oauth/token` with the client-credentials grant.
pub fn oauth_token_request(
    client_id: &str,
    client_secret: &Secret,
    scopes: &[String],
    tags: &[String],
) -> HttpRequest {
    let scope = join(scopes.iter().map(String::as_str), " ");
    let tag = join(tags.iter().map(String::as_str), " ");
    let mut form = form_body(&[
        ("client_id", client_id),
        ("client_secret", client_secret.expose()),
        ("grant_type", "client_credentials"),
    ]);
    // The form is not empty, so each pair pushed goes after an `&`.
    if !scope.is_empty() {
        push_query(&mut form, "scope", &scope);
    }
    if !tag.is_empty() {
        push_query(&mut form, "tags", &tag);
    }
    // Retried like a GET: a second token is harmless.
    token_endpoint("/api/v2/oauth/token", form).idempotent()
}

/// `POST /api/v2/oauth/token-exchange` with an OIDC ID token. Retried like a GET: the ID token
/// may be exchanged again, and a second token is harmless.
pub fn token_exchange_request(client_id: &str, id_token: &Secret) -> HttpRequest {
    let form = form_body(&[("client_id", client_id), ("jwt", id_token.expose())]);
    token_endpoint("/api/v2/oauth/token-exchange", form).idempotent()
}

/// A token may travel only in a header: printable ASCII with no spaces.
pub fn header_safe(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic())
}

/// Reads a JWT's `exp` claim (Unix seconds) without verifying anything; `None` when absent.
/// `parse` parses the payload's JSON (serde_json natively, `JSON.parse` in wasm).
pub fn jwt_exp_with<J: Json>(
    token: &str,
    parse: impl Fn(&str) -> Option<J>,
) -> Result<Option<f64>, &'static str> {
    let mut parts = split(token, b'.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("is not a JWT (expected three dot-separated parts)");
    };
    let bytes = tailscale_wire::encoding::base64url_decode(trim_end(payload, b'='))
        .ok_or("is not a JWT (its payload is not base64url)")?;
    let text = String::from_utf8(bytes).map_err(|_| "is not a JWT (its payload is not text)")?;
    let claims = parse(&text).ok_or("is not a JWT (its payload is not JSON)")?;
    if claims.kind() != Kind::Object {
        return Err("is not a JWT (its payload is not a JSON object)");
    }
    match claims.get("exp").filter(|e| !e.is_null()) {
        None => Ok(None),
        Some(exp) if exp.kind() == Kind::Number => Ok(exp.as_f64()),
        Some(_) => Err("has an `exp` claim that is not a number"),
    }
}

/// Refuses an ID token that is malformed or expired for more than [`ID_TOKEN_CLOCK_SKEW_MS`],
/// before it is sent.
pub fn check_id_token_with<J: Json>(
    token: &str,
    now_ms: u64,
    parse: impl Fn(&str) -> Option<J>,
) -> Result<(), Error> {
    let field = "federated.idToken";
    if !header_safe(token) {
        return Err(Error::validation(
            field,
            "must be a non-empty JWT with no spaces",
        ));
    }
    match jwt_exp_with(token, parse) {
        Err(m) => Err(Error::validation(field, m)),
        Ok(Some(exp)) if exp * 1000.0 + ID_TOKEN_CLOCK_SKEW_MS as f64 <= now_ms as f64 => {
            Err(Error::validation(
                field,
                "has expired (its `exp` claim is in the past); fetch a fresh ID token",
            ))
        }
        Ok(_) => Ok(()),
    }
}

fn parse_native(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(text).ok()
}

/// [`jwt_exp_with`] with serde_json, for native callers and tests.
pub fn jwt_exp(token: &str) -> Result<Option<f64>, &'static str> {
    let value = std::cell::OnceCell::new();
    jwt_exp_with(token, |t| parse_native(t).map(|v| value.get_or_init(|| v)))
}

/// [`check_id_token_with`] with serde_json, for native callers and tests.
pub fn check_id_token(token: &str, now_ms: u64) -> Result<(), Error> {
    let value = std::cell::OnceCell::new();
    check_id_token_with(token, now_ms, |t| {
        parse_native(t).map(|v| value.get_or_init(|| v))
    })
}

/// What a caller should do to get a token.
#[derive(Debug, PartialEq, Eq)]
pub enum Acquire {
    /// Use this token.
    Ready(Secret),
    /// No usable token and no mint in flight: mint one, then call `minted` or `mint_failed`.
    Mint,
    /// Another caller is minting: wait for its result.
    Wait,
}

/// The access token minted from OAuth or federated credentials, shared by a client's calls.
#[derive(Debug, Default)]
pub struct TokenCache {
    token: Option<(Secret, u64)>,
    minting: bool,
}

impl TokenCache {
    /// Single-flight: the first caller without a fresh token mints, the rest wait for it.
    pub fn acquire(&mut self, now_ms: u64) -> Acquire {
        if let Some((token, expires_at)) = &self.token {
            if now_ms.saturating_add(REFRESH_MARGIN_MS) < *expires_at {
                return Acquire::Ready(token.clone());
            }
        }
        if self.minting {
            Acquire::Wait
        } else {
            self.minting = true;
            Acquire::Mint
        }
    }

    /// Stores a fresh token. The minting caller and every waiter use it, even if it is too
    /// short-lived to be reused later.
    pub fn minted(&mut self, response: &TokenResponse, now_ms: u64) -> Result<Secret, String> {
        self.minting = false;
        if !header_safe(&response.access_token) {
            return Err("the token endpoint returned an unusable access_token".into());
        }
        // f64 -> u64 casts saturate, so a huge `expires_in` cannot overflow.
        let expires_at = now_ms.saturating_add((response.lifetime_secs() * 1000.0) as u64);
        let token = Secret::new(response.access_token.clone());
        self.token = Some((token.clone(), expires_at));
        Ok(token)
    }

    pub fn mint_failed(&mut self) {
        self.minting = false;
    }

    /// Drops `token` after the API refused it (401). A newer token, minted meanwhile by a
    /// concurrent caller, is kept: each 401 then costs at most one re-mint.
    pub fn invalidate(&mut self, token: &Secret) {
        if self.token.as_ref().is_some_and(|(t, _)| t == token) {
            self.token = None;
        }
    }
}
