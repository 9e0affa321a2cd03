//! One condition against one device's value, with the reason in words when it fails.

use super::{cmpver, is_version, Condition, Operand, Operator};
use std::cmp::Ordering;
use tailscale_wire::attribute::AttributeValue;
use tailscale_wire::text::decimal;

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
            self.ordered(v)
        }
    }

    /// A value as an ordering reason writes it: a version bare (`1.58.2`), any other string
    /// quoted, so that an empty one still shows (`''`).
    fn ordered(mut self, v: &AttributeValue) -> Self {
        match v {
            AttributeValue::String(s) if is_version(s) => self.0.push_str(s),
            AttributeValue::String(_) => return self.value(v),
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
        .ordered(have)
        .text(", not ")
        .text(op.as_str())
        .text(" ");
    // Versions read better bare: "node:tsVersion is 1.58.2, not >= 1.60".
    Outcome::no(match want {
        AttributeValue::String(_) => reason.ordered(want),
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
