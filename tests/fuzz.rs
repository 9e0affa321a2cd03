//! Fuzz targets for the core. The property for each: no input panics, and every input gets a
//! verdict. Each target runs for `FUZZ_SECONDS` (2 in `make test`, 600 in `make fuzz`) and, in a timed run,
//! writes its figures to `target/fuzz-figures/`; inputs that once failed are replayed first
//! from `tests/fuzz-regressions/`.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};
use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};
use tailscale_wasm::auth::{check_id_token, decode_token, jwt_exp};
use tailscale_wasm::http::{
    self, check_response_bytes as check_response, encode_segment, parse_retry_after, retry_delay,
    Failure, Method, ResponseHead,
};
use tailscale_wasm::keys::{self, CreateAuthKey, FederatedIdentitySpec, OAuthClientSpec};
use tailscale_wasm::oauth_apps::{self, OAuthAppSpec};
use tailscale_wasm::{config, date, devices, encoding, provisioning, validate};

fn budget() -> Duration {
    let secs = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    Duration::from_secs_f64(secs)
}

/// Replays the target's regression inputs, then feeds it generated inputs until the budget
/// runs out. A panic fails the test and prints the input.
fn fuzz<S>(name: &str, strategy: S, replay: &dyn Fn(&str), check: impl Fn(&S::Value))
where
    S: Strategy,
    S::Value: Debug,
{
    let regressions = format!(
        "{}/tests/fuzz-regressions/{name}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut replayed = 0;
    if let Ok(text) = std::fs::read_to_string(&regressions) {
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            replay(line);
            replayed += 1;
        }
    }
    let mut runner = TestRunner::new(Config {
        failure_persistence: None,
        ..Config::default()
    });
    let started = Instant::now();
    let mut executions: u64 = 0;
    while started.elapsed() < budget() {
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let input = tree.current();
        if catch_unwind(AssertUnwindSafe(|| check(&input))).is_err() {
            panic!("fuzz target {name} panicked on input: {input:?}");
        }
        executions += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    // Only a timed run (`make fuzz` sets FUZZ_SECONDS) records figures, so the smoke pass in
    // `make test` never overwrites them.
    if std::env::var("FUZZ_SECONDS").is_ok() {
        let line = format!("{name}\t{executions}\t{secs:.0}\t0\t{replayed}");
        let dir = format!("{}/target/fuzz-figures", env!("CARGO_MANIFEST_DIR"));
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(format!("{dir}/{name}.tsv"), line + "\n");
    }
    println!("fuzz {name}: {executions} executions in {secs:.0} s, 0 panics, {replayed} regression inputs");
}

// ---- generators --------------------------------------------------------------------------

/// Strings biased towards what the rules look at, plus anything at all.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".*",
        "tag:[A-Za-z0-9:_-]{0,10}",
        "custom:[A-Za-z0-9:_ -]{0,12}",
        "[a-z_]{0,6}(:[a-z_:]{0,6}){0,3}",
        "(https?|ftp|myapp)://(\\[[0-9a-f:]{0,8}\\]|[a-z0-9.]{0,10}|[0-9.]{0,15})(:[0-9]{0,5})?(/[a-z?#]{0,4})?",
        "[A-Za-z0-9 ._-]{0,60}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,4})?([Zz]|[+-][0-9]{2}:?[0-9]{2})?",
        Just(String::new()),
        Just("..".to_string()),
    ]
}

const FIELDS: [&str; 30] = [
    "fields",
    "filter",
    "value",
    "expiry",
    "comment",
    "nodes",
    "deviceId",
    "key",
    "reusable",
    "ephemeral",
    "preauthorized",
    "tags",
    "expirySeconds",
    "description",
    "scopes",
    "issuer",
    "subject",
    "audience",
    "customClaimRules",
    "name",
    "redirectURIs",
    "allowedNodeAttributes",
    "apiKey",
    "oauth",
    "federated",
    "clientId",
    "clientSecret",
    "idToken",
    "baseUrl",
    "timeoutMs",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        (0i64..10_000_000).prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(FIELDS.to_vec()).prop_map(str::to_owned),
                        ".{0,8}"
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Bytes: random, or JSON (often shaped like an API answer) with a few random edits.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let shaped = json_value().prop_map(|v| match v {
        Value::Object(_) => v,
        other => json!({ "keys": [other.clone()], "oauthApps": [other.clone()], "devices": [other.clone()], "attributes": { "custom:a": other.clone() }, "id": other, "message": "m" }),
    });
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        (
            shaped,
            prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..4)
        )
            .prop_map(|(v, edits)| {
                let mut bytes = serde_json::to_vec(&v).unwrap_or_default();
                for (at, byte, op) in edits {
                    if bytes.is_empty() {
                        break;
                    }
                    let i = at.index(bytes.len());
                    match op {
                        0 => bytes[i] = byte,
                        1 => bytes.insert(i, byte),
                        _ => bytes.truncate(i),
                    }
                }
                bytes
            }),
    ]
}

fn retry_after() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,30}",
        " *-?[0-9]{1,6}(\\.[0-9]{0,3})? *",
        "(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Xyz)(, )?[0-9]{0,3} (Jan|Feb|Mar|Jul|Dec|Foo) [0-9]{0,6} [0-9]{0,3}:[0-9]{0,3}:[0-9]{0,3} (GMT|UTC|)",
        http_date(),
        any::<u32>().prop_map(|secs| httpdate::fmt_http_date(
            std::time::UNIX_EPOCH + Duration::from_secs(u64::from(secs) * 3)
        )),
        ".*",
    ]
}

/// The three HTTP-date formats with fields in and just out of range, and weekdays that match
/// one time in seven.
fn http_date() -> impl Strategy<Value = String> {
    const DAY: [&str; 8] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Xyz"];
    const LONG: [&str; 8] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Funday",
    ];
    const MON: [&str; 13] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo",
    ];
    let fields = (
        0..8usize,
        0..13usize,
        0u32..33,
        1960u32..10010,
        0u32..25,
        0u32..61,
    );
    (0..3u8, fields).prop_map(|(format, (d, m, day, year, h, ms))| {
        let (wd, long, mon) = (DAY[d], LONG[d], MON[m]);
        match format {
            0 => format!("{wd}, {day:02} {mon} {year:04} {h:02}:{ms:02}:{ms:02} GMT"),
            1 => format!(
                "{long}, {day:02}-{mon}-{:02} {h:02}:{ms:02}:{ms:02} GMT",
                year % 100
            ),
            _ => format!("{wd} {mon} {day:>2} {h:02}:{ms:02}:{ms:02} {year:04}"),
        }
    })
}

fn jwt() -> impl Strategy<Value = String> {
    use base64::Engine;
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    prop_oneof![
        ".*",
        prop::collection::vec("[A-Za-z0-9_=+/-]{0,12}", 0..6).prop_map(|p| p.join(".")),
        (
            json_value(),
            prop_oneof![
                any::<f64>().prop_map(|f| json!(f)),
                any::<i64>().prop_map(Value::from),
                text().prop_map(Value::String)
            ]
        )
            .prop_map(move |(claims, exp)| {
                let mut claims = if claims.is_object() {
                    claims
                } else {
                    json!({ "sub": claims })
                };
                claims["exp"] = exp;
                format!(
                    "{}.{}.sig",
                    b64(b"{\"alg\":\"none\"}"),
                    b64(&serde_json::to_vec(&claims).unwrap_or_default())
                )
            }),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(move |b| format!("h.{}.s", b64(&b))),
    ]
}

// ---- targets ------------------------------------------------------------------------------

fn check_validators(v: &Value) {
    type Parse = fn(&Value) -> Result<(), Vec<tailscale_wasm::error::Issue>>;
    let parsers: [Parse; 4] = [
        |v| CreateAuthKey::parse(v).map(drop),
        |v| OAuthClientSpec::parse(v).map(drop),
        |v| FederatedIdentitySpec::parse(v).map(drop),
        |v| OAuthAppSpec::parse(v).map(drop),
    ];
    for parse in parsers {
        let first = parse(v);
        // A verdict: valid, or at least one issue; and the same verdict every time.
        assert!(first.as_ref().err().is_none_or(|issues| !issues.is_empty()));
        assert_eq!(first, parse(v));
    }
    // A valid request always becomes a request whose body is JSON of known fields only.
    type Build =
        for<'v> fn(&str, &'v Value) -> Result<http::HttpRequest, tailscale_wasm::error::Error>;
    let builders: [Build; 4] = [
        |t, v| keys::create_auth_key(t, v),
        |t, v| keys::create_oauth_client(t, v),
        |t, v| keys::create_federated_identity(t, v),
        |t, v| oauth_apps::create(t, v),
    ];
    for build in builders {
        if let Ok(req) = build("-", v) {
            let body: Value =
                serde_json::from_str(req.body.as_deref().unwrap_or("")).expect("body is JSON");
            assert!(body.is_object());
        }
    }
    let _ = keys::set_oauth_client("-", v, v);
    let _ = keys::list("-", v);
    // Devices: ids, keys and options from the same value; a built request stays on its path.
    let device_builds = [
        devices::list("-", v),
        devices::get(v, v),
        devices::get_attributes(v),
        devices::set_attribute(v, v, v),
        devices::delete_attribute(v, v),
        devices::update_attributes("-", v),
    ];
    for req in device_builds.into_iter().flatten() {
        assert!(
            req.path.starts_with("/api/v2/device/") || req.path.starts_with("/api/v2/tailnet/-/")
        );
        assert!(!req.path.contains(['?', '#']) && !req.path.contains("/../"));
        if let Some(body) = &req.body {
            assert!(serde_json::from_str::<Value>(body)
                .expect("body is JSON")
                .is_object());
        }
    }
    let issues = devices::validate_set_attribute(v);
    assert_eq!(
        issues.is_empty(),
        devices::validate_set_attribute(v).is_empty()
    );
    let _ = config::parse(v, false);
    let _ = config::parse(v, true);
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
        ] {
            let _ = rule(s);
        }
    }
}

#[test]
fn fuzz_validators() {
    let replay = |line: &str| {
        check_validators(&serde_json::from_str(line).unwrap_or(Value::String(line.into())))
    };
    fuzz("validators", json_value(), &replay, check_validators);
}

fn check_decoders(bytes: &[u8], status: u16) {
    let _ = keys::decode_key(bytes);
    let _ = keys::decode_key_list(bytes);
    let _ = oauth_apps::decode_app(bytes);
    let _ = oauth_apps::decode_app_list(bytes);
    let _ = devices::decode_device(bytes);
    let _ = devices::decode_device_list(bytes);
    let _ = devices::decode_attributes(bytes);
    let _ = decode_token(bytes);
    let list = keys::list("-", &json!({})).expect("list request");
    let del = keys::delete("-", &json!("k")).expect("delete request");
    let devices_list = devices::list("-", &json!({})).expect("device list request");
    let attributes = devices::get_attributes(&json!("n")).expect("attributes request");
    let accepted = |req| check_response(req, ResponseHead::status(status), bytes, 0).is_ok();
    if (200..300).contains(&status) && accepted(&devices_list) {
        assert!(
            devices::decode_device_list(bytes).is_ok(),
            "accepted bytes must decode"
        );
    }
    if (200..300).contains(&status) && accepted(&attributes) {
        assert!(
            devices::decode_attributes(bytes).is_ok(),
            "accepted bytes must decode"
        );
    }
    for req in [&list, &del] {
        for retry_after in [None, std::str::from_utf8(bytes).ok()] {
            let verdict = check_response(
                req,
                ResponseHead {
                    status,
                    retry_after,
                    location: None,
                },
                bytes,
                1_784_000_000_000,
            );
            if (200..300).contains(&status) && verdict.is_ok() && req.method == Method::Get {
                assert!(
                    keys::decode_key_list(bytes).is_ok(),
                    "accepted bytes must decode"
                );
            }
        }
    }
}

#[test]
fn fuzz_decoders() {
    let replay = |line: &str| check_decoders(line.as_bytes(), 200);
    let statuses = prop_oneof![
        Just(200u16),
        Just(204),
        Just(400),
        Just(429),
        Just(503),
        any::<u16>()
    ];
    fuzz(
        "decoders",
        (body(), statuses),
        &replay,
        |(bytes, status)| check_decoders(bytes, *status),
    );
}

fn check_retry_after(value: &str, now: u64) {
    let parsed = parse_retry_after(value, now);
    let oracle = httpdate::parse_http_date(value).ok().map(|t| {
        let ms = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
        u64::try_from(ms).unwrap()
    });
    assert_eq!(
        date::parse_http_date_ms(value),
        oracle,
        "HTTP date {value:?}"
    );
    let trimmed = value.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        assert!(parsed.is_some(), "delay-seconds always parse");
    }
    for method in [Method::Get, Method::Post] {
        let failure = Failure::Status {
            status: 429,
            retry_after_ms: parsed,
        };
        let delay = retry_delay(
            method,
            failure,
            (now % 5) as u32,
            3,
            (now % 1000) as f64 / 1000.0,
        );
        assert!(delay.is_none_or(|d| d <= http::MAX_RETRY_DELAY_MS));
    }
}

#[test]
fn fuzz_retry_after() {
    let replay = |line: &str| check_retry_after(line, 1_784_000_000_000);
    let now = prop_oneof![Just(1_784_000_000_000u64), any::<u64>()];
    fuzz("retry_after", (retry_after(), now), &replay, |(v, now)| {
        check_retry_after(v, *now)
    });
}

#[test]
fn fuzz_jwt_exp() {
    let check = |token: &str, now: u64| {
        use base64::Engine;
        for part in token.split('.') {
            let oracle = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .ok();
            assert_eq!(
                encoding::base64url_decode(part),
                oracle,
                "base64url {part:?}"
            );
        }
        let _ = jwt_exp(token);
        let _ = check_id_token(token, now);
    };
    let replay = |line: &str| check(line, 1_784_000_000_000);
    fuzz("jwt_exp", (jwt(), any::<u64>()), &replay, |(t, now)| {
        check(t, *now)
    });
}

fn check_segment(s: &str) {
    let encoded = encode_segment(s);
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                assert!(
                    bytes
                        .get(i + 1..i + 3)
                        .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
                    "bad escape in {encoded}"
                );
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => i += 1,
            b => panic!("unescaped {b:#x} in {encoded}"),
        }
    }
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
    assert_eq!(encoded, utf8_percent_encode(s, SEGMENT).to_string());
    assert_eq!(
        http::form_body(&[("k", s)]),
        format!("k={}", utf8_percent_encode(s, FORM))
    );
    let decoded = percent_encoding::percent_decode_str(&encoded)
        .decode_utf8()
        .expect("utf-8");
    assert_eq!(decoded, s);
}

#[test]
fn fuzz_percent_encoder() {
    fuzz(
        "percent_encoder",
        prop_oneof![".*", "\\PC*", "[/%?#. ]{0,10}"],
        &check_segment,
        |s: &String| check_segment(s),
    );
}

/// URL-like strings: callbacks with queries that have escapes, `+`, fragments, tabs and
/// newlines, bare paths, and anything at all.
fn callback_url() -> impl Strategy<Value = String> {
    let query = "[a-zA-Z0-9=&%+_.~ #?/\"'<>\\\\-]{0,24}(%[0-9A-Fa-fzZ]{0,2}){0,3}[a-z=&+]{0,6}";
    let regex = |p: String| proptest::string::string_regex(&p).expect("a valid pattern");
    prop_oneof![
        regex(".*".into()),
        regex("\\PC{0,16}\\?\\PC{0,24}".into()),
        regex(format!("[ \t]{{0,2}}(https?|myapp|file)://[a-z0-9.:\\[\\]@]{{0,12}}(/[a-z%/\t\n]{{0,6}})?\\?{query}")),
        regex(format!("(https?|myapp):[a-z/]{{0,6}}\\?{query}")),
        regex(format!("/cb\\?{query}")),
    ]
}

fn check_callback(url: &str, state: &str) {
    let verdict = provisioning::parse_callback(url, state);
    let pairs = provisioning::query_pairs(url);
    if let Ok(code) = &verdict {
        assert!(pairs.iter().any(|(k, v)| k == "code" && v == code));
    }
    // Wherever the WHATWG parser reads the URL, it reads the same query.
    if let Ok(parsed) = url::Url::parse(url) {
        let oracle: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(pairs, oracle, "query of {url:?}");
    }
}

#[test]
fn fuzz_callback() {
    let replay = |line: &str| check_callback(line, "s");
    let state = prop_oneof![Just("s".to_string()), "[a-zA-Z0-9_-]{0,43}"];
    fuzz(
        "callback",
        (callback_url(), state),
        &replay,
        |(url, state)| check_callback(url, state),
    );
}
