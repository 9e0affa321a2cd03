//! `grants` (`ip`) and `acls` (`proto`, `host:ports`, legacy `users`/`ports`) compiled once each
//! into [`Rule`]s: source targets, destination targets, ports per protocol, posture gate. The
//! union of every rule is the policy; order counts for nothing. A rule that refers to something
//! undefined is refused (an issue) and left out; the others still answer.

use super::defs::{check_postures, string_items, Defs};
use super::issues::Found;
use super::ports::{parse_ip_entry, parse_ports, proto_number, ProtoPorts, DEFAULT_PROTOS};
use super::postures::Gates;
use super::selectors::{Sel, SelError, Selectors, Side};
use super::tailnet::Tailnet;
use crate::hujson::{Kind, Node};
use serde::Serialize;
use tailscale_wire::error::{index_field, member_field};
use tailscale_wire::text::{cat, quoted};

/// Which part of the file a rule is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Section {
    Grants,
    Acls,
    /// The allow-all a file with neither `acls` nor `grants` means (captures of nodeattrs,
    /// ssh and sshtest: such files deliver `*` to `*` to every node). It has no line.
    Default,
}

/// A rule of the file: its section, its 0-based index there, its 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RuleRef {
    pub section: Section,
    pub index: u32,
    pub line: u32,
}

/// One compiled rule. An ACL with destinations on different ports compiles to one rule per
/// port list, all with the same [`RuleRef`].
#[derive(Debug, Clone)]
pub struct Rule {
    pub at: RuleRef,
    pub src: Vec<u32>,
    pub dst: Vec<u32>,
    /// `autogroup:self` among the destinations.
    pub self_dst: bool,
    pub ports: ProtoPorts,
    pub gate: Option<u32>,
    /// `via` tags; empty when the rule has none.
    pub via: Vec<String>,
    /// Why the rule's effect is unknown (a field this engine does not know).
    pub unknown: Option<String>,
}

const GRANT_FIELDS: [&str; 6] = ["src", "dst", "ip", "app", "via", "srcPosture"];
const ACL_FIELDS: [&str; 7] = [
    "action",
    "src",
    "users",
    "dst",
    "ports",
    "proto",
    "srcPosture",
];
/// `tailscale.com` capabilities SaaS accepted and refused in grants (grant-a3, a4, b3, k11;
/// grant-a5, k9, k10); others in that domain draw a warning.
const TS_CAPS_OK: [&str; 4] = ["webui", "relay", "drive", "kubernetes"];
const TS_CAPS_REFUSED: [&str; 3] = ["relay-target", "funnel", "ingress"];

/// What compiling needs and fills in.
pub struct Compiler<'a> {
    pub defs: &'a Defs,
    pub tailnet: &'a Tailnet,
    pub selectors: &'a mut Selectors,
    pub gates: &'a mut Gates,
    pub found: &'a mut Found,
    pub rules: Vec<Rule>,
    /// Byte offset of each rule in the text, for its line.
    pub offsets: Vec<usize>,
}

/// A source or destination list resolved: targets, `autogroup:self`, or refused.
struct Resolved {
    targets: Vec<u32>,
    self_dst: bool,
    ok: bool,
}

impl Compiler<'_> {
    pub fn compile(&mut self, root: &Node<'_>) {
        let grants = root.get("grants").filter(|n| n.kind() != Kind::Null);
        let acls = root.get("acls").filter(|n| n.kind() != Kind::Null);
        if grants.is_none() && acls.is_none() {
            self.default_rule();
        }
        for (section, node) in [(Section::Grants, grants), (Section::Acls, acls)] {
            let Some(node) = node else { continue };
            let name = if section == Section::Grants {
                "grants"
            } else {
                "acls"
            };
            if node.kind() != Kind::Array {
                self.found.error(name, &node, "must be a list of rules");
                continue;
            }
            for (i, rule) in node.items().enumerate() {
                let field = index_field(name, i);
                if rule.kind() != Kind::Object {
                    self.found
                        .error(&field, &rule, "must be a rule (an object)");
                    continue;
                }
                if section == Section::Grants {
                    self.grant(i, &rule, &field);
                } else {
                    self.acl(i, &rule, &field);
                }
            }
        }
    }

    fn default_rule(&mut self) {
        let src = self
            .selectors
            .resolve("*", Side::Src, false, self.defs, self.tailnet);
        let dst = self
            .selectors
            .resolve("*", Side::Dst, false, self.defs, self.tailnet);
        if let (Ok(Sel::Target(s)), Ok(Sel::Target(d))) = (src, dst) {
            let mut ports = ProtoPorts::default();
            ports.add(
                &DEFAULT_PROTOS,
                &super::addr::Ranges::single(0, super::ports::MAX_PORT),
            );
            let gate = self.default_gate();
            self.rules.push(Rule {
                at: RuleRef {
                    section: Section::Default,
                    index: 0,
                    line: 0,
                },
                src: vec![s],
                dst: vec![d],
                self_dst: false,
                ports,
                gate,
                via: Vec::new(),
                unknown: None,
            });
            self.offsets.push(usize::MAX);
        }
    }

    fn default_gate(&mut self) -> Option<u32> {
        let names = self.defs.default_posture.clone();
        (!names.is_empty()).then(|| self.gates.gate(names))
    }

    /// The rule's gate: its own `srcPosture` when it lists any, else `defaultSrcPosture`.
    fn gate(&mut self, rule: &Node<'_>, field: &str) -> Option<u32> {
        let Some(list) = rule.get("srcPosture").filter(|n| n.kind() != Kind::Null) else {
            return self.default_gate();
        };
        let at = member_field(field, "srcPosture");
        let names = string_items(&list, &at, self.found);
        check_postures(self.defs, &names, &at, &list, self.found);
        if names.is_empty() {
            if !self.defs.default_posture.is_empty() {
                self.found.warn(
                    &at,
                    &list,
                    "is empty, read as absent: defaultSrcPosture applies to this rule (how Tailscale reads an empty srcPosture is not documented)",
                );
            }
            return self.default_gate();
        }
        Some(self.gates.gate(names))
    }

    fn unknown_fields(&mut self, rule: &Node<'_>, known: &[&str], field: &str) -> Option<String> {
        let mut unknown = None;
        for (key, value) in rule.members() {
            if !known.contains(&key.as_str()) {
                let why = cat(&[
                    &member_field(field, &key),
                    " is a field this engine does not know (from a newer Tailscale?)",
                ]);
                self.found
                    .warn(&member_field(field, &key), &value, why.clone());
                unknown.get_or_insert(why);
            }
        }
        unknown
    }

    fn list<'n>(
        &mut self,
        rule: &Node<'n>,
        keys: [&str; 2],
        field: &str,
    ) -> Option<(Node<'n>, String)> {
        for key in keys {
            if let Some(n) = rule.get(key).filter(|n| n.kind() != Kind::Null) {
                return Some((n, member_field(field, key)));
            }
        }
        self.found.error(
            &member_field(field, keys[0]),
            rule,
            cat(&[keys[0], " must be specified"]),
        );
        None
    }

    fn sources(&mut self, list: &Node<'_>, at: &str, grant: bool) -> Resolved {
        let mut out = Resolved {
            targets: Vec::new(),
            self_dst: false,
            ok: true,
        };
        for (j, text) in string_items(list, at, self.found).iter().enumerate() {
            let field = index_field(at, j);
            match self
                .selectors
                .resolve(text, Side::Src, grant, self.defs, self.tailnet)
            {
                Ok(Sel::Target(t)) => out.targets.push(t),
                Ok(Sel::SelfDst) => {}
                Err(e) => {
                    out.ok = false;
                    let message = match e {
                        SelError::TagNotFound(tag) => cat(&["src=tag not found: ", &quoted(&tag)]),
                        SelError::SelfOnSrc => {
                            "\"autogroup:self\" not valid on the src side of a rule".into()
                        }
                        SelError::DangerAllDst | SelError::AllAddresses => text.clone(),
                        SelError::Other(m) => m,
                    };
                    self.found.error(&field, list, message);
                }
            }
        }
        out
    }

    /// A destination (a grant's entry, or an ACL entry's host): `entry` is the whole ACL
    /// entry, which some of SaaS's messages quote.
    fn destination(
        &mut self,
        host: &str,
        entry: &str,
        field: &str,
        node: &Node<'_>,
        grant: bool,
        out: &mut Resolved,
    ) {
        match self
            .selectors
            .resolve(host, Side::Dst, grant, self.defs, self.tailnet)
        {
            Ok(Sel::Target(t)) => out.targets.push(t),
            Ok(Sel::SelfDst) => out.self_dst = true,
            Err(e) => {
                out.ok = false;
                let message = match e {
                    SelError::TagNotFound(tag) => {
                        cat(&["dst=", &quoted(host), ": tag not found: ", &quoted(&tag)])
                    }
                    SelError::DangerAllDst => "cannot use autogroup:danger-all as a dst".into(),
                    SelError::AllAddresses => cat(&[
                        "dst ",
                        &quoted(host),
                        ": to allow all IP addresses, use \"*\" or \"autogroup:internet\"",
                    ]),
                    SelError::SelfOnSrc => entry.to_owned(),
                    SelError::Other(m) => m,
                };
                self.found.error(field, node, message);
            }
        }
    }

    /// `autogroup:self` takes users, groups and the member and role autogroups as sources
    /// (and `*` in ACLs: acl-a04); one other source refuses the rule (acl-sf08, grant-p04-3).
    fn check_self_sources(&mut self, list: &Node<'_>, at: &str, grant: bool) -> bool {
        let mut ok = true;
        for (j, text) in string_items(list, at, &mut Found::default())
            .iter()
            .enumerate()
        {
            let allowed = match text.as_str() {
                "*" => !grant,
                t if t.starts_with("tag:") => false,
                "autogroup:tagged" | "autogroup:danger-all" | "autogroup:shared" => false,
                t if t.starts_with("autogroup:") => true,
                t if t.starts_with("group:") || t.starts_with("user:") => true,
                t => t.contains('@'),
            };
            if !allowed {
                ok = false;
                self.found.error(
                    &index_field(at, j),
                    list,
                    "autogroup:self can only be used with users, groups, or supported autogroups",
                );
            }
        }
        ok
    }

    fn push(&mut self, rule: Rule, node: &Node<'_>) {
        self.rules.push(rule);
        self.offsets.push(node.span().0);
    }

    fn grant(&mut self, i: usize, rule: &Node<'_>, field: &str) {
        let unknown = self.unknown_fields(rule, &GRANT_FIELDS, field);
        let mut ok = true;
        let src = match self.list(rule, ["src", "src"], field) {
            Some((list, at)) => Some((list, at)),
            None => {
                ok = false;
                None
            }
        };
        let mut dst = Resolved {
            targets: Vec::new(),
            self_dst: false,
            ok: true,
        };
        let mut internet = false;
        match self.list(rule, ["dst", "dst"], field) {
            Some((list, at)) => {
                for (j, text) in string_items(&list, &at, self.found).iter().enumerate() {
                    internet |= text == "autogroup:internet";
                    self.destination(text, text, &index_field(&at, j), &list, true, &mut dst);
                }
            }
            None => ok = false,
        }
        let sources = match &src {
            Some((list, at)) => {
                if dst.self_dst && !self.check_self_sources(list, at, true) {
                    ok = false;
                }
                self.sources(list, at, true)
            }
            None => Resolved {
                targets: Vec::new(),
                self_dst: false,
                ok: false,
            },
        };
        let mut ports = ProtoPorts::default();
        let ip_field = member_field(field, "ip");
        let ip = rule.get("ip").filter(|n| n.kind() != Kind::Null);
        if let Some(ip) = &ip {
            for (j, entry) in string_items(ip, &ip_field, self.found).iter().enumerate() {
                match parse_ip_entry(entry) {
                    Ok((protos, range)) => ports.add(&protos, &range),
                    Err(m) => {
                        ok = false;
                        self.found.error(&index_field(&ip_field, j), ip, m);
                    }
                }
            }
        }
        let app = rule.get("app").filter(|n| n.kind() != Kind::Null);
        let has_app = app.as_ref().is_some_and(|a| a.members().next().is_some());
        if let Some(app) = &app {
            self.check_app(app, &member_field(field, "app"));
        }
        let has_ip = ip.as_ref().is_some_and(|n| n.items().next().is_some());
        if !has_ip && !has_app {
            ok = false;
            self.found
                .error(field, rule, "ip and app can not both be empty");
        }
        if has_app && internet {
            ok = false;
            self.found.error(
                &member_field(field, "app"),
                rule,
                "cannot use app grants with autogroup:internet",
            );
        }
        let mut via = Vec::new();
        if let Some(list) = rule.get("via").filter(|n| n.kind() != Kind::Null) {
            let at = member_field(field, "via");
            for (j, tag) in string_items(&list, &at, self.found).into_iter().enumerate() {
                if !tag.starts_with("tag:") {
                    ok = false;
                    self.found
                        .error(&index_field(&at, j), &list, "via can only be a tag");
                } else if !self.defs.has_tag(&tag) {
                    ok = false;
                    self.found.error(
                        &index_field(&at, j),
                        &list,
                        cat(&["tag ", &quoted(&tag), " not found"]),
                    );
                } else {
                    via.push(tag);
                }
            }
        }
        let gate = self.gate(rule, field);
        if !(ok && sources.ok && dst.ok) || ports.is_empty() {
            // Refused, or an app-only grant: app grants deliver no packet filter (grant-a1).
            return;
        }
        self.push(
            Rule {
                at: RuleRef {
                    section: Section::Grants,
                    index: i as u32,
                    line: 0,
                },
                src: sources.targets,
                dst: dst.targets,
                self_dst: dst.self_dst,
                ports,
                gate,
                via,
                unknown,
            },
            rule,
        );
    }

    fn check_app(&mut self, app: &Node<'_>, at: &str) {
        if app.kind() != Kind::Object {
            self.found.error(
                at,
                app,
                "must be an object of capability names to lists of objects",
            );
            return;
        }
        for (name, value) in app.members() {
            let field = member_field(at, &name);
            let form = name.split_once('/').filter(|(domain, path)| {
                !domain.is_empty()
                    && !path.is_empty()
                    && domain.contains('.')
                    && !domain.contains(':')
            });
            match form {
                None => self.found.error(
                    &field,
                    &value,
                    "capability name must have the form {domain}/{path}",
                ),
                Some(("tailscale.com", path)) => {
                    let cap = path.strip_prefix("cap/").unwrap_or(path);
                    if TS_CAPS_REFUSED.contains(&cap) {
                        self.found.error(
                            &field,
                            &value,
                            "capability name must not be in the tailscale.com domain",
                        );
                    } else if !TS_CAPS_OK.contains(&cap) {
                        self.found.warn(
                            &field,
                            &value,
                            "Tailscale accepts only some tailscale.com capabilities in grants; whether it accepts this one is not known",
                        );
                    }
                }
                Some(_) => {}
            }
        }
    }

    fn acl(&mut self, i: usize, rule: &Node<'_>, field: &str) {
        let unknown = self.unknown_fields(rule, &ACL_FIELDS, field);
        let mut ok = true;
        match rule.get("action").and_then(|a| a.as_str()) {
            Some(a) if a == "accept" => {}
            Some(a) => {
                ok = false;
                self.found.error(
                    &member_field(field, "action"),
                    rule,
                    cat(&["action=", &quoted(&a), " is not supported"]),
                );
            }
            None => {
                ok = false;
                self.found.error(
                    &member_field(field, "action"),
                    rule,
                    "action must be specified (\"accept\")",
                );
            }
        }
        let protos: Vec<u8> = match rule.get("proto").filter(|n| n.kind() != Kind::Null) {
            None => DEFAULT_PROTOS.to_vec(),
            Some(p) => {
                let text = p.as_str().or_else(|| {
                    p.as_f64()
                        .filter(|f| f.fract() == 0.0 && (0.0..=255.0).contains(f))
                        .map(|f| tailscale_wire::text::decimal(f as u64))
                });
                match text.as_deref().and_then(proto_number) {
                    Some(n) => vec![n],
                    None => {
                        ok = false;
                        self.found.error(
                            &member_field(field, "proto"),
                            &p,
                            "must be an IANA protocol number 1-255 or a name such as tcp, udp or icmp",
                        );
                        Vec::new()
                    }
                }
            }
        };
        let src = self.list(rule, ["src", "users"], field);
        let dst = self.list(rule, ["dst", "ports"], field);
        let (Some((src_list, src_at)), Some((dst_list, dst_at))) = (src, dst) else {
            return;
        };
        // Destinations grouped by their port list: one compiled rule per list.
        let mut groups: Vec<(super::addr::Ranges, Resolved)> = Vec::new();
        for (j, entry) in string_items(&dst_list, &dst_at, self.found)
            .iter()
            .enumerate()
        {
            let at = index_field(&dst_at, j);
            let split = if let Some(rest) = entry.strip_prefix('[') {
                rest.split_once("]:")
                    .map(|(h, p)| (h.to_owned(), p.to_owned()))
            } else {
                entry
                    .rsplit_once(':')
                    .map(|(h, p)| (h.to_owned(), p.to_owned()))
            };
            let Some((host, ports)) = split else {
                ok = false;
                self.found.error(
                    &at,
                    &dst_list,
                    cat(&[
                        "dst=",
                        &quoted(entry),
                        ": hostport must contain a colon (\":\")",
                    ]),
                );
                continue;
            };
            let ranges = match parse_ports(&ports) {
                Ok(r) => r,
                Err(m) => {
                    ok = false;
                    self.found
                        .error(&at, &dst_list, cat(&["dst=", &quoted(entry), ": ", &m]));
                    continue;
                }
            };
            let k = match groups.iter().position(|(r, _)| *r == ranges) {
                Some(k) => k,
                None => {
                    groups.push((
                        ranges,
                        Resolved {
                            targets: Vec::new(),
                            self_dst: false,
                            ok: true,
                        },
                    ));
                    groups.len() - 1
                }
            };
            if let Some((_, resolved)) = groups.get_mut(k) {
                self.destination(&host, entry, &at, &dst_list, false, resolved);
            }
        }
        let any_self = groups.iter().any(|(_, r)| r.self_dst);
        if any_self && !self.check_self_sources(&src_list, &src_at, false) {
            ok = false;
        }
        let sources = self.sources(&src_list, &src_at, false);
        let gate = self.gate(rule, field);
        if !ok || !sources.ok || groups.iter().any(|(_, r)| !r.ok) || protos.is_empty() {
            return;
        }
        for (ranges, resolved) in groups {
            let mut ports = ProtoPorts::default();
            ports.add(&protos, &ranges);
            self.push(
                Rule {
                    at: RuleRef {
                        section: Section::Acls,
                        index: i as u32,
                        line: 0,
                    },
                    src: sources.targets.clone(),
                    dst: resolved.targets,
                    self_dst: resolved.self_dst,
                    ports,
                    gate,
                    via: Vec::new(),
                    unknown: unknown.clone(),
                },
                rule,
            );
        }
    }
}
