//! Property tests: structured random inputs (proptest) run through the fuzz targets of
//! `crates/fuzz-targets`. A generator builds by construction what coverage-guided fuzzing reaches
//! only slowly: HTTP dates in all three formats with weekdays that match one time in seven, JWTs
//! whose payload is JSON with an `exp`, API-shaped JSON with random edits. Each property runs a
//! fixed number of cases in `cargo test`; this is not fuzzing (`make fuzz` is, with libFuzzer).

use tailscale_fuzz_targets as fuzz_targets;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::time::Duration;

// ---- generators ----------------------------------------------------------------------------

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

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn retry_after_values(value in retry_after()) {
        fuzz_targets::retry_after(value.as_bytes());
    }

    #[test]
    fn rfc3339_date_times(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,4})?([Zz]|[+-][0-9]{2}:?[0-9]{2})?") {
        fuzz_targets::rfc3339(s.as_bytes());
    }

    #[test]
    fn path_segments(s in prop_oneof![".*", "\\PC*", "[/%?#. ]{0,10}"]) {
        fuzz_targets::percent_encoder(s.as_bytes());
    }

    #[test]
    fn base64url_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        fuzz_targets::base64url(&bytes);
    }

    #[test]
    fn jwts(token in jwt()) {
        fuzz_targets::jwt_exp(token.as_bytes());
    }

    #[test]
    fn callback_urls(url in callback_url()) {
        fuzz_targets::callback(url.as_bytes());
    }

    #[test]
    fn response_bodies(bytes in body(), status in prop_oneof![Just(200u16), Just(204), Just(400), Just(429), Just(503), 100u16..1000]) {
        let mut data = format!("{status:03}\n").into_bytes();
        data.extend(bytes);
        fuzz_targets::decoders(&data);
    }

    #[test]
    fn validator_inputs(v in json_value()) {
        fuzz_targets::validators(&serde_json::to_vec(&v).unwrap());
    }
}

/// Pieces of HuJSON text: tokens, space, comments (some unended), numbers good and bad, invalid
/// UTF-8 in and out of strings.
const PIECES: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"a\"",
    b"\"\\u00e9\\n\"",
    b"\"",
    b"\\",
    b"1",
    b"-0.5e3",
    b"01",
    b"1.",
    b"e",
    b"+",
    b"true",
    b"nul",
    b" ",
    b"\n",
    b"\r",
    b"\t",
    b"// c\n",
    b"// c\r",
    b"//",
    b"/* c */",
    b"/*",
    b"/",
    b"\"\xff\"",
    b"\xff",
    b"/*\xe9*/",
    b"\"\x01\"",
    b"\xef\xbb\xbf",
];

/// Space and comments between tokens, as HuJSON allows (some of them invalid: a lone CR ending
/// a line comment, invalid UTF-8 in one).
fn gap() -> impl Strategy<Value = Vec<u8>> {
    const GAPS: &[&[u8]] = &[
        b"",
        b" ",
        b"\t",
        b"\n",
        b"\r\n",
        b"// c\n",
        b"// \t\xc3\xa9\n",
        b"/* c\n */",
        b"/**/",
        b"// c\r",
    ];
    prop::collection::vec(prop::sample::select(GAPS), 0..3).prop_map(|p| p.concat())
}

/// A HuJSON value with gaps, from scalars (some not JSON) up to nested containers.
fn hujson_value() -> impl Strategy<Value = Vec<u8>> {
    const SCALARS: &[&[u8]] = &[
        b"1",
        b"-0.5e3",
        b"0",
        b"1E+2",
        b"01",
        b"1.",
        b"true",
        b"null",
        b"nul",
        b"\"a\"",
        b"\"\\u00e9\\n\"",
        b"\"\xff\"",
        b"\"\x01\"",
        b"\"\\x\"",
        b"''",
    ];
    let scalar = prop::sample::select(SCALARS).prop_map(<[u8]>::to_vec);
    scalar.prop_recursive(4, 32, 6, |inner| {
        let item = move || (gap(), inner.clone(), gap(), any::<bool>());
        prop_oneof![
            (prop::collection::vec(item(), 0..5), gap(), any::<bool>()).prop_map(
                |(items, end, trailing)| {
                    let mut out = b"[".to_vec();
                    let n = items.len();
                    for (i, (before, v, after, _)) in items.into_iter().enumerate() {
                        out.extend([before, v, after].concat());
                        if i + 1 < n || trailing {
                            out.push(b',');
                        }
                    }
                    out.extend(end);
                    out.push(b']');
                    out
                }
            ),
            (
                prop::collection::vec((gap(), "[a-z~/]{0,3}", gap(), item()), 0..4),
                gap()
            )
                .prop_map(|(members, end)| {
                    let mut out = b"{".to_vec();
                    let n = members.len();
                    for (i, (g1, name, g2, (g3, v, g4, trailing))) in
                        members.into_iter().enumerate()
                    {
                        out.extend(
                            [
                                g1,
                                format!("\"{name}\"").into_bytes(),
                                g2,
                                b":".to_vec(),
                                g3,
                                v,
                                g4,
                            ]
                            .concat(),
                        );
                        if i + 1 < n || trailing {
                            out.push(b',');
                        }
                    }
                    out.extend(end);
                    out.push(b'}');
                    out
                }),
        ]
    })
}

/// HuJSON-shaped bytes: a value with gaps around it, now and then with one piece put in.
fn hujson_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        gap(),
        hujson_value(),
        gap(),
        any::<prop::sample::Index>(),
        prop::option::weighted(0.3, prop::sample::select(PIECES)),
    )
        .prop_map(|(before, v, after, at, piece)| {
            let mut out = [before, v, after].concat();
            if let Some(p) = piece {
                let i = at.index(out.len() + 1);
                out.splice(i..i, p.iter().copied());
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    /// The parser accepts exactly what tailscale/hujson's grammar does (the target asserts it).
    #[test]
    fn hujson_parser_and_grammar_agree(bytes in hujson_bytes()) {
        fuzz_targets::hujson(&bytes);
    }
}

/// The grammar the hujson target holds the parser to, against tailscale/hujson's own verdicts
/// (../shared/conformance/hujson, when present).
#[test]
fn hujson_grammar_agrees_with_tailscale_hujson() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/hujson");
    if !dir.is_dir() {
        eprintln!("SKIPPED: ../shared/conformance/hujson is not present");
        return;
    }
    let hex = |v: &Value| -> Vec<u8> {
        let h = v["hex"].as_str().unwrap().as_bytes();
        h.chunks(2)
            .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
            .collect()
    };
    let mut n = 0;
    for name in [
        "hujson-parse.json",
        "hujson-format.json",
        "hujson-format-errors.json",
        "hujson-patch.json",
    ] {
        let file: Value = serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap();
        for v in file["vectors"].as_array().unwrap() {
            let accepts = v.get("go_accepts").is_none_or(|a| a.as_bool().unwrap());
            assert_eq!(
                fuzz_targets::hujson_grammar(&hex(&v["in"])),
                accepts,
                "{}",
                v["id"]
            );
            fuzz_targets::hujson(&hex(&v["in"]));
            n += 1;
        }
    }
    assert!(n > 100);
}
