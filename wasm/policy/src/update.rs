//! `policy.update`, run here for the core (`__update`): read the file, let the caller's `edit`
//! change a `PolicyDocument` of it, and write the result with `If-Match`, again from the read
//! after a 412 or a lost answer. The decisions are the policy crate's (`update.rs`); the reads
//! and writes are the client's own `policy.get` and `policy.set`.

use crate::access::{AccessModel, Tailnet};
use crate::document::{parse_document, PolicyDocument};
use crate::requests::{call_options, failure_of, Requests};
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use tailscale_policy::hujson::Document;
use tailscale_policy::update::{AfterEdit, AfterFailure, UpdateLoop};
use tailscale_wasm_shared::args::{or_empty, set, take_signal, text_arg};
use tailscale_wasm_shared::errors::js_error;
use tailscale_wire::error::{Error, Issue};
use tailscale_wire::http::tailnet_path;
use tailscale_wire::method::Method;
use tailscale_wire::text::cat;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen(js_name = "__update", skip_typescript)]
pub fn update(requests: Requests, edit: JsValue, options: JsValue) -> Promise {
    future_to_promise(async move {
        let (rest, signal) = take_signal(&options).map_err(js_error)?;
        let mut issues = Vec::new();
        if !edit.is_function() {
            issues.push(Issue::new(
                "edit",
                "must be a function that edits the document or returns the new text",
            ));
        }
        let mut state = match UpdateLoop::parse(or_empty(&rest)) {
            Ok(state) if issues.is_empty() => state,
            Ok(_) => return Err(js_error(Error::Validation(issues))),
            Err(more) => return Err(js_error(Error::Validation([more, issues].concat()))),
        };
        let edit: Function = edit.unchecked_into();
        let options = call_options(&signal);
        let policy = requests.policy();
        loop {
            state.begin_round();
            let file = policy.get(&options).await?;
            let current = member(&file, "text");
            let etag = member(&file, "etag");
            let doc = stored_document(&requests, &current)?;
            let (handle, shared) = PolicyDocument::shared(doc);
            let returned = edit.call1(&JsValue::UNDEFINED, &handle.into())?;
            let returned = JsFuture::from(Promise::resolve(&returned)).await?;
            let edited = edited_text(&returned, &shared).map_err(js_error)?;
            if state.dry_run {
                return dry_run(&requests, &signal, (&current, &etag), edited).await;
            }
            match state.after_edit(edited == current) {
                AfterEdit::Done { changed } => {
                    return Ok(result(&current, &etag, &state, changed));
                }
                AfterEdit::Write => {}
            }
            if etag.is_empty() {
                return Err(unusable(
                    &requests,
                    "the policy file came without an ETag, so it cannot be written safely",
                ));
            }
            match policy.set(&edited, &etag, &options).await {
                Ok(written) => {
                    // A write answered with an empty body: the text is what was sent.
                    let text = Some(member(&written, "text")).filter(|t| !t.is_empty());
                    let text = text.unwrap_or(edited);
                    return Ok(result(&text, &member(&written, "etag"), &state, true));
                }
                Err(e) => match state.after_failure(failure_of(&e)) {
                    AfterFailure::Reread => continue,
                    AfterFailure::Fail => return Err(e),
                },
            }
        }
    })
}

/// A string member of an answer the core built (`{ text, etag }`).
fn member(value: &JsValue, name: &str) -> String {
    Reflect::get(value, &name.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The error for a read whose file is not what `update` can work on, against that read.
fn unusable(requests: &Requests, reason: &str) -> JsValue {
    js_error(Error::Response {
        status: 200,
        method: Method::Get,
        path: tailnet_path(&requests.tailnet(), &["acl"]),
        reason: reason.into(),
    })
}

/// The stored file, parsed; one that does not parse is the server's answer at fault.
pub fn stored_document(requests: &Requests, text: &str) -> Result<Document, JsValue> {
    Document::parse(text).map_err(|e| {
        unusable(
            requests,
            &cat(&["the policy file does not parse as HuJSON: ", &e.message]),
        )
    })
}

/// The text `edit` left: what it returned, or the document it edited in place. Checked to
/// parse here rather than by the server's 400: nothing invalid is sent.
fn edited_text(returned: &JsValue, doc: &Rc<RefCell<Document>>) -> Result<String, Error> {
    if returned.is_undefined() {
        return doc
            .try_borrow()
            .map(|d| d.as_str().to_owned())
            .map_err(|_| Error::validation("edit", "is still using the document"));
    }
    let standardize = Reflect::get(returned, &"standardize".into()).unwrap_or_default();
    let text = if standardize.is_function() {
        // Another PolicyDocument: its text.
        Reflect::get(returned, &"toString".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|f| f.call0(returned).ok())
            .and_then(|t| t.as_string())
            .ok_or_else(|| Error::validation("edit", "returned an unusable PolicyDocument"))?
    } else if returned.is_string() {
        text_arg(returned, "edit")?
    } else {
        return Err(Error::validation(
            "edit",
            "must edit the document in place (returning nothing) or return the new text",
        ));
    };
    parse_document(&text, "edit").map(|_| text)
}

/// `update(edit, { dryRun: true })`: the text the edit leaves and what it would change in who
/// reaches what (`AccessModel.diff` of the two files over the tailnet as it is); nothing written.
async fn dry_run(
    requests: &Requests,
    signal: &Option<web_sys::AbortSignal>,
    (current, etag): (&str, &str),
    edited: String,
) -> Result<JsValue, JsValue> {
    let changed = edited != current;
    let access = match changed {
        true => AccessModel::changes(current, &edited, &Tailnet::read(requests, signal).await?)?,
        false => js_sys::Array::new().into(),
    };
    let out = Object::new();
    set(&out, "text", edited.into());
    // The version the edit ran on: `set(text, { ifMatch: etag })` writes exactly what was
    // previewed, and refuses if the file changed since.
    set(&out, "etag", etag.into());
    set(&out, "changed", changed.into());
    set(&out, "access", access);
    Ok(out.into())
}

fn result(text: &str, etag: &str, state: &UpdateLoop, changed: bool) -> JsValue {
    let out = Object::new();
    set(&out, "text", text.into());
    set(&out, "etag", etag.into());
    set(&out, "attempts", state.attempts.into());
    set(&out, "changed", changed.into());
    out.into()
}

/// `policy.validate` of text, run here for the core (`__validate`): the text parsed into a
/// document (a syntax error is a `TailscaleValidationError` under `policy`, and nothing is
/// sent), which the client's `policy.validate` then sends standardized.
#[wasm_bindgen(js_name = "__validate", skip_typescript)]
pub fn validate(requests: Requests, text: JsValue, options: JsValue) -> Result<Promise, JsValue> {
    let text = text_arg(&text, "policy").map_err(js_error)?;
    let doc = parse_document(&text, "policy").map_err(js_error)?;
    Ok(requests
        .policy()
        .validate_document(PolicyDocument::shared(doc).0.into(), &options))
}
