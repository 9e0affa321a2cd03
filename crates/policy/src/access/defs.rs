//! What the policy file defines besides its rules: `groups`, `hosts`, `tagOwners`, `ipsets`,
//! `postures` and `defaultSrcPosture`, read once from the HuJSON tree with the issues SaaS would
//! raise (its words where the captures recorded them, `messages.md`).

use super::addr::{internet_ranges, AddrSet, Prefix};
use super::issues::Found;
use crate::hujson::{Kind, Node};
use crate::posture::{self, Condition};
use tailscale_wire::error::{index_field, member_field};
use tailscale_wire::text::{cat, quoted};

/// The top-level fields Tailscale documents for the policy file (kb/1337, policy-file syntax,
/// Apr 2026). Anything else draws a warning: SaaS answers `json: unknown field "x"` to fields it
/// does not know, and a newer Tailscale may know fields this engine does not.
const TOP_LEVEL: [&str; 17] = [
    "acls",
    "grants",
    "ssh",
    "groups",
    "hosts",
    "tagOwners",
    "autoApprovers",
    "tests",
    "sshTests",
    "nodeAttrs",
    "postures",
    "defaultSrcPosture",
    "ipsets",
    "derpMap",
    "disableIPv4",
    "randomizeClientPort",
    "OneCGNATRoute",
];

/// A posture: its conditions, or why it cannot be evaluated.
#[derive(Debug, Clone)]
pub struct PostureDef {
    pub name: String,
    pub conditions: Result<Vec<(String, Condition)>, String>,
}

/// The definitions of one policy file, names sorted for lookup.
#[derive(Debug, Default)]
pub struct Defs {
    pub groups: Vec<(String, Vec<String>)>,
    pub hosts: Vec<(String, Prefix)>,
    /// `tagOwners` keys.
    pub tags: Vec<String>,
    pub ipsets: Vec<(String, Result<AddrSet, String>)>,
    pub postures: Vec<PostureDef>,
    pub default_posture: Vec<String>,
    /// `tagOwners` was present at all (undefined tags are only refused against a list).
    pub has_tag_owners: bool,
}

fn find<'a, T>(list: &'a [(String, T)], name: &str) -> Option<&'a T> {
    list.binary_search_by(|(n, _)| n.as_str().cmp(name))
        .ok()
        .and_then(|i| list.get(i))
        .map(|(_, v)| v)
}

impl Defs {
    pub fn group(&self, name: &str) -> Option<&Vec<String>> {
        find(&self.groups, name)
    }
    pub fn host(&self, name: &str) -> Option<&Prefix> {
        find(&self.hosts, name)
    }
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.binary_search_by(|t| t.as_str().cmp(tag)).is_ok()
    }
    pub fn ipset(&self, name: &str) -> Option<&Result<AddrSet, String>> {
        find(&self.ipsets, name)
    }
    pub fn posture(&self, name: &str) -> Option<&PostureDef> {
        self.postures
            .binary_search_by(|p| p.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.postures.get(i))
    }

    pub fn read(root: &Node<'_>, found: &mut Found) -> Defs {
        let mut defs = Defs::default();
        for (key, value) in root.members() {
            if !TOP_LEVEL.contains(&key.as_str()) {
                found.warn(
                    &member_field("", &key),
                    &value,
                    cat(&[
                        "is not a policy field this engine knows (from a newer Tailscale?); SaaS answers ",
                        &quoted(&cat(&["json: unknown field ", &quoted(&key)])),
                        " to a field it does not know",
                    ]),
                );
            }
        }
        if let Some(groups) = object(root, "groups", found) {
            for (name, members) in groups.members() {
                let field = member_field("groups", &name);
                if !name.starts_with("group:") {
                    found.error(&field, &members, "a group name must start with \"group:\"");
                }
                let list = string_items(&members, &field, found);
                for (k, m) in list.iter().enumerate() {
                    if m.starts_with("group:") {
                        // Any group inside a group, not only a cycle (ssh-group-nested-*).
                        found.error(
                            &index_field(&field, k),
                            &members,
                            cat(&[
                                "groups[",
                                &quoted(&name),
                                "]: ",
                                &quoted(m),
                                ": group members cannot be recursive",
                            ]),
                        );
                    }
                }
                defs.groups.push((name, list));
            }
        }
        if let Some(hosts) = object(root, "hosts", found) {
            for (name, value) in hosts.members() {
                let field = member_field("hosts", &name);
                if name.contains(':') {
                    // Seen in the admin console (tailscale#16614).
                    found.error(&field, &value, "host name must not contain colon (:)");
                } else if name.contains('@') {
                    found.error(&field, &value, "a host name may not contain \"@\"");
                }
                match value.as_str().and_then(|s| Prefix::parse(&s)) {
                    Some(p) => defs.hosts.push((name, p)),
                    None => found.error(
                        &field,
                        &value,
                        "must be an IP address or a CIDR prefix such as 10.0.0.0/24",
                    ),
                }
            }
        }
        if let Some(owners) = object(root, "tagOwners", found) {
            defs.has_tag_owners = true;
            for (name, value) in owners.members() {
                let field = member_field("tagOwners", &name);
                let rest = name.strip_prefix("tag:");
                match rest.and_then(|r| r.chars().next()) {
                    None => found.error(&field, &value, "a tag must start with \"tag:\""),
                    Some(c) if !c.is_ascii_alphabetic() => found.error(
                        &field,
                        &value,
                        cat(&[
                            "tagOwners[",
                            &quoted(&name),
                            "]: tag names must start with a letter, after 'tag:'",
                        ]),
                    ),
                    Some(_) => {}
                }
                defs.tags.push(name);
            }
        }
        if let Some(postures) = object(root, "postures", found) {
            for (name, value) in postures.members() {
                let field = member_field("postures", &name);
                let mut conditions = Ok(Vec::new());
                for (j, text) in string_items(&value, &field, found).into_iter().enumerate() {
                    match posture::parse(&text) {
                        Ok(c) => {
                            if let Ok(list) = conditions.as_mut() {
                                list.push((text, c));
                            }
                        }
                        Err(e) => {
                            let why = cat(&[&text, " does not parse at ", &e.describe()]);
                            found.error(&index_field(&field, j), &value, &why);
                            conditions = Err(why);
                        }
                    }
                }
                defs.postures.push(PostureDef { name, conditions });
            }
        }
        // A name given twice counts once, with its last value (as JSON.parse reads it).
        defs.groups.reverse();
        defs.groups.sort_by(|a, b| a.0.cmp(&b.0));
        defs.groups.dedup_by(|a, b| a.0 == b.0);
        defs.hosts.reverse();
        defs.hosts.sort_by(|a, b| a.0.cmp(&b.0));
        defs.hosts.dedup_by(|a, b| a.0 == b.0);
        defs.tags.sort_unstable();
        defs.tags.dedup();
        defs.postures.reverse();
        defs.postures.sort_by(|a, b| a.name.cmp(&b.name));
        defs.postures.dedup_by(|a, b| a.name == b.name);
        if let Some(list) = root.get("defaultSrcPosture") {
            defs.default_posture = string_items(&list, "defaultSrcPosture", found);
            check_postures(
                &defs,
                &defs.default_posture,
                "defaultSrcPosture",
                &list,
                found,
            );
        }
        defs.ipsets = read_ipsets(root, &defs, found);
        check_node_attrs(root, &defs, found);
        defs
    }
}

/// `nodeAttrs`: targets and `ipPool`, checked as SaaS checks them (nodeattrs-error-e2, e3, e4,
/// e6). What the attributes do is not an access question.
fn check_node_attrs(root: &Node<'_>, defs: &Defs, found: &mut Found) {
    let Some(list) = root.get("nodeAttrs").filter(|n| n.kind() == Kind::Array) else {
        return;
    };
    let reserved = [
        Prefix::parse("100.100.100.0/24"),
        Prefix::parse("100.115.92.0/23"),
    ];
    let cgnat = Prefix::parse("100.64.0.0/10");
    for (i, entry) in list.items().enumerate() {
        let field = index_field("nodeAttrs", i);
        if let Some(targets) = entry.get("target") {
            let at = member_field(&field, "target");
            for (j, t) in string_items(&targets, &at, found).iter().enumerate() {
                let at = index_field(&at, j);
                let message = if t == "autogroup:self" {
                    // SaaS answers HTTP 500 with this (nodeattrs-error-e3-autogroup-self).
                    Some("internal server error".to_owned())
                } else if t.starts_with("tag:") && !defs.has_tag(t) {
                    Some(cat(&["tag not found: ", &quoted(t)]))
                } else if t == "*"
                    || t.starts_with("tag:")
                    || t.starts_with("group:")
                    || t.starts_with("autogroup:")
                    || t.contains('@')
                    || defs.host(t).is_some()
                    || Prefix::parse(t).is_some()
                {
                    None
                } else {
                    Some(cat(&[&quoted(t), ": invalid address"]))
                };
                if let Some(m) = message {
                    found.error(&at, &targets, m);
                }
            }
        }
        if let Some(pool) = entry.get("ipPool") {
            let at = member_field(&field, "ipPool");
            for (j, p) in string_items(&pool, &at, found).iter().enumerate() {
                let at = index_field(&at, j);
                match Prefix::parse(p) {
                    None => found.error(&at, &pool, cat(&[&quoted(p), ": not a CIDR prefix"])),
                    Some(prefix) => {
                        let (lo, hi) = prefix.range();
                        let inside = cgnat.is_some_and(|c| {
                            let (clo, chi) = c.range();
                            c.family() == prefix.family() && clo <= lo && hi <= chi
                        });
                        let clash = reserved.iter().flatten().any(|r| {
                            let (rlo, rhi) = r.range();
                            r.family() == prefix.family() && lo <= rhi && rlo <= hi
                        });
                        if clash {
                            found.error(
                                &at,
                                &pool,
                                cat(&["IPPool(", p, "): network within reserved range"]),
                            );
                        } else if !inside {
                            found.error(
                                &at,
                                &pool,
                                cat(&["IPPool(", p, "): must lie within 100.64.0.0/10"]),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// Every name of a posture list is defined (SaaS's words for this are not known).
pub fn check_postures(
    defs: &Defs,
    names: &[String],
    field: &str,
    node: &Node<'_>,
    found: &mut Found,
) {
    for (i, name) in names.iter().enumerate() {
        if defs.posture(name).is_none() {
            found.error(
                &index_field(field, i),
                node,
                cat(&["posture ", &quoted(name), " is not defined in postures"]),
            );
        }
    }
}

fn object<'a>(root: &Node<'a>, key: &str, found: &mut Found) -> Option<Node<'a>> {
    let node = root.get(key).filter(|n| n.kind() != Kind::Null)?;
    if node.kind() != Kind::Object {
        found.error(key, &node, "must be an object");
        return None;
    }
    Some(node)
}

/// The strings of a list; anything else in it is an error.
pub fn string_items(node: &Node<'_>, field: &str, found: &mut Found) -> Vec<String> {
    if node.kind() == Kind::Null {
        return Vec::new();
    }
    if node.kind() != Kind::Array {
        found.error(field, node, "must be a list of strings");
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, item) in node.items().enumerate() {
        match item.as_str() {
            Some(s) => out.push(s),
            None => found.error(&index_field(field, i), &item, "must be a string"),
        }
    }
    out
}

/// How deep IP sets may nest here: bounds the recursion on any input.
const MAX_IPSET_DEPTH: usize = 32;

/// One operation of an IP set.
enum Op {
    Add(String),
    Remove(String),
}

/// `ipsets`: each is computed by its operations in order ("processed in order", kb/1387), from
/// the empty set: `add` is a union, `remove` a difference. Bare targets are allowed only in a set
/// of adds (kb/1387: "You must include the operation type before the target unless the named
/// IP set only uses add operations"). Targets: addresses, CIDRs, hosts, `autogroup:internet`,
/// other IP sets (no cycles); the doc refuses tags, users and groups. SaaS's words for these
/// refusals are unknown.
///
/// A host is a name of `hosts`, written bare or as `host:<name>`: kb/1387 says only that a
/// target may be "a host", and the copies of it found show no example of one. Both spellings
/// are read alike (as the demo tailnet's evaluator and steingmo's evaluator read them), so that
/// neither a file that writes `host:` nor one that does not is refused for it; a name `hosts`
/// does not define is refused either way.
fn read_ipsets(
    root: &Node<'_>,
    defs: &Defs,
    found: &mut Found,
) -> Vec<(String, Result<AddrSet, String>)> {
    let Some(section) = object(root, "ipsets", found) else {
        return Vec::new();
    };
    let mut raw: Vec<(String, Vec<Op>, String, Node<'_>)> = Vec::new();
    for (name, value) in section.members() {
        let field = member_field("ipsets", &name);
        if !name.starts_with("ipset:") {
            found.error(
                &field,
                &value,
                "an IP set's name must start with \"ipset:\"",
            );
        }
        let items = string_items(&value, &field, found);
        let bare_ok = items.iter().all(|s| !s.starts_with("remove "));
        let mut ops = Vec::new();
        for (j, item) in items.iter().enumerate() {
            let at = index_field(&field, j);
            if let Some(t) = item.strip_prefix("add ") {
                ops.push(Op::Add(t.trim().to_owned()));
            } else if let Some(t) = item.strip_prefix("remove ") {
                ops.push(Op::Remove(t.trim().to_owned()));
            } else if bare_ok {
                ops.push(Op::Add(item.trim().to_owned()));
            } else {
                found.error(
                    &at,
                    &value,
                    "needs \"add \" or \"remove \" before the target: an IP set with a remove names the operation of each entry (kb/1387)",
                );
            }
        }
        raw.push((name, ops, field, value));
    }
    raw.reverse();
    raw.sort_by(|a, b| a.0.cmp(&b.0));
    raw.dedup_by(|a, b| a.0 == b.0);
    let names: Vec<String> = raw.iter().map(|r| r.0.clone()).collect();
    let mut done: Vec<Option<Result<AddrSet, String>>> = vec![None; raw.len()];
    for i in 0..raw.len() {
        let mut stack = Vec::new();
        // Each set's result is kept in `done`; errors are in `found`.
        let _ = compute_ipset(i, &raw, &names, defs, &mut done, &mut stack, found);
    }
    names
        .into_iter()
        .zip(done)
        .map(|(n, r)| (n, r.unwrap_or_else(|| Err("not computed".into()))))
        .collect()
}

fn compute_ipset(
    i: usize,
    raw: &[(String, Vec<Op>, String, Node<'_>)],
    names: &[String],
    defs: &Defs,
    done: &mut [Option<Result<AddrSet, String>>],
    stack: &mut Vec<usize>,
    found: &mut Found,
) -> Result<AddrSet, String> {
    if let Some(Some(r)) = done.get(i) {
        return r.clone();
    }
    let Some((name, ops, field, node)) = raw.get(i) else {
        return Err("no such IP set".into());
    };
    if stack.contains(&i) || stack.len() >= MAX_IPSET_DEPTH {
        let why = cat(&[
            name,
            ": IP sets may not refer to each other in a cycle (or nest more than 32 deep)",
        ]);
        found.error(field, node, &why);
        return Err(why);
    }
    stack.push(i);
    let mut set = AddrSet::new();
    let mut removed = AddrSet::new();
    let mut result = Ok(());
    for op in ops {
        let (target, adding) = match op {
            Op::Add(t) => (t, true),
            Op::Remove(t) => (t, false),
        };
        let part = if let Some(p) = Prefix::parse(target) {
            Ok(AddrSet::of_prefix(&p))
        } else if let Some(p) = defs.host(target.strip_prefix("host:").unwrap_or(target)) {
            Ok(AddrSet::of_prefix(p))
        } else if let Some(name) = target.strip_prefix("host:") {
            Err(cat(&[&quoted(name), " is not a host defined in hosts"]))
        } else if target == "autogroup:internet" {
            Ok(internet_ranges())
        } else if target.starts_with("ipset:") {
            match names.binary_search(target) {
                Ok(j) => compute_ipset(j, raw, names, defs, done, stack, found),
                Err(_) => Err(cat(&[&quoted(target), " is not a defined IP set"])),
            }
        } else {
            Err(cat(&[
                &quoted(target),
                ": an IP set holds addresses, CIDRs, hosts, autogroup:internet and other IP sets, not tags, users or groups (kb/1387)",
            ]))
        };
        match part {
            Ok(part) if adding => {
                if !part.intersect(&removed).is_empty() {
                    found.warn(
                        field,
                        node,
                        cat(&[
                            "adds ",
                            &quoted(target),
                            " after removing part of it: operations apply in order (kb/1387), so the add wins here",
                        ]),
                    );
                }
                set = set.union(&part);
            }
            Ok(part) => {
                removed = removed.union(&part);
                set = set.subtract(&part);
            }
            Err(why) => {
                found.error(field, node, &why);
                result = Err(why);
            }
        }
    }
    stack.pop();
    let r = result.map(|()| set);
    if let Some(slot) = done.get_mut(i) {
        *slot = Some(r.clone());
    }
    r
}
