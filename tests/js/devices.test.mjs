// Devices and their posture attributes, from the packed package against the demo tailnet:
// every method with each credential, the attribute rules on both sides (the client refuses
// before sending, the demo tailnet refuses on its own), path encoding, and devices joining
// with auth keys through the demo-only registration control.
import { test, describe, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { TailscaleClient, TailscaleValidationError, TailscaleApiError } from "tailscale-wasm";
import { startTailnet, federatedCredentials, clientFor, until } from "./helpers.mjs";

const env = await startTailnet();
const { tailnet, baseUrl } = env;
const admin = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
env.federated = await federatedCredentials(admin);
after(() => tailnet.close());

const byHost = (devices, hostname) => devices.find((d) => d.hostname === hostname);
const seeded = async (hostname) => byHost(await admin.devices.list(), hostname);
const fieldsOf = (err) => err.issues.map((i) => i.field);

for (const mode of ["apiKey", "oauth", "federated"]) {
  describe(`devices with ${mode}`, () => {
    let client;
    before(() => {
      client = clientFor(mode, env);
    });
    beforeEach(() => tailnet.resetStats());

    test("list, with fields and filters as query parameters", async () => {
      const all = await client.devices.list();
      assert.ok(all.length >= 4, `${all.length} devices`);
      assert.ok(all.every((d) => typeof d.nodeId === "string" && d.clientConnectivity === undefined), "default fields");
      const full = await client.devices.list({ fields: "all" });
      assert.ok(full.every((d) => typeof d.clientConnectivity === "object"), "fields=all");
      const routers = await client.devices.list({ filter: { tags: ["tag:router"], isEphemeral: false } });
      assert.deepEqual(routers.map((d) => d.hostname), ["lab-router"]);
      const none = await client.devices.list({ filter: { tags: ["tag:router", "tag:ci"] } });
      assert.deepEqual(none, [], "a list filter needs every entry (AND)");
      const laptops = await client.devices.list({ filter: { os: "macOS" } });
      assert.deepEqual(laptops.map((d) => d.hostname), ["amelie-laptop"]);
      const queries = tailnet.requests.filter((r) => r.path === "/api/v2/tailnet/-/devices").map((r) => r.query);
      assert.deepEqual(queries, ["", "?fields=all", "?tags=tag%3Arouter&isEphemeral=false", "?tags=tag%3Arouter&tags=tag%3Aci", "?os=macOS"]);
    });

    test("get, by nodeId or legacy id, under /device/", async () => {
      const router = await seeded("lab-router");
      const got = await client.devices.get(router.nodeId);
      assert.equal(got.hostname, "lab-router");
      assert.deepEqual(got.tags, ["tag:router"]);
      const full = await client.devices.get(router.id, { fields: "all" });
      assert.deepEqual(full.enabledRoutes, ["10.0.0.0/24"]);
      const paths = tailnet.requests.map((r) => `${r.method} ${r.path}${r.query}`);
      assert.ok(paths.includes(`GET /api/v2/device/${router.nodeId}`), paths.join("\n"));
      assert.ok(paths.includes(`GET /api/v2/device/${router.id}?fields=all`), paths.join("\n"));
      await assert.rejects(client.devices.get("nMISSINGCNTRL"), { name: "TailscaleApiError", status: 404, path: "/api/v2/device/nMISSINGCNTRL" });
    });

    test("getAttributes, setAttribute and deleteAttribute", async () => {
      const box = await seeded("build-box");
      const before = await client.devices.getAttributes(box.nodeId);
      assert.equal(before.attributes["node:os"], "windows");
      const key = `custom:${mode}Score`;
      const set = await client.devices.setAttribute(box.nodeId, key, { value: 80, expiry: "2099-01-01T00:00:00Z", comment: "from a test" });
      assert.equal(set.attributes[key], 80);
      assert.equal(set.expiries[key], "2099-01-01T00:00:00Z");
      const post = tailnet.requests.find((r) => r.method === "POST");
      assert.equal(post.path, `/api/v2/device/${box.nodeId}/attributes/${encodeURIComponent(key)}`);
      assert.deepEqual(JSON.parse(post.body), { value: 80, expiry: "2099-01-01T00:00:00Z", comment: "from a test" });
      assert.equal(await client.devices.deleteAttribute(box.nodeId, key), undefined);
      const after = await client.devices.getAttributes(box.nodeId);
      assert.equal(after.attributes[key], undefined);
    });

    test("updateAttributes sets and deletes across devices in one call", async () => {
      const [router, runner] = [await seeded("lab-router"), await seeded("ci-runner-1")];
      const key = `custom:${mode}Batch`;
      const result = await client.devices.updateAttributes({
        nodes: { [router.nodeId]: { [key]: { value: true } }, [runner.nodeId]: { [key]: { value: false, expiry: "2099-01-01T00:00:00Z" } } },
        comment: "batch from a test",
      });
      assert.equal(result, undefined);
      assert.equal((await client.devices.getAttributes(router.nodeId)).attributes[key], true);
      assert.equal((await client.devices.getAttributes(runner.nodeId)).attributes[key], false);
      await client.devices.updateAttributes({ nodes: { [router.nodeId]: { [key]: null }, [runner.nodeId]: { [key]: null } } });
      assert.equal((await client.devices.getAttributes(router.nodeId)).attributes[key], undefined);
      const patch = tailnet.requests.find((r) => r.method === "PATCH");
      assert.equal(patch.path, "/api/v2/tailnet/-/device-attributes");
      assert.equal(JSON.parse(patch.body).comment, "batch from a test");
    });
  });
}

describe("attribute rules", () => {
  beforeEach(() => tailnet.resetStats());

  test("bad input is refused with every problem listed, and nothing is sent", async () => {
    const box = await seeded("build-box");
    tailnet.resetStats();
    const cases = [
      [admin.devices.setAttribute("..", "node:os", { value: "has space", expiry: "tomorrow", comment: "x".repeat(201), reason: "?" }), ["deviceId", "key", "value", "expiry", "comment", "reason"]],
      [admin.devices.setAttribute(box.nodeId, "custom:n", { value: 1.5 }), ["value"]],
      [admin.devices.setAttribute(box.nodeId, "custom:n", { value: 2 ** 53 }), ["value"]],
      [admin.devices.setAttribute(box.nodeId, "custom:s", { value: "x".repeat(51) }), ["value"]],
      [admin.devices.setAttribute(box.nodeId, "custom:s", {}), ["value"]],
      [admin.devices.setAttribute(box.nodeId, `custom:${"a".repeat(122)}`, { value: true }), ["key"]],
      [admin.devices.deleteAttribute("", "custom:a-b"), ["deviceId", "key"]],
      [admin.devices.updateAttributes({ nodes: { [box.nodeId]: { "custom:a": { value: [] }, "node:os": null, "custom:b": undefined } }, comment: 5 }), [`nodes.${box.nodeId}.custom:a.value`, `nodes.${box.nodeId}.node:os`, `nodes.${box.nodeId}.custom:b`, "comment"]],
      [admin.devices.updateAttributes({ nodes: {} }), ["nodes"]],
      [admin.devices.list({ fields: "everything", filter: { tags: "tag:ci", "bad-name": "x", clientVersion: 5 } }), ["fields", "filter.bad-name", "filter.clientVersion"]],
      [admin.devices.get("..", { fields: "all", extra: true }), ["deviceId", "extra"]],
    ];
    for (const [promise, fields] of cases) {
      const err = await promise.catch((e) => e);
      assert.ok(err instanceof TailscaleValidationError, String(err));
      assert.deepEqual(fieldsOf(err), fields);
    }
    assert.equal(tailnet.requests.length, 0, "nothing reached the server");
  });

  test("the demo tailnet enforces the rules on its own", async () => {
    const router = await seeded("lab-router");
    const raw = (method, path, body) =>
      fetch(baseUrl + "/api/v2" + path, { method, headers: { authorization: `Bearer ${tailnet.credentials.apiKey}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const path = (key) => `/device/${router.nodeId}/attributes/${encodeURIComponent(key)}`;
    // Each refused for the rule it breaks: the message names it.
    const refused = async (method, route, body, why) => {
      const r = await raw(method, route, body);
      assert.equal(r.status, 400, `${route} ${JSON.stringify(body)}`);
      assert.match((await r.json()).message, why, `${route} ${JSON.stringify(body)}`);
    };
    for (const [key, body, why] of [
      ["node:os", { value: "x" }, /custom namespace/],
      ["custom:a-b", { value: "x" }, /invalid attribute key/],
      [`custom:${"a".repeat(122)}`, { value: "x" }, /at most 128/],
      ["custom:x", { value: 1.5 }, /integer/],
      ["custom:x", { value: "a b" }, /1 to 50 letters/],
      ["custom:x", { value: null }, /string, a number or a boolean/],
      ["custom:x", { value: "ok", expiry: "2026-02-30T00:00:00Z" }, /RFC 3339/],
      ["custom:x", { value: "ok", comment: "c".repeat(201) }, /at most 200/],
      ["custom:x", { value: "ok", extra: 1 }, /unknown field "extra"/],
    ]) {
      await refused("POST", path(key), body, why);
    }
    const batch = "/tailnet/-/device-attributes";
    await refused("PATCH", batch, { nodes: { [router.nodeId]: { "custom:x": { value: 1, comment: "no" } } } }, /unknown field "comment"/);
    await refused("PATCH", batch, { nodes: { nNOSUCHDEVICE: { "custom:x": null } } }, /nNOSUCHDEVICE not found/);
    await refused("PATCH", batch, { nodes: { [router.nodeId]: { "custom:x": null } }, comment: "c".repeat(201) }, /at most 200/);
    assert.equal((await raw("GET", "/device/nNOSUCHDEVICE/attributes")).status, 404);
  });

  test("one value type per key across the tailnet, keys unique regardless of case", async () => {
    const [router, box] = [await seeded("lab-router"), await seeded("build-box")];
    // custom:tier holds a number on lab-router (seeded).
    const typeClash = await admin.devices.setAttribute(box.nodeId, "custom:tier", { value: "gold" }).catch((e) => e);
    assert.ok(typeClash instanceof TailscaleApiError && typeClash.status === 400, String(typeClash));
    assert.match(typeClash.message, /number/);
    const caseClash = await admin.devices.setAttribute(box.nodeId, "custom:Rack", { value: "b2" }).catch((e) => e);
    assert.equal(caseClash.status, 400);
    assert.match(caseClash.message, /custom:rack/);
    await admin.devices.setAttribute(box.nodeId, "custom:tier", { value: 3 });
    // In one batch, two devices may not disagree either.
    const batch = await admin.devices.updateAttributes({ nodes: { [router.nodeId]: { "custom:mixed": { value: 1 } }, [box.nodeId]: { "custom:mixed": { value: "one" } } } }).catch((e) => e);
    assert.equal(batch.status, 400);
    assert.equal((await admin.devices.getAttributes(router.nodeId)).attributes["custom:mixed"], undefined, "all or nothing");
    await admin.devices.deleteAttribute(box.nodeId, "custom:tier");
  });

  test("an expired attribute disappears", async () => {
    const box = await seeded("build-box");
    // An hour ahead it is there; rewritten to have expired a minute ago, it is gone on the next
    // read: no wait racing the write on a loaded machine.
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const set = await admin.devices.setAttribute(box.nodeId, "custom:shortLived", { value: true, expiry: later });
    assert.equal(set.attributes["custom:shortLived"], true);
    const past = new Date(Date.now() - 60_000).toISOString();
    await admin.devices.setAttribute(box.nodeId, "custom:shortLived", { value: true, expiry: past });
    assert.equal((await admin.devices.getAttributes(box.nodeId)).attributes["custom:shortLived"], undefined);
    const seededExpiry = (await admin.devices.getAttributes((await seeded("amelie-laptop")).nodeId)).expiries["custom:diskEncryption"];
    assert.ok(Date.parse(seededExpiry) > Date.now(), "a seeded attribute with a future expiry stays");
  });

  test("setting, deleting and batch updates are retried on 503 and dropped connections", async () => {
    const box = await seeded("build-box");
    const path = `/api/v2/device/${box.nodeId}/attributes/custom%3Aretried`;
    tailnet.resetStats();
    tailnet.fault({ method: "POST", path, status: 503 });
    await admin.devices.setAttribute(box.nodeId, "custom:retried", { value: 1 });
    tailnet.fault({ method: "DELETE", path, drop: "before-response" });
    await admin.devices.deleteAttribute(box.nodeId, "custom:retried");
    tailnet.fault({ method: "PATCH", status: 502 });
    await admin.devices.updateAttributes({ nodes: { [box.nodeId]: { "custom:retried": { value: 2 } } } });
    assert.deepEqual(tailnet.requests.map((r) => `${r.method} ${r.status}`), ["POST 503", "POST 200", "DELETE 200", "DELETE 200", "PATCH 502", "PATCH 200"]);
  });
});

test("ids and keys that could reach another path are encoded into one segment, or refused", async () => {
  tailnet.resetStats();
  for (const id of ["a/b", "x?fields=all", "x#frag", "../../tailnet/-/keys", "nöde", "%2e%2e"]) {
    const err = await admin.devices.get(id).catch((e) => e);
    assert.equal(err.status, 404, id);
  }
  assert.deepEqual(tailnet.requests.map((r) => r.path + r.query), [
    "/api/v2/device/a%2Fb",
    "/api/v2/device/x%3Ffields%3Dall",
    "/api/v2/device/x%23frag",
    "/api/v2/device/..%2F..%2Ftailnet%2F-%2Fkeys",
    "/api/v2/device/n%C3%B6de",
    "/api/v2/device/%252e%252e",
  ]);
  tailnet.resetStats();
  for (const id of [".", ".."]) await assert.rejects(admin.devices.getAttributes(id), TailscaleValidationError);
  for (const key of ["custom:a/b", "custom:a?b", "custom:..", "custom:ü"]) await assert.rejects(admin.devices.deleteAttribute("n1", key), TailscaleValidationError);
  assert.equal(tailnet.requests.length, 0);
});

describe("devices join with auth keys (the demo-only registration control)", () => {
  const register = (authKey, hostname = "new-node", os) =>
    fetch(baseUrl + "/demo/register", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ authKey, hostname, ...(os ? { os } : {}) }) });

  test("a tagged key's tags become the device's tags; a single-use key works once", async () => {
    const key = await admin.keys.createAuthKey({ tags: ["tag:edge", "tag:ci"], ephemeral: true, preauthorized: true });
    const r = await register(key.key, "edge-1", "linux");
    assert.equal(r.status, 200);
    const device = await r.json();
    assert.deepEqual(device.tags, ["tag:edge", "tag:ci"]);
    assert.equal(device.isEphemeral, true);
    assert.equal(device.authorized, true);
    const listed = await admin.devices.list({ filter: { tags: ["tag:edge"] } });
    assert.deepEqual(listed.map((d) => d.hostname), ["edge-1"]);
    const again = await register(key.key, "edge-2");
    assert.equal(again.status, 401);
    assert.match((await again.json()).message, /already been used/);
  });

  test("an untagged key's device belongs to the key's owner; a reusable key works again", async () => {
    const key = await admin.keys.createAuthKey({ reusable: true });
    const first = await (await register(key.key, "laptop-1")).json();
    const second = await (await register(key.key, "laptop-2")).json();
    assert.equal(first.user, "demo@example.com");
    assert.equal(first.tags, undefined);
    assert.equal(first.authorized, false, "not pre-approved");
    assert.equal(second.hostname, "laptop-2");
  });

  test("a revoked, expired or unknown key is refused", async () => {
    const revoked = await admin.keys.createAuthKey({ tags: ["tag:ci"] });
    await admin.keys.delete(revoked.id);
    assert.equal((await register(revoked.key)).status, 401);
    const expired = await admin.keys.createAuthKey({ tags: ["tag:ci"], expirySeconds: 1 });
    tailnet.state.keys.get(expired.id).expires = new Date(Date.now() - 1000).toISOString();
    const r = await register(expired.key);
    assert.equal(r.status, 401);
    assert.match((await r.json()).message, /expired/);
    assert.equal((await register("tskey-auth-nope")).status, 401);
    assert.equal((await register(revoked.key, "bad host")).status, 400);
  });
});
