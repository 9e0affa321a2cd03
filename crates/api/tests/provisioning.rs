//! Device provisioning through an OAuth app: the options, the consent URL, the callback and the
//! code exchange.

use serde_json::{json, Value};
use tailscale_api::auth::TokenResponse;
use tailscale_api::provisioning::{
    self, authorization_url, exchange_request, parse_callback, query_pairs, same_secret, Grant,
    Settings, DEFAULT_LOGIN_URL, DEFAULT_SCOPE,
};
use tailscale_wire::encoding::base64url_encode;
use tailscale_wire::error::Error;
use tailscale_wire::http::{retry_delay, Failure, Idempotent};
use tailscale_wire::method::Method;

fn options(extra: Value) -> Value {
    let mut base = json!({
        "clientId": "a123CNTRL",
        "clientSecret": "tskey-app-a123CNTRL-s3cr3t",
        "redirectUri": "https://provisioner.example.com/callback",
    });
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

fn settings(extra: Value) -> Settings {
    provisioning::parse(&options(extra)).unwrap().1
}

fn issues(v: Value) -> Vec<String> {
    provisioning::parse(&v)
        .unwrap_err()
        .into_iter()
        .map(|i| format!("{}: {}", i.field, i.message))
        .collect()
}

fn fields(v: Value) -> Vec<String> {
    issues(v)
        .into_iter()
        .map(|i| i.split(": ").next().unwrap().to_owned())
        .collect()
}

#[test]
fn options_have_defaults_and_are_checked_all_at_once() {
    let (config, s) = provisioning::parse(&options(json!({}))).unwrap();
    assert_eq!(s.scopes, [DEFAULT_SCOPE]);
    assert_eq!(s.login_url, DEFAULT_LOGIN_URL);
    assert_eq!(config.base_url, "https://api.tailscale.com");
    assert_eq!((config.timeout_ms, config.max_retries), (30_000, 2));
    assert_eq!(
        fields(json!({
            "clientId": "", "redirectUri": "http://example.com/cb", "scopes": ["Bad Scope"],
            "loginUrl": "http://login.example.com", "baseUrl": "https://u:p@api.example.com",
            "timeoutMs": 0, "maxRetries": 11, "state": "x"
        })),
        [
            "clientSecret",
            "scopes[0]",
            "clientId",
            "redirectUri",
            "baseUrl",
            "timeoutMs",
            "maxRetries",
            "loginUrl",
            "state"
        ]
    );
    assert_eq!(
        fields(
            json!({ "clientId": "c", "clientSecret": "s", "redirectUri": "https://a/cb", "scopes": [] })
        ),
        ["scopes"]
    );
    // http is for loopback, or with allowInsecureHttp.
    let local = settings(
        json!({ "loginUrl": "http://127.0.0.1:8787/", "baseUrl": "http://localhost:8787" }),
    );
    assert_eq!(local.login_url, "http://127.0.0.1:8787");
    assert!(provisioning::parse(&options(
        json!({ "loginUrl": "http://login.corp", "allowInsecureHttp": true })
    ))
    .is_ok());
}

#[test]
fn the_secret_is_never_quoted() {
    for secret in ["", "has space"] {
        let found = issues(options(json!({ "clientSecret": secret, "clientId": 5 })));
        assert!(found.iter().all(|i| !i.contains("has space")), "{found:?}");
    }
    let s = settings(json!({}));
    assert!(!format!("{s:?}").contains("s3cr3t"));
}

#[test]
fn the_consent_url_carries_exactly_the_documented_parameters() {
    let s = settings(json!({ "scopes": ["auth_keys:create:once", "devices:core:read"] }));
    assert_eq!(
        authorization_url(&s, "st/ate+1"),
        "https://login.tailscale.com/a/oauth_authorize?client_id=a123CNTRL&redirect_uri=https%3A%2F%2Fprovisioner.example.com%2Fcallback&response_type=code&scope=auth_keys%3Acreate%3Aonce%20devices%3Acore%3Aread&state=st%2Fate%2B1"
    );
    let url = authorization_url(&s, "xyz");
    let parsed = url::Url::parse(&url).unwrap();
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "client_id",
            "redirect_uri",
            "response_type",
            "scope",
            "state"
        ]
    );
    assert_eq!(pairs[3].1, "auth_keys:create:once devices:core:read");
    assert!(provisioning::state_option(&json!({ "state": "" })).is_err());
    assert!(provisioning::state_option(&json!({ "nonce": "x" })).is_err());
    assert_eq!(
        provisioning::state_option(&json!({ "state": "mine" }))
            .unwrap()
            .as_deref(),
        Some("mine")
    );
}

#[test]
fn random_states_are_base64url() {
    use base64::Engine;
    for len in 0..40 {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
        assert_eq!(
            base64url_encode(&bytes),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes)
        );
    }
    assert_eq!(base64url_encode(&[0xff; 32]).len(), 43);
}

fn callback_fields(url: &str, state: &str) -> Vec<String> {
    match parse_callback(url, state) {
        Err(Error::Validation(issues)) => issues.into_iter().map(|i| i.field).collect(),
        other => panic!("{url}: {other:?}"),
    }
}

#[test]
fn callbacks_are_checked_against_the_state() {
    let ok = "https://provisioner.example.com/callback?code=c0de&state=s1";
    assert_eq!(parse_callback(ok, "s1").unwrap(), "c0de");
    // A server's req.url (a path with its query) works as well as a full URL.
    assert_eq!(
        parse_callback("/callback?state=s1&code=a%2Bb+c", "s1").unwrap(),
        "a+b c"
    );
    assert_eq!(callback_fields(ok, "s2"), ["state"]);
    assert_eq!(callback_fields(ok, "s"), ["state"]);
    assert_eq!(callback_fields("https://p/cb?code=c", "s1"), ["state"]);
    assert_eq!(callback_fields("https://p/cb?state=s1", "s1"), ["code"]);
    assert_eq!(
        callback_fields("https://p/cb?state=s1&code=", "s1"),
        ["code"]
    );
    // Nothing past a bad state is read: the callback is not this flow's.
    assert_eq!(callback_fields("https://p/cb", ""), ["state", "state"]);
    // The fragment is not the query.
    assert_eq!(
        callback_fields("https://p/cb#code=c&state=s1", "s1"),
        ["state"]
    );
    let msg = match parse_callback(ok, "s2") {
        Err(e) => e.message(),
        Ok(_) => unreachable!(),
    };
    assert!(msg.contains("forged or replayed"), "{msg}");
}

#[test]
fn an_error_in_the_callback_is_an_authorization_error() {
    match parse_callback(
        "https://p/cb?error=access_denied&error_description=the+user+said+no&state=s1",
        "s1",
    ) {
        Err(Error::Authorization { error, description }) => {
            assert_eq!(error, "access_denied");
            assert_eq!(description.as_deref(), Some("the user said no"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_callback("https://p/cb?state=s1&error=invalid_scope", "s1"),
        Err(Error::Authorization {
            description: None,
            ..
        })
    ));
    // The state is checked first: a forged error, with a wrong or missing state, is never shown
    // as a denial, whatever text it carries.
    for forged in [
        "https://p/cb?error=access_denied&error_description=Call+this+number",
        "https://p/cb?error=access_denied&error_description=Call+this+number&state=guess",
        "https://p/cb?state=&error=access_denied",
    ] {
        assert_eq!(callback_fields(forged, "s1"), ["state"], "{forged}");
        let message = parse_callback(forged, "s1").unwrap_err().message();
        assert!(!message.contains("number"), "{message}");
    }
}

#[test]
fn queries_are_read_as_the_whatwg_url_parser_reads_them() {
    for url in [
        "https://p/cb?a=1&b=%41%zz&c=+x+&&d&=e&f=%E2%9C%93&g=%FF",
        "https://p/c\tb?co\nde=1#frag?x=2",
        "  https://p/cb?x=1  ",
        "myapp:cb?x=1&y",
        "https://p/cb?x=a b\"'<>",
    ] {
        let oracle: Vec<(String, String)> = url::Url::parse(url)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        assert_eq!(query_pairs(url), oracle, "{url}");
    }
}

#[test]
fn states_are_compared_in_constant_time_by_construction() {
    assert!(same_secret(b"abc", b"abc"));
    assert!(!same_secret(b"abc", b"abd"));
    assert!(!same_secret(b"abc", b"ab"));
    assert!(same_secret(b"", b""));
}

#[test]
fn the_exchange_is_a_form_post_retried_only_on_429() {
    let s = settings(json!({}));
    let req = exchange_request(&s, &json!("c0de/+")).unwrap();
    assert_eq!(
        (req.method, req.path.as_str(), req.authenticated),
        (Method::Post, "/api/v2/oauth/token", false)
    );
    assert_eq!(req.content_type, Some("application/x-www-form-urlencoded"));
    assert_eq!(
        req.body.as_deref(),
        Some("grant_type=authorization_code&code=c0de%2F%2B&redirect_uri=https%3A%2F%2Fprovisioner.example.com%2Fcallback&client_id=a123CNTRL&client_secret=tskey-app-a123CNTRL-s3cr3t")
    );
    assert_eq!(req.idempotent, Idempotent(false));
    for f in [
        Failure::Network,
        Failure::Timeout,
        Failure::Status {
            status: 502,
            retry_after_ms: None,
        },
    ] {
        assert_eq!(retry_delay(req.idempotent, f, 0, 2, 0.0), None);
    }
    let rate = Failure::Status {
        status: 429,
        retry_after_ms: Some(10),
    };
    assert_eq!(retry_delay(req.idempotent, rate, 0, 2, 0.0), Some(10));
    for bad in [json!(""), json!(5), json!(null)] {
        assert!(matches!(
            exchange_request(&s, &bad),
            Err(Error::Validation(_))
        ));
    }
}

#[test]
fn a_grant_expires_when_the_answer_says_or_in_an_hour() {
    let answer = |expires_in, scope: Option<&str>| TokenResponse {
        access_token: "tskey-auth-k".into(),
        token_type: Some("Bearer".into()),
        expires_in,
        scope: scope.map(str::to_owned),
    };
    let g = Grant::from_response(answer(Some(600.0), Some("auth_keys:create:once  x")), 1_000);
    assert_eq!(g.expires_at_ms, 601_000.0);
    assert_eq!(g.scopes, ["auth_keys:create:once", "x"]);
    assert_eq!(g.auth_key.expose(), "tskey-auth-k");
    assert!(!format!("{g:?}").contains("tskey-auth-k"));
    let g = Grant::from_response(answer(None, None), 0);
    assert_eq!((g.expires_at_ms, g.scopes.len()), (3_600_000.0, 0));
    assert_eq!(
        Grant::from_response(answer(Some(f64::NAN), None), 0).expires_at_ms,
        3_600_000.0
    );
    // A negative lifetime is read as none left, as the token cache reads it.
    assert_eq!(
        Grant::from_response(answer(Some(-5.0), None), 7).expires_at_ms,
        7.0
    );
    // A huge lifetime stays a date JS can hold (8.64e15 ms after the epoch at the most).
    let far = Grant::from_response(answer(Some(1e300), None), 1_784_000_000_000);
    assert!(far.expires_at_ms < 8.64e15);
}
