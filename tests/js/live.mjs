// `make live`: the acceptance run against a real tailnet, through the packed package (installed
// in tests/js as a user would). CONTRIBUTING.md says when to run it and what it touches.
//
// Environment (the examples' names, examples/connect.mjs):
//   TAILSCALE_API_KEY, or TS_OAUTH_CLIENT_ID + TS_OAUTH_CLIENT_SECRET   the credential
//   TAILSCALE_TAILNET        the tailnet it may change (required, so that nobody runs it by accident)
//   TAILSCALE_LIVE_TAGS      tags for the auth key it makes (required with an OAuth client, whose
//                            auth keys must carry tags), comma-separated
//   TAILSCALE_LIVE_DEVICE    a device id: the attribute check runs on it (skipped without)
//   TAILSCALE_API_URL        another API base URL (`make test` points it at a demo tailnet);
//                            TAILSCALE_BASE_URL as in the examples
//
// What it does: every read-only operation; creates, reads and deletes an auth key; creates,
// updates, reads and deletes an OAuth app; sets, reads and deletes `custom:tailscale_wasm_live`
// on TAILSCALE_LIVE_DEVICE; reads the policy file, checks it locally and with the server, and
// makes an update that changes nothing (it must report `changed: false`); and holds the access
// engine to the server: the engine's predictions for sampled sources, destinations and ports
// (with posture attributes on both sides of each condition) become tests, posted in one
// `/acl/validate` against the tailnet's own file, and every disagreement is printed. Everything it makes
// is named "tailscale-wasm live <time>" and deleted again, also after a failure or Ctrl-C; what
// it could not delete is printed. One call at a time (the client honours 429 and Retry-After),
// and at most 100 requests, 15 of them kept for cleanup. Every JSON answer is checked against
// the vendored spec's response schema; members the spec does not define are reported as
// unknown fields, not failures, so that drift shows the day it happens.
//
// `--preflight` only says whether the environment is complete (exit 0) or not (the skip line,
// exit 1), for the Makefile, which builds the package only when it will be used.

const env = process.env;
const oauth = env.TS_OAUTH_CLIENT_ID ? { clientId: env.TS_OAUTH_CLIENT_ID, clientSecret: env.TS_OAUTH_CLIENT_SECRET ?? "" } : null;
const tags = (env.TAILSCALE_LIVE_TAGS ?? "").split(/[\s,]+/).filter(Boolean);
const missing = [];
if (!env.TAILSCALE_API_KEY && !oauth) missing.push("TAILSCALE_API_KEY (or TS_OAUTH_CLIENT_ID and TS_OAUTH_CLIENT_SECRET)");
if (!env.TAILSCALE_TAILNET) missing.push("TAILSCALE_TAILNET");
if (oauth && !env.TAILSCALE_API_KEY && tags.length === 0) missing.push("TAILSCALE_LIVE_TAGS (an OAuth client's auth keys need tags)");
if (missing.length) {
  console.log(`SKIPPED make live: set ${missing.join(" and ")} to run the acceptance checks against that tailnet (CONTRIBUTING.md, "make live")`);
  process.exit(process.argv.includes("--preflight") ? 1 : 0);
}
if (process.argv.includes("--preflight")) process.exit(0);

const { TailscaleClient } = await import("tailscale-wasm");
const { PolicyDocument, AccessModel, parsePostureCondition } = await import("tailscale-wasm/policy");
const { validator, responsePointer, operationFor } = await import("./spec.mjs");

const MAX_REQUESTS = 100;
const CLEANUP_RESERVE = 15;
const stamp = new Date().toISOString().replace(/[-:]/g, "").slice(0, 15); // 20261130T031500
const label = `tailscale-wasm live ${stamp}`;
const appName = `tailscale-wasm-live-${stamp}`;
const ATTRIBUTE = "custom:tailscale_wasm_live";

// ---- every request counted, capped and kept for the schema checks ---------------------------
const exchanges = [];
let sent = 0;
let cleaning = false;
let interrupted = false;
const realFetch = globalThis.fetch; // the client sends through `counted` (its fetch option)
async function counted(input, init) {
  // After Ctrl-C only cleanup sends: the step under way fails at its next request.
  if (interrupted && !cleaning) throw new Error("interrupted");
  const limit = cleaning ? MAX_REQUESTS : MAX_REQUESTS - CLEANUP_RESERVE;
  if (sent >= limit) throw new Error(`make live's budget is spent: ${sent} requests (${MAX_REQUESTS} at most, ${CLEANUP_RESERVE} kept for cleanup)`);
  sent++;
  const method = (input instanceof Request ? input.method : init?.method) ?? "GET";
  const url = new URL(input instanceof Request ? input.url : String(input));
  const response = await realFetch(input, init);
  exchanges.push({ method, path: url.pathname, status: response.status, type: response.headers.get("content-type") ?? "", body: response.clone().text() });
  return response;
}

const options = {
  ...(env.TAILSCALE_API_KEY ? { apiKey: env.TAILSCALE_API_KEY } : { oauth }),
  tailnet: env.TAILSCALE_TAILNET,
  baseUrl: env.TAILSCALE_API_URL || env.TAILSCALE_BASE_URL || undefined,
  timeoutMs: 30_000,
  maxRetries: 3,
};
const client = new TailscaleClient({ ...options, fetch: counted });

// ---- checks, and what to delete -------------------------------------------------------------
const results = [];
const made = new Map(); // what -> async delete
let current = Promise.resolve();

/** Runs one named check; a failure is recorded and the run goes on (unless `needed`). */
async function check(name, fn, { needed = false } = {}) {
  if (interrupted) return false;
  const run = (async () => {
    try {
      const note = await fn();
      results.push({ name, ok: true, note });
      console.log(`ok    ${name}${note ? ` (${note})` : ""}`);
      return true;
    } catch (err) {
      results.push({ name, ok: false, note: String(err?.message ?? err) });
      console.log(`FAIL  ${name}: ${err?.message ?? err}`);
      if (needed) throw err;
      return false;
    }
  })();
  current = run.catch(() => {});
  return run;
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function cleanup() {
  await current;
  cleaning = true;
  const left = [];
  for (const [what, remove] of made) {
    try {
      await remove();
      made.delete(what);
      console.log(`      deleted ${what}`);
    } catch (err) {
      left.push(`${what}: ${err?.message ?? err}`);
    }
  }
  if (left.length) console.log(`COULD NOT DELETE (remove by hand):\n  ${left.join("\n  ")}`);
  return left.length === 0;
}
let cleanupOnce;
const cleanUp = () => (cleanupOnce ??= cleanup());
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    console.log(`\n${signal}: deleting what this run made`);
    interrupted = true;
    await cleanUp();
    process.exit(130);
  });
}

// ---- the access engine against the server ---------------------------------------------------

/** Attributes on each side of a posture's conditions: ones that pass every `==`, `IN`, `IS SET`
 *  and ordering condition it can satisfy, and none at all (which fails all but `NOT SET`). */
function postureSides(conditions) {
  const pass = {};
  for (const text of conditions) {
    const c = parsePostureCondition(text);
    const v = Array.isArray(c.value) ? c.value[0] : c.value;
    if (c.operator === "==" || c.operator === "IN" || c.operator === ">=" || c.operator === "<=") pass[c.attribute] = v;
    else if (c.operator === "IS SET") pass[c.attribute] = true;
    else return [{}];
  }
  return [pass, {}];
}

/** The engine's predictions as tests: for a few devices (by address, so a test names one
 *  source) toward a few others, on the ports the file names and one it does not, with each
 *  posture's attributes present and absent. What the engine cannot decide is left out. One
 *  `policy.test` then asks the server, and its failures are the disagreements. */
async function engineAgrees(text) {
  const all = await client.devices.list({ fields: "all" });
  const ipv4 = (d) => d.addresses?.find((a) => a.includes("."));
  const sample = all.filter((d) => ipv4(d) && !d.isExternal).slice(0, 5);
  // Attributes are not read for the sample: each test carries its own (srcPostureAttrs).
  const users = await client.users.list({ type: "all" }).catch(() => undefined);
  const model = AccessModel.build({ policy: text, devices: all, users });
  const doc = PolicyDocument.parse(text);
  const ports = new Set([22, 443, 65000]);
  for (const rule of [...(doc.get("/grants") ?? []), ...(doc.get("/acls") ?? [])]) {
    for (const entry of [...(rule.ip ?? []), ...(rule.dst ?? []).map((d) => d.slice(d.lastIndexOf(":") + 1))]) {
      const first = Number(String(entry).split(":").pop().split(/[,-]/)[0]);
      if (Number.isInteger(first) && first > 0) ports.add(first);
    }
  }
  const sides = [{}, ...Object.values(doc.get("/postures") ?? {}).flatMap((c) => postureSides(c))];
  const tests = [];
  for (const s of sample) {
    for (const d of sample) {
      if (s === d) continue;
      for (const port of [...ports].slice(0, 6)) {
        for (const attrs of sides) {
          if (tests.length >= 60) break;
          const probe = { src: ipv4(s), srcPostureAttrs: attrs, accept: [`${ipv4(d)}:${port}`] };
          const local = model.runTests([probe]);
          if (local.data.some((e) => e.warnings?.length)) continue; // indeterminate: no prediction
          tests.push(local.ok ? probe : { src: probe.src, srcPostureAttrs: attrs, deny: probe.accept });
        }
      }
    }
  }
  if (!tests.length) return "no device pairs to sample";
  const server = await client.policy.test(tests);
  const disagreements = server.data.flatMap((e) => (e.errors ?? []).map((m) => `${e.user}: ${m}`));
  expect(server.ok, `the engine and the server disagree on ${disagreements.length} of ${tests.length} predictions:\n  ${disagreements.join("\n  ")}`);
  return `${tests.length} predictions (${tests.filter((t) => t.accept).length} accept, ${tests.filter((t) => t.deny).length} drop), all confirmed`;
}

// ---- the run --------------------------------------------------------------------------------
async function main() {
  console.log(`make live against ${options.baseUrl ?? "https://api.tailscale.com"}, tailnet ${options.tailnet}, as ${env.TAILSCALE_API_KEY ? "an API key" : "an OAuth client"}; everything made is named "${label}"`);

  // Read-only operations.
  let keys = [];
  let apps = [];
  let devices = [];
  let file;
  await check("keys.list", async () => `${(keys = await client.keys.list()).length} keys`);
  await check("keys.list({ all: true })", async () => `${(await client.keys.list({ all: true })).length} keys`);
  if (keys[0]) await check("keys.get", async () => expect((await client.keys.get(keys[0].id)).id === keys[0].id, "another key came back"));
  await check("oauthApps.list", async () => `${(apps = await client.oauthApps.list()).length} apps`);
  if (apps[0]) await check("oauthApps.get", async () => expect((await client.oauthApps.get(apps[0].id)).id === apps[0].id, "another app came back"));
  await check("devices.list", async () => `${(devices = await client.devices.list()).length} devices`);
  await check("devices.list({ fields: \"all\" })", async () => `${(await client.devices.list({ fields: "all" })).length} devices`);
  await check("client.request GET /tailnet/{tailnet}/devices", async () => expect(Array.isArray((await client.request({ method: "GET", path: "/tailnet/{tailnet}/devices" })).devices), "no devices list came back"));
  const device = devices[0];
  if (device) {
    await check("devices.get", async () => expect((await client.devices.get(device.nodeId)).nodeId === device.nodeId, "another device came back"));
    await check("devices.getAttributes", async () => `${Object.keys((await client.devices.getAttributes(device.nodeId)).attributes ?? {}).length} attributes`);
  }

  // The policy file: read, checked here and by the server, and an update that changes nothing.
  const policy = client.policy;
  await check("policy.get", async () => `${(file = await policy.get()).text.length} bytes, etag ${file.etag}`);
  await check("policy.get({ details: true })", async () => expect((await policy.get({ details: true })).text === file?.text, "the base64 file differs from the HuJSON one"));
  if (file) {
    await check("PolicyDocument.parse(text).check()", async () => {
      const issues = PolicyDocument.parse(file.text).check();
      return issues.length ? `local notes: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}` : "no local issues";
    });
    await check("policy.validate(text)", async () => {
      const verdict = await policy.validate(file.text);
      expect(verdict.ok, `the server refuses the tailnet's own file: ${verdict.message ?? JSON.stringify(verdict.data)}`);
    });
    // Whatever the verdicts, each is a PolicyCheck or a preview: the round trip is what is checked.
    if (device?.user) await check("policy.test([{ src: <a device's user> }])", async () => `ok: ${(await policy.test([{ src: device.user }])).ok}`);
    const at = `${device?.addresses?.find((a) => a.includes(".")) ?? "100.64.0.1"}:22`;
    await check(`policy.preview(text, ipport ${at})`, async () => `${(await policy.preview(file.text, { type: "ipport", previewFor: at })).matches.length} matching rules`);
    if (device) {
      await check("policy.evaluatePostures", async () => {
        const report = await policy.evaluatePostures({ text: file.text, deviceIds: [device.nodeId] });
        return `${report.postures.length} postures, on ${device.nodeId}`;
      });
    }
  }
  if (file) await check("the access engine agrees with the server's test runner", () => engineAgrees(file.text));
  await check("policy.update with an edit that changes nothing", async () => {
    const result = await policy.update(() => {});
    expect(result.changed === false, `changed is ${result.changed}`);
    return `changed: false after ${result.attempts} attempt(s)`;
  });

  // An auth key: created, read, deleted.
  await check("keys.createAuthKey, get, delete", async () => {
    const key = await client.keys.createAuthKey({ description: label, expirySeconds: 3600, reusable: false, ephemeral: true, preauthorized: false, ...(tags.length ? { tags } : {}) });
    made.set(`auth key ${key.id}`, () => client.keys.delete(key.id));
    expect(typeof key.key === "string" && key.key.length > 0, "a created auth key carries its secret");
    const read = await client.keys.get(key.id);
    expect(read.description === label, `description ${read.description}`);
    expect(read.key === undefined, "a read key must not carry its secret");
    await client.keys.delete(key.id);
    made.delete(`auth key ${key.id}`);
    expect(!(await client.keys.list()).some((k) => k.id === key.id), "the deleted key is still listed");
  });

  // An OAuth app: created, updated, read, deleted.
  await check("oauthApps.create, update, get, delete", async () => {
    const spec = { name: appName, description: label, redirectURIs: ["https://tailscale-wasm-live.invalid/callback"], scopes: ["devices:core:read"] };
    const app = await client.oauthApps.create(spec);
    made.set(`OAuth app ${app.id} (${appName})`, () => client.oauthApps.delete(app.id));
    const updated = await client.oauthApps.update(app.id, { ...spec, description: `${label} updated` });
    expect(updated.description === `${label} updated`, `description ${updated.description}`);
    expect((await client.oauthApps.get(app.id)).name === appName, "another name came back");
    await client.oauthApps.delete(app.id);
    made.delete(`OAuth app ${app.id} (${appName})`);
  });

  // A custom attribute on the named device.
  const target = env.TAILSCALE_LIVE_DEVICE;
  if (!target) console.log(`skip  ${ATTRIBUTE} (set TAILSCALE_LIVE_DEVICE to a device id to run it)`);
  else {
    await check(`devices.setAttribute, getAttributes, deleteAttribute (${ATTRIBUTE})`, async () => {
      made.set(`attribute ${ATTRIBUTE} on ${target}`, () => client.devices.deleteAttribute(target, ATTRIBUTE));
      await client.devices.setAttribute(target, ATTRIBUTE, { value: stamp, comment: label });
      const read = await client.devices.getAttributes(target);
      expect(read.attributes?.[ATTRIBUTE] === stamp, `read back ${read.attributes?.[ATTRIBUTE]}`);
      await client.devices.deleteAttribute(target, ATTRIBUTE);
      made.delete(`attribute ${ATTRIBUTE} on ${target}`);
      expect((await client.devices.getAttributes(target)).attributes?.[ATTRIBUTE] === undefined, "the attribute is still there");
    });
  }
}

/** Each JSON answer against its operation's response schema, every object schema closed:
 *  a member the spec does not define is an unknown field, anything else a violation. */
async function schemaChecks() {
  const violations = [];
  const unknown = new Set();
  let checked = 0;
  for (const x of exchanges) {
    if (!x.path.startsWith("/api/v2/") || x.path.startsWith("/api/v2/oauth/")) continue;
    const text = await x.body.catch(() => "");
    // JSON answers only: the policy file itself comes as application/hujson.
    if (x.type.split(";")[0].trim() !== "application/json" || !text.trim()) continue;
    const found = operationFor(x.method, x.path);
    if (!found) {
      violations.push(`${x.method} ${x.path}: not a documented operation`);
      continue;
    }
    const { template } = found;
    const pointer = responsePointer(found, x.status);
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      violations.push(`${x.method} ${template} ${x.status}: not JSON`);
      continue;
    }
    let validate;
    try {
      validate = validator(pointer);
    } catch {
      continue; // A status the spec gives no JSON schema for.
    }
    checked++;
    if (validate(body)) continue;
    for (const e of validate.errors) {
      if (e.keyword === "additionalProperties") unknown.add(`${template} ${x.status}: ${e.instancePath || "/"} has ${e.params.additionalProperty}`);
      else violations.push(`${x.method} ${template} ${x.status}: ${e.instancePath || "/"} ${e.message}`);
    }
  }
  console.log(`${checked} JSON answers checked against the spec`);
  if (unknown.size) console.log(`UNKNOWN FIELDS (the API returns members the vendored spec does not define):\n  ${[...unknown].join("\n  ")}`);
  if (violations.length) console.log(`SCHEMA VIOLATIONS:\n  ${violations.join("\n  ")}`);
  return violations.length === 0;
}

let fine = true;
try {
  await main();
} catch (err) {
  fine = false;
  console.log(`FAIL  ${err?.stack ?? err}`);
} finally {
  fine = (await cleanUp()) && fine;
}
const schemaFine = await schemaChecks();
const failed = results.filter((r) => !r.ok);
console.log(`make live: ${results.length - failed.length} checks passed, ${failed.length} failed; ${sent} requests (at most ${MAX_REQUESTS})`);
process.exit(interrupted ? 130 : fine && schemaFine && failed.length === 0 ? 0 : 1);
