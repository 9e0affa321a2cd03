// Request and response conformance against Tailscale's OpenAPI spec: a representative set of
// calls for every keys, OAuth-apps and devices operation goes through the packed client to the demo
// tailnet; the demo tailnet's log gives the requests exactly as sent and the responses exactly as
// answered, and ajv (JSON Schema 2020-12) checks both against the spec, with every object schema
// closed: a property the spec does not define is a violation.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { TailscaleClient } from "tailscale-wasm";
import { startTailnet } from "./helpers.mjs";
import { spec, validator, escape, resolve, operationFor } from "./spec.mjs";

const { tailnet, baseUrl } = await startTailnet();
after(() => tailnet.close());
const client = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
tailnet.resetStats();

// The representative set: each key type, each optional field present and absent, PUT for both
// trust-credential types, allowedNodeAttributes, and errors.
// A call the demo tailnet refuses is recorded, not fatal, so the schema checks below still
// see what was sent. `expectFailure` marks the calls meant to fail.
const failed = [];
const call = (promise, expectFailure = false) => promise.catch((err) => (expectFailure ? null : failed.push(String(err)), {}));
const authOptional = { reusable: true, ephemeral: false, preauthorized: true, tags: ["tag:ci"], expirySeconds: 3600, description: "all fields" };
await call(client.keys.list());
await call(client.keys.list({ all: true }));
const auth = await call(client.keys.createAuthKey({}));
for (const [field, value] of Object.entries(authOptional)) await call(client.keys.createAuthKey({ [field]: value }));
await call(client.keys.createAuthKey(authOptional));
const oc = await call(client.keys.createOAuthClient({ scopes: ["all:read"] }));
await call(client.keys.createOAuthClient({ scopes: ["auth_keys"], tags: ["tag:ci"], description: "robot" }));
const fedMin = { scopes: ["all:read"], issuer: "https://issuer.example", subject: "repo:*" };
const fedAll = { ...fedMin, tags: ["tag:ci"], audience: "aud", customClaimRules: { env: "prod" }, description: "full" };
const fed = await call(client.keys.createFederatedIdentity(fedMin));
await call(client.keys.createFederatedIdentity(fedAll));
await call(client.keys.setOAuthClient(oc.id, { scopes: ["all:read"] }));
await call(client.keys.setOAuthClient(oc.id, { scopes: ["devices:core"], tags: ["tag:ci"], description: "updated" }));
await call(client.keys.setFederatedIdentity(fed.id, fedMin));
await call(client.keys.setFederatedIdentity(fed.id, fedAll));
await call(client.keys.get(auth.id));
await call(client.keys.delete(auth.id));
await call(client.keys.get(auth.id));
await call(client.keys.get("missing"), true);
const appMin = { name: "conf-app", redirectURIs: ["https://a.example/cb"], scopes: ["devices:core"] };
const appAll = { ...appMin, description: "every field", allowedNodeAttributes: ["custom:provisioned", "custom:rack:a1"] };
const app = await call(client.oauthApps.create(appMin));
await call(client.oauthApps.create({ ...appAll, name: "conf-app-2" }));
await call(client.oauthApps.list());
await call(client.oauthApps.get(app.id));
await call(client.oauthApps.update(app.id, appAll));
await call(client.oauthApps.update(app.id, appMin));
await call(client.oauthApps.delete(app.id));
await call(client.oauthApps.get(app.id), true);
// Devices: both field sets, filters, each attribute value type with and without its options,
// a batch update that sets and deletes, and a device that does not exist.
const devices = await call(client.devices.list());
await call(client.devices.list({ fields: "all", filter: { tags: ["tag:router"], isEphemeral: false } }));
const device = devices[0] ?? {};
await call(client.devices.get(device.nodeId));
await call(client.devices.get(device.nodeId, { fields: "all" }));
await call(client.devices.get("nMISSINGCNTRL"), true);
await call(client.devices.getAttributes(device.nodeId));
await call(client.devices.setAttribute(device.nodeId, "custom:confString", { value: "a.b_c" }));
await call(client.devices.setAttribute(device.nodeId, "custom:confNumber", { value: -42, expiry: "2099-12-01T05:23:30Z" }));
await call(client.devices.setAttribute(device.nodeId, "custom:confBool", { value: true, expiry: "2099-12-01T05:23:30.5+02:00", comment: "conformance" }));
await call(client.devices.deleteAttribute(device.nodeId, "custom:confString"));
await call(client.devices.updateAttributes({ nodes: { [device.nodeId]: { "custom:confNumber": null, "custom:confBatch": { value: 1, expiry: "2099-01-01T00:00:00Z" } } } }));
await call(client.devices.updateAttributes({ nodes: { [device.nodeId]: { "custom:confBatch": { value: 2 } } }, comment: "again" }));
// Error answers to requests the client would refuse, sent raw.
const raw = (method, path, body) => fetch(baseUrl + path, { method, headers: { authorization: `Bearer ${tailnet.credentials.apiKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
await raw("POST", "/api/v2/tailnet/-/oauth-apps", { name: "x", redirectURIs: [], scopes: [] });
await raw("POST", "/api/v2/tailnet/-/keys", { capabilities: { devices: {} }, unknownField: 1 });
await raw("GET", "/api/v2/tailnet/nope/keys");
const seen = tailnet.requests.map((r) => ({ ...r }));

test("every representative call succeeded", () => assert.deepEqual(failed, []));

test("every request is a documented operation", () => {
  const undocumented = seen.filter((r) => !operationFor(r.method, r.path)).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(undocumented, []);
  const covered = new Set(seen.map((r) => operationFor(r.method, r.path).op.operationId));
  assert.deepEqual([...covered].sort(), [
    "batchUpdateCustomDevicePostureAttributes", "createKey", "createOAuthApp", "deleteCustomDevicePostureAttributes", "deleteKey", "deleteOAuthApp",
    "getDevice", "getDevicePostureAttributes", "getKey", "getOAuthApp", "listOAuthApps", "listTailnetDevices", "listTailnetKeys",
    "setCustomDevicePostureAttributes", "setKey", "updateOAuthApp",
  ]);
});

test("every request body the client sent validates against its operation's schema, closed", () => {
  const violations = [];
  for (const r of seen.filter((r) => r.body && r.headers["user-agent"]?.startsWith("tailscale-wasm/"))) {
    const { template, method } = operationFor(r.method, r.path);
    const validate = validator(`/paths/${escape(template)}/${method}/requestBody/content/application~1json/schema`);
    if (!validate(JSON.parse(r.body))) violations.push(`${r.method} ${r.path} ${r.body}: ${JSON.stringify(validate.errors)}`);
  }
  assert.ok(seen.filter((r) => r.body).length >= 20);
  assert.deepEqual(violations, []);
});

test("every response validates against the spec, error bodies included", () => {
  const violations = [];
  let checked = 0;
  for (const r of seen) {
    const { template, method, op } = operationFor(r.method, r.path);
    const declared = resolve(op.responses[String(r.status)]);
    const pointer = declared
      ? op.responses[String(r.status)].$ref
        ? `${op.responses[String(r.status)].$ref.slice(1)}/content/application~1json/schema`
        : `/paths/${escape(template)}/${method}/responses/${r.status}/content/application~1json/schema`
      : "/components/schemas/Error"; // An undeclared status (400 on keys): still the Error shape.
    if (!declared && r.status < 400) violations.push(`${r.method} ${r.path}: status ${r.status} is not documented`);
    if (!declared?.content && declared) {
      if (r.response !== undefined) violations.push(`${r.method} ${r.path}: ${r.status} has no documented body but got one`);
      continue;
    }
    const validate = validator(pointer);
    checked++;
    if (!validate(r.response)) violations.push(`${r.method} ${r.path} -> ${r.status}: ${JSON.stringify(validate.errors)}`);
  }
  assert.ok(checked >= 30, `${checked} bodies checked`);
  assert.deepEqual(violations, []);
});
