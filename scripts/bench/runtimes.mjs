// `make bench`'s runtime and bundler figures: cold start (import plus first call) on each
// runtime, the per-call ratio to raw fetch on Node, Deno, Bun and workerd, against a trivial
// loopback server (a fixed body, no logic) and against a demo tailnet, and what each bundler's
// builds of the consumer matrix's two apps (core-only, and with the policy tools) ship, gzip and
// brotli. Uses the consumer matrix's tools
// (target/consumers, `scripts/setup.sh consumers`).
import http from "node:http";
import { spawn, execFile } from "node:child_process";
import { promisify } from "node:util";
import { connect } from "node:net";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleWorker, workerdConfig } from "../../tests/consumers/bundle-worker.mjs";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const tools = join(root, "target/consumers");
const bin = (name) => join(tools, "node_modules/.bin", name);
const here = fileURLToPath(new URL(".", import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Twenty keys as the demo tailnet would list them, answered as a constant. */
const FIXED_BODY = JSON.stringify({
  keys: Array.from({ length: 20 }, (_, i) => ({ id: `k${i}CNTRL`, keyType: "auth", description: "fixed", created: "2026-01-01T00:00:00Z", expires: "2027-01-01T00:00:00Z", capabilities: { devices: { create: { reusable: true, ephemeral: false, preauthorized: true, tags: ["tag:ci"] } } } })),
});

/** The trivial server, in this process so that cold starts are stamped on one clock. */
export async function trivialServer() {
  let onArrival = () => {};
  const server = http.createServer((req, res) => {
    onArrival(performance.now());
    res.writeHead(200, { "content-type": "application/json" }).end(FIXED_BODY);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    nextArrival: () => new Promise((resolve) => (onArrival = resolve)),
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))),
  };
}

const RUNTIMES = [
  // Its cold start is the main table's (more pairs of the same probe), not measured again.
  { name: "Node 20 (this machine)", cmd: process.execPath, args: [], calls: true, thisNode: true },
  ...[18, 22, 24, 26].map((m) => ({ name: `Node ${m}`, cmd: join(tools, `node_modules/node${m}/bin/node`), args: [] })),
  { name: "Deno 2", cmd: bin("deno"), args: ["run", "--allow-all"], calls: true },
  { name: "Bun 1", cmd: bin("bun"), args: [], calls: true },
];

/** Milliseconds from spawning `cmd` to its first request reaching `server`: stamped on arrival,
 *  not when the script calls `fetch`, since Node loads its fetch machinery on first use and the
 *  package meets it earlier, when it builds its `Request`. */
export async function coldOnce(server, cmd, args, cwd) {
  const arrival = server.nextArrival();
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd, stdio: "ignore", env: { ...process.env, DENO_DIR: join(tools, "deno-cache") } });
  const t1 = await arrival;
  await new Promise((r) => child.on("exit", r));
  return t1 - t0;
}

/** Interleaved cold starts, empty and with the package: medians. */
export async function cold(server, runOnce, rounds = 10) {
  const times = { raw: [], pkg: [] };
  for (let i = 0; i < rounds; i++) {
    times.raw.push(await runOnce("raw"));
    times.pkg.push(await runOnce("pkg"));
  }
  return { raw: median(times.raw), pkg: median(times.pkg) };
}

async function waitForPort(port) {
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

let nextPort = 18700 + Math.floor(Math.random() * 1000);

/** workerd: per-call ratios (N calls inside the Worker per request, timed from outside) and cold starts. */
async function workerd(dir, trivial, demo, rounds) {
  const esbuild = await import(join(tools, "node_modules/esbuild/lib/main.js"));
  const start = async (entry, bindings) => {
    const out = mkdtempSync(join(dir, "workerd-"));
    const modules = await bundleWorker({ esbuild, entry, outdir: out });
    const port = nextPort++;
    writeFileSync(join(out, "config.capnp"), workerdConfig({ modules, port, bindings }));
    const t0 = performance.now();
    const child = spawn(bin("workerd"), ["serve", "config.capnp"], { cwd: out, stdio: "ignore" });
    await waitForPort(port);
    return { url: `http://127.0.0.1:${port}`, child, t0 };
  };
  const perCall = async (server) => {
    const w = await start(join(dir, "worker.mjs"), { URL: server.url, API_KEY: server.apiKey });
    const n = 20;
    const times = { raw: [], pkg: [] };
    for (let i = 0; i < rounds + 3; i++) {
      for (const mode of ["raw", "pkg"]) {
        const t = performance.now();
        await (await fetch(`${w.url}/${mode}?n=${n}`)).text();
        if (i >= 3) times[mode].push((performance.now() - t) / n);
      }
    }
    w.child.kill();
    return { raw: median(times.raw), pkg: median(times.pkg) };
  };
  writeFileSync(join(dir, "raw-worker.mjs"), `export default { async fetch(request, env) { await fetch(env.URL + "/api/v2/tailnet/-/keys", { headers: { authorization: "Bearer x" } }).then((r) => r.json()); return new Response("ok"); } };\n`);
  const coldOnceWorkerd = async (mode) => {
    const arrival = trivial.nextArrival();
    const w = await start(join(dir, mode === "pkg" ? "worker.mjs" : "raw-worker.mjs"), { URL: trivial.url, API_KEY: "x" });
    fetch(`${w.url}/pkg?n=1`).catch(() => {});
    const t1 = await arrival;
    w.child.kill();
    return t1 - w.t0;
  };
  return {
    trivial: await perCall({ url: trivial.url, apiKey: "x" }),
    demo: await perCall(demo),
    cold: await cold(trivial, coldOnceWorkerd, 6),
  };
}

const sizes = (files) => {
  const bytes = files.map((f) => readFileSync(f));
  return {
    gzip: bytes.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0),
    brotli: bytes.reduce((n, b) => n + brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length, 0),
  };
};
const filesIn = (dir, exts) => readdirSync(dir, { recursive: true }).map((f) => join(dir, f)).filter((f) => exts.some((e) => f.endsWith(e)) && statSync(f).isFile());

/** The consumer matrix's two apps (tests/consumers/web), built by each bundler as the matrix
 *  builds them (tests/e2e/consumers.test.mjs): the core-only app (core.js) and the app with the
 *  policy tools (main.js, which imports `tailscale-wasm/policy` lazily); what each ships, its
 *  lazily loaded chunks and both wasm files included. */
async function bundles(dir) {
  const app = (name) => {
    const d = join(dir, name);
    cpSync(join(root, "tests/consumers/web"), d, { recursive: true });
    return d;
  };
  cpSync(join(root, "tests/consumers/smoke-lib.mjs"), join(dir, "smoke-lib.mjs"));
  const ENTRIES = [
    { entry: "core", file: "core.js", label: "core-only" },
    { entry: "policy", file: "main.js", label: "with the policy tools" },
  ];
  const out = [];
  const vite = app("vite-app");
  for (const { entry, file, label } of ENTRIES) {
    writeFileSync(join(vite, "index.html"), `<!doctype html><script type="module" src="./${file}"></script>`);
    await run(bin("vite"), ["build", "--logLevel", "warn", "--outDir", `dist-${entry}`], { cwd: vite });
    out.push({ bundler: "Vite 8", entry: label, ...sizes(filesIn(join(vite, `dist-${entry}`), [".js", ".wasm"])) });
  }
  const webpack = app("webpack-app");
  for (const { entry, label } of ENTRIES) {
    await run(bin("webpack"), ["--config", "webpack.config.mjs", ...(entry === "core" ? ["--env", "app=core"] : [])], { cwd: webpack });
    out.push({ bundler: "webpack 5", entry: label, ...sizes(filesIn(join(webpack, entry === "core" ? "dist-core" : "dist"), [".js", ".wasm"])) });
  }
  // esbuild leaves `new URL("./dist/web/...wasm", import.meta.url)` as it is: the README's step
  // is to copy the .wasm files, both for an app that uses the policy tools.
  const esb = app("esbuild-app");
  const web = join(dir, "node_modules/tailscale-wasm/dist/web");
  for (const { entry, file, label } of ENTRIES) {
    const outdir = join(esb, `out-${entry}`);
    await run(bin("esbuild"), [file, "--bundle", "--format=esm", "--splitting", "--minify", `--outdir=${outdir}`, "--log-level=warning"], { cwd: esb });
    const wasm = entry === "core" ? ["tailscale_wasm_bg.wasm"] : ["tailscale_wasm_bg.wasm", "tailscale_wasm_policy_bg.wasm"];
    out.push({ bundler: "esbuild", entry: label, ...sizes([...filesIn(outdir, [".js"]), ...wasm.map((w) => join(web, w))]) });
  }
  // Next.js ships React too: its rows are the difference the package makes to the client build,
  // against the same app with the package stubbed out: the core-only app (a client component's
  // validator), then with the matrix's policy page (tests/consumers/next-policy: a client
  // component that imports the policy tools on first input).
  const nextBuild = async (name, { policy, stub }) => {
    const next = join(dir, name);
    cpSync(join(root, "tests/consumers/next-app"), next, { recursive: true });
    if (policy) cpSync(join(root, "tests/consumers/next-policy"), join(next, "app/policy"), { recursive: true });
    if (stub) {
      const edit = (f, from, to) => {
        const text = readFileSync(join(next, f), "utf8");
        if (!from.test(text)) throw new Error(`${f}: the import to stub is not where the benchmark expects it`);
        writeFileSync(join(next, f), text.replace(from, to));
      };
      edit("app/tag-field.js", /^import \{ validateTag \} from "tailscale-wasm";$/m, "const validateTag = () => [];");
      if (policy) edit("app/policy/policy-check.js", /await import\("tailscale-wasm\/policy"\)/, "({ PolicyDocument: { parse: () => ({ check: () => [] }) } })");
    }
    await run(bin("next"), ["build"], { cwd: next, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, maxBuffer: 1 << 24 });
    return sizes(filesIn(join(next, ".next/static"), [".js", ".wasm"]));
  };
  for (const { entry, label } of ENTRIES) {
    const policy = entry === "policy";
    const withPackage = await nextBuild(`next-${entry}`, { policy, stub: false });
    const without = await nextBuild(`next-${entry}-base`, { policy, stub: true });
    out.push({ bundler: "Next.js 16 (Turbopack)", entry: label, gzip: withPackage.gzip - without.gzip, brotli: withPackage.brotli - without.brotli });
  }
  return out;
}

/** A new project under `parent` with the packed tarball installed and the probes beside it: the
 *  package found by its name, from its own folder, as a user's script finds it. */
export async function projectWithPackage(tarball, parent) {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, "bench-"));
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, type: "module" }));
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: dir });
    for (const f of ["calls.mjs", "cold.mjs", "worker.mjs"]) cpSync(join(here, f), join(dir, f));
    return dir;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Every figure, or `null` (with the reason printed) when the tools are not installed.
 *  `thisNodeCold` is the main table's cold start, the row of the Node running the bench. */
export async function runtimeFigures({ tarball, demo, rounds, thisNodeCold }) {
  if (!existsSync(join(tools, "node_modules/.bin/workerd"))) {
    console.log("runtimes: skipped, the consumer matrix's tools are not installed (scripts/setup.sh consumers)");
    return null;
  }
  const dir = await projectWithPackage(tarball, join(tools, "rows"));
  const trivial = await trivialServer();
  try {
    const rows = [];
    for (const r of RUNTIMES) {
      const row = { runtime: r.name, cold: r.thisNode ? thisNodeCold : await cold(trivial, (mode) => coldOnce(trivial, r.cmd, [...r.args, "cold.mjs", mode, trivial.url], dir)) };
      if (r.calls) {
        const calls = async (url, apiKey) => JSON.parse((await run(r.cmd, [...r.args, "calls.mjs", url, apiKey, String(rounds)], { cwd: dir, env: { ...process.env, DENO_DIR: join(tools, "deno-cache") } })).stdout.trim().split("\n").pop());
        row.trivial = await calls(trivial.url, "x");
        row.demo = await calls(demo.url, demo.apiKey);
      }
      console.log(`${r.name}: ${JSON.stringify(row)}`);
      rows.push(row);
    }
    const w = await workerd(dir, trivial, demo, Math.max(10, Math.round(rounds / 10)));
    rows.push({ runtime: "workerd (Cloudflare Workers)", ...w });
    console.log(`workerd: ${JSON.stringify(w)}`);
    const built = await bundles(dir);
    for (const b of built) console.log(`${b.bundler}, ${b.entry}: ${b.gzip} B gzip, ${b.brotli} B brotli`);
    return { rows, bundles: built };
  } finally {
    await trivial.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
