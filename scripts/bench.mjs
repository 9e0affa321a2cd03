// `make bench`: what the package costs on top of raw `fetch`, measured side by side in one Node
// process against demo tailnets on loopback (served by a child process, so their work is not
// timed here), plus what a web app ships (the core-only app and the app with the policy tools,
// against their ratchets), and (scripts/bench/) cold starts and per-call costs on every runtime
// and what each bundler ships of both apps, the policy file, the access engine on a generated
// 10,000-device tailnet, and a large list in memory. Writes BENCHMARKS.md. A benchmark, not a
// test: it reports, it does not assert.
import { fork, execFile } from "node:child_process";
import { promisify } from "node:util";
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, cpSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runtimeFigures, projectWithPackage, trivialServer, cold, coldOnce } from "./bench/runtimes.mjs";
import { policyFigures, policySection } from "./bench/policy.mjs";
import { memoryFigures, memorySection } from "./bench/memory.mjs";
import { accessFigures, accessSection } from "./bench/access.mjs";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
// Pairs of cold starts for the main table: a fresh process varies by several ms from one start
// to the next on these machines, so its median needs more pairs than the runtimes table's (31
// pairs moved it by up to 2.6 ms between runs; 101 take about 30 s).
const COLD_PAIRS = 101;

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

/** Node's cold start (medians of `pairs` interleaved runs), empty and with the package. */
async function nodeColdStart(tarball, pairs) {
  const dir = await projectWithPackage(tarball, join(root, "target/bench"));
  const trivial = await trivialServer();
  try {
    return await cold(trivial, (mode) => coldOnce(trivial, process.execPath, ["cold.mjs", mode, trivial.url], dir), pairs);
  } finally {
    await trivial.close();
    rmSync(dir, { recursive: true, force: true });
  }
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

    // Cold start: a fresh Node, from its start to its first request reaching a server, run from
    // a project with the tarball installed (scripts/bench/cold.mjs importing the package by its
    // name, as a user's script does) against the same script making the request with fetch.
    // Interleaved, like the other rounds, so drift on the machine hits both sides alike.
    const tarball = join(root, "target/pack", readdirSync(join(root, "target/pack")).find((f) => f.endsWith(".tgz")));
    const { raw: coldRaw, pkg: coldPkg } = await nodeColdStart(tarball, COLD_PAIRS);
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
    const runtimes = await runtimeFigures({ tarball, demo: small, rounds: ROUNDS, thisNodeCold: { raw: coldRaw, pkg: coldPkg } });
    const policy = await policyFigures(root);
    const access = await accessFigures(root);
    const memory = await memoryFigures();
    writeReport({ rows, coldRaw, coldPkg, validatorsPerSecond, calls, heapRaw, heapPkg, size, runtimes, policy, access, memory });
  } finally {
    for (const s of [small, big, sink]) s.child.kill();
  }
}

/** What the consumer matrix's two apps (tests/consumers/web) ship when Vite builds them as
 *  `make test` does (tests/e2e/consumers.test.mjs): the core-only app (core.js) and the app with
 *  the policy tools (main.js), gzip -9 (Node's zlib, what the ratchets count) of their JS and of
 *  each wasm; with twiggy's top items of both modules. Vite is the matrix's (target/consumers),
 *  found by walking up from the app. */
async function payload() {
  mkdirSync(join(root, "target/consumers/rows"), { recursive: true });
  const dir = mkdtempSync(join(root, "target/consumers/rows", "size-"));
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, type: "module" }));
    const tarball = join(root, "target/pack", readdirSync(join(root, "target/pack")).find((f) => f.endsWith(".tgz")));
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: dir });
    cpSync(join(root, "tests/consumers/smoke-lib.mjs"), join(dir, "smoke-lib.mjs"));
    const app = join(dir, "app");
    cpSync(join(root, "tests/consumers/web"), app, { recursive: true });
    const entries = {};
    for (const [name, entry] of [["core", "core.js"], ["policy", "main.js"]]) {
      writeFileSync(join(app, "index.html"), `<!doctype html><script type="module" src="./${entry}"></script>`);
      await run(join(root, "target/consumers/node_modules/.bin/vite"), ["build", "--logLevel", "warn", "--outDir", `dist-${name}`], { cwd: app });
      const out = join(app, `dist-${name}`);
      const files = readdirSync(out, { recursive: true }).map(String).filter((f) => /\.(m?js|wasm)$/.test(f));
      const gz = (f) => gzipSync(readFileSync(join(out, f)), { level: 9 }).length;
      const sum = (list) => list.reduce((n, f) => n + gz(f), 0);
      const wasm = files.filter((f) => f.endsWith(".wasm"));
      const policyWasm = wasm.filter((f) => /policy/.test(f));
      const coreWasm = wasm.filter((f) => !/policy/.test(f));
      const js = files.filter((f) => !f.endsWith(".wasm"));
      entries[name] = {
        js: sum(js),
        jsFiles: js.length,
        coreWasm: sum(coreWasm),
        policyWasm: sum(policyWasm),
        coreWasmRaw: coreWasm.reduce((n, f) => n + readFileSync(join(out, f)).length, 0),
        policyWasmRaw: policyWasm.reduce((n, f) => n + readFileSync(join(out, f)).length, 0),
        total: sum(files),
      };
      console.log(`payload, ${name}: ${JSON.stringify(entries[name])}`);
    }
    // twiggy reads wasm-bindgen's output before wasm-opt: the shipped code, with its names
    // (the Makefile's WASM_DIR).
    const twiggy = {};
    for (const m of ["tailscale_wasm", "tailscale_wasm_policy"]) {
      twiggy[m] = "(twiggy not installed: cargo install twiggy)";
      try {
        await run("wasm-bindgen", ["--target", "web", "--out-dir", join(dir, "named"), join(root, `target/wasm-release/wasm32-unknown-unknown/release/${m}.wasm`)]);
        twiggy[m] = (await run("twiggy", ["top", "-n", "20", join(dir, `named/${m}_bg.wasm`)], { maxBuffer: 1 << 24 })).stdout;
      } catch {}
    }
    return { ...entries, twiggy };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The payload ratchets `make test` holds the Vite builds to: CORE_BUDGET and POLICY_BUDGET. */
const budget = (name) => Number(readFileSync(join(root, "tests/e2e/consumers.test.mjs"), "utf8").match(new RegExp(`${name} = ([\\d_]+)`))[1].replaceAll("_", ""));

/** "What a web app ships": the two apps' payload against their ratchets, what the policy tools
 *  add, and twiggy's top items of both modules. */
function payloadSection(size) {
  const b = (n) => `${n.toLocaleString("en")} B`;
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const within = (n, limit) => (n <= limit ? `≤ ${b(limit)}: met` : `≤ ${b(limit)}: **over by ${b(n - limit)}**`);
  const { core, policy } = size;
  const fence = (text) => ["```", text.trim(), "```"];
  return [
    "## What a web app ships",
    "",
    "The consumer matrix's two apps (`tests/consumers/web`), built for production by Vite as `make test` builds them (tests/e2e/consumers.test.mjs): the core-only app (`core.js`: the quick start, one call of each resource, a provisioning state) and the app with the policy tools (`main.js`: the same, then the policy file read, edited with a `PolicyDocument` and its postures evaluated, with `tailscale-wasm/policy` imported lazily, so that Vite splits it into a chunk and a wasm of its own that load on first use). gzip -9 (Node's zlib) of every JS file and each wasm of the build, lazily loaded chunks included: what the ratchets count.",
    "",
    "| app | JS | core wasm | policy wasm | in all | ratchet |",
    "|---|---:|---:|---:|---:|---|",
    `| core-only (\`core.js\`) | ${b(core.js)} | ${b(core.coreWasm)} | | **${b(core.total)}** (${kb(core.total)}) | \`CORE_BUDGET\` ${within(core.total, budget("CORE_BUDGET"))} |`,
    `| with the policy tools (\`main.js\`) | ${b(policy.js)} | ${b(policy.coreWasm)} | ${b(policy.policyWasm)} | **${b(policy.total)}** (${kb(policy.total)}) | \`POLICY_BUDGET\` ${within(policy.total, budget("POLICY_BUDGET"))} |`,
    `| what the policy tools add | ${policy.js - core.js >= 0 ? "+" : ""}${b(policy.js - core.js)} | ${policy.coreWasm - core.coreWasm >= 0 ? "+" : ""}${b(policy.coreWasm - core.coreWasm)} | +${b(policy.policyWasm)} | +${b(policy.total - core.total)} | |`,
    "",
    `The core wasm is ${kb(core.coreWasmRaw)} before compression, the policy wasm ${kb(policy.policyWasmRaw)}; a page of the core-only app fetches the first alone, and one of the policy app fetches the second when it first uses the tools. What the access engine costs within the policy module is in the notes ("Fourth round: what each capability costs").`,
    "",
    "Where the wasm bytes go (twiggy, after wasm-bindgen and before wasm-opt, which drops the names and shrinks the code further). The core (`tailscale_wasm`):",
    "",
    ...fence(size.twiggy.tailscale_wasm),
    "",
    "The policy tools (`tailscale_wasm_policy`):",
    "",
    ...fence(size.twiggy.tailscale_wasm_policy),
    "",
  ];
}

/** The runtime and bundler tables (scripts/bench/runtimes.mjs). */
function runtimeSections(figures) {
  if (!figures) return ["## Where it runs", "", "Not measured: the consumer matrix's tools were not installed (`scripts/setup.sh consumers`).", ""];
  const ms = (n) => `${n.toFixed(2)} ms`;
  const ratio = (c) => (c ? `${ms(c.raw)} / ${ms(c.pkg)}: **${(c.pkg / c.raw).toFixed(2)}×**` : "");
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  return [
    "## Where it runs",
    "",
    "Cold start: from spawning the runtime to its first request reaching a server, an empty script (`fetch`) against one that imports the package and makes its first call; medians of 10 interleaved pairs (this machine's Node: the main table's " + COLD_PAIRS + "; 6 for workerd, where it is from spawning workerd, with the Worker's bundle and its `.wasm` compiled at startup, to the request the first invocation makes). Per call: `keys.list()` against raw `fetch` + `JSON.parse`, interleaved, medians of the rounds above, against a trivial loopback server that answers a fixed 20-key body with no logic (the client's own cost at its most visible) and against a 20-key demo tailnet; in workerd, each of 20 calls inside one Worker request, timed from outside (a Worker's clock only moves at I/O).",
    "",
    "| runtime | cold start, empty / with the package | per call, trivial server: raw / package | per call, demo tailnet: raw / package |",
    "|---|---:|---:|---:|",
    ...figures.rows.map((row) => `| ${row.runtime} | ${row.cold.raw.toFixed(1)} / ${row.cold.pkg.toFixed(1)} ms (${(row.cold.pkg - row.cold.raw) < 0 ? "−" : "+"}${Math.abs(row.cold.pkg - row.cold.raw).toFixed(1)} ms) | ${ratio(row.trivial)} | ${ratio(row.demo)} |`),
    "",
    "## What each bundler ships",
    "",
    "The consumer matrix's two apps (`tests/consumers/web`: the core-only app, and the app with the policy tools imported lazily), built for production by each bundler as the matrix builds them; gzip -9 and brotli (quality 11) of the JS and wasm a browser may download, lazily loaded chunks and both wasm files included. esbuild leaves the `.wasm` files to be copied (the README's step): the core's for the core-only app, both for the policy app, counted here. Next.js ships React too: its rows are what the package adds to the client build (with it, minus the same app with the package stubbed out), for the matrix's Next.js app (a client component's validator) and for the same app with its policy page (`tests/consumers/next-policy`: a client component that imports the policy tools on first input).",
    "",
    "| bundler | entry | gzip | brotli |",
    "|---|---|---:|---:|",
    ...figures.bundles.map((b) => `| ${b.bundler} | ${b.entry} | ${kb(b.gzip)} | ${kb(b.brotli)} |`),
    "",
  ];
}

function writeReport(r) {
  const target = (ok) => (ok ? "met" : "**missed**");
  const lines = [
    "# Benchmarks",
    "",
    `Measured by \`make bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model?.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. Raw \`fetch\` + \`JSON.parse\` and this package run interleaved in one process, against demo tailnets on loopback served by a child process; medians of ${ROUNDS} rounds (${Math.max(10, ROUNDS / 10)} for the 10,000-key list). Cold start: ${COLD_PAIRS} interleaved pairs of fresh processes run from a project with the packed tarball installed (\`scripts/bench/cold.mjs\`: the package imported by its name and its first call, against the same request made with \`fetch\`), from spawning to the request's arrival at a server in the benchmark's process.`,
    "",
    "| measure | raw fetch | this package | ratio | target |",
    "|---|---:|---:|---:|---|",
    ...r.rows.map((row, i) => {
      const limit = [1.05, 1.05, 1.3, 1.05][i];
      return `| ${row.name} | ${row.raw.toFixed(3)} ms | ${row.pkg.toFixed(3)} ms | ${(row.pkg / row.raw).toFixed(2)}× | ≤ ${limit}×: ${target(row.pkg / row.raw <= limit)} |`;
    }),
    `| cold start, process start to first request received | ${r.coldRaw.toFixed(1)} ms | ${r.coldPkg.toFixed(1)} ms | +${(r.coldPkg - r.coldRaw).toFixed(1)} ms | ≤ +12 ms: ${target(r.coldPkg - r.coldRaw <= 12)} in this run (runs of the same build differ by up to 6 ms: the cold start notes) |`,
    `| \`validateCreateAuthKey\` from JS | | ${Math.round(r.validatorsPerSecond).toLocaleString("en")} per second | | |`,
    `| JS heap after ${r.calls.toLocaleString("en")} calls | ${(r.heapRaw / 2 ** 20).toFixed(1)} MiB | ${(r.heapPkg / 2 ** 20).toFixed(1)} MiB | ${(r.heapPkg / r.heapRaw).toFixed(2)}× | flat: see RELIABILITY.md (soak) |`,
    "",
    ...payloadSection(r.size),
    ...runtimeSections(r.runtimes),
    ...policySection(r.policy),
    ...accessSection(r.access),
    "",
    memorySection(r.memory),
    "",
  ];
  const notes = readFileSync(join(root, "BENCHMARKS.md"), "utf8").split("<!-- notes -->")[1] ?? "\n";
  writeFileSync(join(root, "BENCHMARKS.md"), lines.join("\n") + "<!-- notes -->" + notes);
  console.log(`wrote BENCHMARKS.md (payload: core-only ${r.size.core.total} B, with the policy tools ${r.size.policy.total} B)`);
}

// Which role this process plays: the benchmark or a demo tailnet.
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
} else {
  await main();
}
