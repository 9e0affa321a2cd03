// Model drift in the TypeScript declarations users get: the generated model types in the packed
// package against the spec, both ways (tests/drift.rs does the same for the Rust types), keys,
// OAuth apps and devices; and which fields they promise (required and non-null).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import ts from "typescript";
import { spec, resolve } from "./spec.mjs";

const require = createRequire(import.meta.url);
const models = require.resolve("tailscale-wasm/package.json").replace(/package\.json$/, "dist/models.d.ts");

const program = ts.createProgram([models], { strict: true, noEmit: true });
const checker = program.getTypeChecker();
const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(models)));

function declaredTypes() {
  const out = {};
  for (const symbol of exported) {
    out[symbol.name] = new Set(checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)).map((p) => p.name));
  }
  return out;
}

/** Each model's properties that are neither optional nor nullable: what the package promises. */
function promisedFields() {
  const out = {};
  for (const symbol of exported) {
    out[symbol.name] = new Set(
      checker
        .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))
        .filter((p) => !(p.flags & ts.SymbolFlags.Optional))
        .filter((p) => {
          const t = checker.getTypeOfSymbol(p);
          const parts = t.isUnion() ? t.types : [t];
          return !parts.some((part) => part.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined));
        })
        .map((p) => p.name),
    );
  }
  return out;
}

// Fields every answer carries although the spec does not mark them required (the README's "The
// client", **Types**); tests/drift.rs holds the runtime tables to the same list.
const ALWAYS_ANSWERED = { Key: ["id"], OAuthApp: ["id"], Device: ["nodeId"] };

const props = (schema) => new Set(Object.keys(resolve(schema).properties ?? {}));

function same(what, fromSpec, ours) {
  const missing = [...fromSpec].filter((p) => !ours.has(p));
  const extra = [...ours].filter((p) => !fromSpec.has(p));
  assert.deepEqual(missing, [], `${what}: the spec defines ${missing.join(", ")}, which the TypeScript types do not declare`);
  assert.deepEqual(extra, [], `${what}: the TypeScript types declare ${extra.join(", ")}, which the spec does not define`);
}

test("the TypeScript models match the spec", () => {
  const types = declaredTypes();
  const schemas = spec.components.schemas;
  const body = (path, method) => spec.paths[path][method].requestBody.content["application/json"].schema;
  same("Key", props(schemas.Key), types.Key);
  same("KeyCapabilities", props(schemas.KeyCapabilities), types.KeyCapabilities);
  same("KeyCapabilities.devices", props(schemas.KeyCapabilities.properties.devices), types.DeviceCapabilities);
  same("KeyCapabilities.devices.create", props(schemas.KeyCapabilities.properties.devices.properties.create), types.CreateCapabilities);
  same("OAuthApp", props(schemas.OAuthApp), types.OAuthApp);
  same("createOAuthApp body", props(body("/tailnet/{tailnet}/oauth-apps", "post")), types.OAuthAppOptions);
  same("updateOAuthApp body", props(body("/tailnet/{tailnet}/oauth-apps/{appId}", "put")), types.OAuthAppOptions);
  // setKey: the federated options carry every trust field; keyType is set by the method called.
  same("setKey body", props(body("/tailnet/{tailnet}/keys/{keyId}", "put")), new Set([...types.FederatedIdentityOptions, "keyType"]));
  // createKey: auth-key options are flattened from capabilities.devices.create.
  const create = schemas.KeyCapabilities.properties.devices.properties.create;
  const flattened = new Set([...types.CreateAuthKeyOptions].map((p) => (props(create).has(p) ? "capabilities" : p)));
  same("createKey body", props(body("/tailnet/{tailnet}/keys", "post")), new Set([...flattened, ...types.OAuthClientOptions, ...types.FederatedIdentityOptions, "keyType"]));
  same("createKey capabilities.devices.create", props(create), new Set([...types.CreateAuthKeyOptions].filter((p) => props(create).has(p))));
});

test("the TypeScript device models match the spec", () => {
  const types = declaredTypes();
  const schemas = spec.components.schemas;
  const device = schemas.Device.properties;
  const body = (path, method) => spec.paths[path][method].requestBody.content["application/json"].schema;
  same("Device", props(schemas.Device), types.Device);
  same("Device.clientConnectivity", props(device.clientConnectivity), types.ClientConnectivity);
  same("Device.clientConnectivity.latency.*", props(device.clientConnectivity.properties.latency.additionalProperties), types.DerpLatency);
  same("Device.clientConnectivity.clientSupports", props(device.clientConnectivity.properties.clientSupports), types.ClientSupports);
  same("Device.postureIdentity", props(device.postureIdentity), types.PostureIdentity);
  same("Device.distro", props(device.distro), types.Distro);
  same("DevicePostureAttributes", props(schemas.DevicePostureAttributes), types.DevicePostureAttributes);
  same("setCustomDevicePostureAttributes body", props(body("/device/{deviceId}/attributes/{attributeKey}", "post")), types.SetAttributeOptions);
  const batch = body("/tailnet/{tailnet}/device-attributes", "patch");
  same("batchUpdateCustomDevicePostureAttributes body", props(batch), types.UpdateAttributesOptions);
  same("batchUpdateCustomDevicePostureAttributes nodes.*.*", props(batch.properties.nodes.additionalProperties.additionalProperties.anyOf[0]), types.AttributeUpdate);
});

test("the fields the TypeScript models promise are the spec's required ones and the always-answered ones", () => {
  const promised = promisedFields();
  const schemas = spec.components.schemas;
  const device = schemas.Device.properties;
  const caps = schemas.KeyCapabilities.properties.devices;
  const answers = {
    Key: schemas.Key,
    KeyCapabilities: schemas.KeyCapabilities,
    DeviceCapabilities: caps,
    CreateCapabilities: caps.properties.create,
    OAuthApp: schemas.OAuthApp,
    Device: schemas.Device,
    ClientConnectivity: device.clientConnectivity,
    DerpLatency: device.clientConnectivity.properties.latency.additionalProperties,
    ClientSupports: device.clientConnectivity.properties.clientSupports,
    PostureIdentity: device.postureIdentity,
    Distro: device.distro,
    DevicePostureAttributes: schemas.DevicePostureAttributes,
  };
  for (const [name, schema] of Object.entries(answers)) {
    const want = new Set([...(resolve(schema).required ?? []), ...(ALWAYS_ANSWERED[name] ?? [])]);
    assert.deepEqual([...promised[name]].sort(), [...want].sort(), `${name}: the declarations promise ${[...promised[name]].join(", ") || "nothing"}; the spec and the README say ${[...want].join(", ") || "nothing"}`);
  }
});
