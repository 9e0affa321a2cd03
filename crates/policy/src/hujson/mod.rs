//! HuJSON documents edited without losing a byte: the text plus a flat index of its values.
//!
//! HuJSON is tailscale/hujson's grammar: JSON (RFC 8259) with `//` and `/* */` comments wherever
//! whitespace may be, and one comma after the last element of an array or member of an object.
//! Nothing else: no JSON5 (single quotes, unquoted names, hex, `NaN`, `+1`, `.5`, `\x41`), no
//! whitespace beyond space, tab, CR and LF, no raw control characters in strings. A line
//! comment ends at `\n` only (a lone CR is inside it) and must end: `null//` is refused, as
//! hujson refuses it. A UTF-8 byte order mark is refused (standardized text must stay valid
//! JSON, which has none). [`Document::parse_bytes`] reads bytes as hujson does: invalid UTF-8
//! only inside a string, where each such byte reads as U+FFFD. Nesting deeper than
//! [`MAX_DEPTH`] arrays and objects is refused (hujson sets no limit; Go's encoding/json, which
//! reads its output, stops at 10,000), so nothing that reads a document recurses without bound;
//! there is no size limit (parsing is linear). Lines are counted at `\n`; columns count
//! characters.
//!
//! An escape `\ud800` without its pair is accepted, as RFC 8259's grammar and `JSON.parse` do;
//! [`Node::as_str`] reads it as U+FFFD.
//!
//! Edits ([`Document::set`], [`Document::append`], [`Document::remove`]) take a [`Pointer`]:
//! RFC 6901 text or its tokens. They splice the text and re-index it; every byte outside what
//! they replace, add or remove stays as it was. A removal takes the comments that hujson's
//! `Patch` reads as the member's own: the block directly above it (no blank line between), its
//! line comment on the same line, and the block below that up to a blank line; lines left empty
//! go, and of two blank lines that meet, one. A missing parent is made, as an object, only when
//! the step into it is a name (not an index or `-`). A new member or element goes right after
//! the last one (after its comma and any comment on the same line), so comments on their own
//! lines before the closing bracket stay last. It takes the indentation of the line where the
//! last sibling starts and the document's line ending; the container keeps its trailing-comma
//! style. In an empty container it goes on a new line indented one unit (the document's, else
//! two spaces) past the container's line, unless the container is written `{}` / `[]` on one
//! line, which is then printed afresh like a new value. A new object or array is printed on one
//! line when it holds no object and fits in 80 columns (a tab counts 4, a non-ASCII character
//! as its UTF-8 bytes), otherwise one member per line, with trailing commas when the document
//! has any.

mod edit;
mod layout;
mod parse;
mod pointer;

use parse::{comments, line_column, unescape};

pub use pointer::{pointer_step, Pointer};
pub use tailscale_wire::json::Kind;

use tailscale_wire::json::Json;

/// The deepest nesting of arrays and objects a document may have.
pub const MAX_DEPTH: usize = 1000;

const NONE: usize = usize::MAX;
const WIDTH: usize = 80;

/// Where the text stops being HuJSON, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters from the start of the line.
    pub column: usize,
    /// Byte offset in the text.
    pub offset: usize,
    pub message: String,
}

/// One value in the index, in document order (a container before its children).
#[derive(Clone, Copy, Debug)]
struct Entry {
    kind: Kind,
    start: usize,
    end: usize,
    /// The member's name literal (quotes included); `NONE` when not an object member.
    key: usize,
    key_end: usize,
    /// The index just past this value's descendants: its next sibling, if any.
    after: usize,
    /// The comma that follows this value in its container; `NONE` when there is none.
    comma: usize,
    parent: usize,
}

const EMPTY: Entry = Entry {
    kind: Kind::Null,
    start: 0,
    end: 0,
    key: NONE,
    key_end: NONE,
    after: 1,
    comma: NONE,
    parent: NONE,
};

/// A HuJSON text and the index of its values.
#[derive(Debug, Clone)]
pub struct Document {
    text: String,
    entries: Vec<Entry>,
}

/// A read-only view of one value in a [`Document`].
#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    doc: &'a Document,
    index: usize,
    entry: Entry,
}

impl<'a> Node<'a> {
    pub fn kind(&self) -> Kind {
        self.entry.kind
    }

    /// The byte range of the value in the text.
    pub fn span(&self) -> (usize, usize) {
        (self.entry.start, self.entry.end)
    }

    /// The value's own bytes, comments inside included.
    pub fn raw(&self) -> &'a str {
        self.doc
            .text
            .get(self.entry.start..self.entry.end)
            .unwrap_or("")
    }

    /// Line and column (1-based, characters) where the value starts.
    pub fn line_column(&self) -> (usize, usize) {
        line_column(&self.doc.text, self.entry.start)
    }

    /// A string value, unescaped.
    pub fn as_str(&self) -> Option<String> {
        (self.entry.kind == Kind::String).then(|| unescape(self.raw()))
    }

    pub fn as_bool(&self) -> Option<bool> {
        match (self.entry.kind, self.raw()) {
            (Kind::Bool, "true") => Some(true),
            (Kind::Bool, _) => Some(false),
            _ => None,
        }
    }

    /// A number value. Exact (as `JSON.parse`) for up to 15 significant digits with a decimal
    /// exponent within ±22, which covers what a policy holds; beyond that within 8 ulps (the
    /// `hujson` fuzz target holds it to Rust's correctly rounded parse).
    pub fn as_f64(&self) -> Option<f64> {
        (self.entry.kind == Kind::Number)
            .then(|| tailscale_wire::text::json_number(self.raw()))
            .flatten()
    }

    /// Object members in order, names unescaped, duplicates kept; none when not an object.
    pub fn members(&self) -> impl Iterator<Item = (String, Node<'a>)> + 'a {
        self.children(Kind::Object)
            .map(|n| (unescape(n.doc.key(&n.entry)), n))
    }

    /// The last member of that name, as `JSON.parse` and serde_json keep.
    pub fn get(&self, name: &str) -> Option<Node<'a>> {
        if self.entry.kind != Kind::Object {
            return None;
        }
        self.doc
            .member(self.index, name)
            .and_then(|i| self.doc.node(i))
    }

    /// Array items in order; none when not an array.
    pub fn items(&self) -> impl Iterator<Item = Node<'a>> + 'a {
        self.children(Kind::Array)
    }

    /// The children of a container of `kind`; none when the value is of another kind.
    fn children(&self, kind: Kind) -> impl Iterator<Item = Node<'a>> + 'a {
        let doc = self.doc;
        let mut children = doc.children(self.index);
        if self.entry.kind != kind {
            children.end = 0;
        }
        children.filter_map(move |i| doc.node(i))
    }
}

impl Json for Node<'_> {
    fn kind(&self) -> Kind {
        self.entry.kind
    }
    fn as_bool(&self) -> Option<bool> {
        Node::as_bool(self)
    }
    fn as_f64(&self) -> Option<f64> {
        Node::as_f64(self)
    }
    fn as_string(&self) -> Option<String> {
        Node::as_str(self)
    }
    fn get(&self, key: &str) -> Option<Self> {
        Node::get(self, key)
    }
    fn keys(&self) -> Vec<String> {
        self.members().map(|(name, _)| name).collect()
    }
    fn items(&self) -> Vec<Self> {
        Node::items(self).collect()
    }
}

impl Document {
    pub fn parse(text: &str) -> Result<Document, SyntaxError> {
        Self::from_string(text.to_owned()).map(|(doc, _)| doc)
    }

    /// The text, byte for byte the input until edited.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text with each trailing comma and every comment byte other than tab, CR and LF
    /// replaced by a space, byte for byte what hujson's `Standardize` gives: valid JSON with
    /// the same offsets and line numbers.
    pub fn standardize(&self) -> String {
        let mut out = self.text.clone().into_bytes();
        for (start, end) in comments(self.text.as_bytes()) {
            for o in out.get_mut(start..end).into_iter().flatten() {
                if !matches!(*o, b'\t' | b'\n' | b'\r') {
                    *o = b' ';
                }
            }
        }
        for e in self
            .entries
            .iter()
            .filter(|e| e.comma != NONE && self.is_last(e))
        {
            if let Some(o) = out.get_mut(e.comma) {
                *o = b' ';
            }
        }
        // Only whole comments (and ASCII commas) became spaces, so the bytes stay UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    pub fn root(&self) -> Node<'_> {
        self.node(0).unwrap_or(Node {
            doc: self,
            index: 0,
            entry: EMPTY,
        })
    }

    fn entry(&self, i: usize) -> Option<Entry> {
        self.entries.get(i).copied()
    }

    fn node(&self, index: usize) -> Option<Node<'_>> {
        self.entry(index).map(|entry| Node {
            doc: self,
            index,
            entry,
        })
    }

    /// Whether `e` is the last child of its container.
    fn is_last(&self, e: &Entry) -> bool {
        self.entry(e.after).is_none_or(|n| n.parent != e.parent)
    }

    fn children(&self, i: usize) -> Children<'_> {
        Children {
            entries: &self.entries,
            next: i.saturating_add(1),
            end: self.entry(i).map_or(0, |e| e.after),
        }
    }

    fn key<'t>(&'t self, e: &Entry) -> &'t str {
        self.text.get(e.key..e.key_end).unwrap_or("")
    }

    fn slice(&self, from: usize, to: usize) -> &str {
        self.text.get(from..to).unwrap_or("")
    }

    /// The last member of object `i` named `name`.
    fn member(&self, i: usize, name: &str) -> Option<usize> {
        self.children(i)
            .filter(|&c| {
                self.entry(c).is_some_and(|e| {
                    let key = self.key(&e);
                    let inner = key.get(1..key.len().saturating_sub(1)).unwrap_or("");
                    if inner.as_bytes().contains(&b'\\') {
                        unescape(key) == name
                    } else {
                        inner == name
                    }
                })
            })
            .last()
    }
}

/// The indices of a container's children in order: each child's `after` is its next sibling.
/// A plain struct rather than an adapter chain, which cost more code at each use.
struct Children<'d> {
    entries: &'d [Entry],
    next: usize,
    end: usize,
}

impl Iterator for Children<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let i = self.next;
        if i >= self.end {
            return None;
        }
        self.next = self.entries.get(i).map_or(self.end, |e| e.after);
        Some(i)
    }
}
