//! A device attribute's value (a string, a number or a boolean): the API's type for posture
//! attributes, read and written by the device endpoints and compared by the posture engine.

use crate::json::{Json, Kind, Obj};
use crate::validate;
use serde::{Deserialize, Serialize};

/// A posture attribute's value: a string, an integer or a boolean. (Responses may carry any
/// number, so the model says number.)
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum AttributeValue {
    String(String),
    Number(f64),
    Boolean(bool),
}

/// An attribute value: a string, an integer or a boolean, within the API's limits.
pub fn attribute_value<J: Json>(value: Option<J>) -> Result<AttributeValue, String> {
    let Some(v) = value.filter(|v| !v.is_null()) else {
        return Err("is required (a string, an integer or a boolean)".into());
    };
    match v.kind() {
        Kind::String => {
            let s = v.as_string().unwrap_or_default();
            validate::attribute_string(&s).map(|()| AttributeValue::String(s))
        }
        Kind::Number => {
            let n = v.as_f64().unwrap_or(f64::NAN);
            validate::attribute_number(n).map(|()| AttributeValue::Number(n))
        }
        Kind::Bool => Ok(AttributeValue::Boolean(v.as_bool() == Some(true))),
        _ => Err("must be a string, an integer or a boolean".into()),
    }
}

impl AttributeValue {
    /// Writes the value as member `key` of `obj`.
    pub fn write(&self, obj: Obj, key: &str) -> Obj {
        match self {
            AttributeValue::String(s) => obj.str(key, s),
            // Checked to be an integer within ±(2^53 - 1), so the cast is exact.
            AttributeValue::Number(n) => obj.int(key, *n as i64),
            AttributeValue::Boolean(b) => obj.bool(key, *b),
        }
    }
}
