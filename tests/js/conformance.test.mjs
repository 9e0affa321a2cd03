// Request and response conformance against Tailscale's OpenAPI spec: a representative set of
// calls for every keys, OAuth-apps, devices and policy-file operation goes through the packed client to the demo
// tailnet; the demo tailnet's log gives the requests exactly as sent and the responses exactly as
// answered, and ajv (JSON Schema 2020-12) checks both against the spec, with every object schema
// closed: a property the spec does not define is a violation.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { TailscaleClient } from "tailscale-wasm";
import { startTailnet } from "./helpers.mjs";
import { spec, validator, escape, resolve, operationFor, responsePointer } from "./spec.mjs";

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
// The policy file: both reads, a conditional write and a stale one, an object written as JSON,
// update (which sends nothing when nothing changes), checks that pass and fail, tests and both
// previews.
const file = await call(client.policy.get());
await call(client.policy.get({ details: true }));
const written = await call(client.policy.set(file.text.replace("// Who is who", "// Who is who (conformance)"), { ifMatch: file.etag }));
await call(client.policy.set(file.text, { ifMatch: file.etag }), true);
await call(client.policy.update((doc) => doc.setPosture("posture:conformance", ["node:os IN ['linux', 'macos']", "custom:tier >= 2"])));
await call(client.policy.update(() => {}));
await call(client.policy.validate(written.text ?? file.text));
await call(client.policy.validate(file.text.replace("custom:provisioned == true", "custom:provisioned =! true")));
await call(client.policy.test([{ src: "amelie@example.com", srcPostureAttrs: { "custom:provisioned": true }, accept: ["tag:prod:443"], proto: "tcp" }]));
await call(client.policy.test([{ src: "amelie@example.com", deny: ["tag:prod:443"] }, { src: "tag:ci", accept: ["10.0.0.1:22"] }]));
await call(client.policy.preview(file.text, { type: "user", previewFor: "amelie@example.com" }));
await call(client.policy.preview(file.text, { type: "ipport", previewFor: "100.64.0.5:22" }));
await call(client.policy.set({ acls: [{ action: "accept", src: ["*"], dst: ["*:*"] }] }, { overwrite: true }));
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
    "getDevice", "getDevicePostureAttributes", "getKey", "getOAuthApp", "getPolicyFile", "listOAuthApps", "listTailnetDevices", "listTailnetKeys",
    "previewRuleMatches", "setCustomDevicePostureAttributes", "setKey", "setPolicyFile", "updateOAuthApp", "validateAndTestPolicyFile",
  ]);
});

test("every request body the client sent validates against its operation's schema, closed", () => {
  const violations = [];
  for (const r of seen.filter((r) => r.body && r.headers["user-agent"]?.startsWith("tailscale-wasm/"))) {
    const { template, method, op } = operationFor(r.method, r.path);
    // A policy file goes as HuJSON text (the spec's `application/hujson`, a string) or as JSON.
    const hujson = r.headers["content-type"] === "application/hujson";
    let body = hujson ? r.body : JSON.parse(r.body);
    // validateAndTestPolicyFile's JSON schema is "an array of tests, or a string: the JSON
    // representation of the policy file", and its description says a JSON object is a candidate
    // file: the object's text is that representation (README, "API notes").
    if (op.operationId === "validateAndTestPolicyFile" && !Array.isArray(body)) body = r.body;
    const validate = validator(`/paths/${escape(template)}/${method}/requestBody/content/application~1${hujson ? "hujson" : "json"}/schema`);
    if (!validate(body)) violations.push(`${r.method} ${r.path} ${r.body.slice(0, 200)}: ${JSON.stringify(validate.errors)}`);
  }
  assert.ok(seen.filter((r) => r.body).length >= 20);
  assert.deepEqual(violations, []);
});

test("every response validates against the spec, error bodies included", () => {
  const violations = [];
  let checked = 0;
  for (const r of seen) {
    const found = operationFor(r.method, r.path);
    const declared = resolve(found.op.responses[String(r.status)]);
    // The policy file answers HuJSON text (logged as a string) or JSON; an undeclared status
    // (400 on keys) is still the Error shape.
    const pointer = responsePointer(found, r.status, typeof r.response === "string" ? "application~1hujson" : "application~1json");
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
