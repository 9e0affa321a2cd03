//! JSON without a JSON library in the wasm: the core reads values through [`Json`], which
//! `serde_json::Value` implements natively (tests, fuzzing) and `JsValue` implements in the wasm
//! layer (the engine's own `JSON.parse`, or a JS argument as given). Request bodies are written
//! by [`Obj`]. This keeps serde's parser, its error text and float formatting out of the
//! shipped wasm, and parses each response once.

use crate::error::index_field;
use crate::text::{cat, decimal, json_string as string};
use serde::{Serialize, Serializer};

/// String keys to string values, in the order given. A list rather than a map: the few
/// entries it holds are not worth a map's code in the wasm.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StringMap(pub Vec<(String, String)>);

impl StringMap {
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
}

impl Serialize for StringMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// What kind of value a [`Json`] holds. `Other` is what JSON cannot express (a function, a
/// symbol, a bigint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
    Other,
}

/// Read access to a parsed JSON value. `undefined` counts as null.
pub trait Json: Sized {
    fn kind(&self) -> Kind;
    fn as_bool(&self) -> Option<bool>;
    fn as_f64(&self) -> Option<f64>;
    fn as_string(&self) -> Option<String>;
    /// A member of an object; `None` when absent, or when `self` is not an object.
    fn get(&self, key: &str) -> Option<Self>;
    /// An object's own keys, in order.
    fn keys(&self) -> Vec<String>;
    /// An array's items.
    fn items(&self) -> Vec<Self>;
    /// An object's own members, in order. A JS `undefined` member is listed (as null), not
    /// dropped as `get` drops it: what checks every value refuses it rather than skip it.
    fn entries(&self) -> Vec<(String, Self)> {
        entries_by_key(self)
    }

    fn is_null(&self) -> bool {
        self.kind() == Kind::Null
    }

    // The checks below have one-step answers in JS; response shape checks over long lists use
    // them so that each field costs one call across the wasm boundary, not a `kind()` cascade.

    /// A member named by a response table, when present and not null. Only for a parsed
    /// response already known to be a record (`is_record`): the wasm reads it with a plain
    /// property access, which those values make safe and fast.
    fn field(&self, key: &'static str) -> Option<Self> {
        self.get(key).filter(|m| !m.is_null())
    }
    /// A member of a caller's object named by the code, when present and not null, read as
    /// `get` reads it (a getter that throws: absent); the wasm makes each such key a JS string
    /// once, not once per object (10,000 devices, BENCHMARKS.md).
    fn member(&self, key: &'static str) -> Option<Self> {
        self.get(key).filter(|m| !m.is_null())
    }
    fn is_string(&self) -> bool {
        self.kind() == Kind::String
    }
    fn is_array(&self) -> bool {
        self.kind() == Kind::Array
    }
    /// An object that is not an array.
    fn is_record(&self) -> bool {
        self.kind() == Kind::Object
    }
    /// A function (an option such as `fetch`); JSON has none.
    fn is_function(&self) -> bool {
        false
    }
    /// A number as text, the way JS's `String(n)` writes it (query parameters); `None` where
    /// the value cannot say.
    fn number_text(&self) -> Option<String> {
        None
    }
}

/// An object's members read key by key: `Json::entries` where no one-step read exists.
pub fn entries_by_key<J: Json>(value: &J) -> Vec<(String, J)> {
    value
        .keys()
        .into_iter()
        .filter_map(|k| value.get(&k).map(|v| (k, v)))
        .collect()
}

impl Json for &serde_json::Value {
    fn kind(&self) -> Kind {
        match self {
            serde_json::Value::Null => Kind::Null,
            serde_json::Value::Bool(_) => Kind::Bool,
            serde_json::Value::Number(_) => Kind::Number,
            serde_json::Value::String(_) => Kind::String,
            serde_json::Value::Array(_) => Kind::Array,
            serde_json::Value::Object(_) => Kind::Object,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        serde_json::Value::as_bool(self)
    }
    fn as_f64(&self) -> Option<f64> {
        serde_json::Value::as_f64(self)
    }
    fn as_string(&self) -> Option<String> {
        serde_json::Value::as_str(self).map(str::to_owned)
    }
    fn get(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key)
    }
    fn keys(&self) -> Vec<String> {
        self.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }
    fn items(&self) -> Vec<Self> {
        self.as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }
    fn number_text(&self) -> Option<String> {
        // JS writes whole numbers without a fraction; serde_json keeps floats' ".0".
        let n = self.as_number()?;
        Some(match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => (f as i128).to_string(),
            _ => n.to_string(),
        })
    }
}

/// Decodes a body into a serde model as `JSON.parse` reads it in the wasm: a member given twice
/// counts once, with its last value (serde's derive alone refuses the duplicate). Native only.
pub fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_value(serde_json::from_slice(body)?)
}

/// 2^63: `i64` holds the whole numbers below it, and -2^63.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// Whether a JSON number is a whole number an `i64` holds, as far as an `f64` tells (JSON, and
/// `JSON.parse`, do not tell `77760.0` from `77760`): what [`Ty::Int`] accepts.
fn is_whole(f: f64) -> bool {
    f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f)
}

/// Reads an optional [`Ty::Int`] member into a model as the runtime check reads it, so that the
/// native models decode what the check accepts (`77760.0` included). Native only.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::{Deserialize, Error};
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    match n.as_f64().filter(|f| is_whole(*f)) {
        // In range, so the cast is exact for what an f64 holds; as_i64 keeps the rest exact.
        Some(f) => Ok(Some(n.as_i64().unwrap_or(f as i64))),
        None => Err(D::Error::custom("expected a whole number")),
    }
}

/// A JSON object being written, for request bodies.
pub struct Obj(String);

impl Default for Obj {
    fn default() -> Self {
        Obj(String::from("{"))
    }
}

impl Obj {
    pub fn new() -> Self {
        Self::default()
    }

    fn key(&mut self, key: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        string(&mut self.0, key);
        self.0.push(':');
    }

    pub fn str(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        string(&mut self.0, value);
        self
    }

    pub fn bool(mut self, key: &str, value: bool) -> Self {
        self.key(key);
        self.0.push_str(if value { "true" } else { "false" });
        self
    }

    pub fn int(mut self, key: &str, value: i64) -> Self {
        self.key(key);
        if value < 0 {
            self.0.push('-');
        }
        self.0.push_str(&decimal(value.unsigned_abs()));
        self
    }

    pub fn strs(mut self, key: &str, values: &[String]) -> Self {
        self.key(key);
        self.0.push_str(&strings_json(values));
        self
    }

    pub fn map(mut self, key: &str, values: &StringMap) -> Self {
        let mut inner = Obj::new();
        for (k, v) in &values.0 {
            inner = inner.str(k, v);
        }
        self.key(key);
        self.0.push_str(&inner.finish());
        self
    }

    pub fn null(mut self, key: &str) -> Self {
        self.key(key);
        self.0.push_str("null");
        self
    }

    pub fn obj(mut self, key: &str, value: Obj) -> Self {
        self.key(key);
        self.0.push_str(&value.finish());
        self
    }

    /// Each `opt_*` writes the member only when there is a value.
    pub fn opt_str(self, key: &str, value: Option<&String>) -> Self {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }
    pub fn opt_bool(self, key: &str, value: Option<bool>) -> Self {
        match value {
            Some(v) => self.bool(key, v),
            None => self,
        }
    }
    pub fn opt_int(self, key: &str, value: Option<i64>) -> Self {
        match value {
            Some(v) => self.int(key, v),
            None => self,
        }
    }
    pub fn opt_strs(self, key: &str, value: Option<&Vec<String>>) -> Self {
        match value {
            Some(v) => self.strs(key, v),
            None => self,
        }
    }
    pub fn opt_map(self, key: &str, value: Option<&StringMap>) -> Self {
        match value {
            Some(v) => self.map(key, v),
            None => self,
        }
    }

    pub fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// A JSON array of strings.
pub fn strings_json(values: &[String]) -> String {
    let mut out = String::from("[");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(&mut out, v);
    }
    out.push(']');
    out
}

/// The shape a response member must have, when present and not null. Unknown members are
/// ignored: the API adds fields, and the caller receives them untouched.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// Must be present and not null, with the inner shape: a field the TypeScript declarations
    /// promise (`Key.id: string`), so that an answer without it is an error, not a lie.
    Required(&'static Ty),
    Str,
    Bool,
    /// A whole number an `i64` holds (`77760.0` included).
    Int,
    StrList,
    StrMap,
    /// An object whose values are strings, numbers or booleans (posture attributes).
    ScalarMap,
    /// Any object: a nested one whose members the client does not read.
    Record,
    Obj(&'static [(&'static str, Ty)]),
    /// An array of objects with these members.
    Items(&'static [(&'static str, Ty)]),
}

/// A table without its last entry: the plain model's table, from that of its created form,
/// whose last entry requires the one-time secret.
pub const fn without_last(fields: &'static [(&'static str, Ty)]) -> &'static [(&'static str, Ty)] {
    match fields.split_last() {
        Some((_, rest)) => rest,
        None => fields,
    }
}

/// Checks `value` against a table of fields; the error names the first member that is wrong.
pub fn check_shape<J: Json>(value: &J, fields: &[(&'static str, Ty)]) -> Result<(), String> {
    wrong_member(value, fields).map_err(describe)
}

/// Checks every item of the list a response holds under `field` (absent or null: empty): the
/// table walk of a one-member table, whose errors read the same.
pub fn check_list<J: Json>(
    value: &J,
    field: &'static str,
    fields: &'static [(&'static str, Ty)],
) -> Result<(), String> {
    check_shape(value, &[(field, Ty::Items(fields))])
}

const WRONG_TYPE: &str = "has the wrong type";
const MISSING: &str = "is missing";

/// The first wrong member: its dotted path (`""`: the value itself) and what is wrong with it.
type Wrong = (String, &'static str);

fn wrong_member<J: Json>(value: &J, fields: &[(&'static str, Ty)]) -> Result<(), Wrong> {
    if !value.is_record() {
        return Err((String::new(), WRONG_TYPE));
    }
    for (key, ty) in fields {
        let (ty, required) = match ty {
            Ty::Required(inner) => (*inner, true),
            ty => (ty, false),
        };
        // Absent and null are the same to the caller: neither is the promised value.
        let Some(member) = value.field(key) else {
            match required {
                true => return Err(((*key).to_owned(), MISSING)),
                false => continue,
            }
        };
        let ok = match ty {
            Ty::Str => member.is_string(),
            Ty::Bool => member.as_bool().is_some(),
            Ty::Int => member.as_f64().is_some_and(is_whole),
            Ty::StrList => member.is_array() && member.items().iter().all(J::is_string),
            // One walk for both maps: strings only, or any scalar.
            Ty::StrMap | Ty::ScalarMap => {
                member.is_record()
                    && member.keys().iter().all(|k| {
                        member.get(k).is_some_and(|m| match m.kind() {
                            Kind::String => true,
                            Kind::Number | Kind::Bool => matches!(ty, Ty::ScalarMap),
                            _ => false,
                        })
                    })
            }
            Ty::Record => member.is_record(),
            Ty::Obj(inner) => {
                wrong_member(&member, inner).map_err(|(at, what)| (member_path(key, &at), what))?;
                true
            }
            Ty::Items(inner) => {
                let list = member.is_array();
                // Not a list: no items, and the wrong type below.
                for (i, item) in member.items().iter().enumerate() {
                    // The path is only built for the error, as in `check_list`.
                    wrong_member(item, inner)
                        .map_err(|(at, what)| (member_path(&index_field(key, i), &at), what))?;
                }
                list
            }
            // Only a table entry is required, not a shape within one.
            Ty::Required(_) => true,
        };
        if !ok {
            return Err(((*key).to_owned(), WRONG_TYPE));
        }
    }
    Ok(())
}

/// `a.b`, or `a` when `b` is the value itself (`""`).
fn member_path(a: &str, b: &str) -> String {
    if b.is_empty() {
        a.to_owned()
    } else {
        cat(&[a, ".", b])
    }
}

fn describe((path, what): Wrong) -> String {
    if path.is_empty() {
        "JSON body has an unexpected shape (not an object)".into()
    } else {
        cat(&[
            "JSON body has an unexpected shape (`",
            &path,
            "` ",
            what,
            ")",
        ])
    }
}
