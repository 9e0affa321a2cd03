// The consumer matrix's browser and offline rows, from the packed tarball installed into
// temporary folders (never the source tree): a Vite production build, a plain module script with
// an import map, a Web Worker, and a Node script with no network but loopback. Node ESM and
// CommonJS, and the strict TypeScript consumer, are in tests/js (empty-folder, types).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtempSync, readdirSync, cpSync, writeFileSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname, normalize, sep } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { createDemoTailnet } from "../../www/demo-tailnet.mjs";

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../../", import.meta.url));
const packDir = join(repo, "target/pack");
const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith(".tgz")));
// A ratchet on the browser payload (BENCHMARKS.md has the history): lowered as size cuts land,
// and raised by exactly what each new capability was measured to cost. 47,104 B (46 KiB) at the
// start of the second round, + 571 (transport rules) + 6,928 (devices) + 5,091 (device
// provisioning) - 370 (-Zlocation-detail=none); today's build is 57,687 B.
const PAYLOAD_BUDGET = 59_324;
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css" };

let browser, tailnet, work;
const dirs = [];

/** A folder with the tarball installed, as a user's project would have it. */
async function project(extra = []) {
  const dir = mkdtempSync(join(tmpdir(), "tailscale-wasm-consumer-"));
  dirs.push(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, type: "module" }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...extra], { cwd: dir });
  return dir;
}

/** Serves `root` statically and /api/v2 from the demo tailnet, on one origin. */
async function serve(root) {
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path.startsWith("/api/v2/")) return tailnet.handle(req, res);
    // A proxy that redirects: /bounce/... answers 307 to the same path without the prefix.
    if (path.startsWith("/bounce/")) return res.writeHead(307, { location: req.url.slice("/bounce".length) }).end();
    if (path === "/favicon.ico") return res.writeHead(204).end();
    const file = normalize(join(root, decodeURIComponent(path === "/" ? "/index.html" : path)));
    if (!file.startsWith(root + sep) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))) };
}

async function openPage(url) {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  if (process.env.DEBUG_CONSUMERS) page.on("console", (m) => console.log("page:", m.type(), m.text()));
  if (process.env.DEBUG_CONSUMERS) page.on("requestfailed", (r) => console.log("failed:", r.url()));
  if (process.env.DEBUG_CONSUMERS) page.on("response", (r) => r.status() >= 400 && console.log("status:", r.status(), r.url()));
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  await page.goto(url);
  return { page, problems };
}

before(async () => {
  tailnet = createDemoTailnet();
  await tailnet.listen();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ARGS });
});

after(async () => {
  await browser?.close();
  await tailnet?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("a Vite production build of examples/vite-app lists keys in Chromium", async (t) => {
  const dir = await project(["vite@8.3.4"]);
  for (const f of ["index.html", "main.js", "vite.config.js"]) cpSync(join(repo, "examples/vite-app", f), join(dir, f));
  await run(join(dir, "node_modules/.bin/vite"), ["build", "--logLevel", "warn"], { cwd: dir });
  const assets = readdirSync(join(dir, "dist/assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `the build emits the wasm: ${assets}`);
  // What every visitor downloads: gzip of the JS plus gzip of the wasm (size is deterministic).
  const shipped = assets.reduce((n, f) => n + gzipSync(readFileSync(join(dir, "dist/assets", f)), { level: 9 }).length, 0);
  t.diagnostic(`payload: ${shipped} B gzip (JS + wasm), budget ${PAYLOAD_BUDGET} B`);
  assert.ok(shipped <= PAYLOAD_BUDGET, `the Vite build ships ${shipped} B gzipped, over the ${PAYLOAD_BUDGET} B budget (see BENCHMARKS.md)`);
  const site = await serve(join(dir, "dist"));
  try {
    const { page, problems } = await openPage(site.url + "/");
    await page.fill("input[name=apiKey]", tailnet.credentials.apiKey);
    await page.click("button");
    await page.waitForSelector("#keys li");
    assert.match(await page.innerText("#status"), /^\d+ keys$/);
    assert.ok((await page.locator("#keys li").allInnerTexts()).some((t) => t.includes("ci runners")));
    assert.deepEqual(problems, []);
  } finally {
    await site.close();
  }
});

test("a plain <script type=module> page imports the browser entry through an import map", async () => {
  const dir = await project();
  writeFileSync(
    join(dir, "index.html"),
    `<!doctype html><script type="importmap">{"imports":{"tailscale-wasm":"/node_modules/tailscale-wasm/index.js"}}</script>
<script type="module">
  import { TailscaleClient, TailscaleApiError } from "tailscale-wasm";
  const client = new TailscaleClient({ apiKey: "${tailnet.credentials.apiKey}", baseUrl: location.origin });
  const keys = await client.keys.list();
  const missing = await client.keys.get("missing").catch((e) => e);
  // A redirect is not followed: the browser makes it opaque (status 0, no Location).
  const bounced = new TailscaleClient({ apiKey: "${tailnet.credentials.apiKey}", baseUrl: location.origin + "/bounce" });
  const redirect = await bounced.keys.createAuthKey({ tags: ["tag:ci"] }).catch((e) => e);
  document.body.dataset.result = JSON.stringify({ keys: keys.length, typed: missing instanceof TailscaleApiError, status: missing.status,
    redirect: { typed: redirect instanceof TailscaleApiError, status: redirect.status, opaque: /opaque redirect/.test(redirect.message), location: redirect.location ?? null } });
</script>`,
  );
  const site = await serve(dir);
  try {
    const { page, problems } = await openPage(site.url + "/");
    await page.waitForSelector("body[data-result]", { state: "attached" });
    const result = JSON.parse(await page.getAttribute("body", "data-result"));
    assert.ok(result.keys > 0);
    assert.deepEqual({ typed: result.typed, status: result.status }, { typed: true, status: 404 });
    assert.deepEqual(result.redirect, { typed: true, status: 0, opaque: true, location: null });
    assert.ok(!tailnet.requests.some((r) => r.method === "POST"), "the redirected create reached no one");
    assert.deepEqual(problems.filter((p) => !/404/.test(p)), []);
  } finally {
    await site.close();
  }
});

test("a module Web Worker uses the client", async () => {
  const dir = await project();
  writeFileSync(join(dir, "index.html"), `<!doctype html><script type="module" src="/page.js"></script>`);
  writeFileSync(join(dir, "page.js"), `const worker = new Worker("/worker.js", { type: "module" });
// The worker says when it is ready: its module awaits the wasm before it can listen.
worker.onmessage = (e) => {
  if (e.data === "ready") worker.postMessage({ apiKey: "${tailnet.credentials.apiKey}", baseUrl: location.origin });
  else document.body.dataset.result = JSON.stringify(e.data);
};
worker.onerror = (e) => { document.body.dataset.result = JSON.stringify({ error: e.message ?? "worker failed" }); };
`);
  writeFileSync(join(dir, "worker.js"), `import { TailscaleClient, validateTag } from "/node_modules/tailscale-wasm/index.js";
self.onmessage = async ({ data }) => {
  try {
    const client = new TailscaleClient({ apiKey: data.apiKey, baseUrl: data.baseUrl });
    const apps = await client.oauthApps.list();
    self.postMessage({ apps: apps.length, tagIssues: validateTag("server").length });
  } catch (err) {
    self.postMessage({ error: String(err) });
  }
};
self.postMessage("ready");`);
  const site = await serve(dir);
  try {
    const { page, problems } = await openPage(site.url + "/");
    await page.waitForSelector("body[data-result]", { state: "attached" });
    assert.deepEqual(JSON.parse(await page.getAttribute("body", "data-result")), { apps: 1, tagIssues: 1 });
    assert.deepEqual(problems, []);
  } finally {
    await site.close();
  }
});

test("a Node script with no network but loopback talks to the demo tailnet", async (t) => {
  const probe = await run("unshare", ["-n", "true"]).then(() => true, () => false);
  if (!probe) return t.skip("no permission to create a network namespace (unshare -n) here");
  const dir = await project();
  cpSync(join(repo, "www/demo-tailnet.mjs"), join(dir, "demo-tailnet.mjs"));
  cpSync(join(repo, "www/demo-tailnet"), join(dir, "demo-tailnet"), { recursive: true });
  writeFileSync(join(dir, "offline.mjs"), `import { createDemoTailnet } from "./demo-tailnet.mjs";
import { TailscaleClient } from "tailscale-wasm";
const tailnet = createDemoTailnet();
const baseUrl = await tailnet.listen();
const client = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
const keys = await client.keys.list();
// The real API is out of reach here: the default baseUrl must fail as a network error.
const away = await new TailscaleClient({ apiKey: "tskey-api-x", maxRetries: 0, timeoutMs: 3000 }).keys.list().catch((e) => e.name);
console.log(JSON.stringify({ keys: keys.length, away }));
await tailnet.close();`);
  // A fresh network namespace holds only a loopback interface, brought up here.
  const { stdout } = await run("unshare", ["-n", "sh", "-c", "ip link set lo up 2>/dev/null || true; exec node offline.mjs"], { cwd: dir });
  const result = JSON.parse(stdout.trim().split("\n").pop());
  assert.ok(result.keys > 0);
  assert.ok(["TailscaleNetworkError", "TailscaleTimeoutError"].includes(result.away), result.away);
});
