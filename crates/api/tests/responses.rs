//! Response decoding and status mapping: tolerant models, typed errors, Retry-After.

use serde_json::json;
use tailscale_api::devices;
use tailscale_api::keys::{self, decode_key, decode_key_list};
use tailscale_api::oauth_apps::{self, decode_app, decode_app_list};
use tailscale_wire::error::Error;
use tailscale_wire::http::{
    check_response_bytes as check_response, parse_retry_after, ResponseHead,
    DEFAULT_MAX_RESPONSE_BYTES,
};

const NOW: u64 = 1_784_000_000_000; // 2026-07-14T03:33:20Z

fn head(status: u16) -> ResponseHead<'static> {
    ResponseHead::status(status)
}

#[test]
fn key_model_tolerates_absent_null_and_unknown_fields() {
    let k = decode_key(br#"{"id":"k1","keyType":"auth","expires":null,"newField":{"x":1},"capabilities":{"devices":{"create":{"reusable":true,"futureFlag":2}}}}"#).unwrap();
    assert_eq!(k.id.as_deref(), Some("k1"));
    assert_eq!(k.expires, None);
    assert_eq!(k.extra.get("newField"), Some(&json!({ "x": 1 })));
    let create = k.capabilities.unwrap().devices.unwrap().create.unwrap();
    assert_eq!(create.reusable, Some(true));
    assert_eq!(create.extra.get("futureFlag"), Some(&json!(2)));
    assert!(decode_key(b"{}").is_ok());
    // Unknown key types pass through rather than failing the call.
    assert_eq!(
        decode_key(br#"{"keyType":"brand-new"}"#)
            .unwrap()
            .key_type
            .as_deref(),
        Some("brand-new")
    );
}

#[test]
fn key_lists_and_app_lists() {
    assert_eq!(
        decode_key_list(br#"{"keys":[{"id":"a"},{"id":"b"}]}"#)
            .unwrap()
            .len(),
        2
    );
    assert!(decode_key_list(b"{}").unwrap().is_empty());
    assert!(decode_key_list(br#"{"keys":null}"#).unwrap().is_empty());
    assert!(decode_key_list(br#"{"keys":"nope"}"#).is_err());
    assert!(decode_key_list(br#"{"keys":[5]}"#).is_err());
    let apps = decode_app_list(br#"{"oauthApps":[{"id":"a","redirectURIs":["https://x"],"allowedNodeAttributes":["custom:a"]}]}"#).unwrap();
    assert_eq!(
        apps[0].redirect_uris.as_deref(),
        Some(&["https://x".to_string()][..])
    );
    assert!(decode_app(br#"{"name":5}"#).is_err());
}

#[test]
fn secrets_do_not_show_in_debug_output() {
    let k = decode_key(br#"{"id":"k1","key":"tskey-auth-SECRET"}"#).unwrap();
    assert!(!format!("{k:?}").contains("SECRET"));
    let a = decode_app(br#"{"id":"a1","clientSecret":"SECRET"}"#).unwrap();
    assert!(!format!("{a:?}").contains("SECRET"));
}

#[test]
fn successful_bodies_must_have_the_operation_shape() {
    let get = keys::get("-", &json!("k1")).unwrap();
    assert!(check_response(&get, head(200), br#"{"id":"k1"}"#, NOW).is_ok());
    for (body, want) in [
        (&b""[..], "empty body"),
        (b"   ", "empty body"),
        (b"{\"id\":\"k1\"", "truncated"),
        (b"<html>oops</html>", "not valid JSON"),
        (b"[1,2]", "unexpected shape"),
        (b"{\"id\": 5}", "unexpected shape"),
        (b"null", "unexpected shape"),
    ] {
        match check_response(&get, head(200), body, NOW) {
            Err(Error::Response {
                status: 200,
                reason,
                path,
                ..
            }) => {
                assert!(reason.contains(want), "{body:?}: {reason}");
                assert_eq!(path, "/api/v2/tailnet/-/keys/k1");
            }
            other => panic!("{body:?}: {other:?}"),
        }
    }
    // DELETE ignores its body, empty or not.
    let del = oauth_apps::delete("-", &json!("a1")).unwrap();
    assert!(check_response(&del, head(200), b"", NOW).is_ok());
    assert!(check_response(&del, head(204), b"{}", NOW).is_ok());
}

/// The reason of the `TailscaleResponseError` a 200 answer gets, or `None` when it passes.
fn shape_error(req: &tailscale_wire::http::HttpRequest, body: &[u8]) -> Option<String> {
    match check_response(req, head(200), body, NOW) {
        Ok(()) => None,
        Err(Error::Response { reason, .. }) => Some(reason),
        Err(other) => panic!("{}: {other:?}", String::from_utf8_lossy(body)),
    }
}

#[test]
fn fields_the_declarations_promise_must_be_there() {
    // The TypeScript types say `Key.id: string`, `OAuthApp.id: string`, `Device.nodeId:
    // string`; an answer without one is an error, never an `undefined` typed as a string.
    let missing = |field: &str| format!("JSON body has an unexpected shape (`{field}` is missing)");
    let get_key = keys::get("-", &json!("k1")).unwrap();
    let get_app = oauth_apps::get("-", &json!("a1")).unwrap();
    let get_device = devices::get(&json!("n1"), &json!({})).unwrap();
    for (req, body, field) in [
        (&get_key, &br#"{"keyType":"auth"}"#[..], "id"),
        (&get_key, br#"{"id":null}"#, "id"),
        (&get_app, br#"{"name":"app"}"#, "id"),
        (&get_device, br#"{"id":"123","name":"pangolin"}"#, "nodeId"),
    ] {
        assert_eq!(shape_error(req, body), Some(missing(field)));
    }
    // In a list, the error names the item.
    let list = keys::list("-", &json!({})).unwrap();
    assert_eq!(
        shape_error(&list, br#"{"keys":[{"id":"a"},{"keyType":"auth"}]}"#),
        Some(missing("keys[1].id"))
    );
    let devices = devices::list("-", &json!({})).unwrap();
    assert_eq!(
        shape_error(&devices, br#"{"devices":[{"nodeId":"n1"},{"id":"2"}]}"#),
        Some(missing("devices[1].nodeId"))
    );
    // Present but of the wrong type is still that, not "missing".
    assert_eq!(
        shape_error(&get_key, br#"{"id":5}"#).as_deref(),
        Some("JSON body has an unexpected shape (`id` has the wrong type)")
    );
    // Every other field stays optional.
    assert_eq!(shape_error(&get_key, br#"{"id":"k1"}"#), None);
    assert_eq!(shape_error(&get_app, br#"{"id":"a1"}"#), None);
    assert_eq!(shape_error(&get_device, br#"{"nodeId":"n1"}"#), None);
}

#[test]
fn created_answers_must_carry_their_secret() {
    // `createAuthKey` and `createOAuthClient` resolve to `CreatedKey` (`key: string`),
    // `oauthApps.create` to `CreatedOAuthApp` (`clientSecret: string`).
    let auth = keys::create_auth_key("-", &json!({})).unwrap();
    let client = keys::create_oauth_client("-", &json!({ "scopes": ["all:read"] })).unwrap();
    let app = oauth_apps::create(
        "-",
        &json!({ "name": "app", "redirectURIs": ["https://a.example/cb"], "scopes": ["all"] }),
    )
    .unwrap();
    for req in [&auth, &client] {
        assert_eq!(
            shape_error(req, br#"{"id":"k1","keyType":"auth"}"#).as_deref(),
            Some("JSON body has an unexpected shape (`key` is missing)")
        );
        assert_eq!(
            shape_error(req, br#"{"id":"k1","key":"tskey-auth-x"}"#),
            None
        );
        assert!(shape_error(req, br#"{"key":"tskey-auth-x"}"#).is_some());
    }
    assert_eq!(
        shape_error(&app, br#"{"id":"a1","name":"app"}"#).as_deref(),
        Some("JSON body has an unexpected shape (`clientSecret` is missing)")
    );
    assert_eq!(
        shape_error(&app, br#"{"id":"a1","clientSecret":"s"}"#),
        None
    );
    // A federated identity has no secret; the setters and reads answer none either.
    let federated = keys::create_federated_identity(
        "-",
        &json!({ "scopes": ["all:read"], "issuer": "https://i.example", "subject": "s" }),
    )
    .unwrap();
    let set =
        keys::set_oauth_client("-", &json!("k1"), &json!({ "scopes": ["all:read"] })).unwrap();
    let update = oauth_apps::update(
        "-",
        &json!("a1"),
        &json!({ "name": "app", "redirectURIs": ["https://a.example/cb"], "scopes": ["all"] }),
    )
    .unwrap();
    assert_eq!(shape_error(&federated, br#"{"id":"k1"}"#), None);
    assert_eq!(shape_error(&set, br#"{"id":"k1"}"#), None);
    assert_eq!(shape_error(&update, br#"{"id":"a1"}"#), None);
}

#[test]
fn shape_errors_never_quote_the_body() {
    let create = keys::create_auth_key("-", &json!({})).unwrap();
    let body = br#"{"id":"k1","key":"tskey-auth-SECRET","expirySeconds":"tskey-auth-SECRET"}"#;
    let err = check_response(&create, head(200), body, NOW).unwrap_err();
    assert!(!err.to_string().contains("SECRET"), "{err}");
}

#[test]
fn oversized_bodies_are_refused() {
    let list = keys::list("-", &json!({})).unwrap();
    let big = vec![b' '; DEFAULT_MAX_RESPONSE_BYTES + 1];
    match check_response(&list, head(200), &big, NOW) {
        Err(Error::Response { reason, .. }) => {
            assert_eq!(
                reason,
                "body is larger than maxResponseBytes (67108864 bytes)"
            )
        }
        other => panic!("{other:?}"),
    }
    // The caller's limit, as the wasm layer passes it: at the limit is fine, past it is not.
    let body: tailscale_wire::http::Body<&serde_json::Value> = tailscale_wire::http::Body::Empty;
    let within =
        |len, limit| tailscale_wire::http::check_response(&list, head(200), len, &body, NOW, limit);
    assert!(
        matches!(within(1024, 1024), Err(Error::Response { .. })),
        "an empty list body is not JSON"
    );
    match within(1025, 1024) {
        Err(Error::Response { reason, .. }) => assert!(reason.contains("(1024 bytes)"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let any = tailscale_api::request::build("-", &json!({"method": "GET", "path": "/x"}), |_| None)
        .unwrap();
    assert!(tailscale_wire::http::check_response(&any, head(200), 1024, &body, NOW, 1024).is_ok());
    assert!(tailscale_wire::http::check_response(&any, head(200), 1025, &body, NOW, 1024).is_err());
}

#[test]
fn error_statuses_carry_the_api_message_and_data() {
    let list = keys::list("-", &json!({})).unwrap();
    let err = check_response(
        &list,
        head(403),
        br#"{"message":"forbidden here","data":[{"x":1}]}"#,
        NOW,
    )
    .unwrap_err();
    let Error::Api(api) = err else { panic!() };
    assert_eq!(
        (api.status, api.message.as_str(), api.path.as_str()),
        (403, "forbidden here", "/api/v2/tailnet/-/keys")
    );
    assert!(api.has_data);
    assert_eq!(api.method.as_str(), "GET");
    // No usable message: the status text.
    for body in [
        &b"<html>bad gateway</html>"[..],
        b"",
        b"{\"message\":\"\"}",
        b"{\"message\":5}",
    ] {
        let Error::Api(api) = check_response(&list, head(502), body, NOW).unwrap_err() else {
            panic!()
        };
        assert_eq!(api.message, "Bad Gateway");
        assert!(!api.has_data);
    }
}

#[test]
fn redirects_are_api_errors_with_their_location() {
    let create = keys::create_auth_key("-", &json!({})).unwrap();
    for status in [301, 302, 303, 307, 308, 304] {
        let h = ResponseHead {
            status,
            location: Some("https://elsewhere.example/api/v2/tailnet/-/keys"),
            ..Default::default()
        };
        let Error::Api(api) = check_response(&create, h, b"", NOW).unwrap_err() else {
            panic!("{status}")
        };
        assert_eq!(api.status, status);
        assert_eq!(
            api.location.as_deref(),
            Some("https://elsewhere.example/api/v2/tailnet/-/keys")
        );
        assert!(api.message.contains("not followed"), "{}", api.message);
        assert_eq!(api.method.as_str(), "POST");
    }
    // A browser's opaque redirect: status 0, no Location, and a message that says why.
    let Error::Api(api) = check_response(&create, head(0), b"", NOW).unwrap_err() else {
        panic!()
    };
    assert_eq!((api.status, api.location.as_deref()), (0, None));
    assert!(api.message.contains("opaque redirect"), "{}", api.message);
    // Never retried, whatever the method.
    let failure = tailscale_wire::http::Failure::of(&Error::Api(api)).unwrap();
    let get = tailscale_wire::method::Method::Get;
    assert_eq!(
        tailscale_wire::http::retry_delay(get, failure, 0, 2, 0.0),
        None
    );
    // 1xx is not a success either.
    assert!(matches!(
        check_response(&create, head(101), b"", NOW),
        Err(Error::Response { .. })
    ));
}

#[test]
fn retry_after_seconds_and_dates() {
    assert_eq!(parse_retry_after("0", NOW), Some(0));
    assert_eq!(parse_retry_after(" 7 ", NOW), Some(7000));
    assert_eq!(
        parse_retry_after("99999999999999999999999", NOW),
        Some(u64::MAX)
    );
    // 2026-07-14T03:33:30Z is 10 s after NOW.
    assert_eq!(
        parse_retry_after("Tue, 14 Jul 2026 03:33:30 GMT", NOW),
        Some(10_000)
    );
    assert_eq!(
        parse_retry_after("Tue, 14 Jul 2026 03:33:00 GMT", NOW),
        Some(0)
    );
    // RFC 9110 §5.6.7: all three formats name the same instant, 784111777 s after the epoch.
    for date in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ] {
        assert_eq!(
            tailscale_wire::date::parse_http_date_ms(date),
            Some(784_111_777_000)
        );
    }
    // A weekday that does not match, a 30th of February, and a leap day that exists.
    assert_eq!(
        parse_retry_after("Mon, 14 Jul 2026 03:33:30 GMT", NOW),
        None
    );
    assert_eq!(
        parse_retry_after("Mon, 30 Feb 2026 03:33:30 GMT", NOW),
        None
    );
    assert_eq!(
        tailscale_wire::date::parse_http_date_ms("Tue, 29 Feb 2028 00:00:00 GMT"),
        Some(1_835_395_200_000)
    );
    for junk in ["", "-1", "1.5", "soon", "Tue, 99 Jul 2026 03:33:30 GMT"] {
        assert_eq!(parse_retry_after(junk, NOW), None, "{junk:?}");
    }
    let list = keys::list("-", &json!({})).unwrap();
    let h = ResponseHead {
        status: 429,
        retry_after: Some("3"),
        location: None,
    };
    let Error::Api(api) = check_response(&list, h, b"{}", NOW).unwrap_err() else {
        panic!()
    };
    assert_eq!(api.retry_after_ms, Some(3000));
}
