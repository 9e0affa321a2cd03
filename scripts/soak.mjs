// `make soak`: 100,000 sequential calls through the packed package against a demo tailnet in
// another process, sampling the wasm linear memory and the JS heap (after GC) as it goes.
// Writes target/soak.json; scripts/reliability-figures.mjs puts it in RELIABILITY.md.
import { fork } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

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
  const entry = require.resolve("tailscale-wasm");
  const { TailscaleClient } = require("tailscale-wasm");
  const { __memoryBytes } = require(entry.replace(/index\.cjs$/, "dist/node/tailscale_wasm.js"));
  const server = fork(new URL(import.meta.url).pathname, ["serve"]);
  const { url, apiKey } = await new Promise((resolve) => server.once("message", resolve));
  const client = new TailscaleClient({ apiKey, baseUrl: url });
  const samples = [];
  const sample = (calls) => {
    globalThis.gc();
    samples.push({ calls, wasmBytes: __memoryBytes(), heapBytes: process.memoryUsage().heapUsed });
    console.log(`soak: ${calls} calls, wasm ${__memoryBytes()} B, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MiB`);
  };
  sample(0);
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
    if (i % EVERY === 0) sample(i);
  }
  server.kill();
  // Flat: after the first fifth (warm-up: JIT, connection pool), the wasm memory does not grow,
  // and the heap ends within 10 % of where it was.
  const warm = samples[2];
  const last = samples.at(-1);
  const wasmFlat = last.wasmBytes === warm.wasmBytes;
  const heapGrowth = (last.heapBytes - warm.heapBytes) / warm.heapBytes;
  const verdict = `${wasmFlat && heapGrowth < 0.1 ? "Flat" : "NOT FLAT"}: from ${warm.calls.toLocaleString("en")} to ${last.calls.toLocaleString("en")} calls the wasm memory went from ${warm.wasmBytes} to ${last.wasmBytes} bytes and the JS heap changed by ${(heapGrowth * 100).toFixed(1)} %.`;
  console.log(verdict);
  mkdirSync(new URL("../target/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../target/soak.json", import.meta.url), JSON.stringify({ samples, verdict }, null, 1));
  process.exit(wasmFlat && heapGrowth < 0.1 ? 0 : 1);
}
