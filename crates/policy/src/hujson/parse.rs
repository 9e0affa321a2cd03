//! The parser: HuJSON text to the flat index of its values, with the line and column of the
//! first error.

use super::{Document, Entry, Kind, SyntaxError, MAX_DEPTH, NONE};
use tailscale_wire::text::{cat, char_count, decimal};

impl Document {
    pub(super) fn from_string(text: String) -> Result<(Document, bool), SyntaxError> {
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
}

impl Document {
    /// Parses bytes as hujson does: invalid UTF-8 is an error, except inside a string, where each
    /// invalid byte reads as U+FFFD (as Go's JSON decoder reads it); the text holds U+FFFD there.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Document, SyntaxError> {
        let (text, replaced) = replace_invalid(bytes);
        // A replacement takes 3 bytes where the input had 1.
        let input_offset = |at: usize| at - 2 * replaced.partition_point(|&r| r < at);
        match Self::from_string(text) {
            Ok((doc, _)) => match doc.comment_with(&replaced) {
                None => Ok(doc),
                Some(at) => {
                    let (line, column) = line_column(&doc.text, at);
                    Err(SyntaxError {
                        line,
                        column,
                        offset: input_offset(at),
                        message: "invalid UTF-8 in a comment".into(),
                    })
                }
            },
            Err(e) => {
                let message = match replaced.binary_search(&e.offset) {
                    Ok(_) => "invalid UTF-8".into(),
                    Err(_) => e.message,
                };
                Err(SyntaxError {
                    offset: input_offset(e.offset),
                    message,
                    ..e
                })
            }
        }
    }

    /// The first of `offsets` (ascending) that lies in a comment.
    fn comment_with(&self, offsets: &[usize]) -> Option<usize> {
        comments(self.text.as_bytes()).find_map(|(start, end)| {
            let first = offsets.get(offsets.partition_point(|&r| r < start))?;
            (*first < end).then_some(*first)
        })
    }
}

/// `bytes` as text with each byte that is not part of valid UTF-8 replaced by U+FFFD, and the
/// offsets of the replacements in the text.
fn replace_invalid(bytes: &[u8]) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(bytes.len());
    let mut replaced = Vec::new();
    let mut rest = bytes;
    loop {
        match core::str::from_utf8(rest) {
            Ok(valid) => {
                text.push_str(valid);
                return (text, replaced);
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                text.push_str(core::str::from_utf8(valid).unwrap_or(""));
                replaced.push(text.len());
                text.push('\u{FFFD}');
                rest = after.get(1..).unwrap_or(&[]);
            }
        }
    }
}

/// The `[start, end)` spans of the comments in a text that parsed, in order.
pub(super) fn comments(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = 0;
    core::iter::from_fn(move || {
        while let Some(&b) = bytes.get(pos) {
            match b {
                b'"' => pos = string_end(bytes, pos),
                b'/' => {
                    let start = pos;
                    pos = comment_end(bytes, pos).unwrap_or(bytes.len());
                    return Some((start, pos));
                }
                _ => pos += 1,
            }
        }
        None
    })
}

/// The value of a string literal (quotes included) that the parser accepted.
pub(super) fn unescape(literal: &str) -> String {
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

pub(super) fn hex4(chars: &mut core::str::Chars<'_>) -> u32 {
    (0..4).fold(0, |n, _| {
        n * 16 + chars.next().and_then(|c| c.to_digit(16)).unwrap_or(0)
    })
}

/// 1-based line and column (characters) of a byte offset.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let head = text.as_bytes().get(..offset).unwrap_or(text.as_bytes());
    let line = head.iter().filter(|&&b| b == b'\n').count() + 1;
    let ls = head.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col = text.get(ls..offset).map_or(0, char_count) + 1;
    (line, col)
}

/// Just past the string literal opening at `pos` (the parser has checked it).
pub(super) fn string_end(bytes: &[u8], pos: usize) -> usize {
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

/// Just past the comment opening at `pos` (a line comment stops before its `\n`, the only
/// byte that ends one); `None` when no comment opens there or it does not end before the text
/// does, as hujson refuses `null//`.
pub(super) fn comment_end(bytes: &[u8], pos: usize) -> Option<usize> {
    let rest = bytes.get(pos..)?;
    match rest.get(..2)? {
        b"//" => rest.iter().position(|&b| b == b'\n').map(|i| pos + i),
        b"/*" => rest
            .get(2..)?
            .windows(2)
            .position(|w| w == b"*/")
            .map(|i| pos + i + 4),
        _ => None,
    }
}

pub(super) enum State {
    /// A value is due (an object member's name and colon are already read).
    Value,
    /// After `{`, `[` or a comma: a member or element, or the closing bracket.
    Member,
    /// After a value: a comma or closing bracket, or the end of the text at the top.
    After,
}

pub(super) struct Frame {
    index: usize,
    last: usize,
}

pub(super) struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    entries: Vec<Entry>,
    /// Whether the text used a comment or a trailing comma (so is not plain JSON).
    extended: bool,
}

pub(super) type Fail = (usize, String);

impl Parser<'_> {
    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(super) fn fail<T>(&self, at: usize, expected: &str) -> Result<T, Fail> {
        Err((at, cat(&[expected, ", found ", &self.found(at)])))
    }

    /// What is at `at`, in words.
    pub(super) fn found(&self, at: usize) -> String {
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

    pub(super) fn document(&mut self) -> Result<(), Fail> {
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
    pub(super) fn close(&mut self, stack: &mut Vec<Frame>) {
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
    pub(super) fn member_name(&mut self) -> Result<(usize, usize), Fail> {
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
        // Planted bug for `make fuzz-canary`: a comment between a name and its colon.
        #[cfg(fuzz_canary)]
        #[allow(clippy::panic)]
        if self
            .bytes
            .get(end..self.pos)
            .is_some_and(|b| b.contains(&b'/'))
        {
            panic!("fuzz canary: a comment between a name and its colon");
        }
        self.pos += 1;
        Ok((start, end))
    }

    /// Space and comments.
    pub(super) fn space(&mut self) -> Result<(), Fail> {
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
                        None if self.bytes.get(start + 1) == Some(&b'/') => {
                            return Err((
                                start,
                                "unterminated line comment: the text ends before its line break"
                                    .into(),
                            ))
                        }
                        None => return Err((start, "unterminated block comment".into())),
                    }
                    self.extended = true;
                }
                _ => return Ok(()),
            }
        }
    }

    pub(super) fn string(&mut self) -> Result<(), Fail> {
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

    pub(super) fn digits(&mut self) -> usize {
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

    pub(super) fn number(&mut self) -> Result<(), Fail> {
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

    pub(super) fn literal(&mut self) -> Result<Kind, Fail> {
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
