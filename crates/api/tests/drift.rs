//! Model drift against Tailscale's OpenAPI spec, both ways: every property the spec defines for
//! `Key`, `KeyCapabilities`, `OAuthApp`, `Device` (and its nested objects),
//! `DevicePostureAttributes` and the request bodies the client sends is modelled here, every
//! field modelled here is in the spec, and `keyType` matches.
//!
//! The spec is the copy in `spec/` (or the file at `$TAILSCALE_OPENAPI`); a missing spec fails
//! these tests rather than skipping them (spec/README.md says how to refresh it).

use serde_json::{json, Value};
use std::collections::BTreeSet;
use tailscale_api::devices::{self, Device, DevicePostureAttributes};
use tailscale_api::keys::{self, Key, KEY_TYPES};
use tailscale_api::oauth_apps::{self, OAuthApp};
use tailscale_wire::http::HttpRequest;

fn spec() -> Value {
    let path = std::env::var("TAILSCALE_OPENAPI")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| {
            format!(
                "{}/../../spec/tailscale-openapi.json",
                env!("CARGO_MANIFEST_DIR")
            )
        });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("no OpenAPI spec at {path} ({e}): it is vendored in spec/ (spec/README.md)")
    });
    serde_json::from_str(&text).expect("the spec is JSON")
}

/// Follows `$ref`s within the spec.
fn resolve<'a>(spec: &'a Value, mut node: &'a Value) -> &'a Value {
    while let Some(r) = node.get("$ref").and_then(Value::as_str) {
        node = spec
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling $ref {r}"));
    }
    node
}

fn props(spec: &Value, schema: &Value) -> BTreeSet<String> {
    resolve(spec, schema)["properties"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn body_schema<'a>(spec: &'a Value, path: &str, method: &str) -> &'a Value {
    let escaped = path.replace('~', "~0").replace('/', "~1");
    spec.pointer(&format!(
        "/paths/{escaped}/{method}/requestBody/content/application~1json/schema"
    ))
    .unwrap_or_else(|| panic!("no request body for {method} {path}"))
}

fn keys_of(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Fails naming each field that the spec has and the client lacks, or the other way round.
fn same(what: &str, spec: &BTreeSet<String>, ours: &BTreeSet<String>) {
    differ(what, ("the spec", spec), ("the client", ours));
}

/// Fails naming each field that one side has and the other lacks.
fn differ(what: &str, a: (&str, &BTreeSet<String>), b: (&str, &BTreeSet<String>)) {
    for ((has, more), (lacks, less)) in [(a, b), (b, a)] {
        let only: Vec<_> = more.difference(less).collect();
        assert!(
            only.is_empty(),
            "{what}: {has} has {only:?}, which {lacks} lacks"
        );
    }
}

fn body(req: Result<HttpRequest, tailscale_wire::error::Error>) -> Value {
    serde_json::from_str(req.expect("valid request").body.as_deref().expect("a body"))
        .expect("JSON")
}

#[test]
fn response_models_match_the_spec() {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    // Serializing an empty model lists every field it has (absent ones as null).
    let key_fields = keys_of(&serde_json::to_value(Key::default()).expect("Key serializes"));
    same("Key", &props(&spec, &schemas["Key"]), &key_fields);
    let caps = &schemas["KeyCapabilities"];
    let caps_fields =
        keys_of(&serde_json::to_value(keys::KeyCapabilities::default()).expect("serializes"));
    same("KeyCapabilities", &props(&spec, caps), &caps_fields);
    let devices = &caps["properties"]["devices"];
    same(
        "KeyCapabilities.devices",
        &props(&spec, devices),
        &keys_of(&serde_json::to_value(keys::DeviceCapabilities::default()).expect("serializes")),
    );
    same(
        "KeyCapabilities.devices.create",
        &props(&spec, &devices["properties"]["create"]),
        &keys_of(&serde_json::to_value(keys::CreateCapabilities::default()).expect("serializes")),
    );
    same(
        "OAuthApp",
        &props(&spec, &schemas["OAuthApp"]),
        &keys_of(&serde_json::to_value(OAuthApp::default()).expect("serializes")),
    );
}

fn fields_of<T: serde::Serialize>(model: T) -> BTreeSet<String> {
    keys_of(&serde_json::to_value(model).expect("serializes"))
}

#[test]
fn device_models_match_the_spec() {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    let device = &schemas["Device"];
    same(
        "Device",
        &props(&spec, device),
        &fields_of(Device::default()),
    );
    let nested = &device["properties"];
    let connectivity = &nested["clientConnectivity"];
    same(
        "Device.clientConnectivity",
        &props(&spec, connectivity),
        &fields_of(devices::ClientConnectivity::default()),
    );
    same(
        "Device.clientConnectivity.latency.*",
        &props(
            &spec,
            &connectivity["properties"]["latency"]["additionalProperties"],
        ),
        &fields_of(devices::DerpLatency::default()),
    );
    same(
        "Device.clientConnectivity.clientSupports",
        &props(&spec, &connectivity["properties"]["clientSupports"]),
        &fields_of(devices::ClientSupports::default()),
    );
    same(
        "Device.postureIdentity",
        &props(&spec, &nested["postureIdentity"]),
        &fields_of(devices::PostureIdentity::default()),
    );
    same(
        "Device.distro",
        &props(&spec, &nested["distro"]),
        &fields_of(devices::Distro::default()),
    );
    same(
        "DevicePostureAttributes",
        &props(&spec, &schemas["DevicePostureAttributes"]),
        &fields_of(DevicePostureAttributes::default()),
    );
}

#[test]
fn device_request_bodies_match_the_spec() {
    let spec = spec();
    let set = body(devices::set_attribute(
        &json!("n1"),
        &json!("custom:a"),
        &json!({ "value": 1, "expiry": "2026-01-01T00:00:00Z", "comment": "c" }),
    ));
    same(
        "setCustomDevicePostureAttributes body",
        &props(
            &spec,
            body_schema(
                &spec,
                "/device/{deviceId}/attributes/{attributeKey}",
                "post",
            ),
        ),
        &keys_of(&set),
    );
    let batch = body(devices::update_attributes(
        "-",
        &json!({ "nodes": { "n1": { "custom:a": { "value": 1, "expiry": "2026-01-01T00:00:00Z" } } }, "comment": "c" }),
    ));
    let schema = body_schema(&spec, "/tailnet/{tailnet}/device-attributes", "patch");
    same(
        "batchUpdateCustomDevicePostureAttributes body",
        &props(&spec, schema),
        &keys_of(&batch),
    );
    let entry =
        &schema["properties"]["nodes"]["additionalProperties"]["additionalProperties"]["anyOf"][0];
    same(
        "batchUpdateCustomDevicePostureAttributes nodes.*.*",
        &props(&spec, entry),
        &keys_of(&batch["nodes"]["n1"]["custom:a"]),
    );
}

#[test]
fn key_types_match_the_spec() {
    let spec = spec();
    let from_spec: BTreeSet<String> = serde_json::from_value(
        spec["components"]["schemas"]["Key"]["properties"]["keyType"]["enum"].clone(),
    )
    .expect("an enum");
    same(
        "Key.keyType",
        &from_spec,
        &KEY_TYPES.iter().map(|s| s.to_string()).collect(),
    );
    let create: BTreeSet<String> = serde_json::from_value(
        body_schema(&spec, "/tailnet/{tailnet}/keys", "post")["properties"]["keyType"]["enum"]
            .clone(),
    )
    .expect("an enum");
    same(
        "createKey keyType",
        &create,
        &["auth", "client", "federated"].map(String::from).into(),
    );
    let set: BTreeSet<String> = serde_json::from_value(
        body_schema(&spec, "/tailnet/{tailnet}/keys/{keyId}", "put")["properties"]["keyType"]
            ["enum"]
            .clone(),
    )
    .expect("an enum");
    same(
        "setKey keyType",
        &set,
        &["client", "federated"].map(String::from).into(),
    );
}

#[test]
fn request_bodies_match_the_spec() {
    let spec = spec();
    // Every option set, so that each body shows every field the client can send.
    let auth = json!({ "reusable": true, "ephemeral": true, "preauthorized": true, "tags": ["tag:a"], "expirySeconds": 60, "description": "d" });
    let client = json!({ "scopes": ["all"], "tags": ["tag:a"], "description": "d" });
    let federated = json!({ "scopes": ["all"], "tags": ["tag:a"], "description": "d", "issuer": "https://i.example", "subject": "s", "audience": "a", "customClaimRules": { "c": "v" } });
    let app = json!({ "name": "app", "description": "d", "redirectURIs": ["https://a.example/cb"], "scopes": ["all"], "allowedNodeAttributes": ["custom:a"] });

    let auth_body = body(keys::create_auth_key("-", &auth));
    let mut sent: BTreeSet<String> = keys_of(&auth_body);
    sent.extend(keys_of(&body(keys::create_oauth_client("-", &client))));
    sent.extend(keys_of(&body(keys::create_federated_identity(
        "-", &federated,
    ))));
    sent.insert("keyType".into());
    same(
        "createKey body",
        &props(&spec, body_schema(&spec, "/tailnet/{tailnet}/keys", "post")),
        &sent,
    );
    let create_caps = &spec["components"]["schemas"]["KeyCapabilities"]["properties"]["devices"]
        ["properties"]["create"];
    same(
        "createKey capabilities.devices.create",
        &props(&spec, create_caps),
        &keys_of(&auth_body["capabilities"]["devices"]["create"]),
    );

    let mut set: BTreeSet<String> =
        keys_of(&body(keys::set_oauth_client("-", &json!("k"), &client)));
    set.extend(keys_of(&body(keys::set_federated_identity(
        "-",
        &json!("k"),
        &federated,
    ))));
    same(
        "setKey body",
        &props(
            &spec,
            body_schema(&spec, "/tailnet/{tailnet}/keys/{keyId}", "put"),
        ),
        &set,
    );

    same(
        "createOAuthApp body",
        &props(
            &spec,
            body_schema(&spec, "/tailnet/{tailnet}/oauth-apps", "post"),
        ),
        &keys_of(&body(oauth_apps::create("-", &app))),
    );
    same(
        "updateOAuthApp body",
        &props(
            &spec,
            body_schema(&spec, "/tailnet/{tailnet}/oauth-apps/{appId}", "put"),
        ),
        &keys_of(&body(oauth_apps::update("-", &json!("a"), &app))),
    );
}

/// Fields every answer carries although the spec does not mark them `required` (the README's
/// "The client", **Types**). With the spec's own `required` fields, these are what the
/// runtime tables require and the TypeScript declarations make non-optional
/// (`tests/js/drift-types.test.mjs` holds the declarations to the same list).
const ALWAYS_ANSWERED: &[(&str, &str)] = &[("Key", "id"), ("OAuthApp", "id"), ("Device", "nodeId")];

/// The names a runtime table marks `Ty::Required`, the nested tables' with their dotted path.
fn required(fields: &[(&str, tailscale_wire::json::Ty)]) -> BTreeSet<String> {
    use tailscale_wire::json::Ty;
    let mut out = BTreeSet::new();
    for (name, ty) in fields {
        if let Ty::Required(_) = ty {
            out.insert(name.to_string());
        }
        if let Ty::Obj(inner) | Ty::Required(Ty::Obj(inner)) = ty {
            out.extend(required(inner).into_iter().map(|n| format!("{name}.{n}")));
        }
    }
    out
}

/// The spec's `required` names of a schema, and of its nested object properties (dotted).
fn spec_required(spec: &Value, schema: &Value) -> BTreeSet<String> {
    let schema = resolve(spec, schema);
    let mut out: BTreeSet<String> = schema["required"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
        let nested = spec_required(spec, prop);
        out.extend(nested.into_iter().map(|n| format!("{name}.{n}")));
    }
    out
}

#[test]
fn required_fields_are_the_specs_and_the_always_answered() {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    for (schema, table) in [
        ("Key", keys::KEY_FIELDS),
        ("OAuthApp", oauth_apps::OAUTH_APP_FIELDS),
        ("Device", devices::DEVICE_FIELDS),
        ("DevicePostureAttributes", devices::ATTRIBUTES_FIELDS),
    ] {
        let mut want = spec_required(&spec, &schemas[schema]);
        want.extend(
            ALWAYS_ANSWERED
                .iter()
                .filter(|(s, _)| *s == schema)
                .map(|(_, f)| f.to_string()),
        );
        differ(
            &format!("required fields of {schema}"),
            ("the spec and the README", &want),
            ("the runtime table", &required(table)),
        );
    }
    // A create's answer also requires its secret, and nothing else more.
    let created = |t: &[(&str, tailscale_wire::json::Ty)],
                   base: &[(&str, tailscale_wire::json::Ty)]| {
        required(t)
            .difference(&required(base))
            .cloned()
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        created(keys::CREATED_KEY_FIELDS, keys::KEY_FIELDS),
        BTreeSet::from(["key".to_string()])
    );
    assert_eq!(
        created(
            oauth_apps::CREATED_OAUTH_APP_FIELDS,
            oauth_apps::OAUTH_APP_FIELDS
        ),
        BTreeSet::from(["clientSecret".to_string()])
    );
}

/// The names in a runtime shape table (what the wasm checks without serde).
fn table(fields: &[(&str, tailscale_wire::json::Ty)]) -> BTreeSet<String> {
    fields.iter().map(|(name, _)| name.to_string()).collect()
}

#[test]
fn runtime_shape_tables_match_the_models() {
    // Not a spec check: these hold whether or not the spec is present.
    let models = [
        (
            "KEY_FIELDS vs Key",
            serde_json::to_value(Key::default()),
            keys::KEY_FIELDS,
        ),
        (
            "KEY_CAPABILITIES_FIELDS",
            serde_json::to_value(keys::KeyCapabilities::default()),
            keys::KEY_CAPABILITIES_FIELDS,
        ),
        (
            "DEVICE_CAPABILITIES_FIELDS",
            serde_json::to_value(keys::DeviceCapabilities::default()),
            keys::DEVICE_CAPABILITIES_FIELDS,
        ),
        (
            "CREATE_CAPABILITIES_FIELDS",
            serde_json::to_value(keys::CreateCapabilities::default()),
            keys::CREATE_CAPABILITIES_FIELDS,
        ),
        (
            "CREATED_KEY_FIELDS vs Key",
            serde_json::to_value(Key::default()),
            keys::CREATED_KEY_FIELDS,
        ),
        (
            "OAUTH_APP_FIELDS vs OAuthApp",
            serde_json::to_value(OAuthApp::default()),
            oauth_apps::OAUTH_APP_FIELDS,
        ),
        (
            "CREATED_OAUTH_APP_FIELDS vs OAuthApp",
            serde_json::to_value(OAuthApp::default()),
            oauth_apps::CREATED_OAUTH_APP_FIELDS,
        ),
        (
            "DEVICE_FIELDS vs Device",
            serde_json::to_value(Device::default()),
            devices::DEVICE_FIELDS,
        ),
        (
            "ATTRIBUTES_FIELDS vs DevicePostureAttributes",
            serde_json::to_value(DevicePostureAttributes::default()),
            devices::ATTRIBUTES_FIELDS,
        ),
    ];
    for (what, model, fields) in models {
        let model = keys_of(&model.expect("serializes"));
        differ(
            what,
            ("the model", &model),
            ("the shape table", &table(fields)),
        );
    }
}
