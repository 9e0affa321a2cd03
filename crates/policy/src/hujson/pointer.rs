//! RFC 6901 pointers into a document: reading one, and finding what it names.

use super::{Document, Kind, Node};
use tailscale_wire::error::Error;
use tailscale_wire::text::{cat, quoted};

/// What names a value: an RFC 6901 pointer (`"/postures/posture:a"`), or its reference tokens
/// unescaped (`["postures", "posture:a"]`), where a name holding `~` or `/` needs no escape.
pub trait Pointer {
    /// The reference tokens; an error when the text is not a pointer.
    fn tokens(&self) -> Result<Vec<String>, Error>;
}

impl Pointer for str {
    fn tokens(&self) -> Result<Vec<String>, Error> {
        tokens(self)
    }
}

impl Pointer for String {
    fn tokens(&self) -> Result<Vec<String>, Error> {
        tokens(self)
    }
}

impl Pointer for [String] {
    fn tokens(&self) -> Result<Vec<String>, Error> {
        Ok(self.to_vec())
    }
}

impl Pointer for Vec<String> {
    fn tokens(&self) -> Result<Vec<String>, Error> {
        Ok(self.clone())
    }
}

impl<const N: usize> Pointer for [&str; N] {
    fn tokens(&self) -> Result<Vec<String>, Error> {
        Ok(self.iter().map(|t| (*t).to_owned()).collect())
    }
}

impl Document {
    /// The value at a pointer (`""` or `[]` is the root); `Ok(None)` when nothing is there.
    pub fn find<P: Pointer + ?Sized>(&self, pointer: &P) -> Result<Option<Node<'_>>, Error> {
        let tokens = pointer.tokens()?;
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

/// The RFC 6901 pointer of `tokens`, quoted, for messages.
pub(super) fn pointer_text(tokens: &[String]) -> String {
    let mut out = String::new();
    for t in tokens {
        out.push('/');
        out.push_str(&pointer_step(t));
    }
    quoted(&out)
}

pub(super) fn pointer_error(message: &str) -> Error {
    Error::validation("pointer", message)
}

/// The error for a missing parent that `set` will not guess: the step into it, `token`, could
/// be an array index or `-` as well as a member name.
pub(super) fn doubtful_parent(tokens: &[String], parent: &[String], token: &str) -> Error {
    Error::validation(
        "pointer",
        cat(&[
            &pointer_text(tokens),
            ": ",
            &pointer_text(parent),
            " does not exist, and ",
            &quoted(token),
            " could name an array element; a missing parent is made only for a member name",
        ]),
    )
}

/// Whether `set` may make a missing parent for this step: a name, not an index or `-`.
pub(super) fn is_name(token: &str) -> bool {
    token != "-" && (token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()))
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
