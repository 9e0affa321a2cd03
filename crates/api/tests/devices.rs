//! Devices and posture attributes: how each of the six operations becomes a request, every
//! attribute rule, retry eligibility, and the tolerant response models.

use serde_json::{json, Value};
use tailscale_api::devices::{self, decode_attributes, decode_device, decode_device_list};
use tailscale_wire::attribute::AttributeValue;
use tailscale_wire::error::Error;
use tailscale_wire::http::{
    check_response_bytes as check_response, retry_delay, Failure, HttpRequest, Idempotent,
    ResponseHead,
};
use tailscale_wire::method::Method;
use tailscale_wire::validate;

fn body(req: &HttpRequest) -> Value {
    serde_json::from_str(req.body.as_deref().unwrap_or("null")).unwrap()
}

/// `field: message` for each issue of a validation error.
fn issues(e: Error) -> Vec<String> {
    match e {
        Error::Validation(issues) => issues
            .into_iter()
            .map(|i| format!("{}: {}", i.field, i.message))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn fields(e: Error) -> Vec<String> {
    issues(e)
        .into_iter()
        .map(|i| i.split(": ").next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn list_takes_fields_and_filters_as_query_parameters() {
    let plain = devices::list("-", &json!({})).unwrap();
    assert_eq!(
        (plain.method, plain.target().as_str()),
        (Method::Get, "/api/v2/tailnet/-/devices")
    );
    let req = devices::list(
        "example.com",
        &json!({ "fields": "all", "filter": { "isEphemeral": true, "tags": ["tag:prod", "tag:subnet router"], "hostname": "a&b=c" }, "signal": {} }),
    )
    .unwrap();
    assert_eq!(
        req.target(),
        // serde_json sorts object keys natively; in JS they keep the caller's order.
        "/api/v2/tailnet/example.com/devices?fields=all&hostname=a%26b%3Dc&isEphemeral=true&tags=tag%3Aprod&tags=tag%3Asubnet%20router"
    );
    assert_eq!(
        devices::list(
            "-",
            &json!({ "filter": { "os": "linux", "authorized": false } })
        )
        .unwrap()
        .query,
        "?authorized=false&os=linux"
    );
    assert_eq!(
        fields(
            devices::list(
                "-",
                &json!({ "fields": "some", "filter": { "tags": [], "os": 5, "a-b": "x", "fields": "all", "ok": ["x", 1] }, "other": 1 })
            )
            .unwrap_err()
        ),
        [
            "fields",
            "filter.a-b",
            "filter.fields",
            "filter.ok",
            "filter.os",
            "filter.tags",
            "other"
        ]
    );
    assert_eq!(
        fields(devices::list("-", &json!({ "filter": ["tags"] })).unwrap_err()),
        ["filter"]
    );
}

#[test]
fn a_device_is_addressed_under_device_not_the_tailnet() {
    let get = devices::get(&json!("n123CNTRL"), &json!({ "fields": "default" })).unwrap();
    assert_eq!(
        (get.method, get.target().as_str()),
        (Method::Get, "/api/v2/device/n123CNTRL?fields=default")
    );
    assert_eq!(
        devices::get_attributes(&json!("n1")).unwrap().path,
        "/api/v2/device/n1/attributes"
    );
    // Anything that could reach another path is encoded into the one segment.
    for (id, path) in [
        ("a/b", "/api/v2/device/a%2Fb"),
        ("x?fields=all", "/api/v2/device/x%3Ffields%3Dall"),
        ("x#frag", "/api/v2/device/x%23frag"),
        ("../keys", "/api/v2/device/..%2Fkeys"),
        ("nöde", "/api/v2/device/n%C3%B6de"),
        ("%2e%2e", "/api/v2/device/%252e%252e"),
    ] {
        let req = devices::get(&json!(id), &json!({})).unwrap();
        assert_eq!(req.target(), path, "{id}");
    }
    for bad in [json!(""), json!("."), json!(".."), json!(7), json!(null)] {
        assert_eq!(
            fields(devices::get(&bad, &json!({})).unwrap_err()),
            ["deviceId"],
            "{bad}"
        );
        assert_eq!(
            fields(devices::get_attributes(&bad).unwrap_err()),
            ["deviceId"]
        );
    }
    assert_eq!(
        fields(devices::get(&json!("n1"), &json!({ "fields": "ALL", "x": 1 })).unwrap_err()),
        ["fields", "x"]
    );
}

#[test]
fn set_attribute_posts_value_expiry_and_comment() {
    let req = devices::set_attribute(
        &json!("n1"),
        &json!("custom:rack"),
        &json!({ "value": "a1.b_2", "expiry": "2026-12-01T05:23:30Z", "comment": "racked" }),
    )
    .unwrap();
    assert_eq!(
        (req.method, req.path.as_str()),
        (Method::Post, "/api/v2/device/n1/attributes/custom%3Arack")
    );
    assert_eq!(
        body(&req),
        json!({ "value": "a1.b_2", "expiry": "2026-12-01T05:23:30Z", "comment": "racked" })
    );
    assert_eq!(req.content_type, Some("application/json"));
    for (value, sent) in [
        (json!(true), json!(true)),
        (json!(false), json!(false)),
        (json!(80), json!(80)),
        (
            json!(-9_007_199_254_740_991_i64),
            json!(-9_007_199_254_740_991_i64),
        ),
        (
            json!(9_007_199_254_740_991_i64),
            json!(9_007_199_254_740_991_i64),
        ),
        (json!(3.0), json!(3)),
    ] {
        let req =
            devices::set_attribute(&json!("n1"), &json!("custom:x"), &json!({ "value": value }))
                .unwrap();
        assert_eq!(body(&req), json!({ "value": sent }));
    }
}

#[test]
fn every_attribute_rule_is_checked_at_once_and_nothing_is_built() {
    let err = devices::set_attribute(
        &json!(".."),
        &json!("node:os"),
        &json!({ "value": "has space", "expiry": "tomorrow", "comment": "c".repeat(201), "reason": "x" }),
    )
    .unwrap_err();
    assert_eq!(
        fields(err),
        ["deviceId", "key", "value", "expiry", "comment", "reason"]
    );
    for (value, why) in [
        (json!(""), "1 to 50"),
        (json!("a".repeat(51)), "1 to 50"),
        (json!("a-b"), "letters, digits"),
        (json!("é"), "letters, digits"),
        (json!(1.5), "integer"),
        (json!(9_007_199_254_740_992_u64), "integer"),
        (json!(-9.1e15), "integer"),
        (json!(null), "required"),
        (json!([1]), "a string, an integer or a boolean"),
        (json!({}), "a string, an integer or a boolean"),
    ] {
        let found = issues(
            devices::set_attribute(&json!("n1"), &json!("custom:x"), &json!({ "value": value }))
                .unwrap_err(),
        );
        assert_eq!(found.len(), 1, "{value}: {found:?}");
        assert!(
            found[0].starts_with("value: ") && found[0].contains(why),
            "{value}: {found:?}"
        );
    }
    assert_eq!(
        fields(devices::set_attribute(&json!("n1"), &json!("custom:x"), &json!({})).unwrap_err()),
        ["value"]
    );
}

#[test]
fn attribute_keys_are_custom_names() {
    let long = format!("custom:{}", "a".repeat(121));
    let too_long = format!("custom:{}", "a".repeat(122));
    for ok in ["custom:a", "custom:My_Attr:2", long.as_str()] {
        assert!(validate::attribute_key(ok).is_ok(), "{ok}");
    }
    for bad in [
        "node:os",
        "custom:",
        "Custom:a",
        "custom:a-b",
        "custom:a/b",
        "custom:a?b",
        "custom:a#b",
        "custom:..",
        "custom:é",
        too_long.as_str(),
        "",
    ] {
        assert!(validate::attribute_key(bad).is_err(), "{bad}");
    }
    assert!(validate::attribute_key("node:os")
        .unwrap_err()
        .contains("only custom attributes can be set or deleted"));
    let del = devices::delete_attribute(&json!("n1"), &json!("custom:rack")).unwrap();
    assert_eq!(
        (del.method, del.path.as_str(), del.body.is_none()),
        (
            Method::Delete,
            "/api/v2/device/n1/attributes/custom%3Arack",
            true
        )
    );
    assert_eq!(
        fields(devices::delete_attribute(&json!(""), &json!("custom:a/b")).unwrap_err()),
        ["deviceId", "key"]
    );
}

#[test]
fn expiries_are_rfc3339_date_times() {
    for ok in [
        "2026-12-01T05:23:30Z",
        "2026-12-01t05:23:30z",
        "2026-12-01T05:23:30.511Z",
        "2028-02-29T00:00:00+05:30",
        "1999-12-31T23:59:59-00:00",
    ] {
        assert!(validate::rfc3339(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "2026-12-01",
        "2026-12-01 05:23:30Z",
        "2026-12-01T05:23:30",
        "2026-13-01T05:23:30Z",
        "2026-02-29T05:23:30Z",
        "2026-04-31T05:23:30Z",
        "2026-12-01T24:00:00Z",
        "2026-12-01T05:60:00Z",
        "2026-12-01T05:23:60Z",
        "2026-12-01T05:23:30.Z",
        "2026-12-01T05:23:30+0530",
        "2026-12-01T05:23:30+24:00",
        "2026-12-01T05:23:30Z ",
        "tomorrow",
        "２026-12-01T05:23:30Z",
    ] {
        assert!(validate::rfc3339(bad).is_err(), "{bad}");
    }
}

#[test]
fn update_attributes_patches_many_devices_with_null_to_delete() {
    let req = devices::update_attributes(
        "-",
        &json!({
            "nodes": {
                "n1": { "custom:rack": { "value": "a1" }, "custom:old": null },
                "n2": { "custom:flag": { "value": true, "expiry": "2026-12-01T05:23:30Z" } }
            },
            "comment": "bulk"
        }),
    )
    .unwrap();
    assert_eq!(
        (req.method, req.path.as_str()),
        (Method::Patch, "/api/v2/tailnet/-/device-attributes")
    );
    assert_eq!(
        body(&req),
        json!({
            "nodes": {
                "n1": { "custom:rack": { "value": "a1" }, "custom:old": null },
                "n2": { "custom:flag": { "value": true, "expiry": "2026-12-01T05:23:30Z" } }
            },
            "comment": "bulk"
        })
    );
    let err = devices::update_attributes(
        "-",
        &json!({
            "nodes": {
                "": { "custom:a": { "value": 1 } },
                "n1": { "node:os": null, "custom:b": { "value": 1.5, "expiry": "x", "comment": "no" }, "custom:c": 5 },
                "n2": "nope"
            },
            "comment": 3
        }),
    )
    .unwrap_err();
    assert_eq!(
        fields(err),
        [
            "nodes.",
            "nodes.n1.custom:b.value",
            "nodes.n1.custom:b.expiry",
            "nodes.n1.custom:b.comment",
            "nodes.n1.custom:c",
            "nodes.n1.node:os",
            "nodes.n2",
            "comment"
        ]
    );
    assert_eq!(
        fields(devices::update_attributes("-", &json!({})).unwrap_err()),
        ["nodes"]
    );
    assert_eq!(
        fields(devices::update_attributes("-", &json!({ "nodes": {} })).unwrap_err()),
        ["nodes"]
    );
    // A device with nothing to change is a valid (empty) patch.
    assert!(devices::update_attributes("-", &json!({ "nodes": { "n1": {} } })).is_ok());
}

#[test]
fn validate_set_attribute_checks_each_field_given() {
    let check = |v: Value| -> Vec<String> {
        devices::validate_set_attribute(&v)
            .into_iter()
            .map(|i| i.field)
            .collect()
    };
    assert!(check(json!({ "value": true })).is_empty());
    assert!(check(json!({ "deviceId": "n1", "key": "custom:a", "value": 5, "expiry": "2026-12-01T05:23:30Z", "comment": "c" })).is_empty());
    assert_eq!(
        check(
            json!({ "deviceId": "", "key": "a", "value": "x y", "expiry": "x", "comment": "c".repeat(201), "extra": 1 })
        ),
        ["deviceId", "key", "value", "expiry", "comment", "extra"]
    );
    assert_eq!(check(json!({})), ["value"]);
    assert_eq!(check(json!("x")), ["", "value"]);
}

#[test]
fn attribute_writes_are_retried_like_puts_and_creates_are_not() {
    let writes = [
        devices::set_attribute(&json!("n1"), &json!("custom:a"), &json!({ "value": 1 })).unwrap(),
        devices::delete_attribute(&json!("n1"), &json!("custom:a")).unwrap(),
        devices::update_attributes("-", &json!({ "nodes": { "n1": { "custom:a": null } } }))
            .unwrap(),
    ];
    for req in &writes {
        assert_eq!(req.idempotent, Idempotent(true), "{}", req.path);
        for failure in [
            Failure::Network,
            Failure::Timeout,
            Failure::Status {
                status: 503,
                retry_after_ms: None,
            },
        ] {
            assert!(retry_delay(req.idempotent, failure, 0, 2, 0.0).is_some());
        }
    }
    assert_eq!(writes[0].method, Method::Post);
    assert_eq!(writes[2].method, Method::Patch);
    // The method alone would not allow it: the property is the operation's.
    for method in [Method::Post, Method::Patch] {
        assert_eq!(retry_delay(method, Failure::Network, 0, 2, 0.0), None);
    }
    let create = tailscale_api::keys::create_auth_key("-", &json!({ "tags": ["tag:a"] })).unwrap();
    assert_eq!(create.idempotent, Idempotent(false));
    for req in [
        devices::list("-", &json!({})).unwrap(),
        devices::get(&json!("n1"), &json!({})).unwrap(),
        devices::get_attributes(&json!("n1")).unwrap(),
    ] {
        assert_eq!(req.idempotent, Idempotent(true));
    }
}

#[test]
fn device_models_tolerate_absent_null_and_unknown_fields() {
    let d = decode_device(br#"{"nodeId":"n1","tags":null,"lastSeen":"2026-01-01T00:00:00Z","clientConnectivity":{"mappingVariesByDestIP":true,"latency":{"Dallas":{"latencyMs":60.4,"preferred":true}},"clientSupports":{"hairPinning":null,"udp":true}},"newField":[1]}"#).unwrap();
    assert_eq!(d.node_id.as_deref(), Some("n1"));
    assert_eq!(d.tags, None);
    let c = d.client_connectivity.unwrap();
    assert_eq!(c.mapping_varies_by_dest_ip, Some(true));
    assert_eq!(c.latency.unwrap()["Dallas"].latency_ms, Some(60.4));
    assert_eq!(c.client_supports.unwrap().hair_pinning, None);
    assert_eq!(d.extra.get("newField"), Some(&json!([1])));
    assert!(decode_device(b"{}").is_ok());
    assert_eq!(
        decode_device_list(br#"{"devices":[{"id":"1"},{"id":"2"}]}"#)
            .unwrap()
            .len(),
        2
    );
    assert!(decode_device_list(b"{}").unwrap().is_empty());
    let a = decode_attributes(br#"{"attributes":{"custom:score":80,"custom:ok":true,"node:os":"linux"},"expiries":{"custom:score":"2026-01-01T00:00:00Z"}}"#).unwrap();
    let attrs = a.attributes.unwrap();
    assert_eq!(attrs["custom:score"], AttributeValue::Number(80.0));
    assert_eq!(attrs["custom:ok"], AttributeValue::Boolean(true));
    assert_eq!(attrs["node:os"], AttributeValue::String("linux".into()));
    assert!(decode_attributes(b"{}").unwrap().attributes.is_none());
}

#[test]
fn device_responses_are_checked_for_shape() {
    let head = ResponseHead::status(200);
    let get = devices::get(&json!("n1"), &json!({})).unwrap();
    assert!(check_response(
        &get,
        head,
        br#"{"nodeId":"n1","distro":{"name":"x"},"extra":{}}"#,
        0
    )
    .is_ok());
    for bad in [
        &br#"{"nodeId":"n1","tags":"tag:a"}"#[..],
        br#"{"nodeId":"n1","authorized":"yes"}"#,
        br#"{"nodeId":"n1","distro":"ubuntu"}"#,
        br#"{"nodeId":"n1","clientConnectivity":[1]}"#,
        br#"{"id":"1"}"#,
        br#"{"nodeId":null}"#,
    ] {
        assert!(
            matches!(
                check_response(&get, head, bad, 0),
                Err(Error::Response { .. })
            ),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    let list = devices::list("-", &json!({})).unwrap();
    assert!(check_response(&list, head, br#"{"devices":[{"nodeId":"n1","id":"1"}]}"#, 0).is_ok());
    assert!(check_response(&list, head, br#"{"devices":[{"nodeId":"n1","id":1}]}"#, 0).is_err());
    assert!(check_response(&list, head, br#"{"devices":[{"id":"1"}]}"#, 0).is_err());
    let attrs = devices::get_attributes(&json!("n1")).unwrap();
    assert!(check_response(
        &attrs,
        head,
        br#"{"attributes":{"a":1,"b":"x","c":false},"expiries":{}}"#,
        0
    )
    .is_ok());
    for bad in [
        &br#"{"attributes":{"a":null}}"#[..],
        br#"{"attributes":{"a":[1]}}"#,
        br#"{"attributes":[]}"#,
        br#"{"expiries":{"a":1}}"#,
    ] {
        assert!(check_response(&attrs, head, bad, 0).is_err());
    }
    // The batch update answers `null`; deleting answers an empty body. Neither is read.
    let patch =
        devices::update_attributes("-", &json!({ "nodes": { "n1": { "custom:a": null } } }))
            .unwrap();
    assert!(check_response(&patch, head, b"null", 0).is_ok());
    let del = devices::delete_attribute(&json!("n1"), &json!("custom:a")).unwrap();
    assert!(check_response(&del, head, b"", 0).is_ok());
}
