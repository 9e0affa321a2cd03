//! `ssh` rules: the checks SaaS makes of them (its words, `messages.md` §1.3), and who may log in
//! as whom, for `sshTests` (`policytests.md` §4.2, which reproduces SaaS's delivered SSH rules on
//! 160,650 device/device/login triples). Only `ssh` rules count for SSH tests: network rules are
//! not consulted (capture sshtest-mixed-acls-tcp22-deny-ssh-rule-allow).

use super::addr::Prefix;
use super::defs::{check_postures, string_items, Defs};
use super::issues::Found;
use super::postures::{Gates, YES};
use super::tailnet::Tailnet;
use crate::hujson::{Kind, Node};
use crate::posture::Attributes;
use tailscale_wire::error::{index_field, member_field};
use tailscale_wire::text::{cat, decimal, quoted};

/// One `ssh` rule, its entries trimmed (SaaS trims them: ssh-src-leading-whitespace and
/// siblings are accepted).
#[derive(Debug, Clone)]
pub struct SshRule {
    pub check: bool,
    pub src: Vec<String>,
    pub dst: Vec<String>,
    pub users: Vec<String>,
    pub gate: Option<u32>,
}

#[derive(Debug, Default)]
pub struct SshPolicy {
    pub rules: Vec<SshRule>,
}

/// What one SSH login gets: `check` wins over `accept` (SaaS delivers check rules first and
/// `tailssh` applies the first match: ssh-multi-rule-accept-then-check and -check-then-accept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SshAction {
    Accept,
    Check,
    Deny,
}

impl SshAction {
    pub fn name(self) -> &'static str {
        match self {
            SshAction::Accept => "accept",
            SshAction::Check => "check",
            SshAction::Deny => "deny",
        }
    }
}

/// The longest `checkPeriod` (168h is accepted, 168h0m1s is not).
const MAX_CHECK_PERIOD_NS: i128 = 168 * 3600 * 1_000_000_000;

impl SshPolicy {
    pub fn read(
        root: &Node<'_>,
        defs: &Defs,
        _tailnet: &Tailnet,
        gates: &mut Gates,
        found: &mut Found,
    ) -> SshPolicy {
        let mut policy = SshPolicy::default();
        check_ssh_tests(root, defs, found);
        let Some(list) = root.get("ssh").filter(|n| n.kind() != Kind::Null) else {
            return policy;
        };
        if list.kind() != Kind::Array {
            found.error("ssh", &list, "must be a list of rules");
            return policy;
        }
        for (i, rule) in list.items().enumerate() {
            let field = index_field("ssh", i);
            if rule.kind() != Kind::Object {
                found.error(&field, &rule, "must be a rule (an object)");
                continue;
            }
            let action = rule
                .get("action")
                .and_then(|a| a.as_str())
                .unwrap_or_default();
            let action = action.trim();
            let check = match action {
                "accept" => false,
                "check" => true,
                "" => {
                    found.error(
                        &member_field(&field, "action"),
                        &rule,
                        "action must be specified",
                    );
                    continue;
                }
                other => {
                    found.error(
                        &member_field(&field, "action"),
                        &rule,
                        cat(&[&quoted(other), " is not a valid action"]),
                    );
                    continue;
                }
            };
            let trimmed = |key: &str, found: &mut Found| -> Vec<String> {
                match rule.get(key) {
                    Some(n) => string_items(&n, &member_field(&field, key), found)
                        .into_iter()
                        .map(|s| s.trim().to_owned())
                        .collect(),
                    None => Vec::new(),
                }
            };
            let users = trimmed("users", found);
            if users.is_empty() {
                found.error(
                    &member_field(&field, "users"),
                    &rule,
                    "users must be specified",
                );
                continue;
            }
            let mut ok = true;
            for (j, u) in users.iter().enumerate() {
                if u.is_empty() || u == "*" {
                    ok = false;
                    found.error(
                        &index_field(&member_field(&field, "users"), j),
                        &rule,
                        cat(&["user ", &quoted(u), " is not valid"]),
                    );
                } else if let Some(domain) = u.strip_prefix("localpart:*@") {
                    found.warn(
                        &index_field(&member_field(&field, "users"), j),
                        &rule,
                        cat(&[
                            "Tailscale refuses it unless ",
                            domain,
                            " is a domain of the tailnet, which the model cannot check",
                        ]),
                    );
                }
            }
            for (j, e) in trimmed("acceptEnv", found).iter().enumerate() {
                if e.is_empty() {
                    ok = false;
                    found.error(
                        &index_field(&member_field(&field, "acceptEnv"), j),
                        &rule,
                        "acceptEnv values cannot be empty",
                    );
                }
            }
            if let Some(period) = rule.get("checkPeriod").and_then(|p| p.as_str()) {
                if let Err(m) = check_period(&period) {
                    ok = false;
                    found.error(&member_field(&field, "checkPeriod"), &rule, m);
                }
            }
            let src = trimmed("src", found);
            let dst = trimmed("dst", found);
            for (j, d) in dst.iter().enumerate() {
                if defs.host(d).is_some() || Prefix::parse(d).is_some() {
                    ok = false;
                    found.error(
                        &index_field(&member_field(&field, "dst"), j),
                        &rule,
                        cat(&["invalid dst ", &quoted(d)]),
                    );
                }
            }
            for (key, list) in [("src", &src), ("dst", &dst)] {
                for (j, t) in list.iter().enumerate() {
                    if t.starts_with("tag:") && !defs.has_tag(t) {
                        ok = false;
                        found.error(
                            &index_field(&member_field(&field, key), j),
                            &rule,
                            cat(&[key, "=tag not found: ", &quoted(t)]),
                        );
                    }
                    if let Some(domain) = t.strip_prefix("user:*@") {
                        found.warn(
                            &index_field(&member_field(&field, key), j),
                            &rule,
                            cat(&[
                                "Tailscale refuses it unless ",
                                domain,
                                " is a domain of the tailnet, which the model cannot check",
                            ]),
                        );
                    }
                }
            }
            let gate = match rule.get("srcPosture").filter(|n| n.kind() != Kind::Null) {
                Some(list) => {
                    let at = member_field(&field, "srcPosture");
                    let names = string_items(&list, &at, found);
                    check_postures(defs, &names, &at, &list, found);
                    if names.is_empty() {
                        default_gate(defs, gates)
                    } else {
                        Some(gates.gate(names))
                    }
                }
                None => default_gate(defs, gates),
            };
            if ok {
                policy.rules.push(SshRule {
                    check,
                    src,
                    dst,
                    users,
                    gate,
                });
            }
        }
        policy
    }
}

/// What SaaS refuses in `sshTests` with a message of its own (the whole file is refused, no
/// test runs: sshtest-malformed-dst-autogroup-internet, -dst-cidr, -dst-with-port; the src
/// autogroup from tailscale#14102).
pub fn check_ssh_tests(root: &Node<'_>, defs: &Defs, found: &mut Found) {
    let Some(list) = root.get("sshTests").filter(|n| n.kind() == Kind::Array) else {
        return;
    };
    for (i, t) in list.items().enumerate() {
        let field = index_field("sshTests", i);
        if let Some(src) = t.get("src").and_then(|s| s.as_str()) {
            if src.starts_with("autogroup:") {
                found.error(
                    &member_field(&field, "src"),
                    &t,
                    cat(&["SSH tests src contains disallowed element ", &quoted(&src)]),
                );
            }
        }
        let Some(dst) = t.get("dst") else { continue };
        for (j, d) in string_items(&dst, &member_field(&field, "dst"), &mut Found::default())
            .iter()
            .enumerate()
        {
            let at = index_field(&member_field(&field, "dst"), j);
            let wide = Prefix::parse(d).is_some_and(|p| {
                let (lo, hi) = p.range();
                lo != hi
            });
            if d == "autogroup:internet" || (d.contains('/') && wide) {
                found.error(
                    &at,
                    &dst,
                    cat(&["SSH tests dst contains disallowed element ", &quoted(d)]),
                );
            } else if d.starts_with("tag:") && !defs.has_tag(d) {
                found.error(
                    &at,
                    &dst,
                    cat(&["SSH tests dst contains unknown tag ", &quoted(d)]),
                );
            }
        }
    }
}

fn default_gate(defs: &Defs, gates: &mut Gates) -> Option<u32> {
    (!defs.default_posture.is_empty()).then(|| gates.gate(defs.default_posture.clone()))
}

/// A device as SSH rules see it.
#[derive(Debug, Clone, Copy)]
pub struct SshDevice<'a> {
    pub index: u32,
    pub tags: &'a [String],
    pub owner: Option<&'a str>,
}

/// Whether a rule's selector holds a device (`peer`: the source, for `autogroup:self`).
fn covers(defs: &Defs, e: &str, d: &SshDevice<'_>, peer: Option<&SshDevice<'_>>) -> bool {
    if e.starts_with("tag:") {
        return d.tags.iter().any(|t| t == e);
    }
    if e.starts_with("group:") {
        return d
            .owner
            .is_some_and(|o| defs.group(e).is_some_and(|m| m.iter().any(|x| x == o)));
    }
    match e {
        "autogroup:member" => d.owner.is_some(),
        "autogroup:tagged" => !d.tags.is_empty(),
        "autogroup:self" => peer.is_some_and(|p| d.owner.is_some() && d.owner == p.owner),
        _ => match e.strip_prefix("user:*@") {
            Some(domain) => d
                .owner
                .is_some_and(|o| o.rsplit_once('@').is_some_and(|(_, od)| od == domain)),
            None => e.contains('@') && d.owner == Some(e),
        },
    }
}

/// Whether a rule's `users` admit a login for a source device.
fn login_ok(users: &[String], login: &str, src: &SshDevice<'_>) -> bool {
    if login.is_empty() {
        return false;
    }
    users.iter().any(|u| {
        if u == login {
            return true;
        }
        if u == "autogroup:nonroot" {
            return login != "root";
        }
        if let Some(domain) = u.strip_prefix("localpart:*@") {
            return src
                .owner
                .and_then(|o| o.rsplit_once('@'))
                .is_some_and(|(local, d)| d == domain && local == login);
        }
        false
    })
}

impl SshPolicy {
    /// What `src` logging in to `dst` as `login` gets (`attrs`: the source's posture
    /// attributes, all of them).
    pub fn action(
        &self,
        defs: &Defs,
        gates: &Gates,
        src: &SshDevice<'_>,
        dst: &SshDevice<'_>,
        login: &str,
        attrs: &Attributes,
    ) -> SshAction {
        let mut got = SshAction::Deny;
        for rule in &self.rules {
            if !rule.src.iter().any(|e| covers(defs, e, src, None)) {
                continue;
            }
            if let Some(g) = rule.gate {
                if gates.outcome_with(g, defs, attrs) != YES {
                    continue;
                }
            }
            let to_dst = rule.dst.iter().any(|e| covers(defs, e, dst, Some(src)));
            // SaaS also lets a rule's sources log in to themselves when its users hold a
            // localpart (ssh-d2 to d12, ssh-e6, ssh-f3, ssh-f4).
            let to_self =
                src.index == dst.index && rule.users.iter().any(|u| u.starts_with("localpart:"));
            if (to_dst || to_self) && login_ok(&rule.users, login, src) {
                if rule.check {
                    return SshAction::Check;
                }
                got = SshAction::Accept;
            }
        }
        got
    }
}

/// Go's `time.ParseDuration` and `Duration.String`, for `checkPeriod`'s messages.
fn check_period(s: &str) -> Result<(), String> {
    if s == "always" {
        return Ok(());
    }
    let ns = parse_go_duration(s)?;
    if ns < 0 {
        return Err(cat(&[
            "checkPeriod ",
            &go_duration(ns),
            " must be a positive duration",
        ]));
    }
    if ns > MAX_CHECK_PERIOD_NS {
        return Err(cat(&[
            "checkPeriod ",
            &go_duration(ns),
            " is above the max (168h)",
        ]));
    }
    Ok(())
}

/// Nanoseconds of a Go duration (`1h30m`, `-1.5s`, `0`), or Go's error text.
pub fn parse_go_duration(s: &str) -> Result<i128, String> {
    let invalid = || cat(&["time: invalid duration ", &quoted(s)]);
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..).unwrap_or("")),
        Some(b'+') => (false, s.get(1..).unwrap_or("")),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
        let (whole, after) = rest.split_at_checked(digits).ok_or_else(invalid)?;
        let (frac, after) = match after.strip_prefix('.') {
            Some(f) => {
                let n = f.bytes().take_while(|b| b.is_ascii_digit()).count();
                f.split_at_checked(n).ok_or_else(invalid)?
            }
            None => ("", after),
        };
        if whole.is_empty() && frac.is_empty() {
            return Err(invalid());
        }
        let unit_len = after
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(after.len(), |(i, _)| i);
        let (unit, next) = after.split_at_checked(unit_len).ok_or_else(invalid)?;
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(cat(&["time: missing unit in duration ", &quoted(s)])),
            u => {
                return Err(cat(&[
                    "time: unknown unit ",
                    &quoted(u),
                    " in duration ",
                    &quoted(s),
                ]))
            }
        };
        if whole.len() > 19 {
            return Err(invalid());
        }
        let w: i128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| invalid())?
        };
        let mut f_ns: i128 = 0;
        let mut place = scale;
        for b in frac.bytes().take(18) {
            place /= 10;
            f_ns += i128::from(b - b'0') * place;
        }
        total = total
            .saturating_add(w.saturating_mul(scale))
            .saturating_add(f_ns);
        if total > i128::from(i64::MAX) {
            return Err(invalid());
        }
        rest = next;
    }
    Ok(if negative { -total } else { total })
}

/// `Duration.String()`: `168h0m1s`, `-1m0s`, `1.5s`, `500ms`, `0s`.
pub fn go_duration(ns: i128) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let sign = if ns < 0 { "-" } else { "" };
    let u = ns.unsigned_abs();
    let frac = |value: u128, digits: u32| -> String {
        // value has `digits` fractional decimal digits.
        let base = 10u128.pow(digits);
        let (int, f) = (value / base, value % base);
        let mut out = decimal(int as u64);
        if f != 0 {
            let mut s = decimal(f as u64);
            while (s.len() as u32) < digits {
                s.insert(0, '0');
            }
            out.push('.');
            out.push_str(s.trim_end_matches('0'));
        }
        out
    };
    if u < 1_000_000_000 {
        let (value, digits, unit) = if u < 1_000 {
            (u, 0, "ns")
        } else if u < 1_000_000 {
            (u, 3, "µs")
        } else {
            (u, 6, "ms")
        };
        return cat(&[sign, &frac(value, digits), unit]);
    }
    let seconds = frac(u % 60_000_000_000, 9);
    let minutes = u / 60_000_000_000;
    let mut out = String::from(sign);
    if minutes >= 60 {
        out.push_str(&decimal((minutes / 60) as u64));
        out.push('h');
    }
    if minutes > 0 {
        out.push_str(&decimal((minutes % 60) as u64));
        out.push('m');
    }
    out.push_str(&seconds);
    out.push('s');
    out
}
