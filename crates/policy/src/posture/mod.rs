//! Device posture conditions (`node:tsVersion >= '1.60'`): parsing, printing, and evaluation
//! against a device's attributes (the README's "Gate access on attributes" states the rules,
//! the documented facts and the gaps). Sans-IO: the wasm layer fetches the policy, devices and
//! attributes.
//!
//! Where Tailscale's docs are silent, this module chooses, and the choices are the contract:
//! operators in any case, `true` and `false` in lower case; numbers in JSON's syntax; spaces or
//! tabs between tokens, optional where unambiguous; leading and trailing whitespace allowed; no
//! comma after a list's last value; a string never equals a number or a boolean. The demo
//! tailnet's parser follows the same rules: tests/data/posture-grammar.json holds both.

mod cmpver;
mod evaluate;
mod grammar;
mod report;

pub use cmpver::{cmpver, is_version};
pub use evaluate::{evaluate, Outcome};
pub use grammar::parse;
pub(crate) use report::condition_list;
pub use report::{
    attributes_of, choose_devices, device_inputs, evaluation_input, report_options,
    scalar_attributes, Attributes, ReportOptions,
};
pub use report::{
    evaluate_posture, prepare, report, ConditionResult, DeviceInput, DeviceVerdict, PostureDef,
    PostureVerdicts, Prepared,
};

use tailscale_wire::attribute::AttributeValue;
use tailscale_wire::text::{cat, decimal};

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

/// The type of an attribute whose type Tailscale documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeType {
    /// A string, compared with `==`, `!=`, `IN` and `NOT IN` only.
    String,
    /// A version string, which the ordering operators also compare (by `cmpver`).
    Version,
    Boolean,
}

/// The attributes Tailscale sets and documents, with their types: the device posture page's
/// `node:` table and `ip:country`, and the OpenAPI example of `getDevicePostureAttributes`
/// (`"node:tsVersion": "1.40.0"`, `"node:tsAutoUpdate": false`...). Each with a value as a
/// condition writes it, for messages.
const DOCUMENTED: [(&str, AttributeType, &str); 7] = [
    ("node:os", AttributeType::String, "'macos'"),
    ("node:osVersion", AttributeType::Version, "'14.2'"),
    ("node:tsVersion", AttributeType::Version, "'1.60'"),
    ("node:tsReleaseTrack", AttributeType::String, "'stable'"),
    ("node:tsAutoUpdate", AttributeType::Boolean, "true"),
    ("node:tsStateEncrypted", AttributeType::Boolean, "true"),
    ("ip:country", AttributeType::String, "'US'"),
];

/// A documented attribute's type and an example value (`node:tsVersion`: a version, `'1.60'`);
/// `None` for the others (`custom:`, the posture integrations', or undocumented names).
pub fn attribute_type(attribute: &str) -> Option<(AttributeType, &'static str)> {
    DOCUMENTED
        .iter()
        .find(|(name, _, _)| *name == attribute)
        .map(|&(_, t, example)| (t, example))
}
