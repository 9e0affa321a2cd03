//! `client.policy`: the policy file read, written only over the version that was read, checked
//! by the server, and its postures evaluated against the tailnet's devices.

use super::convert::text_arg;
use super::convert::{json_arg, or_empty, set, signal_only, take_signal};
use super::errors::{gather, to_js};
use super::policy_document::{as_document, call_method, parse_document, PolicyDocument};
use super::request::{js_error, perform, send, spawn, Failed, Reply, Session};
use crate::devices;
use crate::encoding::base64_decode;
use crate::error::{Error, Issue};
use crate::http::{Body, HttpRequest};
use crate::hujson::Document;
use crate::json::{Json, Kind};
use crate::policy::{self, AfterEdit, AfterFailure, PolicyBody, Precondition, UpdateLoop};
use crate::policy_check;
use crate::posture::{self, PostureVerdicts};
use crate::text::cat;
use js_sys::{Array, Function, Object, Promise};
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
export type PolicyPrecondition = IfMatch | Overwrite;

/** Write only over the version that was read. */
export interface IfMatch {
  /** An etag from `policy.get`, exactly as it came, or `"ts-default"`: replace only the
   *  untouched default file. */
  ifMatch: string;
}

/** Write whatever is there. */
export interface Overwrite {
  /** Replace whatever is there, even a change made since you read it. */
  overwrite: true;
}

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
  /** What fails: a test that did not hold, a condition that does not parse. */
  errors?: string[];
  /** What passes but looks wrong, such as a group member the tailnet does not know. */
  warnings?: string[];
  /** Fields this package does not know are passed through. */
  [field: string]: unknown;
}

/** The server's verdict on a file or on tests. The endpoint answers 200 either way; `ok` reads
 *  the answer: false when any entry has errors or the message is not about warnings only. */
export interface PolicyCheck {
  /** Whether the file (or the tests) passed. */
  ok: boolean;
  /** The server's summary, such as "test(s) failed". */
  message?: string;
  /** The findings, one entry per user or test; empty when it passed. */
  data: PolicyCheckEntry[];
}

/** Which rules to preview: those for a user, or for an `ip:port`. */
export interface PreviewOptions {
  /** `"user"` (previewFor is a login) or `"ipport"` (previewFor is `100.64.0.1:80`). */
  type: "user" | "ipport";
  /** A user's login, or an `ip:port`. */
  previewFor: string;
}

/** A rule that matches in a preview. */
export interface PreviewMatch {
  /** Its sources. */
  users: string[];
  /** The destinations it allows. */
  ports: string[];
  /** The line where it starts in the file. */
  lineNumber: number;
}

/** What `policy.preview` resolves to: the candidate file's rules that match. */
export interface PolicyPreview {
  /** Each matching rule. */
  matches: PreviewMatch[];
  /** The `type` asked for. */
  type: string;
  /** The `previewFor` asked for. */
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
  /** The device's `nodeId`. */
  nodeId: string;
  /** Its MagicDNS name, else its hostname. */
  name: string;
  /** Whether it passes every condition of the posture. */
  matches: boolean;
  /** The conditions it failed, each with the reason in words. */
  failed: FailedCondition[];
}

/** A condition a device failed. */
export interface FailedCondition {
  /** The condition, as written. */
  condition: string;
  /** Why it failed, such as "custom:tier is not set". */
  reason: string;
}

/** One posture and every device's verdict. */
export interface PostureVerdicts {
  /** Its name, such as `posture:provisioned`. */
  name: string;
  /** Its conditions, ANDed. */
  conditions: string[];
  /** Each device of the tailnet (or of `deviceIds`) that still exists when its attributes are
   *  read: one deleted meanwhile is left out. */
  devices: PostureDeviceVerdict[];
}

/** Which devices each posture admits today, and why the others are refused. */
export interface PostureReport {
  /** Each posture of the file, in order. */
  postures: PostureVerdicts[];
  /** The file's `defaultSrcPosture`: postures applied to rules without a `srcPosture`. */
  defaultSrcPosture: string[];
}
"#;

/// A policy as `set` sends it: text as written (comments kept), or an object as JSON.
fn policy_body(value: &JsValue) -> Result<PolicyBody, Error> {
    if value.is_string() {
        return text_arg(value, "policy").map(PolicyBody::HuJson);
    }
    if let Some(doc) = as_document(value) {
        return call_method(&doc, "toString").map(PolicyBody::HuJson);
    }
    match value.kind() {
        Kind::Object => json_arg(value, "policy").map(PolicyBody::Json),
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
        Kind::Object => json_arg(value, "policy"),
        _ => Err(Error::validation(
            "policy",
            "must be HuJSON text, a PolicyDocument, or a policy object",
        )),
    }
}

/// `{ text, etag, warnings?, errors? }` from a read or a write.
fn file_result(req: &HttpRequest, reply: Reply, fallback: Option<&str>) -> Result<Object, JsValue> {
    let out = Object::new();
    let text = match reply.body {
        Body::Text(t) => t,
        Body::Json(v) => {
            // `?details=true`: the file base64-encoded in `acl`, with the server's findings.
            for &key in &["warnings", "errors"] {
                if let Some(list) = v.get(key) {
                    set(&out, key, list);
                }
            }
            let acl = v.get("acl").and_then(|a| a.as_string()).unwrap_or_default();
            base64_decode(&acl)
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| unusable(req, "`acl` is not base64-encoded UTF-8 text"))?
        }
        // A write answered with an empty body: the text is what was sent.
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
        self.session.start_with(prepared, file_reply)
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
            (b, c, s) => Err(gather(&mut [b.err(), c.err(), s.err()])),
        };
        self.session.start_with(prepared, file_reply)
    }

    /// Changes the policy file safely: reads it, calls `edit` with a `PolicyDocument` of it,
    /// and writes the result with `If-Match`. `edit` edits the document in place or returns
    /// the new text (or a Promise of either). When the result is the text that was read,
    /// nothing is sent (`changed: false`). Every write carries `If-Match`, so a change made
    /// meanwhile is never overwritten: on a 412, or when the write's answer was lost (it may
    /// have landed), the file is read again and `edit` runs again on it, up to `maxAttempts`
    /// rounds. Write `edit` to check before it adds (as `set` and `setPosture` do by nature):
    /// then a write that landed unseen leaves it nothing to do, and it is not made twice.
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
            let state = UpdateLoop::parse(or_empty(&rest));
            let mut issues = Vec::new();
            if !edit.is_function() {
                issues.push(Issue::new(
                    "edit",
                    "must be a function that edits the document or returns the new text",
                ));
            }
            match state {
                Ok(state) if issues.is_empty() => Ok((state, signal)),
                Ok(_) => Err(Error::Validation(issues)),
                Err(more) => Err(Error::Validation([more, issues].concat())),
            }
        });
        let session = self.session.clone();
        let edit: Function = edit.unchecked_into();
        spawn(Box::pin(async move {
            let (mut state, signal) = prepared.map_err(js_error)?;
            loop {
                state.begin_round();
                let read = policy::read(&session.config.tailnet);
                let reply = perform(&session, &read, signal.as_ref()).await?;
                let etag = reply.etag.clone().unwrap_or_default();
                let (current, doc) = stored_document(&read, &reply.body)?;
                let (handle, shared) = PolicyDocument::shared(doc);
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
        self.session.start_with(prepared, check_reply)
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
                policy::test(self.tailnet(), json_arg(&tests, "tests")?),
                signal,
            ))
        });
        self.session.start_with(prepared, check_reply)
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
        // The options are read even when the policy is refused: one error lists every problem.
        let (body, refused) = match standardized(&policy) {
            Ok(text) => (text, None),
            Err(e) => (String::new(), Some(e)),
        };
        let prepared = match (
            refused,
            policy::preview(self.tailnet(), PolicyBody::Json(body), or_empty(&request)),
            signal_only(&options),
        ) {
            (None, Ok(req), Ok(signal)) => Ok((req, signal)),
            (b, r, s) => Err(gather(&mut [b, r.err(), s.err()])),
        };
        self.session.start(prepared)
    }

    /// Which devices each posture of the file admits today, and why the others are refused:
    /// reads the policy (unless `text` is given), the devices, and each device's attributes
    /// (under `maxConcurrency`), then evaluates every posture on every device (one deleted before
    /// its attributes are read is left out).
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
            let doc = match text {
                Some(t) => parse_document(&t, "text").map_err(js_error)?,
                None => {
                    let read = policy::read(&session.config.tailnet);
                    let reply = perform(&session, &read, signal.as_ref()).await?;
                    stored_document(&read, &reply.body)?.1
                }
            };
            let (postures, defaults) = policy_check::postures_of(&doc);
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
                reads.push(&attributes_or_gone(&session, req, signal.clone()));
            }
            let attributes = JsFuture::from(Promise::all(&reads)).await?;
            let inputs = policy::device_inputs(chosen, attributes.items());
            let verdicts = posture::report(&postures, &inputs)
                .map_err(|issues| js_error(Error::Validation(issues)))?;
            Ok(report_to_js(&verdicts, &defaults))
        }))
    }
}

/// The stored policy file from a read's reply, parsed; one that does not parse is the server's
/// answer at fault, reported against the read.
fn stored_document(
    read: &HttpRequest,
    body: &Body<JsValue>,
) -> Result<(String, Document), JsValue> {
    let text = match body {
        Body::Text(t) => t.clone(),
        _ => String::new(),
    };
    let doc = Document::parse(&text).map_err(|e| {
        unusable(
            read,
            &cat(&["the policy file does not parse as HuJSON: ", &e.message]),
        )
    })?;
    Ok((text, doc))
}

fn file_reply(req: &HttpRequest, reply: Reply) -> Result<JsValue, JsValue> {
    file_result(req, reply, None).map(JsValue::from)
}

fn check_reply(_: &HttpRequest, reply: Reply) -> Result<JsValue, JsValue> {
    Ok(check_result(reply))
}

/// A device's `attributes`, for `evaluatePostures`; null when the device went away
/// between the list and this read (a 404: ephemeral devices come and go), which leaves it out of
/// the report rather than failing it.
fn attributes_or_gone(
    session: &Rc<Session>,
    req: HttpRequest,
    signal: Option<web_sys::AbortSignal>,
) -> Promise {
    let session = session.clone();
    spawn(Box::pin(async move {
        match send(&session, &req, signal.as_ref()).await {
            // A device with no attributes is `{}`: null marks one that is gone.
            Ok(reply) => Ok(match reply.body {
                Body::Json(v) => v
                    .get("attributes")
                    .filter(|a| !a.is_null())
                    .unwrap_or_else(|| Object::new().into()),
                _ => Object::new().into(),
            }),
            Err(Failed::Core {
                error: Error::Api(e),
                ..
            }) if e.status == 404 => Ok(JsValue::NULL),
            Err(failed) => Err(failed.into_js()),
        }
    }))
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
