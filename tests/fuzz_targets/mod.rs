//! The fuzz targets, in one place for two drivers: the libFuzzer binaries in `fuzz/fuzz_targets/`
//! (`make fuzz`, coverage-guided) and `tests/fuzz_replay.rs` (`cargo test`, which replays every
//! committed corpus and regression input without libFuzzer). Both include this file with
//! `#[path]` rather than through a crate of its own: a shared crate would need the fuzz crate's
//! sanitizer flags in `cargo test`, or the dev-dependencies in the release build.
//!
//! Each target takes raw bytes and panics when a property fails. Where an oracle exists it checks
//! agreement with it (`httpdate`, `chrono`, `percent-encoding`, `base64`, `url`, serde's derived
//! decoders), not just the absence of panics. Inputs are read as plain text where the code under
//! test reads text, so corpus files are readable: a corpus file is one input, as is.
//!
//! Adding a target: a `pub fn name(data: &[u8])` here, its name in `TARGETS`, a three-line
//! `fuzz/fuzz_targets/name.rs` and its `[[bin]]` in `fuzz/Cargo.toml`, and seeds in
//! `fuzz/corpus/name/` (`tests/fuzz_replay.rs` checks that all four agree).
#![allow(dead_code)]

use serde_json::{json, Value};
use tailscale_wasm::auth::{self, check_id_token, decode_token, header_safe};
use tailscale_wasm::error::{Error, Issue};
use tailscale_wasm::http::{
    self, check_response_bytes, encode_segment, parse_retry_after, retry_delay, Expect, Failure,
    HttpRequest, Method, ResponseHead,
};
use tailscale_wasm::json::Ty;
use tailscale_wasm::keys::{self, CreateAuthKey, FederatedIdentitySpec, OAuthClientSpec};
use tailscale_wasm::oauth_apps::{self, OAuthAppSpec};
use tailscale_wasm::policy::{self, PolicyBody};
use tailscale_wasm::{config, date, devices, encoding, provisioning, validate};

/// A target: panics when a property fails for this input.
pub type Target = fn(&[u8]);

/// Every target, by the name of its libFuzzer binary and corpus directory.
pub const TARGETS: &[(&str, Target)] = &[
    ("retry_after", retry_after),
    ("rfc3339", rfc3339),
    ("percent_encoder", percent_encoder),
    ("base64url", base64url),
    ("jwt_exp", jwt_exp),
    ("callback", callback),
    ("decoders", decoders),
    ("validators", validators),
];

/// A fixed "now" (2026-07-14), and the clock's extremes.
const NOWS: [u64; 3] = [0, 1_784_000_000_000, u64::MAX];

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

// ---- HTTP dates and Retry-After ------------------------------------------------------------

/// An HTTP date reads as `httpdate` reads it (all three formats, the weekday checked), and a
/// `Retry-After` is delay-seconds (saturating) or that date from now; no retry waits past the cap.
pub fn retry_after(data: &[u8]) {
    let Some(value) = text(data) else { return };
    let oracle = httpdate::parse_http_date(value).ok().map(|t| {
        let ms = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
        u64::try_from(ms).unwrap()
    });
    assert_eq!(
        date::parse_http_date_ms(value),
        oracle,
        "HTTP date {value:?}"
    );
    let trimmed = value.trim_ascii();
    let seconds = !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit());
    for now in NOWS {
        let parsed = parse_retry_after(value, now);
        let want = match seconds {
            true => Some(
                trimmed
                    .parse::<u64>()
                    .map_or(u64::MAX, |s| s.saturating_mul(1000)),
            ),
            false => oracle.map(|ms| ms.saturating_sub(now)),
        };
        assert_eq!(parsed, want, "Retry-After {value:?} at {now}");
        for method in [Method::Get, Method::Post] {
            let failure = Failure::Status {
                status: 429,
                retry_after_ms: parsed,
            };
            for retries in 0..3 {
                let delay = retry_delay(method, failure, retries, 3, 0.5);
                assert!(delay.is_some_and(|d| d <= http::MAX_RETRY_DELAY_MS));
            }
        }
    }
}

// ---- RFC 3339 ------------------------------------------------------------------------------

/// A date-time is RFC 3339 exactly when chrono's RFC 3339 parser accepts it, but for what this
/// client refuses on purpose (README, date.rs): a space for the `T`, leap seconds (`:60`, which
/// `Date.parse` refuses) and U+2212 for the offset's minus sign.
pub fn rfc3339(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let oracle = chrono::DateTime::parse_from_rfc3339(s).is_ok()
        && s.as_bytes().get(10) != Some(&b' ')
        && s.get(17..19) != Some("60")
        && !s.contains('\u{2212}');
    assert_eq!(date::is_rfc3339(s), oracle, "RFC 3339 {s:?}");
    assert_eq!(validate::rfc3339(s).is_ok(), oracle, "rule for {s:?}");
}

// ---- percent-encoding and base64url --------------------------------------------------------

/// A path segment and a form value encode as the `percent-encoding` crate encodes them, only
/// unreserved characters stay as they are, and decoding gives the input back.
pub fn percent_encoder(data: &[u8]) {
    let Some(s) = text(data) else { return };
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    const FORM: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'*')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_');
    let encoded = encode_segment(s);
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3);
                assert!(
                    hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
                    "bad escape in {encoded}"
                );
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => i += 1,
            b => panic!("unescaped {b:#x} in {encoded}"),
        }
    }
    assert_eq!(encoded, utf8_percent_encode(s, SEGMENT).to_string());
    assert_eq!(http::api_path(&[s]), format!("/api/v2/{encoded}"));
    assert_eq!(
        http::form_body(&[("k", s)]),
        format!("k={}", utf8_percent_encode(s, FORM))
    );
    let decoded = percent_encoding::percent_decode_str(&encoded)
        .decode_utf8()
        .expect("utf-8");
    assert_eq!(decoded, s);
}

/// Bytes encode as the `base64` crate's unpadded URL-safe engine encodes them and decode back;
/// text decodes exactly when that engine (strict: no padding, zero trailing bits) decodes it.
pub fn base64url(data: &[u8]) {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let encoded = encoding::base64url_encode(data);
    assert_eq!(encoded, engine.encode(data));
    assert_eq!(encoding::base64url_decode(&encoded).as_deref(), Some(data));
    if let Some(s) = text(data) {
        assert_eq!(
            encoding::base64url_decode(s),
            engine.decode(s).ok(),
            "base64url {s:?}"
        );
    }
}

// ---- the JWT `exp` reader ------------------------------------------------------------------

/// `exp` reads as an independent reader built on `base64` and serde_json reads it, and an ID
/// token is refused exactly when it is not header-safe, not readable or expired.
pub fn jwt_exp(data: &[u8]) {
    let Some(token) = text(data) else { return };
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let oracle = || -> Result<Option<f64>, ()> {
        let parts: Vec<&str> = token.split('.').collect();
        let [_, payload, _] = parts[..] else {
            return Err(());
        };
        let bytes = engine.decode(payload.trim_end_matches('=')).map_err(drop)?;
        let claims: Value = serde_json::from_slice(&bytes).map_err(drop)?;
        match claims.as_object().ok_or(())?.get("exp") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => Err(()),
        }
    };
    let read = auth::jwt_exp(token);
    assert_eq!(read.map_err(drop), oracle(), "exp of {token:?}");
    for now in NOWS {
        let fresh = match read {
            Ok(Some(exp)) => exp * 1000.0 > now as f64,
            Ok(None) => true,
            Err(_) => false,
        };
        let accepted = check_id_token(token, now).is_ok();
        assert_eq!(accepted, header_safe(token) && fresh, "{token:?} at {now}");
    }
}

// ---- the provisioning callback -------------------------------------------------------------

/// The callback's query reads exactly as the WHATWG URL parser (the `url` crate) reads it,
/// relative to a base as a server sees a path; the verdict follows from those pairs: an `error`
/// wins, the first `state` must match, and the first non-empty `code` is the answer.
pub fn callback(data: &[u8]) {
    let Some(url) = text(data) else { return };
    let pairs = provisioning::query_pairs(url);
    let base = url::Url::parse("http://callback.invalid/").unwrap();
    if let Ok(parsed) = url::Url::options().base_url(Some(&base)).parse(url) {
        let oracle: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(pairs, oracle, "query of {url:?}");
    }
    let first = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (state, code, error) = (first("state"), first("code"), first("error"));
    let verdict = provisioning::parse_callback(url, state.as_deref().unwrap_or(""));
    match (&error, &verdict) {
        (Some(want), Err(Error::Authorization { error, .. })) => assert_eq!(error, want),
        (Some(_), _) => panic!("an error callback must be an authorization error: {url:?}"),
        (None, Ok(got)) => assert_eq!(Some(got), code.as_ref()),
        (None, Err(_)) => assert!(
            state.as_deref().is_none_or(str::is_empty) || code.as_deref().is_none_or(str::is_empty),
            "a callback with its state and a code must pass: {url:?}"
        ),
    }
    // Any other expected state is refused (an error callback aside, which names no state).
    if error.is_none() {
        let other = format!("{}x", state.as_deref().unwrap_or(""));
        assert!(provisioning::parse_callback(url, &other).is_err());
    }
}

// ---- response bodies -----------------------------------------------------------------------

/// `NNN\n` before the body sets the status (200 without it).
fn status_and_body(data: &[u8]) -> (u16, &[u8]) {
    match data {
        [a, b, c, b'\n', body @ ..] if [a, b, c].iter().all(|d| d.is_ascii_digit()) => {
            let status = u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0');
            (status, body)
        }
        _ => (200, data),
    }
}

/// Every response reader. The runtime's shape check (the hand-written tables the wasm uses) and
/// the serde models agree: what a model decodes, the check accepts, and what the check accepts,
/// the model decodes, once the nested objects a table leaves unchecked by design (`Ty::Record`:
/// the client reads none of their members) are emptied. Errors carry the status; a token
/// response gives a lifetime JS can hold.
pub fn decoders(data: &[u8]) {
    let (status, body) = status_and_body(data);
    let s = json!("id");
    let none = json!({});
    type Decode = fn(&[u8]) -> Result<(), serde_json::Error>;
    let file = || PolicyBody::HuJson("{}".into());
    let preview = json!({"type": "user", "previewFor": "a@example.com"});
    // Each reader with its serde model, where the crate has one (the policy answers have none).
    let readers: [(HttpRequest, Option<Decode>); 11] = [
        (
            keys::get("-", &s).unwrap(),
            Some(|b| keys::decode_key(b).map(drop)),
        ),
        (
            keys::list("-", &none).unwrap(),
            Some(|b| keys::decode_key_list(b).map(drop)),
        ),
        (
            oauth_apps::get("-", &s).unwrap(),
            Some(|b| oauth_apps::decode_app(b).map(drop)),
        ),
        (
            oauth_apps::list("-"),
            Some(|b| oauth_apps::decode_app_list(b).map(drop)),
        ),
        (
            devices::get(&s, &none).unwrap(),
            Some(|b| devices::decode_device(b).map(drop)),
        ),
        (
            devices::list("-", &none).unwrap(),
            Some(|b| devices::decode_device_list(b).map(drop)),
        ),
        (
            devices::get_attributes(&s).unwrap(),
            Some(|b| devices::decode_attributes(b).map(drop)),
        ),
        (policy::get("-", &none).unwrap(), None),
        (policy::get("-", &json!({"details": true})).unwrap(), None),
        (policy::validate_file("-", "{}".into()), None),
        (policy::preview("-", file(), &preview).unwrap(), None),
    ];
    // `Retry-After` matters to error statuses only.
    let retry_afters = match status {
        400.. => vec![None, Some("1"), text(body)],
        _ => vec![None],
    };
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    for (req, decode) in &readers {
        for &retry_after in &retry_afters {
            let head = ResponseHead {
                status,
                retry_after,
                location: None,
            };
            match &check_response_bytes(req, head, body, NOWS[1]) {
                Ok(()) => assert!((200..300).contains(&status)),
                Err(Error::Api(e)) => {
                    assert_eq!(e.status, status);
                    assert!(!e.message.is_empty());
                }
                Err(Error::Response { status: s, .. }) => assert_eq!(*s, status),
                Err(other) => panic!("unexpected error kind {other:?}"),
            }
        }
        let Some(decode) = decode.filter(|_| (200..300).contains(&status)) else {
            continue;
        };
        let accepted = check_response_bytes(req, ResponseHead::status(status), body, 0).is_ok();
        let what = format!("{} {}", req.method.as_str(), req.path);
        // The models leave every member optional for native callers; the check requires some.
        let required = parsed.as_ref().is_some_and(|v| has_required(v, req.expect));
        if let (Ok(()), true) = (decode(body), required) {
            assert!(accepted, "{what}: the model decodes what the check refuses");
        }
        if let (true, Some(mut value)) = (accepted, parsed.clone()) {
            empty_unchecked(&mut value, req.expect);
            if let Err(e) = decode(&serde_json::to_vec(&value).unwrap()) {
                panic!("{what}: accepted but does not decode ({e})");
            }
        }
    }
    // A token response: a lifetime within what a JS Date holds, whatever `expires_in` says.
    if let Some(token) = decode_token(body) {
        let grant = provisioning::Grant::from_response(token, NOWS[1]);
        assert!(grant.expires_at_ms.is_finite() && grant.expires_at_ms < 8.64e15);
    }
}

/// Whether every member a response table requires (`Ty::Required`) is there and not null.
fn has_required(value: &Value, expect: Expect) -> bool {
    fn member(m: Option<&Value>, ty: &Ty) -> bool {
        let m = m.filter(|m| !m.is_null());
        match ty {
            Ty::Required(inner) => m.is_some() && member(m, inner),
            Ty::Obj(inner) => m.is_none_or(|m| record(m, inner)),
            Ty::Items(inner) => items(m, inner),
            _ => true,
        }
    }
    fn record(v: &Value, fields: &[(&str, Ty)]) -> bool {
        fields.iter().all(|(key, ty)| member(v.get(*key), ty))
    }
    fn items(list: Option<&Value>, fields: &[(&str, Ty)]) -> bool {
        list.and_then(Value::as_array)
            .is_none_or(|a| a.iter().all(|item| record(item, fields)))
    }
    match expect {
        Expect::Object(fields) | Expect::ObjectOrEmpty(fields) => record(value, fields),
        Expect::List(field, fields) => items(value.get(field), fields),
        Expect::Nothing | Expect::Text => true,
    }
}

/// Empties the members a response table checks only to be objects (`Ty::Record`).
fn empty_unchecked(value: &mut Value, expect: Expect) {
    fn record(v: &mut Value, fields: &[(&str, Ty)]) {
        for (key, ty) in fields {
            match (ty, v.get_mut(*key)) {
                (Ty::Record, Some(m)) if m.is_object() => *m = json!({}),
                (Ty::Obj(inner), Some(m)) => record(m, inner),
                (Ty::Items(inner), Some(Value::Array(items))) => {
                    items.iter_mut().for_each(|item| record(item, inner))
                }
                _ => {}
            }
        }
    }
    match expect {
        Expect::Object(fields) | Expect::ObjectOrEmpty(fields) => record(value, fields),
        Expect::List(field, fields) => {
            if let Some(Value::Array(items)) = value.get_mut(field) {
                items.iter_mut().for_each(|item| record(item, fields));
            }
        }
        Expect::Nothing | Expect::Text => {}
    }
}

// ---- every validator's input reader --------------------------------------------------------

/// Input values: the bytes as JSON, else as one string. An array gives the separate arguments
/// of the calls that take several (id, key, options); anything else is every argument at once.
fn arguments(data: &[u8]) -> (Value, [Value; 3]) {
    let v = serde_json::from_slice(data)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(data).into_owned()));
    let args = match v.as_array().map(Vec::as_slice) {
        Some([a, b, c, ..]) => [a.clone(), b.clone(), c.clone()],
        _ => [v.clone(), v.clone(), v.clone()],
    };
    (v, args)
}

/// Every request builder and validator: a verdict for every input (valid, or at least one
/// issue), the same verdict twice, a builder that agrees with its parser, bodies that are JSON
/// objects, and paths that stay where they belong.
pub fn validators(data: &[u8]) {
    let (v, [a, b, c]) = arguments(data);
    type Parse = fn(&Value) -> Result<(), Vec<Issue>>;
    type Build = for<'v> fn(&'v Value) -> Result<HttpRequest, Error>;
    let pairs: [(Parse, Build); 4] = [
        (
            |v| CreateAuthKey::parse(v).map(drop),
            |v| keys::create_auth_key("-", v),
        ),
        (
            |v| OAuthClientSpec::parse(v).map(drop),
            |v| keys::create_oauth_client("-", v),
        ),
        (
            |v| FederatedIdentitySpec::parse(v).map(drop),
            |v| keys::create_federated_identity("-", v),
        ),
        (
            |v| OAuthAppSpec::parse(v).map(drop),
            |v| oauth_apps::create("-", v),
        ),
    ];
    for (parse, build) in pairs {
        let first = parse(&v);
        assert!(first.as_ref().err().is_none_or(|issues| !issues.is_empty()));
        assert_eq!(first, parse(&v));
        let built = build(&v);
        assert_eq!(
            built.is_ok(),
            first.is_ok(),
            "builder and parser disagree on {v}"
        );
        if let Ok(req) = built {
            assert_json_object(&req);
        }
    }
    let mut requests = vec![
        keys::set_oauth_client("-", &a, &b),
        keys::set_federated_identity("-", &a, &b),
        keys::list("-", &v),
        keys::get("-", &v),
        keys::delete("-", &v),
        oauth_apps::get("-", &v),
        oauth_apps::update("-", &a, &b),
        oauth_apps::delete("-", &v),
        devices::list("-", &v),
        devices::get(&a, &b),
        devices::get_attributes(&v),
        devices::set_attribute(&a, &b, &c),
        devices::delete_attribute(&a, &b),
        devices::update_attributes("-", &v),
    ];
    for built in requests.drain(..) {
        let Ok(req) = built.map_err(|e| assert_issues(&e)) else {
            continue;
        };
        // Ids are one encoded segment each: no request leaves its resource.
        assert!(
            req.path.starts_with("/api/v2/device/") || req.path.starts_with("/api/v2/tailnet/-/")
        );
        assert!(
            !req.path.contains(['?', '#']) && !req.path.contains("/../"),
            "{}",
            req.path
        );
        assert!(req.query.is_empty() || req.query.starts_with('?'));
        if req.body.is_some() {
            assert_json_object(&req);
        }
    }
    let issues = devices::validate_set_attribute(&v);
    assert_eq!(issues, devices::validate_set_attribute(&v));
    let _ = devices::validate_value(&v);
    for id_token_fn in [false, true] {
        let first = config::parse(&v, id_token_fn).map(drop);
        assert!(first.as_ref().err().is_none_or(|issues| !issues.is_empty()));
    }
    let _ = provisioning::parse(&v).map(drop);
    let _ = provisioning::state_option(&v);
    if let Some(s) = v.as_str() {
        for rule in [
            validate::tag,
            validate::scope,
            validate::node_attribute,
            validate::redirect_uri,
            validate::issuer,
            validate::key_description,
            validate::app_name,
            validate::app_description,
            validate::id,
            validate::attribute_key,
            validate::attribute_string,
            validate::rfc3339,
            validate::filter_name,
            validate::device_fields,
            validate::claim_name,
            validate::attribute_comment,
        ] {
            assert_eq!(rule(s), rule(s));
        }
    }
}

fn assert_json_object(req: &HttpRequest) {
    let body = req.body.as_deref().unwrap_or("");
    let parsed: Value = serde_json::from_str(body).expect("a request body is JSON");
    assert!(parsed.is_object(), "body {body}");
}

fn assert_issues(e: &Error) {
    match e {
        Error::Validation(issues) => assert!(!issues.is_empty()),
        other => panic!("a builder failed with {other:?}, not a validation error"),
    }
}
