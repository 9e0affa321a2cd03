//! What a policy document defines (its postures and `defaultSrcPosture`) and the local checks
//! of `PolicyDocument.check()` and `setPosture`: the contract's list, each issue naming its
//! place, with no network. They complement `policy.validate`, the server's word.

use crate::hujson::{Document, Kind, Node};
use crate::posture::condition_list;
use crate::posture::{self, AttributeType, Condition, Operand, Operator, PostureDef};
use tailscale_wire::attribute::AttributeValue;
use tailscale_wire::error::Error;
use tailscale_wire::error::{index_field, member_field, Issue};
use tailscale_wire::json::Json;
use tailscale_wire::text::{cat, decimal};
use tailscale_wire::validate;

/// The postures a document defines (`postures`), in order, and its `defaultSrcPosture`.
/// A name defined twice counts once, as `JSON.parse` reads it: at its first place, with its
/// last value. Entries that are not lists of strings are left out: `check` reports them.
pub fn postures_of(doc: &Document) -> (Vec<PostureDef>, Vec<String>) {
    let root = doc.root();
    let mut postures = Vec::new();
    if let Some(section) = root.get("postures").filter(|p| p.kind() == Kind::Object) {
        let mut names: Vec<String> = Vec::new();
        for (name, _) in section.members() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        for name in names {
            let last = section.get(&name);
            if let Some(conditions) = last.as_ref().and_then(string_list) {
                postures.push(PostureDef { name, conditions });
            }
        }
    }
    let defaults = root
        .get("defaultSrcPosture")
        .and_then(|d| string_list(&d))
        .unwrap_or_default();
    (postures, defaults)
}

fn string_list(node: &Node<'_>) -> Option<Vec<String>> {
    if node.kind() != Kind::Array {
        return None;
    }
    let mut out = Vec::new();
    for item in node.items() {
        out.push(item.as_str()?);
    }
    Some(out)
}

/// The rule sections whose rules may carry `srcPosture`.
const RULE_SECTIONS: [&str; 3] = ["grants", "acls", "ssh"];

/// The sections of Tailscale's policy file syntax reference whose type is certain, and what
/// each must be; sections not listed (new ones, `OneCGNATRoute`...) are left to the server.
const SECTIONS: [(&str, Kind, &str); 16] = [
    ("acls", Kind::Array, "a list of rules"),
    ("grants", Kind::Array, "a list of grants"),
    ("ssh", Kind::Array, "a list of rules"),
    ("nodeAttrs", Kind::Array, "a list of rules"),
    ("tests", Kind::Array, "a list of tests"),
    ("sshTests", Kind::Array, "a list of tests"),
    ("defaultSrcPosture", Kind::Array, "a list of posture names"),
    (
        "groups",
        Kind::Object,
        "an object of group names to members",
    ),
    (
        "hosts",
        Kind::Object,
        "an object of host names to addresses",
    ),
    ("tagOwners", Kind::Object, "an object of tags to owners"),
    (
        "postures",
        Kind::Object,
        "an object of posture names to conditions",
    ),
    (
        "ipsets",
        Kind::Object,
        "an object of IP set names to addresses",
    ),
    ("autoApprovers", Kind::Object, "an object"),
    ("derpMap", Kind::Object, "an object"),
    ("randomizeClientPort", Kind::Bool, "true or false"),
    ("disableIPv4", Kind::Bool, "true or false"),
];

/// A JSON value's kind in words, for "must be ..., not <kind>".
fn kind_noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Null => "null",
        Kind::Bool => "a boolean",
        Kind::Number => "a number",
        Kind::String => "a string",
        Kind::Array => "a list",
        Kind::Object => "an object",
        Kind::Other => "another value",
    }
}

/// The local checks of `PolicyDocument.check()`: what the contract lists, each issue naming
/// its place. It complements `policy.validate`, the server's word, and needs no network.
pub fn check(doc: &Document) -> Vec<Issue> {
    let mut issues = Vec::new();
    let root = doc.root();
    if root.kind() != Kind::Object {
        // Nothing else applies to a file that holds no sections.
        issues.push(Issue::new(
            "",
            cat(&[
                "the policy file must be an object of sections, not ",
                kind_noun(root.kind()),
            ]),
        ));
        return issues;
    }
    duplicates(&root, "", &mut issues);
    for (name, value) in root.members() {
        // Only the last of a duplicated name counts, as JSON reads it; duplicates() said so.
        let last = root.get(&name).is_some_and(|l| l.span() == value.span());
        let Some((_, kind, what)) = SECTIONS.iter().find(|(section, _, _)| *section == name) else {
            continue;
        };
        if last && value.kind() != *kind {
            issues.push(Issue::new(
                member_field("", &name),
                cat(&["must be ", what, ", not ", kind_noun(value.kind())]),
            ));
        }
    }
    let mut defined: Vec<String> = Vec::new();
    if let Some(section) = root.get("postures") {
        for (name, value) in section.members() {
            let field = member_field("postures", &name);
            check_posture(&name, &value, &field, &mut issues);
            defined.push(name);
        }
    }
    let names_posture = |name: &str| defined.iter().any(|d| d == name);
    let references = |list: Node<'_>, field: String, issues: &mut Vec<Issue>| {
        if list.kind() != Kind::Array {
            issues.push(Issue::new(field, "must be a list of posture names"));
            return;
        }
        for (i, item) in list.items().enumerate() {
            let at = index_field(&field, i);
            match item.as_str() {
                Some(name) if names_posture(&name) => {}
                Some(name) => issues.push(Issue::new(
                    at,
                    cat(&["names \"", &name, "\", which is not defined in postures"]),
                )),
                None => issues.push(Issue::new(at, "must be a posture name (a string)")),
            }
        }
    };
    // A defaultSrcPosture that is not a list was reported with the sections.
    if let Some(list) = root
        .get("defaultSrcPosture")
        .filter(|l| l.kind() == Kind::Array)
    {
        references(list, "defaultSrcPosture".into(), &mut issues);
    }
    for &section in &RULE_SECTIONS {
        let Some(rules) = root.get(section).filter(|r| r.kind() == Kind::Array) else {
            continue;
        };
        for (i, rule) in rules.items().enumerate() {
            if let Some(list) = rule.get("srcPosture") {
                let field = member_field(&index_field(section, i), "srcPosture");
                references(list, field, &mut issues);
            }
        }
    }
    issues
}

/// Every object member whose name appears twice in the same object (JSON keeps the last).
fn duplicates(node: &Node<'_>, field: &str, issues: &mut Vec<Issue>) {
    match node.kind() {
        Kind::Object => {
            let mut seen: Vec<String> = Vec::new();
            for (name, value) in node.members() {
                let at = member_field(field, &name);
                if seen.contains(&name) {
                    let (line, _) = value.line_column();
                    issues.push(Issue::new(
                        at.clone(),
                        cat(&[
                            "is defined again on line ",
                            &decimal(line as u64),
                            " (JSON keeps only the last)",
                        ]),
                    ));
                }
                duplicates(&value, &at, issues);
                seen.push(name);
            }
        }
        Kind::Array => {
            for (i, item) in node.items().enumerate() {
                duplicates(&item, &index_field(field, i), issues);
            }
        }
        _ => {}
    }
}

/// A posture's name: `posture:` and a name after it.
fn posture_name(name: &str) -> Result<(), &'static str> {
    match name.strip_prefix("posture:") {
        Some(rest) if !rest.is_empty() => Ok(()),
        _ => Err("a posture name must start with \"posture:\" and have a name after it"),
    }
}

fn check_posture(name: &str, value: &Node<'_>, field: &str, issues: &mut Vec<Issue>) {
    if let Err(m) = posture_name(name) {
        issues.push(Issue::new(field, m));
    }
    let mut items = value.items().enumerate().peekable();
    if items.peek().is_none() {
        issues.push(Issue::new(field, "must be a non-empty list of conditions"));
        return;
    }
    for (i, item) in items {
        let at = index_field(field, i);
        match item.as_str() {
            Some(text) => issues.extend(condition_issues(&text).map(|m| Issue::new(&at, m))),
            None => issues.push(Issue::new(at, "must be a condition (a string)")),
        }
    }
}

/// What is wrong with one condition, if anything: it does not parse, its attribute is outside
/// the documented namespaces or (for `node:` and `ip:`) names, a `custom:` name breaks the
/// attribute-key rule, a documented attribute meets a value of another type, or an ordering
/// operator has a value that is neither a number nor a version of a version attribute.
pub fn condition_issues(text: &str) -> Option<String> {
    let condition = match posture::parse(text) {
        Ok(c) => c,
        Err(e) => return Some(cat(&["does not parse at ", &e.describe()])),
    };
    let namespace = condition.namespace();
    if !posture::known_namespace(namespace) {
        return Some(cat(&[
            "\"",
            namespace,
            ":\" is not a documented attribute namespace (node:, ip:, custom: or a posture integration's)",
        ]));
    }
    if namespace == "custom" {
        if let Err(m) = validate::attribute_key(&condition.attribute) {
            return Some(cat(&[&condition.attribute, " ", &m]));
        }
    }
    let typed = posture::attribute_type(&condition.attribute);
    if typed.is_none() && matches!(namespace, "node" | "ip") {
        // Tailscale sets these itself: an undocumented name would never be set.
        let known = if namespace == "ip" {
            "ip: holds only ip:country"
        } else {
            "node: holds node:os, node:osVersion, node:tsVersion, node:tsReleaseTrack, node:tsAutoUpdate and node:tsStateEncrypted"
        };
        return Some(cat(&[
            "\"",
            &condition.attribute,
            "\" is not a documented attribute (",
            known,
            ")",
        ]));
    }
    if let Some((kind, example)) = typed {
        if let Some(m) = wrong_type(&condition, kind, example) {
            return Some(m);
        }
    }
    let ordering = matches!(
        condition.operator,
        Operator::Lt | Operator::Le | Operator::Gt | Operator::Ge
    );
    let comparable = match &condition.value {
        Operand::One(AttributeValue::Number(_)) => true,
        Operand::One(AttributeValue::String(s)) => {
            posture::is_version(s) && typed.is_some_and(|(t, _)| t == AttributeType::Version)
        }
        _ => false,
    };
    if ordering && !comparable {
        return Some(cat(&[
            condition.operator.as_str(),
            " compares numbers, or versions of node:osVersion and node:tsVersion (such as '1.60'), not this value",
        ]));
    }
    None
}

/// A value of another type than the documented attribute's, which `==` and `IN` never match
/// (and `!=` and `NOT IN` always do): `node:tsVersion >= 1.60` compares a string with a number.
fn wrong_type(condition: &Condition, kind: AttributeType, example: &str) -> Option<String> {
    let values = match &condition.value {
        Operand::One(v) => std::slice::from_ref(v),
        Operand::List(items) => items.as_slice(),
        Operand::None => &[],
    };
    let fits = |v: &AttributeValue| match kind {
        AttributeType::String | AttributeType::Version => matches!(v, AttributeValue::String(_)),
        AttributeType::Boolean => matches!(v, AttributeValue::Boolean(_)),
    };
    if values.iter().all(fits) {
        return None;
    }
    let (what, how) = match kind {
        AttributeType::String => (" is a string: quote the value, as in ", example),
        AttributeType::Version => (" is a version, a string: quote the value, as in ", example),
        AttributeType::Boolean => (" is a boolean: write true or false, without quotes", ""),
    };
    Some(cat(&[&condition.attribute, what, how]))
}

/// The posture names and conditions `setPosture` will write, checked first: a `posture:`
/// name and a non-empty list of conditions that each pass [`condition_issues`].
pub fn check_set_posture(name: &str, conditions: &[String]) -> Vec<Issue> {
    let mut issues = Vec::new();
    if let Err(m) = posture_name(name) {
        issues.push(Issue::new("name", m));
    }
    if conditions.is_empty() {
        issues.push(Issue::new("conditions", "must hold at least one condition"));
    }
    for (i, c) in conditions.iter().enumerate() {
        if let Some(m) = condition_issues(c) {
            issues.push(Issue::new(index_field("conditions", i), m));
        }
    }
    issues
}

/// `setPosture`'s arguments, checked as `check()` checks a posture.
pub fn read_posture<J: Json>(name: &J, conditions: &J) -> Result<(String, Vec<String>), Error> {
    let mut issues = Vec::new();
    let name = name.as_string();
    if name.is_none() {
        issues.push(Issue::new(
            "name",
            "must be a string such as \"posture:provisioned\"",
        ));
    }
    let list = condition_list(conditions, "conditions", &mut issues);
    let name = name.unwrap_or_default();
    if issues.is_empty() {
        issues = check_set_posture(&name, &list);
    }
    validate::issues_or(issues, (name, list))
}
