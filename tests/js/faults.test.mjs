// Error and retry rules against the demo tailnet's fault controls. Each test counts the
// requests the server saw: a retried create would mint a second key.
import { test, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { TailscaleClient, TailscaleApiError, TailscaleNetworkError, TailscaleTimeoutError, TailscaleResponseError } from "tailscale-wasm";
import { startTailnet, seen, until, gate } from "./helpers.mjs";

const { tailnet, baseUrl } = await startTailnet();
after(() => tailnet.close());
beforeEach(() => tailnet.resetStats());

const client = (extra = {}) => new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl, ...extra });
const authKeys = () => [...tailnet.state.keys.values()].filter((k) => k.keyType === "auth").length;
const createKey = (c = client()) => c.keys.createAuthKey({ tags: ["tag:ci"] });
const anApp = { name: "fault-app", redirectURIs: ["https://a.example/cb"], scopes: ["all"] };

test("429 is retried on a POST, honouring Retry-After in seconds, and mints one key", async () => {
  const before = authKeys();
  tailnet.fault({ method: "POST", path: "/keys", status: 429, retryAfter: "0" });
  const key = await createKey();
  assert.match(key.key, /^tskey-auth-/);
  assert.equal(seen(tailnet, "/keys", "POST"), 2);
  assert.equal(authKeys(), before + 1);
});

test("429 is retried on GET, PUT and DELETE", async () => {
  const c = client();
  const app = await c.oauthApps.create(anApp);
  tailnet.resetStats();
  tailnet.fault({ method: "GET", status: 429, retryAfter: "0" });
  tailnet.fault({ method: "PUT", status: 429 });
  tailnet.fault({ method: "DELETE", status: 429, retryAfter: "0" });
  await c.oauthApps.get(app.id);
  await c.oauthApps.update(app.id, anApp);
  await c.oauthApps.delete(app.id);
  assert.deepEqual(tailnet.requests.map((r) => `${r.method} ${r.status}`), ["GET 429", "GET 200", "PUT 429", "PUT 200", "DELETE 429", "DELETE 200"]);
});

test("Retry-After is reported in ms, as seconds or as an HTTP date, when retries run out", async () => {
  const c = client({ maxRetries: 0 });
  tailnet.fault({ status: 429, retryAfter: "7" });
  let err = await c.keys.list().catch((e) => e);
  assert.ok(err instanceof TailscaleApiError);
  assert.equal(err.status, 429);
  assert.equal(err.retryAfterMs, 7000);
  const date = new Date(Date.now() + 5000).toUTCString();
  tailnet.fault({ status: 429, retryAfter: date });
  err = await c.keys.list().catch((e) => e);
  assert.ok(err.retryAfterMs > 0 && err.retryAfterMs <= 5000, String(err.retryAfterMs));
  tailnet.fault({ status: 429 });
  err = await c.keys.list().catch((e) => e);
  assert.equal(err.retryAfterMs, undefined);
  assert.equal(tailnet.requests.length, 3, "maxRetries: 0 sends each call once");
});

test("an HTTP-date Retry-After in the past retries at once", async () => {
  tailnet.fault({ status: 429, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT" });
  await client().keys.list();
  assert.equal(tailnet.requests.length, 2);
});

for (const status of [502, 503, 504]) {
  test(`${status} is retried on GET, PUT and DELETE but never on POST`, async () => {
    const c = client();
    const app = await c.oauthApps.create(anApp);
    tailnet.resetStats();
    for (const method of ["GET", "PUT", "DELETE"]) tailnet.fault({ method, status });
    await c.oauthApps.get(app.id);
    await c.oauthApps.update(app.id, anApp);
    await c.oauthApps.delete(app.id);
    assert.equal(tailnet.requests.length, 6);
    const before = authKeys();
    tailnet.fault({ method: "POST", status });
    const err = await createKey(c).catch((e) => e);
    assert.ok(err instanceof TailscaleApiError);
    assert.equal(err.status, status);
    assert.equal(err.method, "POST");
    assert.equal(err.path, "/api/v2/tailnet/-/keys");
    assert.equal(seen(tailnet, "/keys", "POST"), 1);
    assert.equal(authKeys(), before);
  });
}

test("500 is not retried on any method", async () => {
  tailnet.fault({ status: 500, times: 2 });
  await assert.rejects(client().keys.list(), { name: "TailscaleApiError", status: 500, message: "GET /api/v2/tailnet/-/keys failed with 500: injected 500", retryable: false });
  await assert.rejects(createKey(), { status: 500 });
  assert.equal(tailnet.requests.length, 2);
});

test("retries stop after maxRetries and report the last error", async () => {
  tailnet.fault({ status: 503, times: 10 });
  await assert.rejects(client({ maxRetries: 2 }).keys.list(), { status: 503 });
  assert.equal(tailnet.requests.length, 3);
});

test("the API's message and data reach the error", async () => {
  tailnet.fault({ status: 400, body: JSON.stringify({ message: "tag:x is not owned", data: [{ field: "tags" }] }) });
  const err = await createKey().catch((e) => e);
  assert.equal(err.message, "POST /api/v2/tailnet/-/keys failed with 400: tag:x is not owned");
  assert.deepEqual(err.data, [{ field: "tags" }]);
  tailnet.fault({ status: 404, body: "<html>not found</html>", contentType: "text/html" });
  const err2 = await client().keys.get("k1").catch((e) => e);
  assert.equal(err2.message, "GET /api/v2/tailnet/-/keys/k1 failed with 404: Not Found");
});

test("a dropped connection is retried on GET and PUT, not on POST", async () => {
  tailnet.fault({ method: "GET", drop: "before-response" });
  await client().keys.list();
  assert.equal(tailnet.requests.length, 2);
  tailnet.resetStats();
  const before = authKeys();
  tailnet.fault({ method: "POST", drop: "before-response" });
  const err = await createKey().catch((e) => e);
  assert.ok(err instanceof TailscaleNetworkError, String(err));
  assert.ok(err.cause instanceof Error);
  assert.equal(tailnet.requests.length, 1);
  assert.equal(authKeys(), before);
});

test("a connection dropped mid-body is retried on GET, and is a network error on POST", async () => {
  tailnet.fault({ method: "GET", drop: "mid-body", body: JSON.stringify({ keys: [] }) });
  await client().keys.list();
  assert.equal(tailnet.requests.length, 2);
  tailnet.resetStats();
  tailnet.fault({ method: "POST", drop: "mid-body", body: JSON.stringify({ id: "k", key: "tskey-auth-x" }) });
  await assert.rejects(createKey(), TailscaleNetworkError);
  assert.equal(tailnet.requests.length, 1);
});

test("network failures exhaust retries into a TailscaleNetworkError", async () => {
  const c = new TailscaleClient({ apiKey: "tskey-api-x", baseUrl: "http://127.0.0.1:9", maxRetries: 1 });
  const err = await c.keys.list().catch((e) => e);
  assert.ok(err instanceof TailscaleNetworkError, String(err));
  assert.match(err.message, /GET \/api\/v2\/tailnet\/-\/keys/);
});

// Stalls are held until the client closes the connection (`Infinity`), so the client's timer
// always fires first however loaded the machine; test timeouts only end a hang.
// The timeout only has to outlast the normal retry that follows a held attempt.
test("slow headers time out per attempt; GET retries, POST does not", { timeout: 60_000 }, async () => {
  const c = client({ timeoutMs: 1500 });
  tailnet.fault({ method: "GET", delayMs: Infinity });
  await c.keys.list();
  assert.equal(tailnet.requests.length, 2);
  tailnet.resetStats();
  tailnet.fault({ method: "POST", delayMs: Infinity });
  const err = await createKey(c).catch((e) => e);
  assert.ok(err instanceof TailscaleTimeoutError, String(err));
  assert.equal(err.timeoutMs, 1500);
  assert.equal(tailnet.requests.length, 1);
  tailnet.resetStats();
  tailnet.fault({ method: "GET", delayMs: Infinity, times: 3 });
  await assert.rejects(client({ timeoutMs: 1500, maxRetries: 2 }).keys.list(), TailscaleTimeoutError);
  assert.equal(tailnet.requests.length, 3);
});

test("a stalled body times out too", { timeout: 60_000 }, async () => {
  tailnet.fault({ method: "GET", stallBodyMs: Infinity, body: JSON.stringify({ keys: [] }), times: 1 });
  const err = await client({ timeoutMs: 100, maxRetries: 0 }).keys.list().catch((e) => e);
  assert.ok(err instanceof TailscaleTimeoutError, String(err));
});

test("malformed 200 bodies are typed errors, and the next call works", async () => {
  const c = client();
  const cases = [
    ['{"keys": [', /truncated/],
    ["<html>hello</html>", /not valid JSON/],
    ["", /empty body/],
    ['{"keys": "nope"}', /unexpected shape/],
  ];
  for (const [body, reason] of cases) {
    tailnet.fault({ method: "GET", body });
    const err = await c.keys.list().catch((e) => e);
    assert.ok(err instanceof TailscaleResponseError, String(err));
    assert.match(err.message, reason);
    assert.equal(err.status, 200);
    assert.equal(err.path, "/api/v2/tailnet/-/keys");
    assert.ok(Array.isArray(await c.keys.list()));
  }
  assert.equal(tailnet.requests.length, cases.length * 2, "bad bodies are not retried");
});

test("a body over maxResponseBytes is refused without a crash; the default takes more than the old 10 MiB", async () => {
  tailnet.fault({ method: "GET", bodyBytes: 1024 * 1024 + 10 });
  await assert.rejects(client({ maxResponseBytes: 1024 * 1024 }).keys.list(), (e) => e instanceof TailscaleResponseError && /larger than maxResponseBytes \(1048576 bytes\)/.test(e.message));
  assert.ok(Array.isArray(await client().keys.list()));
  // Past the old fixed 10 MiB cap, within the default.
  tailnet.fault({ method: "GET", bodyBytes: 10 * 1024 * 1024 + 10 });
  assert.deepEqual(await client().keys.list(), []);
  for (const bad of [0, -1, 1.5, 256 * 1024 * 1024 + 1, "1024"]) {
    assert.throws(() => client({ maxResponseBytes: bad }), { name: "TailscaleValidationError", issues: [{ field: "maxResponseBytes", message: bad === "1024" || bad === 1.5 ? "must be a whole number" : "must be from 1 to 268435456" }] });
  }
});

test("an aborted call rejects with the signal's reason, and a pre-aborted one sends nothing", { timeout: 60_000 }, async () => {
  const c = client();
  const pre = AbortSignal.abort();
  await assert.rejects(c.keys.list({ signal: pre }), { name: "AbortError" });
  tailnet.resetStats();
  await assert.rejects(c.keys.get("k1", { signal: pre }), { name: "AbortError" });
  assert.equal(tailnet.requests.length, 0);

  tailnet.fault({ method: "GET", delayMs: Infinity });
  const ctl = new AbortController();
  const pending = c.keys.list({ signal: ctl.signal });
  setTimeout(() => ctl.abort(), 50);
  await assert.rejects(pending, { name: "AbortError" });
  const reason = new Error("mine");
  const ctl2 = new AbortController();
  tailnet.fault({ method: "GET", delayMs: Infinity });
  const pending2 = c.keys.list({ signal: ctl2.signal });
  setTimeout(() => ctl2.abort(reason), 50);
  assert.equal(await pending2.catch((e) => e), reason);
});

// The wait would be 19 s (just under the cap, past which the call fails at once); the abort
// comes after the first answer, and the test's 15 s timeout fails a wait that ignores it.
test("no retry wait runs past an abort", { timeout: 15_000 }, async () => {
  tailnet.fault({ status: 429, retryAfter: "19" });
  const ctl = new AbortController();
  const pending = client().keys.list({ signal: ctl.signal });
  // Aborted once the 429 has long been answered, so the client is in its wait (on a loaded
  // machine it may still be reading the answer: the abort then ends that, and the test passes too).
  await until(() => tailnet.requests.length === 1);
  await new Promise((r) => setTimeout(r, 200));
  ctl.abort();
  await assert.rejects(pending, { name: "AbortError" });
  assert.equal(tailnet.requests.length, 1);
});

test("maxConcurrency caps the requests in flight", { timeout: 60_000 }, async () => {
  const c = client({ maxConcurrency: 3 });
  // Every request is held until 3 are in flight, so the cap is reached however slow the machine.
  const held = gate();
  tailnet.fault({ method: "GET", pass: true, until: held.promise, times: 12 });
  const pending = Promise.allSettled(Array.from({ length: 12 }, () => c.oauthApps.list()));
  await until(() => tailnet.inFlight >= 3);
  held.open();
  const results = await pending;
  assert.ok(results.every((r) => r.status === "fulfilled"));
  assert.equal(tailnet.maxInFlight, 3);
  assert.equal(tailnet.requests.length, 12);
});

test("after faults, the same client and a new client both still work", async () => {
  const c = client();
  tailnet.fault({ drop: "before-response", times: 3 });
  await assert.rejects(c.keys.list({ signal: AbortSignal.timeout(5000) }), TailscaleNetworkError);
  assert.ok(Array.isArray(await c.keys.list()));
  assert.ok(Array.isArray(await client().keys.list()));
});

test("a Retry-After beyond the 20 s cap fails at once, with when to try again", async () => {
  for (const status of [429, 503]) {
    tailnet.resetStats();
    tailnet.fault({ status, retryAfter: "3600" });
    const err = await client().keys.list().catch((e) => e);
    assert.ok(err instanceof TailscaleApiError, String(err));
    assert.equal(err.status, status);
    assert.equal(err.retryAfterMs, 3_600_000);
    assert.equal(err.retryable, true, "safe to try again, later");
    assert.equal(tailnet.requests.length, 1, "no early retry");
  }
});
