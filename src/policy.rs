//! The policy file: its endpoints (`/tailnet/{t}/acl` and its `validate` and `preview`), the
//! decisions of `policy.update`'s read-modify-write loop, the local checks of a document, and
//! the postures it defines. Sans-IO like the rest of the core: the wasm layer sends what this
//! builds and feeds back what came.

use crate::devices::AttributeValue;
use crate::error::{Error, Issue};
use crate::http::{query_string, tailnet_path, Expect, HttpRequest, Method};
use crate::hujson::{Document, Kind, Node};
use crate::json::{Json, Kind as JsonKind, Ty};
use crate::posture::{self, DeviceInput, Operand, Operator, PostureDef};
use crate::text::{cat, decimal};
use crate::validate::{self, Input};

/// `update`'s default number of read-edit-write rounds before a 412 is given up on.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
const MAX_ATTEMPTS_LIMIT: u32 = 100;

/// `GET ?details=true` answers the file base64-encoded, with the server's findings.
const DETAILS_FIELDS: &[(&str, Ty)] = &[
    ("acl", Ty::Str),
    ("warnings", Ty::StrList),
    ("errors", Ty::StrList),
];
const CHECK_ENTRY_FIELDS: &[(&str, Ty)] = &[
    ("user", Ty::Str),
    ("errors", Ty::StrList),
    ("warnings", Ty::StrList),
];
/// The check answer when it is not empty: `{message, data: [{user, errors, warnings}]}`.
pub const CHECK_FIELDS: &[(&str, Ty)] = &[
    ("message", Ty::Str),
    ("data", Ty::Items(CHECK_ENTRY_FIELDS)),
];
const MATCH_FIELDS: &[(&str, Ty)] = &[
    ("users", Ty::StrList),
    ("ports", Ty::StrList),
    ("lineNumber", Ty::Int),
];
pub const PREVIEW_FIELDS: &[(&str, Ty)] = &[
    ("matches", Ty::Items(MATCH_FIELDS)),
    ("type", Ty::Str),
    ("previewFor", Ty::Str),
];

const HUJSON: &str = "application/hujson";
const JSON: &str = "application/json";

/// A policy file as it goes out: HuJSON text as the caller wrote it, or JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyBody {
    HuJson(String),
    Json(String),
}

fn acl_path(tailnet: &str, rest: &[&str]) -> String {
    tailnet_path(tailnet, &[&["acl"], rest].concat())
}

/// `GET /tailnet/{t}/acl`: the file as stored, comments included (`Accept:
/// application/hujson`); with `details`, `?details=true` and no `Accept`, as the API asks.
pub fn get<J: Json>(tailnet: &str, options: J) -> Result<HttpRequest, Error> {
    let mut input = Input::new(options, "");
    input.allow("signal");
    let details = input.bool("details").unwrap_or(false);
    let issues = input.finish();
    if !issues.is_empty() {
        return Err(Error::Validation(issues));
    }
    let path = acl_path(tailnet, &[]);
    Ok(match details {
        true => {
            let mut req = HttpRequest::new(Method::Get, path, Expect::Object(DETAILS_FIELDS));
            req.query = query_string(&[("details", "true")]);
            req.accept = None;
            req
        }
        false => {
            let mut req = HttpRequest::new(Method::Get, path, Expect::Text);
            req.accept = Some(HUJSON);
            req
        }
    })
}

/// What a write is conditional on: an ETag, the untouched default, or nothing at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    IfMatch(String),
    Overwrite,
}

impl Precondition {
    /// Reads `{ ifMatch }` or `{ overwrite: true }`: `set` refuses to send with neither, so
    /// that a concurrent change is never overwritten by accident.
    pub fn parse<J: Json>(value: J) -> Result<Precondition, Vec<Issue>> {
        const NEITHER: &str = "set needs { ifMatch } (the etag from policy.get, or \"ts-default\") or { overwrite: true }, so that a concurrent change is never overwritten by accident";
        if value.kind() != JsonKind::Object {
            return Err(vec![Issue::new("options", NEITHER)]);
        }
        let mut input = Input::new(value, "");
        let etag = input.string("ifMatch");
        let overwrite = input.bool("overwrite");
        if let Some(e) = &etag {
            input.check("ifMatch", if_match(e));
        }
        let condition = match (etag, overwrite) {
            (Some(e), None | Some(false)) => Some(Precondition::IfMatch(e)),
            (None, Some(true)) => Some(Precondition::Overwrite),
            (Some(_), Some(true)) => {
                input.issue(
                    "options",
                    "give either ifMatch or overwrite: true, not both",
                );
                None
            }
            (None, _) => {
                input.issue("ifMatch", NEITHER);
                None
            }
        };
        validate::finish(input, condition).map(|c| c.unwrap_or(Precondition::Overwrite))
    }

    /// The `If-Match` header: the ETag exactly as it came (quoting it again is a 412), and
    /// `ts-default` in the quotes the API documents.
    fn header(&self) -> Option<String> {
        match self {
            Precondition::IfMatch(e) if e == "ts-default" => Some("\"ts-default\"".into()),
            Precondition::IfMatch(e) => Some(e.clone()),
            Precondition::Overwrite => None,
        }
    }
}

fn if_match(etag: &str) -> Result<(), String> {
    if etag.is_empty() {
        return Err(
            "is empty: use the etag policy.get returned (a get with details may carry none)".into(),
        );
    }
    // A header value cannot hold a line break or other control character.
    if etag.chars().any(char::is_control) {
        return Err("must be an ETag as policy.get returned it".into());
    }
    Ok(())
}

/// `POST /tailnet/{t}/acl`: replaces the file, if `condition` holds. Never retried on a 5xx
/// or a lost connection (the write may have landed); `update` recovers through a re-read.
pub fn set(tailnet: &str, body: PolicyBody, condition: &Precondition) -> HttpRequest {
    let mut req = HttpRequest::new(Method::Post, acl_path(tailnet, &[]), Expect::Text);
    req.accept = Some(HUJSON);
    req.if_match = condition.header();
    with_body(req, body)
}

fn with_body(mut req: HttpRequest, body: PolicyBody) -> HttpRequest {
    let (content_type, text) = match body {
        PolicyBody::HuJson(t) => (HUJSON, t),
        PolicyBody::Json(t) => (JSON, t),
    };
    req.content_type = Some(content_type);
    req.body = Some(text);
    req
}

/// `POST /tailnet/{t}/acl/validate` with a candidate file, standardized: the endpoint has
/// refused a body that starts with a comment (tailscale/tailscale#9910). It only reads, so it
/// is retried like a GET.
pub fn validate_file(tailnet: &str, standardized: String) -> HttpRequest {
    let req = HttpRequest::new(
        Method::Post,
        acl_path(tailnet, &["validate"]),
        Expect::ObjectOrEmpty(CHECK_FIELDS),
    );
    req.json_body(standardized).idempotent()
}

const TEST_FIELDS: [&str; 5] = ["src", "srcPostureAttrs", "proto", "accept", "deny"];

/// Checks an array of ACL tests (the spec's `validateAndTestPolicyFile` body).
pub fn check_tests<J: Json>(tests: &J) -> Vec<Issue> {
    let mut issues = Vec::new();
    if tests.kind() != JsonKind::Array || tests.items().is_empty() {
        return vec![Issue::new("tests", "must be a non-empty array of tests")];
    }
    for (i, test) in tests.items().into_iter().enumerate() {
        let at = cat(&["tests[", &decimal(i as u64), "]"]);
        if test.kind() != JsonKind::Object {
            issues.push(Issue::new(at, "must be an object such as { src, accept }"));
            continue;
        }
        let mut input = Input::new(test, &at);
        for name in TEST_FIELDS {
            input.allow(name);
        }
        match input.raw("src").and_then(|s| s.as_string()) {
            Some(s) if !s.is_empty() => {}
            _ => input.issue(
                "src",
                "is required: the user, group, tag or host to test from",
            ),
        }
        let _ = input.strings("accept", |_| Ok(()));
        let _ = input.strings("deny", |_| Ok(()));
        let _ = input.string("proto");
        if let Some(attrs) = input.raw("srcPostureAttrs") {
            let scalar = |k: &String| {
                attrs.get(k).is_some_and(|v| {
                    matches!(
                        v.kind(),
                        JsonKind::String | JsonKind::Number | JsonKind::Bool
                    )
                })
            };
            if attrs.kind() != JsonKind::Object || !attrs.keys().iter().all(scalar) {
                input.issue(
                    "srcPostureAttrs",
                    "must map attribute names to strings, numbers or booleans",
                );
            }
        }
        issues.extend(input.finish());
    }
    issues
}

/// `POST /tailnet/{t}/acl/validate` with an array of tests (already checked by
/// [`check_tests`] and written as JSON), run against the current file.
pub fn test(tailnet: &str, tests_json: String) -> HttpRequest {
    validate_file(tailnet, tests_json)
}

/// `POST /tailnet/{t}/acl/preview?type=…&previewFor=…`: which rules of a candidate file match
/// a user or an `ip:port`. Reads only, so it is retried like a GET.
pub fn preview<J: Json>(tailnet: &str, body: PolicyBody, options: J) -> Result<HttpRequest, Error> {
    let mut input = Input::new(options, "");
    let kind = input.required_string("type");
    if let Some(k) = &kind {
        if k != "user" && k != "ipport" {
            input.issue("type", "must be \"user\" or \"ipport\"");
        }
    }
    let preview_for = input.required_string("previewFor");
    if let Some(p) = &preview_for {
        input.check("previewFor", validate::non_empty(p));
    }
    let issues = input.finish();
    if !issues.is_empty() {
        return Err(Error::Validation(issues));
    }
    let kind = kind.unwrap_or_default();
    let preview_for = preview_for.unwrap_or_default();
    let mut req = HttpRequest::new(
        Method::Post,
        acl_path(tailnet, &["preview"]),
        Expect::Object(PREVIEW_FIELDS),
    );
    req.query = query_string(&[("type", &kind), ("previewFor", &preview_for)]);
    Ok(with_body(req, body).idempotent())
}

/// `PolicyCheck.ok`: the endpoint answers 200 both when the file passes and when it fails, so
/// the answer is read: any entry with errors fails, and so does a message that is not about
/// warnings alone (a parse error comes as a bare message).
pub fn check_ok(message: Option<&str>, any_errors: bool) -> bool {
    if any_errors {
        return false;
    }
    match message.map(str::to_ascii_lowercase) {
        None => true,
        Some(m) if m.trim().is_empty() => true,
        Some(m) => {
            crate::text::contains(&m, "warning")
                && !crate::text::contains(&m, "error")
                && !crate::text::contains(&m, "fail")
        }
    }
}

/// Where `policy.update`'s loop stands: how many rounds it has run and whether a write of its
/// own may have landed unseen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateLoop {
    pub max_attempts: u32,
    pub attempts: u32,
    /// A write's answer was lost (a dropped connection, a timeout, a 502-504): it may have
    /// been applied, which the next read shows.
    pub maybe_written: bool,
}

/// What the loop does after the edit ran on a fresh read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterEdit {
    /// The edit changed nothing: send nothing. `changed` when an earlier write whose answer
    /// was lost has evidently landed.
    Done { changed: bool },
    /// Send the edited text with `If-Match`.
    Write,
}

/// What the loop does after a write failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Read the file again and run the edit on it.
    Reread,
    /// Give up with this error.
    Fail,
}

impl UpdateLoop {
    /// Reads `{ maxAttempts?, signal? }`.
    pub fn parse<J: Json>(options: J) -> Result<UpdateLoop, Vec<Issue>> {
        let mut input = Input::new(options, "");
        input.allow("signal");
        let max = input.integer("maxAttempts");
        let max_attempts = match max {
            None => DEFAULT_MAX_ATTEMPTS,
            Some(n) if (1..=i64::from(MAX_ATTEMPTS_LIMIT)).contains(&n) => n as u32,
            Some(_) => {
                input.issue("maxAttempts", "must be from 1 to 100");
                DEFAULT_MAX_ATTEMPTS
            }
        };
        validate::finish(
            input,
            UpdateLoop {
                max_attempts,
                attempts: 0,
                maybe_written: false,
            },
        )
    }

    /// A new round begins with a read.
    pub fn begin_round(&mut self) {
        self.attempts = self.attempts.saturating_add(1);
    }

    pub fn after_edit(&self, unchanged: bool) -> AfterEdit {
        match unchanged {
            true => AfterEdit::Done {
                changed: self.maybe_written,
            },
            false => AfterEdit::Write,
        }
    }

    /// A 412 means someone else wrote first; a lost answer means ours may have landed. Either
    /// way the next read decides, since every write carries `If-Match` and so can never apply
    /// twice or over a change it has not seen.
    pub fn after_failure(&mut self, error: &Error) -> AfterFailure {
        let lost = match error {
            Error::Api(e) if e.status == 412 => false,
            Error::Api(e) if (502..=504).contains(&e.status) => true,
            Error::Network { .. } | Error::Timeout { .. } => true,
            _ => return AfterFailure::Fail,
        };
        self.maybe_written |= lost;
        match self.attempts < self.max_attempts {
            true => AfterFailure::Reread,
            false => AfterFailure::Fail,
        }
    }
}

// ---- what a document defines and the local checks ------------------------------------------

/// The postures a document defines (`postures`), in order, and its `defaultSrcPosture`.
/// Entries that are not lists of strings are left out: `check` reports them.
pub fn postures_of(doc: &Document) -> (Vec<PostureDef>, Vec<String>) {
    let root = doc.root();
    let mut postures = Vec::new();
    if let Some(section) = root.get("postures").filter(|p| p.kind() == Kind::Object) {
        for (name, value) in section.members() {
            if let Some(conditions) = string_list(&value) {
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
    node.items().iter().map(Node::as_str).collect()
}

/// `name` as a path step after `parent`: `.name` for plain names, `["posture:x"]` otherwise.
fn member_field(parent: &str, name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (plain, parent.is_empty()) {
        (true, true) => name.to_owned(),
        (true, false) => cat(&[parent, ".", name]),
        (false, _) => cat(&[parent, "[\"", name, "\"]"]),
    }
}

fn index_field(parent: &str, i: usize) -> String {
    cat(&[parent, "[", &decimal(i as u64), "]"])
}

/// The rule sections whose rules may carry `srcPosture`.
const RULE_SECTIONS: [&str; 3] = ["grants", "acls", "ssh"];

/// The local checks of `PolicyDocument.check()`: what the contract lists, each issue naming
/// its place. It complements `policy.validate`, the server's word, and needs no network.
pub fn check(doc: &Document) -> Vec<Issue> {
    let mut issues = Vec::new();
    duplicates(&doc.root(), "", &mut issues);
    let root = doc.root();
    let mut defined: Vec<String> = Vec::new();
    if let Some(section) = root.get("postures") {
        if section.kind() != Kind::Object {
            issues.push(Issue::new(
                "postures",
                "must be an object of posture names to conditions",
            ));
        }
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
        for (i, item) in list.items().iter().enumerate() {
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
    if let Some(list) = root.get("defaultSrcPosture") {
        references(list, "defaultSrcPosture".into(), &mut issues);
    }
    for section in RULE_SECTIONS {
        let Some(rules) = root.get(section).filter(|r| r.kind() == Kind::Array) else {
            continue;
        };
        for (i, rule) in rules.items().into_iter().enumerate() {
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
            let members = node.members();
            for (i, (name, value)) in members.iter().enumerate() {
                let at = member_field(field, name);
                let seen_before = members.iter().take(i).any(|(n, _)| n == name);
                if seen_before {
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
                duplicates(value, &at, issues);
            }
        }
        Kind::Array => {
            for (i, item) in node.items().iter().enumerate() {
                duplicates(item, &index_field(field, i), issues);
            }
        }
        _ => {}
    }
}

fn check_posture(name: &str, value: &Node<'_>, field: &str, issues: &mut Vec<Issue>) {
    match name.strip_prefix("posture:") {
        Some(rest) if !rest.is_empty() => {}
        _ => issues.push(Issue::new(
            field,
            "a posture name must start with \"posture:\" and have a name after it",
        )),
    }
    let items = match value.kind() {
        Kind::Array => value.items(),
        _ => Vec::new(),
    };
    if items.is_empty() {
        issues.push(Issue::new(field, "must be a non-empty list of conditions"));
        return;
    }
    for (i, item) in items.iter().enumerate() {
        let at = index_field(field, i);
        match item.as_str() {
            Some(text) => issues.extend(condition_issues(&text).map(|m| Issue::new(&at, m))),
            None => issues.push(Issue::new(at, "must be a condition (a string)")),
        }
    }
}

/// What is wrong with one condition, if anything: it does not parse, its attribute is outside
/// the documented namespaces, a `custom:` name breaks the attribute-key rule, or an ordering
/// operator has a value that is neither a number nor a version.
pub fn condition_issues(text: &str) -> Option<String> {
    let condition = match posture::parse(text) {
        Ok(c) => c,
        Err(e) => {
            let column = decimal(e.column as u64);
            return Some(cat(&[
                "does not parse at column ",
                &column,
                ": ",
                &e.message,
            ]));
        }
    };
    let namespace = condition.attribute.split(':').next().unwrap_or_default();
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
    let ordering = matches!(
        condition.operator,
        Operator::Lt | Operator::Le | Operator::Gt | Operator::Ge
    );
    let comparable = match &condition.value {
        Operand::One(AttributeValue::Number(_)) => true,
        Operand::One(AttributeValue::String(s)) => posture::is_version(s),
        _ => false,
    };
    if ordering && !comparable {
        return Some(cat(&[
            condition.operator.as_str(),
            " compares numbers or versions (such as '1.60'), not this value",
        ]));
    }
    None
}

/// The posture names and conditions `setPosture` will write, checked first: a `posture:`
/// name and a non-empty list of conditions that each pass [`condition_issues`].
pub fn check_set_posture(name: &str, conditions: &[String]) -> Vec<Issue> {
    let mut issues = Vec::new();
    match name.strip_prefix("posture:") {
        Some(rest) if !rest.is_empty() => {}
        _ => issues.push(Issue::new(
            "name",
            "must start with \"posture:\" and have a name after it",
        )),
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

/// An RFC 6901 pointer step: `~` and `/` escaped.
pub fn pointer_step(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

// ---- reading the inputs of posture evaluation ---------------------------------------------

/// `evaluatePostures`' options, but `signal`.
pub struct ReportOptions {
    /// A policy file to evaluate instead of the tailnet's.
    pub text: Option<String>,
    /// Only these devices.
    pub device_ids: Option<Vec<String>>,
}

/// Reads `{ text?, deviceIds?, signal? }`.
pub fn report_options<J: Json>(options: J) -> Result<ReportOptions, Vec<Issue>> {
    let mut input = Input::new(options, "");
    input.allow("signal");
    let text = input.string("text");
    let device_ids = input.strings("deviceIds", validate::id);
    validate::finish(input, ReportOptions { text, device_ids })
}

/// A device's attributes, by name.
pub type Attributes = Vec<(String, AttributeValue)>;

/// Each listed device's `nodeId` and name (its MagicDNS name, else its hostname), or only
/// those in `ids`; an id the list does not hold is an error, not a silent omission.
pub fn choose_devices<J: Json>(
    listed: &[J],
    ids: Option<&[String]>,
) -> Result<Vec<(String, String)>, Error> {
    let text = |d: &J, key: &str| d.get(key).and_then(|v| v.as_string());
    let all: Vec<(String, String)> = listed
        .iter()
        .filter_map(|d| {
            let id = text(d, "nodeId")?;
            let name = text(d, "name")
                .or_else(|| text(d, "hostname"))
                .unwrap_or_default();
            Some((id, name))
        })
        .collect();
    let Some(ids) = ids else {
        return Ok(all);
    };
    let mut issues = Vec::new();
    let mut chosen = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        match all.iter().find(|(n, _)| n == id) {
            Some(device) => chosen.push(device.clone()),
            None => issues.push(Issue::new(
                index_field("deviceIds", i),
                "names no device of the tailnet (give its nodeId)",
            )),
        }
    }
    validate::issues_or(issues, chosen)
}

/// A device's attributes as `AttributeValue`s; members of other types are not attributes.
pub fn attributes_of<J: Json>(attributes: &J) -> Attributes {
    let mut out = Vec::new();
    for key in attributes.keys() {
        let value = attributes.get(&key).and_then(|v| match v.kind() {
            JsonKind::String => v.as_string().map(AttributeValue::String),
            JsonKind::Number => v.as_f64().map(AttributeValue::Number),
            JsonKind::Bool => v.as_bool().map(AttributeValue::Boolean),
            _ => None,
        });
        if let Some(value) = value {
            out.push((key, value));
        }
    }
    out
}

/// The report's devices: each chosen device with the attributes fetched for it, in order.
pub fn device_inputs<J: Json>(
    chosen: Vec<(String, String)>,
    attributes: Vec<J>,
) -> Vec<DeviceInput> {
    chosen
        .into_iter()
        .zip(
            attributes
                .iter()
                .map(attributes_of)
                .chain(std::iter::repeat_with(Vec::new)),
        )
        .map(|((node_id, name), attributes)| DeviceInput {
            node_id,
            name,
            attributes,
        })
        .collect()
}

/// `evaluatePosture`'s arguments: a list of condition strings, and an object of attributes
/// whose values are strings, numbers or booleans.
pub fn evaluation_input<J: Json>(
    conditions: &J,
    attributes: &J,
) -> Result<(Vec<String>, Attributes), Error> {
    let mut issues = Vec::new();
    let list = condition_list(conditions, "conditions", &mut issues);
    if attributes.kind() != JsonKind::Object {
        issues.push(Issue::new(
            "attributes",
            "must be an object of attribute names to strings, numbers or booleans",
        ));
    }
    let values = attributes_of(attributes);
    if values.len() != attributes.keys().len() {
        issues.push(Issue::new(
            "attributes",
            "values must be strings, numbers or booleans",
        ));
    }
    validate::issues_or(issues, (list, values))
}

fn condition_list<J: Json>(value: &J, field: &str, issues: &mut Vec<Issue>) -> Vec<String> {
    if value.kind() != JsonKind::Array {
        issues.push(Issue::new(field, "must be a list of conditions (strings)"));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, item) in value.items().iter().enumerate() {
        match item.as_string() {
            Some(s) => out.push(s),
            None => issues.push(Issue::new(index_field(field, i), "must be a string")),
        }
    }
    out
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
