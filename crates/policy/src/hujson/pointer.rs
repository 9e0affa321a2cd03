//! RFC 6901 pointers into a document: reading one, and finding what it names.

use super::{Document, Kind, Node};
use tailscale_wire::error::Error;

impl Document {
    /// The value at an RFC 6901 pointer (`""` is the root); `Ok(None)` when nothing is there.
    pub fn find(&self, pointer: &str) -> Result<Option<Node<'_>>, Error> {
        let tokens = tokens(pointer)?;
        Ok(self.locate(&tokens).and_then(|i| self.node(i)))
    }

    pub(super) fn locate(&self, tokens: &[String]) -> Option<usize> {
        let mut at = 0;
        for token in tokens {
            at = match self.entry(at)?.kind {
                Kind::Object => self.member(at, token)?,
                Kind::Array => self.children(at).nth(index(token)?)?,
                _ => return None,
            };
        }
        Some(at)
    }
}

/// An RFC 6901 pointer step: `~` and `/` escaped.
pub fn pointer_step(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn pointer_error(message: &str) -> Error {
    Error::validation("pointer", message)
}

/// The reference tokens of an RFC 6901 pointer, unescaped.
pub(super) fn tokens(pointer: &str) -> Result<Vec<String>, Error> {
    let Some(rest) = pointer.strip_prefix('/') else {
        return if pointer.is_empty() {
            Ok(Vec::new())
        } else {
            Err(pointer_error("must be empty or start with '/'"))
        };
    };
    let mut out = Vec::new();
    for raw in rest.split('/') {
        let mut token = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c != '~' {
                token.push(c);
                continue;
            }
            match chars.next() {
                Some('0') => token.push('~'),
                Some('1') => token.push('/'),
                _ => return Err(pointer_error("has a '~' not followed by 0 or 1")),
            }
        }
        out.push(token);
    }
    Ok(out)
}

/// An array index token: decimal without leading zeros.
pub(super) fn index(token: &str) -> Option<usize> {
    let b = token.as_bytes();
    if b.is_empty() || (b.len() > 1 && b.first() == Some(&b'0')) {
        return None;
    }
    b.iter().try_fold(0usize, |n, &d| {
        d.is_ascii_digit()
            .then(|| n.checked_mul(10)?.checked_add(usize::from(d - b'0')))
            .flatten()
    })
}
