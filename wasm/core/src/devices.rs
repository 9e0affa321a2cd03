//! `client.devices` and the validators for what it sends: devices, and the `custom:` posture
//! attributes they carry.

use super::request::Session;
use js_sys::Promise;
use std::rc::Rc;
use tailscale_api::devices::{self, UpdateAttributes};
use tailscale_wasm_shared::args::{or_empty, signal_only, take_signal};
use tailscale_wasm_shared::errors::{issues_to_js, validate_one, validate_request};
use tailscale_wire::validate;
use wasm_bindgen::prelude::*;

/// `client.devices`: devices and their posture attributes.
#[wasm_bindgen]
pub struct DevicesApi {
    session: Rc<Session>,
}

impl DevicesApi {
    pub fn new(session: Rc<Session>) -> DevicesApi {
        DevicesApi { session }
    }
}

#[wasm_bindgen]
impl DevicesApi {
    /// Lists the tailnet's devices: GET /api/v2/tailnet/{tailnet}/devices, with `fields` and
    /// each `filter` entry as query parameters. Resolves to `Device[]`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Device[]>")]
    pub fn list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListDevicesOptions")] options: JsValue,
    ) -> Promise {
        self.session.list(devices::list, &options)
    }

    /// Gets one device: GET /api/v2/device/{deviceId} (its `nodeId`, or its legacy `id`).
    #[wasm_bindgen(unchecked_return_type = "Promise<Device>")]
    pub fn get(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "GetDeviceOptions")] options: JsValue,
    ) -> Promise {
        let prepared = take_signal(&options)
            .and_then(|(rest, signal)| Ok((devices::get(device_id, or_empty(&rest))?, signal)));
        self.session.start(prepared)
    }

    /// A device's posture attributes: GET /api/v2/device/{deviceId}/attributes.
    #[wasm_bindgen(js_name = getAttributes, unchecked_return_type = "Promise<DevicePostureAttributes>")]
    pub fn get_attributes(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session
            .call_with(|_, id| devices::get_attributes(id), device_id, &options)
    }

    /// Sets one `custom:` attribute: POST /api/v2/device/{deviceId}/attributes/{key}. Resolves
    /// to the device's attributes. Idempotent, so it is retried like a PUT.
    #[wasm_bindgen(js_name = setAttribute, unchecked_return_type = "Promise<DevicePostureAttributes>")]
    pub fn set_attribute(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SetAttributeOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let prepared = signal_only(&options)
            .and_then(|signal| Ok((devices::set_attribute(device_id, key, request)?, signal)));
        self.session.start(prepared)
    }

    /// Deletes one `custom:` attribute: DELETE /api/v2/device/{deviceId}/attributes/{key}.
    /// Resolves to `undefined`.
    #[wasm_bindgen(js_name = deleteAttribute, unchecked_return_type = "Promise<void>")]
    pub fn delete_attribute(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session
            .call(devices::delete_attribute(device_id, key), &options)
    }

    /// Sets and deletes attributes on many devices at once: PATCH
    /// /api/v2/tailnet/{tailnet}/device-attributes (JSON Merge Patch; `null` deletes).
    /// Resolves to `undefined`. Idempotent, so it is retried like a PUT.
    #[wasm_bindgen(js_name = updateAttributes, unchecked_return_type = "Promise<void>")]
    pub fn update_attributes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateAttributesOptions")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.session
            .call_with(devices::update_attributes, request, &options)
    }
}

/// A posture attribute key that can be written: `custom:` then letters, digits, `_` or `:`, at
/// most 128 characters. `[]` when valid.
#[wasm_bindgen(js_name = validateAttributeKey, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_attribute_key(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> JsValue {
    validate_one("key", validate::attribute_key, &key)
}

/// A posture attribute value: a string of 1 to 50 letters, digits, `_` or `.`; an integer
/// within ±(2^53 - 1); or a boolean. `[]` when valid.
#[wasm_bindgen(js_name = validateAttributeValue, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_attribute_value(
    #[wasm_bindgen(unchecked_param_type = "AttributeValue")] value: JsValue,
) -> JsValue {
    issues_to_js(&devices::validate_value(value))
}

/// The checks `devices.setAttribute` runs, on each of `deviceId`, `key`, `value`, `expiry` and
/// `comment` given (`value` must be). `[]` when valid.
#[wasm_bindgen(js_name = validateSetAttribute, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_set_attribute(
    #[wasm_bindgen(unchecked_param_type = "SetAttributeInput")] input: JsValue,
) -> JsValue {
    issues_to_js(&devices::validate_set_attribute(input))
}

/// The checks `devices.updateAttributes` runs. `[]` when valid.
#[wasm_bindgen(js_name = validateUpdateAttributes, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_update_attributes(
    #[wasm_bindgen(unchecked_param_type = "UpdateAttributesOptions")] request: JsValue,
) -> JsValue {
    validate_request(&request, UpdateAttributes::parse)
}
