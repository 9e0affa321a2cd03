// `client.request`: any endpoint, through the same request path as every method. Tested on
// endpoints the package does not wrap (device routes, tags, device deletion), against the demo
// tailnet and its fault controls; each fault case counts the requests the server saw.
import { test, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { TailscaleClient, TailscaleValidationError, TailscaleApiError, TailscaleNetworkError, TailscaleTimeoutError, TailscaleResponseError } from "tailscale-wasm";
import { startTailnet, clientFor, seen, tokenRequests } from "./helpers.mjs";
import { recordStrings, findLeaks } from "./secrets-ledger.mjs";

const env = await startTailnet();
const { tailnet, baseUrl } = env;
after(() => tailnet.close());
beforeEach(() => tailnet.resetStats());

// No timer races a normal request on a loaded machine; the timeout test sets its own.
const client = (extra = {}) => clientFor("apiKey", env, { timeoutMs: 60_000, ...extra });
const device = (hostname) => [...tailnet.state.devices.values()].find((d) => d.hostname === hostname);
const catching = (promise) =>
  promise.then(
    () => "ok",
    (err) => (recordStrings(err), err),
  );

for (const mode of ["apiKey", "oauth"]) {
  test(`GET and POST /device/{id}/routes, with ${mode} credentials`, async () => {
    const c = clientFor(mode, env);
    const router = device("lab-router");
    const path = `/device/${router.nodeId}/routes`;
    assert.deepEqual(await c.request({ method: "GET", path }), { advertisedRoutes: ["10.0.0.0/24"], enabledRoutes: ["10.0.0.0/24"] });
    const set = await c.request({ method: "POST", path, body: { routes: ["10.0.0.0/24", "10.9.0.0/16"] } });
    assert.deepEqual(set.enabledRoutes, ["10.0.0.0/24", "10.9.0.0/16"]);
    const sent = tailnet.requests.find((r) => r.method === "POST" && r.path === `/api/v2${path}`);
    assert.equal(sent.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(sent.body), { routes: ["10.0.0.0/24", "10.9.0.0/16"] });
    assert.match(sent.headers.authorization, /^Bearer tskey-api-/);
    assert.equal(tokenRequests(tailnet), mode === "oauth" ? 1 : 0, "the client's own token, minted once");
    await c.request({ method: "POST", path, body: { routes: ["10.0.0.0/24"] } });
  });
}

test("POST /device/{id}/tags resolves to undefined (an empty body), and the device shows the tags", async () => {
  const c = client();
  const box = device("build-box");
  assert.equal(await c.request({ method: "POST", path: `/device/${encodeURIComponent(box.nodeId)}/tags`, body: { tags: ["tag:build"] } }), undefined);
  assert.deepEqual((await c.devices.get(box.nodeId)).tags, ["tag:build"]);
  await c.request({ method: "POST", path: `/device/${box.nodeId}/tags`, body: { tags: [] } });
  assert.equal((await c.devices.get(box.nodeId)).tags, undefined);
  // The API's refusal is a typed error naming the call.
  const err = await catching(c.request({ method: "POST", path: `/device/${box.nodeId}/tags`, body: { tags: ["server"] } }));
  assert.ok(err instanceof TailscaleApiError, String(err));
  assert.equal(err.message, `POST /api/v2/device/${box.nodeId}/tags failed with 400: tags must be a list of tags such as tag:server`);
  assert.equal(err.retryable, false);
});

test("{tailnet} becomes the client's tailnet, percent-encoded; a query's lists repeat their parameter", async () => {
  const named = client({ tailnet: "example.com" });
  const devices = await named.request({ method: "GET", path: "/tailnet/{tailnet}/devices", query: { tags: ["tag:ci"], fields: "all", skipped: undefined } });
  assert.deepEqual(devices.devices.map((d) => d.hostname), ["ci-runner-1"]);
  assert.ok("clientConnectivity" in devices.devices[0], "fields=all");
  const [sent] = tailnet.requests;
  assert.equal(sent.path, "/api/v2/tailnet/example.com/devices");
  assert.equal(sent.query, "?tags=tag%3Aci&fields=all");
  await catching(client({ tailnet: "a/b c" }).request({ method: "GET", path: "/tailnet/{tailnet}/keys" }));
  assert.equal(tailnet.requests.at(-1).path, "/api/v2/tailnet/a%2Fb%20c/keys");
  // Numbers and booleans are written as JS writes them.
  await client().request({ method: "GET", path: "/tailnet/-/keys", query: { all: true, n: 1.5 } }).catch(() => {});
  assert.equal(tailnet.requests.at(-1).query, "?all=true&n=1.5");
});

test("bad options are refused before anything is sent, every problem at once", async () => {
  const c = client();
  const cycle = {};
  cycle.self = cycle;
  const cases = [
    [{ method: "get", path: "/x" }, ["method"]],
    [{ method: "GET", path: "x" }, ["path"]],
    [{ method: "GET", path: "https://evil.example/x" }, ["path"]],
    [{ method: "GET", path: "/api/v2/tailnet/-/keys" }, ["path"]],
    [{ method: "GET", path: "/device/../oauth/token" }, ["path"]],
    [{ method: "GET", path: "/device/%2E%2E/oauth/token" }, ["path"]],
    [{ method: "GET", path: "/device/x\\..\\..\\oauth" }, ["path"]],
    [{ method: "GET", path: "/keys?all=true" }, ["path"]],
    [{ method: "GET", path: "/device/{deviceId}" }, ["path"]],
    [{ method: "GET", path: "/x", query: { a: { b: 1 } } }, ["query.a"]],
    [{ method: "GET", path: "/x", query: { a: [1, NaN] } }, ["query.a"]],
    [{ method: "GET", path: "/x", query: "a=1" }, ["query"]],
    [{ method: "GET", path: "/x", body: {} }, ["body"]],
    [{ method: "POST", path: "/x", body: () => 1 }, ["body"]],
    [{ method: "POST", path: "/x", body: Symbol("b") }, ["body"]],
    [{ method: "POST", path: "/x", body: { big: [1n] } }, ["body"]],
    [{ method: "POST", path: "/x", body: cycle }, ["body"]],
    [{ method: "POST", path: "/x", idempotent: "yes" }, ["idempotent"]],
    [{ method: "POST", path: "/x", headers: {} }, ["headers"]],
    [{ method: "PATCH", path: "/x", signal: "no" }, ["signal"]],
    [{ method: "DELETE", path: "x", query: [] }, ["path", "query"]],
    [undefined, ["", "method", "path"]],
  ];
  for (const [options, fields] of cases) {
    const err = await catching(c.request(options));
    assert.ok(err instanceof TailscaleValidationError, `${inspect(options)}: ${err}`);
    assert.deepEqual(err.issues.map((i) => i.field), fields, `${String(options?.path)} ${JSON.stringify(err.issues)}`);
  }
  assert.equal(tailnet.requests.length, 0);
});

test("errors name the method, the path and the status, never a query value", async () => {
  const err = await catching(client().request({ method: "GET", path: "/device/nNOPE/routes", query: { secret: "tskey-query-VALUE" } }));
  assert.ok(err instanceof TailscaleApiError, String(err));
  assert.equal(err.message, "GET /api/v2/device/nNOPE/routes failed with 404: device not found");
  assert.deepEqual([err.status, err.method, err.path, err.retryable], [404, "GET", "/api/v2/device/nNOPE/routes", false]);
  assert.deepEqual(findLeaks(["tskey-query-VALUE"]), []);
});

test("a GET is retried on 502, 503, 504 and lost answers; a POST is not, unless idempotent", async () => {
  const router = device("lab-router");
  const path = `/device/${router.nodeId}/routes`;
  const full = `/api/v2${path}`;
  const body = { routes: ["10.0.0.0/24"] };
  for (const fault of [{ status: 502 }, { status: 503 }, { status: 504 }, { drop: "before-response" }]) {
    tailnet.resetStats();
    tailnet.fault({ method: "GET", path: full, ...fault });
    assert.ok(await client().request({ method: "GET", path }), JSON.stringify(fault));
    assert.equal(seen(tailnet, full, "GET"), 2, JSON.stringify(fault));

    tailnet.resetStats();
    tailnet.fault({ method: "POST", path: full, ...fault });
    const err = await catching(client().request({ method: "POST", path, body }));
    assert.ok(err instanceof (fault.drop ? TailscaleNetworkError : TailscaleApiError), String(err));
    assert.equal(err.retryable, false, "a POST may have been processed");
    assert.equal(err.method, "POST");
    assert.equal(err.path, full);
    assert.equal(seen(tailnet, full, "POST"), 1, `POST ${JSON.stringify(fault)} is never retried`);

    tailnet.resetStats();
    tailnet.fault({ method: "POST", path: full, ...fault });
    assert.ok(await client().request({ method: "POST", path, body, idempotent: true }));
    assert.equal(seen(tailnet, full, "POST"), 2, `POST ${JSON.stringify(fault)} with idempotent: true`);
  }
  // 429: never processed, so any method is retried.
  tailnet.resetStats();
  tailnet.fault({ method: "POST", path: full, status: 429, retryAfter: "0" });
  assert.ok(await client().request({ method: "POST", path, body }));
  assert.equal(seen(tailnet, full, "POST"), 2);
});

test("a DELETE whose answer was lost, and whose retry finds nothing, resolves as deleted", async () => {
  const join = async (hostname) => tailnet.registerDevice({ authKey: (await client().keys.createAuthKey({ tags: ["tag:ci"] })).key, hostname });
  const gone = await join("short-lived");
  await join("joined-after"); // so that the deleted device is not the newest
  const full = `/api/v2/device/${gone.nodeId}`;
  tailnet.fault({ method: "DELETE", path: full, drop: "after-handling" });
  assert.equal(await client().request({ method: "DELETE", path: `/device/${gone.nodeId}` }), undefined);
  assert.deepEqual(tailnet.requests.filter((r) => r.path === full).map((r) => [r.status, r.fault ?? false]), [[200, true], [404, false]]);
  assert.equal(device("short-lived"), undefined);
  // A DELETE's first 404 is a real one.
  const err = await catching(client().request({ method: "DELETE", path: `/device/${gone.nodeId}` }));
  assert.ok(err instanceof TailscaleApiError && err.status === 404, String(err));
  // A device that joins after the delete takes no live device's address.
  const next = await join("after-delete");
  const taken = [...tailnet.state.devices.values()].filter((d) => d.nodeId !== next.nodeId).flatMap((d) => d.addresses);
  assert.deepEqual(next.addresses.filter((a) => taken.includes(a)), []);
});

test("timeouts, the size cap and aborts hold for any endpoint", { timeout: 60_000 }, async () => {
  const router = device("lab-router");
  const path = `/device/${router.nodeId}/routes`;
  const full = `/api/v2${path}`;
  // Each attempt is held until the client gives up, however late its 100 ms timer fires.
  tailnet.fault({ method: "GET", path: full, delayMs: Infinity, times: 3 });
  const slow = await catching(client({ timeoutMs: 100, maxRetries: 2 }).request({ method: "GET", path }));
  assert.ok(slow instanceof TailscaleTimeoutError, String(slow));
  assert.equal(slow.message, `GET ${full} timed out after 100 ms`);
  assert.equal(slow.retryable, true);
  assert.equal(seen(tailnet, full, "GET"), 3);

  tailnet.resetStats();
  tailnet.fault({ method: "GET", path: full, bodyBytes: 4096 });
  const big = await catching(client({ maxResponseBytes: 1024 }).request({ method: "GET", path }));
  assert.ok(big instanceof TailscaleResponseError, String(big));
  assert.match(big.message, /larger than maxResponseBytes \(1024 bytes\)/);

  tailnet.fault({ method: "GET", path: full, delayMs: Infinity });
  const ctl = new AbortController();
  const pending = client().request({ method: "GET", path, signal: ctl.signal });
  setTimeout(() => ctl.abort(new Error("stop")), 50);
  await assert.rejects(pending, { message: "stop" });

  tailnet.resetStats();
  tailnet.fault({ method: "GET", path: full, body: "<html>", contentType: "text/html" });
  assert.ok((await catching(client().request({ method: "GET", path }))) instanceof TailscaleResponseError);
  assert.equal(seen(tailnet, full, "GET"), 1, "a bad body is not retried");
});

test("no credential appears in any error or output of these calls", () => {
  assert.deepEqual(findLeaks([tailnet.credentials.apiKey, tailnet.credentials.oauth.clientSecret]), []);
});
