//! Postures (conditions ANDed) over devices: `evaluatePosture` and the posture report.

use super::{evaluate, grammar::parse, Condition};
use tailscale_wire::attribute::AttributeValue;
use tailscale_wire::error::{index_field, Error, Issue};
use tailscale_wire::json::{Json, Kind};
use tailscale_wire::validate::{self, Input};

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

/// Parses each condition; the issues name them `<list>[i]`, with the column in the message.
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
    /// In the order of `devices`; empty when `error` is set.
    pub devices: Vec<DeviceVerdict>,
    /// Why the posture was not evaluated: each condition that does not parse, as
    /// `conditions[1] does not parse at column 11: ...`, joined by `; `.
    pub error: Option<String>,
}

/// Postures with their conditions parsed, once, before any device is read: a posture whose
/// conditions do not all parse carries its error instead.
pub struct Prepared<'a> {
    postures: &'a [PostureDef],
    parsed: Vec<Result<Vec<Condition>, String>>,
}

/// Parses every condition of every posture.
pub fn prepare(postures: &[PostureDef]) -> Prepared<'_> {
    let mut parsed = Vec::with_capacity(postures.len());
    for posture in postures {
        parsed.push(
            parse_all(&posture.conditions, "conditions").map_err(|issues| {
                let mut error = String::new();
                for issue in issues {
                    if !error.is_empty() {
                        error.push_str("; ");
                    }
                    // "conditions[1]" + " does not parse at " + "column 11: ..."
                    error.push_str(&issue.field);
                    error.push_str(" does not parse at ");
                    error.push_str(&issue.message);
                }
                error
            }),
        );
    }
    Prepared { postures, parsed }
}

impl Prepared<'_> {
    /// Which devices each posture admits, and why the others are refused; a posture that does
    /// not parse has its error and no devices, and the others are evaluated all the same.
    pub fn report(&self, devices: &[DeviceInput]) -> Vec<PostureVerdicts> {
        let mut verdicts = Vec::with_capacity(self.postures.len());
        for (posture, parsed) in self.postures.iter().zip(&self.parsed) {
            let (per_device, error) = match parsed {
                Ok(conditions) => {
                    let mut per_device = Vec::with_capacity(devices.len());
                    for device in devices {
                        per_device.push(verdict(&posture.conditions, conditions, device));
                    }
                    (per_device, None)
                }
                Err(error) => (Vec::new(), Some(error.clone())),
            };
            verdicts.push(PostureVerdicts {
                name: posture.name.clone(),
                conditions: posture.conditions.clone(),
                devices: per_device,
                error,
            });
        }
        verdicts
    }
}

/// [`prepare`] then [`Prepared::report`].
pub fn report(postures: &[PostureDef], devices: &[DeviceInput]) -> Vec<PostureVerdicts> {
    prepare(postures).report(devices)
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

// ---- Reading the inputs ----

/// A device's attributes, by name.
pub type Attributes = Vec<(String, AttributeValue)>;

/// A device's attributes as `AttributeValue`s; members of other types are not attributes.
pub fn attributes_of<J: Json>(attributes: &J) -> Attributes {
    scalar_attributes(attributes).unwrap_or_else(|kept| kept)
}

/// An object's attributes when every value is a string, number or boolean; `Err` with those
/// that are when some other value is there.
pub fn scalar_attributes<J: Json>(attributes: &J) -> Result<Attributes, Attributes> {
    let entries = attributes.entries();
    let given = entries.len();
    let mut out = Vec::with_capacity(given);
    for (key, v) in entries {
        // Each `as_` answers in one step; `kind()` would ask more.
        let value = v
            .as_string()
            .map(AttributeValue::String)
            .or_else(|| v.as_f64().map(AttributeValue::Number))
            .or_else(|| v.as_bool().map(AttributeValue::Boolean));
        if let Some(value) = value {
            out.push((key, value));
        }
    }
    if out.len() == given {
        Ok(out)
    } else {
        Err(out)
    }
}

/// The report's devices: each chosen device with the attributes fetched for it, in order. A
/// device whose read found it gone (null: deleted since the list, as ephemeral devices are)
/// is left out.
pub fn device_inputs<J: Json>(
    chosen: Vec<(String, String)>,
    attributes: Vec<J>,
) -> Vec<DeviceInput> {
    let mut attributes = attributes.iter();
    let mut out = Vec::with_capacity(chosen.len());
    for (node_id, name) in chosen {
        match attributes.next() {
            Some(found) if found.is_null() => {}
            found => out.push(DeviceInput {
                node_id,
                name,
                attributes: found.map(attributes_of).unwrap_or_default(),
            }),
        }
    }
    out
}

/// `evaluatePosture`'s arguments: a list of condition strings, and an object of attributes
/// whose values are strings, numbers or booleans.
pub fn evaluation_input<J: Json>(
    conditions: &J,
    attributes: &J,
) -> Result<(Vec<String>, Attributes), Error> {
    let mut issues = Vec::new();
    let list = condition_list(conditions, "conditions", &mut issues);
    if attributes.kind() != Kind::Object {
        issues.push(Issue::new(
            "attributes",
            "must be an object of attribute names to strings, numbers or booleans",
        ));
    }
    let values = scalar_attributes(attributes).unwrap_or_else(|kept| {
        issues.push(Issue::new(
            "attributes",
            "values must be strings, numbers or booleans",
        ));
        kept
    });
    validate::issues_or(issues, (list, values))
}

pub(crate) fn condition_list<J: Json>(
    value: &J,
    field: &str,
    issues: &mut Vec<Issue>,
) -> Vec<String> {
    if value.kind() != Kind::Array {
        issues.push(Issue::new(field, "must be a list of conditions (strings)"));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, item) in value.items().iter().enumerate() {
        match item.as_string() {
            Some(s) => out.push(s),
            None => issues.push(Issue::new(index_field(field, i), "must be a string")),
        }
    }
    out
}

/// `evaluatePostures`' options, but `signal`.
pub struct ReportOptions {
    /// A policy file to evaluate instead of the tailnet's.
    pub text: Option<String>,
    /// Only these devices.
    pub device_ids: Option<Vec<String>>,
}

/// Reads `{ text?, deviceIds?, signal? }`.
pub fn report_options<J: Json>(options: J) -> Result<ReportOptions, Vec<Issue>> {
    let mut input = Input::new(options, "");
    input.allow("signal");
    let text = input.string("text");
    let device_ids = input.strings("deviceIds", validate::id);
    validate::finish(input, ReportOptions { text, device_ids })
}

/// Each listed device's `nodeId` and name (its MagicDNS name, else its hostname), or only
/// those in `ids`; an id the list does not hold is an error, not a silent omission.
pub fn choose_devices<J: Json>(
    listed: &[J],
    ids: Option<&[String]>,
) -> Result<Vec<(String, String)>, Error> {
    let text = |d: &J, key: &str| d.get(key).and_then(|v| v.as_string());
    let mut all = Vec::with_capacity(listed.len());
    for d in listed {
        if let Some(id) = text(d, "nodeId") {
            let name = text(d, "name").or_else(|| text(d, "hostname"));
            all.push((id, name.unwrap_or_default()));
        }
    }
    let Some(ids) = ids else {
        return Ok(all);
    };
    let mut issues = Vec::new();
    let mut chosen = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        match all.iter().find(|(n, _)| n == id) {
            Some(device) => chosen.push(device.clone()),
            None => issues.push(Issue::new(
                index_field("deviceIds", i),
                "names no device of the tailnet (give its nodeId)",
            )),
        }
    }
    validate::issues_or(issues, chosen)
}
