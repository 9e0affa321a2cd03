//! Oracle over headscale's recordings of Tailscale SaaS (`captures.json.gz`).
//!
//! A capture holds a policy, SaaS's answer to it, a topology, and for every node the packet
//! filter SaaS delivered to it plus the routes its netmap sends to each peer. This module answers,
//! for one capture, what Tailscale would do with a packet `(source, destination, protocol, port)`:
//!
//! 1. **Which node receives it.** A node's own Tailscale address is received by that node. Any
//!    other address is routed by the *sender's* netmap (`peer_routes`): the longest subnet route
//!    covering it wins (as WireGuard's AllowedIPs do); failing that, an exit node that the
//!    sender's netmap carries `0.0.0.0/0` / `::/0` for. With no such entry there is no route,
//!    and the packet never reaches a Tailscale filter.
//! 2. **Whether the receiver accepts it**, exactly as tailscale/tailscale's
//!    `wgengine/filter` `RunIn` does (`runIn4`/`runIn6` and `matches.match` /
//!    `matchIPsOnly` / `matchProtoAndIPsOnlyIfAllPorts`).
//!
//! Nothing here reads the policy: the verdict comes from what SaaS delivered, so it is the
//! reference an engine that compiles the policy is checked against.
//!
//! Dependencies: std, `serde_json` (the captures are JSON) and `flate2` (they are gzipped).
//!
//! Moved here from the research notes (`oracle.rs`); the data stays outside the repository, at
//! `../shared/conformance/headscale/captures.json.gz` from its root ([`file`]).
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Addresses and prefixes
// ---------------------------------------------------------------------------------------------

/// An IP prefix, stored as a 128-bit integer so that v4 and v6 share one code path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Prefix {
    pub addr: IpAddr,
    pub bits: u8,
}

fn ip_bits(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(a) => (u32::from(a) as u128, 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    }
}

fn ip_from_bits(v: u128, v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(v))
    } else {
        IpAddr::V4(Ipv4Addr::from(v as u32))
    }
}

impl Prefix {
    /// Parses `a.b.c.d/n`, `x::y/n`, or a bare address (a host prefix).
    pub fn parse(s: &str) -> Result<Prefix, String> {
        let (a, b) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let addr: IpAddr = a
            .parse()
            .map_err(|e| format!("bad address in prefix {s:?}: {e}"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match b {
            Some(b) => b
                .parse::<u8>()
                .map_err(|e| format!("bad length in prefix {s:?}: {e}"))?,
            None => max,
        };
        if bits > max {
            return Err(format!("prefix length out of range in {s:?}"));
        }
        Ok(Prefix { addr, bits })
    }

    pub fn host(addr: IpAddr) -> Prefix {
        Prefix {
            addr,
            bits: if addr.is_ipv4() { 32 } else { 128 },
        }
    }

    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }

    /// Mask for this prefix within its family width.
    fn mask(&self) -> u128 {
        let width = if self.is_ipv4() { 32 } else { 128 };
        if self.bits == 0 {
            0
        } else {
            (u128::MAX << (width - self.bits as u32))
                & if width == 32 { 0xffff_ffff } else { u128::MAX }
        }
    }

    /// Same family and inside the prefix (a v4 prefix never contains a v6 address, as in Go's
    /// `netip.Prefix.Contains`; 4-in-6 mapped addresses are not unmapped).
    pub fn contains(&self, ip: IpAddr) -> bool {
        if self.is_ipv4() != ip.is_ipv4() {
            return false;
        }
        let (p, _) = ip_bits(self.addr);
        let (a, _) = ip_bits(ip);
        (p & self.mask()) == (a & self.mask())
    }

    /// The default route of its family (`0.0.0.0/0`, `::/0`): what marks an exit node.
    pub fn is_default(&self) -> bool {
        self.bits == 0
    }

    /// An address inside the prefix to probe with: the network address + 1 (a host prefix is its
    /// own address). Not the network address itself, which real hosts rarely hold.
    pub fn probe_addr(&self) -> IpAddr {
        let (p, width) = ip_bits(self.addr);
        let net = p & self.mask();
        if self.bits as u32 >= width as u32 {
            ip_from_bits(net, !self.is_ipv4())
        } else {
            ip_from_bits(net + 1, !self.is_ipv4())
        }
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.bits)
    }
}

// ---------------------------------------------------------------------------------------------
// Protocols
// ---------------------------------------------------------------------------------------------

pub const ICMP4: u8 = 1;
pub const TCP: u8 = 6;
pub const UDP: u8 = 17;
pub const ICMP6: u8 = 58;
pub const SCTP: u8 = 132;
/// Tailscale's own message protocol: always accepted by `runIn4`/`runIn6`.
pub const TSMP: u8 = 99;

/// `wgengine/filter/tailcfg.go`: a rule with no `IPProto` means TCP, UDP, ICMPv4 and ICMPv6.
/// (The captures store the filter form, where this is already spelled out, but be safe.)
pub const DEFAULT_PROTOS: [u8; 4] = [TCP, UDP, ICMP4, ICMP6];

/// The ICMP protocol number of an address family (what a "ping" probe uses).
pub fn icmp_for(ip: IpAddr) -> u8 {
    if ip.is_ipv4() {
        ICMP4
    } else {
        ICMP6
    }
}

// ---------------------------------------------------------------------------------------------
// Capture data
// ---------------------------------------------------------------------------------------------

/// One entry of a delivered filter (`filtertype.Match` without caps): `[IPProto, Srcs, Dsts]`.
#[derive(Clone, Debug)]
pub struct Match {
    pub protos: Vec<u8>,
    pub srcs: Vec<Prefix>,
    /// `(net, first port, last port)`, inclusive.
    pub dsts: Vec<(Prefix, u16, u16)>,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    /// The owning user's name for untagged nodes; `None` for tagged nodes.
    pub user: Option<String>,
    pub tags: Vec<String>,
    pub ipv4: IpAddr,
    pub ipv6: IpAddr,
    /// Advertised routes (Hostinfo.RoutableIPs): what the node's own prefs accept as local.
    pub routable: Vec<Prefix>,
    /// `approved_routes` as the capture tool recorded them. Often empty even when SaaS
    /// auto-approved the route: use `enabled` for what SaaS actually turned on.
    pub approved: Vec<Prefix>,
    /// Routes SaaS turned on (seen in peers' netmaps); the API's `enabledRoutes`.
    pub enabled: Vec<Prefix>,
    /// The capture tool failed to capture this node (no filter, no netmap).
    pub uncaptured: bool,
}

impl Node {
    pub fn addr(&self, v6: bool) -> IpAddr {
        if v6 {
            self.ipv6
        } else {
            self.ipv4
        }
    }

    pub fn owns(&self, ip: IpAddr) -> bool {
        self.ipv4 == ip || self.ipv6 == ip
    }

    /// Whether the node advertises a default route of `ip`'s family (it offers itself as exit).
    pub fn advertises_exit(&self, v6: bool) -> bool {
        self.routable
            .iter()
            .any(|p| p.is_default() && p.is_ipv4() != v6)
    }
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub email: String,
}

#[derive(Clone, Debug)]
pub struct Capture {
    pub id: String,
    pub category: String,
    pub description: String,
    /// The tailnet's own user (its owner), as recorded.
    pub tailnet: String,
    /// HTTP status of the policy POST: 200, or 400/500 with `message`.
    pub code: u16,
    pub message: Option<String>,
    /// The policy text as sent.
    pub policy: String,
    pub users: Vec<User>,
    pub nodes: BTreeMap<String, Node>,
    /// Per receiving node. A node absent here was not captured: its verdicts are unknown.
    pub filters: BTreeMap<String, Vec<Match>>,
    /// Per sending node: peer name -> prefixes (other than the peer's own addresses) its netmap
    /// routes to that peer. A node absent here has no such routes (or was not captured).
    pub peer_routes: BTreeMap<String, BTreeMap<String, Vec<Prefix>>>,
    /// The capture tool reported a failure (e.g. "7/8 nodes stable").
    pub capture_error: Option<String>,
    /// Number of capability-only matches per node (`app` grants); they grant no packets.
    pub caps: BTreeMap<String, u64>,
}

/// Reads the whole gzipped file. Panics with a message naming the field on malformed data:
/// this is test-support code and a silent default would hide a data problem.
pub fn load(path: &Path) -> Vec<Capture> {
    let file = std::fs::File::open(path)
        .unwrap_or_else(|e| panic!("cannot open captures file {}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("cannot gunzip {}: {e}", path.display()));
    let root: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let list = root
        .get("captures")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{}: no `captures` array at the top level", path.display()));
    list.iter().map(parse_capture).collect()
}

fn field<'a>(v: &'a Value, key: &str, ctx: &str) -> &'a Value {
    v.get(key)
        .unwrap_or_else(|| panic!("{ctx}: missing field `{key}`"))
}

fn string(v: &Value, key: &str, ctx: &str) -> String {
    field(v, key, ctx)
        .as_str()
        .unwrap_or_else(|| panic!("{ctx}: field `{key}` is not a string"))
        .to_string()
}

fn prefixes(v: &Value, ctx: &str) -> Vec<Prefix> {
    match v {
        Value::Null => Vec::new(),
        Value::Array(a) => a
            .iter()
            .map(|p| {
                let s = p
                    .as_str()
                    .unwrap_or_else(|| panic!("{ctx}: prefix {p} is not a string"));
                Prefix::parse(s).unwrap_or_else(|e| panic!("{ctx}: {e}"))
            })
            .collect(),
        other => panic!("{ctx}: expected a list of prefixes, got {other}"),
    }
}

fn parse_addr(v: &Value, key: &str, ctx: &str) -> IpAddr {
    let s = string(v, key, ctx);
    s.parse()
        .unwrap_or_else(|e| panic!("{ctx}: `{key}` {s:?} is not an IP address: {e}"))
}

fn parse_capture(c: &Value) -> Capture {
    let id = c
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("<capture without id>")
        .to_string();
    let ctx = id.as_str();
    let code = field(c, "code", ctx)
        .as_u64()
        .unwrap_or_else(|| panic!("{ctx}: `code` is not a number")) as u16;
    let message = c.get("message").and_then(Value::as_str).map(str::to_string);

    let users = match c.get("users") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|u| User {
                id: u.get("id").and_then(Value::as_u64).unwrap_or(0),
                name: string(u, "name", &format!("{ctx} user")),
                email: u
                    .get("email")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            })
            .collect(),
        _ => Vec::new(),
    };

    let mut nodes = BTreeMap::new();
    let node_obj = field(c, "nodes", ctx)
        .as_object()
        .unwrap_or_else(|| panic!("{ctx}: `nodes` is not an object"));
    for (name, n) in node_obj {
        let nctx = format!("{ctx} node {name}");
        let tags = match n.get("tags") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        nodes.insert(
            name.clone(),
            Node {
                name: name.clone(),
                user: n.get("user").and_then(Value::as_str).map(str::to_string),
                tags,
                ipv4: parse_addr(n, "ipv4", &nctx),
                ipv6: parse_addr(n, "ipv6", &nctx),
                routable: prefixes(n.get("routable").unwrap_or(&Value::Null), &nctx),
                approved: prefixes(n.get("approved").unwrap_or(&Value::Null), &nctx),
                enabled: prefixes(n.get("enabled").unwrap_or(&Value::Null), &nctx),
                uncaptured: n
                    .get("uncaptured")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
        );
    }

    let mut filters = BTreeMap::new();
    if let Some(obj) = c.get("filters").and_then(Value::as_object) {
        for (name, rules) in obj {
            let fctx = format!("{ctx} filter of {name}");
            let rules = rules
                .as_array()
                .unwrap_or_else(|| panic!("{fctx}: not a list"));
            let parsed = rules.iter().map(|r| parse_match(r, &fctx)).collect();
            filters.insert(name.clone(), parsed);
        }
    }

    let mut peer_routes = BTreeMap::new();
    if let Some(obj) = c.get("peer_routes").and_then(Value::as_object) {
        for (node, peers) in obj {
            let pctx = format!("{ctx} peer_routes of {node}");
            let peers = peers
                .as_object()
                .unwrap_or_else(|| panic!("{pctx}: not an object"));
            let mut m = BTreeMap::new();
            for (peer, pfx) in peers {
                m.insert(peer.clone(), prefixes(pfx, &pctx));
            }
            peer_routes.insert(node.clone(), m);
        }
    }

    let mut caps = BTreeMap::new();
    if let Some(obj) = c.get("caps").and_then(Value::as_object) {
        for (node, n) in obj {
            caps.insert(node.clone(), n.as_u64().unwrap_or(0));
        }
    }

    Capture {
        id: id.clone(),
        category: string(c, "category", ctx),
        description: c
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        tailnet: c
            .get("tailnet")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        code,
        message,
        policy: string(c, "policy", ctx),
        users,
        nodes,
        filters,
        peer_routes,
        capture_error: c
            .get("capture_error")
            .and_then(Value::as_str)
            .map(str::to_string),
        caps,
    }
}

/// `[IPProto, Srcs, Dsts]` with `Dsts` as `[net, first, last]`.
fn parse_match(r: &Value, ctx: &str) -> Match {
    let parts = r
        .as_array()
        .unwrap_or_else(|| panic!("{ctx}: rule {r} is not a list"));
    if parts.len() != 3 {
        panic!("{ctx}: rule {r} does not have 3 parts [IPProto, Srcs, Dsts]");
    }
    let protos: Vec<u8> = match &parts[0] {
        Value::Null => Vec::new(),
        Value::Array(a) => a
            .iter()
            .map(|p| p.as_u64().and_then(|n| u8::try_from(n).ok()))
            .map(|p| p.unwrap_or_else(|| panic!("{ctx}: IPProto entry is not 0-255 in {r}")))
            .collect(),
        other => panic!("{ctx}: IPProto {other} is not a list"),
    };
    let protos = if protos.is_empty() {
        DEFAULT_PROTOS.to_vec()
    } else {
        protos
    };
    let srcs = prefixes(&parts[1], ctx);
    let dsts = parts[2]
        .as_array()
        .unwrap_or_else(|| panic!("{ctx}: Dsts of {r} is not a list"))
        .iter()
        .map(|d| {
            let d = d
                .as_array()
                .unwrap_or_else(|| panic!("{ctx}: Dst {d} is not [net, first, last]"));
            let net = d
                .first()
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{ctx}: Dst without net"));
            let net = Prefix::parse(net).unwrap_or_else(|e| panic!("{ctx}: {e}"));
            let port = |i: usize| {
                d.get(i)
                    .and_then(Value::as_u64)
                    .and_then(|p| u16::try_from(p).ok())
                    .unwrap_or_else(|| panic!("{ctx}: Dst {net} port #{i} missing or out of range"))
            };
            (net, port(1), port(2))
        })
        .collect();
    Match { protos, srcs, dsts }
}

// ---------------------------------------------------------------------------------------------
// Questions and answers
// ---------------------------------------------------------------------------------------------

/// Who sends the packet.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Src {
    /// A node of the topology, by hostname; it uses its address of the destination's family.
    Node(String),
    /// Any address. A node's own address means that node. An address inside a node's enabled
    /// subnet route is a host behind that router (no SNAT): the router forwards it and its netmap
    /// routes it. Any other address has no netmap here: it can only be answered for destinations
    /// that are node addresses (e.g. a shared-in node from another tailnet).
    Addr(IpAddr),
}

impl fmt::Display for Src {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Src::Node(n) => write!(f, "{n}"),
            Src::Addr(a) => write!(f, "{a}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The receiving node's filter admits the packet.
    Accept,
    /// It reaches a node whose filter drops it.
    Drop,
    /// The sender's netmap has no route for the destination: the packet never enters the
    /// tailnet. For "can S reach D" this is a drop too.
    NoRoute,
    /// The capture cannot say (an uncaptured node, a source with no netmap, traffic that does not
    /// cross the tailnet). The reason says which.
    Unknown(String),
}

impl Verdict {
    /// The yes/no an engine's `reach` is compared with. `None` for `Unknown`.
    pub fn accepted(&self) -> Option<bool> {
        match self {
            Verdict::Accept => Some(true),
            Verdict::Drop | Verdict::NoRoute => Some(false),
            Verdict::Unknown(_) => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Answer {
    pub verdict: Verdict,
    /// The node whose filter decided (for `Accept`/`Drop`).
    pub receiver: Option<String>,
    /// The source address the receiver saw.
    pub src_ip: Option<IpAddr>,
}

/// How a destination is reached from a forwarding node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The destination is this node's own address.
    Own(String),
    /// The longest subnet route of the sender's netmap covering the destination.
    Subnet(String, Prefix),
    /// Exit nodes the sender's netmap routes the default route of the family to. The user picks
    /// one; there may be several.
    Exit(Vec<String>),
    None,
}

impl Capture {
    /// The node owning `ip` as its Tailscale address.
    pub fn node_by_addr(&self, ip: IpAddr) -> Option<&Node> {
        self.nodes.values().find(|n| n.owns(ip))
    }

    /// The router a host at `ip` sits behind: the node with the longest *enabled* subnet route
    /// covering it. When several routers enable the same prefix (HA), the primary is the one the
    /// other nodes' netmaps route it to; ties fall back to the first by name.
    pub fn router_of(&self, ip: IpAddr) -> Option<&Node> {
        let mut best: Option<(u8, &Node, usize)> = None;
        for n in self.nodes.values() {
            for p in &n.enabled {
                if p.is_default() || !p.contains(ip) {
                    continue;
                }
                // How many nodes route this prefix to n: the primary collects them all.
                let votes = self
                    .peer_routes
                    .values()
                    .filter(|peers| peers.get(&n.name).is_some_and(|v| v.contains(p)))
                    .count();
                let better = match best {
                    None => true,
                    Some((bits, _, v)) => p.bits > bits || (p.bits == bits && votes > v),
                };
                if better {
                    best = Some((p.bits, n, votes));
                }
            }
        }
        best.map(|(_, n, _)| n)
    }

    /// Where `forwarder`'s netmap sends `dst`: node addresses first (their /32 and /128 are the
    /// most specific AllowedIPs), then the longest non-default subnet route, then exit nodes.
    pub fn route(&self, forwarder: &str, dst: IpAddr) -> Route {
        if let Some(n) = self.node_by_addr(dst) {
            return Route::Own(n.name.clone());
        }
        let empty = BTreeMap::new();
        let peers = self.peer_routes.get(forwarder).unwrap_or(&empty);
        let mut best: Option<(&str, Prefix)> = None;
        let mut exits = Vec::new();
        for (peer, pfxs) in peers {
            for p in pfxs {
                if !p.contains(dst) {
                    continue;
                }
                if p.is_default() {
                    if !exits.contains(peer) {
                        exits.push(peer.clone());
                    }
                } else if best.is_none_or(|(_, b)| p.bits > b.bits) {
                    best = Some((peer.as_str(), *p));
                }
            }
        }
        if let Some((peer, p)) = best {
            Route::Subnet(peer.to_string(), p)
        } else if !exits.is_empty() {
            Route::Exit(exits)
        } else {
            Route::None
        }
    }

    /// The verdict for one packet. `exit_node` names the exit node the sender selected; without it,
    /// the packet is accepted when *any* exit node the sender can use accepts it (the question
    /// is "can S reach D"). `exit_node` does not override a subnet route: a more specific route wins
    /// even when an exit node is in use, as in WireGuard.
    pub fn verdict(
        &self,
        src: &Src,
        dst: IpAddr,
        proto: u8,
        port: u16,
        exit_node: Option<&str>,
    ) -> Answer {
        let unknown = |why: String| Answer {
            verdict: Verdict::Unknown(why),
            receiver: None,
            src_ip: None,
        };

        // Resolve the source address the receiver sees, and the node whose netmap routes it.
        let (src_ip, forwarder): (IpAddr, Option<String>) = match src {
            Src::Node(name) => {
                let Some(n) = self.nodes.get(name) else {
                    return unknown(format!("no node {name:?} in capture {}", self.id));
                };
                (n.addr(dst.is_ipv6()), Some(n.name.clone()))
            }
            Src::Addr(ip) => match self.node_by_addr(*ip) {
                Some(n) => (*ip, Some(n.name.clone())),
                None => (*ip, self.router_of(*ip).map(|r| r.name.clone())),
            },
        };
        if src_ip.is_ipv4() != dst.is_ipv4() {
            // `Filter.Check`: mismatched families never match.
            return Answer {
                verdict: Verdict::Drop,
                receiver: None,
                src_ip: Some(src_ip),
            };
        }

        let route = match &forwarder {
            Some(f) => {
                if self.nodes.get(f).is_some_and(|n| n.uncaptured)
                    && self.node_by_addr(dst).is_none()
                {
                    return unknown(format!("{f} was not captured: its netmap is unknown"));
                }
                self.route(f, dst)
            }
            // No netmap for this source: only a node's own address has an obvious receiver.
            None => match self.node_by_addr(dst) {
                Some(n) => Route::Own(n.name.clone()),
                None => {
                    return unknown(format!(
                        "{src_ip} is no node and behind no router: no netmap routes it"
                    ))
                }
            },
        };

        let candidates: Vec<String> = match route {
            Route::Own(n) => vec![n],
            Route::Subnet(r, _) => vec![r],
            Route::Exit(exits) => match exit_node {
                Some(v) if exits.iter().any(|e| e == v) => vec![v.to_string()],
                Some(_) => Vec::new(),
                None => exits,
            },
            Route::None => Vec::new(),
        };
        if candidates.is_empty() {
            return Answer {
                verdict: Verdict::NoRoute,
                receiver: None,
                src_ip: Some(src_ip),
            };
        }

        let mut first_drop = None;
        for r in &candidates {
            if forwarder.as_deref() == Some(r.as_str()) && !matches!(src, Src::Node(_)) {
                return unknown(format!(
                    "{src_ip} and {dst} are both behind {r}: not tailnet traffic"
                ));
            }
            if forwarder.as_deref() == Some(r.as_str()) {
                return unknown(format!(
                    "{r} sending to itself or its own LAN is not filtered"
                ));
            }
            let Some(rules) = self.filters.get(r) else {
                return unknown(format!("{r} was not captured: its filter is unknown"));
            };
            let local = self.nodes.get(r).is_some_and(|n| is_local(n, dst));
            if local && run_in(rules, src_ip, dst, proto, port) {
                return Answer {
                    verdict: Verdict::Accept,
                    receiver: Some(r.clone()),
                    src_ip: Some(src_ip),
                };
            }
            first_drop.get_or_insert_with(|| r.clone());
        }
        Answer {
            verdict: Verdict::Drop,
            receiver: first_drop,
            src_ip: Some(src_ip),
        }
    }
}

/// `Filter.local4`/`local6`: the receiver handles its own addresses, the routes it advertises
/// (its prefs, approved or not), and, when it advertises a default route, everything (the real
/// client then carves out its own LAN, which the captures do not record).
fn is_local(n: &Node, dst: IpAddr) -> bool {
    n.owns(dst) || n.routable.iter().any(|p| p.contains(dst)) || n.advertises_exit(dst.is_ipv6())
}

/// `Filter.RunIn` of one node for a synthesized packet (`Filter.Check`: a TCP packet is a SYN).
pub fn run_in(rules: &[Match], src: IpAddr, dst: IpAddr, proto: u8, port: u16) -> bool {
    // `pre`: multicast and link-local unicast destinations are dropped before any rule
    // (169.254.169.254 is let through for cloud metadata DNS).
    let link_local = match dst {
        IpAddr::V4(a) => a.is_link_local() && a != Ipv4Addr::new(169, 254, 169, 254),
        IpAddr::V6(a) => (a.segments()[0] & 0xffc0) == 0xfe80,
    };
    if dst.is_multicast() || link_local {
        return false;
    }
    // Rules are split by family (`matchesFamily`): a rule applies to a v4 packet through its v4
    // sources and v4 destinations only. `Prefix::contains` never crosses families, so checking
    // src and dst membership directly is the same thing.
    let src_ok = |m: &Match| m.srcs.iter().any(|s| s.contains(src));
    let icmp = if dst.is_ipv4() { ICMP4 } else { ICMP6 };
    match proto {
        // ICMP echo requests: allowed when *any* port of the destination is open to the source,
        // whatever the rule's IPProto (`matchIPsOnly` does not look at it).
        p if p == icmp => rules
            .iter()
            .any(|m| src_ok(m) && m.dsts.iter().any(|(net, _, _)| net.contains(dst))),
        TCP | UDP | SCTP => rules.iter().any(|m| {
            m.protos.contains(&proto)
                && src_ok(m)
                && m.dsts
                    .iter()
                    .any(|(net, lo, hi)| net.contains(dst) && *lo <= port && port <= *hi)
        }),
        TSMP => true,
        // Other protocols (including ICMPv4 inside v6 and vice versa): the protocol must be
        // listed and the rule must open every port (`matchProtoAndIPsOnlyIfAllPorts`).
        _ => rules.iter().any(|m| {
            m.protos.contains(&proto)
                && src_ok(m)
                && m.dsts
                    .iter()
                    .any(|(net, lo, hi)| *lo == 0 && *hi == 65535 && net.contains(dst))
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Probes
// ---------------------------------------------------------------------------------------------

/// One question a conformance test asks both the oracle and the engine.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Probe {
    /// `node-v4`, `node-v6` (node to node), `subnet` (node to an address inside an advertised
    /// route), `exit` (node to a public address through one exit node), `exit-private` (node to a
    /// private address no route covers, through one exit node), `subnet-src` (a host behind a
    /// router to a node or to another route).
    pub category: &'static str,
    pub src: Src,
    pub dst: IpAddr,
    pub proto: u8,
    pub port: u16,
    /// The exit node selected, for `exit` and `exit-private`.
    pub exit_node: Option<String>,
}

/// A public address of each family, routed only through exit nodes.
pub const PUBLIC_V4: Ipv4Addr = Ipv4Addr::new(8, 8, 8, 8);
pub const PUBLIC_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0x4860, 0x4860, 0, 0, 0, 0, 0x8888);

/// Where the captures are: outside the repository, beside it (`../shared`).
pub fn file() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/headscale/captures.json.gz")
}

/// The `source` record of the file (upstream repository and commit).
pub fn source() -> Option<Value> {
    let file = std::fs::File::open(file()).ok()?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .ok()?;
    let root: Value = serde_json::from_str(&text).ok()?;
    root.get("source").cloned()
}

/// Every capture, loaded once per test binary; `None` (and one line saying so) when the file is
/// not there.
pub fn all() -> Option<&'static [Capture]> {
    static ALL: std::sync::OnceLock<Option<Vec<Capture>>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let path = file();
        if !path.exists() {
            eprintln!(
                "{} is not present: the conformance checks are skipped",
                path.display()
            );
            return None;
        }
        Some(load(&path))
    })
    .as_deref()
}

/// Whether a capture's filters are SaaS's answer to its policy. Refused policies are not: their
/// filters are the pre-push deny-all baseline. (A capture with `capture_error` is still usable:
/// its uncaptured nodes answer `Unknown`.)
pub fn usable(c: &Capture) -> Result<(), String> {
    if c.code != 200 {
        return Err(format!(
            "SaaS refused the policy ({}): the filters are the baseline",
            c.code
        ));
    }
    Ok(())
}

/// Whether the policy has a grant with `via`. Where a `via` grant applies, which router a source
/// uses is SaaS's choice (recorded in `peer_routes`), so an engine answers such probes
/// `indeterminate`; tests should skip or separate these captures.
pub fn uses_via(c: &Capture) -> bool {
    let policy: Value = match serde_json::from_str(&c.policy) {
        Ok(v) => v,
        // The policies in this file are plain JSON; anything else is said loudly.
        Err(e) => panic!(
            "{}: policy is not JSON ({e}); parse it as HuJSON first",
            c.id
        ),
    };
    policy
        .get("grants")
        .and_then(Value::as_array)
        .is_some_and(|gs| gs.iter().any(|g| g.get("via").is_some()))
}

/// Captures whose netmaps disagree with their own filters, with the reason. A test should
/// tolerate (not fail on) mismatches in them.
pub const KNOWN_ANOMALIES: &[(&str, &str)] = &[(
    "acl-k03",
    "charmander, kakuna and weedle have no netmap route to 10.33.0.0/16 although squirtle's filter \
     admits them (src includes all of them, dst *); every other node has it. Probably a stale \
     netmap: squirtle's route was auto-approved during the capture (approved [] but enabled).",
)];

/// Ports worth probing: every boundary of every recorded range (first-1, first, last, last+1),
/// plus 0, 1 and 65535.
pub fn boundary_ports(c: &Capture) -> Vec<u16> {
    let mut ports: BTreeSet<u16> = [0u16, 1, 65535].into_iter().collect();
    for rules in c.filters.values() {
        for m in rules {
            for &(_, lo, hi) in &m.dsts {
                ports.insert(lo);
                ports.insert(hi);
                if lo > 0 {
                    ports.insert(lo - 1);
                }
                if hi < 65535 {
                    ports.insert(hi + 1);
                }
            }
        }
    }
    ports.into_iter().collect()
}

/// A private address of the family that no advertised route covers: through an exit node it
/// shows whether the exit filter stops at public space.
fn uncovered_private(c: &Capture, v6: bool) -> Option<IpAddr> {
    let candidates: &[IpAddr] = if v6 {
        &[
            IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1)),
            IpAddr::V6(Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 1)),
        ]
    } else {
        &[
            IpAddr::V4(Ipv4Addr::new(192, 168, 254, 1)),
            IpAddr::V4(Ipv4Addr::new(172, 31, 254, 1)),
            IpAddr::V4(Ipv4Addr::new(10, 254, 254, 1)),
        ]
    };
    candidates.iter().copied().find(|ip| {
        !c.nodes.values().any(|n| {
            n.routable
                .iter()
                .any(|p| !p.is_default() && p.contains(*ip))
        })
    })
}

/// Whether `ip` is on one of `n`'s own advertised (non-default) routes: traffic from `n` to it
/// goes out on `n`'s LAN, not through the tailnet.
fn on_lan_of(n: &Node, ip: IpAddr) -> bool {
    n.routable.iter().any(|p| !p.is_default() && p.contains(ip))
}

/// Every probe a conformance test should run for a capture (see the README of the captures):
/// each ordered pair of distinct nodes in both families; each advertised route; each exit node
/// with a public and a private address; hosts behind routers as sources. TCP and UDP at every
/// boundary port, ICMP once (its port is meaningless).
pub fn probes(c: &Capture) -> Vec<Probe> {
    let ports = boundary_ports(c);
    let mut out = Vec::new();
    let add = |out: &mut Vec<Probe>,
               category: &'static str,
               src: Src,
               dst: IpAddr,
               exit_node: Option<String>| {
        for &proto in &[TCP, UDP] {
            for &port in &ports {
                out.push(Probe {
                    category,
                    src: src.clone(),
                    dst,
                    proto,
                    port,
                    exit_node: exit_node.clone(),
                });
            }
        }
        out.push(Probe {
            category,
            src,
            dst,
            proto: icmp_for(dst),
            port: 0,
            exit_node,
        });
    };

    // Advertised routes, default routes excluded, without duplicates (HA routers share one).
    let mut routes: BTreeSet<Prefix> = BTreeSet::new();
    for n in c.nodes.values() {
        routes.extend(n.routable.iter().filter(|p| !p.is_default()));
    }
    let exits: Vec<&Node> = c
        .nodes
        .values()
        .filter(|n| n.advertises_exit(false) || n.advertises_exit(true))
        .collect();

    for s in c.nodes.values() {
        for d in c.nodes.values() {
            if s.name == d.name {
                continue; // own traffic never reaches the Tailscale filter (loopback).
            }
            add(&mut out, "node-v4", Src::Node(s.name.clone()), d.ipv4, None);
            add(&mut out, "node-v6", Src::Node(s.name.clone()), d.ipv6, None);
        }
        for r in &routes {
            // A router reaching its own LAN does not cross the tailnet.
            if on_lan_of(s, r.probe_addr()) {
                continue;
            }
            add(
                &mut out,
                "subnet",
                Src::Node(s.name.clone()),
                r.probe_addr(),
                None,
            );
        }
        for e in &exits {
            if e.name == s.name {
                continue;
            }
            for v6 in [false, true] {
                if !e.advertises_exit(v6) {
                    continue;
                }
                let public = if v6 {
                    IpAddr::V6(PUBLIC_V6)
                } else {
                    IpAddr::V4(PUBLIC_V4)
                };
                add(
                    &mut out,
                    "exit",
                    Src::Node(s.name.clone()),
                    public,
                    Some(e.name.clone()),
                );
                if let Some(private) = uncovered_private(c, v6) {
                    add(
                        &mut out,
                        "exit-private",
                        Src::Node(s.name.clone()),
                        private,
                        Some(e.name.clone()),
                    );
                }
            }
        }
    }

    // Hosts behind routers as sources: to every node of their family, and to other routes.
    for r in &routes {
        let a = r.probe_addr();
        let Some(router) = c.router_of(a) else {
            continue;
        }; // advertised but not enabled anywhere
        let router = router.name.clone();
        for d in c.nodes.values() {
            if d.name != router {
                add(
                    &mut out,
                    "subnet-src",
                    Src::Addr(a),
                    d.addr(a.is_ipv6()),
                    None,
                );
            }
        }
        for r2 in &routes {
            let b = r2.probe_addr();
            // Same family, and not on the forwarding router's own LAN (that stays local).
            if b.is_ipv4() == a.is_ipv4() && !on_lan_of(&c.nodes[&router], b) {
                add(&mut out, "subnet-src", Src::Addr(a), b, None);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captures() -> Option<&'static [Capture]> {
        super::all()
    }

    fn get<'a>(cs: &'a [Capture], id: &str) -> &'a Capture {
        cs.iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("capture {id} not in the file"))
    }

    fn v4(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn prefixes() {
        let p = Prefix::parse("10.33.0.0/16").unwrap();
        assert!(p.contains(v4("10.33.255.1")));
        assert!(!p.contains(v4("10.34.0.1")));
        assert!(!p.contains("fd7a:115c:a1e0::1".parse().unwrap()));
        assert!(Prefix::parse("0.0.0.0/0").unwrap().contains(v4("8.8.8.8")));
        assert!(!Prefix::parse("0.0.0.0/0")
            .unwrap()
            .contains("2001::1".parse().unwrap()));
        assert!(Prefix::parse("fd7a:115c:a1e0::/48")
            .unwrap()
            .contains("fd7a:115c:a1e0::5937:3457".parse().unwrap()));
        assert_eq!(
            Prefix::parse("10.33.0.0/16").unwrap().probe_addr(),
            v4("10.33.0.1")
        );
        assert_eq!(
            Prefix::parse("10.0.0.7/32").unwrap().probe_addr(),
            v4("10.0.0.7")
        );
        assert!(Prefix::parse("10.0.0.0/33").is_err());
    }

    #[test]
    fn filter_semantics() {
        let m = Match {
            protos: vec![TCP],
            srcs: vec![Prefix::parse("100.64.0.1/32").unwrap()],
            dsts: vec![(Prefix::parse("100.64.0.2/32").unwrap(), 443, 443)],
        };
        let (s, d) = (v4("100.64.0.1"), v4("100.64.0.2"));
        assert!(run_in(std::slice::from_ref(&m), s, d, TCP, 443));
        assert!(!run_in(std::slice::from_ref(&m), s, d, TCP, 444));
        assert!(!run_in(std::slice::from_ref(&m), s, d, UDP, 443));
        // ICMP rides on any open port, even of a TCP-only rule.
        assert!(run_in(std::slice::from_ref(&m), s, d, ICMP4, 0));
        assert!(!run_in(
            std::slice::from_ref(&m),
            v4("100.64.0.9"),
            d,
            ICMP4,
            0
        ));
        // Other protocols need the protocol and all ports.
        assert!(!run_in(&[m], s, d, 47, 0));
    }

    #[test]
    fn acl_a01_members_reach_everything() {
        let Some(cs) = captures() else { return };
        let c = get(cs, "acl-a01");
        // src autogroup:member, dst *:* — every untagged node reaches every other node on every
        // port, and tagged nodes reach nothing.
        for s in c.nodes.values() {
            for d in c.nodes.values() {
                if s.name == d.name {
                    continue;
                }
                for &(proto, port) in &[(TCP, 1u16), (UDP, 65535), (ICMP4, 0)] {
                    let a = c.verdict(&Src::Node(s.name.clone()), d.ipv4, proto, port, None);
                    assert_eq!(
                        a.verdict.accepted(),
                        Some(s.user.is_some()),
                        "{} -> {} {proto}/{port}: {a:?}",
                        s.name,
                        d.name
                    );
                }
            }
        }
        // Members reach the approved subnet through squirtle.
        let a = c.verdict(
            &Src::Node("bulbasaur".into()),
            v4("10.33.0.1"),
            TCP,
            22,
            None,
        );
        assert_eq!(
            (a.verdict, a.receiver.as_deref()),
            (Verdict::Accept, Some("squirtle"))
        );
        // The exit node's routes are not approved: no route to the internet.
        let a = c.verdict(
            &Src::Node("bulbasaur".into()),
            v4("8.8.8.8"),
            TCP,
            443,
            None,
        );
        assert_eq!(a.verdict, Verdict::NoRoute);
    }

    #[test]
    fn routes_b17_internet_only_for_odin() {
        let Some(cs) = captures() else { return };
        let c = get(cs, "routes-b17-autogroup-internet-with-exit-autoapprover");
        let pub4 = IpAddr::V4(PUBLIC_V4);
        for exit in ["charmander", "wartortle"] {
            let a = c.verdict(&Src::Node("bulbasaur".into()), pub4, TCP, 443, Some(exit));
            assert_eq!(a.verdict, Verdict::Accept, "{exit}: {a:?}");
        }
        // Private space is not part of autogroup:internet.
        let a = c.verdict(
            &Src::Node("bulbasaur".into()),
            v4("192.168.254.1"),
            TCP,
            443,
            Some("charmander"),
        );
        assert_eq!(a.verdict, Verdict::Drop);
        // thor's node has no exit route in its netmap.
        let a = c.verdict(&Src::Node("ivysaur".into()), pub4, TCP, 443, None);
        assert_eq!(a.verdict, Verdict::NoRoute);
    }

    #[test]
    fn grant_j1_tcp_22_only_but_ping_rides_on_it() {
        let Some(cs) = captures() else { return };
        let c = get(cs, "grant-j1");
        let s = Src::Node("bulbasaur".into());
        for v6 in [false, true] {
            let d = c.nodes["beedrill"].addr(v6);
            let check = |proto, port, want: bool| {
                let a = c.verdict(&s, d, proto, port, None);
                assert_eq!(
                    a.verdict.accepted(),
                    Some(want),
                    "{d} {proto}/{port}: {a:?}"
                );
            };
            check(TCP, 22, true);
            check(TCP, 23, false);
            check(TCP, 21, false);
            check(UDP, 22, false);
            // wgengine/filter: ICMP needs only an open port of the destination, any protocol.
            check(icmp_for(d), 0, true);
        }
    }

    #[test]
    fn grant_k6_danger_all_admits_any_address() {
        let Some(cs) = captures() else { return };
        let c = get(cs, "grant-k6");
        for (src, v6) in [("203.0.113.7", false), ("2001:db8::7", true)] {
            let d = c.nodes["beedrill"].addr(v6);
            let a = c.verdict(&Src::Addr(src.parse().unwrap()), d, TCP, 22, None);
            assert_eq!(a.verdict, Verdict::Accept, "{src}: {a:?}");
        }
    }

    #[test]
    fn routes_f10_subnet_to_subnet() {
        let Some(cs) = captures() else { return };
        let c = get(cs, "routes-f10-subnet-to-subnet-issue3157");
        // subnet_a (192.168.1.0/24, behind metapod/butterfree) -> subnet_b (172.16.0.0/24, wartortle)
        let a = c.verdict(
            &Src::Addr(v4("192.168.1.1")),
            v4("172.16.0.1"),
            TCP,
            80,
            None,
        );
        assert_eq!(
            (a.verdict, a.receiver.as_deref()),
            (Verdict::Accept, Some("wartortle"))
        );
        // Not the other way round.
        let a = c.verdict(
            &Src::Addr(v4("172.16.0.1")),
            v4("192.168.1.1"),
            TCP,
            80,
            None,
        );
        assert_eq!(a.verdict.accepted(), Some(false), "{a:?}");
    }

    #[test]
    fn acl_u10_empty_group_admits_nothing() {
        let Some(cs) = captures() else { return };
        let c = get(cs, "acl-u10");
        for p in probes(c) {
            let a = c.verdict(&p.src, p.dst, p.proto, p.port, p.exit_node.as_deref());
            assert_ne!(a.verdict, Verdict::Accept, "{p:?}");
        }
    }

    #[test]
    fn routes_b18_subnet_hosts_use_the_exit_node() {
        let Some(cs) = captures() else { return };
        let c = get(
            cs,
            "routes-b18-autogroup-internet-wildcard-src-with-exit-autoapprover",
        );
        // `*` includes approved subnets, so a host behind squirtle reaches the internet via an exit.
        let a = c.verdict(
            &Src::Addr(v4("10.33.0.9")),
            IpAddr::V4(PUBLIC_V4),
            TCP,
            443,
            None,
        );
        assert_eq!(a.verdict, Verdict::Accept, "{a:?}");
    }

    #[test]
    fn every_accepted_capture_parses_and_probes() {
        let Some(cs) = captures() else { return };
        let mut n = 0;
        for c in cs
            .iter()
            .filter(|c| matches!(c.category.as_str(), "acl" | "grant" | "routes"))
        {
            if usable(c).is_err() {
                continue;
            }
            for p in probes(c) {
                let a = c.verdict(&p.src, p.dst, p.proto, p.port, p.exit_node.as_deref());
                if let Verdict::Unknown(why) = &a.verdict {
                    // Only uncaptured nodes may leave a probe unanswered.
                    assert!(why.contains("not captured"), "{} {p:?}: {why}", c.id);
                }
                n += 1;
            }
        }
        assert!(n > 0);
    }
}
