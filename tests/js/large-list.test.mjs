// A large tailnet: a `fields=all` list of 20,000 devices is about 20 MB, past the old fixed
// 10 MiB cap, and must decode under the default maxResponseBytes (64 MiB). Its memory cost is
// measured by `make bench` (scripts/bench/memory.mjs, BENCHMARKS.md).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { TailscaleClient, TailscaleResponseError } from "tailscale-wasm";
import { startTailnet } from "./helpers.mjs";

const DEVICES = 20_000;
const { tailnet, baseUrl } = await startTailnet({ extraDevices: DEVICES });
after(() => tailnet.close());

test(`devices.list({ fields: "all" }) of ${DEVICES.toLocaleString("en")} devices decodes under the default cap`, async () => {
  const client = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
  const devices = await client.devices.list({ fields: "all" });
  const seeded = tailnet.state.devices.size;
  assert.ok(seeded > DEVICES);
  assert.equal(devices.length, seeded);
  assert.equal(devices.at(-1).hostname, `host-${DEVICES}`);
  assert.ok("clientConnectivity" in devices.at(-1), "every field");
  const [sent] = tailnet.requests;
  assert.equal(sent.query, "?fields=all");
  const bytes = Buffer.byteLength(JSON.stringify(tailnet.requests[0].response));
  assert.ok(bytes > 10 * 1024 * 1024, `the body (${bytes} B) is past the old 10 MiB cap`);
  // The same list under a 10 MiB cap is refused, typed.
  const capped = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl, maxResponseBytes: 10 * 1024 * 1024 });
  await assert.rejects(capped.devices.list({ fields: "all" }), (e) => e instanceof TailscaleResponseError && /larger than maxResponseBytes/.test(e.message));
});
