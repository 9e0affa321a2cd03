// The memory a large list takes: `devices.list({ fields: "all" })` of 20,000 devices (about
// 20 MB of JSON, past the old 10 MiB cap) against `fetch` + `JSON.parse` of the same body. Each
// measurement is a fresh process (peak RSS is per process) that imports the package first, so
// that both sides start from the same base; the demo tailnet runs in another process. Run by
// `make bench` (scripts/bench.mjs), or alone: `node scripts/bench/memory.mjs` rewrites only its
// section of BENCHMARKS.md. A benchmark, not a test: it reports, it does not assert.
import { fork } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { watchWasmMemory } from "./wasm-memory.mjs";

const here = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL("../../", import.meta.url));
const PATH = "/api/v2/tailnet/-/devices?fields=all";
const START = "<!-- memory:start -->";
const END = "<!-- memory:end -->";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Runs one probe process in `mode`; resolves to what it measured. */
async function probe(mode, url, apiKey) {
  const child = fork(here, ["probe", mode, url, apiKey], { execArgv: ["--expose-gc"] });
  const [figures] = await once(child, "message");
  await once(child, "exit");
  return figures;
}

/** Peak RSS, heap and wasm memory for an idle process, `fetch` + `JSON.parse`, and the
 *  package; medians of `runs` interleaved rounds. */
export async function memoryFigures({ devices = 20_000, runs = 5 } = {}) {
  const server = fork(here, ["serve", String(devices)]);
  const [{ url, apiKey }] = await once(server, "message");
  try {
    const bytes = (await (await fetch(url + PATH, { headers: { authorization: `Bearer ${apiKey}` } })).arrayBuffer()).byteLength;
    const runsOf = { idle: [], raw: [], pkg: [] };
    for (let i = 0; i < runs; i++) for (const mode of Object.keys(runsOf)) runsOf[mode].push(await probe(mode, url, apiKey));
    const summary = (list) => Object.fromEntries(Object.keys(list[0]).map((k) => [k, median(list.map((f) => f[k]))]));
    const figures = { devices, bytes, runs, idle: summary(runsOf.idle), raw: summary(runsOf.raw), pkg: summary(runsOf.pkg) };
    console.log(`memory, ${devices} devices (${mib(bytes)}): peak RSS idle ${mib(figures.idle.peakRss)}, fetch + JSON.parse ${mib(figures.raw.peakRss)}, package ${mib(figures.pkg.peakRss)}; wasm ${mib(figures.pkg.wasmBefore)} -> ${mib(figures.pkg.wasmAfter)}`);
    return figures;
  } finally {
    server.kill();
  }
}

/** The BENCHMARKS.md section, between its markers. */
export function memorySection(f) {
  const above = (x) => `+${mib(x.peakRss - f.idle.peakRss)}`;
  return [
    START,
    "## A large list in memory",
    "",
    `\`devices.list({ fields: "all" })\` of ${f.devices.toLocaleString("en")} devices from a demo tailnet in another process: ${f.bytes.toLocaleString("en")} B of JSON (${mib(f.bytes)}), past the old fixed 10 MiB cap and within the default \`maxResponseBytes\` (64 MiB). Each row is a fresh Node ${process.version} process that imports the package, then makes the one call and keeps its result; medians of ${f.runs} interleaved runs (\`scripts/bench/memory.mjs\`).`,
    "",
    "| process | peak RSS | above the idle process | JS heap holding the result | wasm linear memory |",
    "|---|---:|---:|---:|---:|",
    `| idle (package imported, no call) | ${mib(f.idle.peakRss)} | | ${mib(f.idle.heapUsed)} | ${mib(f.idle.wasmAfter)} |`,
    `| \`fetch\` + \`text()\` + \`JSON.parse\` | ${mib(f.raw.peakRss)} | ${above(f.raw)} | ${mib(f.raw.heapUsed)} | ${mib(f.raw.wasmAfter)} |`,
    `| \`devices.list({ fields: "all" })\` | ${mib(f.pkg.peakRss)} | ${above(f.pkg)} | ${mib(f.pkg.heapUsed)} | ${mib(f.pkg.wasmBefore)} before, ${mib(f.pkg.wasmAfter)} after |`,
    "",
    "The body never enters wasm memory: it is read as chunks kept in JS, joined into one `Uint8Array`, decoded by `TextDecoder` and parsed by the engine's `JSON.parse`, as the raw call does; the core then checks each device's shape in place, which holds a handle per device for the duration of the check (the wasm memory's small growth, kept since wasm memory never shrinks). The peak is the body's bytes, its text and the parsed objects alive at once, in either process; the package's is a few MiB higher for the one `Uint8Array` it joins the chunks into, alive next to them while it is built.",
    END,
  ].join("\n");
}

/** Replaces the section in BENCHMARKS.md (or appends it above the notes). */
export function writeMemorySection(figures, file = `${root}BENCHMARKS.md`) {
  const text = readFileSync(file, "utf8");
  const section = memorySection(figures);
  const next = text.includes(START) ? text.slice(0, text.indexOf(START)) + section + text.slice(text.indexOf(END) + END.length) : text.replace("<!-- notes -->", `${section}\n<!-- notes -->`);
  writeFileSync(file, next);
}

async function runProbe(mode, url, apiKey) {
  const require = createRequire(`${root}tests/js/`);
  const memoryBytes = watchWasmMemory();
  const { TailscaleClient } = require("tailscale-wasm");
  const client = new TailscaleClient({ apiKey, baseUrl: url });
  const wasmBefore = memoryBytes();
  let result;
  if (mode === "raw") result = JSON.parse(await (await fetch(url + PATH, { headers: { authorization: `Bearer ${apiKey}` } })).text());
  if (mode === "pkg") result = await client.devices.list({ fields: "all" });
  // A turn of the event loop first: fetch's internals let go of the body only then.
  await new Promise((resolve) => setTimeout(resolve, 100));
  globalThis.gc();
  globalThis.gc();
  const heapUsed = process.memoryUsage().heapUsed;
  // `maxRSS` is in KiB.
  process.send({ peakRss: process.resourceUsage().maxRSS * 1024, heapUsed, wasmBefore, wasmAfter: memoryBytes(), held: result ? 1 : 0 });
}

// Which role this process plays, when it is the one run (scripts/bench.mjs imports it, and its
// own children take the same arguments as this file's).
const main = process.argv[1] === here;
if (main && process.argv[2] === "serve") {
  const { createDemoTailnet } = await import("../../www/demo-tailnet.mjs");
  const tailnet = createDemoTailnet({ extraDevices: Number(process.argv[3]) });
  const url = await tailnet.listen();
  setInterval(() => tailnet.resetStats(), 500).unref();
  process.send({ url, apiKey: tailnet.credentials.apiKey });
} else if (main && process.argv[2] === "probe") {
  await runProbe(process.argv[3], process.argv[4], process.argv[5]);
} else if (main) {
  const figures = await memoryFigures();
  writeMemorySection(figures);
  console.log(`wrote its section of BENCHMARKS.md (${cpus().length} × ${cpus()[0]?.model?.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB)`);
}
