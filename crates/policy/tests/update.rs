//! `policy.update`'s decisions, natively: after the edit ran, and after a write failed.

use serde_json::json;
use tailscale_policy::update::{AfterEdit, AfterFailure, UpdateLoop, DEFAULT_MAX_ATTEMPTS};
use tailscale_wire::http::Failure;

fn api(status: u16) -> Option<Failure> {
    Some(Failure::Status {
        status,
        retry_after_ms: None,
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
    assert_eq!(state.after_failure(api(412)), AfterFailure::Reread);
    assert!(!state.maybe_written, "a 412 wrote nothing");
    state.begin_round();
    let lost = Some(Failure::Network);
    assert_eq!(state.after_failure(lost), AfterFailure::Reread);
    assert!(state.maybe_written, "a lost answer may hide a write");
    state.begin_round();
    // The next read shows the edit already made: done, and it did change the file.
    assert_eq!(state.after_edit(true), AfterEdit::Done { changed: true });
    for status in [502, 503, 504] {
        let mut s = UpdateLoop::parse(&json!({})).unwrap();
        s.begin_round();
        assert_eq!(
            s.after_failure(api(status)),
            AfterFailure::Reread,
            "{status}"
        );
    }
    for fatal in [api(400), api(403), api(500), None] {
        let mut s = UpdateLoop::parse(&json!({})).unwrap();
        s.begin_round();
        assert_eq!(s.after_failure(fatal), AfterFailure::Fail, "{fatal:?}");
    }
    let mut two = UpdateLoop::parse(&json!({ "maxAttempts": 2, "signal": null })).unwrap();
    two.begin_round();
    assert_eq!(two.after_failure(api(412)), AfterFailure::Reread);
    two.begin_round();
    assert_eq!(
        two.after_failure(api(412)),
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
