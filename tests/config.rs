//! Constructor options: exactly one credential, defaults, and checks that never echo secrets.

use serde_json::json;
use tailscale_wasm::auth::Credentials;
use tailscale_wasm::config::{parse, DEFAULT_BASE_URL};

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
