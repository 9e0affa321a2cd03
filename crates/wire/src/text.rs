//! String building without `core::fmt`: `format!` pulls the formatting machinery (about 5 KB)
//! into the wasm, and these few shapes are all the core needs.

/// `n` in decimal.
pub fn decimal(n: u64) -> String {
    // Most significant digit first, so that no reversal is needed.
    let mut unit = 1;
    while n / unit >= 10 {
        unit *= 10;
    }
    let mut out = String::new();
    loop {
        out.push(char::from(b'0' + (n / unit % 10) as u8));
        if unit == 1 {
            return out;
        }
        unit /= 10;
    }
}

/// The parts one after another.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// The items with `sep` between them.
pub fn join<'a>(items: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item);
    }
    out
}

/// Whether `needle` occurs in `haystack` (a byte scan, memchr for its first byte before the
/// windows; `str::contains` with a `&str` pattern brings a two-way searcher into the wasm).
pub fn contains(haystack: &str, needle: &str) -> bool {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    match needle.first() {
        None => true,
        Some(first) => hay.contains(first) && hay.windows(needle.len()).any(|w| w == needle),
    }
}

/// `s` split at each `sep`, an ASCII byte, as `str::split` would: a `char` pattern brings a
/// char searcher into the wasm, and an ASCII byte always falls between characters.
pub fn split(s: &str, sep: u8) -> Split<'_> {
    Split { rest: Some(s), sep }
}

/// The pieces of [`split`].
pub struct Split<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let (head, tail) = match split_once(rest, self.sep) {
            Some((head, tail)) => (head, Some(tail)),
            None => (rest, None),
        };
        self.rest = tail;
        Some(head)
    }
}

/// `s` before and after its first `sep`, an ASCII byte (`str::split_once` with a byte scan).
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|b| b == sep)?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// `s` without the run of `b`, an ASCII byte, at its end (`str::trim_end_matches` by bytes).
pub fn trim_end(s: &str, b: u8) -> &str {
    let end = s.bytes().rposition(|c| c != b).map_or(0, |i| i + 1);
    s.get(..end).unwrap_or_default()
}

/// `bytes` as UTF-8, each invalid sequence replaced by U+FFFD as `String::from_utf8_lossy`
/// replaces it (one for each maximal prefix of a valid sequence, or each other byte), through
/// `str::from_utf8`, which the wasm holds anyway, rather than `Utf8Chunks`.
pub fn lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                match e.error_len() {
                    Some(n) => rest = after.get(n..).unwrap_or_default(),
                    None => return out,
                }
            }
        }
    }
}

/// Characters (code points) in `s`. `str::chars().count()` is a fast path whose code is larger
/// than the short strings validated here warrant.
pub fn char_count(s: &str) -> usize {
    s.chars().fold(0, |n, _| n + 1)
}

/// The value of a JSON number (RFC 8259 syntax, already checked by the caller). Not `str::parse::<f64>`: its correctly
/// rounded reader costs 15 KB of gzipped wasm. Significant digits past 19 are dropped; a
/// mantissa below 2^53 with a power of ten up to 10^22 is one exact operation (Clinger's fast
/// path), so rounded once, like any correct reader.
pub fn json_number(raw: &str) -> Option<f64> {
    let (negative, digits) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let (mut mantissa, mut exp, mut significant, mut fraction) = (0u64, 0i64, 0, false);
    for (i, b) in digits.bytes().enumerate() {
        match b {
            b'0'..=b'9' if significant < 19 => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                if mantissa > 0 {
                    significant += 1;
                }
                exp -= i64::from(fraction);
            }
            b'0'..=b'9' => exp += i64::from(!fraction),
            b'.' => fraction = true,
            b'e' | b'E' => {
                let rest = digits.get(i + 1..)?;
                let (sign, rest) = match rest.as_bytes().first() {
                    Some(b'-') => (-1, rest.get(1..)?),
                    Some(b'+') => (1, rest.get(1..)?),
                    _ => (1, rest),
                };
                let e = rest.bytes().fold(0i64, |n, d| {
                    (n * 10 + i64::from(d.wrapping_sub(b'0'))).min(100_000)
                });
                exp += sign * e;
                break;
            }
            _ => return None,
        }
    }
    while mantissa != 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        exp += 1;
    }
    let m = mantissa as f64;
    let value = if mantissa == 0 {
        0.0
    } else if mantissa < 1 << 53 && (0..=22).contains(&exp) {
        m * ten_to(exp)
    } else if mantissa < 1 << 53 && (-22..0).contains(&exp) {
        m / ten_to(-exp)
    } else if exp < -300 {
        // In two steps, so that a tiny power of ten does not underflow before the product.
        m * 1e-300 * 10f64.powi(exp.saturating_add(300).max(-400) as i32)
    } else {
        m * 10f64.powi(exp.min(400) as i32)
    };
    Some(if negative { -value } else { value })
}

/// 10^e for 0 <= e <= 22: each product is exact.
fn ten_to(e: i64) -> f64 {
    (0..e).fold(1.0, |p, _| p * 10.0)
}

/// `s` as a JSON string literal.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    json_string(&mut out, s);
    out
}

/// A JSON string literal (RFC 8259: quote, backslash and control characters escaped).
pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                for shift in [4, 0] {
                    let digit = HEX
                        .get(((c as u32 >> shift) & 0xf) as usize)
                        .copied()
                        .unwrap_or(b'0');
                    out.push(char::from(digit));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_matches_display() {
        for n in [0, 1, 9, 10, 99, 100, 12345, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn json_number_agrees_with_the_float_parser() {
        for s in [
            "0",
            "-0",
            "1",
            "70",
            "-3",
            "0.5",
            "0.1",
            "1.25e2",
            "12e-3",
            "9007199254740992",
            "1e22",
            "123.456",
            "5E+3",
            "1000000000.0000000",
        ] {
            assert_eq!(json_number(s), s.parse::<f64>().ok(), "{s}");
        }
    }

    #[test]
    fn cat_join_and_contains() {
        assert_eq!(cat(&["a", "", "bc"]), "abc");
        assert_eq!(join(["a", "b", "c"], ", "), "a, b, c");
        assert_eq!(join([], ", "), "");
        assert!(contains("unexpected end of JSON", "end of"));
        assert!(!contains("end o", "end of"));
        assert!(!contains("", "x"));
        assert_eq!(char_count("aé中🦀"), 4);
    }

    #[test]
    fn lossy_matches_from_utf8_lossy() {
        let cases: [&[u8]; 9] = [
            b"",
            b"abc",
            "é中🦀".as_bytes(),
            b"\xff",
            b"a\xffb\xfe",
            b"\xe4\xb8",
            b"\xe4\xb8a\xf0\x9f\xa6",
            b"\xed\xa0\x80x",
            b"\xc0\xaf\xf5\x80\x80\x80",
        ];
        for bytes in cases {
            assert_eq!(lossy(bytes), String::from_utf8_lossy(bytes), "{bytes:?}");
        }
    }

    #[test]
    fn byte_splits_match_str_splits() {
        for s in ["", ":", "a", "a:b", "::", "a::b:", "é:中:🦀", ":x"] {
            assert_eq!(
                split(s, b':').collect::<Vec<_>>(),
                s.split(':').collect::<Vec<_>>()
            );
            assert_eq!(split_once(s, b':'), s.split_once(':'));
            assert_eq!(trim_end(s, b':'), s.trim_end_matches(':'));
        }
    }
}
