//! JS arguments to the JSON values the core validates.

use crate::error::{Error, Issue};
use js_sys::{Object, Reflect};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

/// Plain JS data to JSON. `undefined` becomes `null`, which the core treats as absent.
pub fn to_json(value: &JsValue, field: &str) -> Result<Value, Error> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    serde_wasm_bindgen::from_value(value.clone()).map_err(|_| {
        Error::Validation(vec![Issue::new(
            field,
            "must be plain data (objects, arrays, strings, numbers, booleans)",
        )])
    })
}

/// Options objects where everything is optional: `undefined` means `{}`.
pub fn options_json(value: &JsValue) -> Result<Value, Error> {
    match to_json(value, "")? {
        Value::Null => Ok(Value::Object(Default::default())),
        v => Ok(v),
    }
}

/// Reads `options.signal`. Returns the options without it, so the rest can be validated.
pub fn take_signal(options: &JsValue) -> Result<(JsValue, Option<AbortSignal>), Error> {
    if !options.is_object() {
        return Ok((options.clone(), None));
    }
    let key = JsValue::from_str("signal");
    let signal = Reflect::get(options, &key).unwrap_or(JsValue::UNDEFINED);
    if signal.is_undefined() || signal.is_null() {
        return Ok((options.clone(), None));
    }
    let signal = signal
        .dyn_into::<AbortSignal>()
        .map_err(|_| Error::validation("signal", "must be an AbortSignal"))?;
    let rest = Object::assign(&Object::new(), options.unchecked_ref());
    let _ = Reflect::delete_property(&rest, &key);
    Ok((rest.into(), Some(signal)))
}

/// The trailing `{ signal }` argument of single-resource methods.
pub fn signal_only(options: &JsValue) -> Result<Option<AbortSignal>, Error> {
    let (rest, signal) = take_signal(options)?;
    let rest = options_json(&rest)?;
    if rest.as_object().is_some_and(|m| !m.is_empty()) || !rest.is_object() {
        return Err(Error::validation(
            "options",
            "may hold only `signal` (an AbortSignal)",
        ));
    }
    Ok(signal)
}
