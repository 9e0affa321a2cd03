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
    // ESM and CJS share one instance in this Node (20.19 or later: `require` takes the ES module
    // entry too), so instanceof holds across both.
    const esm = await import("tailscale-wasm");
    assert.equal(esm.TailscaleClient, api.TailscaleClient);
    assert.deepEqual(Object.keys(esm).sort(), Object.keys(api).sort());
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
    assert.deepEqual(Object.keys(esmPolicy).sort(), Object.keys(policy).sort());
  } finally {
    await tailnet.close();
  }
});

// The CommonJS entries, which serve `require` on Nodes that cannot require an ES module (18 and
// early 20s and 22s: tests/e2e/runtimes.test.mjs runs them there), export what the ES module
// entries' lists (exports.js, policy-exports.js) name, and nothing else.
test("index.cjs and policy.cjs export the names the ES module entries list", async () => {
  const dir = require("node:path").join(require.resolve("tailscale-wasm"), "..");
  assert.match(require.resolve("tailscale-wasm"), /index\.node\.js$/, "this Node requires the ES module entry");
  const keys = (m) => Object.keys(m).sort();
  assert.deepEqual(keys(require(`${dir}/index.cjs`)), keys(api));
  assert.deepEqual(keys(require(`${dir}/policy.cjs`)), keys(require("tailscale-wasm/policy")));
});

// The entry every Node with `module-sync` loads takes its builtins from process.getBuiltinModule:
// an ES module import of one makes Node build a facade of all its exports, a cold-start cost
// (BENCHMARKS.md) no timing in a test could see. Nodes without `module-sync` get the legacy
// entry, which imports them.
test("Node's module-sync entry imports no builtin; the legacy entry serves the others", () => {
  const { readFileSync } = require("node:fs");
  const dir = require("node:path").join(require.resolve("tailscale-wasm"), "..");
  const { node } = require(`${dir}/package.json`).exports["."];
  assert.equal(node["module-sync"].default, "./index.node.js");
  assert.equal(node.import.default, "./index.node-legacy.js");
  // Every specifier of a static import or re-export (`from "x"`, `import "x"`) or a dynamic
  // `import("x")`, builtins with or without their `node:` prefix.
  const builtins = (file) =>
    [...readFileSync(`${dir}/${file}`, "utf8").matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g)]
      .map((m) => m[1])
      .filter((specifier) => require("node:module").isBuiltin(specifier));
  assert.deepEqual(builtins("index.node.js"), []);
  assert.deepEqual(builtins("index.node-legacy.js"), ["node:fs", "node:crypto"]);
  // And no module of its own but the policy tools' on first use: the error classes are bundled
  // in (one module fewer at a cold start), and errors.js shares them with the policy entry.
  const statics = [...readFileSync(`${dir}/index.node.js`, "utf8").matchAll(/(?:\bfrom|^import)\s*["']([^"']+)["']/gm)].map((m) => m[1]);
  assert.deepEqual(statics, []);
});

// Node's entries carry their own copy of errors.js, the policy entry and the CommonJS entry
// theirs: the classes are registered once per realm under a global symbol, so `instanceof`
// holds whichever copy made an error and whichever entry was loaded first. Each order runs in a
// fresh process; the CommonJS entry is index.cjs itself, which this Node's `require` would not
// take (it takes the ES module entry), but Node 18's and Bun's do.
test("one set of error classes per realm, whichever entry loads first", () => {
  const { execFileSync } = require("node:child_process");
  const { version } = require("tailscale-wasm/package.json");
  const script = (order, sealed) => `
    ${sealed ? "Object.preventExtensions(globalThis);" : ""}
    const load = {
      policy: () => import("tailscale-wasm/policy"),
      core: () => import("tailscale-wasm"),
      cjs: async () => (await import("node:module")).createRequire(import.meta.url)(process.argv[1] + "/index.cjs"),
    };
    const m = {};
    for (const name of ${JSON.stringify(order)}) m[name] = await load[name]();
    const thrown = (f) => { try { f(); } catch (e) { return e; } };
    const fromPolicy = thrown(() => m.policy.parsePostureCondition("custom:x ="));
    const fromCore = thrown(() => new m.core.TailscaleClient({}));
    const fromCjs = thrown(() => new m.cjs.TailscaleClient({}));
    const key = Object.getOwnPropertySymbols(globalThis).find((s) => s.description?.startsWith("tailscale-wasm"));
    console.log(JSON.stringify({
      policyToCore: fromPolicy instanceof m.core.TailscaleValidationError,
      coreToCjs: fromCore instanceof m.cjs.TailscaleValidationError && m.cjs.TailscaleError === m.core.TailscaleError,
      cjsToPolicy: fromCjs instanceof m.policy.TailscaleValidationError,
      own: [[fromPolicy, m.policy], [fromCore, m.core], [fromCjs, m.cjs]].every(([e, api]) => e instanceof api.TailscaleValidationError && e.name === "TailscaleValidationError"),
      key: key?.description ?? null,
      enumerable: key ? Object.getOwnPropertyDescriptor(globalThis, key).enumerable : null,
    }));`;
  const dir = require("node:path").join(require.resolve("tailscale-wasm"), "..");
  const run = (order, sealed = false) => JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script(order, sealed), dir], { cwd: __dirname, encoding: "utf8" }));
  for (const order of [["policy", "core", "cjs"], ["core", "cjs", "policy"], ["cjs", "policy", "core"]]) {
    assert.deepEqual(run(order), { policyToCore: true, coreToCjs: true, cjsToPolicy: true, own: true, key: `tailscale-wasm@${version} errors`, enumerable: false }, order.join(" then "));
  }
  // A global object that takes no new property (frozen, sealed, or made non-extensible) takes
  // no registration: each copy keeps its own classes, and each entry throws its own.
  assert.deepEqual(run(["policy", "core", "cjs"], true), { policyToCore: false, coreToCjs: false, cjsToPolicy: false, own: true, key: null, enumerable: null });
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
