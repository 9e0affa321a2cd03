//! HuJSON documents edited without losing a byte: the text plus a flat index of its values.
//!
//! HuJSON is JSON (RFC 8259) with `//` and `/* */` comments wherever whitespace may be, and one
//! comma after the last element of an array or member of an object. Nothing else: no JSON5
//! (single quotes, unquoted names, hex, `NaN`, `+1`, `.5`, `\x41`), no whitespace beyond space,
//! tab, CR and LF, no raw control characters in strings. A UTF-8 byte order mark is refused
//! (standardized text must stay valid JSON, which has none). Nesting deeper than [`MAX_DEPTH`]
//! is refused, so nothing that reads a document recurses without bound; there is no size limit
//! (parsing is linear). Lines are counted at `\n`; columns count characters.
//!
//! An escape `\ud800` without its pair is accepted, as RFC 8259's grammar and `JSON.parse` do;
//! [`Node::as_str`] reads it as U+FFFD.
//!
//! Edits ([`Document::set`], [`Document::append`], [`Document::remove`]) splice the text and
//! re-index it; every byte outside what they replace, add or remove stays as it was. A new member
//! or element goes right after the last one (after its comma and any comment on the same line),
//! so comments on their own lines before the closing bracket stay last. It takes the indentation
//! of the line where the last sibling starts and the document's line ending; the container keeps
//! its trailing-comma style. In an empty container it goes on a new line indented one unit (the
//! document's, else two spaces) past the container's line, unless the container is written
//! `{}` / `[]` on one line, which is then printed afresh like a new value. A new object or array
//! is printed on one line when it holds no object and fits in 80 columns (a tab counts 4, a
//! non-ASCII character as its UTF-8 bytes),
//! otherwise one member per line, with trailing commas when the document has any.

use crate::error::Error;
use crate::json::quoted;
use crate::text::{cat, char_count, decimal};

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

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
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
            .then(|| crate::text::json_number(self.raw()))
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

impl crate::json::Json for Node<'_> {
    fn kind(&self) -> crate::json::Kind {
        match self.entry.kind {
            Kind::Null => crate::json::Kind::Null,
            Kind::Bool => crate::json::Kind::Bool,
            Kind::Number => crate::json::Kind::Number,
            Kind::String => crate::json::Kind::String,
            Kind::Array => crate::json::Kind::Array,
            Kind::Object => crate::json::Kind::Object,
        }
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

    /// The text with every comment byte and each trailing comma replaced by a space, except the
    /// line breaks inside block comments: valid JSON with the same offsets and line numbers.
    pub fn standardize(&self) -> String {
        let mut out = self.text.clone().into_bytes();
        let bytes = self.text.as_bytes();
        let mut pos = 0;
        while let Some(&b) = bytes.get(pos) {
            match b {
                b'"' => pos = string_end(bytes, pos),
                b'/' => {
                    let end = comment_end(bytes, pos).unwrap_or(bytes.len());
                    for o in out.get_mut(pos..end).into_iter().flatten() {
                        if *o != b'\n' && *o != b'\r' {
                            *o = b' ';
                        }
                    }
                    pos = end;
                }
                _ => pos += 1,
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

    /// The value at an RFC 6901 pointer (`""` is the root); `Ok(None)` when nothing is there.
    pub fn find(&self, pointer: &str) -> Result<Option<Node<'_>>, Error> {
        let tokens = tokens(pointer)?;
        Ok(self.locate(&tokens).and_then(|i| self.node(i)))
    }

    /// Replaces the value at `pointer` with the JSON text `json`, or adds it as an object member
    /// (making missing parents as objects, and a missing array for a last `-`). In an array, an
    /// index below the length replaces and `-` appends.
    pub fn set(&mut self, pointer: &str, json: &str) -> Result<(), Error> {
        let tokens = tokens(pointer)?;
        let value = json_value(json)?;
        let mut at = 0;
        for (k, token) in tokens.iter().enumerate() {
            let Some(e) = self.entry(at) else {
                return Err(pointer_error("does not lead to a value"));
            };
            let last = k + 1 == tokens.len();
            match e.kind {
                Kind::Object => match self.member(at, token) {
                    Some(child) => at = child,
                    None => {
                        let rest = tokens.get(k + 1..).unwrap_or(&[]);
                        let wrapped = json_value(&wrap(rest, json))?;
                        return self.apply(self.insert(at, Some(token), &wrapped));
                    }
                },
                Kind::Array if token == "-" && last => {
                    return self.apply(self.insert(at, None, &value));
                }
                Kind::Array => match index(token).and_then(|n| self.children(at).nth(n)) {
                    Some(child) => at = child,
                    None => {
                        return Err(pointer_error(
                            "names no element of an array (an index below its length, or a last '-' to append)",
                        ))
                    }
                },
                _ => {
                    return Err(pointer_error(
                        "goes through a value that is not an object or array",
                    ))
                }
            }
        }
        let splice = self.replace(at, &value);
        self.apply(splice)
    }

    /// Pushes the JSON text `json` onto the array at `pointer`, making the array (and missing
    /// parents, as objects) when absent.
    pub fn append(&mut self, pointer: &str, json: &str) -> Result<(), Error> {
        let tokens = tokens(pointer)?;
        match self.locate(&tokens).and_then(|at| self.entry(at)) {
            Some(e) if e.kind != Kind::Array => {
                Err(pointer_error("names a value that is not an array"))
            }
            // `set` with a last `-` appends, making the array and its parents when absent.
            _ => self.set(&cat(&[pointer, "/-"]), json),
        }
    }

    /// Removes the member or element at `pointer` with its separating comma and its own comment
    /// on the same line (the whole line when nothing else is left on it). `Ok(false)` when
    /// nothing is there.
    pub fn remove(&mut self, pointer: &str) -> Result<bool, Error> {
        let tokens = tokens(pointer)?;
        if tokens.is_empty() {
            return Err(pointer_error(
                "names the root value, which cannot be removed",
            ));
        }
        match self.locate(&tokens) {
            Some(at) => {
                let splices = self.removal(at);
                self.apply(splices).map(|()| true)
            }
            None => Ok(false),
        }
    }

    fn from_string(text: String) -> Result<(Document, bool), SyntaxError> {
        let mut parser = Parser {
            text: &text,
            bytes: text.as_bytes(),
            pos: 0,
            entries: Vec::new(),
            extended: false,
        };
        match parser.document() {
            Ok(()) => {
                let (entries, extended) = (parser.entries, parser.extended);
                Ok((Document { text, entries }, extended))
            }
            Err((offset, message)) => {
                let (line, column) = line_column(&text, offset);
                Err(SyntaxError {
                    line,
                    column,
                    offset,
                    message,
                })
            }
        }
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

    fn locate(&self, tokens: &[String]) -> Option<usize> {
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

    /// Splices the text (splices in text order, not overlapping) and re-indexes it; on
    /// failure the document stays as it was.
    fn apply(&mut self, splices: Vec<Splice>) -> Result<(), Error> {
        let added: usize = splices.iter().map(|s| s.text.len()).sum();
        let mut out = String::with_capacity(self.text.len().saturating_add(added));
        let mut pos = 0;
        for s in &splices {
            out.push_str(self.slice(pos, s.at));
            out.push_str(&s.text);
            pos = s.end.max(pos);
        }
        out.push_str(self.text.get(pos..).unwrap_or(""));
        let (doc, _) = Document::from_string(out).map_err(|e| {
            Error::validation(
                "value",
                cat(&["the edited text would not parse: ", &e.message]),
            )
        })?;
        *self = doc;
        Ok(())
    }

    // ---- layout -------------------------------------------------------------------------

    fn newline(&self) -> &'static str {
        let b = self.text.as_bytes();
        match b.iter().position(|&c| c == b'\n') {
            Some(i) if i > 0 && b.get(i - 1) == Some(&b'\r') => "\r\n",
            _ => "\n",
        }
    }

    /// One level of indentation: how much a child's line is indented past its parent's, from
    /// the first 100 values that start a line (a bound: each look scans the parent's line).
    fn unit(&self) -> &str {
        let bytes = self.text.as_bytes();
        let mut looked = 0;
        for e in self.entries.iter().skip(1) {
            // Whether `e` starts a line: only spaces and tabs back to a line break.
            let start = e.key.min(e.start);
            let before = start.saturating_sub(blanks_before(bytes, start));
            if before == 0 || bytes.get(before - 1) != Some(&b'\n') {
                continue;
            }
            looked += 1;
            if looked > 100 {
                break;
            }
            let Some(p) = self.entry(e.parent) else {
                continue;
            };
            let (_, ind) = self.line_indent(start);
            let (_, outer) = self.line_indent(p.start);
            if ind.len() > outer.len() && ind.starts_with(outer) {
                return ind.get(outer.len()..).unwrap_or("  ");
            }
        }
        "  "
    }

    /// Whether the document writes any trailing comma (new multi-line values follow suit).
    fn trailing(&self) -> bool {
        self.entries
            .iter()
            .any(|e| e.comma != NONE && self.is_last(e))
    }

    /// The start of the line holding `pos`, and that line's leading spaces and tabs.
    fn line_indent(&self, pos: usize) -> (usize, &str) {
        let head = self.text.as_bytes().get(..pos).unwrap_or(&[]);
        let ls = head.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let n = blanks(self.text.as_bytes(), ls);
        (ls, self.slice(ls, ls.saturating_add(n)))
    }

    fn column(&self, pos: usize) -> usize {
        let (ls, _) = self.line_indent(pos);
        width(self.slice(ls, pos))
    }

    /// Past the spaces, tabs and comments that follow `pos` on its line (a block comment only
    /// when it closes on that line); `pos` itself when there is no such comment.
    fn same_line_comments(&self, pos: usize) -> usize {
        let bytes = self.text.as_bytes();
        let (mut p, mut end) = (pos, pos);
        loop {
            p += blanks(bytes, p);
            if bytes.get(p) != Some(&b'/') {
                return end;
            }
            let Some(e) = comment_end(bytes, p) else {
                return end;
            };
            if has_break(bytes.get(p..e).unwrap_or(&[])) {
                return end;
            }
            end = e;
            p = e;
        }
    }

    /// Past the last comment of the space and comments that start at `pos`; `pos` when there
    /// is no comment.
    fn comments_end(&self, pos: usize) -> usize {
        let bytes = self.text.as_bytes();
        let (mut p, mut end) = (pos, pos);
        loop {
            while matches!(bytes.get(p), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                p += 1;
            }
            match comment_end(bytes, p) {
                Some(e) => {
                    end = e;
                    p = e;
                }
                None => return end,
            }
        }
    }

    // ---- edits --------------------------------------------------------------------------

    fn replace(&self, at: usize, value: &Document) -> Vec<Splice> {
        let Some(e) = self.entry(at) else {
            return Vec::new();
        };
        let (_, indent) = self.line_indent(e.start);
        let mut text = String::new();
        self.layout()
            .print(value, 0, indent, self.column(e.start), &mut text);
        vec![Splice {
            at: e.start,
            end: e.end,
            text,
        }]
    }

    /// Adds a member (`name`) or element to container `at`, after its last child.
    fn insert(&self, at: usize, name: Option<&str>, value: &Document) -> Vec<Splice> {
        let Some(c) = self.entry(at) else {
            return Vec::new();
        };
        let layout = self.layout();
        let prefix = name.map(|n| cat(&[&quoted(n), ": "])).unwrap_or_default();
        let close = c.end.saturating_sub(1);
        let first = self.children(at).next().and_then(|i| self.entry(i));
        let last = self.children(at).last().and_then(|i| self.entry(i));
        let mut splices = Vec::new();
        let item = |indent: &str, col: usize| {
            let mut s = prefix.clone();
            layout.print(value, 0, indent, col.saturating_add(prefix.len()), &mut s);
            s
        };
        match (first, last) {
            (Some(first), Some(last)) => {
                let first_start = first.key.min(first.start);
                let multiline = has_break(self.slice(c.start, first_start).as_bytes());
                let after = if last.comma == NONE {
                    last.end
                } else {
                    last.comma.saturating_add(1)
                };
                let trailing = if last.comma == NONE { "" } else { "," };
                if multiline {
                    if last.comma == NONE {
                        splices.push(Splice::add(last.end, String::from(",")));
                    }
                    let (_, indent) = self.line_indent(last.key.min(last.start));
                    let pos = self.same_line_comments(after);
                    let body = item(indent, width(indent));
                    splices.push(Splice::add(
                        pos,
                        cat(&[layout.newline, indent, &body, trailing]),
                    ));
                } else {
                    let (_, indent) = self.line_indent(c.start);
                    let col = self.column(after).saturating_add(2);
                    let body = item(indent, col);
                    let text = if last.comma == NONE {
                        cat(&[", ", &body])
                    } else {
                        cat(&[" ", &body, ","])
                    };
                    splices.push(Splice::add(after, text));
                }
            }
            _ => {
                let inner = self.slice(c.start.saturating_add(1), close);
                let bytes = inner.as_bytes();
                let (_, outer) = self.line_indent(c.start);
                if bytes.is_empty() {
                    // `{}`: print the container afresh, as a new value would be.
                    let json = match name {
                        Some(n) => cat(&["{", &quoted(n), ":", &value.text, "}"]),
                        None => cat(&["[", &value.text, "]"]),
                    };
                    if let Ok((fresh, _)) = Document::from_string(json) {
                        let mut text = String::new();
                        layout.print(&fresh, 0, outer, self.column(c.start), &mut text);
                        splices.push(Splice {
                            at: c.start,
                            end: c.end,
                            text,
                        });
                    }
                } else {
                    let pos = self.comments_end(c.start.saturating_add(1));
                    if has_break(bytes) {
                        let indent = cat(&[outer, layout.unit]);
                        let body = item(&indent, width(&indent));
                        let comma = if layout.trailing { "," } else { "" };
                        splices.push(Splice::add(
                            pos,
                            cat(&[layout.newline, &indent, &body, comma]),
                        ));
                    } else {
                        let body = item(outer, self.column(pos).saturating_add(1));
                        splices.push(Splice::add(pos, cat(&[" ", &body])));
                    }
                }
            }
        }
        splices
    }

    /// The splices that take out entry `at` with its separating comma and same-line comment.
    fn removal(&self, at: usize) -> Vec<Splice> {
        let Some(e) = self.entry(at) else {
            return Vec::new();
        };
        let bytes = self.text.as_bytes();
        let start = e.key.min(e.start);
        let prev = self
            .children(e.parent)
            .take_while(|&c| c != at)
            .last()
            .and_then(|i| self.entry(i));
        let is_last = self.is_last(&e);
        let mut splices = Vec::new();
        let end = self.same_line_comments(if e.comma == NONE {
            e.end
        } else {
            e.comma.saturating_add(1)
        });
        if let Some(p) = prev.filter(|p| e.comma == NONE && p.comma != NONE) {
            // The last member, without a trailing comma: the comma before it goes with it.
            let between = self.slice(p.comma.saturating_add(1), start);
            if between
                .bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            {
                return vec![Splice::cut(p.comma, end)];
            }
            splices.push(Splice::cut(p.comma, p.comma.saturating_add(1)));
        }
        let (ls, indent) = self.line_indent(start);
        let line_end = end.saturating_add(blanks(bytes, end));
        let emptied = ls.saturating_add(indent.len()) == start
            && matches!(bytes.get(line_end), None | Some(b'\n' | b'\r'));
        if emptied {
            let mut to = line_end;
            if bytes.get(to) == Some(&b'\r') {
                to += 1;
            }
            if bytes.get(to) == Some(&b'\n') {
                to += 1;
            }
            splices.push(Splice::cut(ls, to));
        } else if is_last && e.comma != NONE {
            let back = blanks_before(bytes, start);
            splices.push(Splice::cut(start.saturating_sub(back), end));
        } else {
            splices.push(Splice::cut(start, line_end));
        }
        splices
    }

    fn layout(&self) -> Layout<'_> {
        Layout {
            newline: self.newline(),
            unit: self.unit(),
            trailing: self.trailing(),
        }
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

struct Splice {
    at: usize,
    end: usize,
    text: String,
}

impl Splice {
    fn add(at: usize, text: String) -> Splice {
        Splice { at, end: at, text }
    }
    fn cut(at: usize, end: usize) -> Splice {
        Splice {
            at,
            end,
            text: String::new(),
        }
    }
}

/// How new values are written into a document.
struct Layout<'d> {
    newline: &'static str,
    unit: &'d str,
    trailing: bool,
}

impl Layout<'_> {
    /// Writes value `i` of `v` (plain JSON) at a line indented `indent`, starting at `col`.
    fn print(&self, v: &Document, i: usize, indent: &str, col: usize, out: &mut String) {
        let Some(e) = v.entry(i) else {
            return;
        };
        if !matches!(e.kind, Kind::Array | Kind::Object) || e.after == i + 1 {
            if matches!(e.kind, Kind::Array | Kind::Object) {
                out.push_str(if e.kind == Kind::Array { "[]" } else { "{}" });
            } else {
                out.push_str(v.slice(e.start, e.end));
            }
            return;
        }
        let mut line = String::new();
        if one_line(v, i, &mut line, WIDTH.saturating_sub(col)) {
            out.push_str(&line);
            return;
        }
        let (open, close) = if e.kind == Kind::Array {
            ("[", "]")
        } else {
            ("{", "}")
        };
        let inner = cat(&[indent, self.unit]);
        out.push_str(open);
        let mut children = v.children(i).peekable();
        while let Some(c) = children.next() {
            out.push_str(self.newline);
            out.push_str(&inner);
            let mut col = width(&inner);
            if let Some(ce) = v.entry(c).filter(|ce| ce.key != NONE) {
                out.push_str(v.key(&ce));
                out.push_str(": ");
                col = col.saturating_add(char_count(v.key(&ce))).saturating_add(2);
            }
            self.print(v, c, &inner, col, out);
            if children.peek().is_some() || self.trailing {
                out.push(',');
            }
        }
        out.push_str(self.newline);
        out.push_str(indent);
        out.push_str(close);
    }
}

/// Writes value `i` on one line, unless it holds an object below it or takes `room` bytes or
/// more (then false, having stopped early: a large value costs little more than `room`).
fn one_line(v: &Document, i: usize, out: &mut String, room: usize) -> bool {
    let Some(e) = v.entry(i) else {
        return false;
    };
    match e.kind {
        Kind::Array | Kind::Object => {
            out.push_str(if e.kind == Kind::Array { "[" } else { "{" });
            for (n, c) in v.children(i).enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                let Some(ce) = v.entry(c) else {
                    return false;
                };
                if ce.key != NONE {
                    out.push_str(v.key(&ce));
                    out.push_str(": ");
                }
                if ce.kind == Kind::Object || !one_line(v, c, out, room) {
                    return false;
                }
            }
            out.push_str(if e.kind == Kind::Array { "]" } else { "}" });
        }
        _ => out.push_str(v.slice(e.start, e.end)),
    }
    // Bytes, not characters: O(1) at every level, and only stricter for non-ASCII text.
    out.len() < room
}

/// How many spaces and tabs run from `pos` on.
fn blanks(bytes: &[u8], pos: usize) -> usize {
    let rest = bytes.get(pos..).unwrap_or(&[]);
    rest.iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()
}

/// How many spaces and tabs run back from `pos` (just before it).
fn blanks_before(bytes: &[u8], pos: usize) -> usize {
    let head = bytes.get(..pos).unwrap_or(&[]);
    head.iter()
        .rev()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()
}

/// Columns taken by `s`, a tab counting 4.
fn width(s: &str) -> usize {
    s.chars().fold(0, |n, c| n + if c == '\t' { 4 } else { 1 })
}

fn has_break(s: &[u8]) -> bool {
    s.iter().any(|&b| b == b'\n' || b == b'\r')
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

/// `{"a":{"b":json}}` for the tokens `a`, `b`; a last `-` (append) makes the array `[json]`.
fn wrap(tokens: &[String], json: &str) -> String {
    let (objects, append) = match tokens.split_last() {
        Some((last, rest)) if last == "-" => (rest, true),
        _ => (tokens, false),
    };
    let mut out = String::new();
    for t in objects {
        out.push('{');
        out.push_str(&quoted(t));
        out.push(':');
    }
    match append {
        true => out.push_str(&cat(&["[", json, "]"])),
        false => out.push_str(json),
    }
    for _ in objects {
        out.push('}');
    }
    out
}

/// A JSON text given for an edit, parsed; comments and trailing commas are refused.
fn json_value(json: &str) -> Result<Document, Error> {
    match Document::from_string(json.to_owned()) {
        Ok((doc, false)) => Ok(doc),
        Ok((_, true)) => Err(Error::validation(
            "value",
            "is not JSON: comments and trailing commas are not allowed here",
        )),
        Err(e) => Err(Error::validation(
            "value",
            cat(&[
                "is not JSON: ",
                &e.message,
                " at offset ",
                &decimal(e.offset as u64),
            ]),
        )),
    }
}

fn pointer_error(message: &str) -> Error {
    Error::validation("pointer", message)
}

/// The reference tokens of an RFC 6901 pointer, unescaped.
fn tokens(pointer: &str) -> Result<Vec<String>, Error> {
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
fn index(token: &str) -> Option<usize> {
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

/// The value of a string literal (quotes included) that the parser accepted.
fn unescape(literal: &str) -> String {
    let inner = literal
        .get(1..literal.len().saturating_sub(1))
        .unwrap_or("");
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hi = hex4(&mut chars);
                let code = if (0xD800..0xDC00).contains(&hi) {
                    let mut ahead = chars.clone();
                    let lo = match (ahead.next(), ahead.next()) {
                        (Some('\\'), Some('u')) => hex4(&mut ahead),
                        _ => 0,
                    };
                    if (0xDC00..0xE000).contains(&lo) {
                        chars = ahead;
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        0xFFFD
                    }
                } else {
                    hi
                };
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn hex4(chars: &mut core::str::Chars<'_>) -> u32 {
    (0..4).fold(0, |n, _| {
        n * 16 + chars.next().and_then(|c| c.to_digit(16)).unwrap_or(0)
    })
}

/// 1-based line and column (characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let head = text.as_bytes().get(..offset).unwrap_or(text.as_bytes());
    let line = head.iter().filter(|&&b| b == b'\n').count() + 1;
    let ls = head.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col = text.get(ls..offset).map_or(0, char_count) + 1;
    (line, col)
}

/// Just past the string literal opening at `pos` (the parser has checked it).
fn string_end(bytes: &[u8], pos: usize) -> usize {
    let mut p = pos + 1;
    while let Some(&b) = bytes.get(p) {
        p += 1;
        match b {
            b'"' => return p,
            b'\\' => p += 1,
            _ => {}
        }
    }
    p
}

/// Just past the comment opening at `pos` (a line comment stops before its line break);
/// `None` when no comment opens there or a block comment does not close.
fn comment_end(bytes: &[u8], pos: usize) -> Option<usize> {
    let rest = bytes.get(pos..)?;
    match rest.get(..2)? {
        b"//" => Some(
            pos + rest
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .unwrap_or(rest.len()),
        ),
        b"/*" => rest
            .get(2..)?
            .windows(2)
            .position(|w| w == b"*/")
            .map(|i| pos + i + 4),
        _ => None,
    }
}

enum State {
    /// A value is due (an object member's name and colon are already read).
    Value,
    /// After `{`, `[` or a comma: a member or element, or the closing bracket.
    Member,
    /// After a value: a comma or closing bracket, or the end of the text at the top.
    After,
}

struct Frame {
    index: usize,
    last: usize,
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    entries: Vec<Entry>,
    /// Whether the text used a comment or a trailing comma (so is not plain JSON).
    extended: bool,
}

type Fail = (usize, String);

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn fail<T>(&self, at: usize, expected: &str) -> Result<T, Fail> {
        Err((at, cat(&[expected, ", found ", &self.found(at)])))
    }

    /// What is at `at`, in words.
    fn found(&self, at: usize) -> String {
        let rest = self.bytes.get(at..).unwrap_or(&[]);
        let word = |b: &u8| b.is_ascii_alphanumeric() || b"_$.+-".contains(b);
        match rest.first() {
            None => "the end of the text".into(),
            Some(b'\'') => "a single quote (strings take double quotes)".into(),
            Some(b) if *b < 0x20 => "a control character".into(),
            Some(b) if word(b) => {
                let n = rest.iter().take_while(|b| word(b)).count().min(24);
                let w = core::str::from_utf8(rest.get(..n).unwrap_or(&[])).unwrap_or("");
                cat(&["'", w, "'"])
            }
            Some(_) => {
                let c = self.text.get(at..).and_then(|s| s.chars().next());
                let mut out = String::from("'");
                out.push(c.unwrap_or('?'));
                out.push('\'');
                out
            }
        }
    }

    fn document(&mut self) -> Result<(), Fail> {
        if self.bytes.starts_with(b"\xEF\xBB\xBF") {
            return Err((
                0,
                "a byte order mark (U+FEFF) is not allowed; remove it".into(),
            ));
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut state = State::Value;
        let mut key = (NONE, NONE);
        loop {
            self.space()?;
            match state {
                State::Value => {
                    let start = self.pos;
                    let parent = stack.last().map_or(NONE, |f| f.index);
                    let kind = match self.peek() {
                        Some(b'{') => Kind::Object,
                        Some(b'[') => Kind::Array,
                        Some(b'"') => {
                            self.string()?;
                            Kind::String
                        }
                        Some(b'-' | b'0'..=b'9') => {
                            self.number()?;
                            Kind::Number
                        }
                        Some(b't' | b'f' | b'n') => self.literal()?,
                        _ => return self.fail(start, "expected a value"),
                    };
                    let index = self.entries.len();
                    self.entries.push(Entry {
                        kind,
                        start,
                        end: self.pos,
                        key: key.0,
                        key_end: key.1,
                        after: index + 1,
                        comma: NONE,
                        parent,
                    });
                    key = (NONE, NONE);
                    if matches!(kind, Kind::Object | Kind::Array) {
                        if stack.len() >= MAX_DEPTH {
                            return Err((
                                start,
                                cat(&[
                                    "nesting deeper than ",
                                    &decimal(MAX_DEPTH as u64),
                                    " levels",
                                ]),
                            ));
                        }
                        self.pos += 1;
                        stack.push(Frame { index, last: NONE });
                        state = State::Member;
                    } else {
                        if let Some(top) = stack.last_mut() {
                            top.last = index;
                        }
                        state = State::After;
                    }
                }
                State::Member => {
                    let Some(top) = stack.last() else {
                        return Err((self.pos, "expected a value".into()));
                    };
                    let object = self.entries.get(top.index).map(|e| e.kind) == Some(Kind::Object);
                    let closer = if object { b'}' } else { b']' };
                    if self.peek() == Some(closer) {
                        if top.last != NONE {
                            self.extended = true;
                        }
                        self.close(&mut stack);
                        state = State::After;
                    } else if object {
                        key = self.member_name()?;
                        state = State::Value;
                    } else if self.peek() == Some(b',') {
                        return self.fail(self.pos, "expected a value or ']'");
                    } else {
                        state = State::Value;
                    }
                }
                State::After => {
                    let Some(top) = stack.last() else {
                        if self.pos < self.bytes.len() {
                            return self
                                .fail(self.pos, "expected the end of the text after the value");
                        }
                        return Ok(());
                    };
                    let object = self.entries.get(top.index).map(|e| e.kind) == Some(Kind::Object);
                    match (self.peek(), object) {
                        (Some(b','), _) => {
                            if let Some(e) = self.entries.get_mut(top.last) {
                                e.comma = self.pos;
                            }
                            self.pos += 1;
                            state = State::Member;
                        }
                        (Some(b'}'), true) | (Some(b']'), false) => {
                            self.close(&mut stack);
                        }
                        (_, true) => {
                            return self
                                .fail(self.pos, "expected ',' or '}' after an object member")
                        }
                        (_, false) => {
                            return self
                                .fail(self.pos, "expected ',' or ']' after an array element")
                        }
                    }
                }
            }
        }
    }

    /// Ends the innermost container at its closing bracket (at `pos`).
    fn close(&mut self, stack: &mut Vec<Frame>) {
        self.pos += 1;
        let after = self.entries.len();
        if let Some(frame) = stack.pop() {
            if let Some(e) = self.entries.get_mut(frame.index) {
                e.end = self.pos;
                e.after = after;
            }
            if let Some(top) = stack.last_mut() {
                top.last = frame.index;
            }
        }
    }

    /// A member's name, the space and comments after it, and its colon; the name's span.
    fn member_name(&mut self) -> Result<(usize, usize), Fail> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return self.fail(start, "expected a member name in double quotes or '}'");
        }
        self.string()?;
        let end = self.pos;
        // Between the name and its colon: space and comments.
        self.space()?;
        if self.peek() != Some(b':') {
            return self.fail(self.pos, "expected ':' after a member name");
        }
        #[cfg(fuzz_canary)]
        crate::canary::comment_before_colon(self.bytes, end, self.pos);
        self.pos += 1;
        Ok((start, end))
    }

    /// Space and comments.
    fn space(&mut self) -> Result<(), Fail> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') => {
                    let start = self.pos;
                    match self.bytes.get(start + 1) {
                        Some(b'/' | b'*') => {}
                        _ => return self.fail(start, "expected '//' or '/*' to start a comment"),
                    }
                    match comment_end(self.bytes, start) {
                        Some(end) => self.pos = end,
                        None => return Err((start, "unterminated block comment".into())),
                    }
                    self.extended = true;
                }
                _ => return Ok(()),
            }
        }
    }

    fn string(&mut self) -> Result<(), Fail> {
        let start = self.pos;
        let mut p = start + 1;
        loop {
            let run = self
                .bytes
                .get(p..)
                .unwrap_or(&[])
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            let Some(run) = run else {
                return Err((start, "unterminated string".into()));
            };
            p += run;
            match self.bytes.get(p) {
                Some(b'"') => {
                    self.pos = p + 1;
                    return Ok(());
                }
                Some(b'\\') => match self.bytes.get(p + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => p += 2,
                    Some(b'u') => {
                        let hex = self.bytes.get(p + 2..p + 6).unwrap_or(&[]);
                        if hex.len() != 4 || !hex.iter().all(u8::is_ascii_hexdigit) {
                            return Err((p, "expected four hex digits after '\\u'".into()));
                        }
                        p += 6;
                    }
                    None => return Err((start, "unterminated string".into())),
                    Some(_) => {
                        return Err((
                            p,
                            "invalid escape in a string (JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"
                                .into(),
                        ))
                    }
                },
                _ => {
                    return Err((
                        p,
                        "control character in a string (write it as an escape such as \\n)".into(),
                    ))
                }
            }
        }
    }

    fn digits(&mut self) -> usize {
        let n = self
            .bytes
            .get(self.pos..)
            .unwrap_or(&[])
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.pos += n;
        n
    }

    fn number(&mut self) -> Result<(), Fail> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int = self.pos;
        match self.digits() {
            0 => return self.fail(self.pos, "expected a digit after '-'"),
            n if n > 1 && self.bytes.get(int) == Some(&b'0') => {
                return Err((int, "a number cannot start with a leading zero".into()))
            }
            _ => {}
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return self.fail(self.pos, "expected a digit after the decimal point");
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return self.fail(self.pos, "expected a digit in the exponent");
            }
        }
        if self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
        {
            return self.fail(start, "expected a number");
        }
        Ok(())
    }

    fn literal(&mut self) -> Result<Kind, Fail> {
        let start = self.pos;
        let rest = self.bytes.get(start..).unwrap_or(&[]);
        let n = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'$')
            .count();
        let kind = match rest.get(..n) {
            Some(b"true" | b"false") => Kind::Bool,
            Some(b"null") => Kind::Null,
            _ => return self.fail(start, "expected a value"),
        };
        self.pos += n;
        Ok(kind)
    }
}
