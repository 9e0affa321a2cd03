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
}

/// How many 64-bit words of rule bitsets the diff keeps (64 MiB); beyond, they are computed
/// for each destination instead.
const RULE_BITS_BUDGET: usize = 8 << 20;

/// The sources and their classes.
struct Classes {
    /// Class -> joint devices.
    members: Vec<Vec<u32>>,
    /// (owner login, class), sorted, where `autogroup:self` splits classes by owner.
    by_owner: Vec<(String, u32)>,
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
        // Each device's place in the answers' order (name, then nodeId).
        let mut order: Vec<u32> = (0..ids.len() as u32).collect();
        let refs_sorted = |j: &u32| refs_of(&sides, *j);
        order.sort_by_cached_key(refs_sorted);
        let mut rank = vec![0u32; ids.len()];
        for (r, j) in order.iter().enumerate() {
            if let Some(x) = rank.get_mut(*j as usize) {
                *x = r as u32;
            }
        }
        let ranks = Ranks { rank, order };
        let refs: Vec<DeviceRef> = (0..ids.len() as u32).map(|j| refs_of(&sides, j)).collect();

        let mut out: Vec<AccessChange> = Vec::new();
        // Device destinations, grouped by what decides them in both models: one computation
        // per group.
        let mut per_device: Vec<(Vec<u8>, u32, usize)> = Vec::new();
        for j in 0..ids.len() as u32 {
            for f in [V4, V6] {
                if let Some(dst) = device_dst(&sides, j, f, &refs) {
                    per_device.push((signature(&sides, &dst), j, f));
                }
            }
        }
        per_device.sort_unstable();
        let mut groups: Vec<Vec<Raw>> = Vec::new();
        let mut by_device: Vec<(u32, usize, usize)> = Vec::with_capacity(per_device.len());
        let mut prev: Option<&Vec<u8>> = None;
        for (sig, j, f) in &per_device {
            if prev != Some(sig) {
                let raws = device_dst(&sides, *j, *f, &refs)
                    .map(|d| compare(&sides, &d, &classes))
                    .unwrap_or_default();
                groups.push(raws);
                prev = Some(sig);
            }
            by_device.push((*j, *f, groups.len() - 1));
        }
        // One change per device when both families agree; per address otherwise.
        by_device.sort_unstable();
        let empty: Vec<Raw> = Vec::new();
        let mut k = 0;
        while let Some(&(j, _, _)) = by_device.get(k) {
            let of = |f: usize| {
                by_device
                    .iter()
                    .skip(k)
                    .take(2)
                    .find(|(x, g, _)| *x == j && *g == f)
                    .and_then(|(_, _, group)| groups.get(*group))
            };
            let (v4, v6) = (of(V4), of(V6));
            k += usize::from(v4.is_some()) + usize::from(v6.is_some());
            let device = Endpoint::Device(refs.get(j as usize).cloned().unwrap_or(DeviceRef {
                node_id: String::new(),
                name: String::new(),
            }));
            let address = |f: usize| {
                let a = [1usize, 0]
                    .iter()
                    .find_map(|s| sides.get(*s).and_then(|side| device_addr(side, j, f)));
                Endpoint::Address(a.map(|a| a.print()).unwrap_or_default())
            };
            let (v4, v6) = (v4.unwrap_or(&empty), v6.unwrap_or(&empty));
            for raw in v4 {
                let endpoint = if v6.contains(raw) {
                    device.clone()
                } else {
                    address(V4)
                };
                emit(&mut out, raw, endpoint, &classes, &[j], &refs, &ranks);
            }
            for raw in v6.iter().filter(|r| !v4.contains(r)) {
                emit(&mut out, raw, address(V6), &classes, &[j], &refs, &ranks);
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
                    &ranks,
                );
            }
        }
        // Sources last (AccessChange's order): changes rarely tie before them.
        out.sort();
        out
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
    found.unwrap_or(DeviceRef {
        node_id: String::new(),
        name: String::new(),
    })
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
                        if m.tailnet.device(d).is_some_and(|x| x.address(f).is_some()) {
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
    Side {
        m,
        local,
        joint,
        members,
        target_bits: Vec::new(),
        exists: [Vec::new(), Vec::new()],
        gate_bits: Vec::new(),
        rule_bits: Vec::new(),
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
            let exit = route.iter().any(|r| *r == Some(Route::Exit));
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

/// What decides a device destination in both models: its family, the targets that hold it
/// (which decide every rule's destination part for it), and its owner where `autogroup:self`
/// rules exist.
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
        if side.m.has_self_rules() {
            let owner = side
                .m
                .tailnet
                .device(*d)
                .and_then(|x| x.owner())
                .unwrap_or("");
            sig.push(0xfe);
            sig.extend_from_slice(owner.as_bytes());
            sig.push(0);
        }
    }
    sig
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
/// source target (per family), same address families, same outcome of every gate, and the
/// same owner when `autogroup:self` is used. Partition refinement, one pass per feature.
fn classes(sides: &mut [Side<'_>; 2], n: usize) -> Classes {
    let mut of = vec![0u32; n];
    let mut sizes = vec![n as u32];
    let (mut count, mut remap) = (vec![0u32], vec![u32::MAX]);
    let uses_self = sides.iter().any(|s| s.m.rules.iter().any(|r| r.self_dst));
    let mut owners: Vec<(String, u32)> = Vec::new();
    for side in sides.iter() {
        let mut split =
            |members: &[u32]| refine(&mut of, &mut sizes, members, &mut count, &mut remap);
        for (_, per) in &side.members {
            for list in per {
                split(list);
            }
        }
        for f in [V4, V6] {
            let has: Vec<u32> = side
                .local
                .iter()
                .enumerate()
                .filter(|(_, d)| {
                    d.and_then(|d| side.m.tailnet.device(d))
                        .is_some_and(|x| x.address(f).is_some())
                })
                .map(|(j, _)| j as u32)
                .collect();
            split(&has);
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
        if uses_self {
            for (j, d) in side.local.iter().enumerate() {
                if let Some(o) = d
                    .and_then(|d| side.m.tailnet.device(d))
                    .and_then(|x| x.owner())
                {
                    owners.push((o.to_owned(), j as u32));
                }
            }
        }
    }
    owners.sort_unstable();
    owners.dedup();
    let mut k = 0;
    while let Some((o, _)) = owners.get(k) {
        let same: Vec<u32> = owners
            .iter()
            .skip(k)
            .take_while(|(x, _)| x == o)
            .map(|(_, j)| *j)
            .collect();
        k += same.len();
        refine(&mut of, &mut sizes, &same, &mut count, &mut remap);
    }
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); sizes.len()];
    for (j, c) in of.iter().enumerate() {
        if let Some(m) = members.get_mut(*c as usize) {
            m.push(j as u32);
        }
    }
    let words = members.len().div_ceil(64).max(1);
    let mut by_owner: Vec<(String, u32)> = owners
        .into_iter()
        .filter_map(|(o, j)| of.get(j as usize).map(|c| (o, *c)))
        .collect();
    by_owner.sort_unstable();
    by_owner.dedup();
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
            let list: Vec<u32> = side
                .local
                .iter()
                .enumerate()
                .filter(|(_, d)| {
                    d.and_then(|d| side.m.tailnet.device(d))
                        .is_some_and(|x| x.address(f).is_some())
                })
                .map(|(j, _)| j as u32)
                .collect();
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
    Classes {
        members,
        by_owner,
        words,
    }
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

/// The classes a destination's candidate rules admit in one model: each rule's ports with
/// the classes it definitely admits and those it may.
struct Admission<'m> {
    rules: Vec<(&'m super::ports::ProtoPorts, Bits, Bits)>,
}

fn admission<'m>(side: &Side<'m>, s: usize, dst: &Dst, classes: &Classes) -> Admission<'m> {
    let mut out = Admission { rules: Vec::new() };
    let (Some(Some(a)), Some(Some(route))) = (dst.addr.get(s), dst.route.get(s)) else {
        return out;
    };
    let (f, words) = (dst.family, classes.words);
    // autogroup:self: the classes of the destination's owner.
    let owner_mask = |owner: &str| {
        let mut mask = vec![0; words];
        let start = classes
            .by_owner
            .partition_point(|(o, _)| o.as_str() < owner);
        for (_, c) in classes
            .by_owner
            .iter()
            .skip(start)
            .take_while(|(o, _)| o == owner)
        {
            set_bit(&mut mask, *c as usize);
        }
        mask
    };
    let mask = match route {
        Route::Own(d) => side
            .m
            .tailnet
            .device(*d)
            .and_then(|x| x.owner())
            .map(owner_mask),
        _ => None,
    };
    for r in side.m.candidates(*a, route, true) {
        let Some(rule) = side.m.rules.get(r as usize) else {
            continue;
        };
        let tri = side.m.dst_part(rule, *a, route, None);
        let self_part = rule.self_dst && mask.is_some();
        if tri == Tri::No && !self_part {
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
        if tri == Tri::No {
            // Only autogroup:self can take it: skip unless the owner's classes are sources.
            let touches = mask.as_ref().is_some_and(|m| {
                m.iter()
                    .zip(src_def.iter().zip(src_maybe))
                    .any(|(k, (d, x))| k & (d | x) != 0)
            });
            if !touches {
                continue;
            }
        }
        let sure = rule.unknown.is_none();
        let (mut def, mut maybe) = match tri {
            Tri::Yes if sure => (src_def.clone(), src_maybe.clone()),
            Tri::No => (vec![0; words], vec![0; words]),
            _ => (vec![0; words], or(src_def, src_maybe)),
        };
        if let (true, Some(mask)) = (self_part, &mask) {
            if sure {
                or_into(&mut def, &and(src_def, mask));
                or_into(&mut maybe, &and(src_maybe, mask));
            } else {
                or_into(&mut maybe, &and(&or(src_def, src_maybe), mask));
            }
        }
        if !is_zero(&def) || !is_zero(&maybe) {
            out.rules.push((&rule.ports, def, maybe));
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
    // The same rules admit the same sources on the same ports: nothing changes.
    if adm[0].rules == adm[1].rules {
        return Vec::new();
    }
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
            if a_def == b_def && a_maybe == b_maybe {
                continue;
            }
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

#[allow(clippy::too_many_arguments)]
fn emit(
    out: &mut Vec<AccessChange>,
    raw: &Raw,
    dst: Endpoint,
    classes: &Classes,
    excluded: &[u32],
    refs: &[DeviceRef],
    ranks: &Ranks,
) {
    let (change, maybe, bits, proto, ports) = raw;
    let mut picked: Vec<u32> = Vec::new();
    for c in ones(bits) {
        for j in classes.members.get(c).map_or(&[][..], |m| m.as_slice()) {
            if !excluded.contains(j) {
                picked.extend(ranks.rank.get(*j as usize));
            }
        }
    }
    if picked.is_empty() {
        return;
    }
    picked.sort_unstable();
    let src: Vec<DeviceRef> = picked
        .iter()
        .filter_map(|r| ranks.order.get(*r as usize))
        .filter_map(|j| refs.get(*j as usize))
        .cloned()
        .collect();
    let port_less = proto == "icmp" || !has_ports(super::ports::proto_number(proto).unwrap_or(0));
    out.push(AccessChange {
        change: *change,
        src,
        dst,
        proto: proto.clone(),
        ports: if port_less {
            "*".into()
        } else {
            print_ports(ports)
        },
        indeterminate: *maybe,
    });
}
