//! The retry policy: what is retried on which method, and how long to wait.

use serde_json::json;
use tailscale_api::auth::{oauth_token_request, token_exchange_request, Secret};
use tailscale_wire::http::{
    deleted_by_earlier_attempt, retry_delay, retryable, Failure, HttpRequest, Idempotent,
    MAX_RETRY_DELAY_MS,
};
use tailscale_wire::method::Method;

const ALL: [Method; 4] = [Method::Get, Method::Post, Method::Put, Method::Delete];

fn status(status: u16, retry_after_ms: Option<u64>) -> Failure {
    Failure::Status {
        status,
        retry_after_ms,
    }
}

#[test]
fn rate_limits_are_retried_on_every_method() {
    for m in ALL {
        assert_eq!(
            retry_delay(m, status(429, Some(1500)), 0, 2, 0.5),
            Some(1500),
            "{m:?}"
        );
        assert!(
            retry_delay(m, status(429, None), 0, 2, 0.5).is_some(),
            "{m:?}"
        );
    }
}

#[test]
fn gateway_errors_and_network_failures_are_retried_only_when_idempotent() {
    for f in [
        status(502, None),
        status(503, None),
        status(504, None),
        Failure::Network,
        Failure::Timeout,
    ] {
        for m in [Method::Get, Method::Put, Method::Delete] {
            assert!(retry_delay(m, f, 0, 2, 0.0).is_some(), "{m:?} {f:?}");
        }
        assert_eq!(
            retry_delay(Method::Post, f, 0, 2, 0.0),
            None,
            "POST {f:?} may have minted a key"
        );
    }
}

#[test]
fn other_statuses_are_final() {
    for s in [400, 401, 403, 404, 409, 500, 501] {
        for m in ALL {
            assert_eq!(
                retry_delay(m, status(s, None), 0, 2, 0.0),
                None,
                "{s} {m:?}"
            );
        }
    }
}

#[test]
fn max_retries_bounds_the_attempts() {
    assert!(retry_delay(Method::Get, Failure::Network, 1, 2, 0.0).is_some());
    assert_eq!(retry_delay(Method::Get, Failure::Network, 2, 2, 0.0), None);
    assert_eq!(retry_delay(Method::Get, status(429, None), 0, 0, 0.0), None);
}

#[test]
fn a_retry_after_beyond_the_cap_fails_at_once() {
    // An earlier attempt would be refused again: the error says when instead (retryAfterMs).
    for s in [429, 503] {
        assert_eq!(
            retry_delay(Method::Get, status(s, Some(MAX_RETRY_DELAY_MS)), 0, 2, 0.0),
            Some(MAX_RETRY_DELAY_MS),
            "{s}: the cap itself is waited"
        );
        for ms in [MAX_RETRY_DELAY_MS + 1, 3_600_000, u64::MAX] {
            assert_eq!(
                retry_delay(Method::Get, status(s, Some(ms)), 0, 2, 0.0),
                None
            );
            // Still safe to try again later.
            assert!(retryable(Method::Get, status(s, Some(ms))));
        }
    }
}

#[test]
fn retry_after_is_honoured_on_503_as_on_429() {
    for s in [429, 502, 503, 504] {
        assert_eq!(
            retry_delay(Method::Get, status(s, Some(1_500)), 0, 2, 0.9),
            Some(1_500),
            "{s}"
        );
        assert_eq!(
            retry_delay(Method::Get, status(s, Some(0)), 1, 2, 0.9),
            Some(0)
        );
    }
    // A 503 with Retry-After on a create still may have been processed: not retried.
    assert_eq!(
        retry_delay(Method::Post, status(503, Some(1_000)), 0, 2, 0.0),
        None
    );
    assert!(!retryable(Method::Post, status(503, Some(1_000))));
}

#[test]
fn retryable_is_the_policy_without_the_attempt_budget() {
    let cases = [
        (status(429, None), true, true),
        (status(502, None), true, false),
        (status(503, None), true, false),
        (status(504, None), true, false),
        (Failure::Network, true, false),
        (Failure::Timeout, true, false),
        (status(400, None), false, false),
        (status(401, None), false, false),
        (status(404, None), false, false),
        (status(412, None), false, false),
        (status(500, None), false, false),
        (status(307, None), false, false),
        (status(0, None), false, false),
    ];
    for (failure, idempotent, create) in cases {
        assert_eq!(
            retryable(Idempotent(true), failure),
            idempotent,
            "{failure:?}"
        );
        assert_eq!(retryable(Idempotent(false), failure), create, "{failure:?}");
        // Wherever retry_delay retries, the failure is retryable, and the other way round while
        // attempts are left.
        for op in [Idempotent(true), Idempotent(false)] {
            assert_eq!(
                retry_delay(op, failure, 0, 2, 0.5).is_some(),
                retryable(op, failure),
                "{failure:?} {op:?}"
            );
            assert_eq!(retry_delay(op, failure, 2, 2, 0.5), None);
        }
    }
}

#[test]
fn token_requests_are_retried_on_gateway_errors_and_lost_answers() {
    let oauth = oauth_token_request("c", &Secret::new("s".into()), &[], &[]);
    let exchange = token_exchange_request("c", &Secret::new("a.b.c".into()));
    for req in [&oauth, &exchange] {
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.idempotent, Idempotent(true), "{}", req.path);
        for f in [
            status(502, None),
            status(503, None),
            status(504, None),
            Failure::Network,
            Failure::Timeout,
            status(429, None),
        ] {
            assert!(
                retry_delay(req.idempotent, f, 0, 2, 0.0).is_some(),
                "{} {f:?}",
                req.path
            );
        }
        for s in [400, 401, 403, 500] {
            assert_eq!(
                retry_delay(req.idempotent, status(s, None), 0, 2, 0.0),
                None
            );
        }
    }
}

#[test]
fn a_delete_that_finds_nothing_after_a_lost_answer_has_succeeded() {
    let delete = HttpRequest::new(
        Method::Delete,
        "/api/v2/tailnet/-/keys/k1".into(),
        tailscale_wire::http::Expect::Nothing,
    );
    let lost = [
        Failure::Network,
        Failure::Timeout,
        status(502, None),
        status(503, None),
        status(504, None),
    ];
    for f in lost {
        assert!(f.maybe_processed(), "{f:?}");
    }
    for f in [status(429, Some(1)), status(500, None), status(404, None)] {
        assert!(!f.maybe_processed(), "{f:?}: the request was not processed");
    }
    assert!(deleted_by_earlier_attempt(&delete, 404, true));
    // A first attempt's 404 is a real 404, and so is one after a 429.
    assert!(!deleted_by_earlier_attempt(&delete, 404, false));
    assert!(!deleted_by_earlier_attempt(&delete, 403, true));
    let custom = tailscale_api::request::build(
        "-",
        &json!({"method": "DELETE", "path": "/device/n1"}),
        |_| None,
    )
    .unwrap();
    assert!(deleted_by_earlier_attempt(&custom, 404, true));
    for method in [Method::Get, Method::Put, Method::Post, Method::Patch] {
        let other = HttpRequest::new(method, "/x".into(), tailscale_wire::http::Expect::Nothing);
        assert!(!deleted_by_earlier_attempt(&other, 404, true), "{method:?}");
    }
}

#[test]
fn backoff_grows_from_250ms_with_jitter_and_a_cap() {
    let d = |n, j| retry_delay(Method::Get, Failure::Network, n, 100, j).unwrap();
    assert_eq!((d(0, 0.0), d(0, 0.999_999)), (125, 249));
    assert_eq!((d(1, 0.0), d(2, 0.0)), (250, 500));
    assert!(d(10, 1.0) <= MAX_RETRY_DELAY_MS && d(10, 0.0) >= MAX_RETRY_DELAY_MS / 2);
    assert!(d(60, 0.5) <= MAX_RETRY_DELAY_MS);
    // Bad randomness cannot produce a bad wait.
    assert_eq!(d(0, f64::NAN), 125);
    assert_eq!(d(0, -3.0), 125);
    assert!(d(0, 7.0) <= 250);
}
