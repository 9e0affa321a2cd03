//! JS values as [`Json`]: options as the caller gave them, and responses as the engine's
//! `JSON.parse` built them, read in place with no serde in between. Here rather than in the
//! wasm crates because Rust lets a trait be implemented only beside the trait or the type.

use crate::json::{entries_by_key, Json, Kind};
use js_sys::{Array, Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

impl Json for JsValue {
    fn kind(&self) -> Kind {
        // Containers and strings first: they are most of what is read, each known in a call
        // or two across the boundary.
        if JsValue::is_array(self) {
            Kind::Array
        } else if self.is_object() {
            // `typeof` "object" and not null: functions are not objects here.
            Kind::Object
        } else if self.is_string() {
            Kind::String
        } else if self.is_null_or_undefined() {
            Kind::Null
        } else if self.as_bool().is_some() {
            Kind::Bool
        } else if self.as_f64().is_some() {
            Kind::Number
        } else {
            Kind::Other
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
    fn member(&self, key: &'static str) -> Option<JsValue> {
        if !self.is_object() {
            return None;
        }
        with_js_key(key, |k| Reflect::get(self, k).ok()).filter(|v| !v.is_null_or_undefined())
    }
    fn is_string(&self) -> bool {
        JsValue::is_string(self)
    }
    fn is_array(&self) -> bool {
        JsValue::is_array(self)
    }
    fn is_record(&self) -> bool {
        self.is_object() && !JsValue::is_array(self)
    }
    fn keys(&self) -> Vec<String> {
        if !self.is_object() {
            return Vec::new();
        }
        let keys = Object::keys(self.unchecked_ref::<Object>());
        let mut out = Vec::new();
        for i in 0..keys.length() {
            if let Some(key) = keys.get_unchecked(i).as_string() {
                out.push(key);
            }
        }
        out
    }
    fn entries(&self) -> Vec<(String, JsValue)> {
        // One call for all members: no key made into a JS string again to read its value.
        if !self.is_object() {
            return Vec::new();
        }
        let Ok(entries) = object_entries(self) else {
            // A getter threw: read member by member, each such one as absent.
            return entries_by_key(self);
        };
        let mut out = Vec::new();
        for i in 0..entries.length() {
            let pair = entries.get_unchecked(i).unchecked_into::<Array>();
            if let Some(key) = pair.get_unchecked(0).as_string() {
                out.push((key, pair.get_unchecked(1)));
            }
        }
        out
    }
    fn items(&self) -> Vec<JsValue> {
        let mut out = Vec::new();
        // wasm-bindgen's own `Array.isArray` (js-sys's is a second binding of it).
        if JsValue::is_array(self) {
            let array = self.unchecked_ref::<Array>();
            for i in 0..array.length() {
                out.push(array.get_unchecked(i));
            }
        }
        out
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
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn object_entries(value: &JsValue) -> Result<Array, JsValue>;
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
