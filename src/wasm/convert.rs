//! JS values as the core's [`Json`]: options as the caller gave them, and responses as the
//! engine's `JSON.parse` built them, read in place with no serde in between.

use crate::error::Error;
use crate::json::{Json, Kind};
use js_sys::{Array, Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

impl Json for JsValue {
    fn kind(&self) -> Kind {
        if self.is_null() || self.is_undefined() {
            Kind::Null
        } else if self.as_bool().is_some() {
            Kind::Bool
        } else if self.as_f64().is_some() {
            Kind::Number
        } else if self.is_string() {
            Kind::String
        } else if Array::is_array(self) {
            Kind::Array
        } else if self.is_function() || !self.is_object() {
            Kind::Other
        } else {
            Kind::Object
        }
    }
    fn as_bool(&self) -> Option<bool> {
        JsValue::as_bool(self)
    }
    fn as_f64(&self) -> Option<f64> {
        JsValue::as_f64(self)
    }
    fn as_string(&self) -> Option<String> {
        JsValue::as_string(self)
    }
    fn get(&self, key: &str) -> Option<JsValue> {
        if !self.is_object() {
            return None;
        }
        Reflect::get(self, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined())
    }
    fn field(&self, key: &'static str) -> Option<JsValue> {
        // Only response bodies are read this way: `JSON.parse` output has no getters, so a
        // plain property read (no try/catch around it) cannot throw.
        Some(with_js_key(key, |k| {
            self.unchecked_ref::<Parsed>().member(k)
        }))
        .filter(|v| !v.is_null_or_undefined())
    }
    fn is_string(&self) -> bool {
        JsValue::is_string(self)
    }
    fn is_array(&self) -> bool {
        Array::is_array(self)
    }
    fn is_record(&self) -> bool {
        self.is_object() && !Array::is_array(self)
    }
    fn keys(&self) -> Vec<String> {
        if !self.is_object() {
            return Vec::new();
        }
        Object::keys(self.unchecked_ref::<Object>())
            .iter()
            .filter_map(|k| k.as_string())
            .collect()
    }
    fn items(&self) -> Vec<JsValue> {
        self.dyn_ref::<Array>()
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }
    fn is_function(&self) -> bool {
        JsValue::is_function(self)
    }
    fn number_text(&self) -> Option<String> {
        // The engine's own `String(n)`: no float formatting in the wasm.
        self.as_f64().map(|_| js_string(self))
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
    /// An object built by `JSON.parse`.
    type Parsed;
    #[wasm_bindgen(method, structural, indexing_getter)]
    fn member(this: &Parsed, key: &JsValue) -> JsValue;
}

thread_local! {
    /// JS strings for the response tables' keys, made once rather than once per list item.
    static KEYS: RefCell<Vec<(&'static str, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with `key` as a JS string, cached by address: the tables hold a few dozen literals,
/// so a scan beats hashing (and keeps a hash map's code out of the wasm).
fn with_js_key<T>(key: &'static str, f: impl FnOnce(&JsValue) -> T) -> T {
    KEYS.with(|cell| {
        let Ok(mut keys) = cell.try_borrow_mut() else {
            return f(&JsValue::from_str(key));
        };
        if let Some((_, k)) = keys.iter().find(|(s, _)| std::ptr::eq(*s, key)) {
            return f(k);
        }
        let k = JsValue::from_str(key);
        let out = f(&k);
        keys.push((key, k));
        out
    })
}

/// JSON text of a JS value, by the engine's `JSON.stringify`; `None` when it refuses (a cycle,
/// a bigint) or gives nothing (a function, `undefined`).
pub fn json_text(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
}

/// Sets `obj[key]` on an object this crate made, which cannot refuse it.
pub fn set(obj: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
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
    if crate::text::contains(&text, "\u{FFFD}") && has_lone_surrogate(value) {
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
