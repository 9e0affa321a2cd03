//! Figures for the access engine on generated tailnets (not a test of correctness; ignored by
//! default):
//!
//! ```sh
//! cargo test --release -p tailscale-policy --test access_bench -- --ignored --nocapture
//! ```
//!
//! The budgets (measured in wasm under Node later): 10,000 devices and 1,000 rules with groups,
//! tags, hosts and postures: build ≤ 250 ms, one reach ≤ 20 µs, whoCanReach for one
//! destination and port ≤ 20 ms, diff of two such policies ≤ 1 s. And 100,000 devices with
//! 10,000 rules must finish without a hang or a trap.

use serde_json::{json, Value};
use std::time::Instant;
use tailscale_policy::access::{AccessModel, Query, QueryKind};

/// A small deterministic generator (no dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

pub struct Tailnet {
    pub devices: Value,
    pub users: Value,
    pub attributes: Value,
    pub users_n: usize,
    pub groups: usize,
    pub tags: usize,
    pub hosts: usize,
}

fn addr4(i: usize) -> String {
    format!("100.{}.{}.{}", 64 + (i >> 16) % 64, (i >> 8) & 255, i & 255)
}

pub fn tailnet(n: usize, seed: u64) -> Tailnet {
    let mut r = Rng(seed);
    let users_n = (n / 5).max(10);
    let tags = (n / 50).clamp(10, 1000);
    let mut devices = Vec::with_capacity(n);
    let mut attributes = serde_json::Map::new();
    for i in 0..n {
        let id = format!("n{i}");
        let mut d = json!({
            "nodeId": id, "name": format!("host{i}"),
            "addresses": [addr4(i + 1), format!("fd7a:115c:a1e0::{:x}:{:x}", (i + 1) >> 16, (i + 1) & 0xffff)],
            "user": format!("u{}@example.com", r.below(users_n)),
        });
        if i % 10 < 3 {
            d["tags"] = json!([format!("tag:t{}", r.below(tags))]);
        }
        if i < 20 {
            d["tags"] = json!(["tag:router"]);
            d["enabledRoutes"] = json!([format!("10.{i}.0.0/16")]);
            d["advertisedRoutes"] = json!([format!("10.{i}.0.0/16")]);
        } else if i < 22 {
            d["tags"] = json!(["tag:exit"]);
            d["enabledRoutes"] = json!(["0.0.0.0/0", "::/0"]);
        }
        if i % 7 != 0 {
            let (tier, os) = (
                ["gold", "silver"][i % 2],
                ["macos", "linux", "windows"][i % 3],
            );
            attributes.insert(
                id,
                json!({"custom:tier": tier, "node:os": os, "node:tsVersion": "1.62.0"}),
            );
        }
        devices.push(d);
    }
    let users: Vec<Value> = (0..users_n)
        .map(|u| json!({"loginName": format!("u{u}@example.com"), "role": if u % 50 == 0 { "admin" } else { "member" }, "type": "member"}))
        .collect();
    Tailnet {
        devices: Value::Array(devices),
        users: Value::Array(users),
        attributes: Value::Object(attributes),
        users_n,
        groups: (n / 100).clamp(10, 1000),
        tags,
        hosts: 100,
    }
}

/// A policy of `rules` rules over the tailnet; `variant` changes a share of them.
pub fn policy(t: &Tailnet, rules: usize, seed: u64, variant: u64) -> String {
    let mut r = Rng(seed);
    let mut groups = serde_json::Map::new();
    for g in 0..t.groups {
        let members: Vec<String> = (0..20 + r.below(30))
            .map(|_| format!("u{}@example.com", r.below(t.users_n)))
            .collect();
        groups.insert(format!("group:g{g}"), json!(members));
    }
    let mut owners = serde_json::Map::new();
    for i in 0..t.tags {
        owners.insert(format!("tag:t{i}"), json!([]));
    }
    owners.insert("tag:router".into(), json!([]));
    owners.insert("tag:exit".into(), json!([]));
    let mut hosts = serde_json::Map::new();
    for h in 0..t.hosts {
        let v = if h % 2 == 0 {
            addr4(r.below(t.devices.as_array().map_or(1, Vec::len)) + 1)
        } else {
            format!("10.{}.{}.0/24", r.below(20), r.below(255))
        };
        hosts.insert(format!("h{h}"), json!(v));
    }
    let mut change = Rng(seed ^ variant.wrapping_mul(0x9e37_79b9));
    // Shares of selector kinds as a large tailnet's policy might have them: mostly groups and
    // tags, few rules open to everyone or to the internet.
    let src = |r: &mut Rng| -> String {
        match r.below(100) {
            0 | 1 => "*".into(),
            2..=4 => "autogroup:member".into(),
            5..=44 => format!("group:g{}", r.below(t.groups)),
            45..=79 => format!("tag:t{}", r.below(t.tags)),
            80..=94 => format!("u{}@example.com", r.below(t.users_n)),
            _ => format!("h{}", r.below(t.hosts)),
        }
    };
    let dst = |r: &mut Rng| -> String {
        match r.below(100) {
            0..=4 => "autogroup:self".into(),
            5..=64 => format!("tag:t{}", r.below(t.tags)),
            65..=74 => format!("group:g{}", r.below(t.groups)),
            75..=97 => format!("h{}", r.below(t.hosts)),
            _ => "autogroup:internet".into(),
        }
    };
    let mut grants = Vec::new();
    let mut acls = Vec::new();
    for i in 0..rules {
        // Variant 1 drops about 2.5 % of the rules and changes the ports of 5 %; variant 2
        // changes the ports of ten rules.
        let drop_it = variant == 1 && change.below(40) == 0;
        let alter = (variant == 1 && change.below(20) == 0)
            || (variant == 2 && i % (rules / 10).max(1) == 7);
        let mut s: Vec<String> = (0..1 + r.below(3)).map(|_| src(&mut r)).collect();
        let mut d: Vec<String> = (0..1 + r.below(2)).map(|_| dst(&mut r)).collect();
        if d.iter().any(|x| x == "autogroup:self") {
            // autogroup:self takes users, groups and autogroup:member only.
            d = vec!["autogroup:self".into()];
            s = vec![
                format!("group:g{}", r.below(t.groups)),
                "autogroup:member".into(),
            ];
        }
        let port = ["tcp:443", "22", "80-90", "*", "udp:53", "tcp:5432"][r.below(6)];
        let port = if alter { "tcp:8000-8100" } else { port };
        let posture = r.below(5) == 0;
        if drop_it {
            continue;
        }
        if i % 5 < 3 {
            let mut g = json!({"src": s, "dst": d, "ip": [port]});
            if posture {
                g["srcPosture"] = json!(["posture:gold"]);
            }
            grants.push(g);
        } else {
            let ports = port.rsplit(':').next().unwrap_or("*");
            let dsts: Vec<String> = d.iter().map(|x| format!("{x}:{ports}")).collect();
            acls.push(json!({"action": "accept", "src": s, "dst": dsts}));
        }
    }
    serde_json::to_string_pretty(&json!({
        "groups": groups, "tagOwners": owners, "hosts": hosts,
        "postures": {"posture:gold": ["custom:tier == 'gold'", "node:tsVersion >= '1.60'"], "posture:mac": ["node:os == 'macos'"]},
        "grants": grants, "acls": acls,
    }))
    .unwrap()
}

/// The best of `runs` runs: the machine is shared, and the slower runs measure the others.
fn timed<T>(what: &str, runs: usize, mut f: impl FnMut() -> T) -> T {
    let mut best = f64::MAX;
    let mut value = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        value = Some(f());
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("{what:<48} {best:>10.2} ms (best of {runs})");
    value.unwrap()
}

fn figures(n: usize, rules: usize, queries: usize, big_edit: bool) {
    println!("--- {n} devices, {rules} rules ---");
    let t = tailnet(n, 7);
    let a = policy(&t, rules, 11, 0);
    let b = policy(&t, rules, 11, 1);
    let c = policy(&t, rules, 11, 2);
    let (d, u, at) = (&t.devices, &t.users, &t.attributes);
    let m = timed("build", 3, || {
        AccessModel::build(&a, &d, Some(&u), Some(&at))
            .map_err(|e| e.len())
            .unwrap()
    });
    assert!(
        m.issues().is_empty(),
        "{:?}",
        m.issues().iter().take(3).collect::<Vec<_>>()
    );
    let m2 = timed("build (second policy)", 1, || {
        AccessModel::build(&b, &d, Some(&u), Some(&at))
            .map_err(|e| e.len())
            .unwrap()
    });
    let mut rng = Rng(3);
    let qs: Vec<Query> = (0..queries)
        .map(|_| {
            let proto = ["tcp", "udp", "icmp"][rng.below(3)];
            let port = [22, 443, 53, 85, 5432][rng.below(5)];
            Query::parse(
                &json!({"src": format!("n{}", rng.below(n)), "dst": addr4(rng.below(n) + 1), "proto": proto, "port": port}),
                QueryKind::Reach,
            )
            .unwrap()
        })
        .collect();
    let (mut per, mut accepted) = (f64::MAX, 0);
    for _ in 0..3 {
        let start = Instant::now();
        accepted = 0;
        for q in &qs {
            let v = m.reach(q).unwrap().verdict;
            accepted += usize::from(v == tailscale_policy::access::Outcome::Accept);
        }
        per = per.min(start.elapsed().as_secs_f64() * 1e6 / qs.len() as f64);
    }
    println!(
        "{:<48} {per:>10.2} µs ({accepted} of {} accepted; best mean of 3)",
        "reach (mean)",
        qs.len()
    );
    for (dst, port) in [
        ("n100", 443),
        ("n5000", 22),
        ("10.3.0.9", 22),
        ("8.8.8.8", 443),
    ] {
        if dst.starts_with('n') && dst[1..].parse::<usize>().unwrap() >= n {
            continue;
        }
        let q = Query::parse(
            &json!({"dst": dst, "proto": "tcp", "port": port}),
            QueryKind::WhoCanReach,
        )
        .unwrap();
        let who = timed(&format!("whoCanReach {dst} tcp:{port}"), 5, || {
            m.who_can_reach(&q).unwrap()
        });
        println!("{:<48} {:>10} sources", "", who.len());
    }
    // At 100,000 devices the answer to a broad edit alone is tens of millions of sources.
    if big_edit {
        let changes = timed("diff (7.5 % of the rules edited)", 1, || {
            AccessModel::diff(&m, &m2).unwrap()
        });
        let sources: usize = changes.iter().map(|c| c.src.len()).sum();
        println!(
            "{:<48} {:>10} changes, {sources} sources in all",
            "",
            changes.len()
        );
    }
    let m3 = AccessModel::build(&c, &d, Some(&u), Some(&at))
        .map_err(|e| e.len())
        .unwrap();
    let changes = timed("diff (10 rules edited)", 3, || {
        AccessModel::diff(&m, &m3).unwrap()
    });
    let sources: usize = changes.iter().map(|c| c.src.len()).sum();
    println!(
        "{:<48} {:>10} changes, {sources} sources in all",
        "",
        changes.len()
    );
    let same = timed("diff (identical)", 3, || AccessModel::diff(&m, &m).unwrap());
    assert!(same.is_empty());
}

#[test]
#[ignore = "figures, not a check: run with --release --ignored --nocapture"]
fn ten_thousand_devices_a_thousand_rules() {
    figures(10_000, 1_000, 20_000, true);
}

#[test]
#[ignore = "figures, not a check: run with --release --ignored --nocapture"]
fn a_hundred_thousand_devices_ten_thousand_rules() {
    figures(100_000, 10_000, 2_000, false);
}
