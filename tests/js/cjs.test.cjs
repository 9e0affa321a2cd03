// CommonJS users: require() gives the same API, and errors are instances of the exported classes.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const api = require("tailscale-wasm");

test("require('tailscale-wasm') works against the demo tailnet", async () => {
  const { createDemoTailnet } = await import("../../www/demo-tailnet.mjs");
  const tailnet = createDemoTailnet();
  const baseUrl = await tailnet.listen();
  try {
    const client = new api.TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
    const keys = await client.keys.list();
    assert.ok(keys.length > 0);
    const err = await client.keys.get("missing").catch((e) => e);
    assert.ok(err instanceof api.TailscaleApiError && err instanceof api.TailscaleError && err instanceof Error);
    assert.equal(err.status, 404);
    // ESM and CJS share one instance in Node, so instanceof holds across both.
    const esm = await import("tailscale-wasm");
    assert.equal(esm.TailscaleClient, api.TailscaleClient);
    // index.mjs lists its names by hand: it must list exactly what CommonJS exports.
    assert.deepEqual(Object.keys(esm).filter((k) => k !== "default").sort(), Object.keys(api).sort());
    assert.ok(err instanceof esm.TailscaleApiError);
  } finally {
    await tailnet.close();
  }
});

test("every documented export is present", () => {
  const names = ["TailscaleClient", "validateCreateAuthKey", "validateCreateOAuthClient", "validateCreateFederatedIdentity", "validateOAuthApp", "validateTag", "validateScope", "validateNodeAttribute", "validateRedirectUri", "validateAttributeKey", "validateAttributeValue", "validateSetAttribute", "validateUpdateAttributes", "TailscaleError", "TailscaleValidationError", "TailscaleApiError", "TailscaleNetworkError", "TailscaleTimeoutError", "TailscaleResponseError", "DeviceProvisioning", "TailscaleAuthorizationError"];
  for (const n of names) assert.equal(typeof api[n], "function", n);
  assert.equal(api.__fromCore, undefined, "internals stay internal");
});
