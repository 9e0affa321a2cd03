//! The questions: `reach`, `whoCanReach` and `gated`, each read from JSON with the contract's
//! checks (a bad argument is an `Err` listing every problem, as the wasm layer throws it).

use super::addr::{Addr, Ranges, V4, V6};
use super::inventory::family_name;
use super::model::{settle, tidy, AccessModel, Part, Route, Source, Tri, Unknown};
use super::output::{
    Blocked, DeviceRef, Endpoint, Failures, Gated, Leak, Outcome, Reacher, Verdict,
};
use super::ports::{echo_of, proto_number, TCP};
use super::postures::{posture_outcome, unknown_reason, FailureCache, NO, YES};
use super::rules::RuleRef;
use tailscale_wire::error::Issue;
use tailscale_wire::json::{Json, Kind};
use tailscale_wire::text::cat;
use tailscale_wire::validate::{self, Input};

/// `{ src?, dst, proto?, port?, posture? }`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub src: Option<String>,
    pub dst: String,
    /// An IANA protocol number; `tcp` when not given.
    pub proto: u8,
    /// Whether the query named a protocol (`gated` without one asks about any traffic).
    pub proto_given: bool,
    /// `None`: any port.
    pub port: Option<u16>,
    pub posture: Option<String>,
}

/// Which fields a query takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    Reach,
    WhoCanReach,
    Gated,
}

impl Query {
    /// Reads a query object: `src` (reach only) and `dst` are a device's `nodeId` or an IP
    /// address; `proto` a name (`tcp`, `udp`, `icmp`, `sctp`, ...) or an IANA number 0-255;
    /// `port` a whole number 0-65535 (ignored for ICMP); `posture` (gated only) a posture name.
    pub fn parse<J: Json>(value: J, kind: QueryKind) -> Result<Query, Vec<Issue>> {
        let mut input = Input::new(value, "");
        let src = if kind == QueryKind::Reach {
            input.required_string("src")
        } else {
            None
        };
        let dst = input.required_string("dst");
        let posture = if kind == QueryKind::Gated {
            input.required_string("posture")
        } else {
            None
        };
        let proto_raw = input.raw("proto");
        let mut proto = TCP;
        let proto_given = proto_raw.is_some();
        if let Some(p) = proto_raw {
            let n = match p.kind() {
                Kind::String => p.as_string().as_deref().and_then(proto_number),
                Kind::Number => p
                    .as_f64()
                    .filter(|f| f.fract() == 0.0 && (0.0..=255.0).contains(f))
                    .map(|f| f as u8),
                _ => None,
            };
            match n {
                Some(n) => proto = n,
                None => input.issue(
                    "proto",
                    "must be tcp, udp, icmp, another IANA protocol name, or a number 0-255",
                ),
            }
        }
        let port = input.integer("port");
        let port = match port {
            Some(p) if (0..=65535).contains(&p) => Some(p as u16),
            Some(_) => {
                input.issue("port", "must be 0-65535");
                None
            }
            None => None,
        };
        for (name, v) in [("src", &src), ("dst", &dst)] {
            if v.as_deref() == Some("") {
                input.issue(name, "must not be empty");
            }
        }
        validate::finish(
            input,
            Query {
                src,
                dst: dst.unwrap_or_default(),
                proto,
                proto_given,
                port,
                posture,
            },
        )
    }
}

/// An endpoint named by a query: a device (by `nodeId` or address) or a bare address.
enum Named {
    Device(u32),
    Address(Addr, Option<u32>),
}

impl AccessModel {
    fn named(&self, field: &str, text: &str) -> Result<Named, Vec<Issue>> {
        if let Some(d) = self.tailnet.by_node_id(text) {
            return Ok(Named::Device(d));
        }
        match Addr::parse(text) {
            Some(a) => Ok(Named::Address(a, self.tailnet.by_address(a))),
            None => Err(vec![Issue::new(
                field,
                "names no device of the model (give its nodeId) and is not an IP address",
            )]),
        }
    }

    /// The destination addresses a query means: a device's addresses (both families), or one.
    fn dst_addrs(&self, named: &Named) -> Vec<Addr> {
        match named {
            Named::Device(d) => self
                .tailnet
                .device(*d)
                .map(|x| {
                    [x.address(V4), x.address(V6)]
                        .into_iter()
                        .flatten()
                        .collect()
                })
                .unwrap_or_default(),
            Named::Address(a, _) => vec![*a],
        }
    }

    pub(crate) fn device_ref(&self, d: u32) -> DeviceRef {
        let (node_id, name) = self.device_names(d);
        DeviceRef {
            node_id: node_id.to_owned(),
            name: name.to_owned(),
        }
    }

    fn port_of(q: &Query, family: usize) -> Option<u16> {
        if Self::proto_for(q, family) == echo_of(family) {
            None
        } else {
            q.port
        }
    }

    /// `icmp` and `ipv6-icmp` ask about ping: the echo protocol of the destination's family.
    fn proto_for(q: &Query, family: usize) -> u8 {
        if q.proto == super::ports::ICMP || q.proto == super::ports::ICMP6 {
            echo_of(family)
        } else {
            q.proto
        }
    }

    /// Whether `src` reaches `dst` with `proto` on `port`, which rules let it, which would but
    /// for its posture. A device named by `nodeId` is asked about over each address family it
    /// has (the source's matching address): accepted when one is, with a `reason` saying which
    /// when the families disagree.
    pub fn reach(&self, q: &Query) -> Result<Verdict, Vec<Issue>> {
        let src = self.named("src", q.src.as_deref().unwrap_or_default())?;
        let dst = self.named("dst", &q.dst)?;
        let dsts = match (&src, &dst) {
            (Named::Address(a, _), Named::Device(_)) => self
                .dst_addrs(&dst)
                .into_iter()
                .filter(|d| d.family == a.family)
                .collect(),
            _ => self.dst_addrs(&dst),
        };
        let mut verdicts: Vec<(usize, Verdict, Option<Unknown>)> = Vec::new();
        for d in dsts {
            let source = match &src {
                Named::Device(s) => match self.tailnet.device(*s).and_then(|x| x.address(d.family))
                {
                    Some(a) => Source {
                        addr: a,
                        device: Some(*s),
                    },
                    None => continue,
                },
                Named::Address(a, owner) => Source {
                    addr: *a,
                    device: *owner,
                },
            };
            verdicts.push((
                d.family,
                self.verdict(
                    &source,
                    d,
                    Self::proto_for(q, d.family),
                    Self::port_of(q, d.family),
                ),
                None,
            ));
        }
        Ok(self.merge_families(&mut verdicts))
    }

    /// Every device that reaches `dst` (with `proto` and `port`), with the rules that let it;
    /// also those only their posture stops, and those the model cannot answer for.
    pub fn who_can_reach(&self, q: &Query) -> Result<Vec<Reacher>, Vec<Issue>> {
        Ok(self
            .who_can_reach_by_index(q)?
            .into_iter()
            .map(|(s, answer)| Reacher {
                device: self.device_ref(s),
                answer,
            })
            .collect())
    }

    /// [`AccessModel::who_can_reach`] with each device as its index ([`AccessModel::device_names`]
    /// names it), in device order: for a binding that writes the answer without copying names.
    pub fn who_can_reach_by_index(&self, q: &Query) -> Result<Vec<(u32, Verdict)>, Vec<Issue>> {
        if let Some(refusal) = self.unparsed("policy") {
            return Err(vec![refusal]);
        }
        let dst = self.named("dst", &q.dst)?;
        // Each family's sources come in device order: merged as sorted lists, a device's
        // verdicts gathered in one reused list.
        // Failures depend on the gate and the device, not the family: found once for both.
        let mut failures = FailureCache::default();
        type Found = (u32, Verdict, Option<Unknown>);
        let mut lists: Vec<std::iter::Peekable<std::vec::IntoIter<Found>>> = Vec::new();
        let mut families = Vec::new();
        for d in self.dst_addrs(&dst) {
            let port = Self::port_of(q, d.family);
            let found =
                self.sources_of(d, Some((Self::proto_for(q, d.family), port)), &mut failures);
            lists.push(found.into_iter().peekable());
            families.push(d.family);
        }
        let mut out = Vec::new();
        let mut gathered: Vec<(usize, Verdict, Option<Unknown>)> = Vec::with_capacity(lists.len());
        loop {
            let next = lists
                .iter_mut()
                .filter_map(|l| l.peek().map(|(s, _, _)| *s))
                .min();
            let Some(s) = next else {
                break;
            };
            for (list, family) in lists.iter_mut().zip(&families) {
                match list.next_if(|(t, _, _)| *t == s) {
                    Some((_, v, why)) => gathered.push((*family, v, why)),
                    // Not listed over a family it has an address in: dropped there, which
                    // reach (asking over each such family) names in its reason.
                    None if self
                        .tailnet
                        .device(s)
                        .is_some_and(|x| x.address(*family).is_some()) =>
                    {
                        gathered.push((*family, Verdict::default(), None));
                    }
                    None => {}
                }
            }
            let v = self.merge_families(&mut gathered);
            if v.verdict != Outcome::Drop || !v.blocked_by.is_empty() {
                out.push((s, v));
            }
        }
        Ok(out)
    }

    /// The source devices of a destination address and their verdicts (`packet`: a protocol and
    /// port; `None`: any traffic). Each rule is read once: its sources are enumerated from its
    /// targets, not by asking device by device.
    pub(crate) fn sources_of(
        &self,
        dst: Addr,
        packet: Option<(u8, Option<u16>)>,
        failures: &mut FailureCache,
    ) -> Vec<(u32, Verdict, Option<Unknown>)> {
        if self.broken.is_some() {
            return Vec::new();
        }
        let mut out: Vec<(u32, Verdict, Option<Unknown>)> = Vec::new();
        let mut slots: Vec<u32> = vec![u32::MAX; self.tailnet.devices.len()];
        // The route as any other device sees it; the few devices it differs for (the
        // destination, its routers, exit nodes) are asked one by one below.
        let route = self.route_from(None, dst);
        let special: Vec<u32> = self.special_senders(dst, &route);
        let mut is_special = vec![false; self.tailnet.devices.len()];
        for s in &special {
            if let Some(x) = is_special.get_mut(*s as usize) {
                *x = true;
            }
        }
        let mut mark = vec![u32::MAX; self.tailnet.devices.len()];
        let mut senders: Vec<(u32, Tri)> = Vec::new();
        let family = dst.family;
        let mut record = |s: u32,
                          at: RuleRef,
                          gate: Option<u32>,
                          part: Part,
                          model: &AccessModel,
                          out: &mut Vec<(u32, Verdict, Option<Unknown>)>| {
            let slot = slots.get(s as usize).copied().unwrap_or(u32::MAX);
            let i = if slot == u32::MAX {
                if let Some(x) = slots.get_mut(s as usize) {
                    *x = out.len() as u32;
                }
                out.push((s, Verdict::default(), None));
                out.len() - 1
            } else {
                slot as usize
            };
            let Some((_, v, maybe)) = out.get_mut(i) else {
                return;
            };
            match part {
                Part::Admits => v.rules.push(at),
                Part::Maybe(why) => {
                    maybe.get_or_insert(Unknown::Said(why));
                }
                Part::MaybePosture(o) => {
                    maybe.get_or_insert(Unknown::Posture(o, Some(s)));
                }
                Part::Blocked => {
                    // Rules under one posture list (the default's, often) fail a device alike:
                    // its failures are worked out once.
                    let attrs = model.tailnet.device(s).and_then(|d| d.attributes.as_ref());
                    let failed = match gate {
                        Some(g) => model.gates.failures_of(g, &model.defs, s, attrs, failures),
                        None => Failures::default(),
                    };
                    v.blocked_by.push(Blocked { rule: at, failed });
                }
            }
        };
        if !matches!(route, Route::Foreign(_) | Route::Local(_) | Route::Unrouted) {
            for r in self.candidates(dst, &route, true) {
                let Some(rule) = self.rules.get(r as usize) else {
                    continue;
                };
                let admits = match packet {
                    Some((proto, port)) => rule.ports.admits(proto, port, family),
                    None => !rule.ports.is_empty(),
                };
                if !admits {
                    continue;
                }
                let rule_maybe = rule.unknown.clone();
                // Destination part for everyone but autogroup:self (which depends on the source).
                let dst_tri = self.dst_part(rule, dst, &route, None);
                senders.clear();
                if dst_tri != Tri::No {
                    self.rule_sources(rule, family, &mut senders, &mut mark, r);
                }
                if rule.self_dst {
                    if let Route::Own(d) = route {
                        if let Some(owner) = self.tailnet.device(d).and_then(|x| x.owner()) {
                            for s in self.tailnet.owned_by(owner) {
                                let src = self.source_of(s, family);
                                if let Some(src) = src {
                                    let t = self.src_part(rule, &src);
                                    if t != Tri::No {
                                        senders.push((s, t.and(Tri::Yes)));
                                    }
                                }
                            }
                        }
                    }
                }
                for (s, src_tri) in senders.drain(..) {
                    if is_special.get(s as usize).copied().unwrap_or(true) {
                        continue;
                    }
                    let d_tri = if rule.self_dst {
                        self.dst_part(rule, dst, &route, Some(s))
                    } else {
                        dst_tri.clone()
                    };
                    // The common case (a plain rule, a definite source) without building a Tri.
                    let base = if d_tri == Tri::Yes && rule_maybe.is_none() {
                        src_tri
                    } else {
                        d_tri.and(src_tri).and(match &rule_maybe {
                            Some(w) => Tri::Maybe(w.clone()),
                            None => Tri::Yes,
                        })
                    };
                    let outcome = self.posture_outcome(rule, Some(s));
                    let part = if base == Tri::Yes && outcome == NO {
                        Part::Blocked
                    } else {
                        match Self::with_posture(base, outcome) {
                            Some(p) => p,
                            None => continue,
                        }
                    };
                    record(s, rule.at, rule.gate, part, self, &mut out);
                }
            }
        }
        let mut done: Vec<(u32, Verdict, Option<Unknown>)> = out
            .into_iter()
            .map(|(s, mut v, maybe)| {
                let why = settle(&mut v, maybe);
                (s, v, why)
            })
            .collect();
        // The devices the route differs for, asked one by one.
        for s in special {
            if let Some(src) = self.source_of(s, family) {
                let (proto, port) = packet.unwrap_or((super::ports::TCP, None));
                // Traffic that never crosses the tailnet (to itself, to its own subnet) is no
                // answer about the policy: such a device is not listed.
                if matches!(self.route(&src, dst), Route::Local(_)) {
                    continue;
                }
                let v = match packet {
                    Some(_) => self.verdict(&src, dst, proto, port),
                    None => self.any_traffic(&src, dst),
                };
                if v.verdict != Outcome::Drop || !v.blocked_by.is_empty() {
                    done.push((s, v, None));
                }
            }
        }
        // In device order, by each device's place (each is listed once): no sort.
        let mut place = vec![u32::MAX; self.tailnet.devices.len()];
        for (i, (s, _, _)) in done.iter().enumerate() {
            if let Some(p) = place.get_mut(*s as usize) {
                *p = i as u32;
            }
        }
        let mut slots: Vec<Option<(u32, Verdict, Option<Unknown>)>> =
            done.into_iter().map(Some).collect();
        place
            .into_iter()
            .filter(|p| *p != u32::MAX)
            .filter_map(|p| slots.get_mut(p as usize).and_then(Option::take))
            .collect()
    }

    /// Any protocol and port: the rules that admit some packet.
    /// Any protocol and port: ping is admitted by every rule that covers the pair, whatever
    /// it opens (`wgengine/filter`), so its verdict is that of any traffic.
    fn any_traffic(&self, src: &Source, dst: Addr) -> Verdict {
        self.verdict(src, dst, echo_of(dst.family), None)
    }

    fn source_of(&self, s: u32, family: usize) -> Option<Source> {
        self.tailnet
            .device(s)
            .and_then(|d| d.address(family))
            .map(|addr| Source {
                addr,
                device: Some(s),
            })
    }

    /// Senders whose route to `dst` is not the common one: the destination device itself,
    /// routers offering a route that covers it, and exit nodes.
    fn special_senders(&self, dst: Addr, route: &Route) -> Vec<u32> {
        let mut out = Vec::new();
        if let Route::Own(d) | Route::Foreign(d) = route {
            out.push(*d);
            return out;
        }
        for (i, d) in self.tailnet.devices.iter().enumerate() {
            let offers = d.offered().any(|r| !r.is_default() && r.contains(dst));
            let exit = matches!(route, Route::Exit | Route::Unrouted) && d.is_exit_node(dst.family);
            if offers || exit {
                out.push(i as u32);
            }
        }
        out
    }

    /// The devices a rule's sources hold for an address family, each with yes or maybe.
    /// The devices a rule's sources hold for an address family, each once, with yes (or maybe
    /// when only an unresolvable selector may hold it). `mark` (one slot per device, `stamp`
    /// unique to this call) replaces a sort.
    fn rule_sources(
        &self,
        rule: &super::rules::Rule,
        family: usize,
        out: &mut Vec<(u32, Tri)>,
        mark: &mut [u32],
        stamp: u32,
    ) {
        let mut take = |d: u32, tri: Tri, out: &mut Vec<(u32, Tri)>| {
            if let Some(m) = mark.get_mut(d as usize) {
                if *m != stamp {
                    *m = stamp;
                    out.push((d, tri));
                }
            }
        };
        for t in rule.src.iter().filter_map(|t| self.target(*t)) {
            for &d in &t.devices {
                if self.tailnet.has_family(d, family) {
                    take(d, Tri::Yes, out);
                }
            }
            for &(lo, hi) in &t.addrs.family(family).0 {
                for d in self.tailnet.in_range(family, lo, hi) {
                    take(d, Tri::Yes, out);
                }
            }
        }
        // Unresolvable selectors last, so that a device some other selector holds stays a yes.
        for t in rule.src.iter().filter_map(|t| self.target(*t)) {
            if let Some(u) = t.unknown.as_ref().filter(|u| !u.unlisted_only) {
                for d in 0..self.tailnet.devices.len() as u32 {
                    if self.source_of(d, family).is_some() {
                        take(d, Tri::Maybe(u.reason.clone()), out);
                    }
                }
            }
        }
    }

    /// Whether no device without `posture` reaches `dst` (with `proto`/`port` when given, else
    /// any traffic) through any rule; else which sources still do, and through which rules.
    /// Hosts behind subnet routers and addresses outside the tailnet are never checked for a
    /// posture: a rule that admits them leaks too.
    pub fn gated(&self, q: &Query) -> Result<Gated, Vec<Issue>> {
        if let Some(refusal) = self.unparsed("policy") {
            return Err(vec![refusal]);
        }
        let dst = self.named("dst", &q.dst)?;
        let name = q.posture.clone().unwrap_or_default();
        let def = self.defs.posture(&name);
        if def.is_none() {
            return Err(vec![Issue::new(
                "posture",
                cat(&["names no posture of the policy: ", &name]),
            )]);
        }
        let conditions = def.and_then(|p| p.conditions.as_deref().ok()).ok_or(());
        let mut leaks: Vec<Leak> = Vec::new();
        let mut unknown: Vec<Leak> = Vec::new();
        let mut failures = FailureCache::default();
        for d in self.dst_addrs(&dst) {
            let packet = q
                .proto_given
                .then(|| (Self::proto_for(q, d.family), Self::port_of(q, d.family)));
            for (s, v, why) in self.sources_of(d, packet, &mut failures) {
                if v.verdict == Outcome::Drop {
                    continue;
                }
                let Some(device) = self.tailnet.device(s) else {
                    continue;
                };
                let has = if device.external {
                    // Exempt from postures: nothing checks it.
                    NO
                } else {
                    posture_outcome(conditions, device.attributes.as_ref())
                };
                let entry = |reason: Option<String>| Leak {
                    src: Endpoint::Device(self.device_ref(s)),
                    rules: v.rules.clone(),
                    reason,
                };
                match (has, v.verdict) {
                    (YES, _) => {}
                    (NO, Outcome::Accept) => leaks.push(entry(device.external.then(|| {
                        "shared in from another tailnet: postures do not apply to it".into()
                    }))),
                    (NO, _) => unknown.push(entry(why.map(|w| self.reason(w)).or(v.reason))),
                    (other, _) => unknown.push(entry(Some(unknown_reason(other, &device.name)))),
                }
            }
            // Sources that are no device of the tailnet: never posture-checked.
            let route = self.route_from(None, d);
            for r in self.candidates(d, &route, false) {
                let Some(rule) = self.rules.get(r as usize) else {
                    continue;
                };
                let admits = match q.proto_given {
                    true => rule.ports.admits(
                        Self::proto_for(q, d.family),
                        Self::port_of(q, d.family),
                        d.family,
                    ),
                    false => !rule.ports.is_empty(),
                };
                if !admits || self.dst_part(rule, d, &route, None) == Tri::No {
                    continue;
                }
                for t in rule.src.iter().filter_map(|t| self.target(*t)) {
                    let outside = t
                        .addrs
                        .family(d.family)
                        .subtract(super::addr::tailnet_ranges().family(d.family));
                    push_ranges(&mut leaks, d.family, &outside, rule.at);
                }
            }
        }
        leaks.sort_by(|a, b| a.src.cmp(&b.src));
        leaks.dedup_by(|a, b| {
            if a.src == b.src {
                b.rules.extend(a.rules.iter().copied());
                b.rules.sort_unstable();
                b.rules.dedup();
                true
            } else {
                false
            }
        });
        unknown.sort_by(|a, b| a.src.cmp(&b.src));
        unknown.dedup_by(|a, b| a.src == b.src);
        let gated = if !leaks.is_empty() {
            Outcome::Drop
        } else if !unknown.is_empty() {
            Outcome::Indeterminate
        } else {
            Outcome::Accept
        };
        Ok(Gated {
            gated,
            leaks,
            unknown,
        })
    }

    /// One verdict from those of each address family (each finished, an unknown's reason aside):
    /// accept when any family is accepted (a `reason` names the families that are not), else
    /// indeterminate when any is, else drop.
    fn merge_families(&self, list: &mut Vec<(usize, Verdict, Option<Unknown>)>) -> Verdict {
        let mut out = Verdict::default();
        // One family (most destinations), or families that agree in every part (most devices):
        // the first verdict as it is, its reason written once.
        let alike = list
            .windows(2)
            .all(|w| matches!(w, [(_, a, x), (_, b, y)] if a == b && x == y));
        if alike {
            list.truncate(1);
        }
        for (_, v, why) in list.iter_mut() {
            if let Some(why) = why.take() {
                v.reason = Some(self.reason(why));
            }
        }
        if alike {
            if let Some((_, only, _)) = list.pop() {
                return only;
            }
        }
        if list.is_empty() {
            out.verdict = Outcome::Indeterminate;
            out.reason = Some(
                "the source and the destination have no address of one family in the device list"
                    .into(),
            );
            return out;
        }
        // Accept if any family accepts; else indeterminate if any is; else drop.
        let rank = |o: Outcome| match o {
            Outcome::Accept => 0,
            Outcome::Indeterminate => 1,
            Outcome::Drop => 2,
        };
        let best = list
            .iter()
            .map(|(_, v, _)| v.verdict)
            .min_by_key(|o| rank(*o))
            .unwrap_or(Outcome::Drop);
        let differs = list.iter().any(|(_, v, _)| v.verdict != best);
        for (family, v, _) in list.drain(..) {
            // The first family's lists are kept, not copied.
            if out.rules.is_empty() {
                out.rules = v.rules;
            } else {
                out.rules.extend(v.rules);
            }
            if out.blocked_by.is_empty() {
                out.blocked_by = v.blocked_by;
            } else {
                out.blocked_by.extend(v.blocked_by);
            }
            if v.verdict == best && out.reason.is_none() && !differs {
                out.reason = v.reason;
            } else if differs && v.verdict != best {
                let note = cat(&[
                    "over ",
                    family_name(family),
                    ": ",
                    match v.verdict {
                        Outcome::Accept => "accept",
                        Outcome::Drop => "drop",
                        Outcome::Indeterminate => "indeterminate",
                    },
                    v.reason.as_deref().map_or("", |_| " ("),
                    v.reason.as_deref().unwrap_or(""),
                    v.reason.as_deref().map_or("", |_| ")"),
                ]);
                out.reason = Some(match out.reason.take() {
                    Some(r) => cat(&[&r, "; ", &note]),
                    None => note,
                });
            }
        }
        out.verdict = best;
        tidy(&mut out);
        out
    }
}

fn push_ranges(leaks: &mut Vec<Leak>, family: usize, ranges: &Ranges, at: RuleRef) {
    for &(lo, hi) in &ranges.0 {
        leaks.push(Leak {
            src: Endpoint::Address(super::addr::print_range(family, lo, hi)),
            rules: vec![at],
            reason: Some("not a device of the tailnet: postures do not apply to it".into()),
        });
    }
}
