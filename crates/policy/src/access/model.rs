//! The model: the policy compiled against the tailnet, its indexes, and the one evaluation
//! every query shares (which rules admit one source address to one destination address).

use super::addr::{tailnet_ranges, Addr, V4, V6};
use super::defs::Defs;
use super::inventory::{family_name, Inventory};
use super::issues::{line_columns, Found};
use super::output::{Blocked, Failures, Outcome, Verdict};
use super::postures::{unknown_reason, Gates, NO, YES};
use super::rules::{Compiler, Rule};
use super::selectors::{Selectors, Target};
use super::ssh::SshPolicy;
use super::tailnet::{SegIndex, Tailnet};
use crate::hujson::Document;
use tailscale_wire::error::Issue;
use tailscale_wire::text::{cat, decimal};

/// A tailnet's policy compiled for questions of access. Built once; every query is then a
/// lookup (see the module's documentation).
#[derive(Debug)]
pub struct AccessModel {
    pub(crate) doc: Option<Document>,
    pub(crate) defs: Defs,
    pub(crate) tailnet: Tailnet,
    pub(crate) selectors: Selectors,
    pub(crate) gates: Gates,
    pub(crate) rules: Vec<Rule>,
    pub(crate) ssh: SshPolicy,
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
    /// Why nothing can be answered (the text does not parse).
    pub(crate) broken: Option<String>,
    /// Per device, the identity targets that hold it (sorted).
    dev_targets: Vec<Vec<u32>>,
    /// Per target, the rules that have it as a destination.
    target_rules: Vec<Vec<u32>>,
    /// Address destinations per family, and their exit-node part.
    addr_index: [SegIndex; 2],
    exit_index: [SegIndex; 2],
    /// Rules with `autogroup:self`, and rules with a destination the model cannot resolve.
    self_rules: Vec<u32>,
    unknown_dst_rules: Vec<u32>,
}

/// Yes, no, or maybe (with why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tri {
    Yes,
    No,
    Maybe(String),
}

impl Tri {
    pub(crate) fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Maybe(r), _) | (_, Tri::Maybe(r)) => Tri::Maybe(r),
            _ => Tri::Yes,
        }
    }
}

/// Where a packet for a destination address goes (semantics.md §2, §5, §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// The address is this device's.
    Own(u32),
    /// Routers with the longest approved route covering it (any of them may receive it).
    Subnet(Vec<u32>),
    /// Approved exit nodes of its family.
    Exit,
    /// A device shared in from another tailnet: its own tailnet's policy decides.
    Foreign(u32),
    /// Traffic that never crosses the tailnet, with why.
    Local(String),
    /// No device has the address and nothing routes it.
    Unrouted,
}

/// A packet's source: an address, and the device it is of (if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Source {
    pub addr: Addr,
    pub device: Option<u32>,
}

/// One rule's part in an answer.
pub(crate) enum Part {
    Admits,
    Maybe(String),
    /// Only the source's posture stops it.
    Blocked,
    /// Only the source's posture decides it, and that is unknown (the outcome's code: the
    /// reason is written once per answer, not per rule).
    MaybePosture(u8),
}

impl AccessModel {
    /// Compiles `policy` (HuJSON) against the inventory. A text that does not parse gives a
    /// model whose `issues` say so and that answers everything `indeterminate`.
    pub fn new(policy: &str, inventory: Inventory) -> AccessModel {
        let tailnet = Tailnet::new(inventory);
        let mut model = AccessModel {
            doc: None,
            defs: Defs::default(),
            tailnet,
            selectors: Selectors::default(),
            gates: Gates::default(),
            rules: Vec::new(),
            ssh: SshPolicy::default(),
            errors: Vec::new(),
            warnings: Vec::new(),
            broken: None,
            dev_targets: Vec::new(),
            target_rules: Vec::new(),
            addr_index: Default::default(),
            exit_index: Default::default(),
            self_rules: Vec::new(),
            unknown_dst_rules: Vec::new(),
        };
        let doc = match Document::parse(policy) {
            Ok(doc) => doc,
            Err(e) => {
                let message = cat(&[
                    "line ",
                    &decimal(e.line as u64),
                    ", column ",
                    &decimal(e.column as u64),
                    ": ",
                    &e.message,
                ]);
                model.broken = Some(cat(&["the policy does not parse (", &message, ")"]));
                model
                    .errors
                    .push(Issue::new("", message).at(e.line, e.column));
                return model;
            }
        };
        let root = doc.root();
        let mut found = Found::default();
        if root.kind() != crate::hujson::Kind::Object {
            found.error("", &root, "the policy must be a JSON object");
        }
        model.defs = Defs::read(&root, &mut found);
        let mut compiler = Compiler {
            defs: &model.defs,
            tailnet: &model.tailnet,
            selectors: &mut model.selectors,
            gates: &mut model.gates,
            found: &mut found,
            rules: Vec::new(),
            offsets: Vec::new(),
        };
        compiler.compile(&root);
        let (mut rules, offsets) = (compiler.rules, compiler.offsets);
        model.ssh = SshPolicy::read(
            &root,
            &model.defs,
            &model.tailnet,
            &mut model.gates,
            &mut found,
        );
        for (text, why) in &model.selectors.notes {
            found.warn_plain("", cat(&[text, ": ", why]));
        }
        // The rules' lines in one pass over the text (`found.finish` places the issues).
        let mut sorted: Vec<usize> = offsets
            .iter()
            .copied()
            .filter(|o| *o != usize::MAX)
            .collect();
        sorted.sort_unstable();
        sorted.dedup();
        let places = line_columns(doc.as_str(), &sorted);
        for (rule, offset) in rules.iter_mut().zip(&offsets) {
            if let Some((line, _)) = sorted
                .binary_search(offset)
                .ok()
                .and_then(|i| places.get(i))
            {
                rule.at.line = *line as u32;
            }
        }
        model.rules = rules;
        model.gates.evaluate(&model.defs, &model.tailnet.devices);
        let (errors, warnings) = found.finish(doc.as_str());
        model.errors = errors;
        model.warnings = warnings;
        model.index();
        model.doc = Some(doc);
        model
    }

    fn index(&mut self) {
        let n = self.tailnet.devices.len();
        self.dev_targets = vec![Vec::new(); n];
        for (t, target) in self.selectors.targets.iter().enumerate() {
            for &d in &target.devices {
                if let Some(list) = self.dev_targets.get_mut(d as usize) {
                    list.push(t as u32);
                }
            }
        }
        self.target_rules = vec![Vec::new(); self.selectors.targets.len()];
        for (r, rule) in self.rules.iter().enumerate() {
            for &t in &rule.dst {
                if let Some(list) = self.target_rules.get_mut(t as usize) {
                    list.push(r as u32);
                }
                if self
                    .selectors
                    .target(t)
                    .is_some_and(|t| t.unknown.is_some())
                {
                    self.unknown_dst_rules.push(r as u32);
                }
            }
            if rule.self_dst {
                self.self_rules.push(r as u32);
            }
        }
        self.unknown_dst_rules.dedup();
        // Only the targets some rule has as a destination go into the address indexes.
        let used: Vec<bool> = self.target_rules.iter().map(|r| !r.is_empty()).collect();
        for f in [V4, V6] {
            let targets = &self.selectors.targets;
            let pick = |exit: bool| {
                SegIndex::build(
                    targets
                        .iter()
                        .enumerate()
                        .filter(|(t, _)| used.get(*t).copied().unwrap_or(false))
                        .map(move |(t, target)| {
                            let set = if exit { &target.exit } else { &target.addrs };
                            (t as u32, set.family(f))
                        }),
                )
            };
            if let Some(slot) = self.addr_index.get_mut(f) {
                *slot = pick(false);
            }
            if let Some(slot) = self.exit_index.get_mut(f) {
                *slot = pick(true);
            }
        }
    }

    /// What the server would refuse, in SaaS's words where known.
    pub fn issues(&self) -> &[Issue] {
        &self.errors
    }

    /// What the server accepts but the model cannot judge, or what looks wrong.
    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }

    /// The refusal of a question a model whose text does not parse cannot answer (which sources
    /// reach a destination, whether it is gated, what changed): its parse error, under `field`,
    /// with its line and column. `None` when the text parsed.
    pub(crate) fn unparsed(&self, field: &str) -> Option<Issue> {
        let why = self.broken.as_ref()?;
        let issue = Issue::new(field, why.clone());
        Some(match self.issues().first() {
            Some(&Issue {
                line: Some(line),
                column: Some(column),
                ..
            }) => issue.at(line, column),
            _ => issue,
        })
    }

    /// The devices the model was built with.
    pub fn devices(&self) -> &[super::inventory::Device] {
        &self.tailnet.devices
    }

    pub(crate) fn target(&self, t: u32) -> Option<&Target> {
        self.selectors.target(t)
    }

    /// A device's `nodeId` and name, by index (empty for an index the model does not hold).
    pub fn device_names(&self, d: u32) -> (&str, &str) {
        self.tailnet
            .device(d)
            .map_or(("", ""), |x| (x.node_id.as_str(), x.name.as_str()))
    }

    /// Where a packet from `src` to `dst` goes.
    pub(crate) fn route(&self, src: &Source, dst: Addr) -> Route {
        // The node that puts the packet on the tailnet: the source device, or the router a
        // host behind a subnet route sends through (no SNAT, as SaaS's filters assume).
        if let (Some(d), Some(s)) = (self.tailnet.by_address(dst), src.device) {
            if s == d {
                return Route::Local(
                    "a device's traffic to itself does not pass the Tailscale filter".into(),
                );
            }
        }
        let sender = src
            .device
            .or_else(|| self.tailnet.routers_for(src.addr).0.first().copied());
        self.route_from(sender, dst)
    }

    /// Where a packet from `sender` (`None`: a device with no part in routing) to `dst` goes.
    pub(crate) fn route_from(&self, sender: Option<u32>, dst: Addr) -> Route {
        // A device's own address: its filter decides (a host behind a router that is the
        // destination is routed as any other sender: which HA router it uses is not known).
        if let Some(d) = self.tailnet.by_address(dst) {
            if self.tailnet.device(d).is_some_and(|x| x.external) {
                return Route::Foreign(d);
            }
            return Route::Own(d);
        }
        if let Some(s) = sender.and_then(|s| self.tailnet.device(s)) {
            if s.offered().any(|r| !r.is_default() && r.contains(dst)) {
                return Route::Local(cat(&[
                    &dst.print(),
                    " is on a subnet ",
                    &s.name,
                    " routes itself: the traffic does not cross the tailnet",
                ]));
            }
        }
        let (mut routers, _) = self.tailnet.routers_for(dst);
        routers.retain(|r| Some(*r) != sender);
        if !routers.is_empty() {
            return Route::Subnet(routers);
        }
        let exits = self
            .tailnet
            .exits
            .get(dst.family)
            .map_or(&[][..], |e| e.as_slice());
        if exits.iter().any(|e| Some(*e) != sender) {
            return Route::Exit;
        }
        Route::Unrouted
    }

    /// The rules that could admit a packet to `dst` along `route`, sorted. `autogroup:self`
    /// rules only when `with_self` (the source may be of the destination's owner).
    pub(crate) fn candidates(&self, dst: Addr, route: &Route, with_self: bool) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        let from_targets = |targets: &[u32], out: &mut Vec<u32>| {
            for t in targets {
                if let Some(rules) = self.target_rules.get(*t as usize) {
                    out.extend_from_slice(rules);
                }
            }
        };
        match route {
            Route::Own(d) => {
                if let Some(ts) = self.dev_targets.get(*d as usize) {
                    from_targets(ts, &mut out);
                }
                if let Some(ix) = self.addr_index.get(dst.family) {
                    from_targets(ix.at(dst.bits), &mut out);
                }
                if with_self {
                    out.extend_from_slice(&self.self_rules);
                }
            }
            Route::Subnet(_) => {
                if let Some(ix) = self.addr_index.get(dst.family) {
                    from_targets(ix.at(dst.bits), &mut out);
                }
            }
            Route::Exit => {
                if let Some(ix) = self.exit_index.get(dst.family) {
                    from_targets(ix.at(dst.bits), &mut out);
                }
            }
            _ => return out,
        }
        out.extend_from_slice(&self.unknown_dst_rules);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The destination targets that hold a device at one of its addresses, sorted: with the
    /// unresolvable destinations, all that decides the destination part of every rule for it.
    pub(crate) fn targets_holding(&self, d: u32, a: Addr) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .dev_targets
            .get(d as usize)
            .cloned()
            .unwrap_or_default();
        if let Some(ix) = self.addr_index.get(a.family) {
            out.extend_from_slice(ix.at(a.bits));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether a rule's destinations take `dst` along `route` (for `autogroup:self`, from
    /// `src`), whatever the source.
    pub(crate) fn dst_part(&self, rule: &Rule, dst: Addr, route: &Route, src: Option<u32>) -> Tri {
        let mut covered = false;
        let mut maybe = None;
        for t in rule.dst.iter().filter_map(|t| self.target(*t)) {
            let hit = match route {
                Route::Own(d) => t.devices.binary_search(d).is_ok() || t.addrs.contains(dst),
                Route::Subnet(_) => t.addrs.contains(dst),
                Route::Exit => t.exit.contains(dst),
                _ => false,
            };
            covered |= hit;
            if let Some(u) = &t.unknown {
                let listed = matches!(route, Route::Own(_));
                if !(u.unlisted_only && listed) {
                    maybe.get_or_insert_with(|| u.reason.clone());
                }
            }
        }
        if let (true, Route::Own(d), Some(s)) = (rule.self_dst, route, src) {
            let owner = |i: u32| self.tailnet.device(i).and_then(|x| x.owner());
            covered |= owner(*d).is_some() && owner(*d) == owner(s);
        }
        if !rule.via.is_empty() && covered {
            return match route {
                // The rule goes only to routers with a via tag (semantics.md §8, all 40 via
                // captures).
                Route::Subnet(routers) => {
                    let tagged = routers.iter().any(|r| {
                        self.tailnet
                            .device(*r)
                            .is_some_and(|d| d.tags.iter().any(|t| rule.via.contains(t)))
                    });
                    if tagged {
                        Tri::Yes
                    } else {
                        Tri::No
                    }
                }
                _ => Tri::Maybe(
                    "a grant with via decides it, and via is modelled only for subnet routers (not for exit nodes or a device's own address)".into(),
                ),
            };
        }
        match (covered, maybe) {
            (true, _) => Tri::Yes,
            (false, Some(why)) => Tri::Maybe(why),
            (false, None) => Tri::No,
        }
    }

    /// Whether a rule's sources hold `src` (its posture aside).
    pub(crate) fn src_part(&self, rule: &Rule, src: &Source) -> Tri {
        let mut maybe = None;
        for t in rule.src.iter().filter_map(|t| self.target(*t)) {
            let by_device = src
                .device
                .is_some_and(|d| t.devices.binary_search(&d).is_ok());
            if by_device || t.addrs.contains(src.addr) {
                return Tri::Yes;
            }
            if let Some(u) = &t.unknown {
                let excluded = (u.unlisted_only && src.device.is_some())
                    || (u.tailnet_only && !tailnet_ranges().contains(src.addr));
                if !excluded {
                    maybe.get_or_insert_with(|| u.reason.clone());
                }
            }
        }
        maybe.map_or(Tri::No, Tri::Maybe)
    }

    /// A rule's posture gate for a source: devices of this tailnet only (hosts behind subnet
    /// routers and shared-in devices are exempt, DOC).
    pub(crate) fn posture_outcome(&self, rule: &Rule, src: Option<u32>) -> u8 {
        let (Some(gate), Some(d)) = (rule.gate, src) else {
            return YES;
        };
        let external = self.tailnet.device(d).is_some_and(|x| x.external);
        self.gates.outcome(gate, d, external)
    }

    /// Combines a rule's other parts with the source's posture outcome.
    pub(crate) fn with_posture(base: Tri, outcome: u8) -> Option<Part> {
        match (base, outcome) {
            (Tri::No, _) | (_, NO) => None,
            (Tri::Yes, YES) => Some(Part::Admits),
            (Tri::Maybe(why), _) => Some(Part::Maybe(why)),
            (Tri::Yes, other) => Some(Part::MaybePosture(other)),
        }
    }

    /// One rule for one packet.
    pub(crate) fn part(
        &self,
        rule: &Rule,
        src: &Source,
        dst: Addr,
        route: &Route,
        proto: u8,
        port: Option<u16>,
    ) -> Option<Part> {
        if !rule.ports.admits(proto, port, dst.family) {
            return None;
        }
        let base = self
            .dst_part(rule, dst, route, src.device)
            .and(self.src_part(rule, src))
            .and(match &rule.unknown {
                Some(why) => Tri::Maybe(why.clone()),
                None => Tri::Yes,
            });
        let outcome = self.posture_outcome(rule, src.device);
        if base == Tri::Yes && outcome == NO {
            return Some(Part::Blocked);
        }
        Self::with_posture(base, outcome)
    }

    /// The verdict for one source address and one destination address.
    pub(crate) fn verdict(&self, src: &Source, dst: Addr, proto: u8, port: Option<u16>) -> Verdict {
        let mut v = Verdict::default();
        if let Some(why) = &self.broken {
            v.verdict = Outcome::Indeterminate;
            v.reason = Some(why.clone());
            return v;
        }
        if src.addr.family != dst.family {
            v.reason =
                Some("the source and the destination are of different address families".into());
            return v;
        }
        let route = self.route(src, dst);
        match &route {
            Route::Local(why) => {
                v.verdict = Outcome::Indeterminate;
                v.reason = Some(why.clone());
                return v;
            }
            Route::Foreign(d) => {
                v.verdict = Outcome::Indeterminate;
                v.reason = Some(cat(&[
                    self.device_names(*d).1,
                    " is shared in from another tailnet, whose policy decides what it accepts",
                ]));
                return v;
            }
            Route::Unrouted => {
                v.reason = Some(cat(&[
                    "no route: no device has ",
                    &dst.print(),
                    ", and no approved subnet route or exit node of ",
                    family_name(dst.family),
                    " covers it",
                ]));
                return v;
            }
            _ => {}
        }
        let mut maybe: Option<Unknown> = None;
        let owner = |d: Option<u32>| {
            d.and_then(|d| self.tailnet.device(d))
                .and_then(|x| x.owner())
        };
        let same_owner = match &route {
            Route::Own(d) => owner(Some(*d)).is_some() && owner(Some(*d)) == owner(src.device),
            _ => false,
        };
        for r in self.candidates(dst, &route, same_owner) {
            let Some(rule) = self.rules.get(r as usize) else {
                continue;
            };
            match self.part(rule, src, dst, &route, proto, port) {
                Some(Part::Admits) => v.rules.push(rule.at),
                Some(Part::Maybe(why)) => {
                    maybe.get_or_insert(Unknown::Said(why));
                }
                Some(Part::MaybePosture(o)) => {
                    maybe.get_or_insert(Unknown::Posture(o, src.device));
                }
                Some(Part::Blocked) => {
                    let attrs = src
                        .device
                        .and_then(|d| self.tailnet.device(d))
                        .and_then(|d| d.attributes.as_ref());
                    v.blocked_by.push(Blocked {
                        rule: rule.at,
                        failed: Failures::new(
                            rule.gate
                                .map(|g| self.gates.failures(g, &self.defs, attrs))
                                .unwrap_or_default(),
                        ),
                    });
                }
                None => {}
            }
        }
        self.finish(&mut v, maybe);
        v
    }

    /// Sorts and de-duplicates the rules (an ACL may compile to several), and sets the outcome
    /// and the reason.
    pub(crate) fn finish(&self, v: &mut Verdict, maybe: Option<Unknown>) {
        if let Some(why) = settle(v, maybe) {
            v.reason = Some(self.reason(why));
        }
    }

    /// Why a verdict is indeterminate, in words.
    pub(crate) fn reason(&self, why: Unknown) -> String {
        match why {
            Unknown::Said(text) => text,
            Unknown::Posture(o, d) => unknown_reason(o, d.map_or("", |d| self.device_names(d).1)),
        }
    }
}

/// [`AccessModel::finish`] but the reason, which is given back when the verdict is
/// indeterminate (written once a source's families are merged, not once per family).
pub(crate) fn settle(v: &mut Verdict, maybe: Option<Unknown>) -> Option<Unknown> {
    tidy(v);
    if !v.rules.is_empty() {
        v.verdict = Outcome::Accept;
        None
    } else if maybe.is_some() {
        v.verdict = Outcome::Indeterminate;
        maybe
    } else {
        v.verdict = Outcome::Drop;
        None
    }
}

/// Why a verdict may be indeterminate, kept as found: most such sources are admitted by
/// another rule, and their reason is never written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unknown {
    Said(String),
    /// A posture outcome's code, for the source device.
    Posture(u8, Option<u32>),
}

/// Each rule once, in file order; a rule that admits is not also listed as blocked.
pub(crate) fn tidy(v: &mut Verdict) {
    v.rules.sort_unstable();
    v.rules.dedup();
    v.blocked_by.sort_by_key(|b| b.rule);
    v.blocked_by.dedup_by(|a, b| a.rule == b.rule);
    let Verdict {
        rules, blocked_by, ..
    } = v;
    blocked_by.retain(|b| rules.binary_search(&b.rule).is_err());
}
