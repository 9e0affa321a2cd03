//! How a new value is written into a document: its line ending, indentation unit and
//! trailing-comma style, and when a new object or array fits on one line.

use super::{Document, Kind, NONE, WIDTH};
use tailscale_wire::text::{cat, char_count};

impl Document {
    pub(super) fn newline(&self) -> &'static str {
        let b = self.text.as_bytes();
        match b.iter().position(|&c| c == b'\n') {
            Some(i) if i > 0 && b.get(i - 1) == Some(&b'\r') => "\r\n",
            _ => "\n",
        }
    }

    /// One level of indentation: how much a child's line is indented past its parent's, from
    /// the first 100 values that start a line (a bound: each look scans the parent's line).
    pub(super) fn unit(&self) -> &str {
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
    pub(super) fn trailing(&self) -> bool {
        self.entries
            .iter()
            .any(|e| e.comma != NONE && self.is_last(e))
    }

    /// The start of the line holding `pos`, and that line's leading spaces and tabs.
    pub(super) fn line_indent(&self, pos: usize) -> (usize, &str) {
        let head = self.text.as_bytes().get(..pos).unwrap_or(&[]);
        let ls = head.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let n = blanks(self.text.as_bytes(), ls);
        (ls, self.slice(ls, ls.saturating_add(n)))
    }

    pub(super) fn column(&self, pos: usize) -> usize {
        let (ls, _) = self.line_indent(pos);
        width(self.slice(ls, pos))
    }

    pub(super) fn layout(&self) -> Layout<'_> {
        Layout {
            newline: self.newline(),
            unit: self.unit(),
            trailing: self.trailing(),
        }
    }
}

/// How new values are written into a document.
pub(super) struct Layout<'d> {
    pub(super) newline: &'static str,
    pub(super) unit: &'d str,
    pub(super) trailing: bool,
}

impl Layout<'_> {
    /// Writes value `i` of `v` (plain JSON) at a line indented `indent`, starting at `col`.
    pub(super) fn print(&self, v: &Document, i: usize, indent: &str, col: usize, out: &mut String) {
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
pub(super) fn one_line(v: &Document, i: usize, out: &mut String, room: usize) -> bool {
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
pub(super) fn blanks(bytes: &[u8], pos: usize) -> usize {
    let rest = bytes.get(pos..).unwrap_or(&[]);
    rest.iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()
}

/// How many spaces and tabs run back from `pos` (just before it).
pub(super) fn blanks_before(bytes: &[u8], pos: usize) -> usize {
    let head = bytes.get(..pos).unwrap_or(&[]);
    head.iter()
        .rev()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()
}

/// Columns taken by `s`, a tab counting 4.
pub(super) fn width(s: &str) -> usize {
    s.chars().fold(0, |n, c| n + if c == '\t' { 4 } else { 1 })
}

pub(super) fn has_break(s: &[u8]) -> bool {
    s.iter().any(|&b| b == b'\n' || b == b'\r')
}
