//! `AccessModel`: who can reach what under a policy, offline (the policy crate's access engine),
//! with its answers as plain JS objects; and, for the core, `policy.access()` (`__access`): the
//! tailnet's policy, devices, users and attributes read through the client's own methods.

use crate::requests::{failure_of, Requests};
use js_sys::{Array, Function, Object, Promise, Reflect};
use serde::Serialize;
use tailscale_policy::access::{self, Query, QueryKind};
use tailscale_wasm_shared::args::{or_empty, set, take_signal, text_arg};
use tailscale_wasm_shared::errors::{issues_to_js, js_error};
use tailscale_wire::error::{Error, Issue};
use tailscale_wire::http::Failure;
use tailscale_wire::json::Json;
use tailscale_wire::validate::Input;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// Who can reach what under a policy file, computed locally from the tailnet's devices, users
/// and posture attributes: `reach`, `whoCanReach`, `gated`, `runTests` and `AccessModel.diff`.
/// Synchronous once built. What the model cannot know is answered `indeterminate`, with a reason.
#[wasm_bindgen]
pub struct AccessModel {
    model: access::AccessModel,
    /// The tailnet it was built over, for `withPolicy`.
    tailnet: Tailnet,
    /// Each device's `nodeId` and name as JS strings, filled by the first `whoCanReach`'s
    /// decoder (later answers name their devices from these, not with strings of their own).
    names: Array,
}

/// An engine answer as a JS object (serde-wasm-bindgen: camelCase fields, maps as objects), or
/// its issues as a `TailscaleValidationError`.
fn answer<T: Serialize>(result: Result<T, Vec<Issue>>) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    result
        .map(|value| value.serialize(&serializer).unwrap_or(JsValue::UNDEFINED))
        .map_err(invalid)
}

/// A query argument from JS, read for `kind`.
fn read_query(value: &JsValue, kind: QueryKind) -> Result<Query, JsValue> {
    Query::parse(or_empty(value), kind).map_err(invalid)
}

fn invalid(issues: Vec<Issue>) -> JsValue {
    js_error(Error::Validation(issues))
}

/// A policy argument: HuJSON text, or a `PolicyDocument` (its text).
fn policy_text(value: Option<JsValue>, issues: &mut Vec<Issue>) -> String {
    let Some(value) = value else {
        issues.push(Issue::new(
            "policy",
            "is required: HuJSON text or a PolicyDocument",
        ));
        return String::new();
    };
    if value.is_string() {
        return text_arg(&value, "policy")
            .map_err(|e| gather_into(e, issues))
            .unwrap_or_default();
    }
    let standardize = Reflect::get(&value, &"standardize".into()).unwrap_or_default();
    let text = standardize
        .is_function()
        .then(|| Reflect::get(&value, &"toString".into()).ok())
        .flatten()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call0(&value).ok())
        .and_then(|t| t.as_string());
    text.unwrap_or_else(|| {
        issues.push(Issue::new(
            "policy",
            "must be HuJSON text or a PolicyDocument",
        ));
        String::new()
    })
}

fn gather_into(error: Error, issues: &mut Vec<Issue>) {
    match error {
        Error::Validation(more) => issues.extend(more),
        other => issues.push(Issue::new("", other.message())),
    }
}

#[wasm_bindgen]
impl AccessModel {
    /// Builds the model from `{ policy, devices, users?, attributes? }`: the policy as HuJSON
    /// text or a `PolicyDocument`; `devices` as `client.devices.list({ fields: "all" })` returns
    /// them; `users` as `client.users.list({ type: "all" })` does (roles, shared users);
    /// `attributes` as `{ [nodeId]: { [attribute]: value } }` (a device with no entry has
    /// attributes the model was not given). Throws `TailscaleValidationError` for arguments of
    /// the wrong shape; a policy that does not parse, or names what it does not define, gives a
    /// model whose `issues` say so.
    pub fn build(
        #[wasm_bindgen(unchecked_param_type = "AccessModelInput")] input: JsValue,
    ) -> Result<AccessModel, JsValue> {
        if !input.is_object() {
            return Err(invalid(vec![Issue::new(
                "",
                "must be { policy, devices, users?, attributes? }",
            )]));
        }
        let mut reader = Input::new(input, "");
        let policy = reader.raw("policy");
        let devices = reader.raw("devices");
        let users = reader.raw("users");
        let attributes = reader.raw("attributes");
        let mut issues = reader.finish();
        let text = policy_text(policy, &mut issues);
        let Some(devices) = devices else {
            issues.push(Issue::new(
                "devices",
                "is required: the devices, as devices.list returns them",
            ));
            return Err(invalid(issues));
        };
        if !issues.is_empty() {
            return Err(invalid(issues));
        }
        let tailnet = Tailnet {
            devices,
            users,
            attributes,
        };
        AccessModel::over(&text, tailnet)
    }

    /// The same tailnet under another policy (HuJSON text or a `PolicyDocument`): what an edit
    /// would do, with no request (`AccessModel.diff(model, model.withPolicy(edited))`).
    #[wasm_bindgen(js_name = withPolicy)]
    pub fn with_policy(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | PolicyDocument")] policy: JsValue,
    ) -> Result<AccessModel, JsValue> {
        let mut issues = Vec::new();
        let text = policy_text(Some(policy), &mut issues);
        if !issues.is_empty() {
            return Err(invalid(issues));
        }
        AccessModel::over(&text, self.tailnet.clone())
    }

    /// What the server would refuse in the file, in its words where they are known (each with
    /// the field, and the line and column): `[]` when nothing is known to be wrong.
    #[wasm_bindgen(getter, unchecked_return_type = "ValidationIssue[]")]
    pub fn issues(&self) -> JsValue {
        issues_to_js(self.model.issues())
    }

    /// What the server would accept but warns about, or what the model could not check.
    #[wasm_bindgen(getter, unchecked_return_type = "ValidationIssue[]")]
    pub fn warnings(&self) -> JsValue {
        issues_to_js(self.model.warnings())
    }

    /// Whether `src` reaches `dst` (`{ src, dst, proto?, port? }`): `accept`, `drop` or
    /// `indeterminate`, every rule that admits it, and the rules that would but for the
    /// source's posture, with the failing conditions in words.
    #[wasm_bindgen(unchecked_return_type = "AccessVerdict")]
    pub fn reach(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReachQuery")] query: JsValue,
    ) -> Result<JsValue, JsValue> {
        answer(self.model.reach(&read_query(&query, QueryKind::Reach)?))
    }

    /// Every device that reaches `dst` (`{ dst, proto?, port? }`), with the rules that admit
    /// it; devices that only a posture stops are listed too, with `verdict: "drop"` and
    /// `blockedBy`. A model whose policy does not parse refuses (its parse error).
    #[wasm_bindgen(js_name = whoCanReach, unchecked_return_type = "Reacher[]")]
    pub fn who_can_reach(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DestinationQuery")] query: JsValue,
    ) -> Result<JsValue, JsValue> {
        let query = read_query(&query, QueryKind::WhoCanReach)?;
        let list = self.model.who_can_reach_by_index(&query).map_err(invalid)?;
        crate::answers::reachers(&self.model, &self.names, &list)
    }

    /// Whether `dst` is gated by `posture` (`{ dst, posture, proto?, port? }`): no source
    /// without the posture reaches it through any rule (`acls`, `*`, `srcPosture: []` and
    /// `defaultSrcPosture` included). Otherwise `leaks` says who still does, through which rules.
    /// A model whose policy does not parse refuses (its parse error).
    #[wasm_bindgen(unchecked_return_type = "GateVerdict")]
    pub fn gated(
        &self,
        #[wasm_bindgen(unchecked_param_type = "GateQuery")] query: JsValue,
    ) -> Result<JsValue, JsValue> {
        answer(self.model.gated(&read_query(&query, QueryKind::Gated)?))
    }

    /// Runs the file's `tests` and `sshTests` (or the given ACL tests) locally, with their
    /// `srcPostureAttrs`, and answers as `policy.test` does, in the server's words.
    #[wasm_bindgen(js_name = runTests, unchecked_return_type = "PolicyCheck")]
    pub fn run_tests(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PolicyTest[]")] tests: JsValue,
    ) -> Result<JsValue, JsValue> {
        let tests = (!tests.is_undefined()).then_some(tests);
        answer(self.model.run_tests(tests.as_ref()))
    }

    /// What `after` gains and loses against `before`: exact over port ranges, grouped by
    /// destination, so "14 devices lose tag:prod tcp:443" is one change.
    /// A side whose policy does not parse is refused (a `TailscaleValidationError` with its
    /// parse error under `before` or `after`), not read as every rule removed.
    #[wasm_bindgen(unchecked_return_type = "AccessChange[]")]
    pub fn diff(before: &AccessModel, after: &AccessModel) -> Result<JsValue, JsValue> {
        answer(access::AccessModel::diff(&before.model, &after.model))
    }
}

impl AccessModel {
    /// A model of `text` over `tailnet`.
    pub fn over(text: &str, tailnet: Tailnet) -> Result<AccessModel, JsValue> {
        let model = access::AccessModel::build(
            text,
            &tailnet.devices,
            tailnet.users.as_ref(),
            tailnet.attributes.as_ref(),
        )
        .map_err(invalid)?;
        Ok(AccessModel {
            model,
            tailnet,
            names: Array::new(),
        })
    }

    /// What `after` gains and loses against `before`, both over `tailnet`.
    pub fn changes(before: &str, after: &str, tailnet: &Tailnet) -> Result<JsValue, JsValue> {
        let a = Self::over(before, tailnet.clone())?;
        let b = Self::over(after, tailnet.clone())?;
        Self::diff(&a, &b)
    }
}

/// What the client reads of the tailnet for a model: every device with all fields, every user
/// (when the credential may read them: without `users:read`, role autogroups are indeterminate),
/// and each device's attributes (likewise without the scope to read them).
#[derive(Clone)]
pub struct Tailnet {
    pub devices: JsValue,
    pub users: Option<JsValue>,
    pub attributes: Option<JsValue>,
}

/// A call refused for want of a scope: what the model goes on without.
fn forbidden(error: &JsValue) -> bool {
    matches!(failure_of(error), Some(Failure::Status { status: 403, .. }))
}

fn with_signal(signal: &Option<web_sys::AbortSignal>, pairs: &[(&str, &str)]) -> JsValue {
    let options = Object::new();
    for (k, v) in pairs {
        set(&options, k, (*v).into());
    }
    if let Some(signal) = signal {
        set(&options, "signal", signal.into());
    }
    options.into()
}

impl Tailnet {
    pub async fn read(
        requests: &Requests,
        signal: &Option<web_sys::AbortSignal>,
    ) -> Result<Tailnet, JsValue> {
        let devices = requests
            .devices()
            .list(&with_signal(signal, &[("fields", "all")]))
            .await?;
        let users = match requests
            .users()
            .list(&with_signal(signal, &[("type", "all")]))
            .await
        {
            Ok(users) => Some(users),
            Err(e) if forbidden(&e) => None,
            Err(e) => return Err(e),
        };
        // Every device's attributes at once; the client's concurrency cap limits how many are
        // in flight.
        let options = with_signal(signal, &[]);
        let reads = Array::new();
        let ids: Vec<String> = devices
            .items()
            .iter()
            .filter_map(|d| d.get("nodeId").and_then(|id| id.as_string()))
            .collect();
        for id in &ids {
            let (devices, options, id) = (requests.devices(), options.clone(), id.clone());
            reads.push(&future_to_promise(async move {
                devices.attributes_or_gone(&id, &options).await
            }));
        }
        let attributes = match JsFuture::from(Promise::all(&reads)).await {
            Ok(read) => {
                let by_id = Object::new();
                for (id, attrs) in ids.iter().zip(read.items()) {
                    if !attrs.is_null() {
                        set(&by_id, id, attrs);
                    }
                }
                Some(by_id.into())
            }
            Err(e) if forbidden(&e) => None,
            Err(e) => return Err(e),
        };
        Ok(Tailnet {
            devices,
            users,
            attributes,
        })
    }
}

/// `policy.access({ text?, signal? })`, run here for the core: the model of the tailnet as it
/// is, or of `text` over it.
#[wasm_bindgen(js_name = "__access", skip_typescript)]
pub fn access_for_core(requests: Requests, options: JsValue) -> Promise {
    future_to_promise(async move {
        let (rest, signal) = take_signal(&options).map_err(js_error)?;
        let mut reader = Input::new(or_empty(&rest), "");
        let text = reader.raw("text");
        let issues = reader.finish();
        if !issues.is_empty() {
            return Err(invalid(issues));
        }
        let text = match text {
            Some(t) => text_arg(&t, "text").map_err(js_error)?,
            None => {
                let file = requests.policy().get(&with_signal(&signal, &[])).await?;
                Reflect::get(&file, &"text".into())?
                    .as_string()
                    .unwrap_or_default()
            }
        };
        let tailnet = Tailnet::read(&requests, &signal).await?;
        Ok(AccessModel::over(&text, tailnet)?.into())
    })
}
