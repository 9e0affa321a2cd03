#!/usr/bin/env node
// Who can reach a destination, and why: every device the policy admits, with the rule (and its
// line in the file) that lets it, and every device that only a posture stops, with the
// condition it fails. Computed locally by the access engine from the tailnet's policy file,
// devices, users and posture attributes: one read of each, then no request per question.
//
//   node who-can-reach.mjs --dst tag:prod --port 443
//   node who-can-reach.mjs --dst lab-router --port 22 --proto tcp
//   node who-can-reach.mjs --dst 10.0.0.7 --proto icmp        (an address behind a subnet router)
//   node who-can-reach.mjs --dst tag:prod --port 443 --policy next.hujson   (a file not yet saved)
//
// --dst is a tag, a device (hostname, MagicDNS name or nodeId) or an address. Answers that
// depend on what the model cannot know (a `via`, an attribute it was not given, a role without
// users:read) are "indeterminate", with the reason. Credentials come from the environment (see
// connect.mjs).
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { TailscaleError } from "tailscale-wasm";
import { clientFromEnv } from "./connect.mjs";

const { values: opts } = parseArgs({
  options: {
    dst: { type: "string" },
    port: { type: "string" },
    proto: { type: "string", default: "tcp" },
    policy: { type: "string" },
  },
});
if (!opts.dst) {
  console.error("who can reach what? pass --dst tag:prod (a tag, a device or an address), and --port 443");
  process.exit(2);
}
const port = opts.port === undefined ? undefined : Number(opts.port);
/** A rule as the file names it: `grants[1] (line 43)`. */
const rule = (r) => (r.section === "default" ? "the allow-all of a file with no rules" : `${r.section}[${r.index}] (line ${r.line})`);

try {
  const client = clientFromEnv();
  const text = opts.policy ? await readFile(opts.policy, "utf8") : undefined;
  const model = await client.policy.access({ text });
  for (const issue of model.issues) console.log(`the server would refuse this file: ${issue.field}: ${issue.message}`);
  const devices = await client.devices.list({ fields: "all" });
  const named = (d) => [d.nodeId, d.hostname, d.name, d.name?.split(".")[0]].includes(opts.dst);
  const targets = opts.dst.startsWith("tag:") ? devices.filter((d) => d.tags?.includes(opts.dst)) : devices.filter(named);
  // Anything else is an address: a device's, or one behind a subnet router or an exit node.
  const destinations = targets.length ? targets.map((d) => ({ dst: d.nodeId, label: d.hostname ?? d.nodeId })) : [{ dst: opts.dst, label: opts.dst }];
  if (opts.dst.startsWith("tag:") && !targets.length) console.log(`no device is ${opts.dst} yet`);
  for (const { dst, label } of opts.dst.startsWith("tag:") && !targets.length ? [] : destinations) {
    const who = model.whoCanReach({ dst, proto: opts.proto, port });
    console.log(`${label} ${opts.proto}${port === undefined ? "" : `:${port}`}:`);
    const admitted = who.filter((w) => w.verdict === "accept");
    const unsure = who.filter((w) => w.verdict === "indeterminate");
    const stopped = who.filter((w) => w.verdict === "drop");
    for (const w of admitted) console.log(`  reaches      ${w.device.name} through ${w.rules.map(rule).join(", ")}`);
    for (const w of unsure) console.log(`  may reach    ${w.device.name}: ${w.reason}`);
    for (const w of stopped) {
      for (const b of w.blockedBy ?? []) console.log(`  stopped      ${w.device.name} at ${rule(b)}: ${b.failed.map((f) => f.reason).join("; ")}`);
    }
    console.log(`  ${admitted.length} reach${admitted.length === 1 ? "es" : ""}, ${unsure.length} may, ${stopped.length} stopped by a posture`);
  }
} catch (err) {
  console.error(err instanceof TailscaleError ? `${err.name}: ${err.message}` : String(err));
  process.exit(1);
}
