//! `policy.evaluatePostures`, run here for the core (`__evaluatePostures`): the postures of the
//! file, each condition parsed before any device is fetched (a posture that does not parse is
//! reported with its error), then evaluated over the devices and attributes read through the
//! client's own methods, with the reason for each failed condition.

use crate::document::parse_document;
use crate::requests::{call_options, Requests};
use crate::update::stored_document;
use js_sys::{Array, Object, Promise, Reflect};
use tailscale_policy::lint;
use tailscale_policy::posture::{self, PostureVerdicts};
use tailscale_wasm_shared::args::{or_empty, set, take_signal, text_arg};
use tailscale_wasm_shared::errors::js_error;
use tailscale_wire::error::Error;
use tailscale_wire::json::Json;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen(js_name = "__evaluatePostures", skip_typescript)]
pub fn evaluate_postures(requests: Requests, options: JsValue) -> Promise {
    future_to_promise(async move {
        let (rest, signal) = take_signal(&options).map_err(js_error)?;
        let rest = or_empty(&rest);
        let chosen_options = posture::report_options(rest.clone())
            .map_err(|issues| js_error(Error::Validation(issues)))?;
        let options = call_options(&signal);
        let doc = match &chosen_options.text {
            Some(_) => {
                // Read again for what the reader cannot see: a lone surrogate.
                let text = Reflect::get(&rest, &"text".into()).unwrap_or_default();
                let text = text_arg(&text, "text").map_err(js_error)?;
                parse_document(&text, "text").map_err(js_error)?
            }
            None => {
                let file = requests.policy().get(&options).await?;
                let text = Reflect::get(&file, &"text".into())?
                    .as_string()
                    .unwrap_or_default();
                stored_document(&requests, &text)?
            }
        };
        let (postures, defaults) = lint::postures_of(&doc);
        // Every condition is parsed before any device is read; a posture that does not parse
        // is reported with its error, and the others are still evaluated.
        let prepared = posture::prepare(&postures);
        let devices = requests.devices();
        let listed = devices.list(&options).await?.items();
        let chosen = posture::choose_devices(&listed, chosen_options.device_ids.as_deref())
            .map_err(js_error)?;
        // Every device's attributes at once; the client's concurrency cap limits how many are
        // in flight.
        let reads = Array::new();
        for (node_id, _) in &chosen {
            let (devices, options, id) = (requests.devices(), options.clone(), node_id.clone());
            reads.push(&future_to_promise(async move {
                devices.attributes_or_gone(&id, &options).await
            }));
        }
        let attributes = JsFuture::from(Promise::all(&reads)).await?;
        let inputs = posture::device_inputs(chosen, attributes.items());
        let verdicts = prepared.report(&inputs);
        Ok(report_to_js(&verdicts, &defaults))
    })
}

fn report_to_js(verdicts: &[PostureVerdicts], defaults: &[String]) -> JsValue {
    let postures = Array::new();
    for p in verdicts {
        let devices = Array::new();
        for d in &p.devices {
            let failed = Array::new();
            for (condition, reason) in &d.failed {
                let f = Object::new();
                set(&f, "condition", condition.as_str().into());
                set(&f, "reason", reason.as_str().into());
                failed.push(&f);
            }
            let device = Object::new();
            set(&device, "nodeId", d.node_id.as_str().into());
            set(&device, "name", d.name.as_str().into());
            set(&device, "matches", d.matches.into());
            set(&device, "failed", failed.into());
            devices.push(&device);
        }
        let posture = Object::new();
        set(&posture, "name", p.name.as_str().into());
        set(&posture, "conditions", strings(&p.conditions));
        set(&posture, "devices", devices.into());
        if let Some(error) = &p.error {
            set(&posture, "error", error.as_str().into());
        }
        postures.push(&posture);
    }
    let out = Object::new();
    set(&out, "postures", postures.into());
    set(&out, "defaultSrcPosture", strings(defaults));
    out.into()
}

fn strings(items: &[String]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from(s.as_str()))
        .collect::<Array>()
        .into()
}
