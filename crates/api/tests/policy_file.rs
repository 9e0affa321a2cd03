//! The policy file's endpoints, natively: each request as it goes out (method, path, headers,
//! content type, whether it may be retried), the `set` precondition, and `PolicyCheck.ok`.

use serde_json::{json, Value};
use tailscale_api::policy_file::{self, PolicyBody, Precondition};
use tailscale_wire::error::Error;
use tailscale_wire::http::{check_response_bytes, Expect, Idempotent, ResponseHead};
use tailscale_wire::method::Method;

fn fields(issues: &[tailscale_wire::error::Issue]) -> Vec<&str> {
    issues.iter().map(|i| i.field.as_str()).collect()
}

#[test]
fn reads_ask_for_hujson_and_details_for_json_without_accept() {
    let req = policy_file::get("example.com", &json!({})).unwrap();
    assert_eq!(
        (req.method, req.path.as_str(), req.query.as_str()),
        (Method::Get, "/api/v2/tailnet/example.com/acl", "")
    );
    assert_eq!(req.accept, Some("application/hujson"));
    assert!(matches!(req.expect, Expect::Text));
    assert_eq!(req.idempotent, Idempotent(true));
    let details = policy_file::get("-", &json!({ "details": true, "signal": null })).unwrap();
    assert_eq!(details.query, "?details=true");
    assert_eq!(
        details.accept, None,
        "the API asks for no Accept with details"
    );
    let bad = policy_file::get("-", &json!({ "details": "yes", "other": 1 })).unwrap_err();
    let Error::Validation(issues) = bad else {
        panic!("{bad:?}")
    };
    assert_eq!(fields(&issues), ["details", "other"]);
    assert_eq!(policy_file::read("-").path, "/api/v2/tailnet/-/acl");
}

#[test]
fn a_write_carries_its_precondition_exactly_and_is_never_retried() {
    let etag = "\"0123abcd\"";
    let req = policy_file::set(
        "-",
        PolicyBody::HuJson("// c\n{}".into()),
        &Precondition::IfMatch(etag.into()),
    );
    assert_eq!(req.method, Method::Post);
    assert_eq!(
        req.if_match.as_deref(),
        Some(etag),
        "the ETag as it came, quotes included"
    );
    assert_eq!(req.content_type, Some("application/hujson"));
    assert_eq!(req.body.as_deref(), Some("// c\n{}"));
    assert_eq!(req.idempotent, Idempotent(false));
    let default = policy_file::set(
        "-",
        PolicyBody::Json("{}".into()),
        &Precondition::IfMatch("ts-default".into()),
    );
    assert_eq!(default.if_match.as_deref(), Some("\"ts-default\""));
    assert_eq!(default.content_type, Some("application/json"));
    let overwrite = policy_file::set("-", PolicyBody::Json("{}".into()), &Precondition::Overwrite);
    assert_eq!(overwrite.if_match, None);
}

#[test]
fn set_needs_if_match_or_overwrite() {
    let ok = |v: Value| Precondition::parse(&v);
    assert_eq!(
        ok(json!({ "ifMatch": "\"e\"" })),
        Ok(Precondition::IfMatch("\"e\"".into()))
    );
    assert_eq!(
        ok(json!({ "overwrite": true })),
        Ok(Precondition::Overwrite)
    );
    assert_eq!(
        ok(json!({ "ifMatch": "\"e\"", "overwrite": false })),
        Ok(Precondition::IfMatch("\"e\"".into()))
    );
    for bad in [
        json!(null),
        json!({}),
        json!({ "overwrite": false }),
        json!({ "ifMatch": "" }),
        json!({ "ifMatch": "a\nb" }),
        json!({ "ifMatch": "\"e\"", "overwrite": true }),
        json!({ "etag": "\"e\"" }),
        json!("\"e\""),
    ] {
        assert!(ok(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn checks_and_previews_only_read_so_they_are_retried() {
    let validate = policy_file::validate_file("-", "{}".into());
    assert_eq!(
        (validate.method, validate.path.as_str()),
        (Method::Post, "/api/v2/tailnet/-/acl/validate")
    );
    assert_eq!(validate.content_type, Some("application/json"));
    assert_eq!(validate.idempotent, Idempotent(true));
    assert_eq!(
        policy_file::test("-", "[]".into()).idempotent,
        Idempotent(true)
    );
    let preview = policy_file::preview(
        "-",
        PolicyBody::Json("{}".into()),
        &json!({ "type": "user", "previewFor": "a@b.c" }),
    )
    .unwrap();
    assert_eq!(preview.query, "?type=user&previewFor=a%40b.c");
    assert_eq!(preview.idempotent, Idempotent(true));
    let Err(Error::Validation(issues)) = policy_file::preview(
        "-",
        PolicyBody::Json("{}".into()),
        &json!({ "type": "group" }),
    ) else {
        panic!()
    };
    assert_eq!(fields(&issues), ["type", "previewFor"]);
}

#[test]
fn a_412_on_a_conditional_write_says_the_file_changed() {
    let req = policy_file::set(
        "-",
        PolicyBody::Json("{}".into()),
        &Precondition::IfMatch("\"e\"".into()),
    );
    let body = br#"{"message":"precondition failed, invalid old hash"}"#;
    let err = check_response_bytes(&req, ResponseHead::status(412), body, 0).unwrap_err();
    assert_eq!(
        err.message(),
        "POST /api/v2/tailnet/-/acl failed with 412: the file changed since it was read (its ETag no longer matches); read it again and redo the change: precondition failed, invalid old hash"
    );
    // Without If-Match a 412 is the API's words alone.
    let plain = policy_file::set("-", PolicyBody::Json("{}".into()), &Precondition::Overwrite);
    let err = check_response_bytes(&plain, ResponseHead::status(412), body, 0).unwrap_err();
    assert!(!err.message().contains("changed since"));
}

#[test]
fn a_check_passes_unless_something_failed() {
    for (message, any_errors, ok) in [
        (None, false, true),
        (Some(""), false, true),
        (Some("warning(s) found"), false, true),
        (Some("Warning: group not found"), false, true),
        (Some("test(s) failed"), false, false),
        (Some("warning(s) found"), true, false),
        (None, true, false),
        (Some("line 3: unexpected token"), false, false),
        (Some("warnings and errors"), false, false),
        (Some("1 warning, 1 failure"), false, false),
    ] {
        assert_eq!(
            policy_file::check_ok(message, any_errors),
            ok,
            "{message:?} {any_errors}"
        );
    }
}

#[test]
fn tests_are_checked_before_they_are_sent() {
    assert!(policy_file::check_tests(&&json!([{ "src": "a@b.c", "accept": ["tag:x:443"], "srcPostureAttrs": { "custom:x": 1 }, "proto": "tcp" }])).is_empty());
    let issues = policy_file::check_tests(
        &&json!([{ "accept": ["x:1"] }, { "src": "a", "extra": 1 }, 5, { "src": "b", "srcPostureAttrs": { "k": [1] }, "deny": "x" }]),
    );
    assert_eq!(
        fields(&issues),
        [
            "tests[0].src",
            "tests[1].extra",
            "tests[2]",
            "tests[3].deny",
            "tests[3].srcPostureAttrs"
        ]
    );
    assert_eq!(fields(&policy_file::check_tests(&&json!([]))), ["tests"]);
}
