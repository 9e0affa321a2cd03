// Every method in the contract, with each auth mode, against the demo tailnet over loopback.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { TailscaleClient } from "tailscale-wasm";
import { startTailnet, federatedCredentials, clientFor } from "./helpers.mjs";

const env = await startTailnet();
env.federated = await federatedCredentials(new TailscaleClient({ apiKey: env.tailnet.credentials.apiKey, baseUrl: env.baseUrl }));
after(() => env.tailnet.close());

for (const mode of ["apiKey", "oauth", "federated"]) {
  describe(`every method with ${mode}`, () => {
    let client;
    before(() => {
      client = clientFor(mode, env);
      env.tailnet.resetStats();
    });

    test("keys.list and keys.list({ all: true })", async () => {
      const keys = await client.keys.list();
      assert.ok(Array.isArray(keys) && keys.length > 0);
      const all = await client.keys.list({ all: true });
      assert.ok(all.length >= keys.length);
      const lists = env.tailnet.requests.filter((r) => r.method === "GET" && r.path === "/api/v2/tailnet/-/keys");
      assert.deepEqual(lists.map((r) => r.query), ["", "?all=true"]);
    });

    test("auth keys: create, get, delete", async () => {
      const created = await client.keys.createAuthKey({ reusable: true, ephemeral: true, preauthorized: true, tags: ["tag:ci"], expirySeconds: 3600, description: "made by test" });
      assert.match(created.key, /^tskey-auth-/);
      assert.equal(created.keyType, "auth");
      assert.deepEqual(created.capabilities.devices.create, { reusable: true, ephemeral: true, preauthorized: true, tags: ["tag:ci"] });
      const got = await client.keys.get(created.id);
      assert.equal(got.id, created.id);
      assert.equal(got.key, undefined, "the secret is only in the create response");
      assert.equal(await client.keys.delete(created.id), undefined);
      const after = await client.keys.get(created.id);
      assert.equal(after.invalid, true);
      const sent = env.tailnet.requests.filter((r) => r.path.includes(created.id)).map((r) => r.method);
      assert.deepEqual(sent, ["GET", "DELETE", "GET"]);
    });

    test("OAuth clients: create and set", async () => {
      const c = await client.keys.createOAuthClient({ scopes: ["devices:core"], tags: ["tag:ci"], description: "robot" });
      assert.equal(c.keyType, "client");
      assert.match(c.key, /^tskey-client-/);
      const updated = await client.keys.setOAuthClient(c.id, { scopes: ["devices:core:read"], description: "robot two" });
      assert.deepEqual(updated.scopes, ["devices:core:read"]);
      assert.equal(updated.description, "robot two");
      const put = env.tailnet.requests.find((r) => r.method === "PUT" && r.path.endsWith(c.id));
      assert.deepEqual(JSON.parse(put.body), { keyType: "client", scopes: ["devices:core:read"], description: "robot two" });
      await client.keys.delete(c.id);
    });

    test("federated identities: create and set", async () => {
      const f = await client.keys.createFederatedIdentity({ scopes: ["all:read"], issuer: "https://token.example", subject: "ci:*", customClaimRules: { env: "prod" } });
      assert.equal(f.keyType, "federated");
      assert.equal(f.key, undefined);
      assert.ok(f.audience, "the API generates an audience");
      const updated = await client.keys.setFederatedIdentity(f.id, { scopes: ["all:read"], issuer: "https://token.example", subject: "ci:main", audience: "mine" });
      assert.equal(updated.subject, "ci:main");
      assert.equal(updated.audience, "mine");
      await client.keys.delete(f.id);
    });

    test("OAuth apps: create, list, get, update, delete", async () => {
      const app = await client.oauthApps.create({ name: `prov-${mode}`, description: "provisions devices", redirectURIs: ["https://prov.example/cb", "http://localhost:3000/cb"], scopes: ["devices:core"], allowedNodeAttributes: ["custom:provisioned"] });
      assert.ok(app.clientSecret, "the client secret is in the create response");
      assert.deepEqual(app.allowedNodeAttributes, ["custom:provisioned"]);
      const list = await client.oauthApps.list();
      assert.ok(list.some((a) => a.id === app.id && a.clientSecret === undefined));
      const got = await client.oauthApps.get(app.id);
      assert.equal(got.name, `prov-${mode}`);
      const updated = await client.oauthApps.update(app.id, { name: `prov-${mode}-2`, redirectURIs: ["https://prov.example/cb"], scopes: ["devices:core:read"], allowedNodeAttributes: [] });
      assert.equal(updated.name, `prov-${mode}-2`);
      assert.equal(updated.clientSecret, undefined);
      assert.equal(await client.oauthApps.delete(app.id), undefined);
      await assert.rejects(client.oauthApps.get(app.id), { name: "TailscaleApiError", status: 404 });
    });
  });
}

test("fields the client does not model pass through untouched", async () => {
  const client = clientFor("apiKey", env);
  const k = await client.keys.createAuthKey({ tags: ["tag:ci"] });
  env.tailnet.state.keys.get(k.id).futureField = { nested: [1, 2] };
  env.tailnet.state.keys.get(k.id).description = null;
  const got = await client.keys.get(k.id);
  assert.deepEqual(got.futureField, { nested: [1, 2] });
  assert.equal(got.description, null);
});

test("a tailnet name and ids are percent-encoded into the path", async () => {
  const client = clientFor("apiKey", env, { tailnet: "example.com" });
  env.tailnet.resetStats();
  await assert.rejects(client.keys.get("a/b?c"), { status: 404 });
  assert.equal(env.tailnet.requests[0].path, "/api/v2/tailnet/example.com/keys/a%2Fb%3Fc");
});

test("requests carry JSON and identification headers", async () => {
  const client = clientFor("apiKey", env, { userAgent: "my-tool/1.0" });
  env.tailnet.resetStats();
  await client.keys.createAuthKey({ tags: ["tag:ci"] });
  const [req] = env.tailnet.requests;
  assert.equal(req.headers["content-type"], "application/json");
  assert.equal(req.headers.accept, "application/json");
  assert.equal(req.headers["user-agent"], "my-tool/1.0");
  assert.equal(req.headers.authorization, `Bearer ${env.tailnet.credentials.apiKey}`);
});
