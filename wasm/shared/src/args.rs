//! Arguments from JS: options objects, the trailing `{ signal }`, text that must be
//! well-formed UTF-16, values that must be JSON; and the objects this crate builds for JS.

use js_sys::{Object, Reflect};
use tailscale_wire::error::Error;
use tailscale_wire::json::{Json, Kind};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

/// JSON text of a JS value, by the engine's `JSON.stringify`; `None` when it refuses (a cycle,
/// a bigint) or gives nothing (a function, `undefined`).
pub fn json_text(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
}

/// Sets `obj[key]` on an object this crate made, which cannot refuse it: by plain
/// assignment, which there is the same as `Reflect.set` and needs no exception check.
pub fn set(obj: &Object, key: &str, value: JsValue) {
    obj.unchecked_ref::<Made>()
        .put(&JsValue::from_str(key), &value);
}

#[wasm_bindgen]
extern "C" {
    /// An object this crate made (a fresh `{}`, or a copy made with `Object.assign`).
    type Made;
    #[wasm_bindgen(method, structural, indexing_setter)]
    fn put(this: &Made, key: &JsValue, value: &JsValue);
}

/// Options objects where everything is optional: `undefined` means `{}`.
pub fn or_empty(value: &JsValue) -> JsValue {
    if value.is_undefined() {
        Object::new().into()
    } else {
        value.clone()
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
    let rest = or_empty(&rest);
    if rest.kind() != Kind::Object || !rest.keys().is_empty() {
        return Err(Error::validation(
            "options",
            "may hold only `signal` (an AbortSignal)",
        ));
    }
    Ok(signal)
}

/// An argument's JSON text, by the engine, or the issue that it cannot be written.
pub fn json_arg(value: &JsValue, field: &str) -> Result<String, Error> {
    json_text(value).ok_or_else(|| Error::validation(field, "must be a value JSON can hold"))
}

/// A JS string as Rust text, refusing one that is not well-formed UTF-16 (a lone surrogate
/// would otherwise become U+FFFD without a word).
pub fn text_arg(value: &JsValue, field: &str) -> Result<String, Error> {
    let Some(text) = value.as_string() else {
        return Err(Error::validation(field, "must be a string"));
    };
    // Only a replacement character in the result can hide a lone surrogate in the input
    // (`text::contains`: `str::contains(char)` brings 1.7 KB of pattern-search code).
    if tailscale_wire::text::contains(&text, "\u{FFFD}") && has_lone_surrogate(value) {
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
