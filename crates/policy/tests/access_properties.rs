//! Properties of the access engine over random policies on a small fixed tailnet: rule order
//! counts for nothing; adding a rule never takes access away; an ACL and the grant it means
//! reach the same; `diff(A, A)` is empty and `diff(B, A)` is `diff(A, B)` with gained and lost
//! swapped.

use proptest::prelude::*;
use serde_json::{json, Value};
use tailscale_policy::access::{
    AccessChange, AccessModel, Change, Endpoint, Outcome, Query, QueryKind,
};

fn devices() -> Value {
    json!([
        {"nodeId": "laptop", "user": "alice@example.com", "addresses": ["100.64.0.1", "fd7a:115c:a1e0::1"]},
        {"nodeId": "phone", "user": "alice@example.com", "addresses": ["100.64.0.2", "fd7a:115c:a1e0::2"]},
        {"nodeId": "bob", "user": "bob@example.com", "addresses": ["100.64.0.3", "fd7a:115c:a1e0::3"]},
        {"nodeId": "prod1", "tags": ["tag:prod"], "addresses": ["100.64.0.10", "fd7a:115c:a1e0::a"]},
        {"nodeId": "prod2", "tags": ["tag:prod", "tag:db"], "addresses": ["100.64.0.11", "fd7a:115c:a1e0::b"]},
        {"nodeId": "router", "tags": ["tag:router"], "addresses": ["100.64.0.20", "fd7a:115c:a1e0::14"],
         "enabledRoutes": ["10.0.0.0/24"], "advertisedRoutes": ["10.0.0.0/24"]},
        {"nodeId": "exit", "tags": ["tag:exit"], "addresses": ["100.64.0.30", "fd7a:115c:a1e0::1e"],
         "enabledRoutes": ["0.0.0.0/0", "::/0"], "advertisedRoutes": ["0.0.0.0/0", "::/0"]}
    ])
}

const SRC: &[&str] = &[
    "*",
    "autogroup:member",
    "autogroup:tagged",
    "group:eng",
    "tag:prod",
    "tag:db",
    "alice@example.com",
    "bob@example.com",
    "100.64.0.0/28",
    "lan",
    "fd7a:115c:a1e0::3",
];
const DST: &[&str] = &[
    "*",
    "tag:prod",
    "tag:db",
    "group:eng",
    "lan",
    "autogroup:internet",
    "autogroup:member",
    "100.64.0.1",
    "10.0.0.128/25",
    "bob@example.com",
];
const IP: &[&str] = &[
    "*",
    "22",
    "80-90",
    "tcp:443",
    "udp:53",
    "icmp:*",
    "tcp:20-25",
    "sctp:9",
];

#[derive(Debug, Clone)]
struct Grant {
    src: Vec<&'static str>,
    dst: Vec<&'static str>,
    ip: Vec<&'static str>,
}

impl Grant {
    fn json(&self) -> Value {
        json!({"src": self.src, "dst": self.dst, "ip": self.ip})
    }
}

fn plain_grant() -> impl Strategy<Value = Grant> {
    (
        prop::sample::subsequence(SRC, 1..3),
        prop::sample::subsequence(DST, 1..3),
        prop::sample::subsequence(IP, 1..3),
    )
        .prop_map(|(src, dst, ip)| Grant { src, dst, ip })
}

/// `autogroup:self` takes users, groups and autogroup:member as sources.
fn self_grant() -> impl Strategy<Value = Grant> {
    (
        prop::sample::subsequence(
            &[
                "autogroup:member",
                "group:eng",
                "alice@example.com",
                "bob@example.com",
            ][..],
            1..3,
        ),
        prop::sample::subsequence(IP, 1..3),
    )
        .prop_map(|(src, ip)| Grant {
            src,
            dst: vec!["autogroup:self"],
            ip,
        })
}

fn grant() -> impl Strategy<Value = Grant> {
    prop_oneof![4 => plain_grant(), 1 => self_grant()]
}

fn policy(grants: &[Grant]) -> String {
    json!({
        "groups": {"group:eng": ["alice@example.com", "bob@example.com"]},
        "tagOwners": {"tag:prod": [], "tag:db": [], "tag:router": [], "tag:exit": []},
        "hosts": {"lan": "10.0.0.0/24"},
        "grants": grants.iter().map(Grant::json).collect::<Vec<_>>(),
    })
    .to_string()
}

fn model(text: &str) -> AccessModel {
    let d = devices();
    let m = AccessModel::build(text, &&d, None, None).unwrap();
    assert!(m.issues().is_empty(), "{:?} in {text}", m.issues());
    m
}

/// Every source to every destination on a few packets: the verdicts, in order.
fn verdicts(m: &AccessModel) -> Vec<Outcome> {
    let srcs = [
        "laptop", "phone", "bob", "prod1", "prod2", "router", "exit", "10.0.0.7",
    ];
    let dsts = [
        "laptop",
        "phone",
        "bob",
        "prod1",
        "prod2",
        "router",
        "exit",
        "100.64.0.1",
        "fd7a:115c:a1e0::a",
        "10.0.0.7",
        "10.0.0.200",
        "8.8.8.8",
        "2001:db8::1",
        "192.168.1.1",
    ];
    let packets = [
        ("tcp", 22),
        ("tcp", 443),
        ("tcp", 85),
        ("udp", 53),
        ("icmp", 0),
        ("sctp", 9),
        ("tcp", 0),
    ];
    let mut out = Vec::new();
    for s in srcs {
        for d in dsts {
            for (proto, port) in packets {
                let q = Query::parse(
                    &json!({"src": s, "dst": d, "proto": proto, "port": port}),
                    QueryKind::Reach,
                )
                .unwrap();
                out.push(m.reach(&q).unwrap().verdict);
            }
        }
    }
    out
}

/// Whether a change lists `src` reaching `dst` (a device, or one of its addresses) with
/// `proto` on `port`.
fn covers(c: &AccessChange, src: &str, dst: &str, addr: &str, proto: &str, port: u16) -> bool {
    let to = match &c.dst {
        Endpoint::Device(d) => d.node_id == dst,
        Endpoint::Address(a) => a == addr,
    };
    let on_port = c.ports == "*"
        || c.ports.split(',').any(|r| {
            let (lo, hi) = r.split_once('-').unwrap_or((r, r));
            lo.parse::<u16>().unwrap() <= port && port <= hi.parse::<u16>().unwrap()
        });
    to && c.proto == proto && on_port && c.src.iter().any(|s| s.node_id == src)
}

fn swapped(changes: &[AccessChange]) -> Vec<AccessChange> {
    let mut out: Vec<AccessChange> = changes
        .iter()
        .map(|c| AccessChange {
            change: match c.change {
                Change::Gained => Change::Lost,
                Change::Lost => Change::Gained,
            },
            ..c.clone()
        })
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn rule_order_changes_no_verdict(grants in prop::collection::vec(grant(), 1..6), seed in any::<u64>()) {
        let mut shuffled = grants.clone();
        // A rotation, and its reversal: 2n of the n! orders, drawn afresh for each case.
        let k = (seed as usize) % shuffled.len();
        shuffled.rotate_left(k);
        if seed & 1 == 1 {
            shuffled.reverse();
        }
        prop_assert_eq!(verdicts(&model(&policy(&grants))), verdicts(&model(&policy(&shuffled))));
    }

    #[test]
    fn adding_a_rule_never_removes_access(grants in prop::collection::vec(grant(), 0..5), extra in grant()) {
        let before = verdicts(&model(&policy(&grants)));
        let mut more = grants.clone();
        more.push(extra);
        let after = verdicts(&model(&policy(&more)));
        for (b, a) in before.iter().zip(&after) {
            if *b == Outcome::Accept {
                prop_assert_eq!(*a, Outcome::Accept);
            }
        }
    }

    #[test]
    fn an_acl_and_its_grant_reach_the_same(g in grant()) {
        // Each ip entry is one ACL: a bare port or `*` means no proto, `proto:ports` that proto.
        let acls: Vec<Value> = g
            .ip
            .iter()
            .map(|ip| {
                let (proto, ports) = match ip.split_once(':') {
                    Some((p, ports)) => (Some(p), ports),
                    None => (None, *ip),
                };
                let dst: Vec<String> = g.dst.iter().map(|d| format!("{d}:{ports}")).collect();
                let mut acl = json!({"action": "accept", "src": g.src, "dst": dst});
                if let Some(p) = proto {
                    acl["proto"] = json!(p);
                }
                acl
            })
            .collect();
        let as_acls = json!({
            "groups": {"group:eng": ["alice@example.com", "bob@example.com"]},
            "tagOwners": {"tag:prod": [], "tag:db": [], "tag:router": [], "tag:exit": []},
            "hosts": {"lan": "10.0.0.0/24"},
            "acls": acls,
        })
        .to_string();
        prop_assert_eq!(verdicts(&model(&policy(&[g]))), verdicts(&model(&as_acls)));
    }

    #[test]
    fn diff_says_what_reach_says(a in prop::collection::vec(grant(), 0..4), b in prop::collection::vec(grant(), 0..4)) {
        let (ma, mb) = (model(&policy(&a)), model(&policy(&b)));
        let changes = AccessModel::diff(&ma, &mb).unwrap();
        let devices = ["laptop", "phone", "bob", "prod1", "prod2", "router", "exit"];
        let addresses = [
            ("laptop", ["100.64.0.1", "fd7a:115c:a1e0::1"]), ("phone", ["100.64.0.2", "fd7a:115c:a1e0::2"]),
            ("bob", ["100.64.0.3", "fd7a:115c:a1e0::3"]), ("prod1", ["100.64.0.10", "fd7a:115c:a1e0::a"]),
            ("prod2", ["100.64.0.11", "fd7a:115c:a1e0::b"]), ("router", ["100.64.0.20", "fd7a:115c:a1e0::14"]),
            ("exit", ["100.64.0.30", "fd7a:115c:a1e0::1e"]),
        ];
        for src in devices {
            for (dst, addrs) in addresses {
                if src == dst {
                    continue;
                }
                for addr in addrs {
                    for (proto, port) in [("tcp", 22u16), ("tcp", 443), ("tcp", 85), ("tcp", 0), ("udp", 53), ("icmp", 0), ("sctp", 9)] {
                        let q = Query::parse(&json!({"src": src, "dst": addr, "proto": proto, "port": port}), QueryKind::Reach).unwrap();
                        let (va, vb) = (ma.reach(&q).unwrap().verdict, mb.reach(&q).unwrap().verdict);
                        let listed = |kind: Change| changes.iter().any(|c| c.change == kind && !c.indeterminate && covers(c, src, dst, addr, proto, port));
                        let what = format!("{src} -> {addr} {proto}:{port}: {va:?} then {vb:?}; {changes:?}");
                        match (va, vb) {
                            (Outcome::Drop, Outcome::Accept) => prop_assert!(listed(Change::Gained), "{}", what),
                            (Outcome::Accept, Outcome::Drop) => prop_assert!(listed(Change::Lost), "{}", what),
                            (x, y) if x == y && x != Outcome::Indeterminate => {
                                prop_assert!(!listed(Change::Gained) && !listed(Change::Lost), "{}", what)
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn diff_is_empty_for_one_policy_and_antisymmetric(a in prop::collection::vec(grant(), 0..4), b in prop::collection::vec(grant(), 0..4)) {
        let (ma, mb) = (model(&policy(&a)), model(&policy(&b)));
        prop_assert!(AccessModel::diff(&ma, &ma).unwrap().is_empty());
        let ab = AccessModel::diff(&ma, &mb).unwrap();
        let ba = AccessModel::diff(&mb, &ma).unwrap();
        prop_assert_eq!(ba, swapped(&ab));
    }
}
