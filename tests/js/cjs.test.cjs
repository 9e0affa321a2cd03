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
    // The policy file through require(): an edit that keeps the comments, written with If-Match.
    // The policy tools are required on first use, with nothing imported for them.
    const result = await client.policy.update((doc) => doc.setPosture("posture:cjs", ["custom:cjs IS SET"]));
    assert.equal(result.changed, true);
    assert.ok(result.text.includes("// Who is who") && result.text.includes('"posture:cjs"'));
    const policy = require("tailscale-wasm/policy");
    assert.equal(policy.parsePostureCondition("custom:cjs IS SET").operator, "IS SET");
    const invalid = (() => { try { policy.parsePostureCondition("custom:x ="); } catch (e) { return e; } })();
    assert.ok(invalid instanceof api.TailscaleValidationError, "one set of error classes for both modules");
    const esmPolicy = await import("tailscale-wasm/policy");
    assert.equal(esmPolicy.PolicyDocument, policy.PolicyDocument, "ESM and CJS share one policy instance");
    assert.deepEqual(Object.keys(esmPolicy).filter((k) => k !== "default").sort(), Object.keys(policy).sort());
  } finally {
    await tailnet.close();
  }
});

test("every documented export is present", () => {
  const names = ["TailscaleClient", "validateCreateAuthKey", "validateCreateOAuthClient", "validateCreateFederatedIdentity", "validateOAuthApp", "validateTag", "validateScope", "validateNodeAttribute", "validateRedirectUri", "validateAttributeKey", "validateAttributeValue", "validateSetAttribute", "validateUpdateAttributes", "TailscaleError", "TailscaleValidationError", "TailscaleApiError", "TailscaleNetworkError", "TailscaleTimeoutError", "TailscaleResponseError", "DeviceProvisioning", "TailscaleAuthorizationError"];
  for (const n of names) assert.equal(typeof api[n], "function", n);
  assert.equal(api.__fromCore, undefined, "internals stay internal");
  // The policy tools are their own entry; the root has none of them.
  for (const n of ["PolicyDocument", "parsePostureCondition", "evaluatePosture"]) {
    assert.equal(api[n], undefined, n);
    assert.equal(typeof require("tailscale-wasm/policy")[n], "function", n);
  }
  assert.deepEqual(Object.keys(require("tailscale-wasm/policy")).filter((k) => k.startsWith("__")), [], "internals stay internal");
});

test("DeviceProvisioning through require(): consent URL, callback, exchange", async () => {
  const { createDemoTailnet } = await import("../../www/demo-tailnet.mjs");
  const tailnet = createDemoTailnet();
  const baseUrl = await tailnet.listen();
  try {
    const admin = new api.TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
    const redirectUri = "http://127.0.0.1:9/callback";
    const app = await admin.oauthApps.create({ name: "cjs-provisioner", redirectURIs: [redirectUri], scopes: ["auth_keys"] });
    const flow = new api.DeviceProvisioning({ clientId: app.id, clientSecret: app.clientSecret, redirectUri, loginUrl: baseUrl, baseUrl });
    const { url, state } = flow.authorizationUrl();
    const allow = (await (await fetch(url)).text()).match(/id="allow" href="([^"]+)"/)[1];
    const callback = (await fetch(new URL(allow, url), { redirect: "manual" })).headers.get("location");
    const { code } = flow.parseCallback(callback, state);
    const grant = await flow.exchange(code);
    assert.match(grant.authKey, /^tskey-auth-/);
    assert.throws(() => flow.parseCallback(callback.replace(state, "forged"), state), api.TailscaleValidationError);
    assert.throws(() => flow.parseCallback(`${redirectUri}?error=access_denied&state=${state}`, state), api.TailscaleAuthorizationError);
  } finally {
    await tailnet.close();
  }
});
