//! The token cache, token responses, and the local ID-token check. The clock is a number.

use base64::Engine;
use tailscale_api::auth::{
    check_id_token, decode_token, jwt_exp, Acquire, Secret, TokenCache, TokenResponse,
};
use tailscale_wire::error::Error;

const NOW: u64 = 1_784_000_000_000;

fn response(token: &str, expires_in: Option<f64>) -> TokenResponse {
    TokenResponse {
        access_token: token.into(),
        token_type: Some("Bearer".into()),
        expires_in,
        scope: None,
    }
}

fn jwt(payload: &str) -> String {
    let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!("{}.{}.sig", enc(r#"{"alg":"RS256"}"#), enc(payload))
}

#[test]
fn first_caller_mints_the_rest_wait() {
    let mut cache = TokenCache::default();
    assert_eq!(cache.acquire(NOW), Acquire::Mint);
    for _ in 0..19 {
        assert_eq!(cache.acquire(NOW), Acquire::Wait);
    }
    let token = cache.minted(&response("t1", Some(3600.0)), NOW).unwrap();
    assert_eq!(token.expose(), "t1");
    assert_eq!(
        cache.acquire(NOW + 1000),
        Acquire::Ready(Secret::new("t1".into()))
    );
}

#[test]
fn tokens_are_reminted_sixty_seconds_before_expiry() {
    let mut cache = TokenCache::default();
    cache.acquire(NOW);
    cache.minted(&response("t1", Some(3600.0)), NOW).unwrap();
    assert!(matches!(cache.acquire(NOW + 3_539_999), Acquire::Ready(_)));
    assert_eq!(cache.acquire(NOW + 3_540_000), Acquire::Mint);
}

#[test]
fn odd_lifetimes() {
    // Missing: Tailscale's documented hour.
    let mut cache = TokenCache::default();
    cache.acquire(NOW);
    cache.minted(&response("t", None), NOW).unwrap();
    assert!(matches!(cache.acquire(NOW + 3_000_000), Acquire::Ready(_)));
    // Zero or within the margin: usable by this flight, never reused.
    for secs in [0.0, 30.0, -5.0] {
        let mut cache = TokenCache::default();
        cache.acquire(NOW);
        assert!(cache.minted(&response("t", Some(secs)), NOW).is_ok());
        assert_eq!(cache.acquire(NOW), Acquire::Mint, "{secs}");
    }
    // Huge: saturates instead of overflowing.
    let mut cache = TokenCache::default();
    cache.acquire(NOW);
    cache.minted(&response("t", Some(1e300)), NOW).unwrap();
    assert!(matches!(
        cache.acquire(NOW + 10 * 365 * 86_400_000),
        Acquire::Ready(_)
    ));
}

#[test]
fn a_failed_mint_lets_the_next_caller_try_again() {
    let mut cache = TokenCache::default();
    assert_eq!(cache.acquire(NOW), Acquire::Mint);
    cache.mint_failed();
    assert_eq!(cache.acquire(NOW), Acquire::Mint);
}

#[test]
fn unusable_tokens_are_refused() {
    for bad in ["", "has space", "new\nline"] {
        let mut cache = TokenCache::default();
        cache.acquire(NOW);
        assert!(
            cache.minted(&response(bad, Some(3600.0)), NOW).is_err(),
            "{bad:?}"
        );
        assert_eq!(cache.acquire(NOW), Acquire::Mint);
    }
}

#[test]
fn a_401_drops_only_the_token_it_was_sent_with() {
    let mut cache = TokenCache::default();
    cache.acquire(NOW);
    let t1 = cache.minted(&response("t1", Some(3600.0)), NOW).unwrap();
    cache.invalidate(&t1);
    assert_eq!(cache.acquire(NOW), Acquire::Mint);
    // A concurrent caller's 401 for the old token must not drop the fresh one.
    let t2 = cache.minted(&response("t2", Some(3600.0)), NOW).unwrap();
    cache.invalidate(&t1);
    assert_eq!(cache.acquire(NOW), Acquire::Ready(t2));
}

#[test]
fn token_responses() {
    let t = decode_token(br#"{"access_token":"tskey-api-x","token_type":"Bearer","expires_in":3600,"scope":"all","extra":1}"#).unwrap();
    assert_eq!(
        (t.access_token.as_str(), t.expires_in),
        ("tskey-api-x", Some(3600.0))
    );
    assert!(decode_token(br#"{"access_token":"x"}"#).is_some());
    assert!(decode_token(br#"{"token":"x"}"#).is_none());
    assert!(decode_token(br#"{"access_token":5}"#).is_none());
    assert_eq!(
        decode_token(br#"{"access_token":"x","expires_in":"60"}"#)
            .unwrap()
            .expires_in,
        Some(60.0)
    );
    assert_eq!(
        decode_token(br#"{"access_token":"x","expires_in":"soon"}"#)
            .unwrap()
            .expires_in,
        None
    );
    assert_eq!(
        decode_token(br#"{"access_token":"x","expires_in":[1]}"#)
            .unwrap()
            .expires_in,
        None
    );
    assert!(!format!("{t:?}").contains("tskey-api-x"));
}

#[test]
fn jwt_expiry_is_read_without_verification() {
    assert_eq!(
        jwt_exp(&jwt(r#"{"exp":1784000100,"sub":"x"}"#)),
        Ok(Some(1_784_000_100.0))
    );
    assert_eq!(jwt_exp(&jwt(r#"{"sub":"x"}"#)), Ok(None));
    assert!(jwt_exp("not-a-jwt").is_err());
    assert!(jwt_exp("a.b").is_err());
    assert!(jwt_exp("a.b.c.d").is_err());
    assert!(jwt_exp("a.!!!.c").is_err());
    assert!(jwt_exp(&jwt("[1]")).is_err());
    assert!(jwt_exp(&jwt(r#"{"exp":"soon"}"#)).is_err());
    // Padded base64url is accepted too.
    let padded = format!(
        "h.{}.s",
        base64::engine::general_purpose::URL_SAFE.encode(r#"{"exp":1}"#)
    );
    assert_eq!(jwt_exp(&padded), Ok(Some(1.0)));
}

#[test]
fn expired_or_malformed_id_tokens_are_refused_locally() {
    assert!(check_id_token(&jwt(r#"{"exp":1784000100}"#), NOW).is_ok());
    assert!(check_id_token(&jwt(r#"{"iss":"x"}"#), NOW).is_ok());
    // 60 s of clock skew: at its `exp`, and up to a minute past it, the server decides.
    assert!(check_id_token(&jwt(r#"{"exp":1784000000}"#), NOW).is_ok());
    assert!(check_id_token(&jwt(r#"{"exp":1783999941}"#), NOW).is_ok());
    assert!(check_id_token(&jwt(r#"{"exp":1783999940}"#), NOW).is_err());
    let token = jwt(r#"{"exp":1783999900}"#);
    match check_id_token(&token, NOW) {
        Err(Error::Validation(issues)) => {
            assert_eq!(issues[0].field, "federated.idToken");
            assert!(issues[0].message.contains("expired"));
            assert!(!issues[0].message.contains(&token));
        }
        other => panic!("{other:?}"),
    }
    assert!(check_id_token("", NOW).is_err());
    assert!(check_id_token("garbage", NOW).is_err());
}
