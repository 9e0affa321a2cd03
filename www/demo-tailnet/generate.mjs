// Seeded random small tailnets, for differential tests of the package's access engine against
// the demo's evaluator (./access.mjs): the same seed always gives the same tailnet.
//
//   import { generateTailnet, probesFor } from "./www/demo-tailnet/generate.mjs";
//   const t = generateTailnet(42);         // { seed, text, policy, devices, users, attributes }
//   const model = createAccessEvaluator(t); // or AccessModel.build(t) in the package
//   for (const q of probesFor(t)) compare(model.reach(q), engine.reach(q));
//
// Each tailnet has users of several roles (one owner; sometimes a shared user with a shared-in
// device; sometimes a member with no device), untagged and tagged devices, a subnet router with
// some routes approved and some not (sometimes a second router, HA or nested), an exit node
// (approved or not), host aliases, groups, IP sets (add/remove, nested, autogroup:internet),
// postures over node: and custom: attributes (a few devices' attributes left out, on request),
// `defaultSrcPosture` now and then, and acls and grants over every kind of selector, autogroups
// included. Only valid files come out: each is checked by the demo's own checks (policy.mjs and
// refusals.mjs) and generation throws if one is refused (a bug here, not a finding).
//
// Options: `devices` (a rough count, default 10), `missingAttributes` (leave some devices out of
// `attributes`, so postures on them are indeterminate; default false), `via` (add a grant with
// `via`, indeterminate by contract; default false), `tests` (a `tests` section whose verdicts the
// evaluator decides, so that the file passes; default true).

import { checkPolicy } from "./policy.mjs";
import { policyIssues } from "./refusals.mjs";
import { createAccessEvaluator } from "./access.mjs";
import * as ip from "./ip.mjs";

/** mulberry32: a small seeded PRNG, floats in [0, 1). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tools(random) {
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(random() * list.length)];
  const chance = (p) => random() < p;
  const some = (list, lo, hi) => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, Math.min(copy.length, int(lo, hi)));
  };
  return { int, pick, chance, some };
}

const TAGS = ["tag:web", "tag:db", "tag:ci", "tag:prod"];
const PORTS = ["*", "22", "80,443", "1000-2000", "53", "443", "8080-8090"];
const IP_ENTRIES = ["*", "tcp:443", "udp:53", "22", "80-443", "icmp:*", "tcp:1-1024", "sctp:9", "tcp:22", "udp:*"];
const VERSIONS = ["1.58.2", "1.60.0", "1.90.2", "1.9", "1.86.2"];

export function generateTailnet(seed, { devices: size = 10, missingAttributes = false, via = false, tests = true } = {}) {
  const r = tools(prng(seed));
  const users = makeUsers(r);
  const devices = makeDevices(r, users, size);
  const attributes = makeAttributes(r, devices, missingAttributes);
  const policy = makePolicy(r, users, devices, via);
  if (tests) policy.tests = makeTests(r, policy, devices, users);
  const refused = [...checkPolicy(policy), ...policyIssues(policy).map((i) => i.message)];
  if (refused.length) throw new Error(`generateTailnet(${seed}) made a file the checks refuse: ${refused.join("; ")}`);
  const text = `// A generated tailnet's policy (seed ${seed}).\n${JSON.stringify(policy, null, 2)}\n`;
  return { seed, text, policy: text, file: policy, devices, users, attributes };
}

// ---- users and devices -------------------------------------------------------------------

function makeUsers(r) {
  const user = (loginName, role, type = "member") => ({ id: `u${loginName.split("@")[0]}`, loginName, displayName: loginName.split("@")[0], role, type, status: "active", profilePicUrl: "", tailnetId: type === "shared" ? loginName.split("@")[1] : "example.com" });
  const out = [user("alice@example.com", "owner"), user("bob@example.com", r.pick(["admin", "network-admin"])), user("carol@example.org", "member"), user("dave@example.com", r.pick(["it-admin", "auditor", "member"]))];
  if (r.chance(0.5)) out.push(user("erin@example.org", r.pick(["member", "billing-admin", "admin"])));
  if (r.chance(0.6)) out.push(user("sam@partner.example", "member", "shared"));
  return out;
}

function makeDevices(r, users, size) {
  const devices = [];
  let n = 0;
  const add = (hostname, fields) => {
    n++;
    const d = {
      nodeId: `n${String(n).padStart(3, "0")}GEN`,
      id: String(1000 + n),
      name: `${hostname}.example-com.ts.net`,
      hostname,
      addresses: [`100.64.${Math.floor(n / 200)}.${(n % 200) + 1}`, `fd7a:115c:a1e0::${n.toString(16)}`],
      user: "alice@example.com",
      os: "linux",
      isExternal: false,
      advertisedRoutes: [],
      enabledRoutes: [],
      ...fields,
    };
    devices.push(d);
    return d;
  };
  const members = users.filter((u) => u.type === "member");
  // The last member sometimes has no device at all.
  const owners = r.chance(0.4) ? members.slice(0, -1) : members;
  for (const u of owners) for (let k = r.int(1, 2); k > 0; k--) add(`${u.displayName}-${k}`, { user: u.loginName, os: r.pick(["linux", "macOS", "windows"]) });
  const tagged = Math.max(2, size - devices.length - 3);
  for (let k = 1; k <= tagged; k++) add(`server-${k}`, { tags: r.some(TAGS, 1, 2) });
  const router = add("router-1", { tags: ["tag:router"], advertisedRoutes: ["10.0.0.0/16", "192.168.10.0/24", "10.9.0.0/24"] });
  router.enabledRoutes = r.some(router.advertisedRoutes, 1, 3);
  if (r.chance(0.5)) {
    // A second router: the same prefix (HA) or a broader one (nested).
    const route = r.pick(["10.0.0.0/16", "10.0.0.0/8"]);
    add("router-2", { tags: ["tag:router"], advertisedRoutes: [route], enabledRoutes: r.chance(0.8) ? [route] : [] });
  }
  add("exit-1", { tags: ["tag:exit"], advertisedRoutes: ["0.0.0.0/0", "::/0"], enabledRoutes: r.chance(0.6) ? ["0.0.0.0/0", "::/0"] : [] });
  const shared = users.find((u) => u.type === "shared");
  if (shared) {
    // A shared-in device keeps its own tailnet's address.
    devices.push({ nodeId: "nSHAREDGEN", id: "999", name: "sam-box.partner-example.ts.net", hostname: "sam-box", addresses: ["100.100.77.77", "fd7a:115c:a1e0::7777"], user: shared.loginName, os: "linux", isExternal: true, advertisedRoutes: [], enabledRoutes: [] });
  }
  return devices;
}

function makeAttributes(r, devices, missing) {
  const out = {};
  for (const d of devices) {
    if (missing && r.chance(0.2)) continue;
    const a = { "node:os": d.os === "macOS" ? "macos" : d.os, "node:tsVersion": r.pick(VERSIONS), "node:tsReleaseTrack": r.pick(["stable", "stable", "unstable"]) };
    if (r.chance(0.7)) a["custom:tier"] = r.int(1, 3);
    if (r.chance(0.3)) a["custom:flag"] = true;
    out[d.nodeId] = a;
  }
  return out;
}

// ---- the policy file ---------------------------------------------------------------------

function makePolicy(r, users, devices, via) {
  const logins = users.filter((u) => u.type === "member").map((u) => u.loginName);
  const tagged = devices.filter((d) => d.tags?.length && !d.tags.includes("tag:router") && !d.tags.includes("tag:exit"));
  const policy = {
    groups: { "group:eng": r.some(logins, 1, 3), "group:ops": r.some(logins, 1, 2) },
    tagOwners: Object.fromEntries([...TAGS, "tag:router", "tag:exit"].map((t) => [t, r.pick([["group:ops"], [], ["autogroup:admin"]])])),
    hosts: { "web-host": tagged[0].addresses[0], lab: "10.0.1.0/24", office: "192.168.10.0/24", far: "172.20.0.0/16", dns: "8.8.8.8", "web-v6": tagged.at(-1).addresses[1] },
    ipsets: {
      "ipset:lan": ["add 10.0.0.0/16", r.pick(["remove host:lab", "remove 10.0.2.0/24"])],
      "ipset:corp": ["add ipset:lan", "add host:office", "10.9.0.0/24"],
      "ipset:web": ["add autogroup:internet", "remove 8.8.8.0/24"],
    },
    postures: {
      "posture:tier": ["custom:tier >= 2"],
      "posture:latest": ["node:tsVersion >= '1.60'", "node:tsReleaseTrack == 'stable'"],
      "posture:desktop": ["node:os IN ['linux', 'macos']"],
      "posture:unflagged": ["custom:flag NOT SET"],
    },
  };
  if (r.chance(0.3)) policy.groups["group:empty"] = [];
  if (r.chance(0.25)) policy.defaultSrcPosture = [r.pick(["posture:desktop", "posture:unflagged"])];
  const names = { logins, groups: Object.keys(policy.groups), hosts: Object.keys(policy.hosts), postures: Object.keys(policy.postures) };
  policy.acls = Array.from({ length: r.int(1, 4) }, () => makeAcl(r, names));
  policy.grants = Array.from({ length: r.int(1, 5) }, () => makeGrant(r, names));
  if (via) policy.grants.push({ src: ["autogroup:member"], dst: ["ipset:lan"], ip: ["*"], via: ["tag:router"] });
  return policy;
}

/** Selectors valid as a source: every kind but autogroup:self and autogroup:internet. */
function srcPool(names) {
  return ["*", ...names.logins, ...names.groups, ...TAGS, "tag:router", "autogroup:member", "autogroup:tagged", "autogroup:admin", "autogroup:owner", "autogroup:it-admin", "autogroup:shared", "web-host", "office", "10.0.1.0/24", "100.64.0.0/16", "ipset:lan", "user:*@example.org"];
}

/** Sources that may go with autogroup:self (users, groups, member, roles; `*` in acls only). */
const selfPool = (names, acl) => [...names.logins, ...names.groups, "autogroup:member", "autogroup:admin", ...(acl ? ["*"] : [])];

function dstPool(names) {
  return ["*", ...names.logins, ...names.groups, ...TAGS, "tag:router", "tag:exit", "autogroup:member", "autogroup:tagged", "autogroup:internet", "autogroup:admin", "autogroup:owner", ...names.hosts, "10.0.0.0/8", "192.168.10.128/25", "100.64.0.0/24", "ipset:lan", "ipset:corp", "ipset:web"];
}

function withPosture(r, rule, names) {
  if (r.chance(0.3)) rule.srcPosture = r.some(names.postures, 1, 2);
  else if (r.chance(0.05)) rule.srcPosture = [];
  return rule;
}

function makeAcl(r, names) {
  const self = r.chance(0.15);
  const src = r.chance(0.03) ? ["autogroup:danger-all"] : r.some(self ? selfPool(names, true) : srcPool(names), 1, 2);
  // autogroup:danger-all is no source autogroup:self may go with (SaaS refuses it).
  const hosts = self && src[0] !== "autogroup:danger-all" ? ["autogroup:self", ...r.some(dstPool(names), 0, 1)] : r.some(dstPool(names), 1, 3);
  const rule = { action: "accept", src, dst: hosts.map((h) => `${h}:${r.pick(PORTS)}`) };
  if (r.chance(0.25)) rule.proto = r.pick(["tcp", "udp", "icmp", "17"]);
  return withPosture(r, rule, names);
}

function makeGrant(r, names) {
  const self = r.chance(0.15);
  const src = r.chance(0.05) ? ["autogroup:danger-all"] : r.some(self ? selfPool(names, false) : srcPool(names), 1, 2);
  const dst = self && src[0] !== "autogroup:danger-all" ? ["autogroup:self"] : r.some(dstPool(names), 1, 3);
  const rule = { src, dst, ip: r.some(IP_ENTRIES, 1, 3) };
  // Now and then an app capability beside ip, or instead (never with autogroup:internet).
  if (!dst.includes("autogroup:internet") && r.chance(0.1)) {
    rule.app = { "example.com/cap/dashboard": [{ role: "viewer" }] };
    if (r.chance(0.5)) delete rule.ip;
  }
  return withPosture(r, rule, names);
}

// ---- tests: entries whose verdicts the evaluator decides ---------------------------------

function makeTests(r, policy, devices, users) {
  const model = createAccessEvaluator({ policy, devices, users });
  const srcs = [...new Set([...users.filter((u) => u.type === "member").map((u) => u.loginName), ...TAGS.filter((t) => devices.some((d) => d.tags?.includes(t))), "group:eng", devices[0].addresses[0]])];
  const dsts = [...TAGS.filter((t) => devices.some((d) => d.tags?.includes(t))), ...users.filter((u) => u.type === "member").map((u) => u.loginName), "web-host", "lab", "dns", devices.at(-1).addresses[0]];
  const out = [];
  for (const src of r.some(srcs, 2, 4)) {
    const test = { src };
    if (r.chance(0.4)) test.srcPostureAttrs = { "custom:tier": r.int(1, 3), "node:os": r.pick(["linux", "windows"]), "node:tsVersion": r.pick(VERSIONS), "node:tsReleaseTrack": "stable" };
    if (r.chance(0.3)) test.proto = r.pick(["tcp", "udp"]);
    for (const host of r.some(dsts, 2, 4)) {
      const entry = `${host}:${r.pick(["22", "443", "53", "1500", "8085"])}`;
      const verdict = (field) => {
        const run = model.runTests([{ ...test, [field]: [entry] }]);
        return run.failed.length === 0 && run.warnings.length === 0;
      };
      if (verdict("accept")) (test.accept ??= []).push(entry);
      else if (verdict("deny")) (test.deny ??= []).push(entry);
    }
    if (test.accept || test.deny) out.push(test);
  }
  return out;
}

// ---- probes ------------------------------------------------------------------------------

/**
 * Questions to ask both engines about a tailnet: every ordered pair of devices on TCP and UDP at
 * every port boundary the rules name (first−1, first, last, last+1) and 0, 1, 65535, ICMP, SCTP
 * and GRE; addresses inside each advertised route; the internet and an unrouted private address
 * (through exit nodes); and hosts behind approved routes as sources. `{ src, dst, proto, port }`.
 */
export function probesFor({ file, policy, devices }) {
  const value = file ?? (typeof policy === "string" ? null : policy);
  const ports = new Set([0, 1, 65535]);
  const spans = (text) => text.split(",").flatMap((p) => (p === "*" ? [] : [p.split("-").map(Number)]));
  for (const a of value?.acls ?? []) for (const d of a.dst ?? []) for (const [lo, hi = lo] of spans(d.slice(d.lastIndexOf(":") + 1))) [lo - 1, lo, hi, hi + 1].forEach((p) => ports.add(p));
  for (const g of value?.grants ?? []) for (const e of g.ip ?? []) for (const [lo, hi = lo] of spans(e.includes(":") ? e.slice(e.indexOf(":") + 1) : e)) [lo - 1, lo, hi, hi + 1].forEach((p) => ports.add(p));
  const portList = [...ports].filter((p) => Number.isInteger(p) && p >= 0 && p <= 65535).sort((a, b) => a - b);
  const out = [];
  const ask = (src, dst) => {
    for (const port of portList) out.push({ src, dst, proto: "tcp", port }, { src, dst, proto: "udp", port });
    out.push({ src, dst, proto: "icmp", port: 0 }, { src, dst, proto: "sctp", port: 9 }, { src, dst, proto: 47, port: 0 });
  };
  for (const s of devices) for (const d of devices) if (s !== d) ask(s.nodeId, d.nodeId);
  const inside = (route, k) => {
    const p = ip.parsePrefix(route);
    return ip.formatAddress({ v: p.v, n: p.lo + BigInt(k) });
  };
  const routes = [...new Set(devices.flatMap((d) => d.advertisedRoutes ?? []).filter((x) => !/\/0$/.test(x)))];
  const outside = ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "192.168.254.1", "172.20.0.5"];
  for (const s of devices) {
    for (const route of routes) ask(s.nodeId, inside(route, 5));
    for (const address of outside) ask(s.nodeId, address);
  }
  const approved = [...new Set(devices.flatMap((d) => d.enabledRoutes ?? []).filter((x) => !/\/0$/.test(x)))];
  for (const route of approved) for (const d of devices) ask(inside(route, 9), d.nodeId);
  return out;
}
