//! String building without `core::fmt`: `format!` pulls the formatting machinery (about 5 KB)
//! into the wasm, and these few shapes are all the core needs.

/// `n` in decimal.
pub fn decimal(n: u64) -> String {
    let mut digits = Vec::with_capacity(20);
    let mut rest = n;
    loop {
        digits.push(char::from(b'0' + (rest % 10) as u8));
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    digits.iter().rev().collect()
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

/// Whether `needle` occurs in `haystack` (a byte scan; `str::contains` with a `&str` pattern
/// brings a two-way searcher into the wasm).
pub fn contains(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
}

/// Characters (code points) in `s`. `str::chars().count()` is a fast path whose code is larger
/// than the short strings validated here warrant.
pub fn char_count(s: &str) -> usize {
    s.chars().fold(0, |n, _| n + 1)
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
    fn cat_join_and_contains() {
        assert_eq!(cat(&["a", "", "bc"]), "abc");
        assert_eq!(join(["a", "b", "c"], ", "), "a, b, c");
        assert_eq!(join([], ", "), "");
        assert!(contains("unexpected end of JSON", "end of"));
        assert!(!contains("end o", "end of"));
        assert!(!contains("", "x"));
        assert_eq!(char_count("aé中🦀"), 4);
    }
}
