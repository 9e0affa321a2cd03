//! Every input rule from the API contract, as pure functions, plus the reader that turns a
//! loosely typed JS object into typed fields while collecting every problem at once.

use crate::error::{index_field, Error, Issue};
use crate::json::{Json, Kind, StringMap};
use crate::text::{cat, char_count, decimal, split, split_once};

/// Auth keys may live at most 90 days.
pub const MAX_EXPIRY_SECONDS: i64 = 7_776_000;
const MAX_KEY_DESCRIPTION: usize = 50;
const MAX_APP_DESCRIPTION: usize = 300;
const MAX_NODE_ATTRIBUTE: usize = 128;
const MAX_ATTRIBUTE_STRING: usize = 50;
const MAX_ATTRIBUTE_COMMENT: usize = 200;
/// Attribute integers must be safe in JSON: within ±(2^53 − 1).
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
/// Scopes that let a trust credential create tagged devices or auth keys, so it needs tags.
const SCOPES_NEEDING_TAGS: [&str; 4] = ["devices:core", "auth_keys", "devices", "all"];
/// Claims Tailscale matches itself; custom rules may not override them.
const RESERVED_CLAIMS: [&str; 3] = ["sub", "iss", "aud"];

pub type Rule = Result<(), String>;

/// `tag:` then a letter, then letters, digits or `-`.
pub fn tag(s: &str) -> Rule {
    let Some(name) = s.strip_prefix("tag:") else {
        return Err("must start with \"tag:\"".into());
    };
    // By bytes, as every rule here that allows only ASCII: no byte of another character is ASCII.
    let mut bytes = name.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() => {}
        Some(_) => return Err("must have a letter right after \"tag:\"".into()),
        None => return Err("must have a name after \"tag:\"".into()),
    }
    if bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        Ok(())
    } else {
        Err("may hold only letters, digits and \"-\" after \"tag:\"".into())
    }
}

/// `name` or `name:sub[:sub]`, each part lowercase letters and `_`. Unknown scopes pass:
/// Tailscale adds scopes over time and the API is the judge of which exist.
pub fn scope(s: &str) -> Rule {
    let mut parts = 0;
    let well_formed = split(s, b':').all(|p| {
        parts += 1;
        !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    });
    if well_formed && parts <= 3 {
        Ok(())
    } else {
        Err("must look like \"name\" or \"name:sub[:sub]\" with lowercase letters and \"_\"".into())
    }
}

/// `custom:` then letters, digits, `_` or `:`, at most 128 characters in all.
pub fn node_attribute(s: &str) -> Rule {
    custom_name(s, "only custom attributes can be allowlisted")
}

/// A posture attribute key that can be written or deleted: the same rule as
/// [`node_attribute`]; `node:` and other namespaces are Tailscale's own.
pub fn attribute_key(s: &str) -> Rule {
    custom_name(s, "only custom attributes can be set or deleted")
}

fn custom_name(s: &str, why: &str) -> Rule {
    let Some(rest) = s.strip_prefix("custom:") else {
        return Err(cat(&["must start with \"custom:\": ", why]));
    };
    if rest.is_empty() {
        return Err("must have a name after \"custom:\"".into());
    }
    if !rest
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
    {
        return Err("may hold only letters, digits, \"_\" and \":\" after \"custom:\"".into());
    }
    at_most(s, MAX_NODE_ATTRIBUTE)
}

/// `https`, except for `localhost`, `127.0.0.1` and `[::1]` (any scheme); no other raw IP.
pub fn redirect_uri(s: &str) -> Rule {
    let url = Url::parse(s)?;
    let loopback = matches!(url.host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    if loopback {
        return Ok(());
    }
    if url.host_is_ip() {
        return Err("may not use a raw IP address host other than 127.0.0.1 or [::1]".into());
    }
    if url.scheme != "https" {
        return Err("must use https (any scheme is allowed only for localhost)".into());
    }
    Ok(())
}

/// An absolute `https://` URL with a host.
pub fn issuer(s: &str) -> Rule {
    let url = Url::parse(s)?;
    if url.scheme != "https" {
        return Err("must be an https:// URL".into());
    }
    Ok(())
}

/// At most `max` characters (code points).
fn at_most(s: &str, max: usize) -> Rule {
    if char_count(s) > max {
        Err(cat(&[
            "must be at most ",
            &decimal(max as u64),
            " characters",
        ]))
    } else {
        Ok(())
    }
}

/// An attribute's string value: 1 to 50 letters, digits, `_` or `.`.
pub fn attribute_string(s: &str) -> Rule {
    let len = char_count(s);
    if !(1..=MAX_ATTRIBUTE_STRING).contains(&len) {
        return Err("must be 1 to 50 characters".into());
    }
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    {
        Ok(())
    } else {
        Err("may hold only letters, digits, \"_\" and \".\"".into())
    }
}

/// An attribute's number value: an integer JSON carries exactly.
pub fn attribute_number(n: f64) -> Rule {
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
        Ok(())
    } else {
        Err("must be an integer within ±(2^53 - 1)".into())
    }
}

/// Which fields a device comes with: `all`, or the API's `default` subset.
pub fn device_fields(s: &str) -> Rule {
    match s {
        "all" | "default" => Ok(()),
        _ => Err("must be \"all\" or \"default\"".into()),
    }
}

/// A device-list filter names a top-level device property (`tags`, `isEphemeral`): a letter,
/// then letters and digits. `fields` is the list's own parameter, not a filter.
pub fn filter_name(s: &str) -> Rule {
    let mut bytes = s.bytes();
    let well_formed = bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric());
    if s == "fields" {
        Err("is the list's own option, not a device property to filter on".into())
    } else if well_formed {
        Ok(())
    } else {
        Err("must name a top-level device property, such as tags or isEphemeral".into())
    }
}

/// An RFC 3339 date-time, such as `2026-12-01T05:23:30Z`.
pub fn rfc3339(s: &str) -> Rule {
    if crate::date::is_rfc3339(s) {
        Ok(())
    } else {
        Err("must be an RFC 3339 date-time such as 2026-12-01T05:23:30Z".into())
    }
}

/// The audit-log comment on an attribute change.
pub fn attribute_comment(s: &str) -> Rule {
    at_most(s, MAX_ATTRIBUTE_COMMENT)
}

pub fn key_description(s: &str) -> Rule {
    at_most(s, MAX_KEY_DESCRIPTION)?;
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
    {
        Ok(())
    } else {
        Err("may hold only letters, digits, spaces and \"-\"".into())
    }
}

pub fn expiry_seconds(n: i64) -> Rule {
    if (1..=MAX_EXPIRY_SECONDS).contains(&n) {
        Ok(())
    } else {
        let max = decimal(MAX_EXPIRY_SECONDS.unsigned_abs());
        Err(cat(&["must be from 1 to ", &max, " (90 days)"]))
    }
}

/// 3 to 50 characters of letters, digits, `.`, `_`, `-`.
pub fn app_name(s: &str) -> Rule {
    let len = char_count(s);
    if !(3..=50).contains(&len) {
        return Err("must be 3 to 50 characters".into());
    }
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        Ok(())
    } else {
        Err("may hold only letters, digits, \".\", \"_\" and \"-\"".into())
    }
}

pub fn app_description(s: &str) -> Rule {
    at_most(s, MAX_APP_DESCRIPTION)
}

/// A resource id becomes one path segment; `.` and `..` would be collapsed by URL parsing and
/// address a different resource, so they are refused with the empty id.
pub fn id(s: &str) -> Rule {
    match s {
        "" => Err("must not be empty".into()),
        "." | ".." => Err("must not be \".\" or \"..\"".into()),
        _ => Ok(()),
    }
}

pub fn non_empty(s: &str) -> Rule {
    if s.is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(())
    }
}

pub fn claim_name(s: &str) -> Rule {
    if s.is_empty() {
        Err("claim names must not be empty".into())
    } else if RESERVED_CLAIMS.contains(&s) {
        Err(cat(&[
            "\"",
            s,
            "\" is matched by issuer, subject or audience and cannot be a custom rule",
        ]))
    } else {
        Ok(())
    }
}

pub fn scopes_need_tags(scopes: &[String]) -> bool {
    scopes
        .iter()
        .any(|s| SCOPES_NEEDING_TAGS.contains(&s.as_str()))
}

/// Just enough of RFC 3986 for the URL rules above: scheme, and a host from the authority.
struct Url<'a> {
    scheme: String,
    host: String,
    /// The authority held a user name or password (`user:pw@`).
    userinfo: bool,
    /// Everything after the authority: path, query and fragment.
    rest: &'a str,
}

impl<'a> Url<'a> {
    fn parse(s: &'a str) -> Result<Url<'a>, String> {
        let not_absolute = || "must be an absolute URL such as https://example.com".to_string();
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must not contain spaces or control characters".into());
        }
        // Split at the first ':' then require "//": a byte search, not a substring one.
        let (scheme, rest) = split_once(s, b':')
            .and_then(|(scheme, rest)| Some((scheme, rest.strip_prefix("//")?)))
            .ok_or_else(not_absolute)?;
        let mut scheme_bytes = scheme.bytes();
        let scheme_ok = scheme_bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
            && scheme_bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !scheme_ok {
            return Err(not_absolute());
        }
        let end = rest
            .bytes()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(rest.len());
        let (authority, after) = rest.split_at(end);
        let (userinfo, host_port) = match authority.bytes().rposition(|b| b == b'@') {
            Some(at) => (true, authority.get(at + 1..).unwrap_or_default()),
            None => (false, authority),
        };
        let host = if host_port.starts_with('[') {
            match host_port.bytes().position(|b| b == b']') {
                Some(end) => host_port.get(..=end).unwrap_or_default(),
                None => return Err("has an unclosed \"[\" in its host".into()),
            }
        } else {
            split_once(host_port, b':').map_or(host_port, |(host, _)| host)
        };
        if host.is_empty() {
            return Err("must have a host".into());
        }
        Ok(Url {
            scheme: scheme.to_ascii_lowercase(),
            host: host.to_ascii_lowercase(),
            userinfo,
            rest: after,
        })
    }

    /// Bracketed, or four all-digit labels (out-of-range octets included: no parser takes
    /// them for a name).
    fn host_is_ip(&self) -> bool {
        self.host.starts_with('[') || self.quad()
    }

    /// Whether the host is four dot-separated runs of digits.
    fn quad(&self) -> bool {
        let mut labels = 0;
        let digits = split(&self.host, b'.').all(|l| {
            labels += 1;
            !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit())
        });
        digits && labels == 4
    }

    /// `localhost`, `127.0.0.0/8` (dotted quad) or `[::1]`: traffic that never leaves the machine.
    fn is_loopback(&self) -> bool {
        // A quad whose first label is 127 and whose labels are octets (the `u32` reader is the
        // one the wasm has already).
        let octet = |l: &str| l.parse::<u32>().is_ok_and(|n| n <= 255);
        self.host == "localhost"
            || self.host == "[::1]"
            || (self.quad() && self.host.starts_with("127.") && split(&self.host, b'.').all(octet))
    }
}

/// Where requests carrying a credential go (`baseUrl`, `loginUrl`): `https://`, or `http://`
/// on a loopback host only unless `allow_insecure_http`; no user name or password, query,
/// fragment or backslash (URL parsers read `\` as `/`, which would change the host).
pub fn transport_url(s: &str, allow_insecure_http: bool) -> Rule {
    if s.as_bytes().contains(&b'\\') {
        return Err("must not contain a backslash".into());
    }
    let url = Url::parse(s)?;
    if url.userinfo {
        return Err(
            "must not carry a user name or password: pass credentials as options, never in the URL"
                .into(),
        );
    }
    if url.rest.bytes().any(|b| b == b'?' || b == b'#') {
        return Err("must not contain a query or a fragment".into());
    }
    match url.scheme.as_str() {
        "https" => Ok(()),
        "http" if url.is_loopback() || allow_insecure_http => Ok(()),
        "http" => Err("must use https: over plain http a credential would cross the network in clear text (http is allowed for localhost, 127.0.0.0/8 and [::1], or with allowInsecureHttp: true)".into()),
        _ => Err("must be an https:// URL".into()),
    }
}

/// Reads typed fields out of a JSON object, collecting one issue per problem. `null` counts as
/// absent; fields never read are reported as unknown, since the API rejects unknown fields.
pub struct Input<J: Json> {
    map: Option<J>,
    prefix: String,
    read: Vec<&'static str>,
    pub issues: Vec<Issue>,
}

impl<J: Json> Input<J> {
    /// `prefix` names the object in issues (`"oauth"` gives `"oauth.clientId"`).
    pub fn new(value: J, prefix: &str) -> Self {
        let is_object = value.kind() == Kind::Object;
        let mut input = Input {
            map: is_object.then_some(value),
            prefix: prefix.to_owned(),
            read: Vec::new(),
            issues: Vec::new(),
        };
        if !is_object {
            input.issues.push(Issue::new(prefix, "must be an object"));
        }
        input
    }

    pub fn field_name(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            cat(&[&self.prefix, ".", name])
        }
    }

    pub fn issue(&mut self, field: &str, message: impl Into<String>) {
        let field = self.field_name(field);
        self.issues.push(Issue::new(field, message));
    }

    /// Applies `rule` and records its complaint against `field`.
    pub fn check(&mut self, field: &str, rule: Rule) {
        if let Err(message) = rule {
            self.issue(field, message);
        }
    }

    /// Marks a field as known without reading it (for values the caller handles, such as a
    /// `signal` or an `idToken` function).
    pub fn allow(&mut self, name: &'static str) {
        self.read.push(name);
    }

    pub fn raw(&mut self, name: &'static str) -> Option<J> {
        self.read.push(name);
        self.map.as_ref()?.get(name).filter(|v| !v.is_null())
    }

    pub fn present(&self, name: &str) -> bool {
        self.map
            .as_ref()
            .and_then(|m| m.get(name))
            .is_some_and(|v| !v.is_null())
    }

    pub fn bool(&mut self, name: &'static str) -> Option<bool> {
        let v = self.raw(name)?;
        let b = v.as_bool();
        if b.is_none() {
            self.issue(name, "must be a boolean");
        }
        b
    }

    pub fn string(&mut self, name: &'static str) -> Option<String> {
        let v = self.raw(name)?;
        let s = v.as_string();
        if s.is_none() {
            self.issue(name, "must be a string");
        }
        s
    }

    /// A string that must be present.
    pub fn required_string(&mut self, name: &'static str) -> Option<String> {
        let s = self.string(name);
        if s.is_none() && !self.present(name) {
            self.issue(name, "is required");
        }
        s
    }

    /// A whole number (a JS number with no fraction).
    pub fn integer(&mut self, name: &'static str) -> Option<i64> {
        let v = self.raw(name)?;
        // Whole and well inside i64: the cast is exact.
        let n = v
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64);
        if n.is_none() {
            self.issue(name, "must be a whole number");
        }
        n
    }

    /// An array of strings, each checked with `rule` (issues name the index).
    pub fn strings(&mut self, name: &'static str, rule: fn(&str) -> Rule) -> Option<Vec<String>> {
        let v = self.raw(name)?;
        if v.kind() != Kind::Array {
            self.issue(name, "must be an array of strings");
            return None;
        }
        let items = v.items();
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let field = index_field(name, i);
            match item.as_string() {
                Some(s) => {
                    if let Err(m) = rule(&s) {
                        self.issue(&field, m);
                    }
                    out.push(s);
                }
                None => self.issue(&field, "must be a string"),
            }
        }
        Some(out)
    }

    /// A non-empty array of strings, each checked with `rule`.
    pub fn required_strings(
        &mut self,
        name: &'static str,
        rule: fn(&str) -> Rule,
    ) -> Option<Vec<String>> {
        let list = self.strings(name, rule);
        match &list {
            Some(l) if l.is_empty() => self.issue(name, "must hold at least one entry"),
            None if !self.present(name) => self.issue(name, "is required (at least one entry)"),
            _ => {}
        }
        list
    }

    /// An object whose values are all strings.
    pub fn string_map(&mut self, name: &'static str) -> Option<StringMap> {
        let v = self.raw(name)?;
        if v.kind() != Kind::Object {
            self.issue(name, "must be an object of strings");
            return None;
        }
        let mut out = Vec::new();
        for k in v.keys() {
            match v.get(&k).and_then(|m| m.as_string()) {
                Some(s) => out.push((k, s)),
                None => self.issue(&cat(&[name, ".", &k]), "must be a string"),
            }
        }
        Some(StringMap(out))
    }

    /// Reports unknown fields and returns every issue found.
    pub fn finish(mut self) -> Vec<Issue> {
        if let Some(map) = &self.map {
            for key in map.keys() {
                if !self.read.contains(&key.as_str()) {
                    let field = self.field_name(&key);
                    self.issues.push(Issue::new(field, "is not a known field"));
                }
            }
        }
        self.issues
    }
}

/// Runs a single-value rule the way the exported `validateTag` and friends do.
pub fn single<J: Json>(field: &str, rule: fn(&str) -> Rule, value: J) -> Vec<Issue> {
    let mut issues = Vec::new();
    string_arg(field, value, rule, &mut issues);
    issues
}

/// The typed value when `input` found nothing wrong, else every issue.
pub fn finish<J: Json, T>(input: Input<J>, value: T) -> Result<T, Vec<Issue>> {
    let issues = input.finish();
    if issues.is_empty() {
        Ok(value)
    } else {
        Err(issues)
    }
}

/// Checks a string argument (an id, an attribute key) with `rule`, recording a problem under
/// `field`.
pub fn string_arg<J: Json>(
    field: &str,
    value: J,
    rule: fn(&str) -> Rule,
    issues: &mut Vec<Issue>,
) -> String {
    let Some(s) = value.as_string() else {
        issues.push(Issue::new(field, "must be a string"));
        return String::new();
    };
    if let Err(m) = rule(&s) {
        issues.push(Issue::new(field, m));
    }
    s
}

/// Checks an id argument (`keyId`, `appId`, `deviceId`), recording a problem under `field`.
pub fn id_arg<J: Json>(field: &str, value: J, issues: &mut Vec<Issue>) -> String {
    string_arg(field, value, id, issues)
}

/// The value when no issue was found, else every issue.
pub fn issues_or<T>(issues: Vec<Issue>, value: T) -> Result<T, Error> {
    if issues.is_empty() {
        Ok(value)
    } else {
        Err(Error::Validation(issues))
    }
}

pub fn id_only<J: Json>(field: &str, value: J) -> Result<String, Error> {
    let mut issues = Vec::new();
    let id = id_arg(field, value, &mut issues);
    issues_or(issues, id)
}

/// Checks an id and a body together, so that one error lists every problem in both.
pub fn with_id<J: Json, T>(
    field: &str,
    id: J,
    body: J,
    parse: fn(J) -> Result<T, Vec<Issue>>,
) -> Result<(String, T), Error> {
    let mut issues = Vec::new();
    let id = id_arg(field, id, &mut issues);
    match parse(body) {
        Ok(spec) if issues.is_empty() => Ok((id, spec)),
        Ok(_) => Err(Error::Validation(issues)),
        Err(more) => {
            issues.extend(more);
            Err(Error::Validation(issues))
        }
    }
}
