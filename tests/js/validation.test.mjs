// Bad input: rejected before anything is sent, with every problem listed.
import { test, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import * as api from "tailscale-wasm";
import { startTailnet } from "./helpers.mjs";

const { TailscaleClient, TailscaleValidationError, TailscaleError } = api;
const { tailnet, baseUrl } = await startTailnet();
const client = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
after(() => tailnet.close());
beforeEach(() => tailnet.resetStats());

const fieldsOf = (e) => e.issues.map((i) => i.field);

async function rejectsWith(promise, fields) {
  const err = await promise.then(() => assert.fail("expected a rejection"), (e) => e);
  assert.ok(err instanceof TailscaleValidationError, String(err));
  assert.ok(err instanceof TailscaleError && err instanceof Error);
  assert.deepEqual(fieldsOf(err), fields);
  assert.equal(tailnet.requests.length, 0, "nothing was sent");
  return err;
}

test("each method rejects bad input with every problem and sends nothing", async () => {
  await rejectsWith(client.keys.createAuthKey({ tags: ["server", "tag:ok"], expirySeconds: 7776001, description: "no_underscores", reusable: "yes", expiry: 1 }), ["reusable", "tags[0]", "expirySeconds", "description", "expiry"]);
  await rejectsWith(client.keys.createOAuthClient({ scopes: ["auth_keys"] }), ["tags"]);
  await rejectsWith(client.keys.createOAuthClient({}), ["scopes"]);
  await rejectsWith(client.keys.createFederatedIdentity({ scopes: ["all:read"], issuer: "http://insecure.example", subject: "", audience: "", customClaimRules: { sub: "x" } }), ["issuer", "subject", "audience", "customClaimRules"]);
  await rejectsWith(client.keys.setOAuthClient("", { scopes: ["Bad Scope"] }), ["keyId", "scopes[0]"]);
  await rejectsWith(client.keys.setFederatedIdentity("k1", { scopes: ["all:read"] }), ["issuer", "subject"]);
  await rejectsWith(client.keys.get(""), ["keyId"]);
  await rejectsWith(client.keys.get(".."), ["keyId"]);
  await rejectsWith(client.keys.delete(42), ["keyId"]);
  await rejectsWith(client.keys.list({ all: "yes" }), ["all"]);
  await rejectsWith(client.oauthApps.create({ name: "x", redirectURIs: ["http://example.com/cb", "https://10.1.1.1/cb"], scopes: [], allowedNodeAttributes: ["provisioned"], description: "d".repeat(301) }), ["redirectURIs[0]", "redirectURIs[1]", "scopes", "allowedNodeAttributes[0]", "name", "description"]);
  await rejectsWith(client.oauthApps.update("", { name: "okay" }), ["appId", "redirectURIs", "scopes"]);
  await rejectsWith(client.oauthApps.get(""), ["appId"]);
  await rejectsWith(client.oauthApps.delete(""), ["appId"]);
});

test("non-data input and a bad options argument are validation errors too", async () => {
  // A function where a string belongs is named precisely.
  await rejectsWith(client.keys.createAuthKey({ tags: [() => 1] }), ["tags[0]"]);
  await rejectsWith(client.keys.createAuthKey("tag:x"), [""]);
  await rejectsWith(client.keys.get("k1", { signal: "nope" }), ["signal"]);
  await rejectsWith(client.keys.get("k1", { timeout: 5 }), ["options"]);
});

test("the constructor throws unless exactly one credential is given", () => {
  const throwsValidation = (opts, fields) => {
    assert.throws(() => new TailscaleClient(opts), (e) => e instanceof TailscaleValidationError && (!fields || assert.deepEqual(fieldsOf(e), fields) === undefined));
  };
  throwsValidation({}, [""]);
  throwsValidation(undefined);
  throwsValidation({ apiKey: "a", oauth: { clientId: "c", clientSecret: "s" } }, [""]);
  throwsValidation({ apiKey: "a", federated: { clientId: "c", idToken: "x.y.z" } }, [""]);
  throwsValidation({ oauth: { clientId: "c" } }, ["oauth.clientSecret"]);
  throwsValidation({ federated: { clientId: "c" } }, ["federated.idToken"]);
  throwsValidation({ apiKey: "k", baseUrl: "ftp://x", timeoutMs: -1, maxConcurrency: 0 }, ["baseUrl", "timeoutMs", "maxConcurrency"]);
  assert.equal(tailnet.requests.length, 0);
});

test("the exported validators run the same checks", () => {
  assert.deepEqual(api.validateTag("tag:server"), []);
  assert.deepEqual(api.validateTag("server"), [{ field: "tag", message: 'must start with "tag:"' }]);
  assert.deepEqual(api.validateScope("devices:core:read"), []);
  assert.equal(api.validateScope("Devices").length, 1);
  assert.deepEqual(api.validateNodeAttribute("custom:provisioned"), []);
  assert.match(api.validateNodeAttribute("provisioned")[0].message, /custom:/);
  assert.deepEqual(api.validateRedirectUri("http://localhost:8080/cb"), []);
  assert.equal(api.validateRedirectUri("http://example.com/cb").length, 1);
  assert.deepEqual(api.validateCreateAuthKey({ tags: ["tag:a"], expirySeconds: 60 }), []);
  assert.deepEqual(api.validateCreateAuthKey(), []);
  assert.deepEqual(fieldsOf({ issues: api.validateCreateAuthKey({ expirySeconds: 0 }) }), ["expirySeconds"]);
  assert.deepEqual(fieldsOf({ issues: api.validateCreateOAuthClient({ scopes: ["devices:core"] }) }), ["tags"]);
  assert.deepEqual(fieldsOf({ issues: api.validateCreateFederatedIdentity({ scopes: ["all"], tags: ["tag:a"], issuer: "https://i", subject: "s" }) }), []);
  assert.deepEqual(fieldsOf({ issues: api.validateOAuthApp({ name: "ok-app", redirectURIs: ["https://a/cb"], scopes: ["all"], allowedNodeAttributes: ["custom:x", "x"] }) }), ["allowedNodeAttributes[1]"]);
  assert.equal(api.validateTag(5).length, 1);
});

test("the exported device validators run the same checks as the device methods", () => {
  assert.deepEqual(api.validateAttributeKey("custom:rack_2:a"), []);
  assert.match(api.validateAttributeKey("node:os")[0].message, /custom:/);
  assert.equal(api.validateAttributeKey(`custom:${"a".repeat(122)}`)[0].field, "key");
  for (const ok of ["a.b_c", "x".repeat(50), 0, -(2 ** 53 - 1), 2 ** 53 - 1, true, false]) assert.deepEqual(api.validateAttributeValue(ok), [], String(ok));
  for (const bad of ["", "x".repeat(51), "a b", 1.5, 2 ** 53, NaN, null, undefined, [], {}]) assert.equal(api.validateAttributeValue(bad).length, 1, String(bad));
  assert.deepEqual(api.validateSetAttribute({ value: "on" }), []);
  assert.deepEqual(api.validateSetAttribute({ deviceId: "n1", key: "custom:a", value: 1, expiry: "2026-12-01T05:23:30Z", comment: "ok" }), []);
  assert.deepEqual(fieldsOf({ issues: api.validateSetAttribute({ deviceId: "..", key: "a", value: "a b", expiry: "soon", comment: "c".repeat(201) }) }), ["deviceId", "key", "value", "expiry", "comment"]);
  assert.deepEqual(api.validateUpdateAttributes({ nodes: { n1: { "custom:a": { value: 1 }, "custom:b": null } }, comment: "c" }), []);
  assert.deepEqual(fieldsOf({ issues: api.validateUpdateAttributes({ nodes: { n1: { "custom:a": { value: 1, expiry: "x" } } } }) }), ["nodes.n1.custom:a.expiry"]);
  assert.deepEqual(fieldsOf({ issues: api.validateUpdateAttributes({}) }), ["nodes"]);
});
