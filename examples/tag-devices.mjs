#!/usr/bin/env node
// Sets (or deletes) custom posture attributes on every device that matches a filter, in one
// batch call, so that access rules can test them (`srcPosture`, grants). --dry-run shows the
// patch and sends nothing.
//
//   node tag-devices.mjs --tag tag:ci --os linux --set custom:pool=blue --set custom:tier=2
//   node tag-devices.mjs --tag tag:ci --delete custom:pool --dry-run
//   node tag-devices.mjs --filter hostname=build-box --set custom:quarantined=true \
//     --expires-in-hours 24 --comment "incident 42"
//
// Values: `true` and `false` are booleans, whole numbers are numbers, anything else a string.
// Credentials come from the environment (see connect.mjs).
import { parseArgs } from "node:util";
import { TailscaleError, validateAttributeKey, validateAttributeValue, validateUpdateAttributes } from "tailscale-wasm";
import { clientFromEnv } from "./connect.mjs";

const { values: opts } = parseArgs({
  options: {
    tag: { type: "string", multiple: true, default: [] },
    os: { type: "string" },
    filter: { type: "string", multiple: true, default: [] },
    set: { type: "string", multiple: true, default: [] },
    delete: { type: "string", multiple: true, default: [] },
    "expires-in-hours": { type: "string" },
    comment: { type: "string" },
    "dry-run": { type: "boolean", default: false },
  },
});

const parseValue = (text) => (text === "true" ? true : text === "false" ? false : /^-?\d+$/.test(text) ? Number(text) : text);
const problems = [];
const changes = {};
for (const pair of opts.set) {
  const at = pair.indexOf("=");
  const [key, value] = at < 0 ? [pair, ""] : [pair.slice(0, at), parseValue(pair.slice(at + 1))];
  const issues = [...validateAttributeKey(key), ...validateAttributeValue(value)];
  for (const i of issues) problems.push(`--set ${pair}: ${i.field} ${i.message}`);
  changes[key] = { value };
}
for (const key of opts.delete) {
  for (const i of validateAttributeKey(key)) problems.push(`--delete ${key}: ${i.message}`);
  changes[key] = null;
}
if (opts["expires-in-hours"] !== undefined) {
  const hours = Number(opts["expires-in-hours"]);
  if (!(hours > 0)) problems.push("--expires-in-hours must be a positive number");
  const expiry = new Date(Date.now() + hours * 3_600_000).toISOString();
  for (const change of Object.values(changes)) if (change) change.expiry = expiry;
}
if (!Object.keys(changes).length) problems.push("nothing to do: pass --set custom:key=value or --delete custom:key");

const filter = {};
if (opts.tag.length) filter.tags = opts.tag;
if (opts.os) filter.os = opts.os;
for (const pair of opts.filter) {
  const at = pair.indexOf("=");
  if (at < 1) problems.push(`--filter ${pair}: expected field=value`);
  else filter[pair.slice(0, at)] = pair.slice(at + 1);
}
if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(2);
}

try {
  const client = clientFromEnv();
  const devices = await client.devices.list({ filter });
  for (const d of devices) console.log(`matched ${d.hostname} (${d.nodeId}), ${d.tags?.join(" ") || `owned by ${d.user}`}`);
  const nodes = Object.fromEntries(devices.map((d) => [d.nodeId, changes]));
  const patch = { nodes, ...(opts.comment ? { comment: opts.comment } : {}) };
  const sets = Object.values(changes).filter(Boolean).length;
  const deletes = Object.keys(changes).length - sets;
  if (devices.length && opts["dry-run"]) {
    console.log("dry run: would send PATCH /api/v2/tailnet/-/device-attributes with");
    console.log(JSON.stringify(patch, null, 2));
  } else if (devices.length) {
    // Checked here to say what is wrong before anything is sent; the call checks it again.
    for (const i of validateUpdateAttributes(patch)) problems.push(`${i.field}: ${i.message}`);
    if (problems.length) throw new Error(problems.join("; "));
    await client.devices.updateAttributes(patch);
  }
  const verb = opts["dry-run"] ? "would set" : "set";
  console.log(`summary: ${devices.length} devices matched ${JSON.stringify(filter)}; ${verb} ${sets} and ${opts["dry-run"] ? "would delete" : "deleted"} ${deletes} attributes on each${devices.length ? "" : " (nothing sent)"}`);
} catch (err) {
  console.error(err instanceof TailscaleError ? `${err.name}: ${err.message}` : String(err));
  process.exit(1);
}
