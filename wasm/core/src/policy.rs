//! `client.policy`: the policy file read, written only over the version that was read, checked
//! and previewed by the server. What reads a policy's text (`update`'s edit, `evaluatePostures`,
//! `access`, `validate` of text) is the policy module's, loaded on first use
//! (`policy_tools.rs`); it sends its requests through these methods.

use crate::policy_tools;
use crate::request::{unusable, Reply, Session};
use js_sys::{Array, Object, Promise};
use std::rc::Rc;
use tailscale_api::policy_file::{self, PolicyBody, Precondition};
use tailscale_wasm_shared::args::{json_arg, or_empty, set, signal_only, take_signal, text_arg};
use tailscale_wasm_shared::errors::gather;
use tailscale_wire::encoding::base64_decode;
use tailscale_wire::error::Error;
use tailscale_wire::http::{Body, HttpRequest};
use tailscale_wire::json::{Json, Kind};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_POLICY: &str = r#"
import type { PolicyDocument } from "./tailscale_wasm_policy.js";
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
  /** The line where it starts in the file (the body is sent as HuJSON, so it is the file's). */
  lineNumber: number;
  /** The postures the rule requires of its sources (`srcPosture`), when it has any. */
  postures?: string[] | null;
  /** The routers the rule is restricted to (`via`), when it is. */
  via?: string[] | null;
  /** Fields this package does not know are passed through. */
  [field: string]: unknown;
}

/** What `policy.preview` resolves to: the candidate file's rules that match. */
export interface PolicyPreview {
  /** Each matching rule. */
  matches: PreviewMatch[];
  /** The `type` asked for. */
  type: string;
  /** The `previewFor` asked for. */
  previewFor: string;
  /** Each posture the matches name, with its conditions, when the answer carries them. */
  postures?: Record<string, string[]> | null;
  /** Fields this package does not know are passed through. */
  [field: string]: unknown;
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

/// A policy as `set` and `preview` send it: text (or a document's text) as written, comments
/// kept, or an object as JSON.
fn policy_body(value: &JsValue) -> Result<PolicyBody, Error> {
    if value.is_string() {
        return text_arg(value, "policy").map(PolicyBody::HuJson);
    }
    if let Some(doc) = as_document(value) {
        return document_call(&doc, "toString").map(PolicyBody::HuJson);
    }
    match value.kind() {
        Kind::Object => json_arg(value, "policy").map(PolicyBody::Json),
        _ => Err(Error::validation(
            "policy",
            "must be HuJSON text, a PolicyDocument, or a policy object",
        )),
    }
}

/// A `PolicyDocument` passed where a policy is taken: it has a `standardize` method, which no
/// policy object does.
fn as_document(value: &JsValue) -> Option<JsValue> {
    let standardize = js_sys::Reflect::get(value, &"standardize".into()).ok()?;
    standardize.is_function().then(|| value.clone())
}

/// A document's text through one of its methods (`toString`, `standardize`).
fn document_call(doc: &JsValue, name: &str) -> Result<String, Error> {
    js_sys::Reflect::get(doc, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(doc).ok())
        .and_then(|v| v.as_string())
        .ok_or_else(|| Error::validation("policy", "is not a usable PolicyDocument"))
}

/// A policy as `validate` sends it: a document standardized (comments and trailing commas
/// blanked, so line numbers hold), or an object's JSON. (Text goes through the policy module,
/// which parses it into a document first: nothing that does not parse is sent.)
fn standardized(value: &JsValue) -> Result<String, Error> {
    match as_document(value) {
        Some(doc) => document_call(&doc, "standardize"),
        None => match policy_body(value)? {
            PolicyBody::Json(json) => Ok(json),
            PolicyBody::HuJson(_) => Err(Error::validation("policy", "must be parsed first")),
        },
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
        policy_file::check_ok(message.as_deref(), any_errors).into(),
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
        let prepared = take_signal(&options).and_then(|(rest, signal)| {
            Ok((policy_file::get(self.tailnet(), or_empty(&rest))?, signal))
        });
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
                Ok((policy_file::set(self.tailnet(), body, &condition), signal))
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
    /// then a write that landed unseen leaves it nothing to do, and it is not made twice. Loads
    /// the policy tools on first use.
    #[wasm_bindgen(unchecked_return_type = "Promise<PolicyUpdate>")]
    pub fn update(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "(doc: PolicyDocument) => void | string | Promise<void | string>"
        )]
        edit: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UpdatePolicyOptions")] options: JsValue,
    ) -> Promise {
        policy_tools::run(&self.session, "__update", edit, options)
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
        if policy.is_string() {
            // Parsed into a document by the policy module, which calls this method with it.
            return policy_tools::run(&self.session, "__validate", policy, options);
        }
        let prepared = signal_only(&options).and_then(|signal| {
            let body = standardized(&policy)?;
            Ok((policy_file::validate_file(self.tailnet(), body), signal))
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
            let issues = policy_file::check_tests(&tests);
            if !issues.is_empty() {
                return Err(Error::Validation(issues));
            }
            Ok((
                policy_file::test(self.tailnet(), json_arg(&tests, "tests")?),
                signal,
            ))
        });
        self.session.start_with(prepared, check_reply)
    }

    /// Which rules of a candidate file match a user or an `ip:port`: POST
    /// /api/v2/tailnet/{tailnet}/acl/preview?type=…&previewFor=…, with text sent as HuJSON (as
    /// Tailscale's Go client sends it, so `lineNumber` is the file's) and an object as JSON.
    /// Nothing is saved.
    #[wasm_bindgen(unchecked_return_type = "Promise<PolicyPreview>")]
    pub fn preview(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PolicyInput")] policy: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PreviewOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        // The options are read even when the policy is refused: one error lists every problem.
        let (body, refused) = match policy_body(&policy) {
            Ok(body) => (body, None),
            Err(e) => (PolicyBody::Json(String::new()), Some(e)),
        };
        let prepared = match (
            refused,
            policy_file::preview(self.tailnet(), body, or_empty(&request)),
            signal_only(&options),
        ) {
            (None, Ok(req), Ok(signal)) => Ok((req, signal)),
            (b, r, s) => Err(gather(&mut [b, r.err(), s.err()])),
        };
        self.session.start(prepared)
    }

    /// Which devices each posture of the file admits today, and why the others are refused:
    /// reads the policy (unless `text` is given) and parses every condition, then reads the
    /// devices and each device's attributes (under `maxConcurrency`), and evaluates every
    /// posture on every device (one deleted before its attributes are read is left out). Loads
    /// the policy tools on first use.
    #[wasm_bindgen(js_name = evaluatePostures, unchecked_return_type = "Promise<PostureReport>")]
    pub fn evaluate_postures(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "EvaluatePosturesOptions")] options: JsValue,
    ) -> Promise {
        policy_tools::run(
            &self.session,
            "__evaluatePostures",
            options,
            JsValue::UNDEFINED,
        )
    }
}

fn file_reply(req: &HttpRequest, reply: Reply) -> Result<JsValue, JsValue> {
    file_result(req, reply, None).map(JsValue::from)
}

fn check_reply(_: &HttpRequest, reply: Reply) -> Result<JsValue, JsValue> {
    Ok(check_result(reply))
}
