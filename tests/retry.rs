//! The retry policy: what is retried on which method, and how long to wait.

use tailscale_wasm::http::{retry_delay, Failure, Method, MAX_RETRY_DELAY_MS};

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
fn retry_after_is_capped() {
    assert_eq!(
        retry_delay(Method::Get, status(429, Some(3_600_000)), 0, 2, 0.0),
        Some(MAX_RETRY_DELAY_MS)
    );
    assert_eq!(
        retry_delay(Method::Get, status(429, Some(u64::MAX)), 0, 2, 0.0),
        Some(20_000)
    );
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
