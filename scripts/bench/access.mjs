// The access engine's speed, for `make bench`: AccessModel over a generated tailnet of 10,000
// devices and a policy of 1,000 rules, in this Node with the packed package (as tests/js loads
// it). The generator is deterministic (a seeded PRNG) and mirrors the shares of the native
// figures (crates/policy/tests/access_bench.rs: selector kinds, ports, postures on a fifth of
// the rules, three grants for two acls), with what a real tailnet adds: devices as
// `devices.list({ fields: "all" })` returns them (every field, IPv4 and IPv6, tags on about a
// third, subnet routers with approved and unapproved routes, exit nodes, a few shared-in
// devices), users with roles (owner, admins, network and IT admins, auditors, shared users),
// groups, tags and their owners, hosts, IP sets, postures with `srcPosture` and
// `defaultSrcPosture`, and posture attributes for six devices in seven.
//
//   node scripts/bench/access.mjs          (the figures alone, printed; make bench writes them)
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** mulberry32: a small seeded PRNG (the demo tailnet's generator uses the same). */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n) => Math.floor(next() * n);
  return { next, below, pick: (list) => list[below(list.length)], chance: (p) => next() < p };
}

const DOMAIN = "example.com";
const TAILNET_DNS = "tail4f2c9.ts.net";
const addr4 = (i) => `100.${64 + ((i >> 16) % 64)}.${(i >> 8) & 255}.${i & 255}`;
const addr6 = (i) => `fd7a:115c:a1e0::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}`;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const ID_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/**
 * A tailnet of `n` devices: `{ devices, users, attributes, shape }`, where `shape` holds the
 * counts the policy generator draws names from.
 */
export function generateTailnet(n = 10_000, seed = 7) {
  const r = prng(seed);
  const members = Math.max(10, Math.floor(n / 5));
  const tags = Math.min(1000, Math.max(10, Math.floor(n / 50)));
  const t0 = Date.parse("2026-06-01T00:00:00Z");
  // Users with roles as a company's tailnet has them, and a few shared-in users.
  const users = [];
  for (let u = 0; u < members; u++) {
    const role = u === 0 ? "owner" : u % 50 === 0 ? "admin" : u % 97 === 0 ? "network-admin" : u % 89 === 0 ? "it-admin" : u % 211 === 0 ? "auditor" : u % 331 === 0 ? "billing-admin" : "member";
    users.push({ id: `u${1000 + u}`, displayName: `User ${u}`, loginName: `u${u}@${DOMAIN}`, profilePicUrl: "", tailnetId: DOMAIN, created: iso(t0 - u * 3_600_000), type: "member", role, status: u % 40 === 0 ? "idle" : "active", deviceCount: 0, lastSeen: iso(t0), currentlyConnected: u % 3 !== 0 });
  }
  const shared = 5;
  for (let s = 0; s < shared; s++) users.push({ id: `us${s}`, displayName: `Partner ${s}`, loginName: `p${s}@partner.example`, profilePicUrl: "", tailnetId: "partner.example", created: iso(t0), type: "shared", role: "member", status: "active", deviceCount: 1 });

  const devices = [];
  const attributes = {};
  const used = new Set();
  for (let i = 0; i < n; i++) {
    let nodeId;
    do nodeId = "n" + Array.from({ length: 7 }, () => r.pick(ID_CHARS)).join("") + "CNTRL";
    while (used.has(nodeId));
    used.add(nodeId);
    const os = ["linux", "macOS", "windows", "linux", "iOS", "android"][r.below(6)];
    const owner = r.below(members);
    const hostname = `host-${i}`;
    const external = i >= n - shared;
    const created = t0 - r.below(365) * 86_400_000;
    const d = {
      addresses: external ? [`100.${100 + (i % 20)}.77.${1 + (i % 250)}`, `fd7a:115c:a1e0::77:${(i & 0xffff).toString(16)}`] : [addr4(i + 1), addr6(i + 1)],
      id: String(90_000_000_000 + i),
      nodeId,
      user: external ? `p${n - 1 - i}@partner.example` : `u${owner}@${DOMAIN}`,
      name: `${hostname}.${external ? "partner-example.ts.net" : TAILNET_DNS}`,
      hostname,
      clientVersion: r.pick(["1.62.0", "1.76.6", "1.80.3", "1.82.5", "1.48.2"]),
      updateAvailable: r.chance(0.2),
      os,
      created: iso(created),
      connectedToControl: r.chance(0.7),
      keyExpiryDisabled: false,
      expires: iso(created + 180 * 86_400_000),
      authorized: true,
      isExternal: external,
      machineKey: `mkey:${nodeId.toLowerCase()}`,
      nodeKey: `nodekey:${nodeId.toLowerCase()}`,
      blocksIncomingConnections: r.chance(0.02),
      enabledRoutes: [],
      advertisedRoutes: [],
      clientConnectivity: { endpoints: [`192.0.2.${1 + (i % 250)}:41641`], mappingVariesByDestIP: false, latency: { "Frankfurt": { preferred: true, latencyMs: 12.5 } }, clientSupports: { hairPinning: null, ipv6: true, pcp: false, pmp: false, udp: true, upnp: false } },
      tailnetLockKey: `tlpub:${nodeId.toLowerCase()}`,
      tailnetLockError: "",
      isEphemeral: false,
      multipleConnections: false,
      sshEnabled: r.chance(0.1),
      postureIdentity: { disabled: true },
    };
    if (!d.connectedToControl) d.lastSeen = iso(t0 - r.below(72) * 3_600_000);
    if (os === "linux") d.distro = { name: "debian", version: "13", codeName: "trixie" };
    if (!external && i % 10 < 3) d.tags = [`tag:t${r.below(tags)}`];
    // Subnet routers (tag:router): each advertises a /16 and sometimes a second route that is
    // not approved; exit nodes (tag:exit) advertise and have the default routes approved, but one.
    if (i < 20) {
      d.tags = ["tag:router"];
      d.advertisedRoutes = [`10.${i}.0.0/16`, ...(i % 4 === 3 ? [`192.168.${i}.0/24`] : [])];
      d.enabledRoutes = [`10.${i}.0.0/16`];
    } else if (i < 24) {
      d.tags = ["tag:exit"];
      d.advertisedRoutes = ["0.0.0.0/0", "::/0"];
      d.enabledRoutes = i === 23 ? [] : ["0.0.0.0/0", "::/0"];
    }
    if (d.tags) d.keyExpiryDisabled = true;
    devices.push(d);
    // Posture attributes (as devices.getAttributes answers them) for six devices in seven.
    if (i % 7 !== 0) {
      attributes[nodeId] = {
        "node:os": os,
        "node:osVersion": { linux: "6.12.0", macOS: "15.1", windows: "10.0.26100", iOS: "18.1", android: "15" }[os],
        "node:tsReleaseTrack": i % 13 === 0 ? "unstable" : "stable",
        "node:tsVersion": d.clientVersion,
        "node:tsAutoUpdate": i % 2 === 0,
        "node:tsStateEncrypted": os !== "linux",
        ...(i % 3 !== 0 ? { "custom:tier": ["gold", "silver"][i % 2] } : {}),
        ...(i % 11 === 0 ? { "custom:quarantined": true } : {}),
      };
    }
  }
  for (const d of devices) if (!d.tags && !d.isExternal) users[Number(d.user.slice(1, d.user.indexOf("@")))].deviceCount++;
  return { devices, users, attributes, shape: { n, members, tags, groups: Math.min(1000, Math.max(10, Math.floor(n / 100))), hosts: 100 } };
}

/**
 * A policy of `rules` rules over the tailnet, as pretty-printed HuJSON with a comment per
 * section. `variant` 0 is the base; 2 edits the ports of ten rules (`tcp:8000-8100`).
 */
export function generatePolicy(t, rules = 1000, seed = 11, variant = 0) {
  const r = prng(seed);
  const { n, members, tags, groups, hosts } = t.shape;
  const user = () => `u${r.below(members)}@${DOMAIN}`;
  const policy = { groups: {}, tagOwners: {}, hosts: {}, ipsets: {}, postures: {}, defaultSrcPosture: [], grants: [], acls: [] };
  for (let g = 0; g < groups; g++) policy.groups[`group:g${g}`] = Array.from({ length: 20 + r.below(30) }, user);
  policy.groups["group:admins"] = ["u0@example.com", "u50@example.com", "u100@example.com"];
  for (let i = 0; i < tags; i++) policy.tagOwners[`tag:t${i}`] = i % 3 === 0 ? ["autogroup:admin"] : [`group:g${r.below(groups)}`];
  policy.tagOwners["tag:router"] = ["group:admins"];
  policy.tagOwners["tag:exit"] = ["group:admins"];
  for (let h = 0; h < hosts; h++) policy.hosts[`h${h}`] = h % 2 === 0 ? addr4(r.below(n) + 1) : `10.${r.below(20)}.${r.below(255)}.0/24`;
  policy.ipsets = {
    "ipset:lan": ["add 10.0.0.0/12", "remove 10.3.0.0/16"],
    "ipset:dmz": ["add h1", "add h3", "add 192.168.3.0/24"],
    "ipset:egress": ["add autogroup:internet", "remove 8.8.8.0/24"],
  };
  policy.postures = {
    "posture:baseline": ["node:tsVersion >= '1.50'"],
    "posture:gold": ["custom:tier == 'gold'", "node:tsVersion >= '1.60'"],
    "posture:mac": ["node:os == 'macos'"],
    "posture:managed": ["node:os IN ['linux', 'macos', 'windows']", "node:tsReleaseTrack == 'stable'", "custom:quarantined NOT SET"],
  };
  policy.defaultSrcPosture = ["posture:baseline"];
  // Shares of selector kinds as a large tailnet's policy might have them (the native bench's):
  // mostly groups and tags, few rules open to everyone or to the internet.
  const src = () => {
    const k = r.below(100);
    if (k < 2) return "*";
    if (k < 5) return r.chance(0.5) ? "autogroup:member" : r.pick(["autogroup:tagged", "autogroup:admin", "autogroup:network-admin"]);
    if (k < 45) return `group:g${r.below(groups)}`;
    if (k < 80) return `tag:t${r.below(tags)}`;
    if (k < 95) return user();
    return `h${r.below(hosts)}`;
  };
  const dst = () => {
    const k = r.below(100);
    if (k < 5) return "autogroup:self";
    if (k < 64) return `tag:t${r.below(tags)}`;
    if (k < 74) return `group:g${r.below(groups)}`;
    if (k < 96) return `h${r.below(hosts)}`;
    if (k < 98) return r.pick(["ipset:lan", "ipset:dmz", "tag:router"]);
    return r.chance(0.5) ? "autogroup:internet" : "ipset:egress";
  };
  for (let i = 0; i < rules; i++) {
    const alter = variant === 2 && i % Math.max(1, Math.floor(rules / 10)) === 7;
    let s = Array.from({ length: 1 + r.below(3) }, src);
    let d = Array.from({ length: 1 + r.below(2) }, dst);
    if (d.includes("autogroup:self")) {
      // autogroup:self takes users, groups and autogroup:member only.
      d = ["autogroup:self"];
      s = [`group:g${r.below(groups)}`, "autogroup:member"];
    }
    // Drawn for every rule, so that an edited rule leaves the rest of the file as it was.
    const drawn = r.pick(["tcp:443", "22", "80-90", "*", "udp:53", "tcp:5432", "tcp:443,8443", "icmp:*"]);
    const port = alter ? "tcp:8000-8100" : drawn;
    const posture = r.below(5) === 0 ? [r.pick(["posture:gold", "posture:mac", "posture:managed"]), ...(r.chance(0.3) ? ["posture:gold"] : [])] : null;
    if (i % 5 < 3) {
      const g = { src: s, dst: d, ip: [port] };
      if (posture) g.srcPosture = [...new Set(posture)];
      if (r.chance(0.03) && !d.some((x) => x === "autogroup:internet" || x === "ipset:egress")) g.app = { "example.com/cap/dashboard": [{ role: "viewer" }] };
      policy.grants.push(g);
    } else {
      const [proto, ports] = port.includes(":") ? port.split(":") : [null, port];
      const a = { action: "accept", src: s, dst: d.map((x) => `${x}:${ports}`) };
      if (proto && proto !== "tcp") a.proto = proto;
      else if (proto === "tcp") a.proto = "tcp";
      if (posture) a.srcPosture = [...new Set(posture)];
      policy.acls.push(a);
    }
  }
  const json = JSON.stringify(policy, null, 4);
  // Comments where people put them, so that the model parses HuJSON, not plain JSON.
  return `// Generated tailnet policy: ${rules} rules, for make bench.\n` + json.replace(/^( {4})"(groups|tagOwners|hosts|ipsets|postures|defaultSrcPosture|grants|acls)":/gm, `$1// The $2.\n$1"$2":`);
}

/** Queries the benchmark asks, drawn from the tailnet. */
function reachQueries(t, count, seed = 3) {
  const r = prng(seed);
  const { devices } = t;
  return Array.from({ length: count }, () => {
    const src = r.pick(devices).nodeId;
    const to = r.pick(devices);
    const k = r.below(20);
    const dst = k < 10 ? to.nodeId : k < 18 ? to.addresses[0] : k === 18 ? `10.${r.below(20)}.${r.below(255)}.${1 + r.below(250)}` : "8.8.4.4";
    return { src, dst, proto: r.pick(["tcp", "tcp", "udp", "icmp"]), port: r.pick([22, 443, 53, 85, 5432, 8443]) };
  });
}

/** The median of `runs` runs of `f` after one warm-up, in ms, and its last value; `free`
 *  releases each value but the last (a model's wasm memory), outside the timed part. Each run
 *  starts on a collected heap (with `--expose-gc`, as make bench runs): what a run costs, not
 *  collecting what the runs before it and the rest of this script left (the generated tailnet
 *  alone holds tens of MB of JS objects, which every full collection walks). */
function timed(runs, f, free = () => {}) {
  let value = f();
  const times = [];
  for (let i = 0; i < runs; i++) {
    free(value);
    globalThis.gc?.();
    const t = performance.now();
    value = f();
    times.push(performance.now() - t);
  }
  return { ms: median(times), value };
}

export async function accessFigures(root, { devices: n = 10_000, rules = 1000 } = {}) {
  const require = createRequire(join(root, "tests/js/"));
  const { AccessModel } = require("tailscale-wasm/policy");
  const pkg = dirname(require.resolve("tailscale-wasm/package.json"));
  const gz = (f) => gzipSync(readFileSync(join(pkg, f)), { level: 9 }).length;
  const t = generateTailnet(n);
  const base = generatePolicy(t, rules, 11, 0);
  const edited = generatePolicy(t, rules, 11, 2);
  const input = (policy) => ({ policy, devices: t.devices, users: t.users, attributes: t.attributes });
  const grants = (base.match(/"ip": \[/g) ?? []).length;
  const out = { devices: n, rules, grants, acls: rules - grants, policyBytes: base.length, tags: t.devices.filter((d) => d.tags).length, withAttributes: Object.keys(t.attributes).length };

  // Building: the JS objects read into the model, the file parsed and compiled, every selector
  // resolved. Each run's model is freed before the next.
  const release = (m) => m.free();
  const build = timed(5, () => AccessModel.build(input(base)), release);
  const model = build.value;
  out.build = build.ms;
  out.issues = model.issues.length;
  out.warnings = model.warnings.length;
  if (out.issues) console.log(`access: the generated policy has issues: ${JSON.stringify(model.issues.slice(0, 3))}`);
  const other = timed(3, () => model.withPolicy(edited), release);
  out.withPolicy = other.ms;

  // One reach: many queries in a loop, the mean per call; the median of five loops.
  const queries = reachQueries(t, 20_000);
  const loops = [];
  let accepted = 0;
  for (let k = 0; k < 6; k++) {
    accepted = 0;
    const t0 = performance.now();
    for (const q of queries) if (model.reach(q).verdict === "accept") accepted++;
    if (k > 0) loops.push(((performance.now() - t0) * 1000) / queries.length);
  }
  out.reach = { us: median(loops), queries: queries.length, accepted };

  // whoCanReach for one destination and port: a tagged device, a user's device, an address
  // behind a subnet router and one on the internet (through the exit nodes).
  const tagged = t.devices.find((d, i) => i > 100 && d.tags?.[0]?.startsWith("tag:t"));
  const personal = t.devices.find((d, i) => i > 5000 && !d.tags && !d.isExternal);
  // An address in the first of the file's hosts that is a range behind an approved route.
  const hosts = JSON.parse(base.replace(/^\s*\/\/.*$/gm, "")).hosts;
  const behind = Object.values(hosts).find((h) => h.endsWith(".0/24")).replace(/\.0\/24$/, ".9");
  out.who = [
    { label: `a tagged device (${tagged.tags[0]}), tcp:443`, query: { dst: tagged.nodeId, proto: "tcp", port: 443 } },
    { label: "a user's device, tcp:22", query: { dst: personal.nodeId, proto: "tcp", port: 22 } },
    { label: `${behind} behind a subnet router (a host of the file), tcp:22`, query: { dst: behind, proto: "tcp", port: 22 } },
    { label: "8.8.4.4 through the exit nodes, tcp:443", query: { dst: "8.8.4.4", proto: "tcp", port: 443 } },
  ].map(({ label, query }) => {
    const { ms, value } = timed(7, () => model.whoCanReach(query));
    const count = (v) => value.filter((w) => w.verdict === v).length;
    return { label, ms, accept: count("accept"), indeterminate: count("indeterminate"), drop: count("drop") };
  });

  // diff of two such policies: the base against the same file with ten rules' ports edited.
  const diff = timed(3, () => AccessModel.diff(model, other.value));
  out.diff = { ms: diff.ms, changes: diff.value.length, sources: diff.value.reduce((s, c) => s + c.src.length, 0) };
  out.same = timed(3, () => AccessModel.diff(model, model)).ms;
  other.value.free();
  model.free();

  // The policy module's payload: its wasm and its glue as a browser loads them, gzip -9.
  out.payload = { wasm: gz("dist/web/tailscale_wasm_policy_bg.wasm"), glue: gz("dist/web/tailscale_wasm_policy.js"), core: gz("dist/web/tailscale_wasm_bg.wasm") };
  return out;
}

export function accessSection(f) {
  if (!f) return [];
  const ms = (n) => `${n.toFixed(1)} ms`;
  const ok = (good) => (good ? "met" : "**missed**");
  const worst = Math.max(...f.who.map((w) => w.ms));
  return [
    "## Who can reach what: the access engine",
    "",
    `\`AccessModel\` in Node ${process.version} with the packed package, over a generated tailnet (\`scripts/bench/access.mjs\`, seeded): ${f.devices.toLocaleString("en")} devices as \`devices.list({ fields: "all" })\` returns them (${f.tags.toLocaleString("en")} tagged, 20 subnet routers, 4 exit nodes, 5 shared in), their users with roles, posture attributes for ${f.withAttributes.toLocaleString("en")} of them, and a ${(f.policyBytes / 1024).toFixed(0)} KB HuJSON policy of ${f.rules.toLocaleString("en")} rules (${f.grants} grants, ${f.acls} acls) over groups, tags with their owners, hosts, IP sets, four postures, \`srcPosture\` on a fifth of the rules and \`defaultSrcPosture\` on the rest. The model has ${f.issues} issues and ${f.warnings} warnings. Medians: of 5 builds, of 5 loops of ${f.reach.queries.toLocaleString("en")} reach queries (the mean per call), of 7 runs of each whoCanReach, of 3 diffs; each after a warm-up run, and each build, whoCanReach and diff on a collected heap (\`gc()\` before it, untimed).`,
    "",
    "| measure | this package | target |",
    "|---|---:|---|",
    `| \`AccessModel.build\` (the devices, users and attributes read from JS, the file parsed and compiled) | ${ms(f.build)} | ≤ 250 ms: ${ok(f.build <= 250)} |`,
    `| one \`reach\` after building (${f.reach.accepted.toLocaleString("en")} of ${f.reach.queries.toLocaleString("en")} random queries accepted) | ${f.reach.us.toFixed(1)} µs | ≤ 20 µs: ${ok(f.reach.us <= 20)} |`,
    ...f.who.map((w) => `| \`whoCanReach\`, ${w.label}: ${w.accept.toLocaleString("en")} accept, ${w.indeterminate.toLocaleString("en")} indeterminate, ${w.drop.toLocaleString("en")} stopped by a posture | ${ms(w.ms)} | ≤ 20 ms: ${ok(w.ms <= 20)} |`),
    `| \`AccessModel.diff\` of the file and the same with ten rules' ports edited: ${f.diff.changes.toLocaleString("en")} changes, ${f.diff.sources.toLocaleString("en")} sources in all | ${ms(f.diff.ms)} | ≤ 1 s: ${ok(f.diff.ms <= 1000)} |`,
    `| \`AccessModel.diff\` of a model against itself | ${ms(f.same)} | reported |`,
    `| \`model.withPolicy\` (the same tailnet under the edited file) | ${ms(f.withPolicy)} | reported |`,
    "",
    `whoCanReach's worst: ${ms(worst)}. The policy module a browser loads on first use: ${f.payload.wasm.toLocaleString("en")} B of wasm and ${f.payload.glue.toLocaleString("en")} B of glue, gzip -9 (the core's wasm: ${f.payload.core.toLocaleString("en")} B); what the engine itself adds to it is measured in the notes ("Fourth round: what each capability costs").`,
    "",
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const f = await accessFigures(root);
  console.log(JSON.stringify(f, null, 1));
  console.log(accessSection(f).join("\n"));
}
