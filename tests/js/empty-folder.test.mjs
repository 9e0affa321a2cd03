// The tarball installed into an empty folder works from ESM and CommonJS, with no build step.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync, execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { startTailnet } from "./helpers.mjs";

const packDir = fileURLToPath(new URL("../../target/pack/", import.meta.url));
const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith(".tgz")));
const { tailnet, baseUrl } = await startTailnet();
const dir = mkdtempSync(join(tmpdir(), "tailscale-wasm-empty-"));
after(async () => {
  await tailnet.close();
  rmSync(dir, { recursive: true, force: true });
});

// The demo tailnet runs in this process, so the children must run without blocking it.
const run = promisify(execFile);

test("npm install <tarball> into an empty folder, then import and require", async () => {
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: dir });
  const call = `new TailscaleClient({ apiKey: process.env.KEY, baseUrl: process.env.URL }).keys.list().then((k) => console.log(k.length))`;
  writeFileSync(join(dir, "esm.mjs"), `import { TailscaleClient } from "tailscale-wasm";\n${call};\n`);
  writeFileSync(join(dir, "cjs.cjs"), `const { TailscaleClient } = require("tailscale-wasm");\n${call};\n`);
  const env = { ...process.env, KEY: tailnet.credentials.apiKey, URL: baseUrl };
  for (const file of ["esm.mjs", "cjs.cjs"]) {
    const { stdout: out } = await run(process.execPath, [file], { cwd: dir, env });
    assert.ok(Number(out.trim()) > 0, `${file} listed keys`);
  }
  const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n").sort();
  assert.ok(!files.some((f) => f.includes(".rs") || f.includes("_bg.wasm.d.ts")), files.join(" "));
});
