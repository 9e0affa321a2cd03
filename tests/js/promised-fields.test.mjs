// What the declarations promise holds at run time, from the packed package: an answer without a
// field typed as always there (`Key.id`, `OAuthApp.id`, `Device.nodeId`, a create's secret) is a
// TailscaleResponseError naming the field, never a value whose `id` is `undefined`.
import { test, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { TailscaleClient, TailscaleResponseError } from "tailscale-wasm";
import { startTailnet } from "./helpers.mjs";

const { tailnet, baseUrl } = await startTailnet();
after(() => tailnet.close());
beforeEach(() => tailnet.resetStats());
const client = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl, maxRetries: 0 });
const anApp = { name: "promise-app", redirectURIs: ["https://a.example/cb"], scopes: ["all"] };

/** Answers the next matching request with `body` (status 200), and returns the call's error. */
async function failure(method, path, body, call) {
  tailnet.fault({ method, path, body: JSON.stringify(body), times: 1 });
  const err = await call().then(
    (value) => assert.fail(`resolved to ${JSON.stringify(value)}`),
    (e) => e,
  );
  assert.ok(err instanceof TailscaleResponseError, String(err));
  assert.equal(err.status, 200);
  return err.message;
}

test("an answer without a promised id rejects, naming the field", async () => {
  const missing = (field) => new RegExp(`unexpected shape \\(\`${field.replace(/[[\].]/g, "\\$&")}\` is missing\\)`);
  assert.match(await failure("GET", "/keys/k1", { keyType: "auth" }, () => client.keys.get("k1")), missing("id"));
  assert.match(await failure("GET", "/keys", { keys: [{ id: "k1" }, { id: null }] }, () => client.keys.list()), missing("keys[1].id"));
  assert.match(await failure("GET", "/oauth-apps", { oauthApps: [{ name: "a" }] }, () => client.oauthApps.list()), missing("oauthApps[0].id"));
  assert.match(await failure("GET", "/devices", { devices: [{ id: "123", name: "pangolin" }] }, () => client.devices.list()), missing("devices[0].nodeId"));
  assert.match(await failure("GET", "/device/n1", { id: "123" }, () => client.devices.get("n1")), missing("nodeId"));
  assert.match(await failure("POST", "/keys", { id: "k9", keyType: "auth" }, () => client.keys.createAuthKey({})), missing("key"));
  assert.match(await failure("POST", "/oauth-apps", { id: "a9", name: "promise-app" }, () => client.oauthApps.create(anApp)), missing("clientSecret"));
});

test("every other field may be absent, and what the demo tailnet answers has every promised one", async () => {
  tailnet.fault({ method: "GET", path: "/keys/k1", body: JSON.stringify({ id: "k1" }), times: 1 });
  assert.deepEqual(await client.keys.get("k1"), { id: "k1" });
  const created = await client.keys.createAuthKey({ tags: ["tag:ci"] });
  assert.equal(typeof created.id, "string");
  assert.match(created.key, /^tskey-auth-/);
  await client.keys.delete(created.id);
  const app = await client.oauthApps.create(anApp);
  assert.equal(typeof app.clientSecret, "string");
  await client.oauthApps.delete(app.id);
  for (const device of await client.devices.list({ fields: "all" })) assert.equal(typeof device.nodeId, "string");
  for (const key of await client.keys.list({ all: true })) assert.equal(typeof key.id, "string");
});
