// `make bench`: what the package costs on top of raw `fetch`, measured side by side in one Node
// process against demo tailnets on loopback (served by a child process, so their work is not
// timed here), plus what a web app ships, and (scripts/bench/runtimes.mjs) cold starts and
// per-call costs on every runtime and what each bundler ships. Writes BENCHMARKS.md. A
// benchmark, not a test: it reports, it does not assert.
import { fork, execFile } from "node:child_process";
import { promisify } from "node:util";
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, cpSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runtimeFigures } from "./bench/runtimes.mjs";
import { policyFigures, policySection } from "./bench/policy.mjs";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);

async function server(keys) {
  const child = fork(fileURLToPath(import.meta.url), ["serve", String(keys)]);
  const info = await new Promise((resolve) => child.once("message", resolve));
  return { ...info, child };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Interleaves raw and package rounds so that drift on the machine hits both alike. */
async function pair(name, raw, pkg, rounds = ROUNDS) {
  for (let i = 0; i < Math.min(20, rounds); i++) {
    await raw();
    await pkg();
  }
  const a = [];
  const b = [];
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    await raw();
    a.push(performance.now() - t);
    t = performance.now();
    await pkg();
    b.push(performance.now() - t);
  }
  const row = { name, raw: median(a), pkg: median(b) };
  console.log(`${name}: raw ${row.raw.toFixed(3)} ms, package ${row.pkg.toFixed(3)} ms, ratio ${(row.pkg / row.raw).toFixed(3)}`);
  return row;
}

async function main() {
  const require = createRequire(join(root, "tests/js/"));
  const { TailscaleClient, validateCreateAuthKey } = require("tailscale-wasm");
  const small = await server(20);
  const big = await server(10_000);
  // Creates go to their own tailnet, so that the 20-key list stays at 20 keys.
  const sink = await server(0);
  const rows = [];
  try {
    const auth = (s) => ({ authorization: `Bearer ${s.apiKey}` });
    const rawList = (s) => () => fetch(`${s.url}/api/v2/tailnet/-/keys`, { headers: auth(s) }).then((r) => r.json()).then((j) => j.keys);
    const client = (s) => new TailscaleClient({ apiKey: s.apiKey, baseUrl: s.url });
    const c = client(small);
    const cb = client(big);
    const cs = client(sink);
    const body = { capabilities: { devices: { create: { reusable: true, tags: ["tag:ci"] } } }, expirySeconds: 3600 };
    rows.push(await pair("keys.list(), 20 keys", rawList(small), () => c.keys.list()));
    rows.push(await pair("createAuthKey with tags and expiry", () => fetch(`${sink.url}/api/v2/tailnet/-/keys`, { method: "POST", headers: { ...auth(sink), "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json()), () => cs.keys.createAuthKey({ reusable: true, tags: ["tag:ci"], expirySeconds: 3600 })));
    rows.push(await pair("keys.list(), 10,000 keys", rawList(big), () => cb.keys.list(), Math.max(10, ROUNDS / 10)));
    rows.push(await pair("8 concurrent callers, keys.list() each", () => Promise.all(Array.from({ length: 8 }, rawList(small))), () => Promise.all(Array.from({ length: 8 }, () => c.keys.list()))));

    // Cold start: a fresh process, from its start to its first request reaching a server.
    // Interleaved, like the other rounds, so drift on the machine hits both sides alike.
    const coldOnce = (withPackage) => new Promise((resolve) => {
      const child = fork(fileURLToPath(import.meta.url), ["cold", withPackage ? "1" : "0"]);
      child.once("message", resolve);
    });
    const coldTimes = { raw: [], pkg: [] };
    for (let i = 0; i < 15; i++) {
      coldTimes.raw.push(await coldOnce(false));
      coldTimes.pkg.push(await coldOnce(true));
    }
    const coldRaw = median(coldTimes.raw);
    const coldPkg = median(coldTimes.pkg);
    console.log(`cold start: empty process ${coldRaw.toFixed(1)} ms, with the package ${coldPkg.toFixed(1)} ms`);

    // Validators per second, from JS.
    const req = { reusable: true, tags: ["tag:ci", "tag:web"], expirySeconds: 3600, description: "bench" };
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 1000) {
      validateCreateAuthKey(req);
      n++;
    }
    const validatorsPerSecond = n / ((performance.now() - t0) / 1000);
    console.log(`validateCreateAuthKey: ${Math.round(validatorsPerSecond)} per second`);

    // Memory after 100,000 calls (the soak's own figures are in RELIABILITY.md).
    const calls = Number(process.env.BENCH_MEMORY_CALLS ?? 100_000);
    const heapAfter = async (call) => {
      for (let i = 0; i < calls; i++) await call();
      globalThis.gc?.();
      return process.memoryUsage().heapUsed;
    };
    const heapRaw = await heapAfter(rawList(small));
    const heapPkg = await heapAfter(() => c.keys.list());
    console.log(`heap after ${calls} calls: raw ${(heapRaw / 2 ** 20).toFixed(1)} MiB, package ${(heapPkg / 2 ** 20).toFixed(1)} MiB`);

    const size = await payload();
    const tarball = join(root, "target/pack", readdirSync(join(root, "target/pack")).find((f) => f.endsWith(".tgz")));
    const runtimes = await runtimeFigures({ tarball, demo: small, rounds: ROUNDS });
    const policy = await policyFigures(root);
    writeReport({ rows, coldRaw, coldPkg, validatorsPerSecond, calls, heapRaw, heapPkg, size, runtimes, policy });
  } finally {
    for (const s of [small, big, sink]) s.child.kill();
  }
}

/** What a Vite production build of examples/vite-app ships, gzipped, and where the wasm goes.
 *  Vite is the consumer matrix's (target/consumers), found by walking up from the app. */
async function payload() {
  mkdirSync(join(root, "target/consumers/rows"), { recursive: true });
  const dir = mkdtempSync(join(root, "target/consumers/rows", "size-"));
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, type: "module" }));
    const tarball = join(root, "target/pack", readdirSync(join(root, "target/pack")).find((f) => f.endsWith(".tgz")));
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: dir });
    for (const f of ["index.html", "main.js", "vite.config.js"]) cpSync(join(root, "examples/vite-app", f), join(dir, f));
    await run(join(root, "target/consumers/node_modules/.bin/vite"), ["build", "--logLevel", "warn"], { cwd: dir });
    const assets = join(dir, "dist/assets");
    const gz = (ext) => readdirSync(assets).filter((f) => f.endsWith(ext)).reduce((n, f) => n + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);
    const wasmFile = readdirSync(assets).find((f) => f.endsWith(".wasm"));
    const raw = readFileSync(join(assets, wasmFile)).length;
    // twiggy reads wasm-bindgen's output before wasm-opt: the shipped code, with its names.
    let twiggy = "(twiggy not installed: cargo install twiggy)";
    try {
      await run("wasm-bindgen", ["--target", "web", "--out-dir", join(dir, "named"), join(root, "target/wasm-release/wasm32-unknown-unknown/release/tailscale_wasm.wasm")]);
      twiggy = (await run("twiggy", ["top", "-n", "20", join(dir, "named/tailscale_wasm_bg.wasm")])).stdout;
    } catch {}
    return { js: gz(".js"), wasm: gz(".wasm"), wasmRaw: raw, twiggy };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The payload ratchet `make test` holds the Vite build to. */
const budget = () => Number(readFileSync(join(root, "tests/e2e/consumers.test.mjs"), "utf8").match(/PAYLOAD_BUDGET = ([\d_]+)/)[1].replaceAll("_", ""));

/** The runtime and bundler tables (scripts/bench/runtimes.mjs). */
function runtimeSections(figures) {
  if (!figures) return ["## Where it runs", "", "Not measured: the consumer matrix's tools were not installed (`scripts/setup.sh consumers`).", ""];
  const ms = (n) => `${n.toFixed(2)} ms`;
  const ratio = (c) => (c ? `${ms(c.raw)} / ${ms(c.pkg)}: **${(c.pkg / c.raw).toFixed(2)}×**` : "");
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  return [
    "## Where it runs",
    "",
    "Cold start: from spawning the runtime to its first request reaching a server, an empty script (`fetch`) against one that imports the package and makes its first call; medians of 10 interleaved pairs (6 for workerd, where it is from spawning workerd, with the Worker's bundle and its `.wasm` compiled at startup, to the request the first invocation makes). Per call: `keys.list()` against raw `fetch` + `JSON.parse`, interleaved, medians of the rounds above, against a trivial loopback server that answers a fixed 20-key body with no logic (the client's own cost at its most visible) and against a 20-key demo tailnet; in workerd, each of 20 calls inside one Worker request, timed from outside (a Worker's clock only moves at I/O).",
    "",
    "| runtime | cold start, empty / with the package | per call, trivial server: raw / package | per call, demo tailnet: raw / package |",
    "|---|---:|---:|---:|",
    ...figures.rows.map((row) => `| ${row.runtime} | ${row.cold.raw.toFixed(1)} / ${row.cold.pkg.toFixed(1)} ms (+${(row.cold.pkg - row.cold.raw).toFixed(1)} ms) | ${ratio(row.trivial)} | ${ratio(row.demo)} |`),
    "",
    "## What each bundler ships",
    "",
    "The same small app (`tests/consumers/web`: the quick start and one call of each resource), built for production by each bundler; gzip -9 and brotli (quality 11) of what a browser downloads.",
    "",
    "| bundler | what is counted | gzip | brotli |",
    "|---|---|---:|---:|",
    ...figures.bundles.map((b) => `| ${b.bundler} | ${b.note} | ${kb(b.gzip)} | ${kb(b.brotli)} |`),
    "",
  ];
}

function writeReport(r) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const total = r.size.js + r.size.wasm;
  const target = (ok) => (ok ? "met" : "**missed**");
  const lines = [
    "# Benchmarks",
    "",
    `Measured by \`make bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model?.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. Raw \`fetch\` + \`JSON.parse\` and this package run interleaved in one process, against demo tailnets on loopback served by a child process; medians of ${ROUNDS} rounds (${Math.max(10, ROUNDS / 10)} for the 10,000-key list).`,
    "",
    "| measure | raw fetch | this package | ratio | target |",
    "|---|---:|---:|---:|---|",
    ...r.rows.map((row, i) => {
      const limit = [1.05, 1.05, 1.3, 1.05][i];
      return `| ${row.name} | ${row.raw.toFixed(3)} ms | ${row.pkg.toFixed(3)} ms | ${(row.pkg / row.raw).toFixed(2)}× | ≤ ${limit}×: ${target(row.pkg / row.raw <= limit)} |`;
    }),
    `| cold start, process start to first request received | ${r.coldRaw.toFixed(1)} ms | ${r.coldPkg.toFixed(1)} ms | +${(r.coldPkg - r.coldRaw).toFixed(1)} ms | ≤ +15 ms: ${target(r.coldPkg - r.coldRaw <= 15)} |`,
    `| \`validateCreateAuthKey\` from JS | | ${Math.round(r.validatorsPerSecond).toLocaleString("en")} per second | | |`,
    `| JS heap after ${r.calls.toLocaleString("en")} calls | ${(r.heapRaw / 2 ** 20).toFixed(1)} MiB | ${(r.heapPkg / 2 ** 20).toFixed(1)} MiB | ${(r.heapPkg / r.heapRaw).toFixed(2)}× | flat: see RELIABILITY.md (soak) |`,
    "",
    "## What a web app ships",
    "",
    `A Vite production build of \`examples/vite-app\`: ${kb(r.size.js)} of JS and ${kb(r.size.wasm)} of wasm, gzipped (-9): **${kb(total)}** in all (${total.toLocaleString("en")} B; \`make test\` holds it under ${budget().toLocaleString("en")} B, the ratchet in tests/e2e/consumers.test.mjs). The wasm is ${kb(r.size.wasmRaw)} before compression.`,
    "",
    "Where the wasm bytes go (twiggy, after wasm-bindgen and before wasm-opt, which drops the names and shrinks the code further):",
    "",
    "```",
    r.size.twiggy.trim(),
    "```",
    "",
    ...runtimeSections(r.runtimes),
    ...policySection(r.policy),
  ];
  const notes = readFileSync(join(root, "BENCHMARKS.md"), "utf8").split("<!-- notes -->")[1] ?? "\n";
  writeFileSync(join(root, "BENCHMARKS.md"), lines.join("\n") + "<!-- notes -->" + notes);
  console.log(`wrote BENCHMARKS.md (payload ${kb(total)})`);
}

// Which role this process plays: the benchmark, a demo tailnet, or a cold-start probe.
if (process.argv[2] === "serve") {
  // A demo tailnet with `process.argv[3]` keys.
  const { createDemoTailnet } = await import("../www/demo-tailnet.mjs");
  const tailnet = createDemoTailnet();
  const want = Number(process.argv[3]);
  const admin = tailnet.credentials.apiKey;
  const url = await tailnet.listen();
  while (tailnet.state.keys.size < want) {
    await fetch(`${url}/api/v2/tailnet/-/keys`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify({ capabilities: { devices: { create: { reusable: true, tags: ["tag:ci"] } } }, expirySeconds: 86400, description: "bench key" }) });
  }
  setInterval(() => tailnet.resetStats(), 500).unref();
  process.send({ url, apiKey: admin });
} else if (process.argv[2] === "cold") {
  // A fresh process: from its start to the first request arriving at a server in this same
  // process (so both sides share one clock). Stamped on arrival, not when `fetch` is called:
  // Node loads its fetch machinery on first use, and the package meets it when it builds its
  // `Request`, before calling `fetch`; stamping the call would charge that load to one side.
  const { createServer } = await import("node:http");
  const arrived = new Promise((resolve) => {
    const server = createServer((req, res) => {
      resolve(performance.now());
      res.setHeader("content-type", "application/json");
      res.end('{"keys":[]}');
    });
    server.listen(0, "127.0.0.1", () => go(`http://127.0.0.1:${server.address().port}`));
  });
  const withPackage = process.argv[3] === "1";
  async function go(url) {
    if (withPackage) {
      const require = createRequire(join(root, "tests/js/"));
      const { TailscaleClient } = await import(require.resolve("tailscale-wasm").replace(/index\.cjs$/, "index.mjs"));
      new TailscaleClient({ apiKey: "tskey-api-cold", baseUrl: url }).keys.list();
    } else {
      fetch(`${url}/api/v2/tailnet/-/keys`, { headers: { authorization: "Bearer tskey-api-cold" } }).then((r) => r.json());
    }
  }
  process.send(await arrived);
  setTimeout(() => process.exit(0), 50);
} else {
  await main();
}
