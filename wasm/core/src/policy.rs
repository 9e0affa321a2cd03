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

    /// The access model of the tailnet as it is: its policy file (or `text` over it), every
    /// device with all fields, every user, and each device's attributes (under
    /// `maxConcurrency`), read through this client. Without the scope to read users or
    /// attributes the model goes on without them, and what depends on them is indeterminate.
    /// Loads the policy tools on first use.
    #[wasm_bindgen(unchecked_return_type = "Promise<AccessModel>")]
    pub fn access(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "AccessOptions")] options: JsValue,
    ) -> Promise {
        policy_tools::run(&self.session, "__access", options, JsValue::UNDEFINED)
    }
}

fn file_reply(req: &HttpRequest, reply: Reply) -> Result<JsValue, JsValue> {
    file_result(req, reply, None).map(JsValue::from)
}

fn check_reply(_: &HttpRequest, reply: Reply) -> Result<JsValue, JsValue> {
    Ok(check_result(reply))
}
