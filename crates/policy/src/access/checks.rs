//! `runTests`: the file's `tests` and `sshTests` (or given tests) evaluated locally, answered in
//! the server's `PolicyCheck` shape and words (`policytests.md`, `validate-shape.md`).
//!
//! Where SaaS's behaviour is not established, every plausible reading is evaluated: when they
//! agree that is the answer, otherwise the assertion is indeterminate, reported as a warning
//! `indeterminate: <reason>`, and the check is not `ok`. Malformed tests fail (SaaS answers
//! `test(s) failed` for them, never a message of their own); their lines are our words:
//! `[acl test error]: address "<entry>": <reason>`.

use super::addr::{internet_ranges, tailnet_ranges, Addr, AddrSet, V4, V6};
use super::model::{AccessModel, Source, Tri};
use super::ports::{proto_number, TCP, UDP};
use super::postures::{NO, YES};
use super::rules::Rule;
use super::ssh::{SshAction, SshDevice};
use crate::posture::{attributes_of, Attributes};
use serde::Serialize;
use tailscale_wire::error::Issue;
use tailscale_wire::json::{Json, Kind};
use tailscale_wire::text::{cat, quoted};

/// What `policy.test` answers: `ok`, the server's summary, and per source its failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyCheck {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub data: Vec<CheckEntry>,
}

/// The failures of the tests of one `src` (as written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckEntry {
    pub user: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One assertion's outcome.
enum Res {
    Pass,
    Fail(String),
    Indet(String),
}

/// A test source: real devices, or a device known only by its identity or its address.
#[derive(Debug, Clone)]
enum Who {
    Device(u32),
    /// A user without devices: a device of that identity.
    Login(String),
    Address(Addr),
}

const ACL_TEST_FIELDS: [&str; 7] = [
    "src",
    "user",
    "srcPostureAttrs",
    "proto",
    "accept",
    "allow",
    "deny",
];
const SSH_TEST_FIELDS: [&str; 6] = ["src", "dst", "accept", "check", "deny", "srcPostureAttrs"];

fn strings<J: Json>(v: Option<J>) -> Vec<String> {
    v.map(|l| l.items().iter().filter_map(|i| i.as_string()).collect())
        .unwrap_or_default()
}

impl AccessModel {
    /// Runs `tests` (an array of ACL tests as `policy.test` takes them), or the file's own
    /// `tests` and `sshTests` when `None`. `Err` when `tests` is not an array of objects.
    pub fn run_tests<J: Json>(&self, tests: Option<&J>) -> Result<PolicyCheck, Vec<Issue>> {
        if let Some(why) = &self.broken {
            return Ok(refusal(why.clone()));
        }
        if let Some(first) = self.issues().first() {
            return Ok(refusal(first.message.clone()));
        }
        let mut out: Vec<CheckEntry> = Vec::new();
        match tests {
            Some(list) => {
                if list.kind() != Kind::Array {
                    return Err(vec![Issue::new("tests", "must be an array of tests")]);
                }
                let items = list.items();
                if let Some(bad) = items.iter().position(|t| t.kind() != Kind::Object) {
                    return Err(vec![Issue::new(
                        tailscale_wire::error::index_field("tests", bad),
                        "must be a test (an object)",
                    )]);
                }
                if let Some(r) = self.run_acl_tests(&items, &mut out) {
                    return Ok(r);
                }
            }
            None => {
                let Some(root) = self.doc.as_ref().map(|d| d.root()) else {
                    return Ok(summary(out));
                };
                let acl = root
                    .get("tests")
                    .map(|t| t.items().collect::<Vec<_>>())
                    .unwrap_or_default();
                if let Some(r) = self.run_acl_tests(&acl, &mut out) {
                    return Ok(r);
                }
                let ssh = root
                    .get("sshTests")
                    .map(|t| t.items().collect::<Vec<_>>())
                    .unwrap_or_default();
                for t in &ssh {
                    if let Some(key) = t
                        .keys()
                        .into_iter()
                        .find(|k| !SSH_TEST_FIELDS.contains(&k.as_str()))
                    {
                        return Ok(refusal(cat(&["json: unknown field ", &quoted(&key)])));
                    }
                    let src = t.get("src").and_then(|s| s.as_string()).unwrap_or_default();
                    let results = self.ssh_test(t, &src);
                    record(&mut out, &src, results);
                }
            }
        }
        Ok(summary(out))
    }

    /// `None` when every test ran; a refusal when one has a field SaaS does not know.
    fn run_acl_tests<J: Json>(
        &self,
        tests: &[J],
        out: &mut Vec<CheckEntry>,
    ) -> Option<PolicyCheck> {
        for t in tests {
            if let Some(key) = t
                .keys()
                .into_iter()
                .find(|k| !ACL_TEST_FIELDS.contains(&k.as_str()))
            {
                // SaaS refuses the whole body (terraform-provider-tailscale#89).
                return Some(refusal(cat(&["json: unknown field ", &quoted(&key)])));
            }
        }
        for t in tests {
            let src = t
                .get("src")
                .or_else(|| t.get("user"))
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            let results = self.acl_test(t, &src);
            record(out, &src, results);
        }
        None
    }

    fn acl_test<J: Json>(&self, t: &J, src: &str) -> Vec<Res> {
        let accept = strings(t.get("accept").or_else(|| t.get("allow")));
        let deny = strings(t.get("deny"));
        if src.is_empty() {
            return vec![Res::Fail(
                "[acl test error]: src is missing or empty".into(),
            )];
        }
        if accept.is_empty() && deny.is_empty() {
            return vec![Res::Fail(
                "[acl test error]: the test has neither accept nor deny".into(),
            )];
        }
        let attrs: Attributes = t
            .get("srcPostureAttrs")
            .map(|a| attributes_of(&a))
            .unwrap_or_default();
        let proto_text = t.get("proto").and_then(|p| match p.kind() {
            Kind::String => p.as_string().filter(|s| !s.is_empty()),
            Kind::Number => p
                .as_f64()
                .map(|f| tailscale_wire::text::decimal(f.max(0.0) as u64)),
            _ => None,
        });
        // Readings of the protocol: omitted means TCP (captured) or "TCP or UDP" (the doc).
        let proto: Result<Vec<Vec<u8>>, String> = match proto_text.as_deref() {
            None => Ok(vec![vec![TCP], vec![TCP, UDP]]),
            Some(p) => proto_number(p)
                .map(|n| vec![vec![n]])
                .ok_or_else(|| cat(&["unknown protocol ", &quoted(p)])),
        };
        let shown = proto_text.clone().unwrap_or_else(|| "tcp".into());
        let readings = self.test_sources(src);
        let mut out = Vec::new();
        for (entry, want) in accept
            .iter()
            .map(|e| (e, true))
            .chain(deny.iter().map(|e| (e, false)))
        {
            let line = |got: bool| {
                cat(&[
                    "[acl test error]: address ",
                    &quoted(entry),
                    " (protocol ",
                    &quoted(&shown),
                    "): want: ",
                    if want { "Accept" } else { "Drop" },
                    ", got: ",
                    if got { "Accept" } else { "Drop" },
                ])
            };
            let malformed = |why: &str| {
                Res::Fail(cat(&[
                    "[acl test error]: address ",
                    &quoted(entry),
                    ": ",
                    why,
                ]))
            };
            let protos = match &proto {
                Ok(p) => p,
                Err(why) => {
                    out.push(malformed(why));
                    continue;
                }
            };
            let icmp = protos.iter().flatten().any(|p| *p == 1 || *p == 58);
            let dst = match self.test_destination(entry, icmp) {
                Ok(d) => d,
                Err(r) => {
                    out.push(match r {
                        DstErr::Malformed(why) => malformed(&why),
                        DstErr::Indet(why) => Res::Indet(why),
                    });
                    continue;
                }
            };
            let readings = match &readings {
                Ok(r) => r,
                Err(SrcErr::Fail(why)) => {
                    out.push(Res::Fail(cat(&[
                        "[acl test error]: src ",
                        &quoted(src),
                        ": ",
                        why,
                    ])));
                    continue;
                }
                Err(SrcErr::FailOrIndet(why)) => {
                    // Fails if the reading "a device of that identity" fails too.
                    let synthetic = vec![vec![Who::Login(src.to_owned())]];
                    match self.judge(&synthetic, &dst, protos, want, &attrs, false) {
                        Res::Pass => out.push(Res::Indet(cat(&[src, ": ", why]))),
                        // Undecided even for a device of that identity (TCP or UDP, say).
                        Res::Indet(more) => {
                            out.push(Res::Indet(cat(&[src, ": ", why, "; ", &more])))
                        }
                        Res::Fail(_) => out.push(Res::Fail(line(!want))),
                    }
                    continue;
                }
                Err(SrcErr::Indet(why)) => {
                    out.push(Res::Indet(cat(&[src, ": ", why])));
                    continue;
                }
            };
            let uncommon = protos
                .iter()
                .flatten()
                .any(|p| ![TCP, UDP, 1, 58].contains(p));
            let maybe_invalid =
                src.starts_with("autogroup:") || uncommon || matches!(dst, TestDst::OwnDevices(_));
            let res = self.judge(readings, &dst, protos, want, &attrs, maybe_invalid);
            out.push(match res {
                Res::Fail(_) => Res::Fail(line(!want)),
                other => other,
            });
        }
        out
    }

    /// Every reading of the source for every protocol reading: the same answer, or
    /// indeterminate.
    fn judge(
        &self,
        readings: &[Vec<Who>],
        dst: &TestDst,
        protos: &[Vec<u8>],
        want: bool,
        attrs: &Attributes,
        maybe_invalid: bool,
    ) -> Res {
        let (mut pass, mut fail, mut indet) = (false, false, None);
        for reading in readings {
            for ps in protos {
                match self.assertion(reading, dst, ps, want, attrs) {
                    Res::Pass => pass = true,
                    Res::Fail(_) => fail = true,
                    Res::Indet(why) => {
                        indet.get_or_insert(why);
                    }
                }
            }
        }
        match (pass, fail, indet) {
            (true, false, None) if maybe_invalid => Res::Indet(
                "Tailscale may refuse this test (an autogroup as its src, autogroup:self as its dst, or an uncommon protocol)".into(),
            ),
            (true, false, None) => Res::Pass,
            (false, true, None) => Res::Fail(String::new()),
            (_, _, Some(why)) => Res::Indet(why),
            _ => Res::Indet("the readings of the test (which devices, which protocols) disagree".into()),
        }
    }

    /// One reading: every source device must get the wanted answer for every address.
    fn assertion(
        &self,
        reading: &[Who],
        dst: &TestDst,
        protos: &[u8],
        want: bool,
        attrs: &Attributes,
    ) -> Res {
        let mut all_pass = true;
        for who in reading {
            let own: Vec<Addr>;
            let (addrs, port) = match dst {
                TestDst::Addresses(addrs, port) => (addrs, *port),
                TestDst::OwnDevices(port) => {
                    own = self
                        .who_owner(who)
                        .map(|o| {
                            self.tailnet
                                .owned_by(&o)
                                .filter_map(|d| self.tailnet.device(d))
                                .flat_map(|d| [d.address(V4), d.address(V6)].into_iter().flatten())
                                .collect()
                        })
                        .unwrap_or_default();
                    (&own, *port)
                }
                TestDst::Set(set, what, port) => {
                    // Refused as a test destination, or evaluated: fails under both, or
                    // indeterminate (policytests.md M6).
                    let granted = self.test_grants_set(who, set, *port, protos, attrs);
                    return match (granted, want) {
                        (Tri::No, true) | (Tri::Yes, false) => Res::Fail(String::new()),
                        _ => Res::Indet(cat(&[
                            what,
                            " as a test destination may be refused by Tailscale",
                        ])),
                    };
                }
            };
            let got = {
                {
                    let results: Vec<Tri> = addrs
                        .iter()
                        .map(|a| self.test_allowed(who, *a, port, protos, attrs))
                        .collect();
                    if let Some(Tri::Maybe(why)) =
                        results.iter().find(|r| matches!(r, Tri::Maybe(_)))
                    {
                        return Res::Indet(why.clone());
                    }
                    let yes = results.iter().filter(|r| **r == Tri::Yes).count();
                    if results.is_empty() {
                        // Nothing to reach (autogroup:self of a tagged source).
                        Tri::No
                    } else if yes == results.len() {
                        Tri::Yes
                    } else if yes == 0 {
                        Tri::No
                    } else {
                        return Res::Indet(
                            "the destination's devices or addresses disagree (any or all of them?)"
                                .into(),
                        );
                    }
                }
            };
            match (got, want) {
                (Tri::Yes, true) | (Tri::No, false) => {}
                (Tri::Maybe(why), _) => return Res::Indet(why),
                _ => all_pass = false,
            }
        }
        if all_pass {
            Res::Pass
        } else {
            Res::Fail(String::new())
        }
    }

    /// Whether a test's source reaches `dst` on `port` under the rules alone (tests are about
    /// the policy: an address need not be any device's, capture policytest-…-non-topology-dst).
    fn test_allowed(
        &self,
        who: &Who,
        dst: Addr,
        port: u16,
        protos: &[u8],
        attrs: &Attributes,
    ) -> Tri {
        let mut maybe = None;
        let mut icmp_by_port = false;
        for rule in &self.rules {
            match self.test_rule(rule, who, dst, attrs, None) {
                Tri::No => continue,
                Tri::Maybe(why) => {
                    maybe.get_or_insert(why);
                    continue;
                }
                Tri::Yes => {}
            }
            for &p in protos {
                if p == 1 || p == 58 {
                    if rule.ports.ports(1).is_some() || rule.ports.ports(58).is_some() {
                        return self.routed(dst);
                    }
                    icmp_by_port = true;
                } else if rule.ports.admits(p, Some(port), dst.family) {
                    return self.routed(dst);
                }
            }
        }
        if icmp_by_port {
            return Tri::Maybe("only rules without ICMP cover it: the client admits ping when any port is open, but whether tests count that is not known".into());
        }
        maybe.map_or(Tri::No, Tri::Maybe)
    }

    /// The second reading of an address no device has: through a route. Addresses of the
    /// tailnet's ranges are decided (the test passes without a device: captured).
    fn routed(&self, dst: Addr) -> Tri {
        let tailnet = self.tailnet.by_address(dst).is_some() || tailnet_ranges().contains(dst);
        let subnet = self.tailnet.routed.contains(dst);
        let exit = internet_ranges().contains(dst)
            && self
                .tailnet
                .exits
                .get(dst.family)
                .is_some_and(|e| !e.is_empty());
        if tailnet || subnet || exit {
            Tri::Yes
        } else {
            Tri::Maybe(cat(&[
                "no route reaches ",
                &dst.print(),
                ": whether a test to it passes on the rules alone is not known",
            ]))
        }
    }

    /// Whether a rule takes a test's source to `dst` (`whole`: to every address of a set, for
    /// `autogroup:internet` and ipsets), its ports aside.
    fn test_rule(
        &self,
        rule: &Rule,
        who: &Who,
        dst: Addr,
        attrs: &Attributes,
        whole: Option<&AddrSet>,
    ) -> Tri {
        let owner_dev = self.tailnet.by_address(dst);
        let mut covered = false;
        let mut maybe = None;
        for t in rule.dst.iter().filter_map(|t| self.target(*t)) {
            covered |= match whole {
                Some(set) => [V4, V6]
                    .iter()
                    .all(|f| set.family(*f).is_subset_of(t.addrs.family(*f))),
                None => {
                    owner_dev.is_some_and(|d| t.devices.binary_search(&d).is_ok())
                        || t.addrs.contains(dst)
                }
            };
            if let Some(u) = &t.unknown {
                maybe.get_or_insert_with(|| u.reason.clone());
            }
        }
        if rule.self_dst && whole.is_none() {
            let dst_owner = owner_dev
                .and_then(|d| self.tailnet.device(d))
                .and_then(|d| d.owner());
            covered |= dst_owner.is_some() && dst_owner == self.who_owner(who).as_deref();
        }
        let dst_tri = match (covered, maybe) {
            (true, _) if !rule.via.is_empty() => Tri::Maybe(
                "a grant with via decides it, which tests are not known to consider".into(),
            ),
            (true, _) => Tri::Yes,
            (false, Some(why)) => Tri::Maybe(why),
            (false, None) => Tri::No,
        };
        if dst_tri == Tri::No {
            return Tri::No;
        }
        let src_tri = match who {
            Who::Device(s) => match self.tailnet.device(*s).and_then(|d| d.address(dst.family)) {
                Some(addr) => self.src_part(
                    rule,
                    &Source {
                        addr,
                        device: Some(*s),
                    },
                ),
                None => Tri::No,
            },
            Who::Address(a) if a.family == dst.family => self.src_part(
                rule,
                &Source {
                    addr: *a,
                    device: self.tailnet.by_address(*a),
                },
            ),
            Who::Address(_) => Tri::No,
            Who::Login(login) => {
                let mut got = Tri::No;
                for t in rule.src.iter().filter_map(|t| self.target(*t)) {
                    if self.login_in(&t.text, login) {
                        got = Tri::Yes;
                        break;
                    }
                    // What an unlisted device might be (autogroup:shared) is known for a user
                    // the list has.
                    let listed = self.tailnet.user(login).is_some();
                    if let Some(u) = t.unknown.as_ref().filter(|u| !(u.unlisted_only && listed)) {
                        got = Tri::Maybe(u.reason.clone());
                    }
                }
                got
            }
        };
        let posture = match rule.gate {
            None => Tri::Yes,
            Some(g) => match self.gates.outcome_with(g, &self.defs, attrs) {
                YES => Tri::Yes,
                NO => Tri::No,
                _ => Tri::Maybe(
                    "a posture the rule requires is not defined or does not parse".into(),
                ),
            },
        };
        let unknown = rule.unknown.clone().map_or(Tri::Yes, Tri::Maybe);
        dst_tri.and(src_tri).and(posture).and(unknown)
    }

    /// A test source given as one address: packets from that address alone, or, where it is a
    /// device's, from that device (its other family too). Which SaaS reads is not recorded;
    /// where the two differ the test is indeterminate.
    fn address_readings(&self, a: Addr) -> Vec<Vec<Who>> {
        let mut readings = vec![vec![Who::Address(a)]];
        if let Some(d) = self.tailnet.by_address(a) {
            readings.push(vec![Who::Device(d)]);
        }
        readings
    }

    /// Whether a source selector names a user's identity itself (a device of that user that
    /// the inventory does not list): the user, a group holding it, its role's autogroup (the
    /// owner is an admin too), its login's domain, `autogroup:member` or `autogroup:shared` by
    /// its type. Roles the model was not given leave the selector's own `unknown` to decide.
    fn login_in(&self, text: &str, login: &str) -> bool {
        let user = self.tailnet.user(login);
        let shared = user.is_some_and(|u| u.kind.as_deref() == Some("shared"));
        let role = user.and_then(|u| u.role.as_deref());
        match text {
            "*" | "autogroup:danger-all" => true,
            "autogroup:member" => !shared,
            "autogroup:shared" => shared,
            "autogroup:admin" => matches!(role, Some("admin" | "owner")),
            _ if text == login => true,
            _ => match (
                text.strip_prefix("autogroup:"),
                text.strip_prefix("user:*@"),
            ) {
                (Some(r), _) => role == Some(r),
                (_, Some(domain)) => login.rsplit_once('@').is_some_and(|(_, d)| d == domain),
                _ => self
                    .defs
                    .group(text)
                    .is_some_and(|m| m.iter().any(|x| x == login)),
            },
        }
    }

    fn who_owner(&self, who: &Who) -> Option<String> {
        match who {
            Who::Device(d) => self
                .tailnet
                .device(*d)
                .and_then(|x| x.owner())
                .map(str::to_owned),
            Who::Login(l) => Some(l.clone()),
            Who::Address(a) => self
                .tailnet
                .by_address(*a)
                .and_then(|d| self.tailnet.device(d))
                .and_then(|x| x.owner())
                .map(str::to_owned),
        }
    }

    /// Whether some rule takes the source to every address of `set` on the port.
    fn test_grants_set(
        &self,
        who: &Who,
        set: &AddrSet,
        port: u16,
        protos: &[u8],
        attrs: &Attributes,
    ) -> Tri {
        let probe = [V4, V6].iter().find_map(|f| {
            set.family(*f).0.first().map(|(lo, _)| Addr {
                family: *f,
                bits: *lo,
            })
        });
        let Some(probe) = probe else { return Tri::No };
        let mut maybe = None;
        for rule in &self.rules {
            let admits = protos
                .iter()
                .any(|p| rule.ports.admits(*p, Some(port), probe.family));
            if !admits {
                continue;
            }
            match self.test_rule(rule, who, probe, attrs, Some(set)) {
                // Evaluated, the set is reached through a route (an exit node for the internet):
                // with none, this reading fails too.
                Tri::Yes => {
                    return match self.routed(probe) {
                        Tri::Yes => Tri::Yes,
                        _ => Tri::No,
                    }
                }
                Tri::Maybe(why) => {
                    maybe.get_or_insert(why);
                }
                Tri::No => {}
            }
        }
        maybe.map_or(Tri::No, Tri::Maybe)
    }

    fn test_destination(&self, entry: &str, icmp: bool) -> Result<TestDst, DstErr> {
        let malformed = |why: &str| Err(DstErr::Malformed(why.to_owned()));
        let split = match entry.strip_prefix('[') {
            Some(rest) => rest.split_once("]:"),
            None => entry.rsplit_once(':'),
        };
        let Some((host, port)) = split else {
            return malformed("a test destination is host:port");
        };
        let number =
            (!port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()))
                .then(|| port.parse::<u32>().ok())
                .flatten();
        let port = match number {
            Some(p @ 1..=65535) => p as u16,
            Some(0) if icmp => 0,
            Some(0) => {
                return Err(DstErr::Indet(
                    "port 0 in a test is documented only for ICMP".into(),
                ))
            }
            _ => return malformed("the port must be one number from 1 to 65535"),
        };
        if host.contains('/') {
            return malformed("a test destination is one host, not a CIDR");
        }
        if host.starts_with('*') {
            return malformed("a test destination is one host, not a wildcard");
        }
        let devices_of = |list: Vec<u32>, what: &str| -> Result<TestDst, DstErr> {
            let addrs: Vec<Addr> = list
                .iter()
                .filter_map(|d| self.tailnet.device(*d))
                .flat_map(|d| [d.address(V4), d.address(V6)].into_iter().flatten())
                .collect();
            if addrs.is_empty() {
                Err(DstErr::Indet(cat(&[what, " has no device"])))
            } else {
                Ok(TestDst::Addresses(addrs, port))
            }
        };
        if let Some(p) = self.defs.host(host) {
            let (lo, hi) = p.range();
            if lo != hi {
                return malformed("the host alias is a CIDR, not one host");
            }
            return Ok(TestDst::Addresses(vec![p.addr], port));
        }
        if let Some(a) = Addr::parse(host) {
            return Ok(TestDst::Addresses(vec![a], port));
        }
        if host.starts_with("tag:") {
            if !self.defs.has_tag(host) {
                return malformed("the tag is not defined in tagOwners");
            }
            return devices_of(self.tailnet.tagged_with(host).collect(), host);
        }
        if host.starts_with("group:") {
            let Some(members) = self.defs.group(host) else {
                return if host.contains('@') {
                    Err(DstErr::Indet(cat(&[
                        host,
                        " is synced by SCIM: its members are not in the API",
                    ])))
                } else {
                    malformed("the group is not defined in groups")
                };
            };
            let list: Vec<u32> = members
                .iter()
                .flat_map(|m| self.tailnet.owned_by(m))
                .collect();
            return devices_of(list, host);
        }
        match host {
            "autogroup:internet" => {
                return Ok(TestDst::Set(internet_ranges(), host.to_owned(), port))
            }
            "autogroup:self" => return Ok(TestDst::OwnDevices(port)),
            _ => {}
        }
        if host.starts_with("ipset:") {
            return match self.defs.ipset(host) {
                Some(Ok(set)) => Ok(TestDst::Set(set.clone(), host.to_owned(), port)),
                _ => malformed("the ipset is not defined"),
            };
        }
        if host.starts_with("svc:") {
            return Err(DstErr::Indet(cat(&[
                host,
                ": the addresses of Tailscale Services are not known",
            ])));
        }
        if host.starts_with("autogroup:") {
            return Err(DstErr::Indet(cat(&[
                host,
                " as a test destination is not documented",
            ])));
        }
        if host.contains('@') {
            return devices_of(self.tailnet.owned_by(host).collect(), host);
        }
        malformed("not a host, IP address, tag, group or user")
    }

    fn test_sources(&self, src: &str) -> Result<Vec<Vec<Who>>, SrcErr> {
        let all = |list: Vec<u32>, none: &'static str| -> Result<Vec<Vec<Who>>, SrcErr> {
            if list.is_empty() {
                Err(SrcErr::Indet(none))
            } else {
                Ok(vec![list.into_iter().map(Who::Device).collect()])
            }
        };
        if src == "*" {
            return Err(SrcErr::Fail("* is not a test source"));
        }
        if src.starts_with("tag:") {
            if !self.defs.has_tag(src) {
                return Err(SrcErr::Fail("the tag is not defined in tagOwners"));
            }
            return all(
                self.tailnet.tagged_with(src).collect(),
                "no device has the tag",
            );
        }
        if src.starts_with("group:") {
            if src.contains('@') {
                return Err(SrcErr::Indet(
                    "the group is synced by SCIM: its members are not in the API",
                ));
            }
            let Some(members) = self.defs.group(src) else {
                return Err(SrcErr::Fail("the group is not defined in groups"));
            };
            // "a representative member" (doc): each member alone, or all of them.
            let mut readings: Vec<Vec<Who>> = members
                .iter()
                .map(|m| {
                    self.tailnet
                        .owned_by(m)
                        .map(Who::Device)
                        .collect::<Vec<_>>()
                })
                .filter(|r| !r.is_empty())
                .collect();
            let every: Vec<Who> = readings.iter().flatten().cloned().collect();
            if readings.len() > 1 {
                readings.push(every);
            }
            return if readings.is_empty() {
                Err(SrcErr::Indet("no member of the group has a device"))
            } else {
                Ok(readings)
            };
        }
        if let Some(name) = src.strip_prefix("autogroup:") {
            let keep: Vec<u32> = match name {
                "member" => (0..self.tailnet.devices.len() as u32)
                    .filter(|d| {
                        self.tailnet
                            .device(*d)
                            .is_some_and(|x| x.owner().is_some() && !x.external)
                    })
                    .collect(),
                "tagged" => (0..self.tailnet.devices.len() as u32)
                    .filter(|d| self.tailnet.device(*d).is_some_and(|x| x.is_tagged()))
                    .collect(),
                _ => return Err(SrcErr::Fail("not an autogroup a test can start from")),
            };
            return all(keep, "no device is in the autogroup");
        }
        if let Some(p) = self.defs.host(src) {
            let (lo, hi) = p.range();
            return if lo == hi {
                Ok(self.address_readings(p.addr))
            } else {
                Err(SrcErr::Indet("a host alias that is a CIDR as a test's src"))
            };
        }
        if let Some(a) = Addr::parse(src) {
            return Ok(self.address_readings(a));
        }
        if src.contains('@') {
            let devices: Vec<u32> = self.tailnet.owned_by(src).collect();
            if devices.is_empty() {
                return Err(SrcErr::FailOrIndet(
                    "the user has no device (or is unknown)",
                ));
            }
            // One device of the user, or all of them.
            let mut readings: Vec<Vec<Who>> =
                devices.iter().map(|d| vec![Who::Device(*d)]).collect();
            if devices.len() > 1 {
                readings.push(devices.into_iter().map(Who::Device).collect());
            }
            return Ok(readings);
        }
        Err(SrcErr::Fail("not a user, group, tag or host"))
    }

    /// One sshTests entry (policytests.md §4.2).
    fn ssh_test<J: Json>(&self, t: &J, src: &str) -> Vec<Res> {
        let dsts = strings(t.get("dst"));
        let wants: Vec<(String, SshAction)> = [
            ("accept", SshAction::Accept),
            ("check", SshAction::Check),
            ("deny", SshAction::Deny),
        ]
        .iter()
        .flat_map(|(k, a)| strings(t.get(k)).into_iter().map(move |l| (l, *a)))
        .collect();
        if wants.is_empty() {
            return vec![Res::Fail(
                "[ssh test error]: the test has no accept, check or deny".into(),
            )];
        }
        let attrs: Attributes = t
            .get("srcPostureAttrs")
            .map(|a| attributes_of(&a))
            .unwrap_or_default();
        let sources: Vec<u32> = if src.starts_with("group:") {
            return vec![Res::Indet(
                "a group as an sshTests src is not known to work (tailscale#11790)".into(),
            )];
        } else if src.starts_with("tag:") {
            self.tailnet.tagged_with(src).collect()
        } else if let Some(a) = self
            .defs
            .host(src)
            .filter(|p| p.range().0 == p.range().1)
            .map(|p| p.addr)
            .or_else(|| Addr::parse(src))
        {
            self.tailnet.by_address(a).into_iter().collect()
        } else if src.contains('@') {
            self.tailnet.owned_by(src).collect()
        } else {
            Vec::new()
        };
        if sources.is_empty() {
            return vec![Res::Indet(cat(&[src, " resolves to no device"]))];
        }
        let mut targets: Vec<(String, u32)> = Vec::new();
        for d in &dsts {
            let found: Vec<u32> = if d.starts_with("tag:") {
                self.tailnet.tagged_with(d).collect()
            } else if let Some(p) = self.defs.host(d) {
                self.tailnet.by_address(p.addr).into_iter().collect()
            } else if let Some(a) = Addr::parse(d) {
                if a.family == V6 {
                    // SaaS fails a bare IPv6 destination (sshtest-malformed-dst-bare-ipv6).
                    return vec![Res::Fail(cat(&[
                        "[ssh test error]: dst ",
                        &quoted(d),
                        ": a bare IPv6 address fails",
                    ]))];
                }
                self.tailnet.by_address(a).into_iter().collect()
            } else if d.starts_with("autogroup:") {
                return vec![Res::Indet(cat(&[d, " as an sshTests dst is not known"]))];
            } else if d.contains('@') {
                self.tailnet.owned_by(d).collect()
            } else {
                Vec::new()
            };
            for x in found {
                if !targets.iter().any(|(_, y)| *y == x) {
                    targets.push((d.clone(), x));
                }
            }
        }
        if targets.is_empty() {
            return vec![Res::Indet("the dst resolves to no device".into())];
        }
        let view = |i: u32| {
            self.tailnet.device(i).map(|d| SshDevice {
                index: i,
                tags: &d.tags,
                owner: d.owner(),
            })
        };
        let ip = |i: u32| {
            self.tailnet
                .device(i)
                .and_then(|d| d.address(V4).or_else(|| d.address(V6)))
                .map(|a| a.print())
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        for &s in &sources {
            let Some(sv) = view(s) else { continue };
            for (entry, d) in &targets {
                let Some(dv) = view(*d) else { continue };
                for (login, want) in &wants {
                    let got = self
                        .ssh
                        .action(&self.defs, &self.gates, &sv, &dv, login, &attrs);
                    let res = match (want, got) {
                        (w, g) if *w == g => Res::Pass,
                        (SshAction::Accept, SshAction::Check) => Res::Indet(
                            "whether a check rule satisfies an accept test is not known".into(),
                        ),
                        (SshAction::Check, SshAction::Accept) => Res::Indet(
                            "whether an accept rule satisfies a check test is not known".into(),
                        ),
                        _ => Res::Fail(cat(&[
                            "[ssh test error]: src ",
                            &quoted(src),
                            " at ",
                            &quoted(&ip(s)),
                            ", dst ",
                            &quoted(entry),
                            " at ",
                            &quoted(&ip(*d)),
                            ", ssh user ",
                            &quoted(login),
                            ": want: ",
                            &quoted(want.name()),
                            " got: ",
                            &quoted(got.name()),
                        ])),
                    };
                    out.push(res);
                }
            }
        }
        out
    }
}

/// A test's destination: addresses, or a set evaluated under the "refused or evaluated"
/// readings (autogroup:internet, ipsets).
enum TestDst {
    Addresses(Vec<Addr>, u16),
    Set(AddrSet, String, u16),
    /// `autogroup:self`: the source user's own devices, or refused.
    OwnDevices(u16),
}

enum DstErr {
    Malformed(String),
    Indet(String),
}

enum SrcErr {
    Fail(&'static str),
    /// A user with no device, or unknown: fails unless a device of that identity would pass.
    FailOrIndet(&'static str),
    Indet(&'static str),
}

fn refusal(message: String) -> PolicyCheck {
    PolicyCheck {
        ok: false,
        message: Some(message),
        data: Vec::new(),
    }
}

/// Adds a test's results under its `src`: one entry per src, in the order the srcs first
/// appear among the tests (entries without findings are dropped at the end).
fn record(out: &mut Vec<CheckEntry>, src: &str, results: Vec<Res>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for r in results {
        match r {
            Res::Pass => {}
            Res::Fail(line) => errors.push(line),
            Res::Indet(why) => warnings.push(cat(&["indeterminate: ", &why])),
        }
    }
    match out.iter_mut().find(|e| e.user == src) {
        Some(e) => {
            e.errors.extend(errors);
            e.warnings.extend(warnings);
        }
        None => out.push(CheckEntry {
            user: src.to_owned(),
            errors,
            warnings,
        }),
    }
}

fn summary(mut data: Vec<CheckEntry>) -> PolicyCheck {
    data.retain(|e| !e.errors.is_empty() || !e.warnings.is_empty());
    let errors = data.iter().any(|e| !e.errors.is_empty());
    let warnings = data.iter().any(|e| !e.warnings.is_empty());
    PolicyCheck {
        ok: !errors && !warnings,
        message: if errors {
            Some("test(s) failed".into())
        } else if warnings {
            Some("warning(s) found".into())
        } else {
            None
        },
        data,
    }
}
