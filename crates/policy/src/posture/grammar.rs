//! The condition grammar: `<attribute> <operator> [<value>]`, with the column of any error.

use super::{Condition, ConditionError, Operand, Operator};
use crate::hujson::Document;
use tailscale_wire::attribute::AttributeValue;
use tailscale_wire::text::{cat, char_count};

/// Reads `<attribute> <operator> [<value>]` (the README's "Gate access on attributes").
pub fn parse(text: &str) -> Result<Condition, ConditionError> {
    let mut c = Cursor { text, pos: 0 };
    c.skip_space();
    let start = c.pos;
    if c.at_end() {
        return Err(c.error(
            start,
            "empty condition: expected an attribute such as node:os",
        ));
    }
    let namespace = c.take_while(|b| b.is_ascii_alphanumeric());
    if !namespace
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
    {
        return Err(c.error(
            start,
            "expected an attribute such as node:os or custom:tier",
        ));
    }
    if c.peek() != Some(b':') {
        return Err(c.error(
            c.pos,
            cat(&[
                "expected ':' after the namespace '",
                namespace,
                "' (an attribute looks like node:os)",
            ]),
        ));
    }
    c.pos += 1;
    if c.take_while(is_name_byte).is_empty() {
        return Err(c.error(
            c.pos,
            cat(&["expected an attribute name after '", namespace, ":'"]),
        ));
    }
    let attribute: String = c.slice(start, c.pos).into();
    c.skip_space();
    let operator = operator(&mut c)?;
    c.skip_space();
    let (value, value_text) = if !operator.takes_value() {
        (Operand::None, String::new())
    } else if c.at_end() {
        return Err(c.error(c.pos, cat(&["expected a value after ", operator.as_str()])));
    } else if operator.takes_list() {
        if c.peek() != Some(b'[') {
            return Err(c.error(
                c.pos,
                cat(&[
                    operator.as_str(),
                    " takes a bracketed list, as in ['macos', 'linux']",
                ]),
            ));
        }
        let (items, text) = list(&mut c)?;
        (Operand::List(items), text)
    } else {
        if c.peek() == Some(b'[') {
            return Err(c.error(
                c.pos,
                cat(&[
                    operator.as_str(),
                    " takes one value; only IN and NOT IN take a list",
                ]),
            ));
        }
        let (v, text) = value(&mut c)?;
        (Operand::One(v), text)
    };
    c.skip_space();
    if !c.at_end() {
        let message = if operator.takes_value() {
            "unexpected text after the value"
        } else if operator == Operator::IsSet {
            "IS SET takes no value"
        } else {
            "NOT SET takes no value"
        };
        return Err(c.error(c.pos, message));
    }
    // Planted bug for `make fuzz-canary`: `NOT SET` on a `node:` attribute.
    #[cfg(fuzz_canary)]
    #[allow(clippy::panic)]
    if operator == Operator::NotSet && attribute.starts_with("node:") {
        panic!("fuzz canary: NOT SET on a node: attribute");
    }
    Ok(Condition {
        attribute,
        operator,
        value,
        value_text,
    })
}

/// A byte position in the condition. It moves only past ASCII bytes (or to just after a
/// quote found by byte), so it always sits on a character boundary and slices cannot fail.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn take_while(&mut self, f: fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(f) {
            self.pos += 1;
        }
        self.slice(start, self.pos)
    }

    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.text.get(from..to).unwrap_or_default()
    }

    fn error(&self, at: usize, message: impl Into<String>) -> ConditionError {
        ConditionError {
            column: char_count(self.slice(0, at)) + 1,
            message: message.into(),
        }
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'-')
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

const EXPECTED_OPERATOR: &str = "expected an operator such as == or IN";

/// The symbol operators, longest first. A constant walked by reference: an array walked by
/// value is built on the stack at every call.
const SYMBOLS: [(&[u8], Operator); 6] = [
    (b"==", Operator::Eq),
    (b"!=", Operator::Ne),
    (b"<=", Operator::Le),
    (b">=", Operator::Ge),
    (b"<", Operator::Lt),
    (b">", Operator::Gt),
];

fn operator(c: &mut Cursor) -> Result<Operator, ConditionError> {
    let at = c.pos;
    let rest = c.text.as_bytes().get(at..).unwrap_or_default();
    for &(symbol, op) in &SYMBOLS {
        if rest.starts_with(symbol) {
            c.pos += symbol.len();
            return Ok(op);
        }
    }
    let word = c.take_while(is_word_byte);
    if word.eq_ignore_ascii_case("IN") {
        return Ok(Operator::In);
    }
    let (followers, ops): (&str, &[(&str, Operator)]) = if word.eq_ignore_ascii_case("NOT") {
        (
            "expected IN or SET after NOT",
            &[("IN", Operator::NotIn), ("SET", Operator::NotSet)],
        )
    } else if word.eq_ignore_ascii_case("IS") {
        ("expected SET after IS", &[("SET", Operator::IsSet)])
    } else if rest.first() == Some(&b'=') {
        return Err(c.error(at, "expected an operator such as == or IN (equality is ==)"));
    } else {
        return Err(c.error(at, EXPECTED_OPERATOR));
    };
    c.skip_space();
    let second_at = c.pos;
    let second = c.take_while(is_word_byte);
    // `NOT` and `IN` are two words: `NOTIN` was refused above as one unknown word.
    if second_at > at + word.len() {
        for (name, op) in ops {
            if second.eq_ignore_ascii_case(name) {
                return Ok(*op);
            }
        }
    }
    Err(c.error(second_at, followers))
}

const EXPECTED_VALUE: &str = "expected a value: a 'quoted string', a number, true or false";

/// One value, and its canonical text.
fn value(c: &mut Cursor) -> Result<(AttributeValue, String), ConditionError> {
    let at = c.pos;
    match c.peek() {
        Some(b'\'') => {
            let rest = c.text.as_bytes().get(at + 1..).unwrap_or_default();
            let Some(len) = rest.iter().position(|&b| b == b'\'') else {
                return Err(c.error(at, "unterminated string starting here"));
            };
            let s = c.slice(at + 1, at + 1 + len);
            c.pos = at + len + 2;
            Ok((AttributeValue::String(s.into()), cat(&["'", s, "'"])))
        }
        Some(b'"') => Err(c.error(at, "values take single quotes, as in 'macos'")),
        Some(b'-' | b'0'..=b'9') => number(c),
        Some(b'[') => Err(c.error(at, "lists do not nest")),
        Some(b) if b.is_ascii_alphabetic() => {
            let word = c.take_while(is_word_byte);
            match word {
                "true" => Ok((AttributeValue::Boolean(true), word.into())),
                "false" => Ok((AttributeValue::Boolean(false), word.into())),
                _ if word.eq_ignore_ascii_case("true") || word.eq_ignore_ascii_case("false") => {
                    Err(c.error(at, "true and false are written in lower case"))
                }
                _ => Err(c.error(
                    at,
                    cat(&[EXPECTED_VALUE, " (text takes single quotes: '", word, "')"]),
                )),
            }
        }
        _ => Err(c.error(at, EXPECTED_VALUE)),
    }
}

/// A number in JSON's syntax, read by the HuJSON parser. The whole run of number-like
/// characters must be one, so an unquoted version (`1.60.2`) is refused with a hint rather
/// than read as `1.60`.
fn number(c: &mut Cursor) -> Result<(AttributeValue, String), ConditionError> {
    let at = c.pos;
    let run = c.take_while(|b| is_word_byte(b) || matches!(b, b'.' | b'+' | b'-'));
    // The run starts with `-` or a digit and holds no space or `/`: it parses as a number or
    // not at all.
    let Ok(doc) = Document::parse(run) else {
        return Err(c.error(
            at,
            cat(&[
                "'",
                run,
                "' is not a number (a version or other text takes single quotes: '",
                run,
                "')",
            ]),
        ));
    };
    match doc.root().as_f64().filter(|n| n.is_finite()) {
        Some(n) => Ok((AttributeValue::Number(n), run.into())),
        None => Err(c.error(at, "number out of range")),
    }
}

/// `[value, value, ...]`, and its canonical text.
fn list(c: &mut Cursor) -> Result<(Vec<AttributeValue>, String), ConditionError> {
    let open = c.pos;
    c.pos += 1;
    c.skip_space();
    if c.peek() == Some(b']') {
        return Err(c.error(c.pos, "a list needs at least one value"));
    }
    let mut items = Vec::new();
    let mut text = String::from("[");
    loop {
        if c.at_end() {
            return Err(c.error(open, "unterminated list starting here"));
        }
        let (item, item_text) = value(c)?;
        if !items.is_empty() {
            text.push_str(", ");
        }
        text.push_str(&item_text);
        items.push(item);
        c.skip_space();
        match c.peek() {
            Some(b',') => {
                let comma = c.pos;
                c.pos += 1;
                c.skip_space();
                if c.peek() == Some(b']') {
                    return Err(c.error(comma, "no comma after a list's last value"));
                }
            }
            Some(b']') => {
                c.pos += 1;
                text.push(']');
                return Ok((items, text));
            }
            None => return Err(c.error(open, "unterminated list starting here")),
            Some(_) => return Err(c.error(c.pos, "expected ',' or ']' after a list value")),
        }
    }
}
