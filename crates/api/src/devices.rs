//! The device endpoints: listing and reading devices, and the posture attributes they carry,
//! which access rules test (`srcPosture`, grants). Writes are limited to the `custom:`
//! namespace. A device is addressed as `/device/{id}`, not under its tailnet; only the list
//! and the batch update name the tailnet.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use tailscale_wire::attribute::{attribute_value, AttributeValue};
use tailscale_wire::error::{Error, Issue};
use tailscale_wire::http::{api_path, push_query, tailnet_path, Expect, HttpRequest};
use tailscale_wire::json::{Json, Kind, Obj, Ty};
use tailscale_wire::method::Method;
use tailscale_wire::text::cat;
use tailscale_wire::validate::{self, finish, id_arg, issues_or, string_arg, Input};

/// A device (node) as the API describes it. `nodeId` is always there; every other field may be
/// absent or null, and fields this client does not know are kept. `fields=default` answers a
/// subset; `fields=all` every field.
// Tolerant like `Key`, and for the same reason declared with `nodeId: string` in TypeScript,
// which the runtime check makes true (`DEVICE_FIELDS` marks `nodeId` `Ty::Required`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Device {
    /// Tailscale IPv4 (100.x.y.z) and IPv6 addresses.
    pub addresses: Option<Vec<String>>,
    /// The legacy numeric id; `nodeId` is preferred wherever a device id is asked for.
    pub id: Option<String>,
    /// The preferred device id, such as `n292kg92CNTRL`.
    #[cfg_attr(feature = "ts", ts(as = "String", optional = false))]
    pub node_id: Option<String>,
    /// The user who registered the device; its owner unless it is tagged.
    pub user: Option<String>,
    /// The MagicDNS name, such as `pangolin.tailfe8c.ts.net`.
    pub name: Option<String>,
    /// The machine name in the admin console.
    pub hostname: Option<String>,
    /// The Tailscale client version; empty for external devices.
    pub client_version: Option<String>,
    /// A client upgrade is available.
    pub update_available: Option<bool>,
    /// The operating system, such as `linux`.
    pub os: Option<String>,
    /// When the device joined (ISO-8601).
    pub created: Option<String>,
    /// It recently held a connection to the control server.
    pub connected_to_control: Option<bool>,
    /// When it was last connected (ISO-8601); absent while connected.
    pub last_seen: Option<String>,
    /// Its node key does not expire.
    pub key_expiry_disabled: Option<bool>,
    /// When its node key expires (ISO-8601).
    pub expires: Option<String>,
    /// It is authorized to join the tailnet.
    pub authorized: Option<bool>,
    /// It is shared in from another tailnet.
    pub is_external: Option<bool>,
    /// Several machines use its node key at once.
    pub multiple_connections: Option<bool>,
    /// For internal use.
    pub machine_key: Option<String>,
    /// Its node key (tailnet lock needs it).
    pub node_key: Option<String>,
    /// It accepts no incoming connections.
    pub blocks_incoming_connections: Option<bool>,
    /// Subnet routes an admin approved.
    pub enabled_routes: Option<Vec<String>>,
    /// Subnet routes it asks to expose.
    pub advertised_routes: Option<Vec<String>>,
    /// Its current network conditions (`fields=all`).
    pub client_connectivity: Option<ClientConnectivity>,
    /// Its tags; a tagged device is owned by its tags, not by `user`.
    pub tags: Option<Vec<String>>,
    /// A problem with its tailnet lock signature.
    pub tailnet_lock_error: Option<String>,
    /// Its tailnet lock key.
    pub tailnet_lock_key: Option<String>,
    /// Tailscale SSH is on.
    pub ssh_enabled: Option<bool>,
    /// Serial numbers, when posture identity collection is on (`fields=all`).
    pub posture_identity: Option<PostureIdentity>,
    /// It is removed when it goes offline.
    pub is_ephemeral: Option<bool>,
    /// Its OS distribution (`fields=all`).
    pub distro: Option<Distro>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

/// A device's network conditions.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct ClientConnectivity {
    /// Its UDP `ip:port` endpoints.
    pub endpoints: Option<Vec<String>>,
    /// Its NAT mappings vary with the destination.
    #[serde(rename = "mappingVariesByDestIP")]
    #[cfg_attr(feature = "ts", ts(rename = "mappingVariesByDestIP"))]
    pub mapping_varies_by_dest_ip: Option<bool>,
    /// DERP region name to latency.
    pub latency: Option<BTreeMap<String, DerpLatency>>,
    /// What its network supports.
    pub client_supports: Option<ClientSupports>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

/// Latency to one DERP region.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct DerpLatency {
    /// The preferred region for incoming traffic.
    pub preferred: Option<bool>,
    /// Milliseconds.
    pub latency_ms: Option<f64>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

/// Features of a device's network.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct ClientSupports {
    /// No longer tracked: always null.
    pub hair_pinning: Option<bool>,
    /// The OS supports IPv6.
    pub ipv6: Option<bool>,
    /// A PCP port mapper is present.
    pub pcp: Option<bool>,
    /// A NAT-PMP port mapper is present.
    pub pmp: Option<bool>,
    /// UDP works on the current network.
    pub udp: Option<bool>,
    /// A UPnP port mapper is present.
    pub upnp: Option<bool>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

/// Extra identifiers collected for device posture.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct PostureIdentity {
    /// Hardware serial numbers.
    pub serial_numbers: Option<Vec<String>>,
    /// True when the device has not opted in.
    pub disabled: Option<bool>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

/// An operating system distribution.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Distro {
    /// Such as `ubuntu`.
    pub name: Option<String>,
    /// Such as `25.04`.
    pub version: Option<String>,
    /// Such as `Plucky Puffin`.
    pub code_name: Option<String>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

/// What `devices.getAttributes` and `devices.setAttribute` answer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct DevicePostureAttributes {
    /// Every attribute on the device, by key: `custom:` ones set through the API, `node:`
    /// ones Tailscale sets, and those of posture integrations.
    pub attributes: Option<BTreeMap<String, AttributeValue>>,
    /// Expiry time (ISO-8601) of each attribute that has one.
    pub expiries: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: BTreeMap<String, Value>,
}

/// `GET /devices` answers `{"devices": [...]}`.
#[derive(Debug, Default, Deserialize)]
pub struct DeviceList {
    #[serde(default)]
    pub devices: Option<Vec<Device>>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

pub fn decode_device(body: &[u8]) -> Result<Device, serde_json::Error> {
    tailscale_wire::json::decode(body)
}

pub fn decode_device_list(body: &[u8]) -> Result<Vec<Device>, serde_json::Error> {
    tailscale_wire::json::decode::<DeviceList>(body).map(|l| l.devices.unwrap_or_default())
}

pub fn decode_attributes(body: &[u8]) -> Result<DevicePostureAttributes, serde_json::Error> {
    tailscale_wire::json::decode(body)
}

/// What the runtime checks of a `Device`; `tests/drift.rs` holds it to the model. Nested
/// objects are checked to be objects: the client reads none of their members.
pub const DEVICE_FIELDS: &[(&str, Ty)] = &[
    ("addresses", Ty::StrList),
    ("id", Ty::Str),
    ("nodeId", Ty::Required(&Ty::Str)),
    ("user", Ty::Str),
    ("name", Ty::Str),
    ("hostname", Ty::Str),
    ("clientVersion", Ty::Str),
    ("updateAvailable", Ty::Bool),
    ("os", Ty::Str),
    ("created", Ty::Str),
    ("connectedToControl", Ty::Bool),
    ("lastSeen", Ty::Str),
    ("keyExpiryDisabled", Ty::Bool),
    ("expires", Ty::Str),
    ("authorized", Ty::Bool),
    ("isExternal", Ty::Bool),
    ("multipleConnections", Ty::Bool),
    ("machineKey", Ty::Str),
    ("nodeKey", Ty::Str),
    ("blocksIncomingConnections", Ty::Bool),
    ("enabledRoutes", Ty::StrList),
    ("advertisedRoutes", Ty::StrList),
    ("clientConnectivity", Ty::Record),
    ("tags", Ty::StrList),
    ("tailnetLockError", Ty::Str),
    ("tailnetLockKey", Ty::Str),
    ("sshEnabled", Ty::Bool),
    ("postureIdentity", Ty::Record),
    ("isEphemeral", Ty::Bool),
    ("distro", Ty::Record),
];

/// What the runtime checks of a `DevicePostureAttributes`.
pub const ATTRIBUTES_FIELDS: &[(&str, Ty)] =
    &[("attributes", Ty::ScalarMap), ("expiries", Ty::StrMap)];

const DEVICE: Expect = Expect::Object(DEVICE_FIELDS);
const DEVICE_LIST: Expect = Expect::List("devices", DEVICE_FIELDS);
const ATTRIBUTES: Expect = Expect::Object(ATTRIBUTES_FIELDS);

/// Reads the `fields` option (`"all"` or `"default"`) into `query`; `signal` travels in the
/// same options object.
fn fields_option<J: Json>(input: &mut Input<J>, query: &mut String) {
    input.allow("signal");
    if let Some(f) = input.string("fields") {
        input.check("fields", validate::device_fields(&f));
        push_query(query, "fields", &f);
    }
}

/// Reads `filter`: top-level device properties to match exactly, each a string, a boolean or
/// a list of strings (a device matches a list when it has every entry), as query parameters.
fn filter_option<J: Json>(input: &mut Input<J>, query: &mut String) {
    let Some(filter) = input.raw("filter") else {
        return;
    };
    if filter.kind() != Kind::Object {
        input.issue("filter", "must be an object of device fields to match");
    }
    for name in filter.keys() {
        let field = cat(&["filter.", &name]);
        // Names are letters and digits (checked), so only values need encoding.
        input.check(&field, validate::filter_name(&name));
        let mut param = |value: &str| push_query(query, &name, value);
        let value = filter.get(&name);
        match value.as_ref().map(|v| (v.kind(), v)) {
            Some((Kind::String, v)) => param(&v.as_string().unwrap_or_default()),
            Some((Kind::Bool, v)) => param(match v.as_bool() {
                Some(true) => "true",
                _ => "false",
            }),
            Some((Kind::Array, v)) => {
                let items = v.items();
                let mut strings = 0;
                for s in items.iter().filter_map(Json::as_string) {
                    param(&s);
                    strings += 1;
                }
                if strings != items.len() || strings == 0 {
                    input.issue(&field, "must list at least one string");
                }
            }
            _ => input.issue(&field, "must be a string, a boolean or a list of strings"),
        }
    }
}

/// `GET /tailnet/{t}/devices`, with `fields` and `filter` as query parameters.
pub fn list<J: Json>(tailnet: &str, options: J) -> Result<HttpRequest, Error> {
    let mut input = Input::new(options, "");
    let mut query = String::new();
    fields_option(&mut input, &mut query);
    filter_option(&mut input, &mut query);
    let mut req = HttpRequest::new(
        Method::Get,
        tailnet_path(tailnet, &["devices"]),
        DEVICE_LIST,
    );
    req.query = query;
    finish(input, req).map_err(Error::Validation)
}

/// `GET /device/{deviceId}`, with `fields` as a query parameter.
pub fn get<J: Json>(id: J, options: J) -> Result<HttpRequest, Error> {
    let mut issues = Vec::new();
    let id = id_arg("deviceId", id, &mut issues);
    let mut input = Input::new(options, "");
    let mut query = String::new();
    fields_option(&mut input, &mut query);
    issues.extend(input.finish());
    let mut req = HttpRequest::new(Method::Get, api_path(&["device", &id]), DEVICE);
    req.query = query;
    issues_or(issues, req)
}

/// `GET /device/{deviceId}/attributes`.
pub fn get_attributes<J: Json>(id: J) -> Result<HttpRequest, Error> {
    let mut issues = Vec::new();
    let id = id_arg("deviceId", id, &mut issues);
    let path = api_path(&["device", &id, "attributes"]);
    issues_or(issues, HttpRequest::new(Method::Get, path, ATTRIBUTES))
}

/// Reads `value` and `expiry` (RFC 3339), the members an attribute write carries in both
/// endpoints.
fn value_and_expiry<J: Json>(input: &mut Input<J>) -> (Option<AttributeValue>, Option<String>) {
    let value = attribute_value(input.raw("value"));
    let value = value.map_err(|m| input.issue("value", m)).ok();
    let expiry = input.string("expiry");
    if let Some(e) = &expiry {
        input.check("expiry", validate::rfc3339(e));
    }
    (value, expiry)
}

fn comment<J: Json>(input: &mut Input<J>) -> Option<String> {
    let comment = input.string("comment");
    if let Some(c) = &comment {
        input.check("comment", validate::attribute_comment(c));
    }
    comment
}

/// Options for `devices.setAttribute`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "SetAttributeOptions", optional_fields)
)]
pub struct SetAttribute {
    /// A string of 1 to 50 letters, digits, `_` or `.`; an integer within ±(2^53 - 1); or a
    /// boolean. All values of one key in a tailnet share a type, fixed by the first write.
    #[cfg_attr(feature = "ts", ts(optional = false))]
    pub value: AttributeValue,
    /// When Tailscale removes the attribute (RFC 3339; it goes within a few minutes after).
    /// Default: never.
    pub expiry: Option<String>,
    /// Why, for the audit log; at most 200 characters. Default none.
    pub comment: Option<String>,
}

impl SetAttribute {
    /// Reads the options; `targets` also reads the `deviceId` and `key` that
    /// `validateSetAttribute` takes in the same object, checking each one given.
    fn read<J: Json>(input: &mut Input<J>, targets: bool) -> Option<SetAttribute> {
        if targets {
            if let Some(id) = input.string("deviceId") {
                input.check("deviceId", validate::id(&id));
            }
            if let Some(key) = input.string("key") {
                input.check("key", validate::attribute_key(&key));
            }
        }
        let (value, expiry) = value_and_expiry(input);
        let comment = comment(input);
        Some(SetAttribute {
            value: value?,
            expiry,
            comment,
        })
    }
}

/// What `validateAttributeValue` checks: a string, an integer or a boolean, within limits.
pub fn validate_value<J: Json>(value: J) -> Vec<Issue> {
    match attribute_value(Some(value)) {
        Ok(_) => Vec::new(),
        Err(m) => vec![Issue::new("value", m)],
    }
}

/// What `validateSetAttribute` checks: each of `deviceId`, `key`, `value`, `expiry` and
/// `comment` that is given (`value` must be), so that a form can check itself whole.
pub fn validate_set_attribute<J: Json>(value: J) -> Vec<Issue> {
    let mut input = Input::new(value, "");
    let _ = SetAttribute::read(&mut input, true);
    input.finish()
}

/// `/device/{deviceId}/attributes/{key}`, checked: what setting and deleting both address.
fn attribute_path<J: Json>(id: J, key: J, issues: &mut Vec<Issue>) -> String {
    let id = id_arg("deviceId", id, issues);
    let key = string_arg("key", key, validate::attribute_key, issues);
    api_path(&["device", &id, "attributes", &key])
}

/// `POST /device/{deviceId}/attributes/{key}`: creates or replaces one `custom:` attribute.
/// Idempotent (a second identical write leaves one value), so it is retried like a PUT.
pub fn set_attribute<J: Json>(id: J, key: J, options: J) -> Result<HttpRequest, Error> {
    let mut issues = Vec::new();
    let path = attribute_path(id, key, &mut issues);
    let mut input = Input::new(options, "");
    let spec = SetAttribute::read(&mut input, false);
    issues.extend(input.finish());
    let body = spec.as_ref().map(|spec| {
        spec.value
            .write(Obj::new(), "value")
            .opt_str("expiry", spec.expiry.as_ref())
            .opt_str("comment", spec.comment.as_ref())
            .finish()
    });
    let req = HttpRequest::new(Method::Post, path, ATTRIBUTES).idempotent();
    issues_or(issues, req.json_body(body.unwrap_or_default()))
}

/// `DELETE /device/{deviceId}/attributes/{key}`: removes one `custom:` attribute.
pub fn delete_attribute<J: Json>(id: J, key: J) -> Result<HttpRequest, Error> {
    let mut issues = Vec::new();
    let path = attribute_path(id, key, &mut issues);
    issues_or(
        issues,
        HttpRequest::new(Method::Delete, path, Expect::Nothing),
    )
}

/// One attribute in a batch update: set to `value` (until `expiry`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "AttributeUpdate", optional_fields)
)]
pub struct AttributeUpdate {
    /// As for `setAttribute`.
    #[cfg_attr(feature = "ts", ts(optional = false))]
    pub value: AttributeValue,
    /// RFC 3339. Default: never.
    pub expiry: Option<String>,
}

/// One device's part of a batch update: its id, and each key with its new value (`None`:
/// delete it).
pub type NodePatch = (String, Vec<(String, Option<AttributeUpdate>)>);

/// Options for `devices.updateAttributes`: a JSON Merge Patch of many devices' attributes.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "UpdateAttributesOptions", optional_fields)
)]
pub struct UpdateAttributes {
    /// Device id to the attributes to change on it: each `custom:` key to its new value, or to
    /// `null` to delete it. At least one device. Required.
    #[cfg_attr(
        feature = "ts",
        ts(
            optional = false,
            as = "std::collections::HashMap<String, std::collections::HashMap<String, Option<AttributeUpdate>>>"
        )
    )]
    pub nodes: Vec<NodePatch>,
    /// Why, for the audit log; at most 200 characters. Default none.
    pub comment: Option<String>,
}

impl UpdateAttributes {
    /// Reads `nodes` (device id -> key -> `{ value, expiry? }` or `null`) and `comment`.
    pub fn parse<J: Json>(value: J) -> Result<Self, Vec<Issue>> {
        let mut input = Input::new(value, "");
        let nodes = input.raw("nodes").map(|n| read_nodes(&mut input, n));
        if nodes.as_ref().is_none_or(Vec::is_empty) {
            input.issue(
                "nodes",
                "must map at least one device id to the attributes to change",
            );
        }
        let comment = comment(&mut input);
        let nodes = nodes.unwrap_or_default();
        finish(input, UpdateAttributes { nodes, comment })
    }

    fn body(&self) -> String {
        let mut nodes = Obj::new();
        for (id, attributes) in &self.nodes {
            let mut patch = Obj::new();
            for (key, update) in attributes {
                patch = match update {
                    None => patch.null(key),
                    Some(u) => {
                        let value = u.value.write(Obj::new(), "value");
                        patch.obj(key, value.opt_str("expiry", u.expiry.as_ref()))
                    }
                };
            }
            nodes = nodes.obj(id, patch);
        }
        Obj::new()
            .obj("nodes", nodes)
            .opt_str("comment", self.comment.as_ref())
            .finish()
    }
}

/// Each device's patch; issues name the path (`nodes.<id>.<key>.value`).
fn read_nodes<J: Json>(input: &mut Input<J>, nodes: J) -> Vec<NodePatch> {
    let mut patches = Vec::new();
    for id in nodes.keys() {
        let at = cat(&["nodes.", &id]);
        input.check(&at, validate::id(&id));
        let Some(attributes) = nodes.get(&id).filter(|a| a.kind() == Kind::Object) else {
            input.issue(&at, "must map attribute keys to { value, expiry? } or null");
            continue;
        };
        let mut patch = Vec::new();
        for key in attributes.keys() {
            let at = cat(&[&at, ".", &key]);
            input.check(&at, validate::attribute_key(&key));
            // Only an explicit `null` deletes; `undefined` is a mistake, not a delete.
            match attributes.get(&key) {
                Some(v) if v.is_null() => patch.push((key, None)),
                Some(v) if v.kind() == Kind::Object => {
                    let mut entry = Input::new(v, &at);
                    let (value, expiry) = value_and_expiry(&mut entry);
                    input.issues.extend(entry.finish());
                    if let Some(value) = value {
                        patch.push((key, Some(AttributeUpdate { value, expiry })));
                    }
                }
                _ => input.issue(&at, "must be { value, expiry? } or null (null deletes it)"),
            }
        }
        patches.push((id, patch));
    }
    patches
}

/// `PATCH /tailnet/{t}/device-attributes`: sets and deletes attributes on many devices in one
/// call. Idempotent (a JSON Merge Patch applied twice changes nothing more), so it is retried
/// like a PUT.
pub fn update_attributes<J: Json>(tailnet: &str, options: J) -> Result<HttpRequest, Error> {
    let spec = UpdateAttributes::parse(options).map_err(Error::Validation)?;
    let path = tailnet_path(tailnet, &["device-attributes"]);
    Ok(HttpRequest::new(Method::Patch, path, Expect::Nothing)
        .json_body(spec.body())
        .idempotent())
}
