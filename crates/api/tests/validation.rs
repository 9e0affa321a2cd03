//! Every rule in the contract's validation table, with accepted and rejected examples.

use serde_json::json;
use tailscale_api::keys::{CreateAuthKey, FederatedIdentitySpec, OAuthClientSpec};
use tailscale_api::oauth_apps::OAuthAppSpec;
use tailscale_wire::validate;

fn check(rule: fn(&str) -> Result<(), String>, ok: &[&str], bad: &[&str]) {
    for s in ok {
        assert!(rule(s).is_ok(), "{s:?} should pass: {:?}", rule(s));
    }
    for s in bad {
        assert!(rule(s).is_err(), "{s:?} should fail");
    }
}

fn fields(issues: &[tailscale_wire::error::Issue]) -> Vec<&str> {
    issues.iter().map(|i| i.field.as_str()).collect()
}

#[test]
fn tags() {
    check(
        validate::tag,
        &["tag:server", "tag:a", "tag:Web-1", "tag:x-y-z9"],
        &[
            "server", "tag:", "tag:1abc", "tag:-a", "tag:a_b", "tag:a b", "Tag:a", "tag:a:b",
            "tag:é",
        ],
    );
}

#[test]
fn key_descriptions() {
    check(
        validate::key_description,
        &["", "dev access", "ci-runner 2", &"a".repeat(50)],
        &[
            &"a".repeat(51),
            "under_score",
            "dots.",
            "émoji",
            "new\nline",
        ],
    );
}

#[test]
fn expiry_seconds() {
    for n in [1, 3600, 7_776_000] {
        assert!(validate::expiry_seconds(n).is_ok(), "{n}");
    }
    for n in [0, -1, 7_776_001, i64::MAX] {
        assert!(validate::expiry_seconds(n).is_err(), "{n}");
    }
}

#[test]
fn scopes() {
    check(
        validate::scope,
        &[
            "all",
            "all:read",
            "devices:core",
            "devices:core:read",
            "auth_keys",
            "future_scope:x",
        ],
        &[
            "",
            "Devices",
            "devices:",
            ":read",
            "a:b:c:d",
            "devices core",
            "dns2",
            "a-b",
        ],
    );
}

#[test]
fn trust_credentials_need_scopes_and_sometimes_tags() {
    let ok = OAuthClientSpec::parse(&json!({ "scopes": ["all:read"] }));
    assert!(ok.is_ok());
    let tagged = OAuthClientSpec::parse(&json!({ "scopes": ["auth_keys"], "tags": ["tag:ci"] }));
    assert!(tagged.is_ok());
    for scopes in [json!([]), json!(null)] {
        let e = OAuthClientSpec::parse(&json!({ "scopes": scopes })).unwrap_err();
        assert_eq!(fields(&e), ["scopes"]);
    }
    for needs in ["devices:core", "auth_keys", "devices", "all"] {
        let e = OAuthClientSpec::parse(&json!({ "scopes": [needs] })).unwrap_err();
        assert_eq!(fields(&e), ["tags"], "{needs}");
        let e = OAuthClientSpec::parse(&json!({ "scopes": [needs], "tags": [] })).unwrap_err();
        assert_eq!(fields(&e), ["tags"], "{needs} with empty tags");
    }
    // Read-only variants do not create devices, so no tags needed.
    assert!(OAuthClientSpec::parse(&json!({ "scopes": ["devices:core:read"] })).is_ok());
}

#[test]
fn issuers() {
    check(
        validate::issuer,
        &[
            "https://token.actions.githubusercontent.com",
            "https://example.com/path",
            "HTTPS://Example.com",
        ],
        &[
            "http://example.com",
            "example.com",
            "https://",
            "https:///path",
            "ftp://x",
            "https://exa mple.com",
            "",
        ],
    );
}

#[test]
fn federated_identity_rules() {
    let base =
        json!({ "scopes": ["all:read"], "issuer": "https://issuer.example", "subject": "repo:*" });
    assert!(FederatedIdentitySpec::parse(&base).is_ok());
    let with = |k: &str, v: serde_json::Value| {
        let mut b = base.clone();
        b[k] = v;
        FederatedIdentitySpec::parse(&b)
    };
    assert!(with("audience", json!("aud")).is_ok());
    assert_eq!(
        fields(&with("audience", json!("")).unwrap_err()),
        ["audience"]
    );
    assert_eq!(
        fields(&with("subject", json!("")).unwrap_err()),
        ["subject"]
    );
    assert_eq!(
        fields(&with("issuer", json!("http://x")).unwrap_err()),
        ["issuer"]
    );
    assert!(with(
        "customClaimRules",
        json!({ "repository_owner": "acme", "ref": "refs/*" })
    )
    .is_ok());
    for reserved in ["sub", "iss", "aud", ""] {
        let e = with("customClaimRules", json!({ reserved: "x" })).unwrap_err();
        assert_eq!(fields(&e), ["customClaimRules"], "{reserved:?}");
    }
    let missing = FederatedIdentitySpec::parse(&json!({ "scopes": ["all:read"] })).unwrap_err();
    assert_eq!(fields(&missing), ["issuer", "subject"]);
}

#[test]
fn app_names_and_descriptions() {
    check(
        validate::app_name,
        &["abc", "my-app", "my.app_1", &"a".repeat(50)],
        &["ab", "", &"a".repeat(51), "my app", "app!", "ünï"],
    );
    check(
        validate::app_description,
        &["", "<img src=x onerror=alert(1)>", &"é".repeat(300)],
        &[&"a".repeat(301)],
    );
}

#[test]
fn redirect_uris() {
    check(
        validate::redirect_uri,
        &[
            "https://example.com/cb",
            "https://example.com:8443/cb?x=1",
            "http://localhost:3000/cb",
            "myapp://localhost/cb",
            "http://127.0.0.1:8080/cb",
            "http://[::1]:9000/cb",
        ],
        &[
            "http://example.com/cb",
            "https://10.0.0.1/cb",
            "https://[2001:db8::1]/cb",
            "myapp://callback",
            "/relative",
            "https://",
            "not a url",
        ],
    );
}

#[test]
fn node_attributes() {
    check(
        validate::node_attribute,
        &[
            "custom:provisioned",
            "custom:a_b:c1",
            &format!("custom:{}", "a".repeat(121)),
        ],
        &[
            "provisioned",
            "custom:",
            "custom:a-b",
            "custom:a b",
            "tag:x",
            &format!("custom:{}", "a".repeat(122)),
        ],
    );
}

#[test]
fn ids() {
    check(validate::id, &["k123", "a b", "x/y"], &["", ".", ".."]);
}

#[test]
fn oauth_app_rules_report_every_problem_at_once() {
    let ok = OAuthAppSpec::parse(&json!({
        "name": "provisioner", "redirectURIs": ["https://a.example/cb"], "scopes": ["devices:core"],
        "allowedNodeAttributes": ["custom:provisioned"], "description": "any <chars> at all"
    }));
    assert!(ok.is_ok(), "{ok:?}");
    let e = OAuthAppSpec::parse(&json!({
        "name": "x", "redirectURIs": [], "scopes": [], "allowedNodeAttributes": ["provisioned", 5],
        "description": "d".repeat(301), "extra": true
    }))
    .unwrap_err();
    assert_eq!(
        fields(&e),
        [
            "redirectURIs",
            "scopes",
            "allowedNodeAttributes[0]",
            "allowedNodeAttributes[1]",
            "name",
            "description",
            "extra"
        ]
    );
    let missing = OAuthAppSpec::parse(&json!({})).unwrap_err();
    assert_eq!(fields(&missing), ["name", "redirectURIs", "scopes"]);
}

#[test]
fn auth_key_options_check_types_and_unknown_fields() {
    assert!(CreateAuthKey::parse(&json!({})).is_ok());
    assert!(CreateAuthKey::parse(&json!({ "reusable": null, "tags": null })).is_ok());
    let e = CreateAuthKey::parse(&json!({
        "reusable": "yes", "tags": "tag:a", "expirySeconds": 1.5, "description": 7, "expiry": 60
    }))
    .unwrap_err();
    assert_eq!(
        fields(&e),
        ["reusable", "tags", "expirySeconds", "description", "expiry"]
    );
    assert_eq!(fields(&CreateAuthKey::parse(&json!([])).unwrap_err()), [""]);
    // A whole number sent as a JS double is accepted.
    assert!(CreateAuthKey::parse(&json!({ "expirySeconds": 3600.0 })).is_ok());
}

#[test]
fn single_value_validators_reject_non_strings() {
    let issues = validate::single("tag", validate::tag, &json!(5));
    assert_eq!(issues.len(), 1);
    assert!(validate::single("tag", validate::tag, &json!("tag:ok")).is_empty());
}
