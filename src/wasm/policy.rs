//! `client.policy`, `PolicyDocument`, and the posture functions: the policy file read, written
//! only over the version that was read, checked, and its postures evaluated against the
//! tailnet's devices; HuJSON edited without losing a comment.

use super::convert::{or_empty, set, signal_only, take_signal};
use super::errors::{issues_to_js, to_js};
use super::request::{js_error, perform, send, spawn, Failed, Reply, Session};
use crate::devices::{self, AttributeValue};
use crate::encoding::base64_decode;
use crate::error::{Error, Issue};
use crate::http::{Body, HttpRequest};
use crate::hujson::Document;
use crate::json::{Json, Kind};
use crate::policy::{self, AfterEdit, AfterFailure, PolicyBody, Precondition, UpdateLoop};
use crate::posture::{self, Operand, PostureVerdicts};
use crate::text::{cat, decimal};
use js_sys::{Array, Function, Object, Promise, JSON};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(typescript_custom_section)]
const TS_POLICY: &str = r#"
/** The policy file as `policy.get` and `policy.set` give it. */
export interface PolicyFile {
  /** The file exactly as stored: HuJSON, comments included. */
  text: string;
  /** Its version, to pass back as `ifMatch` exactly as it is (quotes included). `""` when the
   *  answer carried none (a `details` read may not). */
  etag: string;
  /** With `details`: what the server found syntactically valid but nonsensical. */
  warnings?: string[] | null;
  /** With `details`: what the server could not parse. */
  errors?: string[] | null;
}

/** Options for `policy.get`. */
export interface GetPolicyOptions extends CallOptions {
  /** Also ask for the server's warnings and errors (`?details=true`). Default false. */
  details?: boolean;
}

/** What `policy.set` writes over: the version that was read, or anything. */
export type PolicyPrecondition =
  | { /** An etag from `policy.get`, exactly as it came, or `"ts-default"`: replace only the
       *  untouched default file. */ ifMatch: string }
  | { /** Replace whatever is there, even a change made since you read it. */ overwrite: true };

/** A policy file to send: HuJSON text, a `PolicyDocument` (its text), or a plain object (JSON). */
export type PolicyInput = string | PolicyDocument | Record<string, unknown>;

/** What `policy.update` resolves to. */
export interface PolicyUpdate extends PolicyFile {
  /** Rounds of read, edit and write it took (a 412 or a lost answer costs one). */
  attempts: number;
  /** Whether the file changed: false when the edit left it as it was, and nothing was sent. */
  changed: boolean;
}

/** Options for `policy.update`. */
export interface UpdatePolicyOptions extends CallOptions {
  /** Rounds before a 412 (the file keeps changing under the edit) is given up on. Default 5. */
  maxAttempts?: number;
}

/** An ACL test, run by `policy.test` against the current file (the API's test shape). */
export interface PolicyTest {
  /** The user, group, tag or host to test from. */
  src: string;
  /** Posture attributes the source device has, for rules with `srcPosture`. */
  srcPostureAttrs?: Record<string, string | number | boolean>;
  /** `tcp`, `udp`...; default both. */
  proto?: string;
  /** Destinations (`host:port`) that must be allowed. */
  accept?: string[];
  /** Destinations (`host:port`) that must be refused. */
  deny?: string[];
}

/** One entry of a check's findings. */
export interface PolicyCheckEntry {
  /** Who the finding is about (a test's `src`), if anyone. */
  user?: string;
  errors?: string[];
  warnings?: string[];
  [field: string]: unknown;
}

/** The server's verdict on a file or on tests. The endpoint answers 200 either way; `ok` reads
 *  the answer: false when any entry has errors or the message is not about warnings only. */
export interface PolicyCheck {
  ok: boolean;
  /** The server's summary, such as "test(s) failed". */
  message?: string;
  data: PolicyCheckEntry[];
}

/** Which rules to preview: those for a user, or for an `ip:port`. */
export interface PreviewOptions {
  /** `"user"` (previewFor is a login) or `"ipport"` (previewFor is `100.64.0.1:80`). */
  type: "user" | "ipport";
  previewFor: string;
}

/** What `policy.preview` resolves to: the candidate file's rules that match. */
export interface PolicyPreview {
  matches: { users: string[]; ports: string[]; lineNumber: number }[];
  type: string;
  previewFor: string;
}

/** Options for `policy.evaluatePostures`. */
export interface EvaluatePosturesOptions extends CallOptions {
  /** A policy file to evaluate instead of the tailnet's current one. */
  text?: string;
  /** Only these devices (`nodeId`s). Default: every device of the tailnet. */
  deviceIds?: string[];
}

/** One device under one posture. */
export interface PostureDeviceVerdict {
  nodeId: string;
  name: string;
  matches: boolean;
  /** The conditions it failed, each with the reason in words. */
  failed: { condition: string; reason: string }[];
}

/** Which devices each posture admits today, and why the others are refused. */
export interface PostureReport {
  postures: { name: string; conditions: string[]; devices: PostureDeviceVerdict[] }[];
  /** The file's `defaultSrcPosture`: postures applied to rules without a `srcPosture`. */
  defaultSrcPosture: string[];
}

/** A posture condition, parsed. */
export interface PostureCondition {
  /** `namespace:name`, such as `node:tsVersion`. */
  attribute: string;
  operator: "==" | "!=" | "<" | "<=" | ">" | ">=" | "IN" | "NOT IN" | "IS SET" | "NOT SET";
  /** Absent for IS SET and NOT SET; a list for IN and NOT IN. */
  value?: string | number | boolean | (string | number | boolean)[];
}

/** What `evaluatePosture` resolves to. */
export interface PostureEvaluation {
  /** Whether every condition matched. */
  matches: boolean;
  conditions: { condition: string; matches: boolean; reason?: string }[];
}
"#;

/// A JS string as Rust text, refusing one that is not well-formed UTF-16 (a lone surrogate
/// would otherwise become U+FFFD without a word).
fn text_arg(value: &JsValue, field: &str) -> Result<String, Error> {
    let Some(text) = value.as_string() else {
        return Err(Error::validation(field, "must be a string"));
    };
    // Only a replacement character in the result can hide a lone surrogate in the input.
    if text.contains('\u{FFFD}') && has_lone_surrogate(value) {
        return Err(Error::validation(
            field,
            "holds a lone UTF-16 surrogate, which no UTF-8 text can carry",
        ));
    }
    Ok(text)
}

#[wasm_bindgen]
extern "C" {
    // `RegExp.prototype.test` on the JS string itself: js-sys's binding takes a Rust `&str`,
    // in which the surrogate is already gone.
    #[wasm_bindgen(js_name = RegExp)]
    type Pattern;
    #[wasm_bindgen(constructor, js_class = RegExp)]
    fn new(source: &str) -> Pattern;
    #[wasm_bindgen(method)]
    fn test(this: &Pattern, text: &JsValue) -> bool;
}

fn has_lone_surrogate(value: &JsValue) -> bool {
    Pattern::new("[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?:^|[^\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]")
        .test(value)
}

/// A `PolicyDocument` passed where a policy is taken: it has a `standardize` method, which no
/// policy object does.
fn as_document(value: &JsValue) -> Option<JsValue> {
    let standardize = js_sys::Reflect::get(value, &"standardize".into()).ok()?;
    standardize.is_function().then(|| value.clone())
}

fn call_method(value: &JsValue, name: &str) -> Result<String, Error> {
    js_sys::Reflect::get(value, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call0(value).ok())
        .and_then(|v| v.as_string())
        .ok_or_else(|| Error::validation("policy", "is not a usable PolicyDocument"))
}

/// JSON text of a JS value, by the engine.
fn stringify(value: &JsValue, field: &str) -> Result<String, Error> {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::validation(field, "must be a value JSON can hold"))
}

/// A policy as `set` sends it: text as written (comments kept), or an object as JSON.
fn policy_body(value: &JsValue) -> Result<PolicyBody, Error> {
    if value.is_string() {
        return text_arg(value, "policy").map(PolicyBody::HuJson);
    }
    if let Some(doc) = as_document(value) {
        return call_method(&doc, "toString").map(PolicyBody::HuJson);
    }
    match value.kind() {
        Kind::Object => stringify(value, "policy").map(PolicyBody::Json),
        _ => Err(Error::validation(
            "policy",
            "must be HuJSON text, a PolicyDocument, or a policy object",
        )),
    }
}

/// A policy as `validate` and `preview` send it: standardized (comments and trailing commas
/// blanked, so line numbers hold) or an object's JSON.
fn standardized(value: &JsValue) -> Result<String, Error> {
    if value.is_string() {
        let text = text_arg(value, "policy")?;
        return parse_document(&text, "policy").map(|d| d.standardize());
    }
    if let Some(doc) = as_document(value) {
        return call_method(&doc, "standardize");
    }
    match value.kind() {
        Kind::Object => stringify(value, "policy"),
        _ => Err(Error::validation(
            "policy",
            "must be HuJSON text, a PolicyDocument, or a policy object",
        )),
    }
}

fn parse_document(text: &str, field: &str) -> Result<Document, Error> {
    Document::parse(text).map_err(|e| {
        let (line, column) = (decimal(e.line as u64), decimal(e.column as u64));
        let message = cat(&["line ", &line, ", column ", &column, ": ", &e.message]);
        Error::Validation(vec![Issue::new(field, message).at(e.line, e.column)])
    })
}

/// `{ text, etag, warnings?, errors? }` from a read or a write.
fn file_result(req: &HttpRequest, reply: Reply, fallback: Option<&str>) -> Result<Object, JsValue> {
    let out = Object::new();
    let text = match reply.body {
        Body::Text(t) => t,
        Body::Json(v) => {
            // `?details=true`: the file base64-encoded in `acl`, with the server's findings.
            for key in ["warnings", "errors"] {
                if let Some(list) = v.get(key) {
                    set(&out, key, list);
                }
            }
            let acl = v.get("acl").and_then(|a| a.as_string()).unwrap_or_default();
            base64_decode(&acl)
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| unusable(req, "`acl` is not base64-encoded UTF-8 text"))?
        }
        _ => fallback.unwrap_or_default().to_owned(),
    };
    set(&out, "text", text.into());
    set(&out, "etag", reply.etag.unwrap_or_default().into());
    Ok(out)
}

fn unusable(req: &HttpRequest, reason: &str) -> JsValue {
    js_error(Error::Response {
        status: 200,
        method: req.method,
        path: req.path.clone(),
        reason: reason.into(),
    })
}

/// `PolicyCheck` from the check endpoint's 200: empty (or `{}`) passes; otherwise its
/// `message` and `data` decide.
fn check_result(reply: Reply) -> JsValue {
    let out = Object::new();
    let (message, data) = match &reply.body {
        Body::Json(v) => (
            v.get("message").and_then(|m| m.as_string()),
            v.get("data").filter(|d| d.is_array()),
        ),
        _ => (None, None),
    };
    let data = data.unwrap_or_else(|| Array::new().into());
    let any_errors = data
        .items()
        .iter()
        .any(|entry| entry.get("errors").is_some_and(|e| !e.items().is_empty()));
    set(
        &out,
        "ok",
        policy::check_ok(message.as_deref(), any_errors).into(),
    );
    if let Some(m) = message {
        set(&out, "message", m.into());
    }
    set(&out, "data", data);
    out.into()
}

/// `client.policy`: the tailnet's policy file.
#[wasm_bindgen]
pub struct PolicyApi {
    session: Rc<Session>,
}

impl PolicyApi {
    pub fn new(session: Rc<Session>) -> PolicyApi {
        PolicyApi { session }
    }

    fn tailnet(&self) -> &str {
        &self.session.config.tailnet
    }
}

#[wasm_bindgen]
impl PolicyApi {
    /// Reads the policy file: GET /api/v2/tailnet/{tailnet}/acl with `Accept:
    /// application/hujson`, so `text` is the file as stored, comments included; `etag` is its
    /// version for `set`. With `details: true`, `?details=true` and the server's warnings and
    /// errors.
    #[wasm_bindgen(unchecked_return_type = "Promise<PolicyFile>")]
    pub fn get(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetPolicyOptions")] options: JsValue,
    ) -> Promise {
        let prepared = take_signal(&options)
            .and_then(|(rest, signal)| Ok((policy::get(self.tailnet(), or_empty(&rest))?, signal)));
        let session = self.session.clone();
        spawn(Box::pin(async move {
            let (req, signal) = prepared.map_err(js_error)?;
            let reply = perform(&session, &req, signal.as_ref()).await?;
            file_result(&req, reply, None).map(JsValue::from)
        }))
    }

    /// Replaces the policy file: POST /api/v2/tailnet/{tailnet}/acl. Text (or a
    /// `PolicyDocument`) is sent as is, as `application/hujson`; an object as JSON. Needs
    /// `{ ifMatch: etag }` (sent as `If-Match`; a mismatch rejects with a 412
    /// `TailscaleApiError` saying the file changed) or `{ overwrite: true }`: with neither,
    /// nothing is sent. Never retried on a 5xx or a lost connection (`update` is the safe way).
    #[wasm_bindgen(unchecked_return_type = "Promise<PolicyFile>")]
    pub fn set(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PolicyInput")] policy: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PolicyPrecondition")] precondition: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let prepared = match (
            policy_body(&policy),
            Precondition::parse(or_empty(&precondition)).map_err(Error::Validation),
            signal_only(&options),
        ) {
            (Ok(body), Ok(condition), Ok(signal)) => {
                Ok((policy::set(self.tailnet(), body, &condition), signal))
            }
            (b, c, s) => Err(gather(&[b.err(), c.err(), s.err()])),
        };
        let session = self.session.clone();
        spawn(Box::pin(async move {
            let (req, signal) = prepared.map_err(js_error)?;
            let reply = perform(&session, &req, signal.as_ref()).await?;
            file_result(&req, reply, None).map(JsValue::from)
        }))
    }

    /// Changes the policy file safely: reads it, calls `edit` with a `PolicyDocument` of it,
    /// and writes the result with `If-Match`. `edit` edits the document in place or returns
    /// the new text (or a Promise of either). When the result is the text that was read,
    /// nothing is sent (`changed: false`). On a 412 (someone else wrote first), or when the
    /// write's answer was lost, the file is read again and `edit` runs again on it, up to
    /// `maxAttempts` rounds. So a concurrent change is never overwritten and a write is never
    /// applied twice.
    #[wasm_bindgen(unchecked_return_type = "Promise<PolicyUpdate>")]
    pub fn update(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "(doc: PolicyDocument) => void | string | Promise<void | string>"
        )]
        edit: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UpdatePolicyOptions")] options: JsValue,
    ) -> Promise {
        let prepared = take_signal(&options).and_then(|(rest, signal)| {
            let mut issues = UpdateLoop::parse(or_empty(&rest)).err().unwrap_or_default();
            if !edit.is_function() {
                issues.push(Issue::new(
                    "edit",
                    "must be a function that edits the document or returns the new text",
                ));
            }
            match UpdateLoop::parse(or_empty(&rest)) {
                Ok(state) if issues.is_empty() => Ok((state, signal)),
                _ => Err(Error::Validation(issues)),
            }
        });
        let session = self.session.clone();
        let edit: Function = edit.unchecked_into();
        spawn(Box::pin(async move {
            let (mut state, signal) = prepared.map_err(js_error)?;
            loop {
                state.begin_round();
                let read = policy::get(&session.config.tailnet, JsValue::from(Object::new()))
                    .map_err(js_error)?;
                let reply = perform(&session, &read, signal.as_ref()).await?;
                let etag = reply.etag.clone().unwrap_or_default();
                let current = match &reply.body {
                    Body::Text(t) => t.clone(),
                    _ => String::new(),
                };
                let doc = Document::parse(&current).map_err(|e| {
                    unusable(
                        &read,
                        &cat(&["the policy file does not parse as HuJSON: ", &e.message]),
                    )
                })?;
                let shared = Rc::new(RefCell::new(doc));
                let handle = PolicyDocument {
                    doc: shared.clone(),
                };
                let returned = edit.call1(&JsValue::UNDEFINED, &handle.into())?;
                let returned = JsFuture::from(Promise::resolve(&returned)).await?;
                let edited = edited_text(&returned, &shared).map_err(js_error)?;
                match state.after_edit(edited == current) {
                    AfterEdit::Done { changed } => {
                        return Ok(update_result(&current, &etag, &state, changed));
                    }
                    AfterEdit::Write => {}
                }
                if etag.is_empty() {
                    return Err(unusable(
                        &read,
                        "the policy file came without an ETag, so it cannot be written safely",
                    ));
                }
                let write = policy::set(
                    &session.config.tailnet,
                    PolicyBody::HuJson(edited.clone()),
                    &Precondition::IfMatch(etag),
                );
                match send(&session, &write, signal.as_ref()).await {
                    Ok(reply) => {
                        let out = file_result(&write, reply, Some(&edited))?;
                        set(&out, "attempts", state.attempts.into());
                        set(&out, "changed", true.into());
                        return Ok(out.into());
                    }
                    Err(Failed::Core { error, cause, data }) => match state.after_failure(&error) {
                        AfterFailure::Reread => continue,
                        AfterFailure::Fail => return Err(to_js(&error, cause, data)),
                    },
                    Err(Failed::Js(reason)) => return Err(reason),
                }
            }
        }))
    }

    /// Asks the server to check a candidate file: POST /api/v2/tailnet/{tailnet}/acl/validate
    /// with the file standardized (comments and trailing commas blanked, so line numbers hold;
    /// the endpoint has refused a body that starts with a comment). Its own `tests` run too.
    /// Nothing is saved. Text that does not parse is refused before anything is sent.
    #[wasm_bindgen(unchecked_return_type = "Promise<PolicyCheck>")]
    pub fn validate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PolicyInput")] policy: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let prepared = signal_only(&options).and_then(|signal| {
            Ok((
                policy::validate_file(self.tailnet(), standardized(&policy)?),
                signal,
            ))
        });
        self.check(prepared)
    }

    /// Runs ACL tests against the current file: POST /api/v2/tailnet/{tailnet}/acl/validate
    /// with the array of tests.
    #[wasm_bindgen(unchecked_return_type = "Promise<PolicyCheck>")]
    pub fn test(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PolicyTest[]")] tests: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let prepared = signal_only(&options).and_then(|signal| {
            let issues = policy::check_tests(&tests);
            if !issues.is_empty() {
                return Err(Error::Validation(issues));
            }
            Ok((
                policy::test(self.tailnet(), stringify(&tests, "tests")?),
                signal,
            ))
        });
        self.check(prepared)
    }

    /// Which rules of a candidate file match a user or an `ip:port`: POST
    /// /api/v2/tailnet/{tailnet}/acl/preview?type=…&previewFor=…, with the file standardized.
    /// Nothing is saved.
    #[wasm_bindgen(unchecked_return_type = "Promise<PolicyPreview>")]
    pub fn preview(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PolicyInput")] policy: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PreviewOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let body = standardized(&policy);
        let prepared = match (&body, signal_only(&options)) {
            (Ok(text), Ok(signal)) => {
                let body = PolicyBody::Json(text.clone());
                policy::preview(self.tailnet(), body, or_empty(&request)).map(|r| (r, signal))
            }
            (_, s) => {
                // Still read the options, so that one error lists every problem.
                let options = policy::preview(
                    self.tailnet(),
                    PolicyBody::Json(String::new()),
                    or_empty(&request),
                );
                Err(gather(&[body.err(), options.err(), s.err()]))
            }
        };
        self.session.start(prepared)
    }

    /// Which devices each posture of the file admits today, and why the others are refused:
    /// reads the policy (unless `text` is given), the devices, and each device's attributes
    /// (under `maxConcurrency`), then evaluates every posture on every device.
    #[wasm_bindgen(js_name = evaluatePostures, unchecked_return_type = "Promise<PostureReport>")]
    pub fn evaluate_postures(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "EvaluatePosturesOptions")] options: JsValue,
    ) -> Promise {
        let prepared = take_signal(&options).and_then(|(rest, signal)| {
            let rest = or_empty(&rest);
            let options = policy::report_options(rest.clone()).map_err(Error::Validation)?;
            if options.text.is_some() {
                // Read again for what the core's reader cannot see: a lone surrogate.
                text_arg(
                    &js_sys::Reflect::get(&rest, &"text".into()).unwrap_or_default(),
                    "text",
                )?;
            }
            Ok((options.text, options.device_ids, signal))
        });
        let session = self.session.clone();
        spawn(Box::pin(async move {
            let (text, ids, signal) = prepared.map_err(js_error)?;
            let text = match text {
                Some(t) => t,
                None => {
                    let read = policy::get(&session.config.tailnet, JsValue::from(Object::new()))
                        .map_err(js_error)?;
                    match perform(&session, &read, signal.as_ref()).await?.body {
                        Body::Text(t) => t,
                        _ => String::new(),
                    }
                }
            };
            let doc = parse_document(&text, "text").map_err(js_error)?;
            let (postures, defaults) = policy::postures_of(&doc);
            let list = devices::list(&session.config.tailnet, JsValue::from(Object::new()))
                .map_err(js_error)?;
            let listed = match perform(&session, &list, signal.as_ref()).await?.body {
                Body::Json(v) => v.get("devices").map(|d| d.items()).unwrap_or_default(),
                _ => Vec::new(),
            };
            let chosen = policy::choose_devices(&listed, ids.as_deref()).map_err(js_error)?;
            // Every device's attributes at once; the session's limiter caps how many are in
            // flight.
            let reads = Array::new();
            for (node_id, _) in &chosen {
                let req =
                    devices::get_attributes(JsValue::from(node_id.as_str())).map_err(js_error)?;
                let session = session.clone();
                let signal = signal.clone();
                reads.push(&spawn(Box::pin(async move {
                    match perform(&session, &req, signal.as_ref()).await?.body {
                        Body::Json(v) => Ok(v.get("attributes").unwrap_or(JsValue::NULL)),
                        _ => Ok(JsValue::NULL),
                    }
                })));
            }
            let attributes = JsFuture::from(Promise::all(&reads)).await?;
            let inputs = policy::device_inputs(chosen, attributes.items());
            let verdicts = posture::report(&postures, &inputs)
                .map_err(|issues| js_error(Error::Validation(issues)))?;
            Ok(report_to_js(&verdicts, &defaults))
        }))
    }
}

impl PolicyApi {
    fn check(
        &self,
        prepared: Result<(HttpRequest, Option<web_sys::AbortSignal>), Error>,
    ) -> Promise {
        let session = self.session.clone();
        spawn(Box::pin(async move {
            let (req, signal) = prepared.map_err(js_error)?;
            let reply = perform(&session, &req, signal.as_ref()).await?;
            Ok(check_result(reply))
        }))
    }
}

/// One error listing every issue of the arguments that failed.
fn gather(errors: &[Option<Error>]) -> Error {
    let mut issues = Vec::new();
    for error in errors.iter().flatten() {
        match error {
            Error::Validation(more) => issues.extend(more.iter().cloned()),
            other => issues.push(Issue::new("", other.message())),
        }
    }
    Error::Validation(issues)
}

/// The text `edit` left: what it returned, or the document it edited in place.
fn edited_text(returned: &JsValue, doc: &Rc<RefCell<Document>>) -> Result<String, Error> {
    if returned.is_undefined() {
        return doc
            .try_borrow()
            .map(|d| d.as_str().to_owned())
            .map_err(|_| Error::validation("edit", "is still using the document"));
    }
    let text = match as_document(returned) {
        Some(other) => call_method(&other, "toString")?,
        None if returned.is_string() => text_arg(returned, "edit")?,
        None => {
            return Err(Error::validation(
                "edit",
                "must edit the document in place (returning nothing) or return the new text",
            ))
        }
    };
    // Checked here rather than by the server's 400: nothing invalid is sent.
    parse_document(&text, "edit").map(|_| text)
}

fn update_result(text: &str, etag: &str, state: &UpdateLoop, changed: bool) -> JsValue {
    let out = Object::new();
    set(&out, "text", text.into());
    set(&out, "etag", etag.into());
    set(&out, "attempts", state.attempts.into());
    set(&out, "changed", changed.into());
    out.into()
}

fn report_to_js(verdicts: &[PostureVerdicts], defaults: &[String]) -> JsValue {
    let postures = Array::new();
    for p in verdicts {
        let devices = Array::new();
        for d in &p.devices {
            let failed = Array::new();
            for (condition, reason) in &d.failed {
                let f = Object::new();
                set(&f, "condition", condition.as_str().into());
                set(&f, "reason", reason.as_str().into());
                failed.push(&f);
            }
            let device = Object::new();
            set(&device, "nodeId", d.node_id.as_str().into());
            set(&device, "name", d.name.as_str().into());
            set(&device, "matches", d.matches.into());
            set(&device, "failed", failed.into());
            devices.push(&device);
        }
        let posture = Object::new();
        set(&posture, "name", p.name.as_str().into());
        set(&posture, "conditions", strings(&p.conditions));
        set(&posture, "devices", devices.into());
        postures.push(&posture);
    }
    let out = Object::new();
    set(&out, "postures", postures.into());
    set(&out, "defaultSrcPosture", strings(defaults));
    out.into()
}

fn strings(items: &[String]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from(s.as_str()))
        .collect::<Array>()
        .into()
}

fn scalar(value: &AttributeValue) -> JsValue {
    match value {
        AttributeValue::String(s) => s.as_str().into(),
        AttributeValue::Number(n) => (*n).into(),
        AttributeValue::Boolean(b) => (*b).into(),
    }
}

/// A HuJSON policy file that edits without losing a comment: every edit changes only the
/// bytes of what it replaces, adds or removes.
#[wasm_bindgen]
pub struct PolicyDocument {
    doc: Rc<RefCell<Document>>,
}

impl PolicyDocument {
    fn with<T>(&self, f: impl FnOnce(&Document) -> T) -> Result<T, JsValue> {
        self.doc
            .try_borrow()
            .map(|d| f(&d))
            .map_err(|_| js_error(Error::validation("document", "is being edited")))
    }

    fn edit<T>(&self, f: impl FnOnce(&mut Document) -> Result<T, Error>) -> Result<T, JsValue> {
        let mut doc = self
            .doc
            .try_borrow_mut()
            .map_err(|_| js_error(Error::validation("document", "is being read")))?;
        f(&mut doc).map_err(js_error)
    }
}

#[wasm_bindgen]
impl PolicyDocument {
    /// Parses HuJSON (JSON with line and block comments and trailing commas, nothing else).
    /// Throws `TailscaleValidationError` whose issue gives the line and column of a syntax
    /// error. The same as `PolicyDocument.parse`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<PolicyDocument, JsValue> {
        let text = text_arg(&text, "text").map_err(js_error)?;
        let doc = parse_document(&text, "text").map_err(js_error)?;
        Ok(PolicyDocument {
            doc: Rc::new(RefCell::new(doc)),
        })
    }

    /// Parses HuJSON; see the constructor.
    pub fn parse(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<PolicyDocument, JsValue> {
        PolicyDocument::new(text)
    }

    /// The text: byte for byte the input until edited.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_text(&self) -> Result<String, JsValue> {
        self.with(|d| d.as_str().to_owned())
    }

    /// The value as plain JSON, comments dropped (what `JSON.stringify(doc)` uses).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, unknown>")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        let text = self.standardize()?;
        JSON::parse(&text)
    }

    /// The text with comments and trailing commas replaced by spaces: valid JSON with every
    /// byte offset and line number unchanged.
    pub fn standardize(&self) -> Result<String, JsValue> {
        self.with(Document::standardize)
    }

    /// The value at an RFC 6901 pointer (`"/postures/posture:provisioned"`), or `undefined`.
    #[wasm_bindgen(unchecked_return_type = "unknown")]
    pub fn get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] pointer: JsValue,
    ) -> Result<JsValue, JsValue> {
        let pointer = text_arg(&pointer, "pointer").map_err(js_error)?;
        let found = self
            .with(|d| {
                d.find(&pointer)
                    .map(|n| n.map(|n| standardized_raw(n.raw())))
            })?
            .map_err(js_error)?;
        match found {
            Some(json) => JSON::parse(&json),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Replaces the value at a pointer, or adds an object member (missing parents are made as
    /// objects); `-` as the last step appends to an array. Only those bytes change.
    pub fn set(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] pointer: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) -> Result<(), JsValue> {
        let (pointer, json) = pointer_and_value(&pointer, &value).map_err(js_error)?;
        self.edit(|d| d.set(&pointer, &json))
    }

    /// Pushes a value onto the array at a pointer (made, with missing parents, if absent).
    pub fn append(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] pointer: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) -> Result<(), JsValue> {
        let (pointer, json) = pointer_and_value(&pointer, &value).map_err(js_error)?;
        self.edit(|d| d.append(&pointer, &json))
    }

    /// Removes the member or element at a pointer, with its comma and its own comment on the
    /// same line. Returns whether anything was removed.
    pub fn remove(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] pointer: JsValue,
    ) -> Result<bool, JsValue> {
        let pointer = text_arg(&pointer, "pointer").map_err(js_error)?;
        self.edit(|d| d.remove(&pointer))
    }

    /// Sets a posture (`postures["posture:..."]`) to these conditions, each checked first as
    /// `check()` would: nothing changes unless all are valid.
    #[wasm_bindgen(js_name = setPosture)]
    pub fn set_posture(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[]")] conditions: JsValue,
    ) -> Result<(), JsValue> {
        let (name, list) = policy::read_posture(&name, &conditions).map_err(js_error)?;
        let pointer = cat(&["/postures/", &policy::pointer_step(&name)]);
        let json = crate::json::strings_json(&list);
        self.edit(|d| d.set(&pointer, &json))
    }

    /// The local checks (no network): duplicate names, posture names and conditions,
    /// attribute namespaces, `custom:` names, ordering operators on values that are neither
    /// numbers nor versions, and `srcPosture` / `defaultSrcPosture` entries naming no posture.
    /// `[]` when all pass; it complements `policy.validate`, the server's word.
    #[wasm_bindgen(unchecked_return_type = "ValidationIssue[]")]
    pub fn check(&self) -> Result<JsValue, JsValue> {
        self.with(|d| issues_to_js(&policy::check(d)))
    }
}

/// A value's raw text as JSON: comments inside it blanked.
fn standardized_raw(raw: &str) -> String {
    Document::parse(raw)
        .map(|d| d.standardize())
        .unwrap_or_else(|_| raw.to_owned())
}

fn pointer_and_value(pointer: &JsValue, value: &JsValue) -> Result<(String, String), Error> {
    let pointer = text_arg(pointer, "pointer");
    let json = match value.is_undefined() || value.is_function() {
        true => Err(Error::validation("value", "must be a value JSON can hold")),
        false => stringify(value, "value"),
    };
    match (pointer, json) {
        (Ok(p), Ok(j)) => Ok((p, j)),
        (p, j) => Err(gather(&[p.err(), j.err()])),
    }
}

/// Parses one posture condition, such as `node:tsVersion >= '1.60'`. Throws
/// `TailscaleValidationError` whose issue gives the column where it went wrong.
#[wasm_bindgen(js_name = parsePostureCondition, unchecked_return_type = "PostureCondition")]
pub fn parse_posture_condition(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    let text = text_arg(&text, "condition").map_err(js_error)?;
    let condition = posture::parse(&text).map_err(|e| {
        let column = decimal(e.column as u64);
        let message = cat(&["column ", &column, ": ", &e.message]);
        js_error(Error::Validation(vec![
            Issue::new("condition", message).at(1, e.column)
        ]))
    })?;
    let out = Object::new();
    set(&out, "attribute", condition.attribute.as_str().into());
    set(&out, "operator", condition.operator.as_str().into());
    match &condition.value {
        Operand::None => {}
        Operand::One(v) => set(&out, "value", scalar(v)),
        Operand::List(items) => set(
            &out,
            "value",
            items.iter().map(scalar).collect::<Array>().into(),
        ),
    }
    Ok(out.into())
}

/// Evaluates a posture (its conditions, all of which must match) against a device's
/// attributes as `devices.getAttributes` gives them. An unset attribute matches only
/// `NOT SET`; comparisons stay within a type; versions compare as Tailscale's `cmpver` does.
#[wasm_bindgen(js_name = evaluatePosture, unchecked_return_type = "PostureEvaluation")]
pub fn evaluate_posture(
    #[wasm_bindgen(unchecked_param_type = "string[]")] conditions: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Record<string, string | number | boolean>")]
    attributes: JsValue,
) -> Result<JsValue, JsValue> {
    let (conditions, attributes) =
        policy::evaluation_input(&conditions, &attributes).map_err(js_error)?;
    let (matches, results) = posture::evaluate_posture(&conditions, &attributes)
        .map_err(|issues| js_error(Error::Validation(issues)))?;
    let list = Array::new();
    for r in &results {
        let item = Object::new();
        set(&item, "condition", r.condition.as_str().into());
        set(&item, "matches", r.matches.into());
        if let Some(reason) = &r.reason {
            set(&item, "reason", reason.as_str().into());
        }
        list.push(&item);
    }
    let out = Object::new();
    set(&out, "matches", matches.into());
    set(&out, "conditions", list.into());
    Ok(out.into())
}
