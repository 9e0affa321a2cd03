// The demo server (www/server.mjs) against hostile requests, in demo and proxy mode: a Host that
// is not its own listener (DNS rebinding), a foreign Origin, an oversized body, a malformed path,
// and an upstream that redirects. Each test checks the answer and the log line, which holds the
// method, path, status and duration and nothing else.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startServer } from "../../www/server.mjs";
import { createDemoTailnet } from "../../www/demo-tailnet.mjs";

const LOG_LINE = /^[A-Z]+ \S+ \d{3} \d+\.\dms$/;

async function start(options = {}) {
  const lines = [];
  const s = await startServer({ port: 0, log: (l) => lines.push(l), ...options });
  return { ...s, lines, port: new URL(s.url).port };
}

const upstream = createDemoTailnet();
const upstreamUrl = await upstream.listen();
const demo = await start();
const proxy = await start({ upstream: upstreamUrl });
after(() => Promise.all([demo.close(), proxy.close(), upstream.close()]));

/** A raw request, so that Host and Origin are exactly what the test says. */
function send(server, { method = "GET", path = "/", headers = {}, body } = {}) {
  const all = { host: `127.0.0.1:${server.port}`, ...headers };
  // `host: null`: no Host header at all (as an HTTP/1.0 client might send).
  const setHost = all.host !== null;
  if (!setHost) delete all.host;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: server.port, method, path, headers: all, setHost }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const lastLine = (server) => server.lines.at(-1);
const auth = { authorization: `Bearer ${upstream.credentials.apiKey}` };
const demoAuth = { authorization: `Bearer ${demo.demo.credentials.apiKey}` };

for (const [mode, server, headers] of [["demo", demo, demoAuth], ["proxy", proxy, auth]]) {
  test(`${mode} mode: a Host that is not the listener's own is refused (DNS rebinding)`, async () => {
    const before = upstream.requests.length;
    for (const host of ["rebind.attacker.example", `rebind.attacker.example:${server.port}`, `127.0.0.1:${Number(server.port) + 1}`, "127.0.0.1"]) {
      const r = await send(server, { path: "/api/v2/tailnet/-/keys", headers: { ...headers, host } });
      assert.equal(r.status, 403, `Host: ${host}`);
      assert.equal(lastLine(server), `GET /api/v2/tailnet/-/keys 403 ${lastLine(server).split(" ").at(-1)}`);
      assert.match(lastLine(server), LOG_LINE);
    }
    // No Host at all: Node's HTTP server refuses it (400) before the handler runs.
    assert.equal((await send(server, { path: "/api/v2/tailnet/-/keys", headers: { ...headers, host: null } })).status, 400);
    const page = await send(server, { path: "/", headers: { host: "rebind.attacker.example" } });
    assert.equal(page.status, 403, "the page itself is refused too");
    assert.equal(upstream.requests.length, before, "nothing was forwarded");
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `LOCALHOST:${server.port}`, `[::1]:${server.port}`]) {
      const r = await send(server, { path: "/api/v2/tailnet/-/keys", headers: { ...headers, host } });
      assert.equal(r.status, 200, `Host: ${host}`);
    }
  });

  test(`${mode} mode: a foreign Origin is refused on /api/v2/`, async () => {
    const before = upstream.requests.length;
    for (const origin of ["https://attacker.example", `http://localhost:${server.port}.attacker.example`, "null"]) {
      const r = await send(server, { method: "POST", path: "/api/v2/tailnet/-/keys", headers: { ...headers, origin, "content-type": "application/json" }, body: "{}" });
      assert.equal(r.status, 403, `Origin: ${origin}`);
      assert.match(lastLine(server), /^POST \/api\/v2\/tailnet\/-\/keys 403 /);
    }
    assert.equal(upstream.requests.length, before, "nothing was forwarded");
    const own = await send(server, { path: "/api/v2/tailnet/-/keys", headers: { ...headers, origin: `http://127.0.0.1:${server.port}` } });
    assert.equal(own.status, 200);
  });

  test(`${mode} mode: a body over 1 MiB is refused with 413`, async () => {
    const before = upstream.requests.length;
    const body = JSON.stringify({ description: "x".repeat(1024 * 1024) });
    const r = await send(server, { method: "POST", path: "/api/v2/tailnet/-/keys", headers: { ...headers, "content-type": "application/json" }, body });
    assert.equal(r.status, 413);
    assert.match(lastLine(server), /^POST \/api\/v2\/tailnet\/-\/keys 413 \d+\.\dms$/);
    assert.equal(upstream.requests.length, before);
    // Without a Content-Length (chunked), the cap holds while reading.
    const chunked = await new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port: server.port, method: "POST", path: "/api/v2/tailnet/-/keys", headers: { ...headers, host: `127.0.0.1:${server.port}`, "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      });
      req.on("error", reject);
      for (let i = 0; i < 20; i++) req.write("x".repeat(100 * 1024));
      req.end();
    });
    assert.equal(chunked, 413);
  });

  test(`${mode} mode: a malformed percent-escape in the path answers 400`, async () => {
    for (const path of ["/api/v2/tailnet/%E0%A4%A/keys", "/api/v2/tailnet/-/keys/%ZZ", "/%E0%A4%A.html", "/pkg/%"]) {
      const r = await send(server, { path, headers });
      assert.equal(r.status, 400, path);
      assert.equal(lastLine(server).split(" ").slice(0, 3).join(" "), `GET ${path} 400`);
    }
  });
}

test("the log shows method, path, status and duration only", () => {
  const secrets = [upstream.credentials.apiKey, demo.demo.credentials.apiKey];
  for (const line of [...demo.lines, ...proxy.lines]) {
    assert.match(line, LOG_LINE);
    for (const s of secrets) assert.ok(!line.includes(s));
  }
});

test("proxy mode forwards If-Match and passes back ETag, so a policy write stays conditional", async () => {
  const path = "/api/v2/tailnet/-/acl";
  const read = await send(proxy, { path, headers: { ...auth, accept: "application/hujson" } });
  assert.equal(read.status, 200);
  assert.match(read.headers.etag, /^".+"$/, "the upstream's ETag comes back");
  const direct = await fetch(`${upstreamUrl}${path}`, { headers: { ...auth, accept: "application/hujson" } });
  assert.equal(read.headers.etag, direct.headers.get("etag"));
  const write = (ifMatch) => send(proxy, { method: "POST", path, headers: { ...auth, "content-type": "application/hujson", "if-match": ifMatch }, body: read.text });
  const stale = await write('"not-the-version-read"');
  assert.equal(stale.status, 412, "the upstream saw If-Match");
  assert.equal(upstream.requests.at(-1).headers["if-match"], '"not-the-version-read"');
  const ok = await write(read.headers.etag);
  assert.equal(ok.status, 200);
  assert.equal(typeof ok.headers.etag, "string");
  assert.match(lastLine(proxy), /^POST \/api\/v2\/tailnet\/-\/acl 200 \d+\.\dms$/);
});

test("proxy mode never follows an upstream redirect, and forwards only /api/v2/", async () => {
  const elsewhere = [];
  const third = http.createServer((req, res) => (elsewhere.push(req.url), res.end("{}")));
  await new Promise((r) => third.listen(0, "127.0.0.1", r));
  const redirecting = http.createServer((req, res) => res.writeHead(307, { location: `http://127.0.0.1:${third.address().port}${req.url}` }).end());
  await new Promise((r) => redirecting.listen(0, "127.0.0.1", r));
  const p = await start({ upstream: `http://127.0.0.1:${redirecting.address().port}` });
  try {
    const r = await send(p, { method: "POST", path: "/api/v2/oauth/token", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "client_id=c&client_secret=s&grant_type=client_credentials" });
    assert.equal(r.status, 307);
    assert.equal(r.headers.location, undefined, "the redirect goes back without its target");
    assert.match(p.lines.at(-1), /^POST \/api\/v2\/oauth\/token 307 \d+\.\dms$/);
    assert.deepEqual(elsewhere, [], "the redirect target heard nothing");
    for (const path of ["/api/v1/keys", "/apiv2/x", "/a/oauth_authorize"]) {
      assert.equal((await send(p, { path })).status, 404, path);
      assert.equal(p.lines.at(-1).split(" ").slice(0, 3).join(" "), `GET ${path} 404`);
    }
    assert.deepEqual(elsewhere, []);
  } finally {
    await p.close();
    await new Promise((r) => (third.closeAllConnections(), third.close(r)));
    await new Promise((r) => (redirecting.closeAllConnections(), redirecting.close(r)));
  }
});
