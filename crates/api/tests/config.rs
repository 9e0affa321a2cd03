//! Constructor options: exactly one credential, defaults, and checks that never echo secrets.

use serde_json::json;
use tailscale_api::auth::Credentials;
use tailscale_api::config::{parse, DEFAULT_BASE_URL};

fn fields(v: serde_json::Value, id_token_fn: bool) -> Vec<String> {
    parse(&v, id_token_fn)
        .unwrap_err()
        .into_iter()
        .map(|i| i.field)
        .collect()
}

#[test]
fn defaults() {
    let (config, creds) = parse(&json!({ "apiKey": "tskey-api-abc" }), false).unwrap();
    assert_eq!(config.tailnet, "-");
    assert_eq!(config.base_url, DEFAULT_BASE_URL);
    assert_eq!(
        (
            config.timeout_ms,
            config.max_retries,
            config.max_concurrency
        ),
        (30_000, 2, 8)
    );
    assert!(config.user_agent.starts_with("tailscale-wasm/"));
    assert!(matches!(creds, Credentials::ApiKey(_)));
}

#[test]
fn exactly_one_credential() {
    assert_eq!(fields(json!({}), false), [""]);
    assert_eq!(
        fields(
            json!({ "apiKey": "a", "oauth": { "clientId": "c", "clientSecret": "s" } }),
            false
        ),
        [""]
    );
    assert_eq!(fields(json!(null), false), ["", ""]);
    assert!(parse(&json!({ "apiKey": "k", "oauth": null }), false).is_ok());
}

#[test]
fn oauth_and_federated_shapes() {
    let (_, c) = parse(&json!({ "oauth": { "clientId": "c", "clientSecret": "s", "scopes": ["auth_keys"], "tags": ["tag:ci"] } }), false).unwrap();
    let Credentials::OAuth { scopes, tags, .. } = c else {
        panic!()
    };
    assert_eq!(
        (scopes, tags),
        (vec!["auth_keys".to_string()], vec!["tag:ci".to_string()])
    );
    assert_eq!(
        fields(
            json!({ "oauth": { "clientId": "", "scopes": ["Bad"], "tags": ["x"], "other": 1 } }),
            false
        ),
        [
            "oauth.clientSecret",
            "oauth.scopes[0]",
            "oauth.tags[0]",
            "oauth.clientId",
            "oauth.other"
        ]
    );
    let (_, c) = parse(
        &json!({ "federated": { "clientId": "c", "idToken": "a.b.c" } }),
        false,
    )
    .unwrap();
    assert!(matches!(
        c,
        Credentials::Federated {
            id_token: Some(_),
            ..
        }
    ));
    let (_, c) = parse(
        &json!({ "federated": { "clientId": "c", "idToken": null } }),
        true,
    )
    .unwrap();
    assert!(matches!(c, Credentials::Federated { id_token: None, .. }));
    assert_eq!(
        fields(json!({ "federated": { "clientId": "c" } }), false),
        ["federated.idToken"]
    );
}

#[test]
fn settings_are_checked() {
    let bad = json!({
        "apiKey": "k", "tailnet": "", "baseUrl": "api.tailscale.com", "timeoutMs": 0,
        "maxRetries": 11, "maxConcurrency": 0, "userAgent": "bad\nua", "retries": 3
    });
    assert_eq!(
        fields(bad, false),
        [
            "tailnet",
            "baseUrl",
            "timeoutMs",
            "maxRetries",
            "maxConcurrency",
            "userAgent",
            "retries"
        ]
    );
    let (config, _) = parse(
        &json!({ "apiKey": "k", "baseUrl": "http://127.0.0.1:8787/", "maxRetries": 0 }),
        false,
    )
    .unwrap();
    assert_eq!(
        (config.base_url.as_str(), config.max_retries),
        ("http://127.0.0.1:8787", 0)
    );
    assert!(parse(
        &json!({ "apiKey": "k", "baseUrl": "https://x.example/api?q" }),
        false
    )
    .is_err());
}

#[test]
fn secrets_are_checked_but_never_quoted() {
    for secret in ["has space", "new\nline", ""] {
        let issues = parse(&json!({ "apiKey": secret }), false).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, "apiKey");
        if !secret.is_empty() {
            assert!(!issues[0].message.contains(secret));
        }
        let issues = parse(
            &json!({ "oauth": { "clientId": "c", "clientSecret": secret } }),
            false,
        )
        .unwrap_err();
        assert_eq!(issues[0].field, "oauth.clientSecret");
    }
    let debug = format!(
        "{:?}",
        parse(&json!({ "apiKey": "tskey-api-SECRET" }), false).unwrap()
    );
    assert!(!debug.contains("SECRET"), "{debug}");
}

fn base_url_issues(base_url: &str, allow_insecure_http: Option<bool>) -> Vec<String> {
    let mut options = json!({ "apiKey": "k", "baseUrl": base_url });
    if let Some(allow) = allow_insecure_http {
        options["allowInsecureHttp"] = json!(allow);
    }
    match parse(&options, false) {
        Ok(_) => vec![],
        Err(issues) => issues
            .into_iter()
            .map(|i| format!("{}: {}", i.field, i.message))
            .collect(),
    }
}

#[test]
fn base_url_must_be_https_except_on_loopback() {
    for ok in [
        "https://api.tailscale.com",
        "HTTPS://proxy.example/tailscale/",
        "https://10.0.0.5:8443",
        "http://localhost",
        "http://localhost:8787/",
        "http://LocalHost:1",
        "http://127.0.0.1:8787",
        "http://127.1.2.3",
        "http://[::1]:8787",
    ] {
        assert_eq!(base_url_issues(ok, None), Vec::<String>::new(), "{ok}");
    }
    for remote in [
        "http://tailscale-proxy.corp.example",
        "http://10.0.0.5",
        "http://128.0.0.1",
        "http://127.0.0.1.nip.io",
        "http://127.0.0.256",
        "http://localhost.example.com",
        "http://[::2]",
        "http://[::ffff:127.0.0.1]",
    ] {
        let issues = base_url_issues(remote, None);
        assert_eq!(issues.len(), 1, "{remote}: {issues:?}");
        assert!(
            issues[0].starts_with("baseUrl: must use https"),
            "{issues:?}"
        );
        assert!(issues[0].contains("clear text") && issues[0].contains("allowInsecureHttp"));
        assert_eq!(base_url_issues(remote, Some(true)), Vec::<String>::new());
        assert_eq!(base_url_issues(remote, Some(false)).len(), 1);
    }
    for other in [
        "ftp://x.example",
        "ws://localhost",
        "api.tailscale.com",
        "https://",
        "//x",
    ] {
        assert_eq!(base_url_issues(other, Some(true)).len(), 1, "{other}");
    }
    assert_eq!(
        base_url_issues("http://x.example", None).len(),
        base_url_issues("http://x.example", Some(false)).len()
    );
    assert_eq!(
        fields(json!({ "apiKey": "k", "allowInsecureHttp": "yes" }), false),
        ["allowInsecureHttp"]
    );
}

#[test]
fn base_url_never_carries_credentials_or_tricks() {
    for (url, why) in [
        (
            "https://user:hunter2@proxy.example",
            "user name or password",
        ),
        ("https://user@proxy.example", "user name or password"),
        ("http://u:p@localhost:8787", "user name or password"),
        ("https://:p@proxy.example", "user name or password"),
        // WHATWG URL parsers read `\` as `/`: the host would be evil.example, not localhost.
        ("http://evil.example\\@localhost", "backslash"),
        ("https://proxy.example/x?token=1", "query"),
        ("https://proxy.example/#x", "fragment"),
        ("https://proxy .example", "spaces"),
    ] {
        let issues = base_url_issues(url, Some(true));
        assert_eq!(issues.len(), 1, "{url}: {issues:?}");
        assert!(issues[0].contains(why), "{url}: {issues:?}");
        assert!(!issues[0].contains("hunter2"));
    }
}

#[test]
fn max_response_bytes_is_a_positive_integer_up_to_256_mib() {
    let (config, _) = parse(&json!({ "apiKey": "k" }), false).unwrap();
    assert_eq!(config.max_response_bytes, 64 * 1024 * 1024);
    for n in [1, 1024, 268_435_456] {
        let (config, _) = parse(&json!({ "apiKey": "k", "maxResponseBytes": n }), false).unwrap();
        assert_eq!(config.max_response_bytes, n);
    }
    for bad in [
        json!(0),
        json!(-1),
        json!(268_435_457),
        json!(1.5),
        json!("1024"),
        json!(true),
    ] {
        assert_eq!(
            fields(json!({ "apiKey": "k", "maxResponseBytes": bad }), false),
            ["maxResponseBytes"],
            "{bad}"
        );
    }
}

#[test]
fn fetch_must_be_a_function() {
    // JSON holds no function: the wasm layer's values do (tests/js/transport.test.mjs).
    assert!(parse(&json!({ "apiKey": "k", "fetch": null }), false).is_ok());
    for bad in [json!("fetch"), json!({}), json!(1)] {
        assert_eq!(
            fields(json!({ "apiKey": "k", "fetch": bad }), false),
            ["fetch"]
        );
    }
}
