//! Posture gates: a rule's `srcPosture` (any listed posture admits), else the file's
//! `defaultSrcPosture`, evaluated with the posture engine once per posture and class of devices
//! (devices that hold the same values of the attributes a posture reads).
//!
//! `srcPosture: []` is read as no `srcPosture` at all: `defaultSrcPosture` then applies. The
//! docs say `defaultSrcPosture` covers rules "without" their own, and a Go reader tells an
//! absent list from an empty one only by its length; an empty list is never a gate that admits
//! nobody. The model warns where a rule with `[]` meets a `defaultSrcPosture`.
//!
//! A device with no entry in `attributes` was not described, so a verdict its posture decides
//! is indeterminate. A key absent from an entry is unset (it fails every operator but `NOT
//! SET`), except `ip:` attributes: the server computes them and no API returns them, so an
//! absent `ip:` key is unknown too. Shared-in devices (`isExternal`) are exempt (DOC).

use super::defs::Defs;
use super::inventory::Device;
use super::output::Failures;
use crate::posture::{evaluate, Attributes, Condition};
use tailscale_wire::attribute::AttributeValue;
use tailscale_wire::text::{cat, quoted};

/// The outcome of a posture or gate for one device.
pub const YES: u8 = 0;
pub const NO: u8 = 1;
/// No attributes were given for the device.
pub const NO_ATTRIBUTES: u8 = 2;
/// The posture is not defined, or a condition of it does not parse.
pub const UNDEFINED: u8 = 3;
/// It depends on an `ip:` attribute the server computes.
pub const SERVER_ATTRIBUTE: u8 = 4;

/// One failed condition of a posture, for `blockedBy`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FailedCondition {
    pub posture: String,
    pub condition: String,
    pub reason: String,
}

/// The posture lists rules are gated by, and each used posture's outcome per device.
#[derive(Debug, Default)]
pub struct Gates {
    /// Each gate: the posture names, sorted; one of them admits.
    pub lists: Vec<Vec<String>>,
    /// The postures gates name, sorted, with one outcome per device.
    postures: Vec<(String, Vec<u8>)>,
    /// Per posture (as `postures`), each device's class: devices of one class hold the same
    /// values of the attributes the posture reads, so they fail it alike.
    classes: Vec<Vec<u32>>,
    /// Each gate's postures, as places in `postures`.
    members: Vec<Vec<usize>>,
    /// Each gate's outcome per device (shared-in devices aside).
    outcomes: Vec<Vec<u8>>,
}

fn lookup<'a>(
    attrs: &'a Attributes,
    name: &str,
) -> Option<&'a tailscale_wire::attribute::AttributeValue> {
    attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// One posture against a set of attributes (`None`: not given).
pub fn posture_outcome(
    conditions: Result<&[(String, Condition)], ()>,
    attrs: Option<&Attributes>,
) -> u8 {
    let Ok(conditions) = conditions else {
        return UNDEFINED;
    };
    let Some(attrs) = attrs else {
        return NO_ATTRIBUTES;
    };
    let mut server = false;
    for (_, c) in conditions {
        let value = lookup(attrs, &c.attribute);
        if value.is_none() && c.namespace() == "ip" {
            server = true;
            continue;
        }
        if !evaluate(c, value).matches {
            return NO;
        }
    }
    if server {
        SERVER_ATTRIBUTE
    } else {
        YES
    }
}

/// Any posture admits: yes if one does; else the first unknown; else no.
pub fn any_of(outcomes: impl Iterator<Item = u8>) -> u8 {
    let mut unknown = None;
    for o in outcomes {
        if o == YES {
            return YES;
        }
        if o != NO && unknown.is_none() {
            unknown = Some(o);
        }
    }
    unknown.unwrap_or(NO)
}

impl Gates {
    /// The gate of a posture list, added if new.
    pub fn gate(&mut self, mut names: Vec<String>) -> u32 {
        names.sort_unstable();
        names.dedup();
        match self.lists.iter().position(|l| *l == names) {
            Some(i) => i as u32,
            None => {
                self.lists.push(names);
                self.lists.len() as u32 - 1
            }
        }
    }

    /// Evaluates every posture a gate names for every device (once each), and sorts the
    /// devices into classes by the values it reads.
    pub fn evaluate(&mut self, defs: &Defs, devices: &[Device]) {
        let mut names: Vec<String> = self.lists.iter().flatten().cloned().collect();
        names.sort_unstable();
        names.dedup();
        let mut key = Vec::new();
        self.postures.clear();
        self.classes.clear();
        for name in names {
            let conditions = defs
                .posture(&name)
                .and_then(|p| p.conditions.as_deref().ok())
                .ok_or(());
            // Sorted keys with their class and outcome: a posture meets a few combinations of
            // values, each evaluated once.
            let mut seen: Vec<(Vec<u8>, u32, u8)> = Vec::new();
            let mut outcomes = Vec::with_capacity(devices.len());
            let mut classes = Vec::with_capacity(devices.len());
            for d in devices {
                let attrs = d.attributes.as_ref();
                key.clear();
                key.push(u8::from(attrs.is_some()));
                for (_, c) in conditions.unwrap_or_default() {
                    value_key(attrs.and_then(|a| lookup(a, &c.attribute)), &mut key);
                }
                let (class, outcome) = match seen.binary_search_by(|(k, _, _)| k.cmp(&key)) {
                    Ok(i) => seen.get(i).map_or((0, UNDEFINED), |(_, c, o)| (*c, *o)),
                    Err(i) => {
                        let c = seen.len() as u32;
                        let o = posture_outcome(conditions, attrs);
                        seen.insert(i, (key.clone(), c, o));
                        (c, o)
                    }
                };
                outcomes.push(outcome);
                classes.push(class);
            }
            self.postures.push((name, outcomes));
            self.classes.push(classes);
        }
        self.members = self
            .lists
            .iter()
            .map(|list| {
                list.iter()
                    .filter_map(|n| self.postures.binary_search_by(|(p, _)| p.cmp(n)).ok())
                    .collect()
            })
            .collect();
        self.outcomes = (0..self.lists.len())
            .map(|g| {
                (0..devices.len())
                    .map(|d| self.compute(g as u32, d as u32))
                    .collect()
            })
            .collect();
    }

    fn compute(&self, gate: u32, device: u32) -> u8 {
        let Some(list) = self.lists.get(gate as usize) else {
            return YES;
        };
        any_of(list.iter().map(|name| {
            self.postures
                .binary_search_by(|(n, _)| n.as_str().cmp(name))
                .ok()
                .and_then(|i| self.postures.get(i))
                .and_then(|(_, o)| o.get(device as usize).copied())
                .unwrap_or(UNDEFINED)
        }))
    }

    /// A gate's outcome for a device: shared-in devices are exempt.
    pub fn outcome(&self, gate: u32, device: u32, external: bool) -> u8 {
        if external {
            return YES;
        }
        match self
            .outcomes
            .get(gate as usize)
            .and_then(|o| o.get(device as usize))
        {
            Some(o) => *o,
            None => self.compute(gate, device),
        }
    }

    /// A gate's outcome for given attributes (a test's `srcPostureAttrs`).
    pub fn outcome_with(&self, gate: u32, defs: &Defs, attrs: &Attributes) -> u8 {
        let Some(list) = self.lists.get(gate as usize) else {
            return YES;
        };
        any_of(list.iter().map(|name| {
            let conditions = defs
                .posture(name)
                .and_then(|p| p.conditions.as_deref().ok())
                .ok_or(());
            posture_outcome(conditions, Some(attrs))
        }))
    }

    /// Why a gate refuses a device: each failed condition of each of its postures.
    pub fn failures(
        &self,
        gate: u32,
        defs: &Defs,
        attrs: Option<&Attributes>,
    ) -> Vec<FailedCondition> {
        let mut out = Vec::new();
        let empty = Attributes::new();
        let attrs = attrs.unwrap_or(&empty);
        for name in self.lists.get(gate as usize).into_iter().flatten() {
            match defs.posture(name).map(|p| &p.conditions) {
                Some(Ok(conditions)) => {
                    for (text, c) in conditions {
                        let outcome = evaluate(c, lookup(attrs, &c.attribute));
                        if !outcome.matches {
                            out.push(FailedCondition {
                                posture: name.clone(),
                                condition: text.clone(),
                                reason: outcome.reason.unwrap_or_default(),
                            });
                        }
                    }
                }
                Some(Err(why)) => out.push(FailedCondition {
                    posture: name.clone(),
                    condition: String::new(),
                    reason: why.clone(),
                }),
                None => out.push(FailedCondition {
                    posture: name.clone(),
                    condition: String::new(),
                    reason: cat(&[&quoted(name), " is not defined in postures"]),
                }),
            }
        }
        out
    }
}

/// Failures already worked out in one query, by gate and the classes of its postures (a
/// tailnet has a few such combinations, and thousands of devices): each is worked out, and
/// held, once.
#[derive(Default)]
pub struct FailureCache {
    /// Sorted by key: the gate, then each posture's class.
    known: Vec<(Vec<u32>, Failures)>,
    key: Vec<u32>,
}

impl Gates {
    /// [`Gates::failures`] of device `device` through `cache`.
    pub fn failures_of(
        &self,
        gate: u32,
        defs: &Defs,
        device: u32,
        attrs: Option<&Attributes>,
        cache: &mut FailureCache,
    ) -> Failures {
        cache.key.clear();
        cache.key.push(gate);
        for &p in self.members.get(gate as usize).into_iter().flatten() {
            match self.classes.get(p).and_then(|c| c.get(device as usize)) {
                Some(c) => cache.key.push(*c),
                // Not sorted into classes (no evaluate for this device): not cached.
                None => return Failures::new(self.failures(gate, defs, attrs)),
            }
        }
        let found = cache
            .known
            .binary_search_by(|(k, _)| k.as_slice().cmp(&cache.key));
        match found {
            Ok(i) => cache
                .known
                .get(i)
                .map(|(_, f)| f.clone())
                .unwrap_or_default(),
            Err(i) => {
                let failed = Failures::new(self.failures(gate, defs, attrs));
                cache.known.insert(i, (cache.key.clone(), failed.clone()));
                failed
            }
        }
    }
}

/// A value as a class key reads it: tagged by type, strings length-prefixed.
fn value_key(value: Option<&AttributeValue>, key: &mut Vec<u8>) {
    match value {
        None => key.push(0),
        Some(AttributeValue::String(s)) => {
            key.push(1);
            key.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_le_bytes());
            key.extend_from_slice(s.as_bytes());
        }
        Some(AttributeValue::Number(n)) => {
            key.push(2);
            key.extend_from_slice(&n.to_bits().to_le_bytes());
        }
        Some(AttributeValue::Boolean(b)) => key.push(if *b { 4 } else { 3 }),
    }
}

/// Why an unknown outcome is unknown, in words.
pub fn unknown_reason(outcome: u8, device: &str) -> String {
    match outcome {
        NO_ATTRIBUTES => cat(&[
            "the posture attributes of ",
            device,
            " were not given, and its posture decides",
        ]),
        SERVER_ATTRIBUTE => cat(&[
            "the posture of ",
            device,
            " depends on an ip: attribute, which Tailscale computes and no API returns",
        ]),
        _ => "a posture the rule requires is not defined or does not parse".into(),
    }
}
