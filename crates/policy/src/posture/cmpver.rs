//! Tailscale's version order (`util/cmpver`), for ordering operators on quoted values.

use std::cmp::Ordering;

/// Whether `s` reads as a version for an ordering operator: it starts with an ASCII digit
/// (`1.60`, `14.2.1`, `6.5.0-14-generic`). Any string orders by `cmpver`; this only tells a
/// version from text such as `'gold'`, which would order by its letters.
pub fn is_version(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

/// Compares two versions the way Tailscale's `util/cmpver/version.go` (`Compare`) does: each
/// is read as pairs of a run of non-digits then a run of digits; text runs compare byte by
/// byte, digit runs as integers; a missing text run is empty and a missing digit run is 0. So
/// `1.9 < 1.86.2`, `1.40 < 1.40.0` (the empty run after `1.40` sorts before `.`),
/// `1.01 == 1.1`, and `1.40.0-pre > 1.40.0` (a trailing `-pre` is more text, not a pre-release).
/// Only ASCII digits are digits, as in the Go code since tailscale/tailscale#9741 (`isnum`).
/// One difference, where the Go code panics: digit runs of any length compare (by length
/// without leading zeros, then digit by digit), where Go's ParseUint overflows past 2^64.
pub fn cmpver(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    while !a.is_empty() || !b.is_empty() {
        let (text_a, rest_a) = split_run(a, false);
        let (text_b, rest_b) = split_run(b, false);
        let order = text_a.cmp(text_b);
        if order != Ordering::Equal {
            return order;
        }
        let (digits_a, rest_a) = split_run(rest_a, true);
        let (digits_b, rest_b) = split_run(rest_b, true);
        let order = compare_digits(digits_a, digits_b);
        if order != Ordering::Equal {
            return order;
        }
        (a, b) = (rest_a, rest_b);
    }
    Ordering::Equal
}

/// The leading run of digits (or of non-digits), and the rest.
fn split_run(s: &[u8], digits: bool) -> (&[u8], &[u8]) {
    let n = s
        .iter()
        .position(|b| b.is_ascii_digit() != digits)
        .unwrap_or(s.len());
    s.split_at_checked(n).unwrap_or((s, &[]))
}

/// Two runs of ASCII digits as integers of any size; an empty run is 0.
fn compare_digits(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |s: &[u8]| -> usize { s.iter().position(|&d| d != b'0').unwrap_or(s.len()) };
    let a = a.get(strip(a)..).unwrap_or_default();
    let b = b.get(strip(b)..).unwrap_or_default();
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}
