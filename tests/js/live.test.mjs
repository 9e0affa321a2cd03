// `make live`'s script (tests/js/live.mjs) kept from rotting: run against a demo tailnet through
// TAILSCALE_API_URL, with either credential, after a failure and after an interrupt; each time
// nothing it made is left, and it stays within its request budget.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { TailscaleClient } from "tailscale-wasm";
import { startTailnet, until, gate } from "./helpers.mjs";

const script = fileURLToPath(new URL("./live.mjs", import.meta.url));
const { tailnet, baseUrl } = await startTailnet();
after(() => tailnet.close());
const admin = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
const device = (await admin.devices.list())[0];

// The variables it reads, cleared so that the caller's own never leak into these runs.
const VARS = ["TAILSCALE_API_KEY", "TS_OAUTH_CLIENT_ID", "TS_OAUTH_CLIENT_SECRET", "TAILSCALE_TAILNET", "TAILSCALE_LIVE_TAGS", "TAILSCALE_LIVE_DEVICE", "TAILSCALE_API_URL", "TAILSCALE_BASE_URL"];
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !VARS.includes(k)));
const demo = { TAILSCALE_API_URL: baseUrl, TAILSCALE_TAILNET: tailnet.tailnet, TAILSCALE_LIVE_DEVICE: device.nodeId };

/** Runs the script; resolves to its exit code and output. `during` gets the child and its
 *  output so far. */
function live(vars, during) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { env: { ...cleanEnv, ...vars }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code, out }));
    during?.(child, () => out);
  });
}

/** Nothing the run made is left: no active key or app with its label, no attribute. */
async function nothingLeft(out) {
  const label = out.match(/named "(tailscale-wasm live \d{8}T\d{6})"/)?.[1];
  assert.ok(label, out);
  assert.deepEqual((await admin.keys.list()).filter((k) => k.description === label), [], "a key is left");
  assert.deepEqual((await admin.oauthApps.list()).filter((a) => a.description?.startsWith(label)), [], "an app is left");
  assert.equal((await admin.devices.getAttributes(device.nodeId)).attributes["custom:tailscale_wasm_live"], undefined, "the attribute is left");
}

test("without credentials it says what it needs in one line and exits 0", async () => {
  for (const vars of [{}, { TAILSCALE_API_KEY: "tskey-api-x" }, { TS_OAUTH_CLIENT_ID: "k", TS_OAUTH_CLIENT_SECRET: "s", TAILSCALE_TAILNET: "t" }]) {
    const { code, out } = await live(vars);
    assert.equal(code, 0, out);
    assert.equal(out.trim().split("\n").length, 1, out);
    assert.match(out, /^SKIPPED make live: set .*TAILSCALE_/);
  }
});

for (const [mode, vars] of [
  ["an API key", { TAILSCALE_API_KEY: tailnet.credentials.apiKey }],
  ["an OAuth client", { TS_OAUTH_CLIENT_ID: tailnet.credentials.oauth.clientId, TS_OAUTH_CLIENT_SECRET: tailnet.credentials.oauth.clientSecret, TAILSCALE_LIVE_TAGS: "tag:ci" }],
]) {
  test(`against the demo tailnet with ${mode}: every check passes, within budget, and nothing is left`, { timeout: 120_000 }, async () => {
    tailnet.resetStats();
    // A rate limit on the way: the run waits it out.
    tailnet.fault({ method: "GET", path: "/oauth-apps", status: 429, retryAfter: "1" });
    const { code, out } = await live({ ...vars, ...demo });
    assert.equal(code, 0, out);
    assert.match(out, /make live: \d+ checks passed, 0 failed/);
    assert.match(out, /ok {4}policy\.update with an edit that changes nothing \(changed: false/);
    assert.match(out, /ok {4}devices\.setAttribute, getAttributes, deleteAttribute/);
    for (const read of ["client.request GET", "policy.test", "policy.preview", "policy.evaluatePostures"]) assert.ok(out.includes(`ok    ${read}`), `${read} did not run:\n${out}`);
    // The engine's predictions, confirmed by the demo tailnet's own (independent) test runner.
    assert.match(out, /ok {4}the access engine agrees with the server's test runner \(\d+ predictions \(\d+ accept, \d+ drop\), all confirmed\)/);
    assert.doesNotMatch(out, /UNKNOWN FIELDS|SCHEMA VIOLATIONS|FAIL/);
    assert.ok(tailnet.requests.length <= 100, `${tailnet.requests.length} requests`);
    assert.equal(tailnet.requests.filter((r) => r.method === "POST" && r.path.endsWith("/acl")).length, 0, "the no-op update wrote nothing");
    await nothingLeft(out);
  });
}

test("a member the spec does not define is reported as an unknown field, not a failure", { timeout: 120_000 }, async () => {
  tailnet.resetStats();
  tailnet.fault({ method: "GET", path: "/oauth-apps", body: JSON.stringify({ oauthApps: [], brandNewField: 1 }) });
  const { code, out } = await live({ TAILSCALE_API_KEY: tailnet.credentials.apiKey, ...demo });
  assert.equal(code, 0, out);
  assert.match(out, /UNKNOWN FIELDS[^\n]*\n {2}\/tailnet\/\{tailnet\}\/oauth-apps 200: \/ has brandNewField/);
  await nothingLeft(out);
});

test("after a failure midway it still deletes what it made, and says so", { timeout: 120_000 }, async () => {
  tailnet.resetStats();
  tailnet.fault({ method: "PUT", path: "/oauth-apps/", status: 500 });
  const { code, out } = await live({ TAILSCALE_API_KEY: tailnet.credentials.apiKey, ...demo });
  assert.equal(code, 1, out);
  assert.match(out, /FAIL {2}oauthApps\.create, update, get, delete/);
  assert.match(out, /deleted OAuth app/);
  await nothingLeft(out);
});

test("after Ctrl-C it deletes what it made before it exits", { timeout: 120_000 }, async () => {
  tailnet.resetStats();
  // The key's creation is held until the interrupt has arrived: Ctrl-C in the middle of a write.
  const held = gate();
  tailnet.fault({ method: "POST", path: "/keys", pass: true, until: held.promise });
  const { code, out } = await live({ TAILSCALE_API_KEY: tailnet.credentials.apiKey, ...demo }, async (child, output) => {
    await until(() => tailnet.requests.some((r) => r.method === "POST" && r.path.endsWith("/keys")));
    child.kill("SIGINT");
    await until(() => output().includes("SIGINT:"));
    held.open();
  });
  assert.equal(code, 130, out);
  assert.match(out, /SIGINT: deleting what this run made/);
  assert.match(out, /deleted auth key/);
  await nothingLeft(out);
});
