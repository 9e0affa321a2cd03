//! Edits that splice only the bytes of what they replace, add or remove, then re-index.

use super::layout::{blanks, blanks_before, has_break, width};
use super::parse::comment_end;
use super::pointer::{index, pointer_error, tokens};
use super::{Document, Kind, NONE};
use tailscale_wire::error::Error;
use tailscale_wire::text::{cat, decimal, quoted};

impl Document {
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

    /// Splices the text (splices in text order, not overlapping) and re-indexes it; on
    /// failure the document stays as it was.
    pub(super) fn apply(&mut self, splices: Vec<Splice>) -> Result<(), Error> {
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

    /// Past the spaces, tabs and comments that follow `pos` on its line (a block comment only
    /// when it closes on that line); `pos` itself when there is no such comment.
    pub(super) fn same_line_comments(&self, pos: usize) -> usize {
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
    pub(super) fn comments_end(&self, pos: usize) -> usize {
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

    pub(super) fn replace(&self, at: usize, value: &Document) -> Vec<Splice> {
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
    pub(super) fn insert(&self, at: usize, name: Option<&str>, value: &Document) -> Vec<Splice> {
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
    pub(super) fn removal(&self, at: usize) -> Vec<Splice> {
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
}

pub(super) struct Splice {
    at: usize,
    end: usize,
    text: String,
}

impl Splice {
    pub(super) fn add(at: usize, text: String) -> Splice {
        Splice { at, end: at, text }
    }
    pub(super) fn cut(at: usize, end: usize) -> Splice {
        Splice {
            at,
            end,
            text: String::new(),
        }
    }
}

/// `{"a":{"b":json}}` for the tokens `a`, `b`; a last `-` (append) makes the array `[json]`.
pub(super) fn wrap(tokens: &[String], json: &str) -> String {
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
pub(super) fn json_value(json: &str) -> Result<Document, Error> {
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
