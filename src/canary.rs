//! Planted bugs that prove the fuzzers bite (`make fuzz-canary`, RELIABILITY.md). Compiled only
//! with `--cfg fuzz_canary`, which only `scripts/fuzz.mjs canary` passes; each panics on a rare
//! input with a message holding "fuzz canary". `tests/js/canary.test.mjs` checks that the
//! released wasm carries neither `TAILSCALE_WASM_FUZZ_CANARY`'s bytes nor that text.
#![allow(clippy::panic)]

/// Kept in any build that compiles this module, so that a check of the shipped wasm can tell.
#[no_mangle]
#[used]
pub static TAILSCALE_WASM_FUZZ_CANARY: [u8; 26] = *b"tailscale-wasm fuzz canary";

/// The callback's state, once decoded, still holds a percent-escape: a nested escape such as
/// `state=%2541` (rare for a random generator; the fuzzer learns it from the decoder's branches).
pub fn callback_state(state: Option<&String>) {
    let nested = state.is_some_and(|s| {
        s.as_bytes()
            .windows(3)
            .any(|w| matches!(w, [b'%', h, l] if h.is_ascii_hexdigit() && l.is_ascii_hexdigit()))
    });
    if nested {
        panic!("fuzz canary: a nested percent-escape in the callback's state");
    }
}

/// A comment between a member's name and its colon: `{"a" /* why */: 1}`.
pub fn comment_before_colon(bytes: &[u8], name_end: usize, colon: usize) {
    if bytes
        .get(name_end..colon)
        .is_some_and(|between| between.contains(&b'/'))
    {
        panic!("fuzz canary: a comment between a name and its colon");
    }
}

/// `NOT SET` on a `node:` attribute: `node:os NOT SET`.
pub fn not_set_on_node(attribute: &impl AsRef<str>, operator: crate::posture::Operator) {
    if operator == crate::posture::Operator::NotSet && attribute.as_ref().starts_with("node:") {
        panic!("fuzz canary: NOT SET on a node: attribute");
    }
}
