//! Edits that splice only the bytes of what they replace, add or remove, then re-index.

use super::layout::{blanks, blanks_before, has_break, width};
use super::parse::comment_end;
use super::pointer::{doubtful_parent, index, is_name, pointer_error, Pointer};
use super::{Document, Kind, SyntaxError, NONE};
use tailscale_wire::error::Error;
use tailscale_wire::text::{cat, decimal, quoted};

impl Document {
    /// Replaces the value at `pointer` with the JSON text `json`, or adds it as an object member.
    /// Missing parents are made as objects where each step into one is a name; a step that is
    /// an index or `-` could as well mean an array, so it is an error. In an array, an index
    /// below the length replaces and a last `-` appends.
    pub fn set<P: Pointer + ?Sized>(&mut self, pointer: &P, json: &str) -> Result<(), Error> {
        let tokens = pointer.tokens()?;
        let value = json_value(json)?;
        let splices = self.set_splices(&tokens, &value)?;
        self.apply(splices)
    }

    fn set_splices(&self, tokens: &[String], value: &Document) -> Result<Vec<Splice>, Error> {
        let mut at = 0;
        for (k, token) in tokens.iter().enumerate() {
            let Some(e) = self.entry(at) else {
                return Err(pointer_error("does not lead to a value"));
            };
            let last = k + 1 == tokens.len();
            at = match e.kind {
                Kind::Object => match self.member(at, token) {
                    Some(child) => child,
                    None => return self.add_member(at, tokens, k, value),
                },
                Kind::Array if token == "-" && last => return self.insert(at, None, value),
                Kind::Array => match index(token).and_then(|n| self.children(at).nth(n)) {
                    Some(child) => child,
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
            };
        }
        Ok(self.replace(at, value))
    }

    /// Adds member `tokens[k]` to object `at`, holding `value` under the missing parents that
    /// the rest of the tokens name.
    fn add_member(
        &self,
        at: usize,
        tokens: &[String],
        k: usize,
        value: &Document,
    ) -> Result<Vec<Splice>, Error> {
        let rest = tokens.get(k + 1..).unwrap_or(&[]);
        if let Some(j) = rest.iter().position(|t| !is_name(t)) {
            let parent = tokens.get(..k + 1 + j).unwrap_or(&[]);
            let token = rest.get(j).map_or("", String::as_str);
            return Err(doubtful_parent(tokens, parent, token));
        }
        let wrapped = json_value(&wrap(rest, &value.text))?;
        self.insert(at, tokens.get(k).map(String::as_str), &wrapped)
    }

    /// Pushes the JSON text `json` onto the array at `pointer`, making the array when absent
    /// (and missing parents, as `set` makes them).
    pub fn append<P: Pointer + ?Sized>(&mut self, pointer: &P, json: &str) -> Result<(), Error> {
        let tokens = pointer.tokens()?;
        let value = json_value(json)?;
        match self
            .locate(&tokens)
            .and_then(|at| Some((at, self.entry(at)?)))
        {
            Some((at, e)) if e.kind == Kind::Array => {
                let splices = self.insert(at, None, &value)?;
                self.apply(splices)
            }
            Some(_) => Err(pointer_error("names a value that is not an array")),
            None => self.set(tokens.as_slice(), &cat(&["[", json, "]"])),
        }
    }

    /// Removes the member or element at `pointer` with its separating comma and the comments
    /// that are its own, as hujson's `Patch` reads them: the block directly above it (no blank
    /// line between), its comment on the same line, and the block directly below that when a
    /// blank line follows it. Lines left empty go, and of two blank lines that meet, one.
    /// `Ok(false)` when nothing is there.
    pub fn remove<P: Pointer + ?Sized>(&mut self, pointer: &P) -> Result<bool, Error> {
        let tokens = pointer.tokens()?;
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
        let (doc, _) = Document::from_string(out).map_err(unparsable)?;
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
    pub(super) fn insert(
        &self,
        at: usize,
        name: Option<&str>,
        value: &Document,
    ) -> Result<Vec<Splice>, Error> {
        let Some(c) = self.entry(at) else {
            return Ok(Vec::new());
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
                    let (fresh, _) = Document::from_string(json).map_err(unparsable)?;
                    let mut text = String::new();
                    layout.print(&fresh, 0, outer, self.column(c.start), &mut text);
                    splices.push(Splice {
                        at: c.start,
                        end: c.end,
                        text,
                    });
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
        Ok(splices)
    }

    /// The splices that take out entry `at` with its separating comma and its own comments.
    pub(super) fn removal(&self, at: usize) -> Vec<Splice> {
        let (Some(e), Some(c)) = (self.entry(at), self.entry(self.parent_of(at))) else {
            return Vec::new();
        };
        let bytes = self.text.as_bytes();
        let start = e.key.min(e.start);
        let prev = self
            .children(e.parent)
            .take_while(|&i| i != at)
            .last()
            .and_then(|i| self.entry(i));
        let next = self.entry(e.after).filter(|n| n.parent == e.parent);
        let gap_start = prev.map_or(c.start, |p| p.comma).saturating_add(1);
        let lead = gap_start + leading_owned(bytes.get(gap_start..start).unwrap_or(&[]));
        let after = if e.comma == NONE {
            e.end
        } else {
            e.comma.saturating_add(1)
        };
        let gap_end = next.map_or(c.end.saturating_sub(1), |n| n.key.min(n.start));
        let end = after + trailing_owned(bytes.get(after..gap_end).unwrap_or(&[]));
        let mut splices = Vec::new();
        if let Some(p) = prev.filter(|p| e.comma == NONE && p.comma != NONE) {
            // The last member, without a trailing comma: the comma before it goes with it.
            if self
                .slice(p.comma.saturating_add(1), lead)
                .bytes()
                .all(is_space)
            {
                return vec![Splice::cut(p.comma, end)];
            }
            splices.push(Splice::cut(p.comma, p.comma.saturating_add(1)));
        }
        let (ls, indent) = self.line_indent(lead);
        let line_end = end.saturating_add(blanks(bytes, end));
        let emptied = ls.saturating_add(indent.len()) == lead
            && matches!(bytes.get(line_end), None | Some(b'\n' | b'\r'));
        if emptied {
            let to = past_break(bytes, line_end);
            // Blank lines above and below the removed lines: keep one, as hujson does.
            let to = match blank_line_before(bytes, ls) {
                true => past_blank_line(bytes, to),
                false => to,
            };
            splices.push(Splice::cut(ls, to));
        } else if self.is_last(&e) && e.comma != NONE {
            let back = blanks_before(bytes, lead);
            splices.push(Splice::cut(lead.saturating_sub(back), end));
        } else {
            splices.push(Splice::cut(lead, line_end));
        }
        splices
    }

    fn parent_of(&self, at: usize) -> usize {
        self.entry(at).map_or(NONE, |e| e.parent)
    }
}

/// Where the comments of a gap (the space and comments between two siblings) divide, as
/// hujson's `classifyComments`: `(prev_end, curr_start)`, where `gap[..prev_end]` is the
/// earlier sibling's and `gap[curr_start..]` the later one's. With a blank line in the gap, the
/// earlier one has what comes before the first and the later one what comes after the last;
/// without, the earlier one has only a line comment on its own line, the later one the rest.
fn classify(gap: &[u8]) -> (usize, usize) {
    let (mut first, mut last, mut dividers) = (0, 0, 0);
    let (mut n, mut newline_before) = (0, 0);
    while n < gap.len() {
        let rest = gap.get(n..).unwrap_or(&[]);
        let nw = space_len(rest);
        if newline_before + newlines(rest.get(..nw).unwrap_or(&[])) >= 2 {
            if dividers == 0 {
                first = n;
            }
            last = n;
            dividers += 1;
        }
        n += nw;
        let comment = gap.get(n..).unwrap_or(&[]);
        let nc = comment_len(comment);
        if nc == 0 {
            break;
        }
        newline_before = usize::from(comment.get(..nc).is_some_and(|c| c.ends_with(b"\n")));
        n += nc;
    }
    if dividers > 0 {
        return (first, last);
    }
    let nw = space_len(gap);
    let n = nw + comment_len(gap.get(nw..).unwrap_or(&[]));
    let head = gap.get(..n).unwrap_or(&[]);
    match newlines(head) == 1 && head.ends_with(b"\n") {
        true => (n, n),
        false => (0, 0),
    }
}

/// Where the comments that belong to the sibling after `gap` start (`gap.len()` when none do).
fn leading_owned(gap: &[u8]) -> usize {
    let (_, from) = classify(gap);
    from + space_len(gap.get(from..).unwrap_or(&[]))
}

/// Where the comments that belong to the sibling before `gap` end, before their last line
/// break (0 when none do).
fn trailing_owned(gap: &[u8]) -> usize {
    let (to, _) = classify(gap);
    let own = gap.get(..to).unwrap_or(&[]);
    to - usize::from(own.ends_with(b"\n"))
}

/// The length of the comment at the start of `b`, a line comment's line break included.
fn comment_len(b: &[u8]) -> usize {
    let end = comment_end(b, 0).unwrap_or(0);
    end + usize::from(b.starts_with(b"//") && b.get(end) == Some(&b'\n'))
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn space_len(b: &[u8]) -> usize {
    b.iter().take_while(|&&b| is_space(b)).count()
}

fn newlines(b: &[u8]) -> usize {
    b.iter().filter(|&&b| b == b'\n').count()
}

/// Past the line break at `pos` (`\n` or `\r\n`), if one is there.
fn past_break(bytes: &[u8], pos: usize) -> usize {
    let pos = pos + usize::from(bytes.get(pos) == Some(&b'\r'));
    pos + usize::from(bytes.get(pos) == Some(&b'\n'))
}

/// Whether the line that ends just before `ls` (a line start) holds only spaces and tabs.
fn blank_line_before(bytes: &[u8], ls: usize) -> bool {
    let Some(head) = ls.checked_sub(1).and_then(|end| bytes.get(..end)) else {
        return false;
    };
    let head = head.strip_suffix(b"\r").unwrap_or(head);
    let line = head.len() - blanks_before(head, head.len());
    line > 0 && head.get(line - 1) == Some(&b'\n')
}

/// Past the line at `pos` when it holds only spaces and tabs; else `pos`.
fn past_blank_line(bytes: &[u8], pos: usize) -> usize {
    let end = pos + blanks(bytes, pos);
    match bytes.get(end) {
        Some(b'\n' | b'\r') => past_break(bytes, end),
        _ => pos,
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

/// `{"a":{"b":json}}` for the tokens `a`, `b`.
pub(super) fn wrap(tokens: &[String], json: &str) -> String {
    let mut out = String::new();
    for t in tokens {
        out.push('{');
        out.push_str(&quoted(t));
        out.push(':');
    }
    out.push_str(json);
    for _ in tokens {
        out.push('}');
    }
    out
}

/// The error of an edit whose text would not parse (nesting past the limit).
fn unparsable(e: SyntaxError) -> Error {
    Error::validation(
        "value",
        cat(&["the edited text would not parse: ", &e.message]),
    )
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
