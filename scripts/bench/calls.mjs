// Runs inside one runtime (Node, Deno or Bun) for `make bench`: the package's keys.list()
// against raw fetch + JSON.parse, interleaved, on the server at argv's URL. Prints the medians.
import { TailscaleClient } from "tailscale-wasm";

const args = globalThis.process?.argv.slice(2) ?? globalThis.Deno.args;
const [url, apiKey, rounds] = [args[0], args[1], Number(args[2] ?? 200)];
const client = new TailscaleClient({ apiKey, baseUrl: url });
const raw = () => fetch(`${url}/api/v2/tailnet/-/keys`, { headers: { authorization: `Bearer ${apiKey}` } }).then((r) => r.json()).then((j) => j.keys);
const pkg = () => client.keys.list();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (let i = 0; i < 20; i++) {
  await raw();
  await pkg();
}
const times = { raw: [], pkg: [] };
for (let i = 0; i < rounds; i++) {
  for (const [name, call] of [["raw", raw], ["pkg", pkg]]) {
    const t = performance.now();
    await call();
    times[name].push(performance.now() - t);
  }
}
console.log(JSON.stringify({ raw: median(times.raw), pkg: median(times.pkg) }));
