//! The fuzz targets, in one crate for two drivers: the libFuzzer binaries in `fuzz/fuzz_targets/`
//! (`make fuzz`, coverage-guided) and `tests/replay.rs` (`cargo test`, which replays every
//! committed corpus and regression input without libFuzzer). The oracles are this crate's
//! dependencies, never the library crates'.
//!
//! Each target takes raw bytes and panics when a property fails. Where an oracle exists it checks
//! agreement with it (`httpdate`, `chrono`, `percent-encoding`, `base64`, `url`, serde's derived
//! decoders), not just the absence of panics. Inputs are read as plain text where the code under
//! test reads text, so corpus files are readable: a corpus file is one input, as is.
//!
//! Adding a target: a `pub fn name(data: &[u8])` here, its name in `TARGETS`, a one-line
//! `fuzz/fuzz_targets/name.rs` and its `[[bin]]` in `fuzz/Cargo.toml`, and seeds in
//! `fuzz/seeds/name/` (`tests/replay.rs` checks that all four agree).
#![allow(dead_code)]

use serde_json::{json, Value};
use tailscale_api::auth::{self, check_id_token, decode_token, header_safe};
use tailscale_api::keys::{self, CreateAuthKey, FederatedIdentitySpec, OAuthClientSpec};
use tailscale_api::oauth_apps::{self, OAuthAppSpec};
use tailscale_api::policy_file::{self, PolicyBody};
use tailscale_api::{config, devices, provisioning};
use tailscale_policy::access::{AccessModel, Outcome, Query, QueryKind};
use tailscale_policy::hujson::{self, Document, Node};
use tailscale_policy::lint;
use tailscale_policy::posture::{self, Condition, Operand, Operator};
use tailscale_wire::attribute::AttributeValue;
use tailscale_wire::error::{Error, Issue};
use tailscale_wire::http::{
    self, check_response_bytes, encode_segment, parse_retry_after, retry_delay, Expect, Failure,
    HttpRequest, ResponseHead,
};
use tailscale_wire::json::Ty;
use tailscale_wire::method::Method;
use tailscale_wire::{date, encoding, validate};

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
    ("hujson", hujson),
    ("posture", posture),
    ("access", access),
];

/// A fixed "now" (2026-07-14), and the clock's extremes.
const NOWS: [u64; 3] = [0, 1_784_000_000_000, u64::MAX];

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

// ---- HTTP dates and Retry-After ------------------------------------------------------------

/// An HTTP date reads as `httpdate` reads it (all three formats, the weekday checked), and a
/// `Retry-After` is delay-seconds (saturating) or that date from now; no retry waits past the cap,
/// and one asked to gives up at once.
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
                // A wait past the cap gives up at once; any other is a wait within the cap.
                let delay = retry_delay(method, failure, retries, 3, 0.5);
                let beyond_cap = parsed.is_some_and(|ms| ms > http::MAX_RETRY_DELAY_MS);
                assert_eq!(
                    delay.is_none(),
                    beyond_cap,
                    "Retry-After {value:?} at {now}"
                );
                assert!(delay.is_none_or(|d| d <= http::MAX_RETRY_DELAY_MS));
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
/// token is refused exactly when it is not header-safe, not readable or expired (past the skew).
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
            // Expired counts only past the clock skew the client allows.
            Ok(Some(exp)) => exp * 1000.0 + auth::ID_TOKEN_CLOCK_SKEW_MS as f64 > now as f64,
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
    let has_state = state.as_deref().is_some_and(|s| !s.is_empty());
    match (&error, &verdict) {
        (Some(want), Err(Error::Authorization { error, .. })) => assert_eq!(error, want),
        // With no state to match, refusing the state first is right too (the README's "Device
        // provisioning with OAuth apps": the state is checked before the error).
        (Some(_), Err(Error::Validation(_))) if !has_state => {}
        (Some(_), _) => panic!("an error callback must be an authorization error: {url:?}"),
        (None, Ok(got)) => assert_eq!(Some(got), code.as_ref()),
        (None, Err(_)) => assert!(
            !has_state || code.as_deref().is_none_or(str::is_empty),
            "a callback with its state and a code must pass: {url:?}"
        ),
    }
    // Any other expected state is refused, an error callback's included.
    let other = format!("{}x", state.as_deref().unwrap_or(""));
    assert!(provisioning::parse_callback(url, &other).is_err());
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
        (policy_file::get("-", &none).unwrap(), None),
        (
            policy_file::get("-", &json!({"details": true})).unwrap(),
            None,
        ),
        (policy_file::validate_file("-", "{}".into()), None),
        (policy_file::preview("-", file(), &preview).unwrap(), None),
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
        Expect::Nothing | Expect::Text | Expect::Json => true,
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
        Expect::Nothing | Expect::Text | Expect::Json => {}
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
    // The policy API's options and arguments.
    for built in [
        policy_file::get("-", &v),
        policy_file::preview("-", PolicyBody::Json("{}".into()), &v),
    ] {
        if let Ok(req) = built.map_err(|e| assert_issues(&e)) {
            assert!(req.path.starts_with("/api/v2/tailnet/-/acl"));
        }
    }
    let verdicts = [
        policy_file::Precondition::parse(&v).map(drop),
        tailscale_policy::update::UpdateLoop::parse(&v).map(drop),
        posture::report_options(&v).map(drop),
    ];
    for verdict in verdicts {
        assert!(verdict.err().is_none_or(|issues| !issues.is_empty()));
    }
    let _ = policy_file::check_tests(&&v);
    let _ = lint::read_posture(&&a, &&b).map_err(|e| assert_issues(&e));
    let _ = posture::evaluation_input(&&a, &&b).map_err(|e| assert_issues(&e));
    let _ = posture::attributes_of(&&v);
    let listed: Vec<&Value> = a.as_array().map(|l| l.iter().collect()).unwrap_or_default();
    let ids: Option<Vec<String>> = b.as_array().map(|l| {
        l.iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect()
    });
    if let Ok(chosen) = posture::choose_devices(&listed, ids.as_deref()) {
        let _ = posture::device_inputs(
            chosen,
            c.as_array().map(|l| l.iter().collect()).unwrap_or_default(),
        );
    }
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

// ---- the HuJSON document -------------------------------------------------------------------

/// A HuJSON document, as bytes. It parses exactly when `hujson_grammar` (tailscale/hujson's
/// grammar, read apart from the parser) accepts it, and then keeps every byte (printing gives the
/// input back; an invalid UTF-8 byte, allowed only in a string, reads as U+FFFD); standardizing
/// changes only comment bytes other than tab, CR and LF, and trailing commas, to spaces, and gives
/// JSON that serde_json reads as the value the document's nodes read; JSON that serde_json reads
/// always parses. An edit (after a NUL byte: `s`, `a` or `r`, a pointer, then after another NUL
/// the JSON value; without one, edits at the document's own paths) gives a document that parses
/// again and holds what serde_json's value with the same edit applied holds, or fails and
/// changes nothing. The local policy checks take every document.
pub fn hujson(data: &[u8]) {
    let mut parts = data.splitn(2, |&b| b == 0);
    let (Some(bytes), edit) = (parts.next(), parts.next()) else {
        return;
    };
    let parsed = Document::parse_bytes(bytes);
    assert_eq!(
        parsed.is_ok(),
        hujson_grammar(bytes),
        "the parser and tailscale/hujson's grammar disagree ({parsed:?}) on {:?}",
        String::from_utf8_lossy(bytes)
    );
    let doc = match parsed {
        Ok(doc) => doc,
        Err(e) => {
            let json = serde_json::from_slice::<Value>(bytes);
            assert!(json.is_err(), "JSON that HuJSON refuses ({e:?}): {bytes:?}");
            assert!(
                e.line >= 1 && e.column >= 1 && e.offset <= bytes.len(),
                "{e:?}"
            );
            assert!(!e.message.is_empty());
            return;
        }
    };
    let Some(text) = self::text(bytes) else {
        // Not UTF-8: its strings read U+FFFD where the bytes were, and the rest is as given.
        assert!(Document::parse(doc.as_str()).is_ok());
        standardized_value(&doc);
        return;
    };
    assert_eq!(doc.as_str(), text);
    let value = standardized_value(&doc);
    let _ = lint::check(&doc);
    let _ = lint::postures_of(&doc);
    // The edits compare against serde_json's value, which keeps only the last of duplicate
    // names: a removal would bring an earlier one back.
    let Some(value) = value.filter(|_| !has_duplicates(doc.root())) else {
        return;
    };
    let edits = match edit {
        Some(spec) => parse_edit(spec).into_iter().collect(),
        None => default_edits(&value),
    };
    for (op, pointer, json) in edits {
        let mut edited = doc.clone();
        let result = match op {
            b's' => edited.set(&pointer, &json).map(|()| true),
            b'a' => edited.append(&pointer, &json).map(|()| true),
            _ => edited.remove(&pointer),
        };
        let new = serde_json::from_str::<Value>(&json).ok();
        let oracle = apply_edit(&value, op, &pointer, new.clone());
        match result {
            Err(_) => assert_eq!(edited.as_str(), text, "a failed edit changed the document"),
            Ok(changed) => {
                let reparsed = Document::parse(edited.as_str()).unwrap_or_else(|e| {
                    panic!(
                        "{} {pointer:?} {json:?} made {:?}: {e:?}",
                        op as char,
                        edited.as_str()
                    )
                });
                assert_eq!(reparsed.as_str(), edited.as_str());
                if !changed {
                    assert_eq!(edited.as_str(), text);
                }
                let _ = lint::check(&edited);
                if let (Some(got), Some(Ok(want))) = (standardized_value(&edited), oracle) {
                    assert_eq!(
                        got,
                        want,
                        "{} {pointer:?} {json:?} on {text:?} gave {:?}",
                        op as char,
                        edited.as_str()
                    );
                }
            }
        }
    }
}

/// The standardized text's value, checked against the document's nodes; `None` where
/// serde_json stops short of what HuJSON takes (nesting past 128, lone surrogates, numbers
/// beyond f64).
fn standardized_value(doc: &Document) -> Option<Value> {
    let text = doc.as_str();
    let standard = doc.standardize();
    assert_eq!(standard.len(), text.len(), "standardizing moved offsets");
    for (a, b) in text.bytes().zip(standard.bytes()) {
        // As hujson's Standardize: a byte stays, or becomes a space; tab, CR and LF always stay.
        assert!(
            a == b || (b == b' ' && !matches!(a, b'\t' | b'\r' | b'\n')),
            "standardizing made {:?} of {:?}",
            b as char,
            a as char
        );
    }
    let again = Document::parse(&standard).expect("standardized text is HuJSON");
    assert_eq!(again.standardize(), standard);
    match serde_json::from_str::<Value>(&standard) {
        Ok(value) => {
            same_value(doc.root(), &value);
            Some(value)
        }
        Err(e) => {
            let m = e.to_string();
            let limit = [
                "recursion limit",
                "surrogate",
                "hex escape",
                "unicode code point",
                "number out of range",
            ];
            assert!(
                limit.iter().any(|l| m.contains(l)),
                "standardized text is not JSON ({m}): {standard:?}"
            );
            None
        }
    }
}

/// A node reads as serde_json's value; numbers as Rust's correctly rounded parse of their
/// text, exactly where `Node::as_f64` promises it (15 significant digits, exponent within
/// ±22), else within 8 ulps (`10f64.powi` rounds at each step: 7 ulps at worst in 2 million
/// random mantissas and exponents, and in every libFuzzer run).
fn same_value(node: Node<'_>, v: &Value) {
    match (node.kind(), v) {
        (hujson::Kind::Null, Value::Null) => {}
        (hujson::Kind::Bool, Value::Bool(b)) => assert_eq!(node.as_bool(), Some(*b)),
        (hujson::Kind::String, Value::String(s)) => assert_eq!(node.as_str().as_ref(), Some(s)),
        (hujson::Kind::Number, Value::Number(_)) => {
            let raw = node.raw();
            let want: f64 = raw.parse().unwrap();
            let got = node.as_f64().unwrap();
            let ulps = (got.to_bits() as i64).abs_diff(want.to_bits() as i64);
            let exact = fast_path(raw);
            assert!(
                got == want || (!exact && ulps <= 8),
                "{raw} read as {got:e}, not {want:e}"
            );
        }
        (hujson::Kind::Array, Value::Array(items)) => {
            let nodes: Vec<Node<'_>> = node.items().collect();
            assert_eq!(nodes.len(), items.len());
            nodes
                .into_iter()
                .zip(items)
                .for_each(|(n, v)| same_value(n, v));
        }
        (hujson::Kind::Object, Value::Object(map)) => {
            let mut names: Vec<String> = node.members().map(|(k, _)| k).collect();
            names.sort();
            names.dedup();
            assert_eq!(names, map.keys().cloned().collect::<Vec<_>>());
            for (k, v) in map {
                same_value(node.get(k).expect("a member serde_json read"), v);
            }
        }
        (kind, v) => panic!("a {kind:?} node where serde_json reads {v}"),
    }
}

/// Whether a JSON number's value is `D × 10^e` with at most 15 digits in `D` and |e| ≤ 22,
/// where one correctly rounded operation gives it.
fn fast_path(raw: &str) -> bool {
    let body = raw.trim_start_matches('-');
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().unwrap_or(i64::MAX)),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let significant = digits.trim_start_matches('0');
    let trimmed = significant.trim_end_matches('0');
    // An exponent past i64 reads as i64::MAX: far from the fast path either way.
    let e = exp
        .saturating_sub(frac.len() as i64)
        .saturating_add((significant.len() - trimmed.len()) as i64);
    trimmed.is_empty() || (trimmed.len() <= 15 && e.saturating_abs() <= 22)
}

fn has_duplicates(node: Node<'_>) -> bool {
    let members: Vec<(String, Node<'_>)> = node.members().collect();
    let mut names: Vec<&String> = members.iter().map(|(k, _)| k).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    names.len() != before
        || members.iter().any(|(_, n)| has_duplicates(*n))
        || node.items().any(has_duplicates)
}

type Edit = (u8, String, String);

/// `s|a|r<pointer>\0<json>` from the bytes after the document's NUL.
fn parse_edit(spec: &[u8]) -> Option<Edit> {
    let (&op, rest) = spec.split_first()?;
    let mut parts = rest.splitn(2, |&b| b == 0);
    let pointer = text(parts.next()?)?.to_owned();
    let json = parts.next().and_then(text).unwrap_or("null").to_owned();
    Some((op, pointer, json))
}

/// Edits at the document's own paths: replace, add beside, append to, and remove each of the
/// first few values, and add a member under a missing parent.
fn default_edits(value: &Value) -> Vec<Edit> {
    let mut paths = Vec::new();
    collect_pointers(value, String::new(), &mut paths);
    let mut edits = vec![(
        b's',
        "/new/deep".to_owned(),
        "{\"k\": [1, \"two\"]}".to_owned(),
    )];
    for p in paths.into_iter().take(4) {
        edits.push((b's', p.clone(), "[true, null]".to_owned()));
        edits.push((b'a', p.clone(), "{\"a\": 1}".to_owned()));
        edits.push((b's', format!("{p}/-"), "\"x\"".to_owned()));
        edits.push((b'r', p, String::new()));
    }
    edits
}

fn collect_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match v {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    for (token, child) in children {
        let p = format!("{at}/{token}");
        out.push(p.clone());
        if out.len() < 8 {
            collect_pointers(child, p, out);
        }
    }
}

/// The edit on serde_json's value, as `Document` promises it: `None` when the pointer is
/// malformed; `Some(Err)` when the edit cannot apply.
fn apply_edit(
    value: &Value,
    op: u8,
    pointer: &str,
    new: Option<Value>,
) -> Option<Result<Value, ()>> {
    let tokens = pointer_tokens(pointer)?;
    let mut v = value.clone();
    let new = new?;
    let done = match op {
        b's' => set_at(&mut v, &tokens, new),
        b'a' => match pointer_get(&mut v, &tokens) {
            Some(Value::Array(items)) => {
                items.push(new);
                Ok(())
            }
            Some(_) => Err(()),
            None => set_at(&mut v, &tokens, Value::Array(vec![new])),
        },
        _ => match tokens.split_last() {
            None => Err(()),
            Some((last, parent)) => {
                match pointer_get(&mut v, parent) {
                    Some(Value::Object(map)) => drop(map.remove(last)),
                    Some(Value::Array(items)) => {
                        if let Some(i) = array_index(last).filter(|&i| i < items.len()) {
                            items.remove(i);
                        }
                    }
                    _ => {}
                }
                Ok(())
            }
        },
    };
    Some(done.map(|()| v))
}

fn pointer_tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    pointer
        .strip_prefix('/')?
        .split('/')
        .map(|t| {
            let bad = t
                .match_indices('~')
                .any(|(i, _)| !matches!(t.as_bytes().get(i + 1), Some(b'0' | b'1')));
            (!bad).then(|| t.replace("~1", "/").replace("~0", "~"))
        })
        .collect()
}

fn array_index(token: &str) -> Option<usize> {
    let ok = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    ok.then(|| token.parse().ok()).flatten()
}

fn pointer_get<'v>(v: &'v mut Value, tokens: &[String]) -> Option<&'v mut Value> {
    tokens.iter().try_fold(v, |v, t| match v {
        Value::Object(map) => map.get_mut(t),
        Value::Array(items) => array_index(t).and_then(|i| items.get_mut(i)),
        _ => None,
    })
}

fn set_at(v: &mut Value, tokens: &[String], new: Value) -> Result<(), ()> {
    let Some((first, rest)) = tokens.split_first() else {
        *v = new;
        return Ok(());
    };
    match v {
        Value::Object(map) => match map.get_mut(first) {
            Some(child) => set_at(child, rest, new),
            // Missing parents are made only where the step into each is a name: a `-` or
            // digits could as well mean an array.
            None if rest
                .iter()
                .any(|t| t == "-" || t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty()) =>
            {
                Err(())
            }
            None => {
                let wrapped = rest.iter().rev().fold(new, |acc, t| json!({ t: acc }));
                map.insert(first.clone(), wrapped);
                Ok(())
            }
        },
        Value::Array(items) if first == "-" && rest.is_empty() => {
            items.push(new);
            Ok(())
        }
        Value::Array(items) => match array_index(first).and_then(|i| items.get_mut(i)) {
            Some(child) => set_at(child, rest, new),
            None => Err(()),
        },
        _ => Err(()),
    }
}

// ---- tailscale/hujson's grammar, read apart from the parser -----------------------------------

/// Whether tailscale/hujson's `Parse` accepts `b`, as its source reads (parse.go): a value with
/// space and comments around it and nothing after. Space is space, tab, CR and LF; a comment is
/// `//` to the next LF, or `/*` to the next `*/`, and must end and be UTF-8. In an object or
/// array, a closing bracket may follow the opening one or a comma. A string runs to the next
/// unescaped quote and must then be a JSON string (escapes, no byte below 0x20; other bytes,
/// invalid UTF-8 included, as they are). Anything else is a run of `-+.` and ASCII letters and
/// digits that must be `true`, `false`, `null` or a JSON number. One addition, this package's
/// documented choice: at most `MAX_DEPTH` arrays and objects open at once.
pub fn hujson_grammar(b: &[u8]) -> bool {
    let mut g = Grammar { b, at: 0 };
    g.value(0) && g.space() && g.at == b.len()
}

const MAX_DEPTH: usize = 1000;

struct Grammar<'b> {
    b: &'b [u8],
    at: usize,
}

impl<'b> Grammar<'b> {
    fn rest(&self) -> &'b [u8] {
        self.b.get(self.at..).unwrap_or(&[])
    }

    /// Space and comments; false at a comment that does not end or is not UTF-8.
    fn space(&mut self) -> bool {
        loop {
            let rest = self.rest();
            let end: &[u8] = match rest {
                [b' ' | b'\t' | b'\r' | b'\n', ..] => {
                    self.at += 1;
                    continue;
                }
                [b'/', b'/', ..] => b"\n",
                [b'/', b'*', ..] => b"*/",
                _ => return true,
            };
            let Some(i) = rest[2..].windows(end.len()).position(|w| w == end) else {
                return false;
            };
            let len = 2 + i + end.len();
            if std::str::from_utf8(&rest[..len]).is_err() {
                return false;
            }
            self.at += len;
        }
    }

    fn value(&mut self, depth: usize) -> bool {
        if !self.space() {
            return false;
        }
        match self.rest().first() {
            Some(b'{' | b'[') if depth >= MAX_DEPTH => false,
            Some(b'{') => self.container(b'}', depth),
            Some(b'[') => self.container(b']', depth),
            Some(b'"') => self.string(),
            _ => self.literal(),
        }
    }

    /// An object (members `"name": value`) or array, from its opening bracket.
    fn container(&mut self, close: u8, depth: usize) -> bool {
        self.at += 1;
        loop {
            if !self.space() {
                return false;
            }
            if self.rest().first() == Some(&close) {
                self.at += 1;
                return true;
            }
            if close == b'}' {
                let named = self.rest().first() == Some(&b'"') && self.string() && self.space();
                if !named || self.rest().first() != Some(&b':') {
                    return false;
                }
                self.at += 1;
            }
            if !self.value(depth + 1) || !self.space() {
                return false;
            }
            match self.rest().first() {
                Some(b',') => self.at += 1,
                Some(&c) if c == close => {
                    self.at += 1;
                    return true;
                }
                _ => return false,
            }
        }
    }

    fn string(&mut self) -> bool {
        let body = &self.rest()[1..];
        let mut i = 0;
        while i < body.len() && body[i] != b'"' {
            i += if body[i] == b'\\' { 2 } else { 1 };
        }
        if body.get(i) != Some(&b'"') {
            return false;
        }
        let body = &body[..i];
        self.at += i + 2;
        let mut k = 0;
        while k < body.len() {
            match body[k] {
                b'\\' => match body.get(k + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => k += 2,
                    Some(b'u') => {
                        let hex = body.get(k + 2..k + 6).unwrap_or(&[]);
                        if hex.len() != 4 || !hex.iter().all(u8::is_ascii_hexdigit) {
                            return false;
                        }
                        k += 6;
                    }
                    _ => return false,
                },
                c if c < 0x20 => return false,
                _ => k += 1,
            }
        }
        true
    }

    fn literal(&mut self) -> bool {
        let rest = self.rest();
        let n = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || b"-+.".contains(c))
            .count();
        let word = &rest[..n];
        self.at += n;
        n > 0 && (matches!(word, b"true" | b"false" | b"null") || json_number(word))
    }
}

/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, all of `w`.
fn json_number(w: &[u8]) -> bool {
    let digits = |from: usize| w[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = usize::from(w.first() == Some(&b'-'));
    match digits(i) {
        0 => return false,
        n if n > 1 && w[i] == b'0' => return false,
        n => i += n,
    }
    if w.get(i) == Some(&b'.') {
        match digits(i + 1) {
            0 => return false,
            n => i += 1 + n,
        }
    }
    if matches!(w.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(w.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        match digits(i) {
            0 => return false,
            n => i += n,
        }
    }
    i == w.len()
}

// ---- posture conditions --------------------------------------------------------------------

/// A posture condition (its first line; a JSON object of attributes may follow on the next).
/// A condition that parses prints to text that parses back to it; evaluation agrees with the
/// operators' meaning for every attribute value tried (none, the object's, the condition's own
/// values, and one of each type): an unset attribute matches only `NOT SET`, `!=` and `NOT IN`
/// are the negations of `==` and `IN`, the orderings complement each other where the types
/// compare, a miss always says why, and the printed condition evaluates the same.
pub fn posture(data: &[u8]) {
    let Some(input) = text(data) else { return };
    let (line, attributes) = input.split_once('\n').unwrap_or((input, ""));
    let condition = match posture::parse(line) {
        Ok(c) => c,
        Err(e) => {
            assert!(
                e.column >= 1 && e.column <= line.chars().count() + 1,
                "{e:?} for {line:?}"
            );
            assert!(!e.message.is_empty());
            assert!(posture::evaluate_posture(&[line.to_owned()], &[]).is_err());
            // The report names the posture's error, with the column, and evaluates no device.
            let verdicts = posture::report(&[posture_def(line)], &[device_input(Vec::new())]);
            let want = ["conditions[0] does not parse at ", &e.describe()].concat();
            assert_eq!(verdicts.len(), 1);
            assert_eq!(verdicts[0].error.as_deref(), Some(want.as_str()));
            assert!(verdicts[0].devices.is_empty());
            // check() and setPosture say the same, with the same column.
            let issue = lint::condition_issues(line);
            let want = ["does not parse at ", &e.describe()].concat();
            assert_eq!(issue, Some(want), "{line:?}");
            return;
        }
    };
    let printed = condition.print();
    let again = posture::parse(&printed)
        .unwrap_or_else(|e| panic!("{line:?} printed as {printed:?}: {e:?}"));
    assert_eq!(again, condition, "{line:?} printed as {printed:?}");
    assert_eq!(again.print(), printed);
    // The local checks judge the condition, not its spelling: the canonical text fares the same.
    assert_eq!(
        lint::condition_issues(line),
        lint::condition_issues(&printed),
        "{line:?} printed as {printed:?}"
    );
    // A documented attribute that check() accepts meets only values of its type.
    if lint::condition_issues(line).is_none() {
        if let Some((kind, _)) = posture::attribute_type(&condition.attribute) {
            let values: &[AttributeValue] = match &condition.value {
                Operand::One(v) => std::slice::from_ref(v),
                Operand::List(items) => items,
                Operand::None => &[],
            };
            let boolean = kind == posture::AttributeType::Boolean;
            assert!(
                values
                    .iter()
                    .all(|v| matches!(v, AttributeValue::Boolean(_)) == boolean
                        && !matches!(v, AttributeValue::Number(_))),
                "{line:?}"
            );
        }
    }
    let mut values: Vec<AttributeValue> = vec![
        AttributeValue::String("linux".into()),
        AttributeValue::String("1.60.0".into()),
        AttributeValue::Number(2.0),
        AttributeValue::Boolean(true),
    ];
    match &condition.value {
        Operand::One(v) => values.push(v.clone()),
        Operand::List(items) => values.extend(items.iter().cloned()),
        Operand::None => {}
    }
    let from_json: Vec<(String, AttributeValue)> =
        serde_json::from_str::<serde_json::Map<String, Value>>(attributes)
            .map(|m| {
                m.into_iter()
                    .filter_map(|(k, v)| Some((k, serde_json::from_value(v).ok()?)))
                    .collect()
            })
            .unwrap_or_default();
    values.extend(
        from_json
            .iter()
            .filter(|(k, _)| *k == condition.attribute)
            .map(|(_, v)| v.clone()),
    );
    check_evaluation(&condition, None);
    for v in &values {
        check_evaluation(&condition, Some(v));
    }
    let (matches, results) =
        posture::evaluate_posture(&[line.to_owned()], &from_json).expect("it parsed");
    let have = from_json
        .iter()
        .find(|(k, _)| *k == condition.attribute)
        .map(|(_, v)| v);
    assert_eq!(matches, posture::evaluate(&condition, have).matches);
    assert_eq!(results.len(), 1);
    let verdicts = posture::report(&[posture_def(line)], &[device_input(from_json)]);
    assert_eq!(verdicts.len(), 1);
    assert_eq!(verdicts[0].error, None);
    assert_eq!(verdicts[0].devices.len(), 1);
    assert!(verdicts[0].devices.iter().all(|d| d.matches == matches));
}

fn posture_def(condition: &str) -> posture::PostureDef {
    posture::PostureDef {
        name: "posture:fuzz".into(),
        conditions: vec![condition.to_owned()],
    }
}

fn device_input(attributes: Vec<(String, AttributeValue)>) -> posture::DeviceInput {
    posture::DeviceInput {
        node_id: "n1".into(),
        name: "n1.example.ts.net".into(),
        attributes,
    }
}

fn check_evaluation(condition: &Condition, value: Option<&AttributeValue>) {
    let outcome = posture::evaluate(condition, value);
    assert_eq!(outcome.matches, outcome.reason.is_none(), "{outcome:?}");
    assert!(outcome.reason.as_ref().is_none_or(|r| !r.is_empty()));
    // Every value of a set attribute shows in the reason, an empty string as '' (never
    // "is , not < ").
    let empty = AttributeValue::String(String::new());
    if value == Some(&empty) || (value.is_some() && condition.value == Operand::One(empty)) {
        assert!(
            outcome.reason.as_ref().is_none_or(|r| r.contains("''")),
            "{outcome:?}"
        );
    }
    let with = |operator| {
        posture::evaluate(
            &Condition {
                operator,
                ..condition.clone()
            },
            value,
        )
        .matches
    };
    let op = condition.operator;
    let Some(have) = value else {
        assert_eq!(
            outcome.matches,
            op == Operator::NotSet,
            "unset {}",
            condition.print()
        );
        return;
    };
    let pairs = [
        (Operator::Eq, Operator::Ne),
        (Operator::In, Operator::NotIn),
        (Operator::IsSet, Operator::NotSet),
    ];
    for (a, b) in pairs {
        if op == a || op == b {
            assert_ne!(
                with(a),
                with(b),
                "{} and its negation on {have:?}",
                condition.print()
            );
        }
    }
    if let Operand::One(want) = &condition.value {
        let comparable = match (have, want) {
            (AttributeValue::Number(a), AttributeValue::Number(b)) => a.partial_cmp(b).is_some(),
            (AttributeValue::String(a), AttributeValue::String(b)) => {
                assert_eq!(posture::cmpver(a, b), posture::cmpver(b, a).reverse());
                true
            }
            _ => false,
        };
        if matches!(
            op,
            Operator::Lt | Operator::Le | Operator::Gt | Operator::Ge
        ) {
            let order = [Operator::Lt, Operator::Le, Operator::Gt, Operator::Ge].map(with);
            match comparable {
                true => assert!(order[0] != order[3] && order[1] != order[2], "{order:?}"),
                false => assert_eq!(order, [false; 4]),
            }
        }
        if op == Operator::Eq {
            let same = match (have, want) {
                (AttributeValue::String(a), AttributeValue::String(b)) => a == b,
                (AttributeValue::Number(a), AttributeValue::Number(b)) => a == b,
                (AttributeValue::Boolean(a), AttributeValue::Boolean(b)) => a == b,
                _ => false,
            };
            assert_eq!(outcome.matches, same);
        }
    }
}

// ---- the access engine ---------------------------------------------------------------------

/// Words of `text` that look like `prefix...` (tags, logins), at most `max`, for an inventory
/// that the policy can name.
fn words_like(text: &str, prefix: &str, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split(|c: char| c == '"' || c == ',' || c.is_whitespace()) {
        let part = part.trim_end_matches(|c: char| c == ':' || c.is_ascii_digit());
        let fits = part.len() > prefix.len() && part.len() < 40;
        if fits && part.starts_with(prefix) && !out.iter().any(|w| w == part) {
            out.push(part.to_owned());
        }
        if out.len() == max {
            break;
        }
    }
    out
}

/// A policy text (the whole input) over a small tailnet drawn from it: the tags and logins it
/// names, a subnet router, an exit node, a shared-in device, attributes for some devices. The
/// model builds without a panic; every query answers one of the three verdicts, `accept`
/// exactly when some rule is listed, the rules sorted and once each; `whoCanReach` agrees with
/// `reach` device by device; `diff` of a model with itself is empty.
pub fn access(data: &[u8]) {
    let Some(policy) = text(data) else { return };
    let tags = words_like(policy, "tag:", 3);
    let mut logins: Vec<String> = words_like(policy, "", 40)
        .into_iter()
        .filter(|w| w.contains('@') && !w.contains(':'))
        .take(2)
        .collect();
    logins.push("fuzz@example.com".into());
    let seed = data
        .iter()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(*b)));
    let mut devices = Vec::new();
    for i in 0..6u32 {
        let mut d = json!({
            "nodeId": format!("d{i}"),
            "addresses": [format!("100.64.0.{}", i + 1), format!("fd7a:115c:a1e0::{}", i + 1)],
            "user": logins[(i as usize + seed as usize) % logins.len()],
        });
        if i % 2 == 1 {
            if let Some(t) = tags.get((i as usize / 2 + seed as usize) % tags.len().max(1)) {
                d["tags"] = json!([t]);
            }
        }
        match i {
            3 => {
                d["enabledRoutes"] = json!(["10.0.0.0/24"]);
                d["advertisedRoutes"] = json!(["10.0.0.0/24", "10.1.0.0/24"]);
            }
            4 => d["enabledRoutes"] = json!(["0.0.0.0/0", "::/0"]),
            5 => d["isExternal"] = json!(true),
            _ => {}
        }
        devices.push(d);
    }
    let devices = Value::Array(devices);
    let users: Value = logins
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let role = ["admin", "member", "owner"][i % 3];
            json!({"loginName": l, "role": role, "type": "member"})
        })
        .collect();
    let attributes = json!({"d0": {"custom:tier": "gold", "node:os": "linux"}, "d1": {}, "d3": {"node:tsVersion": "1.60.0"}});
    let model = AccessModel::build(policy, &&devices, Some(&&users), Some(&&attributes))
        .expect("the inventory is well formed");
    let _ = (model.issues(), model.warnings());
    let dsts = [
        "d0",
        "d1",
        "d2",
        "d3",
        "d4",
        "d5",
        "10.0.0.9",
        "10.1.0.9",
        "8.8.8.8",
        "2001:db8::1",
        "100.64.0.99",
    ];
    for (proto, port) in [
        ("tcp", Some(22)),
        ("udp", Some(53)),
        ("icmp", None),
        ("47", None),
        ("tcp", Some(0)),
    ] {
        for dst in dsts {
            let mut q = json!({"dst": dst, "proto": proto});
            if let Some(p) = port {
                q["port"] = json!(p);
            }
            // Refused only for a text that does not parse, which the model's issues say.
            let who = match model.who_can_reach(&Query::parse(&q, QueryKind::WhoCanReach).unwrap())
            {
                Ok(who) => who,
                Err(refused) => {
                    assert!(
                        refused.len() == 1 && !model.issues().is_empty(),
                        "{refused:?}"
                    );
                    Vec::new()
                }
            };
            for src in [
                "d0",
                "d1",
                "d2",
                "d3",
                "d4",
                "d5",
                "10.0.0.7",
                "203.0.113.1",
            ] {
                q["src"] = json!(src);
                let v = model
                    .reach(&Query::parse(&q, QueryKind::Reach).unwrap())
                    .unwrap();
                assert!(
                    matches!(
                        v.verdict,
                        Outcome::Accept | Outcome::Drop | Outcome::Indeterminate
                    ),
                    "{v:?}"
                );
                assert_eq!(v.verdict == Outcome::Accept, !v.rules.is_empty(), "{v:?}");
                assert!(v.rules.windows(2).all(|w| w[0] < w[1]), "{v:?}");
                if v.verdict == Outcome::Indeterminate {
                    assert!(v.reason.as_deref().is_some_and(|r| !r.is_empty()), "{v:?}");
                }
                if let Some(r) = who.iter().find(|r| r.device.node_id == src) {
                    // A device listed by whoCanReach gets the same answer from reach, whole
                    // (both merge the families, and write an unknown's reason alike).
                    if dst.starts_with('d') {
                        assert_eq!(r.answer, v, "{src} -> {dst} {q}");
                    }
                }
            }
        }
    }
    let _ = model.run_tests::<&Value>(None);
    match AccessModel::diff(&model, &model) {
        Ok(changes) => assert!(changes.is_empty(), "diff of a model with itself"),
        // Refused only for a text that does not parse, which the model's issues say.
        Err(refused) => assert!(
            refused.len() == 2 && !model.issues().is_empty(),
            "{refused:?}"
        ),
    }
    let open = AccessModel::build("{}", &&devices, None, None).expect("well formed");
    let _ = AccessModel::diff(&model, &open);
}
