// The transport rules (the README's "Transport rules"): no credential in clear text to a
// remote host, none in the URL, and none through a redirect. The redirect test runs two loopback
// servers: the first answers 307 to the second on every path, token endpoints included, and the
// second must never hear from the client.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { TailscaleClient, TailscaleValidationError, TailscaleApiError } from "tailscale-wasm";
import { startTailnet, federatedCredentials } from "./helpers.mjs";
import { recordStrings, findLeaks } from "./secrets-ledger.mjs";

const { tailnet, baseUrl } = await startTailnet();
const admin = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
const federated = await federatedCredentials(admin);

/** A loopback server that logs every request and answers with `answer(req, res)`. */
async function server(answer) {
  const log = [];
  const s = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      log.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      answer(req, res);
    });
  });
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${s.address().port}`, log, close: () => new Promise((r) => (s.closeAllConnections(), s.close(r))) };
}

const second = await server((req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
const first = await server((req, res) => res.writeHead(307, { location: second.url + req.url }).end());
after(() => Promise.all([tailnet.close(), first.close(), second.close()]));

const issuesOf = (options) => {
  try {
    new TailscaleClient({ apiKey: "tskey-api-x", ...options });
  } catch (err) {
    assert.ok(err instanceof TailscaleValidationError, String(err));
    return err.issues;
  }
  return [];
};

test("a plain http baseUrl to a remote host is refused at construction, naming the option", () => {
  const [issue, ...rest] = issuesOf({ baseUrl: "http://tailscale-proxy.corp.example" });
  assert.equal(rest.length, 0);
  assert.equal(issue?.field, "baseUrl");
  assert.match(issue.message, /https/);
  assert.match(issue.message, /clear text/);
  assert.match(issue.message, /allowInsecureHttp/);
  assert.deepEqual(issuesOf({ baseUrl: "http://tailscale-proxy.corp.example", allowInsecureHttp: true }), []);
  assert.deepEqual(issuesOf({ baseUrl: "https://tailscale-proxy.corp.example" }), []);
});

test("loopback hosts may use http", () => {
  for (const baseUrl of ["http://localhost:8787", "http://LOCALHOST", "http://127.0.0.1:1", "http://127.255.0.9/x", "http://[::1]:8787"]) {
    assert.deepEqual(issuesOf({ baseUrl }), [], baseUrl);
  }
  for (const baseUrl of ["http://127.0.0.1.example.com", "http://128.0.0.1", "http://localhost.example", "http://[::2]", "http://evil.example\\@localhost"]) {
    assert.equal(issuesOf({ baseUrl }).length, 1, baseUrl);
  }
});

test("a user name or password in baseUrl is refused at construction, without quoting it", () => {
  for (const baseUrl of ["https://admin:hunter2@proxy.example", "https://admin@proxy.example", "http://user:pw@127.0.0.1:8787"]) {
    const issues = issuesOf({ baseUrl });
    assert.equal(issues.length, 1, baseUrl);
    assert.equal(issues[0].field, "baseUrl");
    assert.match(issues[0].message, /user name or password/);
    assert.ok(!issues[0].message.includes("hunter2"));
  }
});

const credentials = {
  apiKey: { apiKey: tailnet.credentials.apiKey },
  oauth: { oauth: tailnet.credentials.oauth },
  federated: { federated },
};

for (const [mode, auth] of Object.entries(credentials)) {
  test(`a 307 to another origin is not followed with ${mode}: nothing reaches the second server`, async () => {
    first.log.length = 0;
    const client = new TailscaleClient({ ...auth, baseUrl: first.url, maxRetries: 2 });
    const err = await client.keys.list().catch((e) => e);
    recordStrings(err);
    assert.ok(err instanceof TailscaleApiError, String(err));
    assert.equal(err.status, 307);
    assert.match(err.message, /redirect/);
    assert.equal(typeof err.location, "string");
    assert.ok(err.location.startsWith(second.url), err.location);
    // The token request (oauth, federated) or the call itself (apiKey) was sent once, and stopped.
    const expected = { apiKey: "/api/v2/tailnet/-/keys", oauth: "/api/v2/oauth/token", federated: "/api/v2/oauth/token-exchange" }[mode];
    assert.deepEqual(first.log.map((r) => r.path), [expected]);
    assert.deepEqual(second.log, [], "the second origin heard nothing");
  });
}

test("a create answered with a redirect is not resent anywhere", async () => {
  first.log.length = 0;
  const client = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl: first.url });
  await assert.rejects(client.keys.createAuthKey({ tags: ["tag:ci"] }), { name: "TailscaleApiError", status: 307 });
  assert.equal(first.log.length, 1);
  assert.deepEqual(second.log, []);
});

test("no credential appears in the redirect errors", () => {
  const secrets = [tailnet.credentials.apiKey, tailnet.credentials.oauth.clientSecret, federated.idToken];
  assert.deepEqual(findLeaks(secrets), []);
});
