//! The posture engine on its own: `parsePostureCondition` and `evaluatePosture`, for forms
//! and tools (`policy.evaluatePostures` runs it over a tailnet's devices).

use js_sys::{Array, Object};
use tailscale_policy::posture::{self, Operand};
use tailscale_wasm_shared::args::{set, text_arg};
use tailscale_wasm_shared::errors::js_error;
use tailscale_wire::attribute::AttributeValue;
use tailscale_wire::error::{Error, Issue};
use wasm_bindgen::prelude::*;

/// Parses one posture condition, such as `node:tsVersion >= '1.60'`. Throws
/// `TailscaleValidationError` whose issue gives the column where it went wrong.
#[wasm_bindgen(js_name = parsePostureCondition, unchecked_return_type = "PostureCondition")]
pub fn parse_posture_condition(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    let text = text_arg(&text, "condition").map_err(js_error)?;
    let condition = posture::parse(&text).map_err(|e| {
        js_error(Error::Validation(vec![Issue::new(
            "condition",
            e.describe(),
        )
        .at(1, e.column)]))
    })?;
    let out = Object::new();
    set(&out, "attribute", condition.attribute.as_str().into());
    set(&out, "operator", condition.operator.as_str().into());
    match &condition.value {
        Operand::None => {}
        Operand::One(v) => set(&out, "value", scalar(v)),
        Operand::List(items) => set(
            &out,
            "value",
            items.iter().map(scalar).collect::<Array>().into(),
        ),
    }
    Ok(out.into())
}

/// Evaluates a posture (its conditions, all of which must match) against a device's
/// attributes as `devices.getAttributes` gives them. An unset attribute matches only
/// `NOT SET`; comparisons stay within a type; versions compare as Tailscale's `cmpver` does.
#[wasm_bindgen(js_name = evaluatePosture, unchecked_return_type = "PostureEvaluation")]
pub fn evaluate_posture(
    #[wasm_bindgen(unchecked_param_type = "string[]")] conditions: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Record<string, string | number | boolean>")]
    attributes: JsValue,
) -> Result<JsValue, JsValue> {
    let (conditions, attributes) =
        posture::evaluation_input(&conditions, &attributes).map_err(js_error)?;
    let (matches, results) = posture::evaluate_posture(&conditions, &attributes)
        .map_err(|issues| js_error(Error::Validation(issues)))?;
    let list = Array::new();
    for r in &results {
        let item = Object::new();
        set(&item, "condition", r.condition.as_str().into());
        set(&item, "matches", r.matches.into());
        if let Some(reason) = &r.reason {
            set(&item, "reason", reason.as_str().into());
        }
        list.push(&item);
    }
    let out = Object::new();
    set(&out, "matches", matches.into());
    set(&out, "conditions", list.into());
    Ok(out.into())
}

fn scalar(value: &AttributeValue) -> JsValue {
    match value {
        AttributeValue::String(s) => s.as_str().into(),
        AttributeValue::Number(n) => (*n).into(),
        AttributeValue::Boolean(b) => (*b).into(),
    }
}
