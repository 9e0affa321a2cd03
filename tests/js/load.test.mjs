// Load with bounded counts (not timed): 1,000 concurrent calls through one client capped at 8.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { TailscaleClient } from "tailscale-wasm";
import { startTailnet, until, gate } from "./helpers.mjs";

const { tailnet, baseUrl } = await startTailnet();
after(() => tailnet.close());

test("1,000 concurrent calls with maxConcurrency 8: all resolve, never more than 8 in flight", { timeout: 120_000 }, async () => {
  const client = new TailscaleClient({ oauth: tailnet.credentials.oauth, baseUrl, maxConcurrency: 8 });
  tailnet.resetStats();
  // The first 8 are held until all 8 are in flight, so the cap is reached however slow the
  // machine; the rest get a little server-side latency so that calls overlap for real.
  const held = gate();
  tailnet.fault({ path: "/keys", pass: true, until: held.promise, times: 8 });
  tailnet.fault({ path: "/keys", delayMs: 20, pass: true, times: 992 });
  const calls = Array.from({ length: 1000 }, (_, i) => (i % 2 ? client.keys.list() : client.keys.get("missing").catch((e) => e.status)));
  await until(() => tailnet.inFlight >= 8);
  held.open();
  const results = await Promise.all(calls);
  assert.equal(results.length, 1000);
  assert.ok(results.every((r, i) => (i % 2 ? Array.isArray(r) && r.length > 0 : r === 404)));
  assert.ok(tailnet.maxInFlight <= 8, `saw ${tailnet.maxInFlight} in flight`);
  assert.equal(tailnet.maxInFlight, 8, "the cap is reached, so the test can tell it holds");
  assert.equal(tailnet.requests.filter((r) => r.path.includes("/keys")).length, 1000);
  assert.equal(tailnet.requests.filter((r) => r.path.endsWith("/oauth/token")).length, 1);
});
