//! `AccessModel.diff(before, after)`: what the second model gains and loses, exact over port
//! ranges, computed with sets.
//!
//! - **Sources** are the devices of either model (matched by `nodeId`), partitioned into
//!   classes no rule tells apart: same membership in every source selector per address family,
//!   same families, same outcome of every posture gate. A rule's sources are a bitset of
//!   classes. `autogroup:self` is the exception: what it adds for a destination are a few
//!   devices of its owner, classified one by one on top of the classes.
//! - **Destinations** are each device's address of each family, plus the address ranges that
//!   approved subnet routes and exit nodes reach (cut at every boundary either policy names).
//!   Devices held by the same selectors in both models share one computation.
//! - **Ports** are cut, per protocol, at every boundary either model's candidate rules name;
//!   ping (ICMP echo) counts any rule, as the client does.
//!
//! A change is a set of sources that gains (or loses) one destination on some ports; sources
//! with the same change on different ports are one change listing them. Sources that are no
//! device (hosts behind subnet routers, addresses outside the tailnet) are not listed. A source
//! never counts as reaching itself, nor a router its own subnet, nor an exit node the internet.

use super::addr::{print_range, tailnet_ranges, Addr, Ranges, V4, V6};
use super::model::{AccessModel, Route, Source, Tri};
use super::output::{AccessChange, Change, DeviceRef, Endpoint};
use super::ports::{echo_of, has_ports, print_ports, proto_name, ProtoPorts, MAX_PORT};
use super::postures::{NO, YES};
use super::rules::Rule;
use super::tailnet::SegIndex;
use tailscale_wire::error::Issue;

type Bits = Vec<u64>;

fn bit(b: &Bits, i: usize) -> bool {
    b.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

fn set_bit(b: &mut Bits, i: usize) {
    if let Some(w) = b.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

fn or_into(a: &mut Bits, b: &Bits) {
    for (x, y) in a.iter_mut().zip(b) {
        *x |= *y;
    }
}

fn and_not(a: &Bits, b: &Bits) -> Bits {
    a.iter().zip(b).map(|(x, y)| x & !y).collect()
}

fn and(a: &Bits, b: &Bits) -> Bits {
    a.iter().zip(b).map(|(x, y)| x & y).collect()
}

fn or(a: &Bits, b: &Bits) -> Bits {
    a.iter().zip(b).map(|(x, y)| x | y).collect()
}

fn is_zero(a: &Bits) -> bool {
    a.iter().all(|w| *w == 0)
}

/// The set bits, in order.
fn ones(b: &Bits) -> impl Iterator<Item = usize> + '_ {
    b.iter().enumerate().flat_map(|(i, w)| {
        let mut w = *w;
        std::iter::from_fn(move || {
            if w == 0 {
                return None;
            }
            let t = w.trailing_zeros() as usize;
            w &= w - 1;
            Some(i * 64 + t)
        })
    })
}

/// One side of the comparison.
struct Side<'m> {
    m: &'m AccessModel,
    /// Joint device -> this model's device.
    local: Vec<Option<u32>>,
    /// This model's device -> joint device.
    joint: Vec<u32>,
    /// Per target used as a source, per family: the joint devices it holds (sorted).
    members: Vec<(u32, [Vec<u32>; 2])>,
    /// Then, per such target and family, its classes.
    target_bits: Vec<[Bits; 2]>,
    /// Per family, the classes whose devices have an address of it here.
    exists: [Bits; 2],
    /// Per gate: the classes it admits, and those it may admit.
    gate_bits: Vec<(Bits, Bits)>,
    /// Per rule and family, its (definite, maybe) classes, when they fit the memory budget.
    rule_bits: Vec<[(Bits, Bits); 2]>,
    /// `autogroup:self` rules by the identity target of their sources that may hold a device,
    /// and those whose sources are addresses or unresolvable (always asked).
    self_by_target: Vec<(u32, u32)>,
    self_always: Vec<u32>,
    /// For plain self rules (no posture, no via, no unknown field), the union of their ports by
    /// source target: a device held by the target is their source for sure.
    self_plain: Vec<(u32, ProtoPorts)>,
    /// The ports of every `autogroup:self` rule: boundaries of every device destination.
    self_ports: Vec<&'m ProtoPorts>,
    /// Per family, per device of this model: the ports of the self rules whose sources hold it
    /// definitely, and of those that may, each merged into one; computed once.
    self_of: [Vec<(ProtoPorts, ProtoPorts)>; 2],
}

/// How many 64-bit words of rule bitsets the diff keeps (64 MiB); beyond, they are computed
/// for each destination instead.
const RULE_BITS_BUDGET: usize = 8 << 20;

/// The sources and their classes.
struct Classes {
    /// Joint device -> class.
    of: Vec<u32>,
    /// Class -> joint devices.
    members: Vec<Vec<u32>>,
    words: usize,
}

/// A destination: an address, its route in each model, and the devices that never count as
/// its sources.
struct Dst {
    endpoint: Endpoint,
    family: usize,
    addr: [Option<Addr>; 2],
    route: [Option<Route>; 2],
    excluded: Vec<u32>,
}

/// One protocol's port segment: the classes each model admits (definite, maybe), and the four
/// changes between them (gained, lost, may gain, may lose).
struct Seg {
    family: usize,
    proto: u8,
    lo: u128,
    hi: u128,
    a: (Bits, Bits),
    b: (Bits, Bits),
    kinds: [Bits; 4],
}

const KINDS: [(Change, bool); 4] = [
    (Change::Gained, false),
    (Change::Lost, false),
    (Change::Gained, true),
    (Change::Lost, true),
];

/// A change before it is written: kind, classes, devices classified one by one (`plus`) and
/// devices taken out of the classes (`minus`), protocol, ports.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Raw {
    change: Change,
    maybe: bool,
    bits: Bits,
    plus: Vec<u32>,
    proto: String,
    ports: Ranges,
}

/// What `autogroup:self` adds for one destination device in each model: (rule, source device
/// (joint), definite).
type SelfPart = [Vec<(ProtoPorts, u32, bool)>; 2];

impl AccessModel {
    /// What `after` gains and loses compared with `before` (see the module's documentation).
    ///
    /// `Err` when a side's text does not parse: such a model answers everything
    /// `indeterminate`, and a diff against it would read as every rule added or removed. The
    /// issue is its parse error, under `before` or `after`, with its line and column.
    pub fn diff(
        before: &AccessModel,
        after: &AccessModel,
    ) -> Result<Vec<AccessChange>, Vec<Issue>> {
        let refused: Vec<Issue> = [("before", before), ("after", after)]
            .into_iter()
            .filter_map(|(side, m)| m.unparsed(side))
            .collect();
        if !refused.is_empty() {
            return Err(refused);
        }
        Ok(Self::changes_between(before, after))
    }

    fn changes_between(before: &AccessModel, after: &AccessModel) -> Vec<AccessChange> {
        // The joint device list, by nodeId.
        let mut ids: Vec<&str> = before
            .tailnet
            .devices
            .iter()
            .chain(&after.tailnet.devices)
            .map(|d| d.node_id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut sides = [side(before, &ids), side(after, &ids)];
        let classes = classes(&mut sides, ids.len());
        let words = classes.words;
        let needed: usize = sides.iter().map(|s| s.m.rules.len() * 4 * words).sum();
        if needed <= RULE_BITS_BUDGET {
            for side in &mut sides {
                side.rule_bits = side
                    .m
                    .rules
                    .iter()
                    .map(|r| {
                        [
                            rule_sources(side, r, V4, words),
                            rule_sources(side, r, V6, words),
                        ]
                    })
                    .collect();
            }
        }
        for side in &mut sides {
            side.self_of = self_sources(side);
        }
        let refs: Vec<DeviceRef> = (0..ids.len() as u32).map(|j| refs_of(&sides, j)).collect();
        // Each device's place in the answers' order (name, then nodeId).
        let mut order: Vec<u32> = (0..ids.len() as u32).collect();
        order.sort_by(|a, b| refs.get(*a as usize).cmp(&refs.get(*b as usize)));
        let mut rank = vec![0u32; ids.len()];
        for (r, j) in order.iter().enumerate() {
            if let Some(x) = rank.get_mut(*j as usize) {
                *x = r as u32;
            }
        }
        let ranks = Ranks { rank, order };

        let mut out: Vec<AccessChange> = Vec::new();
        // Device destinations, grouped by the selectors that hold them in both models.
        let mut per_device: Vec<(Vec<u8>, u32, usize)> = Vec::new();
        for j in 0..ids.len() as u32 {
            for f in [V4, V6] {
                if let Some(dst) = device_dst(&sides, j, f, &refs) {
                    per_device.push((signature(&sides, &dst), j, f));
                }
            }
        }
        per_device.sort_unstable();
        // Per (device, family): its group's changes, and what autogroup:self changes for it.
        let mut shared: Vec<Vec<Raw>> = Vec::new();
        let mut deltas: Vec<(Vec<u32>, Vec<Raw>)> = Vec::new();
        let mut by_device: Vec<(u32, usize, usize, Option<usize>)> =
            Vec::with_capacity(per_device.len());
        let mut k = 0;
        while let Some((sig, _, _)) = per_device.get(k) {
            let group: Vec<(u32, usize)> = per_device
                .iter()
                .skip(k)
                .take_while(|(s, _, _)| s == sig)
                .map(|(_, j, f)| (*j, *f))
                .collect();
            k += group.len();
            let Some(&(j0, f0)) = group.first() else {
                break;
            };
            let Some(first) = device_dst(&sides, j0, f0, &refs) else {
                continue;
            };
            let adm = [
                admission(&sides[0], 0, &first, &classes),
                admission(&sides[1], 1, &first, &classes),
            ];
            let equal = adm[0].rules == adm[1].rules;
            let mut segs: Option<Vec<Seg>> = (!equal).then(|| segments(&sides, &adm, f0, &classes));
            shared.push(segs.as_deref().map(changes).unwrap_or_default());
            let group_index = shared.len() - 1;
            for (j, f) in group {
                let Some(dst) = device_dst(&sides, j, f, &refs) else {
                    continue;
                };
                let part = self_part(&sides, &dst, j);
                if part.iter().all(Vec::is_empty) || (equal && part[0] == part[1]) {
                    by_device.push((j, f, group_index, None));
                    continue;
                }
                let s = segs.get_or_insert_with(|| segments(&sides, &adm, f, &classes));
                deltas.push(delta(s, &part, &classes));
                by_device.push((j, f, group_index, Some(deltas.len() - 1)));
            }
        }
        // Per device: each family's changes, then one change per device where both families
        // change alike.
        by_device.sort_unstable();
        let none: (Vec<u32>, Vec<Raw>) = (Vec::new(), Vec::new());
        let mut k = 0;
        while let Some(&(j, _, _, _)) = by_device.get(k) {
            let mine: Vec<(u32, usize, usize, Option<usize>)> = by_device
                .iter()
                .skip(k)
                .take_while(|x| x.0 == j)
                .copied()
                .collect();
            k += mine.len();
            let mut changes_of: [Vec<AccessChange>; 2] = [Vec::new(), Vec::new()];
            for (_, f, g, d) in mine {
                let address = [1usize, 0]
                    .iter()
                    .find_map(|s| sides.get(*s).and_then(|side| device_addr(side, j, f)));
                let endpoint = Endpoint::Address(address.map(|a| a.print()).unwrap_or_default());
                let (touched, extra) = d.and_then(|d| deltas.get(d)).unwrap_or(&none);
                let Some(list) = changes_of.get_mut(f) else {
                    continue;
                };
                for raw in shared.get(g).into_iter().flatten().chain(extra) {
                    emit(
                        list,
                        raw,
                        endpoint.clone(),
                        &classes,
                        &[j],
                        touched,
                        &refs,
                        &ranks,
                    );
                }
                *list = same_ports(std::mem::take(list));
            }
            let device = Endpoint::Device(refs.get(j as usize).cloned().unwrap_or_else(no_device));
            let [v4, v6] = changes_of;
            let mut used = vec![false; v6.len()];
            for mut c in v4 {
                let twin = v6.iter().enumerate().position(|(i, o)| {
                    !used.get(i).copied().unwrap_or(true)
                        && (o.change, &o.proto, &o.ports, o.indeterminate, &o.src)
                            == (c.change, &c.proto, &c.ports, c.indeterminate, &c.src)
                });
                if let Some(i) = twin {
                    if let Some(u) = used.get_mut(i) {
                        *u = true;
                    }
                    c.dst = device.clone();
                }
                out.push(c);
            }
            out.extend(v6.into_iter().zip(used).filter(|(_, u)| !u).map(|(c, _)| c));
        }
        // Address ranges behind routes and exit nodes.
        for dst in routed_dsts(&sides) {
            let adm = [
                admission(&sides[0], 0, &dst, &classes),
                admission(&sides[1], 1, &dst, &classes),
            ];
            if adm[0].rules == adm[1].rules {
                continue;
            }
            let segs = segments(&sides, &adm, dst.family, &classes);
            for raw in changes(&segs) {
                emit(
                    &mut out,
                    &raw,
                    dst.endpoint.clone(),
                    &classes,
                    &dst.excluded,
                    &[],
                    &refs,
                    &ranks,
                );
            }
        }
        // Sources last (AccessChange's order): changes rarely tie before them.
        out.sort();
        out
    }
}

fn no_device() -> DeviceRef {
    DeviceRef {
        node_id: String::new(),
        name: String::new(),
    }
}

/// A joint device as answers name it (from the second model when it has it).
fn refs_of(sides: &[Side<'_>; 2], j: u32) -> DeviceRef {
    let found = [1usize, 0].iter().find_map(|s| {
        let side = sides.get(*s)?;
        side.local
            .get(j as usize)
            .copied()
            .flatten()
            .map(|d| side.m.device_ref(d))
    });
    found.unwrap_or_else(no_device)
}

/// Devices in the order answers list them.
struct Ranks {
    rank: Vec<u32>,
    order: Vec<u32>,
}

fn side<'m>(m: &'m AccessModel, ids: &[&str]) -> Side<'m> {
    let local: Vec<Option<u32>> = ids.iter().map(|id| m.tailnet.by_node_id(id)).collect();
    let mut joint = vec![u32::MAX; m.tailnet.devices.len()];
    for (j, d) in local.iter().enumerate() {
        if let Some(slot) = d.and_then(|d| joint.get_mut(d as usize)) {
            *slot = j as u32;
        }
    }
    let mut used: Vec<u32> = m.rules.iter().flat_map(|r| r.src.iter().copied()).collect();
    used.sort_unstable();
    used.dedup();
    let to_joint = |d: u32| joint.get(d as usize).copied().filter(|j| *j != u32::MAX);
    let members = used
        .iter()
        .map(|&t| {
            let mut per = [Vec::new(), Vec::new()];
            if let Some(target) = m.target(t) {
                for f in [V4, V6] {
                    let Some(list) = per.get_mut(f) else { continue };
                    for &d in &target.devices {
                        if m.tailnet.has_family(d, f) {
                            list.extend(to_joint(d));
                        }
                    }
                    for &(lo, hi) in &target.addrs.family(f).0 {
                        list.extend(m.tailnet.in_range(f, lo, hi).filter_map(to_joint));
                    }
                    list.sort_unstable();
                    list.dedup();
                }
            }
            (t, per)
        })
        .collect();
    let (mut self_by_target, mut self_always, mut self_ports) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut self_plain: Vec<(u32, ProtoPorts)> = Vec::new();
    for (r, rule) in m.rules.iter().enumerate().filter(|(_, r)| r.self_dst) {
        let r = r as u32;
        self_ports.push(&rule.ports);
        let plain = rule.gate.is_none() && rule.via.is_empty() && rule.unknown.is_none();
        for t in rule
            .src
            .iter()
            .filter_map(|t| m.target(*t).map(|x| (*t, x)))
        {
            if !t.1.addrs.is_empty() || t.1.unknown.is_some() {
                self_always.push(r);
            } else if plain {
                self_plain.push((t.0, rule.ports.clone()));
            } else {
                self_by_target.push((t.0, r));
            }
        }
    }
    // One union of ports per target.
    self_plain.sort_by_key(|(t, _)| *t);
    let mut merged: Vec<(u32, ProtoPorts)> = Vec::new();
    for (t, pp) in self_plain {
        match merged.last_mut() {
            Some((last, have)) if *last == t => {
                have.add_all(&pp);
            }
            _ => merged.push((t, pp)),
        }
    }
    let self_plain = merged;
    self_by_target.sort_unstable();
    self_by_target.dedup();
    self_always.sort_unstable();
    self_always.dedup();
    Side {
        m,
        local,
        joint,
        members,
        target_bits: Vec::new(),
        exists: [Vec::new(), Vec::new()],
        gate_bits: Vec::new(),
        rule_bits: Vec::new(),
        self_by_target,
        self_always,
        self_plain,
        self_ports,
        self_of: [Vec::new(), Vec::new()],
    }
}

/// For every device, the `autogroup:self` rules whose sources hold it, per family: what it
/// adds toward each other device of its owner.
fn self_sources(side: &Side<'_>) -> [Vec<(ProtoPorts, ProtoPorts)>; 2] {
    let m = side.m;
    let mut out: [Vec<(ProtoPorts, ProtoPorts)>; 2] = [Vec::new(), Vec::new()];
    if side.self_by_target.is_empty() && side.self_always.is_empty() && side.self_plain.is_empty() {
        return out;
    }
    for f in [V4, V6] {
        let Some(list) = out.get_mut(f) else { continue };
        for (src, device) in m.tailnet.devices.iter().enumerate() {
            let src = src as u32;
            let (mut sure, mut maybe) = (ProtoPorts::default(), ProtoPorts::default());
            let addr = device.address(f).filter(|_| device.owner().is_some());
            if let Some(addr) = addr {
                let mut rules: Vec<u32> = side.self_always.clone();
                for t in m.targets_holding(src, addr) {
                    if let Ok(i) = side.self_plain.binary_search_by_key(&t, |(x, _)| *x) {
                        if let Some((_, pp)) = side.self_plain.get(i) {
                            sure.add_all(pp);
                        }
                    }
                    let start = side.self_by_target.partition_point(|(x, _)| *x < t);
                    rules.extend(
                        side.self_by_target
                            .iter()
                            .skip(start)
                            .take_while(|(x, _)| *x == t)
                            .map(|(_, r)| *r),
                    );
                }
                rules.sort_unstable();
                rules.dedup();
                let source = Source {
                    addr,
                    device: Some(src),
                };
                for r in rules {
                    let Some(rule) = m.rules.get(r as usize) else {
                        continue;
                    };
                    // Ports some rule already opens for sure add nothing: skip them unasked.
                    let covered = rule.ports.0.iter().all(|(p, ranges)| {
                        sure.ports(*p).is_some_and(|have| ranges.is_subset_of(have))
                    });
                    if covered {
                        continue;
                    }
                    // Toward any other device of the same owner: via and unknown fields aside,
                    // the destination part is a yes.
                    let dst = if rule.via.is_empty() {
                        Tri::Yes
                    } else {
                        Tri::Maybe(String::new())
                    };
                    let base = dst
                        .and(m.src_part(rule, &source))
                        .and(rule.unknown.clone().map_or(Tri::Yes, Tri::Maybe));
                    let into =
                        match AccessModel::with_posture(base, m.posture_outcome(rule, Some(src))) {
                            Some(super::model::Part::Admits) => &mut sure,
                            Some(_) => &mut maybe,
                            None => continue,
                        };
                    into.add_all(&rule.ports);
                }
            }
            list.push((sure, maybe));
        }
    }
    out
}

fn device_addr(side: &Side<'_>, j: u32, f: usize) -> Option<Addr> {
    let d = side.local.get(j as usize).copied().flatten()?;
    side.m.tailnet.device(d)?.address(f)
}

fn device_dst(sides: &[Side<'_>; 2], j: u32, f: usize, refs: &[DeviceRef]) -> Option<Dst> {
    let addr = [device_addr(&sides[0], j, f), device_addr(&sides[1], j, f)];
    if addr.iter().all(Option::is_none) {
        return None;
    }
    let route = |s: usize| -> Option<Route> {
        let side = sides.get(s)?;
        addr.get(s).copied().flatten()?;
        let d = side.local.get(j as usize).copied().flatten()?;
        let external = side.m.tailnet.device(d).is_some_and(|x| x.external);
        (!external).then_some(Route::Own(d))
    };
    Some(Dst {
        endpoint: Endpoint::Device(refs.get(j as usize).cloned()?),
        family: f,
        addr,
        route: [route(0), route(1)],
        excluded: vec![j],
    })
}

/// The address ranges either model routes to a subnet router or an exit node, cut where any
/// destination selector or route of either model starts or ends.
fn routed_dsts(sides: &[Side<'_>; 2]) -> Vec<Dst> {
    let mut out = Vec::new();
    for f in [V4, V6] {
        let mut sets: Vec<Ranges> = Vec::new();
        let mut space = Ranges::default();
        // Devices that never count as sources of routed destinations: routers (their own
        // subnets) and exit nodes (the internet).
        let mut routing: Vec<(u32, usize)> = Vec::new();
        for (s, side) in sides.iter().enumerate() {
            let t = &side.m.tailnet;
            space = space.union(t.routed.family(f));
            if t.exits.get(f).is_some_and(|e| !e.is_empty()) {
                let all = Ranges::single(0, super::addr::max_of(f));
                space = space.union(&all.subtract(tailnet_ranges().family(f)));
            }
            for target in &side.m.selectors.targets {
                sets.push(target.addrs.family(f).clone());
                sets.push(target.exit.family(f).clone());
            }
            for (p, _) in &t.routes {
                if p.family() == f {
                    let (lo, hi) = p.range();
                    sets.push(Ranges::single(lo, hi));
                }
            }
            for (i, d) in t.devices.iter().enumerate() {
                if d.is_exit_node(f) || d.offered().any(|r| !r.is_default() && r.family() == f) {
                    routing.push((i as u32, s));
                }
            }
        }
        sets.push(space.clone());
        let index = SegIndex::build(sets.iter().enumerate().map(|(i, r)| (i as u32, r)));
        let starts: Vec<u128> = index.segments().map(|(s, _)| s).collect();
        for (k, &lo) in starts.iter().enumerate() {
            let hi = starts.get(k + 1).map_or(super::addr::max_of(f), |n| n - 1);
            if !space.covers(lo, lo) {
                continue;
            }
            let a = Addr {
                family: f,
                bits: lo,
            };
            let route = |s: usize| -> Option<Route> {
                let side = sides.get(s)?;
                if side.m.tailnet.by_address(a).is_some() {
                    return None;
                }
                match side.m.route_from(None, a) {
                    r @ (Route::Subnet(_) | Route::Exit) => Some(r),
                    _ => None,
                }
            };
            let route = [route(0), route(1)];
            if route.iter().all(Option::is_none) {
                continue;
            }
            let exit = route.contains(&Some(Route::Exit));
            let mut excluded = Vec::new();
            for &(i, s) in &routing {
                let Some(side) = sides.get(s) else { continue };
                let Some(d) = side.m.tailnet.device(i) else {
                    continue;
                };
                let offers = d.offered().any(|r| !r.is_default() && r.contains(a));
                if offers || (exit && d.is_exit_node(f)) {
                    excluded.extend(side.joint.get(i as usize).filter(|j| **j != u32::MAX));
                }
            }
            out.push(Dst {
                endpoint: Endpoint::Address(print_range(f, lo, hi)),
                family: f,
                addr: [Some(a), Some(a)],
                route,
                excluded,
            });
        }
    }
    out
}

/// What decides a device destination in both models besides `autogroup:self`: its family and
/// the targets that hold it (they decide every rule's destination part for it).
fn signature(sides: &[Side<'_>; 2], dst: &Dst) -> Vec<u8> {
    let mut sig = vec![dst.family as u8];
    for (s, side) in sides.iter().enumerate() {
        sig.push(0xff);
        let (Some(Some(a)), Some(Some(Route::Own(d)))) = (dst.addr.get(s), dst.route.get(s)) else {
            continue;
        };
        for t in side.m.targets_holding(*d, *a) {
            sig.extend_from_slice(&t.to_le_bytes());
        }
    }
    sig
}

/// What `autogroup:self` adds for a destination device: in each model, each of its owner's
/// other devices that a self rule's sources hold, with that rule's ports.
fn self_part(sides: &[Side<'_>; 2], dst: &Dst, j: u32) -> SelfPart {
    let mut out: SelfPart = [Vec::new(), Vec::new()];
    for (s, side) in sides.iter().enumerate() {
        let Some(Some(Route::Own(d))) = dst.route.get(s) else {
            continue;
        };
        let m = side.m;
        let Some(owner) = m.tailnet.device(*d).and_then(|x| x.owner()) else {
            continue;
        };
        let Some(list) = out.get_mut(s) else { continue };
        let per = side
            .self_of
            .get(dst.family)
            .map_or(&[][..], |v| v.as_slice());
        for src in m.tailnet.owned_by(owner) {
            let Some(sj) = side
                .joint
                .get(src as usize)
                .copied()
                .filter(|x| *x != j && *x != u32::MAX)
            else {
                continue;
            };
            if let Some((sure, maybe)) = per.get(src as usize) {
                for (ports, definite) in [(sure, true), (maybe, false)] {
                    if !ports.is_empty() {
                        list.push((ports.clone(), sj, definite));
                    }
                }
            }
        }
    }
    out
}

/// Splits the classes so that `members` (joint devices) is a union of classes.
fn refine(
    of: &mut [u32],
    sizes: &mut Vec<u32>,
    members: &[u32],
    count: &mut Vec<u32>,
    remap: &mut Vec<u32>,
) {
    let mut touched: Vec<u32> = Vec::new();
    for &j in members {
        let Some(&c) = of.get(j as usize) else {
            continue;
        };
        if let Some(n) = count.get_mut(c as usize) {
            if *n == 0 {
                touched.push(c);
            }
            *n += 1;
        }
    }
    for &c in &touched {
        let n = count.get(c as usize).copied().unwrap_or(0);
        let size = sizes.get(c as usize).copied().unwrap_or(0);
        let to = if n < size {
            sizes.push(n);
            count.push(0);
            remap.push(u32::MAX);
            if let Some(s) = sizes.get_mut(c as usize) {
                *s -= n;
            }
            sizes.len() as u32 - 1
        } else {
            c
        };
        if let Some(r) = remap.get_mut(c as usize) {
            *r = to;
        }
    }
    for &j in members {
        if let Some(c) = of.get_mut(j as usize) {
            if let Some(&to) = remap.get(*c as usize) {
                *c = to;
            }
        }
    }
    for &c in &touched {
        if let Some(n) = count.get_mut(c as usize) {
            *n = 0;
        }
        if let Some(r) = remap.get_mut(c as usize) {
            *r = u32::MAX;
        }
    }
}

/// Devices no rule of either model tells apart share a class: same membership in every
/// source target (per family), same address families, same outcome of every gate. Partition
/// refinement, one pass per feature.
impl Side<'_> {
    /// The joint devices that have an address of family `f` under this model.
    fn with_family(&self, f: usize) -> Vec<u32> {
        let has = |d: &Option<u32>| d.is_some_and(|d| self.m.tailnet.has_family(d, f));
        (0..self.local.len() as u32)
            .filter(|j| self.local.get(*j as usize).is_some_and(has))
            .collect()
    }
}

fn classes(sides: &mut [Side<'_>; 2], n: usize) -> Classes {
    let mut of = vec![0u32; n];
    let mut sizes = vec![n as u32];
    let (mut count, mut remap) = (vec![0u32], vec![u32::MAX]);
    for side in sides.iter() {
        let mut split =
            |members: &[u32]| refine(&mut of, &mut sizes, members, &mut count, &mut remap);
        for (_, per) in &side.members {
            for list in per {
                split(list);
            }
        }
        for f in [V4, V6] {
            split(&side.with_family(f));
        }
        for g in 0..side.m.gates.lists.len() as u32 {
            for value in [
                NO,
                super::postures::NO_ATTRIBUTES,
                super::postures::UNDEFINED,
                super::postures::SERVER_ATTRIBUTE,
            ] {
                let list: Vec<u32> = side
                    .local
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| {
                        d.and_then(|d| {
                            side.m
                                .tailnet
                                .device(d)
                                .map(|x| side.m.gates.outcome(g, d, x.external))
                        }) == Some(value)
                    })
                    .map(|(j, _)| j as u32)
                    .collect();
                split(&list);
            }
        }
    }
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); sizes.len()];
    for (j, c) in of.iter().enumerate() {
        if let Some(m) = members.get_mut(*c as usize) {
            m.push(j as u32);
        }
    }
    let words = members.len().div_ceil(64).max(1);
    // Each source target's classes, each gate's, and who has an address of each family.
    for side in sides.iter_mut() {
        let class_bits = |list: &[u32]| {
            let mut b = vec![0; words];
            for j in list {
                if let Some(c) = of.get(*j as usize) {
                    set_bit(&mut b, *c as usize);
                }
            }
            b
        };
        side.target_bits = side
            .members
            .iter()
            .map(|(_, [a, b])| [class_bits(a), class_bits(b)])
            .collect();
        for f in [V4, V6] {
            let list = side.with_family(f);
            if let Some(slot) = side.exists.get_mut(f) {
                *slot = class_bits(&list);
            }
        }
        side.gate_bits = (0..side.m.gates.lists.len() as u32)
            .map(|g| {
                let (mut yes, mut maybe) = (Vec::new(), Vec::new());
                for (j, d) in side.local.iter().enumerate() {
                    let Some((d, x)) = d.and_then(|d| side.m.tailnet.device(d).map(|x| (d, x)))
                    else {
                        continue;
                    };
                    match side.m.gates.outcome(g, d, x.external) {
                        YES => yes.push(j as u32),
                        NO => {}
                        _ => maybe.push(j as u32),
                    }
                }
                (class_bits(&yes), class_bits(&maybe))
            })
            .collect();
    }
    Classes { of, members, words }
}

/// A rule's sources for a family: the classes it admits, and those it may admit.
fn rule_sources(side: &Side<'_>, rule: &Rule, f: usize, words: usize) -> (Bits, Bits) {
    let mut src = vec![0; words];
    let mut unknown = false;
    for t in &rule.src {
        if let Ok(i) = side.members.binary_search_by_key(t, |(x, _)| *x) {
            if let Some(b) = side.target_bits.get(i).and_then(|b| b.get(f)) {
                or_into(&mut src, b);
            }
        }
        unknown |= side
            .m
            .target(*t)
            .and_then(|x| x.unknown.as_ref())
            .is_some_and(|u| !u.unlisted_only);
    }
    let exists = side
        .exists
        .get(f)
        .cloned()
        .unwrap_or_else(|| vec![0; words]);
    let (yes, may) = match rule.gate.and_then(|g| side.gate_bits.get(g as usize)) {
        Some((yes, maybe)) => (yes.clone(), maybe.clone()),
        None => (exists.clone(), vec![0; words]),
    };
    let src = and(&src, &exists);
    let def = and(&src, &yes);
    let mut maybe = and(&src, &may);
    if unknown {
        or_into(&mut maybe, &and(&exists, &or(&yes, &may)));
    }
    let maybe = and_not(&maybe, &def);
    (def, maybe)
}

/// The classes a destination's candidate rules admit in one model (`autogroup:self` aside):
/// each rule's ports with the classes it definitely admits and those it may.
struct Admission<'m> {
    rules: Vec<(&'m ProtoPorts, Bits, Bits)>,
}

fn admission<'m>(side: &Side<'m>, s: usize, dst: &Dst, classes: &Classes) -> Admission<'m> {
    let mut out = Admission { rules: Vec::new() };
    let (Some(Some(a)), Some(Some(route))) = (dst.addr.get(s), dst.route.get(s)) else {
        return out;
    };
    let (f, words) = (dst.family, classes.words);
    for r in side.m.candidates(*a, route, false) {
        let Some(rule) = side.m.rules.get(r as usize) else {
            continue;
        };
        let tri = side.m.dst_part(rule, *a, route, None);
        if tri == Tri::No {
            continue;
        }
        let computed;
        let (src_def, src_maybe) = match side.rule_bits.get(r as usize).and_then(|b| b.get(f)) {
            Some((d, m)) => (d, m),
            None => {
                computed = rule_sources(side, rule, f, words);
                (&computed.0, &computed.1)
            }
        };
        let (def, maybe) = match tri {
            Tri::Yes if rule.unknown.is_none() => (src_def.clone(), src_maybe.clone()),
            _ => (vec![0; words], or(src_def, src_maybe)),
        };
        if !is_zero(&def) || !is_zero(&maybe) {
            out.rules.push((&rule.ports, def, maybe));
        }
    }
    out
}

/// Whether a rule's ports take a packet of `proto` on a segment starting at `lo`.
fn takes(ports: &ProtoPorts, proto: u8, lo: u128, family: usize) -> bool {
    if proto == echo_of(family) {
        !ports.is_empty()
    } else {
        ports.admits(proto, has_ports(proto).then_some(lo as u16), family)
    }
}

/// Every protocol's port segments, cut where any rule of either model (self rules included)
/// starts or ends a range, with what each model admits there.
fn segments(
    sides: &[Side<'_>; 2],
    adm: &[Admission<'_>; 2],
    f: usize,
    classes: &Classes,
) -> Vec<Seg> {
    let echo = echo_of(f);
    let all_ports: Vec<&ProtoPorts> = adm
        .iter()
        .flat_map(|a| a.rules.iter().map(|(p, _, _)| *p))
        .chain(sides.iter().flat_map(|s| s.self_ports.iter().copied()))
        .collect();
    let mut protos: Vec<u8> = all_ports
        .iter()
        .flat_map(|p| p.0.iter().map(|(q, _)| *q))
        .collect();
    protos.push(echo);
    // ICMP of the other family toward this address is no packet anyone sends.
    let other_echo = echo_of(1 - f.min(1));
    protos.retain(|p| *p != other_echo);
    protos.sort_unstable();
    protos.dedup();
    let words = classes.words;
    let mut out = Vec::new();
    for proto in protos {
        let mut cuts: Vec<u128> = vec![0];
        if has_ports(proto) {
            for pp in &all_ports {
                for &(lo, hi) in pp.ports(proto).map_or(&[][..], |r| r.0.as_slice()) {
                    cuts.push(lo);
                    if hi < MAX_PORT {
                        cuts.push(hi + 1);
                    }
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for (k, &lo) in cuts.iter().enumerate() {
            let hi = cuts.get(k + 1).map_or(MAX_PORT, |n| n - 1);
            let union = |a: &Admission<'_>| {
                let (mut def, mut maybe) = (vec![0; words], vec![0; words]);
                for (pp, d, m) in &a.rules {
                    if takes(pp, proto, lo, f) {
                        or_into(&mut def, d);
                        or_into(&mut maybe, m);
                    }
                }
                let maybe = and_not(&maybe, &def);
                (def, maybe)
            };
            let (a, b) = (union(&adm[0]), union(&adm[1]));
            let a_any = or(&a.0, &a.1);
            let b_any = or(&b.0, &b.1);
            let kinds = [
                and_not(&b.0, &a_any),
                and_not(&a.0, &b_any),
                or(&and_not(&b.1, &a_any), &and(&b.0, &a.1)),
                or(&and_not(&a.1, &b_any), &and(&a.0, &b.1)),
            ];
            out.push(Seg {
                family: f,
                proto,
                lo,
                hi,
                a,
                b,
                kinds,
            });
        }
    }
    out
}

/// The changes of a destination from its segments (classes only); the same sources on several
/// segments become one change.
fn changes(segs: &[Seg]) -> Vec<Raw> {
    let mut raws: Vec<Raw> = Vec::new();
    for seg in segs {
        let name = proto_label(seg);
        for (i, (change, maybe)) in KINDS.iter().enumerate() {
            let Some(bits) = seg.kinds.get(i).filter(|b| !is_zero(b)) else {
                continue;
            };
            raws.push(Raw {
                change: *change,
                maybe: *maybe,
                bits: bits.clone(),
                plus: Vec::new(),
                proto: name.clone(),
                ports: Ranges::single(seg.lo, seg.hi),
            });
        }
    }
    merge(raws)
}

/// What `autogroup:self` changes for one destination device: its owner's devices, each
/// classified by both models over every segment (they are then taken out of the classes).
fn delta(segs: &[Seg], part: &SelfPart, classes: &Classes) -> (Vec<u32>, Vec<Raw>) {
    let mut touched: Vec<u32> = part.iter().flatten().map(|(_, j, _)| *j).collect();
    touched.sort_unstable();
    touched.dedup();
    let mut raws: Vec<Raw> = Vec::new();
    for seg in segs {
        let mut plus: [Vec<u32>; 4] = Default::default();
        for &t in &touched {
            let class = classes.of.get(t as usize).copied().unwrap_or(0) as usize;
            // Each model's answer for this device: 2 definite, 1 maybe, 0 no.
            let status = |m: usize, (def, maybe): &(Bits, Bits)| -> u8 {
                let by_self = part.get(m).map_or(0, |list| {
                    list.iter()
                        .filter(|(pp, j, _)| *j == t && takes(pp, seg.proto, seg.lo, seg.family))
                        .map(|(_, _, sure)| if *sure { 2 } else { 1 })
                        .max()
                        .unwrap_or(0)
                });
                let by_class = if bit(def, class) {
                    2
                } else {
                    u8::from(bit(maybe, class))
                };
                by_self.max(by_class)
            };
            let kind = match (status(0, &seg.a), status(1, &seg.b)) {
                (0, 2) => Some(0),
                (2, 0) => Some(1),
                (0, 1) | (1, 2) => Some(2),
                (1, 0) | (2, 1) => Some(3),
                _ => None,
            };
            if let Some(list) = kind.and_then(|k| plus.get_mut(k)) {
                list.push(t);
            }
        }
        for (i, (change, maybe)) in KINDS.iter().enumerate() {
            let Some(plus) = plus.get(i).filter(|p| !p.is_empty()) else {
                continue;
            };
            raws.push(Raw {
                change: *change,
                maybe: *maybe,
                bits: Vec::new(),
                plus: plus.clone(),
                proto: proto_label(seg),
                ports: Ranges::single(seg.lo, seg.hi),
            });
        }
    }
    (touched, merge(raws))
}

fn proto_label(seg: &Seg) -> String {
    if seg.proto == echo_of(seg.family) {
        "icmp".to_owned()
    } else {
        proto_name(seg.proto)
    }
}

/// Changes with the same kind, sources and protocol become one, listing their ports.
fn merge(mut raws: Vec<Raw>) -> Vec<Raw> {
    raws.sort_by(|a, b| {
        (a.change, a.maybe, &a.bits, &a.plus, &a.proto)
            .cmp(&(b.change, b.maybe, &b.bits, &b.plus, &b.proto))
    });
    let mut merged: Vec<Raw> = Vec::new();
    for raw in raws {
        match merged.last_mut() {
            Some(last)
                if last.change == raw.change
                    && last.maybe == raw.maybe
                    && last.bits == raw.bits
                    && last.plus == raw.plus
                    && last.proto == raw.proto =>
            {
                last.ports = last.ports.union(&raw.ports);
            }
            _ => merged.push(raw),
        }
    }
    merged
}

#[allow(clippy::too_many_arguments)]
fn emit(
    out: &mut Vec<AccessChange>,
    raw: &Raw,
    dst: Endpoint,
    classes: &Classes,
    excluded: &[u32],
    minus: &[u32],
    refs: &[DeviceRef],
    ranks: &Ranks,
) {
    let mut picked: Vec<u32> = Vec::new();
    for c in ones(&raw.bits) {
        for j in classes.members.get(c).map_or(&[][..], |m| m.as_slice()) {
            if !excluded.contains(j) && minus.binary_search(j).is_err() {
                picked.extend(ranks.rank.get(*j as usize));
            }
        }
    }
    for j in &raw.plus {
        if !excluded.contains(j) {
            picked.extend(ranks.rank.get(*j as usize));
        }
    }
    if picked.is_empty() {
        return;
    }
    picked.sort_unstable();
    picked.dedup();
    let src: Vec<DeviceRef> = picked
        .iter()
        .filter_map(|r| ranks.order.get(*r as usize))
        .filter_map(|j| refs.get(*j as usize))
        .cloned()
        .collect();
    let port_less =
        raw.proto == "icmp" || !has_ports(super::ports::proto_number(&raw.proto).unwrap_or(0));
    out.push(AccessChange {
        change: raw.change,
        src,
        dst,
        proto: raw.proto.clone(),
        ports: if port_less {
            "*".into()
        } else {
            print_ports(&raw.ports)
        },
        indeterminate: raw.maybe,
    });
}

/// Changes of one destination with the same kind, protocol and ports: one change listing all
/// their sources (a class-level change and the owner's devices of autogroup:self can meet).
fn same_ports(mut list: Vec<AccessChange>) -> Vec<AccessChange> {
    list.sort_by(|a, b| {
        (a.change, &a.proto, &a.ports, a.indeterminate).cmp(&(
            b.change,
            &b.proto,
            &b.ports,
            b.indeterminate,
        ))
    });
    let mut out: Vec<AccessChange> = Vec::new();
    for c in list {
        match out.last_mut() {
            Some(last)
                if last.change == c.change
                    && last.proto == c.proto
                    && last.ports == c.ports
                    && last.indeterminate == c.indeterminate =>
            {
                last.src.extend(c.src);
                last.src.sort();
                last.src.dedup();
            }
            _ => out.push(c),
        }
    }
    out
}
