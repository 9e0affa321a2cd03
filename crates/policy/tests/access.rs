//! The access engine on a small hand-made tailnet: each selector kind, ipsets, postures
//! (`srcPosture`, `defaultSrcPosture`, `srcPosture: []`), routes and exit nodes, `whoCanReach`,
//! `gated`, `runTests` wording, `diff` grouping, and bad input.

use serde_json::{json, Value};
use tailscale_policy::access::{
    AccessChange, AccessModel, Change, Endpoint, Outcome, Query, QueryKind, Section, Verdict,
};

fn devices() -> Value {
    json!([
        {"nodeId": "n-laptop", "name": "laptop", "user": "alice@example.com",
         "addresses": ["100.64.0.1", "fd7a:115c:a1e0::1"]},
        {"nodeId": "n-phone", "name": "phone", "user": "alice@example.com",
         "addresses": ["100.64.0.2", "fd7a:115c:a1e0::2"]},
        {"nodeId": "n-bob", "name": "bob-pc", "user": "bob@example.com",
         "addresses": ["100.64.0.3", "fd7a:115c:a1e0::3"]},
        {"nodeId": "n-prod1", "name": "prod1", "user": "alice@example.com", "tags": ["tag:prod"],
         "addresses": ["100.64.0.10", "fd7a:115c:a1e0::a"]},
        {"nodeId": "n-prod2", "name": "prod2", "tags": ["tag:prod"],
         "addresses": ["100.64.0.11", "fd7a:115c:a1e0::b"]},
        {"nodeId": "n-router", "name": "router", "tags": ["tag:router"],
         "addresses": ["100.64.0.20", "fd7a:115c:a1e0::14"],
         "enabledRoutes": ["10.0.0.0/24"], "advertisedRoutes": ["10.0.0.0/24", "10.9.0.0/16"]},
        {"nodeId": "n-exit", "name": "exit", "tags": ["tag:exit"],
         "addresses": ["100.64.0.30", "fd7a:115c:a1e0::1e"],
         "enabledRoutes": ["0.0.0.0/0", "::/0"], "advertisedRoutes": ["0.0.0.0/0", "::/0"]},
        {"nodeId": "n-guest", "name": "guest", "user": "carol@other.com", "isExternal": true,
         "addresses": ["100.64.0.40"]}
    ])
}

fn users() -> Value {
    json!([
        {"loginName": "alice@example.com", "role": "admin", "type": "member"},
        {"loginName": "bob@example.com", "role": "member", "type": "member"},
        {"loginName": "dave@example.com", "role": "auditor", "type": "member"}
    ])
}

fn attributes() -> Value {
    json!({
        "n-laptop": {"custom:tier": "gold", "node:os": "macos"},
        "n-phone": {"node:os": "ios"},
        "n-prod1": {}, "n-prod2": {}, "n-router": {}, "n-exit": {}, "n-guest": {}
    })
}

fn model(policy: &str) -> AccessModel {
    let (d, u, a) = (devices(), users(), attributes());
    AccessModel::build(policy, &&d, Some(&&u), Some(&&a)).unwrap()
}

fn ask(m: &AccessModel, src: &str, dst: &str, proto: Value, port: Option<u16>) -> Verdict {
    let mut q = json!({"src": src, "dst": dst, "proto": proto});
    if let Some(p) = port {
        q["port"] = json!(p);
    }
    m.reach(&Query::parse(&q, QueryKind::Reach).unwrap())
        .unwrap()
}

fn tcp(m: &AccessModel, src: &str, dst: &str, port: u16) -> Outcome {
    ask(m, src, dst, json!("tcp"), Some(port)).verdict
}

const BASE: &str = r#"{
  // Groups, tags and hosts.
  "groups": {"group:eng": ["alice@example.com", "bob@example.com"], "group:none": []},
  "tagOwners": {"tag:prod": [], "tag:router": [], "tag:exit": []},
  "hosts": {"db": "100.64.0.10", "lan": "10.0.0.0/24"},
  "grants": [
    {"src": ["group:eng"], "dst": ["tag:prod"], "ip": ["tcp:443"]},
    {"src": ["autogroup:member"], "dst": ["autogroup:internet"], "ip": ["*"]},
  ],
  "acls": [
    {"action": "accept", "src": ["tag:prod"], "dst": ["tag:prod:5432", "db:22"]},
  ],
}"#;

#[test]
fn users_groups_and_tags() {
    let m = model(BASE);
    assert!(m.issues().is_empty(), "{:?}", m.issues());
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 443), Outcome::Accept);
    assert_eq!(tcp(&m, "n-bob", "100.64.0.11", 443), Outcome::Accept);
    assert_eq!(tcp(&m, "n-bob", "n-prod1", 444), Outcome::Drop);
    // A tagged device belongs to its tags, not to its user (n-prod1's user is alice).
    assert_eq!(tcp(&m, "n-prod1", "n-prod2", 443), Outcome::Drop);
    assert_eq!(tcp(&m, "n-prod1", "n-prod2", 5432), Outcome::Accept);
    // The host alias is one address, v4 only: port 22 on prod1's IPv4, not its IPv6.
    assert_eq!(tcp(&m, "100.64.0.11", "100.64.0.10", 22), Outcome::Accept);
    assert_eq!(
        tcp(&m, "fd7a:115c:a1e0::b", "fd7a:115c:a1e0::a", 22),
        Outcome::Drop
    );
    // By nodeId, both families are asked; the reason says where they differ.
    let v = ask(&m, "n-prod2", "n-prod1", json!("tcp"), Some(22));
    assert_eq!(v.verdict, Outcome::Accept);
    assert!(v.reason.as_deref().unwrap_or("").contains("IPv6"), "{v:?}");
    // The rule references: section, 0-based index, 1-based line.
    let v = ask(&m, "n-laptop", "n-prod1", json!("tcp"), Some(443));
    assert_eq!(v.rules.len(), 1);
    assert_eq!(
        (v.rules[0].section, v.rules[0].index, v.rules[0].line),
        (Section::Grants, 0, 7)
    );
}

#[test]
fn protocols_and_ping() {
    let m = model(BASE);
    // A tcp-only grant still lets ping through (any open port), not UDP.
    assert_eq!(
        ask(&m, "n-laptop", "n-prod1", json!("icmp"), None).verdict,
        Outcome::Accept
    );
    assert_eq!(
        ask(&m, "n-laptop", "n-prod1", json!("udp"), Some(443)).verdict,
        Outcome::Drop
    );
    assert_eq!(
        ask(&m, "n-laptop", "n-prod1", json!(6), Some(443)).verdict,
        Outcome::Accept
    );
    // An ACL without proto: TCP, UDP and ICMP, not GRE.
    assert_eq!(
        ask(&m, "n-prod1", "n-prod2", json!("udp"), Some(5432)).verdict,
        Outcome::Accept
    );
    assert_eq!(
        ask(&m, "n-prod1", "n-prod2", json!("gre"), None).verdict,
        Outcome::Drop
    );
    // Port 0 is closed under a range that starts at 1, open under "*".
    let m = model(
        r#"{"grants": [{"src": ["*"], "dst": ["*"], "ip": ["1-65535"]}, {"src": ["*"], "dst": ["tag:prod"], "ip": ["*"]}], "tagOwners": {"tag:prod": []}}"#,
    );
    assert_eq!(tcp(&m, "n-laptop", "n-bob", 0), Outcome::Drop);
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 0), Outcome::Accept);
    // A port-less protocol needs every port open.
    let m = model(
        r#"{"acls": [{"action": "accept", "src": ["*"], "proto": "gre", "dst": ["*:*"]}, {"action": "accept", "src": ["*"], "proto": "esp", "dst": ["*:22"]}]}"#,
    );
    assert_eq!(
        ask(&m, "n-laptop", "n-bob", json!("gre"), None).verdict,
        Outcome::Accept
    );
    assert_eq!(
        ask(&m, "n-laptop", "n-bob", json!("esp"), None).verdict,
        Outcome::Drop
    );
    assert_eq!(tcp(&m, "n-laptop", "n-bob", 22), Outcome::Drop);
    // Ping rides on the GRE rule's ports too.
    assert_eq!(
        ask(&m, "n-laptop", "n-bob", json!("icmp"), None).verdict,
        Outcome::Accept
    );
}

#[test]
fn autogroups() {
    let m = model(
        r#"{"tagOwners": {"tag:prod": []},
        "grants": [
          {"src": ["autogroup:member"], "dst": ["autogroup:self"], "ip": ["22"]},
          {"src": ["autogroup:tagged"], "dst": ["autogroup:member"], "ip": ["80"]},
          {"src": ["autogroup:admin"], "dst": ["tag:prod"], "ip": ["8080"]},
          {"src": ["autogroup:auditor"], "dst": ["tag:prod"], "ip": ["9090"]},
          {"src": ["autogroup:danger-all"], "dst": ["tag:prod"], "ip": ["25"]},
          {"src": ["autogroup:shared"], "dst": ["tag:prod"], "ip": ["3000"]},
        ]}"#,
    );
    assert!(m.issues().is_empty(), "{:?}", m.issues());
    // autogroup:self: a user's own devices, never another user's, never a tagged device.
    assert_eq!(tcp(&m, "n-laptop", "n-phone", 22), Outcome::Accept);
    assert_eq!(tcp(&m, "n-bob", "n-phone", 22), Outcome::Drop);
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 22), Outcome::Drop);
    // autogroup:tagged and autogroup:member.
    assert_eq!(tcp(&m, "n-router", "n-bob", 80), Outcome::Accept);
    assert_eq!(tcp(&m, "n-laptop", "n-bob", 80), Outcome::Drop);
    // Roles from the users list: alice is an admin, bob is not; nobody's device is an auditor's.
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 8080), Outcome::Accept);
    assert_eq!(tcp(&m, "n-bob", "n-prod1", 8080), Outcome::Drop);
    assert_eq!(tcp(&m, "n-bob", "n-prod1", 9090), Outcome::Drop);
    // danger-all: any address, inside the tailnet or not.
    assert_eq!(tcp(&m, "203.0.113.9", "n-prod1", 25), Outcome::Accept);
    // autogroup:shared: devices of users outside the tailnet are not listed.
    let v = ask(&m, "100.99.1.1", "n-prod1", json!("tcp"), Some(3000));
    assert_eq!(v.verdict, Outcome::Indeterminate, "{v:?}");
    assert_eq!(tcp(&m, "n-bob", "n-prod1", 3000), Outcome::Drop);
    // Without a users list, a role is indeterminate.
    let d = devices();
    let m = AccessModel::build(r#"{"tagOwners": {"tag:prod": []}, "grants": [{"src": ["autogroup:admin"], "dst": ["tag:prod"], "ip": ["*"]}]}"#, &&d, None, None).unwrap();
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 1), Outcome::Indeterminate);
}

#[test]
fn wildcards_and_unknowable_selectors() {
    let m = model(
        r#"{"tagOwners": {"tag:prod": []}, "hosts": {"lan": "10.0.0.0/24"},
        "grants": [
          {"src": ["*"], "dst": ["tag:prod"], "ip": ["443"]},
          {"src": ["group:eng@example.com"], "dst": ["tag:prod"], "ip": ["444"]},
          {"src": ["user:*@example.com"], "dst": ["tag:prod"], "ip": ["445"]},
          {"src": ["*"], "dst": ["svc:web"], "ip": ["446"]},
          {"src": ["*"], "dst": ["tag:prod"], "ip": ["447"], "future": true},
          {"src": ["autogroup:bogus"], "dst": ["tag:prod"], "ip": ["448"]},
        ]}"#,
    );
    assert!(m.issues().is_empty(), "{:?}", m.issues());
    // `*` is the tailnet's ranges plus approved routes: a host behind the router, not the
    // internet.
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 443), Outcome::Accept);
    assert_eq!(tcp(&m, "10.0.0.5", "n-prod1", 443), Outcome::Accept);
    assert_eq!(tcp(&m, "10.9.0.5", "n-prod1", 443), Outcome::Drop);
    assert_eq!(tcp(&m, "203.0.113.9", "n-prod1", 443), Outcome::Drop);
    // SCIM groups, Services, fields and autogroups of a newer Tailscale: indeterminate, named.
    // (A Service's address is no device's: it goes through the exit node, where only the
    // svc: rule could take it.)
    for (port, word) in [
        (444, "SCIM"),
        (446, "svc:web"),
        (447, "future"),
        (448, "autogroup:bogus"),
    ] {
        let v = ask(
            &m,
            "n-laptop",
            if port == 446 {
                "100.100.50.1"
            } else {
                "n-prod1"
            },
            json!("tcp"),
            Some(port),
        );
        assert_eq!(v.verdict, Outcome::Indeterminate, "{port}: {v:?}");
        assert!(
            v.reason.as_deref().unwrap_or("").contains(word),
            "{port}: {v:?}"
        );
    }
    // user:*@domain: the domain's users (with a warning: the domain must be the tailnet's).
    assert_eq!(tcp(&m, "n-bob", "n-prod1", 445), Outcome::Accept);
    assert!(m
        .warnings()
        .iter()
        .any(|w| w.message.contains("user:*@example.com")));
    assert!(
        m.warnings().iter().any(|w| w.field == "grants[4].future"),
        "{:?}",
        m.warnings()
    );
}

#[test]
fn ipsets_apply_their_operations_in_order() {
    let m = model(
        r#"{"hosts": {"lan": "10.0.0.0/24"},
        "ipsets": {
          "ipset:lan-but-5": ["add lan", "remove 10.0.0.5"],
          "ipset:readd": ["remove 10.0.0.7", "add lan"],
          "ipset:nested": ["ipset:lan-but-5"],
        },
        "grants": [
          {"src": ["*"], "dst": ["ipset:lan-but-5"], "ip": ["80"]},
          {"src": ["*"], "dst": ["ipset:readd"], "ip": ["81"]},
          {"src": ["*"], "dst": ["ipset:nested"], "ip": ["82"]},
        ]}"#,
    );
    assert!(m.issues().is_empty(), "{:?}", m.issues());
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.4", 80), Outcome::Accept);
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.5", 80), Outcome::Drop);
    // Processed in order: the later add wins, and the model says the order matters there.
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.7", 81), Outcome::Accept);
    assert!(
        m.warnings()
            .iter()
            .any(|w| w.field == "ipsets[\"ipset:readd\"]"),
        "{:?}",
        m.warnings()
    );
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.5", 82), Outcome::Drop);
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.6", 82), Outcome::Accept);
    // Refused contents: tags, cycles, bare entries beside a remove.
    let m = model(
        r#"{"tagOwners": {"tag:prod": []}, "ipsets": {"ipset:a": ["add tag:prod"], "ipset:b": ["add ipset:c"], "ipset:c": ["add ipset:b"], "ipset:d": ["10.0.0.1", "remove 10.0.0.1"]},
        "grants": [{"src": ["*"], "dst": ["ipset:a"], "ip": ["80"]}]}"#,
    );
    let fields: Vec<&str> = m.issues().iter().map(|i| i.field.as_str()).collect();
    for f in [
        "ipsets[\"ipset:a\"]",
        "ipsets[\"ipset:b\"]",
        "ipsets[\"ipset:d\"][0]",
        "grants[0].dst[0]",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
}

#[test]
fn ipsets_take_hosts_by_name_or_as_host_name() {
    // kb/1387: a target is "a CIDR, IP address, host, autogroup, or IP set"; a host is a name of
    // `hosts`, written bare or as `host:<name>` (both read alike; see defs.rs). Bare entries
    // are fine in a set of adds only ("You must include the operation type before the target
    // unless the named IP set only uses add operations").
    let m = model(
        r#"{"hosts": {"lan": "10.0.0.0/24", "five": "10.0.0.5", "office": "192.168.10.0/24"},
        "ipsets": {
          "ipset:lan": ["add host:lan", "remove host:five"],
          "ipset:corp": ["add ipset:lan", "add host:office", "10.9.0.0/24"],
          "ipset:bare": ["add lan", "remove five"],
        },
        "grants": [
          {"src": ["*"], "dst": ["ipset:corp"], "ip": ["80"]},
          {"src": ["*"], "dst": ["ipset:bare"], "ip": ["81"]},
        ]}"#,
    );
    assert!(m.issues().is_empty(), "{:?}", m.issues());
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.4", 80), Outcome::Accept);
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.5", 80), Outcome::Drop);
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.4", 81), Outcome::Accept);
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.5", 81), Outcome::Drop);
    // An undefined host is refused either way.
    let m = model(r#"{"ipsets": {"ipset:x": ["add host:nowhere"], "ipset:y": ["add host:"]}}"#);
    let fields: Vec<&str> = m.issues().iter().map(|i| i.field.as_str()).collect();
    assert_eq!(
        fields,
        ["ipsets[\"ipset:x\"]", "ipsets[\"ipset:y\"]"],
        "{:?}",
        m.issues()
    );
}

const POSTURES: &str = r#"{
  "tagOwners": {"tag:prod": []},
  "postures": {
    "posture:gold": ["custom:tier == 'gold'"],
    "posture:mac": ["node:os == 'macos'"],
    "posture:here": ["ip:country == 'CH'"],
  },
  "defaultSrcPosture": ["posture:mac"],
  "grants": [
    {"src": ["*"], "dst": ["tag:prod"], "ip": ["443"], "srcPosture": ["posture:gold"]},
    {"src": ["*"], "dst": ["tag:prod"], "ip": ["80"]},
    {"src": ["*"], "dst": ["tag:prod"], "ip": ["81"], "srcPosture": []},
    {"src": ["*"], "dst": ["tag:prod"], "ip": ["82"], "srcPosture": ["posture:here"]},
    {"src": ["*"], "dst": ["tag:prod"], "ip": ["83"], "srcPosture": ["posture:gold", "posture:mac"]},
  ],
}"#;

#[test]
fn postures_gate_their_rules() {
    let m = model(POSTURES);
    assert!(m.issues().is_empty(), "{:?}", m.issues());
    // srcPosture: laptop is gold, phone is not: blockedBy says why in the posture engine's words.
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 443), Outcome::Accept);
    let v = ask(&m, "n-phone", "n-prod1", json!("tcp"), Some(443));
    assert_eq!(v.verdict, Outcome::Drop);
    assert_eq!(v.blocked_by.len(), 1, "{v:?}");
    assert_eq!(v.blocked_by[0].failed[0].posture, "posture:gold");
    assert_eq!(v.blocked_by[0].failed[0].reason, "custom:tier is not set");
    // defaultSrcPosture for rules without their own, and for `srcPosture: []` (with a warning).
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 80), Outcome::Accept);
    assert_eq!(tcp(&m, "n-phone", "n-prod1", 80), Outcome::Drop);
    assert_eq!(tcp(&m, "n-phone", "n-prod1", 81), Outcome::Drop);
    assert!(m
        .warnings()
        .iter()
        .any(|w| w.field == "grants[2].srcPosture"));
    // Any listed posture admits.
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 83), Outcome::Accept);
    // No attributes given for bob's device: indeterminate, with the reason.
    let v = ask(&m, "n-bob", "n-prod1", json!("tcp"), Some(443));
    assert_eq!(v.verdict, Outcome::Indeterminate);
    assert!(v.reason.unwrap().contains("bob-pc"));
    // ip: attributes are the server's: unknown even where the entry exists.
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 82), Outcome::Indeterminate);
    // Postures do not apply to shared-in devices, nor to hosts behind routers.
    assert_eq!(tcp(&m, "n-guest", "n-prod1", 443), Outcome::Accept);
    assert_eq!(tcp(&m, "10.0.0.9", "n-prod1", 443), Outcome::Accept);
}

#[test]
fn gated_tells_the_truth() {
    let m = model(POSTURES);
    let gated = |dst: &str, port: Option<u16>| {
        let mut q = json!({"dst": dst, "posture": "posture:gold"});
        if let Some(p) = port {
            q["port"] = json!(p);
            q["proto"] = json!("tcp");
        }
        m.gated(&Query::parse(&q, QueryKind::Gated).unwrap())
            .unwrap()
    };
    // Port 443 needs gold, but guests (shared in) and hosts behind the router are never
    // checked, and bob's posture is unknown.
    let g = gated("n-prod1", Some(443));
    assert_eq!(g.gated, Outcome::Drop, "{g:?}");
    let leak_names: Vec<String> = g
        .leaks
        .iter()
        .map(|l| match &l.src {
            Endpoint::Device(d) => d.name.clone(),
            Endpoint::Address(a) => a.clone(),
        })
        .collect();
    assert!(
        leak_names.contains(&"guest".to_owned()) && leak_names.contains(&"10.0.0.0/24".to_owned()),
        "{leak_names:?}"
    );
    assert!(g
        .unknown
        .iter()
        .any(|u| matches!(&u.src, Endpoint::Device(d) if d.name == "bob-pc")));
    // Port 80 is gated by mac, not gold: laptop has both, phone neither.
    let g = gated("n-prod1", Some(80));
    assert!(g
        .leaks
        .iter()
        .all(|l| !matches!(&l.src, Endpoint::Device(d) if d.name == "phone")));
    // A policy where only gold devices reach a destination, and every device is described.
    let d = devices();
    let a = json!({"n-laptop": {"custom:tier": "gold"}, "n-phone": {}, "n-bob": {}, "n-prod1": {}, "n-prod2": {}, "n-router": {}, "n-exit": {}, "n-guest": {}});
    let m = AccessModel::build(
        r#"{"tagOwners": {"tag:prod": []}, "postures": {"posture:gold": ["custom:tier == 'gold'"]},
        "grants": [{"src": ["autogroup:member"], "dst": ["tag:prod"], "ip": ["443"], "srcPosture": ["posture:gold"]}]}"#,
        &&d,
        None,
        Some(&&a),
    )
    .unwrap();
    let q = Query::parse(
        &json!({"dst": "n-prod1", "posture": "posture:gold"}),
        QueryKind::Gated,
    )
    .unwrap();
    let g = m.gated(&q).unwrap();
    assert_eq!(g.gated, Outcome::Accept, "{g:?}");
}

#[test]
fn routes_need_approval_and_a_rule() {
    let m = model(
        r#"{"tagOwners": {"tag:router": []}, "hosts": {"lan": "10.0.0.0/24", "other": "10.9.0.0/16"},
        "grants": [
          {"src": ["group:eng"], "dst": ["lan", "other"], "ip": ["22"]},
          {"src": ["group:eng"], "dst": ["tag:router"], "ip": ["*"]},
        ],
        "groups": {"group:eng": ["alice@example.com"]}}"#,
    );
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.7", 22), Outcome::Accept);
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.7", 23), Outcome::Drop);
    assert_eq!(tcp(&m, "n-bob", "10.0.0.7", 22), Outcome::Drop);
    // 10.9/16 is advertised but not approved: no route, whatever the rules say. (The exit
    // node does not help: it is for the internet and this rule does not cover it.)
    let v = ask(&m, "n-laptop", "10.9.0.7", json!("tcp"), Some(22));
    assert_eq!(v.verdict, Outcome::Drop, "{v:?}");
    // Reaching the router itself does not reach its subnet.
    assert_eq!(tcp(&m, "n-laptop", "n-router", 22), Outcome::Accept);
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.7", 80), Outcome::Drop);
    // The router's own subnet is not tailnet traffic.
    assert_eq!(tcp(&m, "n-router", "10.0.0.7", 22), Outcome::Indeterminate);
    // Traffic to oneself neither.
    assert_eq!(tcp(&m, "n-laptop", "n-laptop", 22), Outcome::Indeterminate);
}

#[test]
fn exit_nodes_carry_the_internet() {
    let m = model(BASE);
    // autogroup:member -> autogroup:internet: through the approved exit node.
    assert_eq!(tcp(&m, "n-laptop", "8.8.8.8", 443), Outcome::Accept);
    assert_eq!(
        tcp(&m, "n-laptop", "2001:4860:4860::8888", 443),
        Outcome::Accept
    );
    // Private space is not the internet; tagged devices are not members.
    assert_eq!(tcp(&m, "n-laptop", "192.168.1.1", 443), Outcome::Drop);
    assert_eq!(tcp(&m, "n-prod1", "8.8.8.8", 443), Outcome::Drop);
    // `*` as a destination lets the exit node forward private space too.
    let m = model(r#"{"grants": [{"src": ["autogroup:member"], "dst": ["*"], "ip": ["*"]}]}"#);
    assert_eq!(tcp(&m, "n-laptop", "192.168.1.1", 443), Outcome::Accept);
    // Via through an exit node is not modelled.
    let m = model(
        r#"{"tagOwners": {"tag:exit": []}, "grants": [{"src": ["*"], "dst": ["autogroup:internet"], "ip": ["*"], "via": ["tag:exit"]}]}"#,
    );
    assert_eq!(tcp(&m, "n-laptop", "8.8.8.8", 443), Outcome::Indeterminate);
    // Via a subnet router: only routers carrying the tag.
    let m = model(
        r#"{"tagOwners": {"tag:router": [], "tag:other": []}, "grants": [{"src": ["*"], "dst": ["10.0.0.0/24"], "ip": ["*"], "via": ["tag:other"]}, {"src": ["*"], "dst": ["10.0.0.0/24"], "ip": ["22"], "via": ["tag:router"]}]}"#,
    );
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.1", 80), Outcome::Drop);
    assert_eq!(tcp(&m, "n-laptop", "10.0.0.1", 22), Outcome::Accept);
}

#[test]
fn the_default_policy_allows_all_and_an_empty_section_denies() {
    let m = model("{}");
    let v = ask(&m, "n-laptop", "n-prod1", json!("udp"), Some(9));
    assert_eq!(v.verdict, Outcome::Accept);
    assert_eq!(v.rules[0].section, Section::Default);
    let m = model(r#"{"grants": []}"#);
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 9), Outcome::Drop);
    let m = model(r#"{"acls": null, "grants": null}"#);
    assert_eq!(tcp(&m, "n-laptop", "n-prod1", 9), Outcome::Accept);
}

#[test]
fn who_can_reach_lists_every_source_once() {
    let m = model(POSTURES);
    let q = Query::parse(
        &json!({"dst": "n-prod1", "proto": "tcp", "port": 443}),
        QueryKind::WhoCanReach,
    )
    .unwrap();
    let who = m.who_can_reach(&q).unwrap();
    let find = |name: &str| who.iter().find(|r| r.device.name == name);
    assert_eq!(
        find("laptop").map(|r| r.answer.verdict),
        Some(Outcome::Accept)
    );
    assert_eq!(
        find("guest").map(|r| r.answer.verdict),
        Some(Outcome::Accept)
    );
    // Blocked by posture: listed, as drop, with the rule that would admit it.
    let phone = find("phone").unwrap();
    assert_eq!(phone.answer.verdict, Outcome::Drop);
    assert_eq!(phone.answer.blocked_by[0].rule.index, 0);
    assert_eq!(
        find("bob-pc").map(|r| r.answer.verdict),
        Some(Outcome::Indeterminate)
    );
    // The destination itself is never its own source.
    assert!(find("prod1").is_none());
    // The same answers as reach, device by device.
    for r in &who {
        let v = ask(&m, &r.device.node_id, "n-prod1", json!("tcp"), Some(443));
        assert_eq!(v, r.answer, "{}", r.device.name);
    }
}

/// A source admitted over one address family and dropped over the other: whoCanReach lists it
/// with reach's whole answer, the reason naming the family that drops (a fuzz seed found them
/// apart).
#[test]
fn who_can_reach_names_the_family_that_drops() {
    let m = model(
        r#"{"tagOwners": {"tag:prod": []}, "grants": [{"src": ["100.64.0.1"], "dst": ["tag:prod"], "ip": ["22"]}]}"#,
    );
    let q = Query::parse(
        &json!({"dst": "n-prod1", "proto": "tcp", "port": 22}),
        QueryKind::WhoCanReach,
    )
    .unwrap();
    let who = m.who_can_reach(&q).unwrap();
    assert_eq!(who.len(), 1, "{who:?}");
    let laptop = &who[0];
    assert_eq!(laptop.device.name, "laptop");
    assert_eq!(laptop.answer.verdict, Outcome::Accept);
    assert_eq!(laptop.answer.reason.as_deref(), Some("over IPv6: drop"));
    assert_eq!(
        laptop.answer,
        ask(&m, "n-laptop", "n-prod1", json!("tcp"), Some(22))
    );
}

#[test]
fn run_tests_answers_in_the_servers_words() {
    let m = model(
        r#"{"tagOwners": {"tag:prod": []}, "groups": {"group:eng": ["alice@example.com", "bob@example.com"]},
        "postures": {"posture:gold": ["custom:tier == 'gold'"]},
        "grants": [
          {"src": ["group:eng"], "dst": ["tag:prod"], "ip": ["tcp:443"]},
          {"src": ["alice@example.com"], "dst": ["tag:prod"], "ip": ["tcp:22"], "srcPosture": ["posture:gold"]},
          {"src": ["alice@example.com"], "dst": ["bob@example.com"], "ip": ["udp:53"]},
        ],
        "tests": [
          {"src": "alice@example.com", "accept": ["tag:prod:443"], "deny": ["tag:prod:80"]},
          {"src": "bob@example.com", "accept": ["tag:prod:22"]},
          {"src": "alice@example.com", "srcPostureAttrs": {"custom:tier": "gold"}, "accept": ["tag:prod:22"]},
          {"src": "alice@example.com", "accept": ["tag:prod:22"]},
          {"src": "alice@example.com", "accept": ["bob@example.com:53"]},
          {"src": "alice@example.com", "accept": ["tag:prod:1-2", "10.0.0.0/8:22"]},
        ]}"#,
    );
    let check = m.run_tests::<&Value>(None).unwrap();
    let json = serde_json::to_value(&check).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["message"], "test(s) failed");
    assert_eq!(json["data"][0]["user"], "alice@example.com");
    assert_eq!(
        json["data"][1],
        json!({"user": "bob@example.com", "errors": ["[acl test error]: address \"tag:prod:22\" (protocol \"tcp\"): want: Accept, got: Drop"]})
    );
    let alice = &json["data"][0];
    let errors: Vec<&str> = alice["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    // Without srcPostureAttrs the test's source has no attributes: the gold rule drops it.
    assert!(errors.contains(&"[acl test error]: address \"tag:prod:22\" (protocol \"tcp\"): want: Accept, got: Drop"), "{errors:?}");
    assert!(errors.contains(&"[acl test error]: address \"tag:prod:1-2\": the port must be one number from 1 to 65535"), "{errors:?}");
    assert!(errors.contains(&"[acl test error]: address \"10.0.0.0/8:22\": a test destination is one host, not a CIDR"), "{errors:?}");
    // UDP only, no proto given: TCP alone (captured) and TCP-or-UDP (the doc) disagree.
    assert!(
        alice["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("indeterminate: "),
        "{alice}"
    );
    assert_eq!(errors.len(), 3);
    // Given tests run instead of the file's; a field SaaS does not know refuses them all.
    let given = json!([{"src": "alice@example.com", "accept": ["tag:prod:443"]}]);
    assert_eq!(
        m.run_tests(Some(&&given)).unwrap(),
        tailscale_policy::access::PolicyCheck {
            ok: true,
            message: None,
            data: vec![]
        }
    );
    let given = json!([{"src": "alice@example.com", "dst": ["x"]}]);
    assert_eq!(
        m.run_tests(Some(&&given)).unwrap().message.as_deref(),
        Some("json: unknown field \"dst\"")
    );
    assert!(m.run_tests(Some(&&json!({"src": "x"}))).is_err());
}

/// A test from a user with no device: the reading "a device of that user" follows the user's
/// role, type and domain, as the rules' selectors do for the devices it has.
#[test]
fn run_tests_from_a_user_without_devices_reads_roles_and_domains() {
    let m = model(
        r#"{"tagOwners": {"tag:prod": []},
        "grants": [
          {"src": ["autogroup:auditor"], "dst": ["tag:prod"], "ip": ["tcp:8443"]},
          {"src": ["user:*@example.com"], "dst": ["tag:prod"], "ip": ["tcp:9000"]},
          {"src": ["autogroup:shared"], "dst": ["tag:prod"], "ip": ["tcp:9100"]},
          {"src": ["autogroup:danger-all"], "dst": ["tag:prod"], "ip": ["tcp:9200"]},
        ]}"#,
    );
    let run =
        |test: Value| serde_json::to_value(m.run_tests(Some(&&json!([test]))).unwrap()).unwrap();
    // dave (an auditor, no device) would pass as a device of his: not known, not a failure.
    for port in ["8443", "9000", "9200"] {
        let answer =
            run(json!({"src": "dave@example.com", "accept": [format!("tag:prod:{port}")]}));
        assert_eq!(answer["message"], "warning(s) found", "{port}: {answer}");
        assert!(
            answer["data"][0]["warnings"][0]
                .as_str()
                .unwrap()
                .contains("has no device"),
            "{answer}"
        );
    }
    // From an address of the laptop: packets from that address (IPv4, which no rule admits) or
    // from the laptop (whose IPv6 address the grant admits): which SaaS means is not recorded.
    let m2 = model(
        r#"{"tagOwners": {"tag:prod": []},
        "grants": [{"src": ["alice@example.com"], "dst": ["fd7a:115c:a1e0::a"], "ip": ["tcp:22"]}]}"#,
    );
    let answer = serde_json::to_value(
        m2.run_tests(Some(
            &&json!([{"src": "100.64.0.1", "accept": ["tag:prod:22"]}]),
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(answer["message"], "warning(s) found", "{answer}");
    // A member is not in autogroup:shared: fails by either reading.
    let answer = run(json!({"src": "dave@example.com", "accept": ["tag:prod:9100"]}));
    assert_eq!(answer["message"], "test(s) failed", "{answer}");
}

#[test]
fn ssh_tests() {
    let m = model(
        r#"{"tagOwners": {"tag:prod": []},
        "ssh": [
          {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:prod"], "users": ["autogroup:nonroot"]},
          {"action": "check", "src": ["bob@example.com"], "dst": ["tag:prod"], "users": ["root"]},
        ],
        "sshTests": [
          {"src": "alice@example.com", "dst": ["tag:prod"], "accept": ["ubuntu"], "deny": ["root"]},
          {"src": "bob@example.com", "dst": ["tag:prod"], "check": ["root"]},
          {"src": "alice@example.com", "dst": ["tag:prod"], "accept": ["root"]},
        ]}"#,
    );
    let check = m.run_tests::<&Value>(None).unwrap();
    assert_eq!(check.message.as_deref(), Some("test(s) failed"));
    assert_eq!(check.data.len(), 1, "{check:?}");
    assert_eq!(
        check.data[0].errors,
        vec![
            "[ssh test error]: src \"alice@example.com\" at \"100.64.0.1\", dst \"tag:prod\" at \"100.64.0.10\", ssh user \"root\": want: \"accept\" got: \"deny\"",
            "[ssh test error]: src \"alice@example.com\" at \"100.64.0.1\", dst \"tag:prod\" at \"100.64.0.11\", ssh user \"root\": want: \"accept\" got: \"deny\"",
            "[ssh test error]: src \"alice@example.com\" at \"100.64.0.2\", dst \"tag:prod\" at \"100.64.0.10\", ssh user \"root\": want: \"accept\" got: \"deny\"",
            "[ssh test error]: src \"alice@example.com\" at \"100.64.0.2\", dst \"tag:prod\" at \"100.64.0.11\", ssh user \"root\": want: \"accept\" got: \"deny\"",
        ]
    );
    // Policy-level refusals of sshTests, in SaaS's words.
    let m = model(
        r#"{"tagOwners": {}, "sshTests": [{"src": "alice@example.com", "dst": ["tag:server:22"], "accept": ["root"]}]}"#,
    );
    assert_eq!(
        m.issues()[0].message,
        "SSH tests dst contains unknown tag \"tag:server:22\""
    );
    assert_eq!(
        m.run_tests::<&Value>(None).unwrap().message.as_deref(),
        Some("SSH tests dst contains unknown tag \"tag:server:22\"")
    );
}

fn changes(a: &str, b: &str) -> Vec<AccessChange> {
    AccessModel::diff(&model(a), &model(b)).unwrap()
}

#[test]
fn diff_groups_by_destination_and_is_exact_over_ports() {
    let before = r#"{"tagOwners": {"tag:prod": []}, "grants": [{"src": ["autogroup:member"], "dst": ["tag:prod"], "ip": ["tcp:80-443"]}]}"#;
    let after = r#"{"tagOwners": {"tag:prod": []}, "grants": [{"src": ["autogroup:member"], "dst": ["tag:prod"], "ip": ["tcp:100-200"]}, {"src": ["bob@example.com"], "dst": ["tag:prod"], "ip": ["tcp:443"]}]}"#;
    assert!(changes(before, before).is_empty());
    let diff = changes(before, after);
    let summary: Vec<(Change, String, String, usize)> = diff
        .iter()
        .map(|c| {
            let dst = match &c.dst {
                Endpoint::Device(d) => d.name.clone(),
                Endpoint::Address(a) => a.clone(),
            };
            (c.change, dst, c.ports.clone(), c.src.len())
        })
        .collect();
    // Members (laptop, phone, bob-pc) lose 80-99 and 201-443 of each prod device; bob keeps 443.
    for dst in ["prod1", "prod2"] {
        assert!(
            summary.contains(&(Change::Lost, dst.into(), "80-99,201-442".into(), 3)),
            "{summary:?}"
        );
        assert!(
            summary.contains(&(Change::Lost, dst.into(), "443".into(), 2)),
            "{summary:?}"
        );
    }
    assert_eq!(diff.len(), 4, "{summary:?}");
    assert!(diff.iter().all(|c| c.proto == "tcp" && !c.indeterminate));
    // Swapping the models swaps gained and lost.
    let back = changes(after, before);
    let flipped: Vec<AccessChange> = diff
        .iter()
        .map(|c| AccessChange {
            change: if c.change == Change::Gained {
                Change::Lost
            } else {
                Change::Gained
            },
            ..c.clone()
        })
        .collect();
    let mut flipped = flipped;
    flipped.sort();
    assert_eq!(back, flipped);
    // A route's subnet as a destination, and ping.
    let diff = changes(
        r#"{"grants": []}"#,
        r#"{"hosts": {"lan": "10.0.0.0/24"}, "grants": [{"src": ["alice@example.com"], "dst": ["lan"], "ip": ["icmp:*"]}]}"#,
    );
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert_eq!(diff[0].dst, Endpoint::Address("10.0.0.0/24".into()));
    assert_eq!(
        (
            diff[0].proto.as_str(),
            diff[0].ports.as_str(),
            diff[0].src.len()
        ),
        ("icmp", "*", 2)
    );
}

#[test]
fn bad_input_is_an_error_or_an_issue() {
    let p = "{}";
    let bad = |d: Value| AccessModel::build(p, &&d, None, None).unwrap_err();
    assert_eq!(bad(json!({})).first().unwrap().field, "devices");
    assert_eq!(bad(json!([1])).first().unwrap().field, "devices[0]");
    assert_eq!(
        bad(json!([{"name": "x"}])).first().unwrap().field,
        "devices[0].nodeId"
    );
    assert_eq!(
        bad(json!([{"nodeId": "a", "tags": "tag:x"}]))
            .first()
            .unwrap()
            .field,
        "devices[0].tags"
    );
    assert_eq!(
        bad(json!([{"nodeId": "a", "addresses": ["300.1.1.1"]}]))
            .first()
            .unwrap()
            .field,
        "devices[0].addresses[0]"
    );
    let dup = bad(
        json!([{"nodeId": "a", "addresses": ["100.64.0.1"]}, {"nodeId": "b", "addresses": ["100.64.0.1"]}]),
    );
    assert_eq!(dup[0].field, "devices[1].addresses");
    assert_eq!(
        bad(json!([{"nodeId": "a"}, {"nodeId": "a"}]))[0].field,
        "devices[1].nodeId"
    );
    let d = json!([{"nodeId": "a"}]);
    assert!(AccessModel::build(p, &&d, Some(&&json!("x")), None).is_err());
    assert!(AccessModel::build(p, &&d, None, Some(&&json!({"a": {"k": [1]}}))).is_err());
    // A device without addresses cannot be asked about by family.
    let d = json!([{"nodeId": "a"}, {"nodeId": "b", "addresses": ["100.64.0.2"]}]);
    let m = AccessModel::build(p, &&d, None, None).unwrap();
    let q = Query::parse(&json!({"src": "a", "dst": "b"}), QueryKind::Reach).unwrap();
    assert_eq!(m.reach(&q).unwrap().verdict, Outcome::Indeterminate);
    // Queries: unknown fields, ports, protocols, names.
    for (q, field) in [
        (json!({"src": "a", "dst": "b", "port": 70000}), "port"),
        (json!({"src": "a", "dst": "b", "proto": "smtp"}), "proto"),
        (json!({"src": "a", "dst": "b", "proto": 300}), "proto"),
        (json!({"src": "a", "dst": "b", "extra": 1}), "extra"),
        (json!({"dst": "b"}), "src"),
        (json!([]), ""),
    ] {
        let issues = Query::parse(&q, QueryKind::Reach).unwrap_err();
        assert_eq!(issues[0].field, field, "{q}");
    }
    let q = Query::parse(&json!({"src": "nobody", "dst": "b"}), QueryKind::Reach).unwrap();
    assert_eq!(m.reach(&q).unwrap_err()[0].field, "src");
    // A policy that does not parse: an issue with its place, and every answer indeterminate.
    let m = AccessModel::build("{\n  \"grants\": [,]\n}", &&d, None, None).unwrap();
    assert_eq!(
        (m.issues()[0].line, m.issues()[0].column),
        (Some(2), Some(14))
    );
    let q = Query::parse(&json!({"src": "b", "dst": "100.64.0.9"}), QueryKind::Reach).unwrap();
    assert_eq!(m.reach(&q).unwrap().verdict, Outcome::Indeterminate);
    // A rule referring to an undefined tag: refused in SaaS's words, left out; the rest answers.
    let m = AccessModel::build(
        r#"{"grants": [{"src": ["tag:nope"], "dst": ["*"], "ip": ["*"]}, {"src": ["*"], "dst": ["*"], "ip": ["22"]}]}"#,
        &&d,
        None,
        None,
    )
    .unwrap();
    assert_eq!(m.issues()[0].message, "src=tag not found: \"tag:nope\"");
    assert_eq!(m.issues()[0].field, "grants[0].src[0]");
    let q = Query::parse(
        &json!({"src": "100.64.0.9", "dst": "b", "port": 22}),
        QueryKind::Reach,
    )
    .unwrap();
    assert_eq!(m.reach(&q).unwrap().verdict, Outcome::Accept);
}

#[test]
fn answers_serialize_to_the_contracts_shapes() {
    let m = model(POSTURES);
    let v = ask(&m, "n-phone", "n-prod1", json!("tcp"), Some(443));
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        json!({"verdict": "drop", "rules": [], "blockedBy": [{"section": "grants", "index": 0, "line": 10,
            "failed": [{"posture": "posture:gold", "condition": "custom:tier == 'gold'", "reason": "custom:tier is not set"}]}]})
    );
    let diff = changes(
        r#"{"grants": []}"#,
        r#"{"tagOwners": {"tag:prod": []}, "grants": [{"src": ["bob@example.com"], "dst": ["tag:prod"], "ip": ["tcp:22"]}]}"#,
    );
    // tcp:22 to each prod device, and ping (any open port admits it).
    assert_eq!(diff.len(), 4, "{diff:?}");
    let tcp22 = diff.iter().find(|c| c.proto == "tcp").unwrap();
    assert_eq!(
        serde_json::to_value(tcp22).unwrap(),
        json!({"change": "gained", "src": [{"nodeId": "n-bob", "name": "bob-pc"}], "dst": {"nodeId": "n-prod1", "name": "prod1"}, "proto": "tcp", "ports": "22"})
    );
}

#[test]
fn diff_never_names_ipv6_icmp_toward_ipv4_nor_icmp_toward_ipv6() {
    // Rules naming ICMPv6 (58) or ICMP (1) by number, toward devices, a subnet and the internet:
    // whatever changes, an IPv4 destination never gets an `ipv6-icmp` change (no such packet is
    // sent to it), nor an IPv6 one a change of protocol 1.
    let before = r#"{"tagOwners": {"tag:prod": []}, "grants": [{"src": ["*"], "dst": ["*"], "ip": ["tcp:22"]}]}"#;
    let mut addressed = 0;
    for after in [
        r#"{"tagOwners": {"tag:prod": []}, "grants": [{"src": ["*"], "dst": ["*"], "ip": ["58"]}]}"#,
        r#"{"tagOwners": {"tag:prod": []}, "grants": [{"src": ["*"], "dst": ["*"], "ip": ["1"]}]}"#,
        r#"{"tagOwners": {"tag:prod": []}, "grants": [{"src": ["*"], "dst": ["tag:prod", "10.0.0.0/24", "autogroup:internet"], "ip": ["ipv6-icmp:*", "icmp:*"]}]}"#,
        r#"{"tagOwners": {"tag:prod": []}, "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"], "proto": "ipv6-icmp"}]}"#,
        r#"{"tagOwners": {"tag:prod": []}, "acls": [{"action": "accept", "src": ["*"], "dst": ["10.0.0.0/24:*", "tag:prod:*"], "proto": "58"}]}"#,
    ] {
        for (a, b) in [(before, after), (after, before)] {
            for c in changes(a, b) {
                if let Endpoint::Address(dst) = &c.dst {
                    let wrong = if dst.contains(':') { "1" } else { "ipv6-icmp" };
                    assert!(c.proto != wrong, "{c:?}\nbefore {a}\nafter {b}");
                    addressed += 1;
                }
            }
        }
    }
    // The address destinations (a subnet, the internet) were asked, not skipped.
    assert!(addressed > 0);
}

#[test]
fn diff_refuses_a_side_that_does_not_parse() {
    // A model of a text that does not parse answers everything indeterminate; diff does not read
    // it as "every rule removed": it refuses, with the parse issue under `before` or `after`.
    let good = r#"{"grants": [{"src": ["*"], "dst": ["*"], "ip": ["*"]}]}"#;
    let broken = model("{\"grants\": [");
    assert!(!broken.issues().is_empty());
    let err = AccessModel::diff(&model(good), &broken).unwrap_err();
    assert_eq!(err.len(), 1, "{err:?}");
    assert_eq!(err[0].field, "after");
    assert!(err[0].message.contains("does not parse"), "{err:?}");
    assert!(err[0].line.is_some() && err[0].column.is_some(), "{err:?}");
    let err = AccessModel::diff(&broken, &broken).unwrap_err();
    let fields: Vec<&str> = err.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["before", "after"]);
    assert!(AccessModel::diff(&model(good), &model(good))
        .unwrap()
        .is_empty());
}

#[test]
fn autogroup_shared_is_unknown_only_for_unlisted_tailnet_addresses() {
    // The devices of users who accepted a share are not all in the device list, but they have
    // Tailscale addresses: a host behind a subnet router, or the internet, is none of them.
    let m = model(r#"{"grants": [{"src": ["autogroup:shared"], "dst": ["*"], "ip": ["22"]}]}"#);
    assert!(m.issues().is_empty(), "{:?}", m.issues());
    assert_eq!(tcp(&m, "10.0.0.5", "n-laptop", 22), Outcome::Drop);
    assert_eq!(
        tcp(&m, "100.64.0.99", "n-laptop", 22),
        Outcome::Indeterminate
    );
    assert_eq!(tcp(&m, "n-laptop", "n-bob", 22), Outcome::Drop);
}
