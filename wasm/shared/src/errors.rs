//! Core errors to the JS error classes. The classes live in `pkg/errors.js` so that
//! `instanceof` works and they can extend `Error`; each module's entry registers the factory.
//! Both wasm modules build the same classes, so an error is an `instanceof` whichever threw it.

use crate::args::set;
use js_sys::{Array, Function, Object};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::cell::RefCell;
use tailscale_wire::error::{Error, Issue};
use tailscale_wire::method::Method;
use wasm_bindgen::prelude::*;

thread_local! {
    static FACTORY: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Set once, from the package entry (`__setup`): `(kind, message, fields, cause) => Error`.
pub fn set_error_factory(factory: Function) {
    FACTORY.with(|f| *f.borrow_mut() = Some(factory));
}

/// `[{ field, message }]`, as the package's `ValidationIssue` type declares.
pub fn issues_to_js(issues: &[Issue]) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    serializer
        .collect_seq(issues.iter().map(AsMap))
        .unwrap_or_else(|_| Array::new().into())
}

/// One error listing every issue of the arguments that failed.
pub fn gather(errors: &mut [Option<Error>]) -> Error {
    let mut issues = Vec::new();
    // Taken rather than borrowed: their issues move over instead of being cloned.
    for slot in errors.iter_mut() {
        match slot.take() {
            Some(Error::Validation(more)) => issues.extend(more),
            Some(other) => issues.push(Issue::new("", other.message())),
            None => {}
        }
    }
    Error::Validation(issues)
}

/// Runs a request parser as a validator: the issues it finds, `[]` when valid.
pub fn validate_request<T>(
    value: &JsValue,
    parse: fn(JsValue) -> Result<T, Vec<Issue>>,
) -> JsValue {
    issues_to_js(&parse(value.clone()).err().unwrap_or_default())
}

/// Runs a single-value rule as a validator, its issue under `field`.
pub fn validate_one(field: &str, rule: fn(&str) -> Result<(), String>, value: &JsValue) -> JsValue {
    issues_to_js(&tailscale_wire::validate::single(
        field,
        rule,
        value.clone(),
    ))
}

/// An issue written as a map rather than a struct: serde-wasm-bindgen caches struct field
/// names in a hash map, whose code costs more wasm than the two keys are worth.
struct AsMap<'a>(&'a Issue);

impl Serialize for AsMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("field", &self.0.field)?;
        map.serialize_entry("message", &self.0.message)?;
        // Counted in characters of a short text: well inside f64's exact integers.
        for (key, at) in [("line", self.0.line), ("column", self.0.column)] {
            if let Some(n) = at {
                map.serialize_entry(key, &(n as f64))?;
            }
        }
        map.end()
    }
}

/// What the API, network and timeout errors share: which request failed, and whether trying it
/// again is safe and may help.
fn request_fields(fields: &Object, method: Method, path: &str, retryable: bool) {
    set(fields, "method", method.as_str().into());
    set(fields, "path", path.into());
    set(fields, "retryable", retryable.into());
}

/// The JS error for a core error, with no cause.
pub fn js_error(e: Error) -> JsValue {
    to_js(&e, None, None)
}

/// Builds the JS error for `error`, with an optional `cause` and, for API errors, the API's
/// `data` as it came.
pub fn to_js(error: &Error, cause: Option<JsValue>, data: Option<JsValue>) -> JsValue {
    let fields = Object::new();
    let (kind, message) = match error {
        Error::Validation(issues) => {
            set(&fields, "issues", issues_to_js(issues));
            ("validation", error.message())
        }
        Error::Api(e) => {
            request_fields(&fields, e.method, &e.path, e.retryable);
            set(&fields, "status", e.status.into());
            if let Some(data) = data {
                set(&fields, "data", data);
            }
            if let Some(ms) = e.retry_after_ms {
                set(&fields, "retryAfterMs", (ms as f64).into());
            }
            if let Some(location) = &e.location {
                set(&fields, "location", location.as_str().into());
            }
            ("api", error.message())
        }
        Error::Response {
            status,
            method,
            path,
            ..
        } => {
            set(&fields, "status", (*status).into());
            set(&fields, "method", method.as_str().into());
            set(&fields, "path", path.as_str().into());
            ("response", error.message())
        }
        Error::Network {
            method,
            path,
            retryable,
            ..
        } => {
            request_fields(&fields, *method, path, *retryable);
            ("network", error.message())
        }
        Error::Timeout {
            method,
            path,
            timeout_ms,
            retryable,
        } => {
            request_fields(&fields, *method, path, *retryable);
            set(&fields, "timeoutMs", (*timeout_ms as f64).into());
            ("timeout", error.message())
        }
        Error::Authorization {
            error: code,
            description,
        } => {
            set(&fields, "error", code.as_str().into());
            if let Some(d) = description {
                set(&fields, "description", d.as_str().into());
            }
            ("authorization", error.message())
        }
    };
    let cause = cause.unwrap_or(JsValue::UNDEFINED);
    let made = FACTORY.with(|f| {
        f.borrow().as_ref().and_then(|factory| {
            let (kind, message) = (kind.into(), message.as_str().into());
            factory
                .call4(&JsValue::NULL, &kind, &message, fields.as_ref(), &cause)
                .ok()
        })
    });
    // Without the entry's factory (the raw wasm-bindgen output was imported), a plain Error.
    made.unwrap_or_else(|| js_sys::Error::new(&message).into())
}
