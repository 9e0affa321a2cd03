//! `client.request`: any endpoint, checked before it is sent.

use serde_json::{json, Value};
use tailscale_api::request::{api_path, build};
use tailscale_wire::error::Error;
use tailscale_wire::http::{Expect, HttpRequest, Idempotent};
use tailscale_wire::method::Method;

fn stringify(v: &&Value) -> Option<String> {
    serde_json::to_string(v).ok()
}

fn ok(tailnet: &str, options: Value) -> HttpRequest {
    build(tailnet, &options, stringify).unwrap_or_else(|e| panic!("{options}: {e:?}"))
}

fn check_path(path: &str) -> Result<(), &'static str> {
    api_path(path, "-").map(drop)
}

fn issues(options: Value) -> Vec<(String, String)> {
    match build("-", &options, stringify) {
        Err(Error::Validation(issues)) => {
            issues.into_iter().map(|i| (i.field, i.message)).collect()
        }
        other => panic!("{options}: {other:?}"),
    }
}

fn fields(options: Value) -> Vec<String> {
    issues(options).into_iter().map(|(f, _)| f).collect()
}

#[test]
fn a_get_with_a_query_under_api_v2() {
    let req = ok(
        "example.com",
        json!({ "method": "GET", "path": "/device/n1CNTRL/routes", "query": { "fields": "all", "limit": 10, "on": true, "tag": ["tag:a", "tag:b c"], "skip": null } }),
    );
    assert_eq!(req.method, Method::Get);
    assert_eq!(req.path, "/api/v2/device/n1CNTRL/routes");
    assert_eq!(
        req.query,
        "?fields=all&limit=10&on=true&tag=tag%3Aa&tag=tag%3Ab%20c"
    );
    assert_eq!(req.body, None);
    assert!(req.authenticated);
    assert_eq!(req.accept, Some("application/json"));
    assert!(matches!(req.expect, Expect::Json));
    assert_eq!(req.idempotent, Idempotent(true));
    // Parameter names are encoded too: they are the caller's, not ours.
    assert_eq!(
        ok(
            "-",
            json!({ "method": "GET", "path": "/x", "query": { "a&b=c": "1" } })
        )
        .query,
        "?a%26b%3Dc=1"
    );
    assert_eq!(
        ok("-", json!({ "method": "GET", "path": "/x", "query": {} })).query,
        ""
    );
    assert_eq!(
        ok(
            "-",
            json!({ "method": "GET", "path": "/x", "query": { "n": 1.5 } })
        )
        .query,
        "?n=1.5"
    );
}

#[test]
fn the_tailnet_placeholder_is_the_clients_tailnet_encoded() {
    let req = ok(
        "ex ample/..",
        json!({ "method": "GET", "path": "/tailnet/{tailnet}/dns/nameservers" }),
    );
    assert_eq!(req.path, "/api/v2/tailnet/ex%20ample%2F../dns/nameservers");
    assert_eq!(
        ok(
            "-",
            json!({ "method": "GET", "path": "/tailnet/{tailnet}" })
        )
        .path,
        "/api/v2/tailnet/-"
    );
}

#[test]
fn bodies_are_json_and_only_where_they_belong() {
    let req = ok(
        "-",
        json!({ "method": "POST", "path": "/device/n1/tags", "body": { "tags": ["tag:a"], "n": 1, "deep": [[{"x": null}]] } }),
    );
    assert_eq!(
        req.body.as_deref(),
        Some(r#"{"deep":[[{"x":null}]],"n":1,"tags":["tag:a"]}"#)
    );
    assert_eq!(req.content_type, Some("application/json"));
    assert_eq!(
        req.idempotent,
        Idempotent(false),
        "a POST is never retried unless told"
    );
    let told = ok(
        "-",
        json!({ "method": "POST", "path": "/device/n1/tags", "body": {}, "idempotent": true }),
    );
    assert_eq!(told.idempotent, Idempotent(true));
    let patch = ok(
        "-",
        json!({ "method": "PATCH", "path": "/x", "body": [1, "a", false] }),
    );
    assert_eq!(
        (patch.idempotent, patch.body.as_deref()),
        (Idempotent(false), Some(r#"[1,"a",false]"#))
    );
    for m in ["PUT", "DELETE"] {
        assert_eq!(
            ok("-", json!({ "method": m, "path": "/x" })).idempotent,
            Idempotent(true),
            "{m}"
        );
        assert_eq!(
            ok(
                "-",
                json!({ "method": m, "path": "/x", "idempotent": false })
            )
            .idempotent,
            Idempotent(false)
        );
    }
    assert_eq!(
        ok(
            "-",
            json!({ "method": "DELETE", "path": "/x", "body": "text" })
        )
        .body
        .as_deref(),
        Some(r#""text""#)
    );
    assert_eq!(
        fields(json!({ "method": "GET", "path": "/x", "body": {} })),
        ["body"]
    );
    // A body JSON cannot write.
    let refused = build(
        "-",
        &json!({ "method": "POST", "path": "/x", "body": {} }),
        |_| None,
    );
    assert!(
        matches!(refused, Err(Error::Validation(ref i)) if i[0].field == "body"),
        "{refused:?}"
    );
}

#[test]
fn every_problem_at_once() {
    assert_eq!(
        fields(
            json!({ "method": "get", "path": "x", "query": "a=1", "idempotent": "yes", "other": 1 })
        ),
        ["method", "path", "query", "idempotent", "other"]
    );
    assert_eq!(fields(json!({})), ["method", "path"]);
    assert_eq!(fields(json!(null)), ["", "method", "path"]);
    assert_eq!(
        fields(
            json!({ "method": "GET", "path": "/x", "query": { "a": {}, "b": [1, [2]], "": "x" } })
        ),
        // serde_json orders members by name: "" first.
        [r#"query[""]"#, "query.a", "query.b"]
    );
    let empty = issues(json!({ "method": "GET", "path": "/x", "query": { "": "x" } }));
    assert_eq!(empty[0].1, "must not be an empty parameter name");
    let (_, message) = &issues(json!({ "method": "TRACE", "path": "/x" }))[0];
    assert_eq!(message, "must be GET, POST, PUT, PATCH or DELETE");
}

#[test]
fn paths_stay_under_api_v2() {
    for good in [
        "/x",
        "/device/n1/routes",
        "/tailnet/{tailnet}/keys",
        "/a/b%2Fc/d",
        "/a:b@c!$&'()*+,;=-._~",
        "/...",
        "/a..b",
    ] {
        assert_eq!(check_path(good), Ok(()), "{good}");
    }
    let bad = [
        ("", "must start with"),
        ("x", "must start with"),
        ("https://evil.example/x", "must start with"),
        ("//evil.example/x", "empty"),
        ("/api/v2/tailnet/-/keys", "leave out the /api/v2 prefix"),
        ("/api/v2", "leave out the /api/v2 prefix"),
        ("/keys?all=true", "query"),
        ("/keys#x", "query"),
        ("/a/../oauth/token", "\"..\""),
        ("/a/./b", "\"..\""),
        ("/..", "\"..\""),
        ("/a/%2e%2E/b", "\"..\""),
        ("/a/.%2e", "\"..\""),
        ("/a/%2e", "\"..\""),
        ("/a\\..\\b", "URL path characters"),
        ("/a/.\t./b", "URL path characters"),
        ("/a b", "URL path characters"),
        ("/devices/{deviceId}", "URL path characters"),
        ("/tailnet/x{tailnet}", "URL path characters"),
        ("/caf\u{e9}", "URL path characters"),
        ("/a/", "empty"),
        ("/a//b", "empty"),
    ];
    for (path, why) in bad {
        let message = check_path(path).expect_err(path);
        assert!(message.contains(why), "{path}: {message}");
    }
}

#[test]
fn a_query_or_a_message_never_carries_what_it_should_not() {
    // Errors report the path from /api/v2, without the query (tests/responses.rs).
    let req = ok(
        "-",
        json!({ "method": "GET", "path": "/x", "query": { "token": "SECRET" } }),
    );
    assert!(!req.path.contains("SECRET"));
    assert!(req.target().ends_with("?token=SECRET"));
    // What the request's errors say: the method and path, never the query's values, even
    // when the runtime's own message quotes the whole URL (Deno, node-fetch).
    let head = tailscale_wire::http::ResponseHead::status(404);
    let api = tailscale_wire::http::check_response_bytes(&req, head, br#"{"message":"nope"}"#, 0)
        .unwrap_err()
        .message();
    assert_eq!(api, "GET /api/v2/x failed with 404: nope");
    let quoted = "error sending request for url (https://api.example/api/v2/x?token=SECRET)";
    let network = req.network_error(quoted.into()).message();
    assert!(
        network.starts_with("GET /api/v2/x could not be completed: "),
        "{network}"
    );
    assert!(!network.contains("SECRET"), "{network}");
    let plain = req.network_error("connection refused".into()).message();
    assert!(plain.ends_with(": connection refused"), "{plain}");
}
