//! Device posture conditions (`node:tsVersion >= '1.60'`): parsing, printing, and evaluation
//! against a device's attributes (API.md "Posture conditions"; the documented facts and the
//! gaps are in the README's "Gate access on attributes"). Sans-IO: the wasm layer fetches the policy, devices and attributes.
//!
//! Where Tailscale's docs are silent, this module chooses, and the choices are the contract:
//! keywords in any case; spaces or tabs between tokens, optional where unambiguous; leading and
//! trailing whitespace allowed; no comma after a list's last value; a string never equals a
//! number or a boolean.

use crate::devices::AttributeValue;
use crate::error::{index_field, member_field, Issue};
use crate::hujson::Document;
use crate::text::{cat, char_count, decimal};
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    IsSet,
    NotSet,
}

impl Operator {
    /// The operator as `print` writes it (keywords upper case).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "==",
            Operator::Ne => "!=",
            Operator::Lt => "<",
            Operator::Le => "<=",
            Operator::Gt => ">",
            Operator::Ge => ">=",
            Operator::In => "IN",
            Operator::NotIn => "NOT IN",
            Operator::IsSet => "IS SET",
            Operator::NotSet => "NOT SET",
        }
    }

    fn takes_value(self) -> bool {
        !matches!(self, Operator::IsSet | Operator::NotSet)
    }

    fn takes_list(self) -> bool {
        matches!(self, Operator::In | Operator::NotIn)
    }
}

/// What a condition compares with: nothing (`IS SET`, `NOT SET`), one value, or a list (`IN`,
/// `NOT IN`).
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    None,
    One(AttributeValue),
    List(Vec<AttributeValue>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Namespace and name, as written: `node:os`, `custom:tier`.
    pub attribute: String,
    pub operator: Operator,
    pub value: Operand,
    /// The operand as `print` writes it, each number spelled as in the source: without
    /// `core::fmt` there is no shortest round-trip float printer, and the source text parses
    /// back to the same f64. Empty for `IS SET` / `NOT SET`. `parse` sets it.
    pub value_text: String,
}

/// Why a condition does not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

impl ConditionError {
    /// `column 9: expected an operator such as == or IN`.
    pub fn describe(&self) -> String {
        cat(&["column ", &decimal(self.column as u64), ": ", &self.message])
    }
}

impl Condition {
    /// The canonical text: single spaces between tokens, operators upper case, lists as
    /// `['a', 'b']`. `parse(&c.print()) == Ok(c)` for every `c` that `parse` made.
    pub fn print(&self) -> String {
        if self.value_text.is_empty() {
            cat(&[&self.attribute, " ", self.operator.as_str()])
        } else {
            cat(&[
                &self.attribute,
                " ",
                self.operator.as_str(),
                " ",
                &self.value_text,
            ])
        }
    }

    /// The part of the attribute before its first `:` (`node`, `custom`, `fleetPolicy`).
    pub fn namespace(&self) -> &str {
        self.attribute
            .split_once(':')
            .map_or(self.attribute.as_str(), |(ns, _)| ns)
    }
}

/// The namespaces Tailscale's device posture docs list: `node`, `ip`, `custom` and the posture integrations.
pub fn known_namespace(ns: &str) -> bool {
    matches!(
        ns,
        "node"
            | "ip"
            | "custom"
            | "falcon"
            | "sentinelOne"
            | "intune"
            | "jamfPro"
            | "kandji"
            | "kolide"
            | "fleet"
            | "fleetPolicy"
            | "huntress"
    )
}

/// Whether `s` reads as a version for an ordering operator: it starts with an ASCII digit
/// (`1.60`, `14.2.1`, `6.5.0-14-generic`). Any string orders by `cmpver`; this only tells a
/// version from text such as `'gold'`, which would order by its letters.
pub fn is_version(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

/// Compares two versions the way Tailscale's `util/cmpver/version.go` (`Compare`) does: each
/// is read as pairs of a run of non-digits then a run of digits; text runs compare byte by
/// byte, digit runs as integers; a missing text run is empty and a missing digit run is 0. So
/// `1.9 < 1.86.2`, `1.40 < 1.40.0` (the empty run after `1.40` sorts before `.`),
/// `1.01 == 1.1`, and `1.40.0-pre > 1.40.0` (a trailing `-pre` is more text, not a pre-release).
/// Two differences from the Go code, both where it panics: digit runs of any length compare
/// (by length without leading zeros, then digit by digit; Go's ParseUint overflows past
/// 2^64), and only ASCII digits are digits (Go's `unicode.IsNumber` takes other scripts'
/// digits, then fails to parse them).
pub fn cmpver(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    while !a.is_empty() || !b.is_empty() {
        let (text_a, rest_a) = split_run(a, false);
        let (text_b, rest_b) = split_run(b, false);
        let order = text_a.cmp(text_b);
        if order != Ordering::Equal {
            return order;
        }
        let (digits_a, rest_a) = split_run(rest_a, true);
        let (digits_b, rest_b) = split_run(rest_b, true);
        let order = compare_digits(digits_a, digits_b);
        if order != Ordering::Equal {
            return order;
        }
        (a, b) = (rest_a, rest_b);
    }
    Ordering::Equal
}

/// The leading run of digits (or of non-digits), and the rest.
fn split_run(s: &[u8], digits: bool) -> (&[u8], &[u8]) {
    let n = s
        .iter()
        .position(|b| b.is_ascii_digit() != digits)
        .unwrap_or(s.len());
    s.split_at_checked(n).unwrap_or((s, &[]))
}

/// Two runs of ASCII digits as integers of any size; an empty run is 0.
fn compare_digits(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |s: &[u8]| -> usize { s.iter().position(|&d| d != b'0').unwrap_or(s.len()) };
    let a = a.get(strip(a)..).unwrap_or_default();
    let b = b.get(strip(b)..).unwrap_or_default();
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

// ---- Parsing ----

/// Reads `<attribute> <operator> [<value>]` (API.md "Posture conditions").
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
    let attribute = c.slice(start, c.pos).into();
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
    #[cfg(fuzz_canary)]
    crate::canary::not_set_on_node(&attribute, operator);
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

// ---- Evaluation ----

/// Whether a condition matches, and when it does not, why in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub matches: bool,
    pub reason: Option<String>,
}

impl Outcome {
    fn yes() -> Self {
        Outcome {
            matches: true,
            reason: None,
        }
    }

    fn no(reason: Reason) -> Self {
        Outcome {
            matches: false,
            reason: Some(reason.0),
        }
    }
}

/// A reason being written, in one allocation: a report can hold one per device and condition.
struct Reason(String);

impl Reason {
    /// Starts with the attribute's name: every reason is about it.
    fn new(attribute: &str) -> Self {
        let mut text = String::with_capacity(attribute.len() + 64);
        text.push_str(attribute);
        Reason(text)
    }

    fn text(mut self, part: &str) -> Self {
        self.0.push_str(part);
        self
    }

    /// A value as a condition would write it: `'gold'`, `5`, `true`.
    fn value(mut self, v: &AttributeValue) -> Self {
        if let AttributeValue::String(s) = v {
            self.0.push('\'');
            self.0.push_str(s);
            self.0.push('\'');
            self
        } else {
            self.bare(v)
        }
    }

    /// A value without quotes.
    fn bare(mut self, v: &AttributeValue) -> Self {
        match v {
            AttributeValue::String(s) => self.0.push_str(s),
            AttributeValue::Number(n) => push_number(&mut self.0, *n),
            AttributeValue::Boolean(b) => self.0.push_str(if *b { "true" } else { "false" }),
        }
        self
    }

    /// `<attribute> is <value>`, which every reason about a set attribute starts with.
    fn is(attribute: &str, have: &AttributeValue) -> Self {
        Reason::new(attribute).text(" is ").value(have)
    }

    /// `<attribute> is <value> (a <type>)`.
    fn is_typed(attribute: &str, have: &AttributeValue) -> Self {
        Reason::is(attribute, have)
            .text(" (")
            .text(type_name(have))
            .text(")")
    }

    /// The condition's operand as written; rebuilt when a hand-made condition has no text.
    fn operand(self, condition: &Condition) -> Self {
        if !condition.value_text.is_empty() {
            return self.text(&condition.value_text);
        }
        match &condition.value {
            Operand::None => self,
            Operand::One(v) => self.value(v),
            Operand::List(items) => {
                let mut out = self.text("[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out = out.text(", ");
                    }
                    out = out.value(item);
                }
                out.text("]")
            }
        }
    }
}

/// Evaluates `condition` against the device's value of its attribute (`None`: not set).
/// An unset attribute matches only `NOT SET`; `==`, `!=`, `IN` and `NOT IN` compare within a
/// type; ordering compares numbers with numbers and strings with strings by `cmpver`.
pub fn evaluate(condition: &Condition, value: Option<&AttributeValue>) -> Outcome {
    let attr = condition.attribute.as_str();
    let op = condition.operator;
    let Some(have) = value else {
        return if op == Operator::NotSet {
            Outcome::yes()
        } else {
            Outcome::no(Reason::new(attr).text(" is not set"))
        };
    };
    match op {
        Operator::IsSet => Outcome::yes(),
        Operator::NotSet => {
            Outcome::no(Reason::new(attr).text(" is set (to ").value(have).text(")"))
        }
        Operator::In | Operator::NotIn => {
            let items = match &condition.value {
                Operand::List(items) => items.as_slice(),
                Operand::One(item) => std::slice::from_ref(item),
                Operand::None => &[],
            };
            let found = items.iter().any(|item| equal(have, item));
            if found == (op == Operator::In) {
                Outcome::yes()
            } else if found {
                Outcome::no(
                    Reason::is(attr, have)
                        .text(", which NOT IN ")
                        .operand(condition)
                        .text(" excludes"),
                )
            } else if !items.iter().any(|item| same_type(have, item)) {
                Outcome::no(
                    Reason::is_typed(attr, have)
                        .text(", and ")
                        .operand(condition)
                        .text(" holds no ")
                        .text(type_noun(have)),
                )
            } else {
                Outcome::no(Reason::is(attr, have).text(", not in ").operand(condition))
            }
        }
        _ => {
            let Operand::One(want) = &condition.value else {
                return Outcome::no(
                    Reason::new(op.as_str()).text(" needs one value to compare with"),
                );
            };
            if op == Operator::Eq || op == Operator::Ne {
                compare_equal(condition, have, want)
            } else {
                compare_order(condition, have, want)
            }
        }
    }
}

fn compare_equal(condition: &Condition, have: &AttributeValue, want: &AttributeValue) -> Outcome {
    let attr = condition.attribute.as_str();
    let is_equal = equal(have, want);
    if is_equal == (condition.operator == Operator::Eq) {
        Outcome::yes()
    } else if is_equal {
        Outcome::no(
            Reason::is(attr, have)
                .text(", which != ")
                .operand(condition)
                .text(" excludes"),
        )
    } else if same_type(have, want) {
        Outcome::no(Reason::is(attr, have).text(", not ").operand(condition))
    } else {
        Outcome::no(
            Reason::is_typed(attr, have)
                .text(", not the ")
                .text(type_noun(want))
                .text(" ")
                .operand(condition),
        )
    }
}

fn compare_order(condition: &Condition, have: &AttributeValue, want: &AttributeValue) -> Outcome {
    let attr = condition.attribute.as_str();
    let op = condition.operator;
    let order = match (have, want) {
        (AttributeValue::Number(a), AttributeValue::Number(b)) => a.partial_cmp(b),
        (AttributeValue::String(a), AttributeValue::String(b)) => Some(cmpver(a, b)),
        _ => {
            let why = match want {
                AttributeValue::Number(_) => " compares numbers",
                AttributeValue::String(_) => " compares versions, which are strings",
                AttributeValue::Boolean(_) => {
                    " orders nothing: ordering takes a number or a quoted version"
                }
            };
            return Outcome::no(
                Reason::is_typed(attr, have)
                    .text("; ")
                    .text(op.as_str())
                    .text(" ")
                    .operand(condition)
                    .text(why),
            );
        }
    };
    let holds = order.is_some_and(|o| match op {
        Operator::Lt => o == Ordering::Less,
        Operator::Le => o != Ordering::Greater,
        Operator::Gt => o == Ordering::Greater,
        Operator::Ge => o != Ordering::Less,
        _ => false,
    });
    if holds {
        return Outcome::yes();
    }
    let reason = Reason::new(attr)
        .text(" is ")
        .bare(have)
        .text(", not ")
        .text(op.as_str())
        .text(" ");
    // Versions read better bare: "node:tsVersion is 1.58.2, not >= 1.60".
    Outcome::no(match want {
        AttributeValue::String(_) => reason.bare(want),
        _ => reason.operand(condition),
    })
}

/// Same type and same value; strings exactly (case matters).
fn equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    match (a, b) {
        (AttributeValue::String(x), AttributeValue::String(y)) => x == y,
        (AttributeValue::Number(x), AttributeValue::Number(y)) => x == y,
        (AttributeValue::Boolean(x), AttributeValue::Boolean(y)) => x == y,
        _ => false,
    }
}

fn same_type(a: &AttributeValue, b: &AttributeValue) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn type_noun(v: &AttributeValue) -> &'static str {
    match v {
        AttributeValue::String(_) => "string",
        AttributeValue::Number(_) => "number",
        AttributeValue::Boolean(_) => "boolean",
    }
}

fn type_name(v: &AttributeValue) -> &'static str {
    match v {
        AttributeValue::String(_) => "a string",
        AttributeValue::Number(_) => "a number",
        AttributeValue::Boolean(_) => "a boolean",
    }
}

/// Writes a device's number for a reason. Integers exactly; others to 15 significant digits
/// (every decimal of that many digits survives a trip through f64), in JS's notation.
fn push_number(out: &mut String, n: f64) {
    if n.is_nan() {
        out.push_str("NaN");
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    let a = n.abs();
    if a.is_infinite() {
        out.push_str("Infinity");
        return;
    }
    // 2^64: below it the cast to u64 is exact for an integer.
    if a.fract() == 0.0 && a < 18_446_744_073_709_551_616.0 {
        out.push_str(&decimal(a as u64));
        return;
    }
    // Scale into [1, 10); the few ulps this loses stay below the 15th digit.
    let (mut x, mut exp) = (a, 0i32);
    while x >= 10.0 {
        x /= 10.0;
        exp += 1;
    }
    while x < 1.0 && x > 0.0 {
        x *= 10.0;
        exp -= 1;
    }
    let mut mantissa = (x * 1e14 + 0.5) as u64;
    if mantissa >= 1_000_000_000_000_000 {
        mantissa /= 10;
        exp += 1;
    }
    let all = decimal(mantissa);
    let digits = all.trim_end_matches('0');
    let zeros = |out: &mut String, count: usize| out.extend(core::iter::repeat_n('0', count));
    if (0..21).contains(&exp) {
        let int_len = exp.unsigned_abs() as usize + 1;
        match digits.split_at_checked(int_len) {
            Some((int, frac)) if !frac.is_empty() => {
                out.push_str(int);
                out.push('.');
                out.push_str(frac);
            }
            _ => {
                out.push_str(digits);
                zeros(out, int_len.saturating_sub(digits.len()));
            }
        }
    } else if (-6..0).contains(&exp) {
        out.push_str("0.");
        zeros(out, exp.unsigned_abs() as usize - 1);
        out.push_str(digits);
    } else {
        let (head, tail) = digits.split_at_checked(1).unwrap_or((digits, ""));
        out.push_str(head);
        if !tail.is_empty() {
            out.push('.');
            out.push_str(tail);
        }
        out.push_str(if exp < 0 { "e-" } else { "e+" });
        out.push_str(&decimal(exp.unsigned_abs().into()));
    }
}

// ---- Postures ----

/// One condition's verdict within `evaluate_posture`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionResult {
    /// The condition as given.
    pub condition: String,
    pub matches: bool,
    pub reason: Option<String>,
}

/// Evaluates a posture (its conditions ANDed; none at all matches) against one device's
/// attributes. Every condition is parsed first; if any does not parse, `Err` lists each such
/// one as `conditions[i]` with its column, and nothing is evaluated.
pub fn evaluate_posture(
    conditions: &[String],
    attributes: &[(String, AttributeValue)],
) -> Result<(bool, Vec<ConditionResult>), Vec<Issue>> {
    let parsed = parse_all(conditions, "conditions")?;
    // Loops with `push` rather than `map(..).collect()`: less code in the wasm.
    let mut all = true;
    let mut results = Vec::with_capacity(parsed.len());
    for (text, condition) in conditions.iter().zip(&parsed) {
        let outcome = evaluate(condition, lookup(attributes, &condition.attribute));
        all &= outcome.matches;
        results.push(ConditionResult {
            condition: text.clone(),
            matches: outcome.matches,
            reason: outcome.reason,
        });
    }
    Ok((all, results))
}

/// Parses each condition; the issues name them `<list>[i]`.
fn parse_all(conditions: &[String], list: &str) -> Result<Vec<Condition>, Vec<Issue>> {
    let mut parsed = Vec::with_capacity(conditions.len());
    let mut issues = Vec::new();
    for (i, text) in conditions.iter().enumerate() {
        match parse(text) {
            Ok(c) => parsed.push(c),
            Err(e) => issues.push(Issue::new(index_field(list, i), e.describe())),
        }
    }
    if issues.is_empty() {
        Ok(parsed)
    } else {
        Err(issues)
    }
}

/// A device's value of `name`: a scan, which beats sorting for the few attributes a device has.
fn lookup<'a>(
    attributes: &'a [(String, AttributeValue)],
    name: &str,
) -> Option<&'a AttributeValue> {
    attributes
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// A posture from the policy: `posture:<name>` and its conditions.
#[derive(Debug, Clone, PartialEq)]
pub struct PostureDef {
    pub name: String,
    pub conditions: Vec<String>,
}

/// A device and its posture attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInput {
    pub node_id: String,
    pub name: String,
    pub attributes: Vec<(String, AttributeValue)>,
}

/// Whether one posture admits one device, and each failed condition with its reason.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceVerdict {
    pub node_id: String,
    pub name: String,
    pub matches: bool,
    /// (condition as given, reason), in the posture's order.
    pub failed: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PostureVerdicts {
    pub name: String,
    pub conditions: Vec<String>,
    /// In the order of `devices`.
    pub devices: Vec<DeviceVerdict>,
}

/// Which devices each posture admits, and why the others are refused. Each condition is
/// parsed once; if any does not parse, `Err` lists every such one as `postures["<name>"][j]`.
pub fn report(
    postures: &[PostureDef],
    devices: &[DeviceInput],
) -> Result<Vec<PostureVerdicts>, Vec<Issue>> {
    let mut parsed = Vec::with_capacity(postures.len());
    let mut issues = Vec::new();
    for posture in postures {
        let list = member_field("postures", &posture.name);
        match parse_all(&posture.conditions, &list) {
            Ok(conditions) => parsed.push(conditions),
            Err(mut found) => issues.append(&mut found),
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    let mut verdicts = Vec::with_capacity(postures.len());
    for (posture, conditions) in postures.iter().zip(&parsed) {
        let mut per_device = Vec::with_capacity(devices.len());
        for device in devices {
            per_device.push(verdict(&posture.conditions, conditions, device));
        }
        verdicts.push(PostureVerdicts {
            name: posture.name.clone(),
            conditions: posture.conditions.clone(),
            devices: per_device,
        });
    }
    Ok(verdicts)
}

fn verdict(texts: &[String], conditions: &[Condition], device: &DeviceInput) -> DeviceVerdict {
    let mut failed = Vec::new();
    for (text, condition) in texts.iter().zip(conditions) {
        let outcome = evaluate(condition, lookup(&device.attributes, &condition.attribute));
        if !outcome.matches {
            failed.push((text.clone(), outcome.reason.unwrap_or_default()));
        }
    }
    DeviceVerdict {
        node_id: device.node_id.clone(),
        name: device.name.clone(),
        matches: failed.is_empty(),
        failed,
    }
}
