//! The policy file's core, natively: each request as it goes out (method, path, headers,
//! content type, whether it may be retried), the `set` precondition, `update`'s decisions after
//! an edit and after a failed write, `PolicyCheck.ok`, the local checks of a document, and the
//! readers behind `evaluatePostures`, `evaluatePosture` and `setPosture`.

use serde_json::{json, Value};
use tailscale_wasm::devices::AttributeValue;
use tailscale_wasm::error::{ApiError, Error};
use tailscale_wasm::http::{check_response_bytes, Expect, Idempotent, Method, ResponseHead};
use tailscale_wasm::hujson::Document;
use tailscale_wasm::policy::{
    self, AfterEdit, AfterFailure, PolicyBody, Precondition, UpdateLoop, DEFAULT_MAX_ATTEMPTS,
};
use tailscale_wasm::policy_check;

fn fields(issues: &[tailscale_wasm::error::Issue]) -> Vec<&str> {
    issues.iter().map(|i| i.field.as_str()).collect()
}

#[test]
fn reads_ask_for_hujson_and_details_for_json_without_accept() {
    let req = policy::get("example.com", &json!({})).unwrap();
    assert_eq!(
        (req.method, req.path.as_str(), req.query.as_str()),
        (Method::Get, "/api/v2/tailnet/example.com/acl", "")
    );
    assert_eq!(req.accept, Some("application/hujson"));
    assert!(matches!(req.expect, Expect::Text));
    assert_eq!(req.idempotent, Idempotent(true));
    let details = policy::get("-", &json!({ "details": true, "signal": null })).unwrap();
    assert_eq!(details.query, "?details=true");
    assert_eq!(
        details.accept, None,
        "the API asks for no Accept with details"
    );
    let bad = policy::get("-", &json!({ "details": "yes", "other": 1 })).unwrap_err();
    let Error::Validation(issues) = bad else {
        panic!("{bad:?}")
    };
    assert_eq!(fields(&issues), ["details", "other"]);
    assert_eq!(policy::read("-").path, "/api/v2/tailnet/-/acl");
}

#[test]
fn a_write_carries_its_precondition_exactly_and_is_never_retried() {
    let etag = "\"0123abcd\"";
    let req = policy::set(
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
    let default = policy::set(
        "-",
        PolicyBody::Json("{}".into()),
        &Precondition::IfMatch("ts-default".into()),
    );
    assert_eq!(default.if_match.as_deref(), Some("\"ts-default\""));
    assert_eq!(default.content_type, Some("application/json"));
    let overwrite = policy::set("-", PolicyBody::Json("{}".into()), &Precondition::Overwrite);
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
    let validate = policy::validate_file("-", "{}".into());
    assert_eq!(
        (validate.method, validate.path.as_str()),
        (Method::Post, "/api/v2/tailnet/-/acl/validate")
    );
    assert_eq!(validate.content_type, Some("application/json"));
    assert_eq!(validate.idempotent, Idempotent(true));
    assert_eq!(policy::test("-", "[]".into()).idempotent, Idempotent(true));
    let preview = policy::preview(
        "-",
        PolicyBody::Json("{}".into()),
        &json!({ "type": "user", "previewFor": "a@b.c" }),
    )
    .unwrap();
    assert_eq!(preview.query, "?type=user&previewFor=a%40b.c");
    assert_eq!(preview.idempotent, Idempotent(true));
    let Err(Error::Validation(issues)) = policy::preview(
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
    let req = policy::set(
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
    let plain = policy::set("-", PolicyBody::Json("{}".into()), &Precondition::Overwrite);
    let err = check_response_bytes(&plain, ResponseHead::status(412), body, 0).unwrap_err();
    assert!(!err.message().contains("changed since"));
}

fn api(status: u16) -> Error {
    Error::Api(ApiError {
        status,
        message: String::new(),
        has_data: false,
        method: Method::Post,
        path: "/api/v2/tailnet/-/acl".into(),
        retry_after_ms: None,
        location: None,
        retryable: false,
    })
}

#[test]
fn update_rereads_after_a_412_or_a_lost_answer_and_gives_up_after_max_attempts() {
    let mut state = UpdateLoop::parse(&json!({})).unwrap();
    assert_eq!(state.max_attempts, DEFAULT_MAX_ATTEMPTS);
    state.begin_round();
    assert_eq!(
        state.after_edit(true),
        AfterEdit::Done { changed: false },
        "nothing to send"
    );
    assert_eq!(state.after_edit(false), AfterEdit::Write);
    assert_eq!(state.after_failure(&api(412)), AfterFailure::Reread);
    assert!(!state.maybe_written, "a 412 wrote nothing");
    state.begin_round();
    let lost = Error::Network {
        method: Method::Post,
        path: "/x".into(),
        message: "reset".into(),
        retryable: false,
    };
    assert_eq!(state.after_failure(&lost), AfterFailure::Reread);
    assert!(state.maybe_written, "a lost answer may hide a write");
    state.begin_round();
    // The next read shows the edit already made: done, and it did change the file.
    assert_eq!(state.after_edit(true), AfterEdit::Done { changed: true });
    for status in [502, 503, 504] {
        let mut s = UpdateLoop::parse(&json!({})).unwrap();
        s.begin_round();
        assert_eq!(
            s.after_failure(&api(status)),
            AfterFailure::Reread,
            "{status}"
        );
    }
    for fatal in [api(400), api(403), api(500), Error::validation("x", "y")] {
        let mut s = UpdateLoop::parse(&json!({})).unwrap();
        s.begin_round();
        assert_eq!(s.after_failure(&fatal), AfterFailure::Fail, "{fatal:?}");
    }
    let mut two = UpdateLoop::parse(&json!({ "maxAttempts": 2, "signal": null })).unwrap();
    two.begin_round();
    assert_eq!(two.after_failure(&api(412)), AfterFailure::Reread);
    two.begin_round();
    assert_eq!(
        two.after_failure(&api(412)),
        AfterFailure::Fail,
        "the second 412 of two rounds"
    );
    for bad in [
        json!({ "maxAttempts": 0 }),
        json!({ "maxAttempts": 101 }),
        json!({ "maxAttempts": 1.5 }),
        json!({ "tries": 3 }),
    ] {
        assert!(UpdateLoop::parse(&bad).is_err(), "{bad}");
    }
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
            policy::check_ok(message, any_errors),
            ok,
            "{message:?} {any_errors}"
        );
    }
}

#[test]
fn tests_are_checked_before_they_are_sent() {
    assert!(policy::check_tests(&&json!([{ "src": "a@b.c", "accept": ["tag:x:443"], "srcPostureAttrs": { "custom:x": 1 }, "proto": "tcp" }])).is_empty());
    let issues = policy::check_tests(
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
    assert_eq!(fields(&policy::check_tests(&&json!([]))), ["tests"]);
}

const POLICY: &str = r#"// The tailnet's policy.
{
  "postures": {
    "posture:ok": ["custom:tier == 'gold'", "node:tsVersion >= '1.60'"],
    "bad": ["node:os == 'linux'"],
    "posture:empty": [],
    "posture:broken": ["custom:tier = 'gold'", "weird:x IS SET", "custom:bad-name == 1", "custom:tier >= 'gold'"],
    "posture:\"q\"": ["custom:x IS SET"],
  },
  "defaultSrcPosture": ["posture:ok", "posture:missing"],
  "grants": [{"src": ["*"], "dst": ["*"], "ip": ["*"], "srcPosture": ["posture:ok", "posture:gone"]}],
  "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"], "srcPosture": ["posture:nope"]}],
  "ssh": [{"action": "check", "src": ["*"], "dst": ["*"], "users": ["root"], "srcPosture": "posture:ok"}],
  "hosts": {"a": "1.2.3.4", "a": "5.6.7.8"},
}"#;

#[test]
fn the_local_checks_name_each_place() {
    let doc = Document::parse(POLICY).unwrap();
    let issues = policy_check::check(&doc);
    assert_eq!(
        fields(&issues),
        [
            "hosts.a",
            "postures.bad",
            "postures[\"posture:empty\"]",
            "postures[\"posture:broken\"][0]",
            "postures[\"posture:broken\"][1]",
            "postures[\"posture:broken\"][2]",
            "postures[\"posture:broken\"][3]",
            "defaultSrcPosture[1]",
            "grants[0].srcPosture[1]",
            "acls[0].srcPosture[0]",
            "ssh[0].srcPosture",
        ]
    );
    let message = |field: &str| {
        issues
            .iter()
            .find(|i| i.field == field)
            .map(|i| i.message.as_str())
            .unwrap()
    };
    assert!(
        message("hosts.a").contains("line 14"),
        "{}",
        message("hosts.a")
    );
    assert!(message("postures[\"posture:broken\"][0]").starts_with("does not parse at column 13"));
    assert!(message("postures[\"posture:broken\"][1]").contains("\"weird:\""));
    assert!(
        message("postures[\"posture:broken\"][3]").starts_with(">= compares numbers or versions")
    );
    assert!(message("grants[0].srcPosture[1]").contains("\"posture:gone\""));
    // A name with a quote is written as JSON quotes it.
    let doc = Document::parse(r#"{"postures": {"posture:\"q\"": []}}"#).unwrap();
    assert_eq!(
        fields(&policy_check::check(&doc)),
        [r#"postures["posture:\"q\""]"#]
    );
}

#[test]
fn a_document_defines_its_postures_in_order() {
    let doc = Document::parse(POLICY).unwrap();
    let (postures, defaults) = policy_check::postures_of(&doc);
    let names: Vec<&str> = postures.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "posture:ok",
            "bad",
            "posture:empty",
            "posture:broken",
            "posture:\"q\""
        ]
    );
    assert_eq!(
        postures[0].conditions,
        ["custom:tier == 'gold'", "node:tsVersion >= '1.60'"]
    );
    assert_eq!(defaults, ["posture:ok", "posture:missing"]);
    let (none, no_defaults) = policy_check::postures_of(&Document::parse("{}").unwrap());
    assert!(none.is_empty() && no_defaults.is_empty());
}

#[test]
fn set_posture_checks_its_name_and_every_condition_first() {
    assert!(policy_check::check_set_posture("posture:x", &["custom:x == true".into()]).is_empty());
    let issues = policy_check::check_set_posture(
        "x",
        &[
            "custom:x ==".into(),
            "custom:y == 1".into(),
            "bogus:z IS SET".into(),
        ],
    );
    assert_eq!(fields(&issues), ["name", "conditions[0]", "conditions[2]"]);
    assert_eq!(
        fields(&policy_check::check_set_posture("posture:", &[])),
        ["name", "conditions"]
    );
    let Err(Error::Validation(issues)) = policy::read_posture(&&json!(5), &&json!(["a", 1])) else {
        panic!()
    };
    assert_eq!(fields(&issues), ["name", "conditions[1]"]);
}

#[test]
fn the_report_reads_its_devices_and_leaves_out_the_gone() {
    let listed = [
        json!({ "nodeId": "n1", "name": "a.ts.net" }),
        json!({ "nodeId": "n2", "hostname": "b" }),
        json!({ "id": "legacy-only" }),
    ];
    let listed: Vec<&Value> = listed.iter().collect();
    let all = policy::choose_devices(&listed, None).unwrap();
    assert_eq!(
        all,
        [
            ("n1".to_string(), "a.ts.net".to_string()),
            ("n2".into(), "b".into())
        ]
    );
    let chosen = policy::choose_devices(&listed, Some(&["n2".into()])).unwrap();
    assert_eq!(chosen, [("n2".to_string(), "b".to_string())]);
    let Err(Error::Validation(issues)) =
        policy::choose_devices(&listed, Some(&["n2".into(), "n9".into()]))
    else {
        panic!()
    };
    assert_eq!(fields(&issues), ["deviceIds[1]"]);

    let attributes = [
        json!({ "custom:tier": "gold", "node:os": "linux", "odd": [1] }),
        Value::Null,
    ];
    let inputs = policy::device_inputs(all, attributes.iter().collect());
    assert_eq!(
        inputs.len(),
        1,
        "the device whose read found it gone is left out"
    );
    assert_eq!(inputs[0].node_id, "n1");
    assert_eq!(
        inputs[0].attributes,
        [
            (
                "custom:tier".to_string(),
                AttributeValue::String("gold".into())
            ),
            ("node:os".into(), AttributeValue::String("linux".into()))
        ]
    );
    let options =
        policy::report_options(&json!({ "text": "{}", "deviceIds": ["n1"], "signal": null }))
            .unwrap();
    assert_eq!(
        (options.text.as_deref(), options.device_ids),
        (Some("{}"), Some(vec!["n1".to_string()]))
    );
    assert!(policy::report_options(&json!({ "deviceIds": [""] })).is_err());
}

#[test]
fn evaluate_posture_takes_strings_and_scalar_attributes() {
    let (conditions, attributes) = policy::evaluation_input(
        &&json!(["custom:x IS SET"]),
        &&json!({ "custom:x": 1, "custom:y": true }),
    )
    .unwrap();
    assert_eq!(conditions, ["custom:x IS SET"]);
    assert_eq!(attributes.len(), 2);
    let Err(Error::Validation(issues)) =
        policy::evaluation_input(&&json!("custom:x IS SET"), &&json!({ "custom:x": {} }))
    else {
        panic!()
    };
    assert_eq!(fields(&issues), ["conditions", "attributes"]);
}
