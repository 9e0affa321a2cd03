//! The policy file's endpoints (`/tailnet/{t}/acl` and its `validate` and `preview`), the
//! decisions of `policy.update`'s read-modify-write loop, and what `evaluatePostures` fetches.
//! What a policy means (HuJSON, postures, access) is the policy crate's; this only moves it.

use tailscale_wire::error::{index_field, Error, Issue};
use tailscale_wire::http::{push_segments, query_string, tailnet_path, Expect, HttpRequest};
use tailscale_wire::json::{Json, Kind as JsonKind, Ty};
use tailscale_wire::method::Method;
use tailscale_wire::validate::{self, Input};

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
    let mut path = tailnet_path(tailnet, &["acl"]);
    push_segments(&mut path, rest);
    path
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
    Ok(match details {
        true => {
            let path = acl_path(tailnet, &[]);
            let mut req = HttpRequest::new(Method::Get, path, Expect::Object(DETAILS_FIELDS));
            req.query = query_string(&[("details", "true")]);
            req.accept = None;
            req
        }
        false => read(tailnet),
    })
}

/// `GET /tailnet/{t}/acl` for the file as stored (`Accept: application/hujson`): `get`
/// without options, as `update` and `evaluatePostures` read it.
pub fn read(tailnet: &str) -> HttpRequest {
    let mut req = HttpRequest::new(Method::Get, acl_path(tailnet, &[]), Expect::Text);
    req.accept = Some(HUJSON);
    req
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
        // Every branch above that yields no condition also records an issue; were one ever to
        // slip through, the safe default is to refuse, never to overwrite.
        match validate::finish(input, condition)? {
            Some(condition) => Ok(condition),
            None => Err(vec![Issue::new("options", NEITHER)]),
        }
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
        let at = index_field("tests", i);
        if test.kind() != JsonKind::Object {
            issues.push(Issue::new(at, "must be an object such as { src, accept }"));
            continue;
        }
        let mut input = Input::new(test, &at);
        for &name in &TEST_FIELDS {
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
        Some(m) if m.trim_ascii().is_empty() => true,
        Some(m) => {
            tailscale_wire::text::contains(&m, "warning")
                && !tailscale_wire::text::contains(&m, "error")
                && !tailscale_wire::text::contains(&m, "fail")
        }
    }
}
