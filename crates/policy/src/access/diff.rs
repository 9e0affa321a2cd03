//! `AccessModel.diff(before, after)`: what the second model gains and loses, exact over port
//! ranges, computed with sets.
//!
//! - **Sources** are the devices of either model (matched by `nodeId`), partitioned into
//!   classes no rule tells apart: same membership in every source selector, same posture
//!   outcome for every gate, same owner where `autogroup:self` is used. Each rule's sources are
//!   then a bitset of classes, per address family.
//! - **Destinations** are each device's address of each family, plus the address ranges that
//!   approved subnet routes and exit nodes reach (cut at every boundary either policy names).
//!   Devices whose candidate rules are the same in both models share one computation.
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
use super::ports::{echo_of, has_ports, print_ports, proto_name, MAX_PORT};
use super::postures::{NO, YES};
use super::rules::Rule;
use super::tailnet::SegIndex;

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

/// One side of the comparison.
struct Side<'m> {
    m: &'m AccessModel,
    /// Joint device -> this model's device.
    local: Vec<Option<u32>>,
    /// This model's device -> joint device.
    joint: Vec<u32>,
    /// The targets some rule has as a source: all that tells sources apart.
    src_targets: Vec<u32>,
    /// Per rule, per family: (definite, maybe) source classes.
    sources: Vec<[(Bits, Bits); 2]>,
}

/// The sources and their classes.
struct Classes {
    /// Joint device -> class.
    of: Vec<u32>,
    /// Class -> joint devices.
    members: Vec<Vec<u32>>,
    /// Class -> owner login (when `autogroup:self` splits classes by owner).
    owner: Vec<Option<String>>,
    words: usize,
}

/// A destination: an address, its route in each model, and the devices that never count as
/// its sources.
struct Dst {
    endpoint: Endpoint,
    /// The joint device it is, if any.
    device: Option<u32>,
    family: usize,
    addr: [Option<Addr>; 2],
    route: [Option<Route>; 2],
    excluded: Vec<u32>,
}

/// Gained or lost, definite or maybe, a class bitset, a protocol, ports.
type Raw = (Change, bool, Bits, String, Ranges);

impl AccessModel {
    /// What `after` gains and loses compared with `before` (see the module's documentation).
    pub fn diff(before: &AccessModel, after: &AccessModel) -> Vec<AccessChange> {
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
        fn side<'m>(m: &'m AccessModel, ids: &[&str]) -> Side<'m> {
            let local: Vec<Option<u32>> = ids.iter().map(|id| m.tailnet.by_node_id(id)).collect();
            let mut joint = vec![u32::MAX; m.tailnet.devices.len()];
            for (j, d) in local.iter().enumerate() {
                if let Some(slot) = d.and_then(|d| joint.get_mut(d as usize)) {
                    *slot = j as u32;
                }
            }
            let mut src_targets: Vec<u32> =
                m.rules.iter().flat_map(|r| r.src.iter().copied()).collect();
            src_targets.sort_unstable();
            src_targets.dedup();
            Side {
                m,
                local,
                joint,
                src_targets,
                sources: Vec::new(),
            }
        }
        let mut sides = [side(before, &ids), side(after, &ids)];
        let classes = classes(&sides, ids.len());
        for side in &mut sides {
            side.sources = side
                .m
                .rules
                .iter()
                .map(|r| rule_sources(side, r, &classes))
                .collect();
        }
        let refs: Vec<DeviceRef> = (0..ids.len())
            .map(|j| {
                let (m, d) = match (
                    sides[1].local.get(j).copied().flatten(),
                    sides[0].local.get(j).copied().flatten(),
                ) {
                    (Some(d), _) => (after, d),
                    (None, Some(d)) => (before, d),
                    _ => (after, u32::MAX),
                };
                m.device_ref(d)
            })
            .collect();

        let mut out: Vec<AccessChange> = Vec::new();
        // Device destinations, grouped by what decides them in both models.
        let mut per_device: Vec<(Vec<u8>, u32, usize)> = Vec::new();
        for j in 0..ids.len() as u32 {
            for f in [V4, V6] {
                let dst = device_dst(&sides, j, f, &refs);
                let Some(dst) = dst else { continue };
                per_device.push((signature(&sides, &dst, &classes), j, f));
            }
        }
        per_device.sort();
        let mut by_device: Vec<(u32, usize, Vec<Raw>)> = Vec::new();
        let mut i = 0;
        while let Some((sig, j, f)) = per_device.get(i) {
            let dst = device_dst(&sides, *j, *f, &refs);
            let raws = dst
                .map(|d| compare(&sides, &d, &classes))
                .unwrap_or_default();
            while let Some((sig2, j2, f2)) = per_device.get(i) {
                if sig2 != sig {
                    break;
                }
                by_device.push((*j2, *f2, raws.clone()));
                i += 1;
            }
        }
        // One change per device when both families agree; per address otherwise.
        by_device.sort_by_key(|(j, f, _)| (*j, *f));
        let mut k = 0;
        while let Some((j, _, _)) = by_device.get(k) {
            let j = *j;
            let group: Vec<&(u32, usize, Vec<Raw>)> = by_device
                .iter()
                .skip(k)
                .take_while(|(x, _, _)| *x == j)
                .collect();
            k += group.len();
            let both = group.len() == 2;
            for (_, f, raws) in &group {
                for raw in raws {
                    let shared = both
                        && group
                            .iter()
                            .any(|(_, g, other)| g != f && other.iter().any(|o| o == raw));
                    if shared && *f == V6 {
                        continue;
                    }
                    let endpoint = if shared {
                        Endpoint::Device(refs.get(j as usize).cloned().unwrap_or_else(|| {
                            DeviceRef {
                                node_id: String::new(),
                                name: String::new(),
                            }
                        }))
                    } else {
                        let addr = [1, 0].iter().find_map(|s: &usize| {
                            sides.get(*s).and_then(|side| device_addr(side, j, *f))
                        });
                        Endpoint::Address(addr.map(|a| a.print()).unwrap_or_default())
                    };
                    emit(&mut out, raw, endpoint, &classes, &[j], &refs);
                }
            }
        }
        // Address ranges behind routes and exit nodes.
        for dst in routed_dsts(&sides) {
            for raw in compare(&sides, &dst, &classes) {
                emit(
                    &mut out,
                    &raw,
                    dst.endpoint.clone(),
                    &classes,
                    &dst.excluded,
                    &refs,
                );
            }
        }
        out.sort();
        out
    }
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
        let a = addr.get(s).copied().flatten()?;
        let d = side.local.get(j as usize).copied().flatten()?;
        let external = side.m.tailnet.device(d).is_some_and(|x| x.external);
        (!external).then_some(Route::Own(d))
    };
    Some(Dst {
        endpoint: Endpoint::Device(refs.get(j as usize).cloned()?),
        device: Some(j),
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
        for side in sides.iter() {
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
            let mut excluded = Vec::new();
            for side in sides.iter() {
                for (i, d) in side.m.tailnet.devices.iter().enumerate() {
                    let offers = d.offered().any(|r| !r.is_default() && r.contains(a));
                    let exit = d.is_exit_node(f) && route.iter().any(|r| *r == Some(Route::Exit));
                    if offers || exit {
                        if let Some(j) = side.joint.get(i).filter(|j| **j != u32::MAX) {
                            excluded.push(*j);
                        }
                    }
                }
            }
            out.push(Dst {
                endpoint: Endpoint::Address(print_range(f, lo, hi)),
                device: None,
                family: f,
                addr: [Some(a), Some(a)],
                route,
                excluded,
            });
        }
    }
    out
}

/// What decides a device destination in both models: its candidate rules with their
/// destination answer, and its owner when `autogroup:self` rules are among them.
fn signature(sides: &[Side<'_>; 2], dst: &Dst, classes: &Classes) -> Vec<u8> {
    let mut sig = vec![dst.family as u8];
    for (s, side) in sides.iter().enumerate() {
        sig.push(0xff);
        let (Some(Some(a)), Some(Some(route))) = (dst.addr.get(s), dst.route.get(s)) else {
            continue;
        };
        for r in side.m.candidates(*a, route) {
            let Some(rule) = side.m.rules.get(r as usize) else {
                continue;
            };
            let tri = side.m.dst_part(rule, *a, route, None);
            if tri != Tri::No || rule.self_dst {
                sig.extend_from_slice(&r.to_le_bytes());
                sig.push(match tri {
                    Tri::Yes => 1,
                    Tri::No => 0,
                    Tri::Maybe(_) => 2,
                });
            }
            if rule.self_dst {
                if let Route::Own(d) = route {
                    let owner = side
                        .m
                        .tailnet
                        .device(*d)
                        .and_then(|x| x.owner())
                        .unwrap_or("");
                    sig.extend_from_slice(owner.as_bytes());
                    sig.push(0);
                }
            }
        }
    }
    let _ = classes;
    sig
}

/// Per rule and family: the classes it definitely admits, and those it may admit.
fn rule_sources(side: &Side<'_>, rule: &Rule, classes: &Classes) -> [(Bits, Bits); 2] {
    let mut out = [
        (vec![0; classes.words], vec![0; classes.words]),
        (vec![0; classes.words], vec![0; classes.words]),
    ];
    for (c, members) in classes.members.iter().enumerate() {
        let Some(&j) = members.first() else { continue };
        let Some(d) = side.local.get(j as usize).copied().flatten() else {
            continue;
        };
        let Some(device) = side.m.tailnet.device(d) else {
            continue;
        };
        for f in [V4, V6] {
            let Some(addr) = device.address(f) else {
                continue;
            };
            let src = side.m.src_part(
                rule,
                &Source {
                    addr,
                    device: Some(d),
                },
            );
            if src == Tri::No {
                continue;
            }
            let (posture, outcome) = side.m.posture_part(rule, Some(d));
            if outcome == NO {
                continue;
            }
            let Some((def, maybe)) = out.get_mut(f) else {
                continue;
            };
            if src == Tri::Yes && posture == Tri::Yes && outcome == YES {
                set_bit(def, c);
            } else {
                set_bit(maybe, c);
            }
        }
    }
    out
}

/// Devices that no rule of either model tells apart share a class. The signature: each
/// device's answer from every rule of both models for each family, and its owner when
/// `autogroup:self` is used.
fn classes(sides: &[Side<'_>; 2], n: usize) -> Classes {
    let uses_self = sides.iter().any(|s| s.m.rules.iter().any(|r| r.self_dst));
    let mut rows: Vec<(Vec<u8>, u32)> = Vec::with_capacity(n);
    for j in 0..n as u32 {
        let mut row = Vec::new();
        for side in sides.iter() {
            let device = side
                .local
                .get(j as usize)
                .copied()
                .flatten()
                .and_then(|d| side.m.tailnet.device(d).map(|x| (d, x)));
            let Some((d, device)) = device else {
                row.push(0xfe);
                continue;
            };
            // One byte per source target and family, then one per gate.
            for target in side.src_targets.iter().filter_map(|t| side.m.target(*t)) {
                let mut b = 0u8;
                for f in [V4, V6] {
                    if let Some(addr) = device.address(f) {
                        b |= 1 << (f * 2);
                        if target.devices.binary_search(&d).is_ok() || target.addrs.contains(addr) {
                            b |= 2 << (f * 2);
                        }
                    }
                }
                row.push(b);
            }
            for g in 0..side.m.gates.lists.len() as u32 {
                row.push(side.m.gates.outcome(g, d, device.external));
            }
            if uses_self {
                row.extend_from_slice(device.owner().unwrap_or("").as_bytes());
                row.push(0);
            }
        }
        rows.push((row, j));
    }
    rows.sort();
    let mut of = vec![0u32; n];
    let mut members: Vec<Vec<u32>> = Vec::new();
    let mut owner: Vec<Option<String>> = Vec::new();
    let mut prev: Option<&Vec<u8>> = None;
    for (row, j) in &rows {
        if prev != Some(row) {
            members.push(Vec::new());
            let o = sides.iter().find_map(|s| {
                let d = s.local.get(*j as usize).copied().flatten()?;
                s.m.tailnet.device(d)?.owner().map(str::to_owned)
            });
            owner.push(o);
            prev = Some(row);
        }
        if let Some(m) = members.last_mut() {
            m.push(*j);
        }
        if let Some(slot) = of.get_mut(*j as usize) {
            *slot = members.len() as u32 - 1;
        }
    }
    let words = members.len().div_ceil(64).max(1);
    Classes {
        of,
        members,
        owner,
        words,
    }
}

/// The classes a destination's candidate rules admit, per protocol and port segment, in one
/// model: (definite, maybe) for each rule with its ports.
struct Admission {
    /// (rule ports, definite, maybe).
    rules: Vec<(super::ports::ProtoPorts, Bits, Bits)>,
}

fn admission(side: &Side<'_>, s: usize, dst: &Dst, classes: &Classes) -> Admission {
    let mut out = Admission { rules: Vec::new() };
    let (Some(Some(a)), Some(Some(route))) = (dst.addr.get(s), dst.route.get(s)) else {
        return out;
    };
    let f = dst.family;
    for r in side.m.candidates(*a, route) {
        let Some(rule) = side.m.rules.get(r as usize) else {
            continue;
        };
        let Some(sources) = side.sources.get(r as usize).and_then(|x| x.get(f)) else {
            continue;
        };
        let tri = side.m.dst_part(rule, *a, route, None);
        let sure = rule.unknown.is_none();
        let (mut def, mut maybe) = match tri {
            Tri::Yes if sure => (sources.0.clone(), sources.1.clone()),
            Tri::No => (vec![0; classes.words], vec![0; classes.words]),
            _ => (vec![0; classes.words], or(&sources.0, &sources.1)),
        };
        if rule.self_dst {
            // autogroup:self: the destination's owner's classes among the rule's sources.
            if let Route::Own(d) = route {
                if let Some(owner) = side.m.tailnet.device(*d).and_then(|x| x.owner()) {
                    let mut mask = vec![0; classes.words];
                    for (c, o) in classes.owner.iter().enumerate() {
                        if o.as_deref() == Some(owner) {
                            set_bit(&mut mask, c);
                        }
                    }
                    if sure {
                        or_into(&mut def, &and(&sources.0, &mask));
                        or_into(&mut maybe, &and(&sources.1, &mask));
                    } else {
                        or_into(&mut maybe, &and(&or(&sources.0, &sources.1), &mask));
                    }
                }
            }
        }
        if !is_zero(&def) || !is_zero(&maybe) {
            out.rules.push((rule.ports.clone(), def, maybe));
        }
    }
    out
}

/// Every change for one destination, by protocol and port segment.
fn compare(sides: &[Side<'_>; 2], dst: &Dst, classes: &Classes) -> Vec<Raw> {
    let adm = [
        admission(&sides[0], 0, dst, classes),
        admission(&sides[1], 1, dst, classes),
    ];
    let f = dst.family;
    let echo = echo_of(f);
    let mut protos: Vec<u8> = adm
        .iter()
        .flat_map(|a| {
            a.rules
                .iter()
                .flat_map(|(p, _, _)| p.0.iter().map(|(q, _)| *q))
        })
        .collect();
    protos.push(echo);
    protos.sort_unstable();
    protos.dedup();
    let mut raws: Vec<Raw> = Vec::new();
    for proto in protos {
        // Cut points: every boundary of this protocol's ports in either model.
        let mut cuts: Vec<u128> = vec![0];
        if has_ports(proto) {
            for a in &adm {
                for (pp, _, _) in &a.rules {
                    for &(lo, hi) in pp.ports(proto).map_or(&[][..], |r| r.0.as_slice()) {
                        cuts.push(lo);
                        if hi < MAX_PORT {
                            cuts.push(hi + 1);
                        }
                    }
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for (k, &lo) in cuts.iter().enumerate() {
            let hi = cuts.get(k + 1).map_or(MAX_PORT, |n| n - 1);
            let port = (has_ports(proto)).then_some(lo as u16);
            let union = |a: &Admission| {
                let (mut def, mut maybe) = (vec![0; classes.words], vec![0; classes.words]);
                for (pp, d, m) in &a.rules {
                    let admits = if proto == echo {
                        !pp.is_empty()
                    } else {
                        pp.admits(proto, port, f)
                    };
                    if admits {
                        or_into(&mut def, d);
                        or_into(&mut maybe, m);
                    }
                }
                let maybe = and_not(&maybe, &def);
                (def, maybe)
            };
            let (a_def, a_maybe) = union(&adm[0]);
            let (b_def, b_maybe) = union(&adm[1]);
            let a_any = or(&a_def, &a_maybe);
            let b_any = or(&b_def, &b_maybe);
            let changes = [
                (Change::Gained, false, and_not(&b_def, &a_any)),
                (Change::Lost, false, and_not(&a_def, &b_any)),
                (
                    Change::Gained,
                    true,
                    or(&and_not(&b_maybe, &a_any), &and(&b_def, &a_maybe)),
                ),
                (
                    Change::Lost,
                    true,
                    or(&and_not(&a_maybe, &b_any), &and(&a_def, &b_maybe)),
                ),
            ];
            let name = if proto == echo {
                "icmp".to_owned()
            } else {
                proto_name(proto)
            };
            for (change, maybe, bits) in changes {
                if !is_zero(&bits) {
                    raws.push((change, maybe, bits, name.clone(), Ranges::single(lo, hi)));
                }
            }
        }
    }
    // The same sources on several segments: one change with their ports.
    raws.sort_by(|a, b| (a.0, a.1, &a.2, &a.3).cmp(&(b.0, b.1, &b.2, &b.3)));
    let mut merged: Vec<Raw> = Vec::new();
    for raw in raws {
        match merged.last_mut() {
            Some(last)
                if last.0 == raw.0 && last.1 == raw.1 && last.2 == raw.2 && last.3 == raw.3 =>
            {
                last.4 = last.4.union(&raw.4);
            }
            _ => merged.push(raw),
        }
    }
    merged
}

fn emit(
    out: &mut Vec<AccessChange>,
    raw: &Raw,
    dst: Endpoint,
    classes: &Classes,
    excluded: &[u32],
    refs: &[DeviceRef],
) {
    let (change, maybe, bits, proto, ports) = raw;
    let mut src: Vec<DeviceRef> = Vec::new();
    for (c, members) in classes.members.iter().enumerate() {
        if !bit(bits, c) {
            continue;
        }
        for j in members {
            if !excluded.contains(j) {
                if let Some(r) = refs.get(*j as usize) {
                    src.push(r.clone());
                }
            }
        }
    }
    if src.is_empty() {
        return;
    }
    src.sort();
    let _ = &classes.of;
    out.push(AccessChange {
        change: *change,
        src,
        dst,
        proto: proto.clone(),
        ports: if proto == "icmp" || !has_ports(super::ports::proto_number(proto).unwrap_or(0)) {
            "*".into()
        } else {
            print_ports(ports)
        },
        indeterminate: *maybe,
    });
}
