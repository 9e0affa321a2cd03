//! Percent-encoding for paths and forms, and base64url for JWT payloads and OAuth states: a few lines each, so
//! the wasm carries no crate (nor its tables) for them. The fuzz targets (`crates/fuzz-targets`) hold both
//! to the `percent-encoding` and `base64` crates.

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Every byte of `s` except ASCII letters, digits and `keep` as `%XX`.
pub fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            for nibble in [b >> 4, b & 0xf] {
                out.push(char::from(
                    HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
                ));
            }
        }
    }
    out
}

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url (RFC 4648 §5): random bytes as a URL-safe OAuth `state`.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        // 1 byte -> 2 chars, 2 -> 3, 3 -> 4.
        for i in 0..=chunk.len() {
            let sextet = (bits >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(
                BASE64URL.get(sextet as usize).copied().unwrap_or(b'A'),
            ));
        }
    }
    out
}

/// Unpadded base64url (RFC 4648 §5), strictly: no padding, no other characters, and unused
/// trailing bits must be zero.
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    decode_base64(s, b'-', b'_')
}

/// Base64 (RFC 4648 §4), padded as the standard says: the policy file in `?details=true`.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() % 4 != 0 {
        return None;
    }
    let unpadded = s
        .strip_suffix("==")
        .or_else(|| s.strip_suffix('='))
        .unwrap_or(s);
    decode_base64(unpadded, b'+', b'/')
}

/// Unpadded base64 with `c62` and `c63` as the last two digits.
fn decode_base64(s: &str, c62: u8, c63: u8) -> Option<Vec<u8>> {
    let sextet = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            c if c == c62 => 62,
            c if c == c63 => 63,
            _ => return None,
        }))
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.as_bytes().chunks(4) {
        let mut bits = 0u32;
        for &c in chunk {
            bits = bits << 6 | sextet(c)?;
        }
        // 4 chars -> 3 bytes, 3 -> 2, 2 -> 1; a lone char cannot encode a byte.
        let bytes = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        let spare = chunk.len() * 6 - bytes * 8;
        if bits & ((1 << spare) - 1) != 0 {
            return None;
        }
        let bits = bits >> spare;
        for i in (0..bytes).rev() {
            out.push((bits >> (8 * i)) as u8);
        }
    }
    Some(out)
}
