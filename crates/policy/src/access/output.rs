//! The answers, as plain values whose serde form is the JS-facing JSON (camelCase, absent
//! rather than empty where the contract says optional).

use super::postures::FailedCondition;
use super::rules::RuleRef;
use serde::Serialize;
use std::rc::Rc;

/// `accept`, `drop` or `indeterminate`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Accept,
    /// What nothing admits: the default.
    #[default]
    Drop,
    Indeterminate,
}

/// A rule that would admit the packet but for the source's posture, and why.
/// The conditions a device fails, shared: every rule under one posture list fails it alike.
pub type Failures = Rc<Vec<FailedCondition>>;

/// As the list it holds (serde's `rc` feature would do the same for every `Rc`, in both modules).
fn failures<S: serde::Serializer>(failed: &Failures, s: S) -> Result<S::Ok, S::Error> {
    failed.as_slice().serialize(s)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocked {
    #[serde(flatten)]
    pub rule: RuleRef,
    #[serde(serialize_with = "failures")]
    pub failed: Failures,
}

/// The answer to `reach` (by default, a plain drop).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub verdict: Outcome,
    /// Every rule that admits the packet, each once, in file order.
    pub rules: Vec<RuleRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocked_by: Vec<Blocked>,
    /// Why the verdict is indeterminate; for other verdicts, a note (no route, or the address
    /// families of a device disagree).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A device, as answers name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceRef {
    pub node_id: String,
    pub name: String,
}

/// One source device of `whoCanReach`: its answer as `reach` gives it (`verdict` is `drop`
/// only when a posture stops it, with `blockedBy` saying which rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reacher {
    pub device: DeviceRef,
    #[serde(flatten)]
    pub answer: Verdict,
}

/// A source in an answer: a device, or an address range that is no device's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum Endpoint {
    Device(DeviceRef),
    Address(String),
}

/// Who still reaches a destination without a posture, through which rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Leak {
    pub src: Endpoint,
    pub rules: Vec<RuleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `gated`: whether no device without the posture reaches the destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Gated {
    /// `accept`: gated (nothing without the posture gets through); `drop`: not gated (see
    /// `leaks`); `indeterminate`: only `unknown` stands in the way of an answer.
    pub gated: Outcome,
    /// Sources that reach it without the posture, and the rules that let them.
    pub leaks: Vec<Leak>,
    /// Sources whose answer the model cannot give, with the reason.
    pub unknown: Vec<Leak>,
}

/// `gained` or `lost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Change {
    Gained,
    Lost,
}

/// What a policy change does to one destination: these sources gain (or lose) it on these
/// ports. Ordered as `diff` lists them: gained before lost, then by destination, protocol,
/// ports, definite before indeterminate, and sources last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessChange {
    pub change: Change,
    pub src: Vec<DeviceRef>,
    pub dst: Endpoint,
    /// `tcp`, `udp`, `sctp`, `icmp` (ping, whatever opened it), or another protocol's number.
    pub proto: String,
    /// `*`, or ports and ranges: `22,80-443`.
    pub ports: String,
    /// One side's answer is indeterminate: the change may happen (`true` only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub indeterminate: bool,
}

impl Ord for AccessChange {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (
            self.change,
            &self.dst,
            &self.proto,
            &self.ports,
            self.indeterminate,
        )
            .cmp(&(
                other.change,
                &other.dst,
                &other.proto,
                &other.ports,
                other.indeterminate,
            ))
            .then_with(|| self.src.cmp(&other.src))
    }
}

impl PartialOrd for AccessChange {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
