//! Credentials, the token endpoints, the token cache and the ID-token expiry check. Pure: the
//! clock is passed in as Unix milliseconds.

use crate::error::Error;
use crate::http::{form_body, Expect, HttpRequest, Method};
use base64::Engine;
use serde::Deserialize;

/// Tokens are re-minted this long before they expire, so none expires in flight.
pub const REFRESH_MARGIN_MS: u64 = 60_000;
/// Used when a token response has no `expires_in`: Tailscale documents one hour.
pub const DEFAULT_TOKEN_LIFETIME_SECS: f64 = 3600.0;

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

/// The shape of a token response; tolerant of missing optional fields.
#[derive(Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub token_type: Option<String>,
    /// Seconds; a number or a numeric string, anything else counts as absent.
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub expires_in: Option<f64>,
    #[serde(default)]
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

fn lenient_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

pub fn decode_token(body: &[u8]) -> Result<TokenResponse, serde_json::Error> {
    serde_json::from_slice(body)
}

const TOKEN: Expect = Expect::Json {
    validate: |b| decode_token(b).map(drop),
    field: None,
};

fn token_endpoint(path: &str, form: String) -> HttpRequest {
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
    let scope = scopes.join(" ");
    let tag = tags.join(" ");
    let mut pairs = vec![
        ("client_id", client_id),
        ("client_secret", client_secret.expose()),
        ("grant_type", "client_credentials"),
    ];
    if !scope.is_empty() {
        pairs.push(("scope", &scope));
    }
    if !tag.is_empty() {
        pairs.push(("tags", &tag));
    }
    token_endpoint("/api/v2/oauth/token", form_body(&pairs))
}

/// `POST /api/v2/oauth/token-exchange` with an OIDC ID token.
pub fn token_exchange_request(client_id: &str, id_token: &Secret) -> HttpRequest {
    let form = form_body(&[("client_id", client_id), ("jwt", id_token.expose())]);
    token_endpoint("/api/v2/oauth/token-exchange", form)
}

/// A token may travel only in a header: printable ASCII with no spaces.
pub fn header_safe(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic())
}

/// Reads a JWT's `exp` claim (Unix seconds) without verifying anything; `None` when absent.
pub fn jwt_exp(token: &str) -> Result<Option<f64>, &'static str> {
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("is not a JWT (expected three dot-separated parts)");
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| "is not a JWT (its payload is not base64url)")?;
    let claims: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| "is not a JWT (its payload is not JSON)")?;
    let Some(claims) = claims.as_object() else {
        return Err("is not a JWT (its payload is not a JSON object)");
    };
    match claims.get("exp") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(exp) => exp
            .as_f64()
            .map(Some)
            .ok_or("has an `exp` claim that is not a number"),
    }
}

/// Refuses an ID token that is malformed or already expired, before it is sent.
pub fn check_id_token(token: &str, now_ms: u64) -> Result<(), Error> {
    let field = "federated.idToken";
    if !header_safe(token) {
        return Err(Error::validation(
            field,
            "must be a non-empty JWT with no spaces",
        ));
    }
    match jwt_exp(token) {
        Err(m) => Err(Error::validation(field, m)),
        Ok(Some(exp)) if exp * 1000.0 <= now_ms as f64 => Err(Error::validation(
            field,
            "has expired (its `exp` claim is in the past); fetch a fresh ID token",
        )),
        Ok(_) => Ok(()),
    }
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
        let secs = response
            .expires_in
            .filter(|s| s.is_finite())
            .unwrap_or(DEFAULT_TOKEN_LIFETIME_SECS)
            .max(0.0);
        // f64 -> u64 casts saturate, so a huge `expires_in` cannot overflow.
        let expires_at = now_ms.saturating_add((secs * 1000.0) as u64);
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
