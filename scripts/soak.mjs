// `make soak`: 100,000 sequential calls through the packed package against a demo tailnet in
// another process, sampling the wasm linear memory and the JS heap (after GC) as it goes.
// Writes target/soak.json; scripts/reliability-figures.mjs puts it in RELIABILITY.md.
import { fork } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { watchWasmMemory } from "./bench/wasm-memory.mjs";

const CALLS = Number(process.env.SOAK_CALLS ?? 100_000);
const EVERY = CALLS / 10;

if (process.argv[2] === "serve") {
  const { createDemoTailnet } = await import("../www/demo-tailnet.mjs");
  const tailnet = createDemoTailnet();
  const url = await tailnet.listen();
  // Keep the request log from growing for 100,000 calls.
  setInterval(() => tailnet.resetStats(), 1000).unref();
  process.send({ url, apiKey: tailnet.credentials.apiKey });
} else {
  const require = createRequire(new URL("../tests/js/", import.meta.url));
  const memoryBytes = watchWasmMemory();
  const { TailscaleClient } = require("tailscale-wasm");
  const server = fork(new URL(import.meta.url).pathname, ["serve"]);
  const { url, apiKey } = await new Promise((resolve) => server.once("message", resolve));
  const client = new TailscaleClient({ apiKey, baseUrl: url });
  const samples = [];
  const sample = async (calls) => {
    // The least heap over several collections with event-loop turns between them: finalizers
    // and timers queued by the last calls get to run, and a buffer that is alive at one
    // moment only does not count as growth.
    let heapBytes = Infinity;
    for (let i = 0; i < 5; i++) {
      globalThis.gc();
      await new Promise((resolve) => setImmediate(resolve));
      heapBytes = Math.min(heapBytes, process.memoryUsage().heapUsed);
    }
    samples.push({ calls, wasmBytes: memoryBytes(), heapBytes });
    console.log(`soak: ${calls} calls, wasm ${memoryBytes()} B, heap ${(heapBytes / 2 ** 20).toFixed(1)} MiB`);
  };
  await sample(0);
  for (let i = 1; i <= CALLS; i++) {
    switch (i % 3) {
      case 0:
        await client.keys.list();
        break;
      case 1:
        await client.oauthApps.list();
        break;
      default:
        await client.keys.get("missing").catch(() => {});
    }
    if (i % EVERY === 0) await sample(i);
  }
  server.kill();
  // Flat: after the first fifth (warm-up: JIT, connection pool) the wasm memory never grows,
  // and the median heap of the later half of the samples is within 10 % of the earlier half's.
  // Medians, so that one odd sample cannot decide it either way; a leak moves the whole later
  // half.
  const steady = samples.slice(2);
  const warm = steady[0];
  const last = steady.at(-1);
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  };
  const half = Math.floor(steady.length / 2);
  const earlier = median(steady.slice(0, half).map((s) => s.heapBytes));
  const later = median(steady.slice(half).map((s) => s.heapBytes));
  const heapGrowth = (later - earlier) / earlier;
  const wasmFlat = steady.every((s) => s.wasmBytes === warm.wasmBytes);
  const verdict = `${wasmFlat && heapGrowth < 0.1 ? "Flat" : "NOT FLAT"}: from ${warm.calls.toLocaleString("en")} to ${last.calls.toLocaleString("en")} calls the wasm memory went from ${warm.wasmBytes} to ${last.wasmBytes} bytes, and the JS heap's median moved by ${(heapGrowth * 100).toFixed(1)} % (later half of the samples against the earlier half).`;
  console.log(verdict);
  mkdirSync(new URL("../target/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../target/soak.json", import.meta.url), JSON.stringify({ samples, verdict }, null, 1));
  process.exit(wasmFlat && heapGrowth < 0.1 ? 0 : 1);
}
