// The fault matrix: every client method against every fault the demo tailnet can inject. For
// each case it asserts the outcome (error class, or success after a retry) and the exact number
// of requests the server saw, then checks that the same client and a new client still work.
// The results table lives in RELIABILITY.md; this test fails when that table is stale
// (UPDATE_RELIABILITY=1 rewrites it).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { TailscaleClient } from "tailscale-wasm";
import { startTailnet, federatedCredentials } from "./helpers.mjs";
import { recordStrings, findLeaks, observed } from "./secrets-ledger.mjs";

const { tailnet, baseUrl } = await startTailnet();
after(() => tailnet.close());

// Only the two stall rows race a timer, and their stall lasts until the client gives up, so the
// value only has to outlast the normal request that follows (the retry, then the checks): under
// make test-stress one took longer than 300 ms. Every other row gets a minute, so that no timer
// ends a call early however loaded the machine (a 10 MiB body once took longer than 300 ms).
const TIMEOUT_MS = 1500;
const settings = { baseUrl, timeoutMs: 60_000, maxRetries: 2 };
const make = (extra = {}) => new TailscaleClient({ apiKey: tailnet.credentials.apiKey, ...settings, ...extra });
const timed = { timeoutMs: TIMEOUT_MS };
const admin = make();
const federated = await federatedCredentials(admin);
const anApp = { name: "matrix-app", redirectURIs: ["https://m.example/cb"], scopes: ["all"] };
const fed = { scopes: ["all:read"], issuer: "https://issuer.example", subject: "ci:*" };

const tn = (rest) => `/api/v2/tailnet/-${rest}`;
const aDevice = async () => (await admin.devices.list({ filter: { hostname: "build-box" } }))[0];
const attribute = (d) => `/api/v2/device/${d.nodeId}/attributes/custom%3Amatrix`;

// Each method: its HTTP method, whether it may be retried after a failure that could hide a
// processed request (by default, unless a POST or PATCH), whether it returns nothing (so a body
// is ignored), how to prepare a target, the path it sends to, and the call under test.
const METHODS = [
  { name: "keys.list", http: "GET", path: () => tn("/keys"), call: (c) => c.keys.list() },
  { name: "keys.get", http: "GET", setup: () => admin.keys.createAuthKey({ tags: ["tag:ci"] }), path: (t) => tn(`/keys/${t.id}`), call: (c, t) => c.keys.get(t.id) },
  { name: "keys.createAuthKey", http: "POST", path: () => tn("/keys"), call: (c) => c.keys.createAuthKey({ tags: ["tag:ci"], expirySeconds: 600 }) },
  { name: "keys.createOAuthClient", http: "POST", path: () => tn("/keys"), call: (c) => c.keys.createOAuthClient({ scopes: ["all:read"] }) },
  { name: "keys.createFederatedIdentity", http: "POST", path: () => tn("/keys"), call: (c) => c.keys.createFederatedIdentity(fed) },
  { name: "keys.setOAuthClient", http: "PUT", setup: () => admin.keys.createOAuthClient({ scopes: ["all:read"] }), path: (t) => tn(`/keys/${t.id}`), call: (c, t) => c.keys.setOAuthClient(t.id, { scopes: ["all:read"], description: "updated" }) },
  { name: "keys.setFederatedIdentity", http: "PUT", setup: () => admin.keys.createFederatedIdentity(fed), path: (t) => tn(`/keys/${t.id}`), call: (c, t) => c.keys.setFederatedIdentity(t.id, { ...fed, subject: "ci:main" }) },
  { name: "keys.delete", http: "DELETE", nothing: true, goneWhenDeleted: true, setup: () => admin.keys.createAuthKey({ tags: ["tag:ci"] }), path: (t) => tn(`/keys/${t.id}`), call: (c, t) => c.keys.delete(t.id) },
  { name: "oauthApps.list", http: "GET", path: () => tn("/oauth-apps"), call: (c) => c.oauthApps.list() },
  { name: "oauthApps.get", http: "GET", setup: () => admin.oauthApps.create(anApp), path: (t) => tn(`/oauth-apps/${t.id}`), call: (c, t) => c.oauthApps.get(t.id) },
  { name: "oauthApps.create", http: "POST", path: () => tn("/oauth-apps"), call: (c) => c.oauthApps.create(anApp) },
  { name: "oauthApps.update", http: "PUT", setup: () => admin.oauthApps.create(anApp), path: (t) => tn(`/oauth-apps/${t.id}`), call: (c, t) => c.oauthApps.update(t.id, { ...anApp, name: "matrix-app-2" }) },
  { name: "oauthApps.delete", http: "DELETE", nothing: true, goneWhenDeleted: true, setup: () => admin.oauthApps.create(anApp), path: (t) => tn(`/oauth-apps/${t.id}`), call: (c, t) => c.oauthApps.delete(t.id) },
  { name: "devices.list", http: "GET", path: () => tn("/devices"), call: (c) => c.devices.list({ filter: { os: "linux" } }) },
  { name: "devices.get", http: "GET", setup: aDevice, path: (d) => `/api/v2/device/${d.nodeId}`, call: (c, d) => c.devices.get(d.nodeId) },
  { name: "devices.getAttributes", http: "GET", setup: aDevice, path: (d) => `/api/v2/device/${d.nodeId}/attributes`, call: (c, d) => c.devices.getAttributes(d.nodeId) },
  { name: "devices.setAttribute", http: "POST", idempotent: true, setup: aDevice, path: attribute, call: (c, d) => c.devices.setAttribute(d.nodeId, "custom:matrix", { value: "on" }) },
  { name: "devices.deleteAttribute", http: "DELETE", nothing: true, setup: aDevice, path: attribute, call: (c, d) => c.devices.deleteAttribute(d.nodeId, "custom:matrix") },
  { name: "devices.updateAttributes", http: "PATCH", idempotent: true, nothing: true, setup: aDevice, path: () => tn("/device-attributes"), call: (c, d) => c.devices.updateAttributes({ nodes: { [d.nodeId]: { "custom:matrix": { value: "on" } } } }) },
  // The token requests, under a call that needs a token: a second token is harmless.
  { name: "token (oauth client credentials)", http: "POST", idempotent: true, client: (extra) => new TailscaleClient({ oauth: tailnet.credentials.oauth, ...settings, ...extra }), path: () => "/api/v2/oauth/token", call: (c) => c.oauthApps.list() },
  { name: "token exchange (federated)", http: "POST", idempotent: true, client: (extra) => new TailscaleClient({ federated, ...settings, ...extra }), path: () => "/api/v2/oauth/token-exchange", call: (c) => c.oauthApps.list() },
];

const LIMIT = 10 * 1024 * 1024;
const big = LIMIT + 1024;
// Each fault: what to inject, and what it means for the retry rules.
const FAULTS = [
  { name: "429, Retry-After: 1 (seconds)", spec: () => ({ status: 429, retryAfter: "1" }), kind: "rate" },
  { name: "429, Retry-After as an HTTP date", spec: () => ({ status: 429, retryAfter: new Date(Date.now() + 1000).toUTCString() }), kind: "rate" },
  { name: "429, no Retry-After", spec: () => ({ status: 429 }), kind: "rate" },
  { name: "429, Retry-After: 3600 (beyond the 20 s cap)", spec: () => ({ status: 429, retryAfter: "3600" }), kind: "too-long", error: "TailscaleApiError" },
  { name: "500", spec: () => ({ status: 500 }), kind: "final", error: "TailscaleApiError" },
  { name: "502", spec: () => ({ status: 502 }), kind: "gateway", error: "TailscaleApiError" },
  { name: "503", spec: () => ({ status: 503 }), kind: "gateway", error: "TailscaleApiError" },
  { name: "503, Retry-After: 1 (seconds)", spec: () => ({ status: 503, retryAfter: "1" }), kind: "gateway", error: "TailscaleApiError" },
  { name: "504", spec: () => ({ status: 504 }), kind: "gateway", error: "TailscaleApiError" },
  { name: "connection dropped before the response", spec: () => ({ drop: "before-response" }), kind: "gateway", error: "TailscaleNetworkError" },
  { name: "connection dropped mid-body", spec: () => ({ drop: "mid-body", body: '{"keys":[],"id":"x"}' }), kind: "gateway", error: "TailscaleNetworkError" },
  { name: "answer lost after the request was handled", spec: () => ({ drop: "after-handling" }), kind: "gateway", error: "TailscaleNetworkError" },
  // Both stalls last until the client gives up (closes the connection), however late its timer
  // fires on a loaded machine: a fixed stall once ended before the timer did.
  { name: `headers later than timeoutMs (${TIMEOUT_MS} ms)`, spec: () => ({ delayMs: Infinity }), kind: "gateway", error: "TailscaleTimeoutError", options: timed },
  { name: "body stalls past timeoutMs", spec: () => ({ stallBodyMs: Infinity, body: '{"keys":[],"id":"x"}' }), kind: "gateway", error: "TailscaleTimeoutError", options: timed },
  { name: "200 with truncated JSON", spec: () => ({ body: '{"keys":[{"id":' }), kind: "body" },
  { name: "200 with a non-JSON body", spec: () => ({ body: "<html>maintenance</html>", contentType: "text/html" }), kind: "body" },
  { name: "200 with an empty body", spec: () => ({ body: "" }), kind: "body" },
  { name: "200 with a body over maxResponseBytes (10 MiB here)", spec: () => ({ bodyBytes: big }), kind: "huge", options: { maxResponseBytes: LIMIT } },
];

/** The contract's answer for one cell: outcome and requests seen. */
function expected(method, fault) {
  const idempotent = method.idempotent ?? !["POST", "PATCH"].includes(method.http);
  switch (fault.kind) {
    case "rate":
      return { outcome: "ok", requests: 2, note: "retried" };
    case "final":
      return { outcome: fault.error, requests: 1, note: "not retried" };
    case "too-long":
      return { outcome: fault.error, requests: 1, note: "fails at once with retryAfterMs" };
    case "gateway":
      if (method.goneWhenDeleted && fault.spec().drop === "after-handling") return { outcome: "ok", requests: 2, note: "retried; its 404 means the first attempt deleted it", lastStatus: 404 };
      if (idempotent) return { outcome: "ok", requests: 2, note: method.idempotent ? `retried: an idempotent ${method.http}` : "retried" };
      return { outcome: fault.error, requests: 1, note: `not retried (${method.http})` };
    case "body":
      // Deletes and the batch update return nothing, so they ignore the body; the rest need JSON.
      return method.nothing ? { outcome: "ok", requests: 1, note: "body ignored" } : { outcome: "TailscaleResponseError", requests: 1, note: "not retried" };
    case "huge":
      return { outcome: "TailscaleResponseError", requests: 1, note: "refused past maxResponseBytes" };
  }
}

const rows = [];

for (const method of METHODS) {
  for (const fault of FAULTS) {
    // The timeout only ends a hang (a stall the client never gives up on); no case comes near it.
    test(`${method.name} × ${fault.name}`, { timeout: 60_000 }, async () => {
      const target = method.setup ? await method.setup() : null;
      const path = method.path(target);
      tailnet.resetStats();
      tailnet.fault({ method: method.http, path, ...fault.spec() });
      const client = method.client?.(fault.options) ?? make(fault.options);
      let outcome = "ok";
      try {
        await method.call(client, target);
      } catch (err) {
        outcome = err?.name ?? String(err);
        recordStrings(err);
      }
      const seen = tailnet.requests.filter((r) => r.method === method.http && r.path === path).length;
      const want = expected(method, fault);
      rows.push({ method: method.name, fault: fault.name, expected: `${want.outcome}, ${want.requests} request${want.requests > 1 ? "s" : ""} (${want.note})`, observed: `${outcome}, ${seen} request${seen > 1 ? "s" : ""}` });
      assert.equal(outcome, want.outcome);
      assert.equal(seen, want.requests);
      if (want.lastStatus) assert.equal(tailnet.requests.filter((r) => r.path === path).at(-1).status, want.lastStatus);
      // The same client and a new client both still work.
      assert.ok(Array.isArray(await client.keys.list()));
      assert.ok(Array.isArray(await make().oauthApps.list()));
      recordStrings(client);
    });
  }
}

test("RELIABILITY.md holds this matrix", () => {
  const file = new URL("../../RELIABILITY.md", import.meta.url);
  const table = ["| method | fault | expected | observed |", "|---|---|---|---|", ...rows.map((r) => `| \`${r.method}\` | ${r.fault} | ${r.expected} | ${r.observed} |`)].join("\n");
  const text = readFileSync(file, "utf8");
  const start = "<!-- fault-matrix:start -->";
  const end = "<!-- fault-matrix:end -->";
  const current = text.slice(text.indexOf(start) + start.length, text.indexOf(end)).trim();
  if (process.env.UPDATE_RELIABILITY) {
    writeFileSync(file, `${text.slice(0, text.indexOf(start) + start.length)}\n${table}\n${text.slice(text.indexOf(end))}`);
    return;
  }
  assert.equal(current, table, "RELIABILITY.md's fault matrix is stale: run `make reliability` and commit it");
});

test("no credential appears in any error, inspection, JSON or console output of the matrix", () => {
  assert.ok(observed.length > 1000, `observed ${observed.length} strings`);
  assert.deepEqual(findLeaks([tailnet.credentials.apiKey, tailnet.credentials.oauth.clientSecret]), []);
});
