//! `PolicyDocument`: a HuJSON policy file edited without losing a comment, synchronous and
//! offline.

use js_sys::JSON;
use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;
use tailscale_policy::hujson::{Document, Pointer};
use tailscale_policy::lint;
use tailscale_wasm_shared::args::{json_arg, text_arg};
use tailscale_wasm_shared::errors::{gather, issues_to_js, js_error};
use tailscale_wire::error::{index_field, Error, Issue};
use tailscale_wire::json::{Json, Kind};
use tailscale_wire::text::{cat, decimal};
use wasm_bindgen::prelude::*;

/// Parses HuJSON; a syntax error is an issue under `field` with its line and column.
pub fn parse_document(text: &str, field: &str) -> Result<Document, Error> {
    Document::parse(text).map_err(|e| {
        let (line, column) = (decimal(e.line as u64), decimal(e.column as u64));
        let message = cat(&["line ", &line, ", column ", &column, ": ", &e.message]);
        Error::Validation(vec![Issue::new(field, message).at(e.line, e.column)])
    })
}

/// A HuJSON policy file that edits without losing a comment: every edit changes only the
/// bytes of what it replaces, adds or removes.
#[wasm_bindgen]
pub struct PolicyDocument {
    doc: Rc<RefCell<Document>>,
}

impl PolicyDocument {
    /// A document over `doc`, and a handle to read it back after JS has used it (`update`).
    pub fn shared(doc: Document) -> (PolicyDocument, Rc<RefCell<Document>>) {
        let doc = Rc::new(RefCell::new(doc));
        (PolicyDocument { doc: doc.clone() }, doc)
    }

    fn read(&self) -> Result<Ref<'_, Document>, JsValue> {
        self.doc
            .try_borrow()
            .map_err(|_| js_error(Error::validation("document", "is being edited")))
    }

    fn write(&self) -> Result<RefMut<'_, Document>, JsValue> {
        self.doc
            .try_borrow_mut()
            .map_err(|_| js_error(Error::validation("document", "is being read")))
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
        Ok(PolicyDocument::shared(doc).0)
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
        Ok(self.read()?.as_str().to_owned())
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
        Ok(self.read()?.standardize())
    }

    /// The value at a pointer, or `undefined`. A pointer is RFC 6901 text
    /// (`"/postures/posture:provisioned"`) or the names along the way (`["postures", name]`),
    /// which need no escaping of `~` and `/`.
    #[wasm_bindgen(unchecked_return_type = "unknown")]
    pub fn get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | string[]")] pointer: JsValue,
    ) -> Result<JsValue, JsValue> {
        let pointer = pointer_arg(&pointer).map_err(js_error)?;
        match self.read()?.find(&pointer).map_err(js_error)? {
            Some(node) => JSON::parse(&standardized_raw(node.raw())),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Replaces the value at a pointer, or adds an object member; `-` as the last step appends
    /// to an array. A missing parent is made as an object when the step into it is a name; an
    /// index or `-` there is an error. Only those bytes change.
    pub fn set(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | string[]")] pointer: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) -> Result<(), JsValue> {
        let (pointer, json) = pointer_and_value(&pointer, &value).map_err(js_error)?;
        self.write()?.set(&pointer, &json).map_err(js_error)
    }

    /// Pushes a value onto the array at a pointer (made, with missing parents as `set` makes
    /// them, if absent).
    pub fn append(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | string[]")] pointer: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) -> Result<(), JsValue> {
        let (pointer, json) = pointer_and_value(&pointer, &value).map_err(js_error)?;
        self.write()?.append(&pointer, &json).map_err(js_error)
    }

    /// Removes the member or element at a pointer, with its comma and its own comments (the
    /// block directly above it, the one on its line, the block below up to a blank line).
    /// Returns whether anything was removed.
    pub fn remove(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | string[]")] pointer: JsValue,
    ) -> Result<bool, JsValue> {
        let pointer = pointer_arg(&pointer).map_err(js_error)?;
        self.write()?.remove(&pointer).map_err(js_error)
    }

    /// Sets a posture (`postures["posture:..."]`) to these conditions, each checked first as
    /// `check()` would: nothing changes unless all are valid.
    #[wasm_bindgen(js_name = setPosture)]
    pub fn set_posture(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[]")] conditions: JsValue,
    ) -> Result<(), JsValue> {
        let (name, list) = lint::read_posture(&name, &conditions).map_err(js_error)?;
        let json = tailscale_wire::json::strings_json(&list);
        self.write()?
            .set(&["postures", name.as_str()], &json)
            .map_err(js_error)
    }

    /// The local checks (no network): a file that is not an object, a known section of the
    /// wrong type, duplicate names, posture names and conditions, attribute namespaces and the
    /// documented `node:` / `ip:` names, `custom:` names, documented attributes compared with a
    /// value of another type (`node:tsVersion >= 1.60`), ordering operators on values that are
    /// neither numbers nor versions of `node:osVersion` / `node:tsVersion`, and `srcPosture` /
    /// `defaultSrcPosture` entries naming no posture. `[]` when all pass; it complements
    /// `policy.validate`, the server's word.
    #[wasm_bindgen(unchecked_return_type = "ValidationIssue[]")]
    pub fn check(&self) -> Result<JsValue, JsValue> {
        Ok(issues_to_js(&lint::check(&*self.read()?)))
    }
}

/// A value's raw text as JSON: comments inside it blanked.
fn standardized_raw(raw: &str) -> String {
    Document::parse(raw)
        .map(|d| d.standardize())
        .unwrap_or_else(|_| raw.to_owned())
}

/// A pointer argument's tokens: from RFC 6901 text, or an array of names as they are.
fn pointer_arg(pointer: &JsValue) -> Result<Vec<String>, Error> {
    if pointer.kind() != Kind::Array {
        return text_arg(pointer, "pointer")?.tokens();
    }
    let items = pointer.items();
    let mut tokens = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        tokens.push(text_arg(item, &index_field("pointer", i))?);
    }
    Ok(tokens)
}

fn pointer_and_value(pointer: &JsValue, value: &JsValue) -> Result<(Vec<String>, String), Error> {
    let pointer = pointer_arg(pointer);
    let json = match value.is_undefined() || value.is_function() {
        true => Err(Error::validation("value", "must be a value JSON can hold")),
        false => json_arg(value, "value"),
    };
    match (pointer, json) {
        (Ok(p), Ok(j)) => Ok((p, j)),
        (p, j) => Err(gather(&mut [p.err(), j.err()])),
    }
}
