// Who can reach what in a tailnet, from its policy file, its devices, its users and their
// posture attributes: an access evaluator in plain JS, written from Tailscale's docs
// (kb/1324 grants, kb/1337 policy syntax, kb/1396 targets, kb/1387 IP sets, route injection,
// device posture) and the research notes beside this repository (shared/notes/ACCESS.md,
// research/captures/semantics.md: what the packet filters SaaS delivered show). It never calls
// the package: it is the independent side of the package's access engine tests.
//
//   const model = createAccessEvaluator({ policy, devices, users, attributes });
//   model.reach({ src, dst, proto: "tcp", port: 443 })
//     // -> { verdict: "accept" | "drop" | "indeterminate", rules, blockedBy?, reason? }
//   model.whoCanReach({ dst, proto, port })  // -> [{ device: { nodeId, name }, rules }]
//   model.runTests(tests?)                   // -> { failed: [{ user, errors }], warnings: [...] }
//   model.issues                             // what /acl/validate refuses, in SaaS's words
//
// What it models:
// - Rules are a union with no order and no deny; `grants` and `acls` add up; a grant without
//   `ip` (app only) opens no packets.
// - Sources resolve to addresses, as the delivered filters do: users, groups and
//   autogroup:member to untagged devices (a tagged device belongs to its tags, whatever its
//   `user`), tags to the devices carrying them, `*` to the tailnet's ranges (less ChromeOS's
//   100.115.92.0/23) plus every approved subnet route, danger-all to every address, hosts, IPs,
//   CIDRs and `ipset:`s (add/remove, in order) to themselves. A device matches by its address of
//   the destination's family (an IPv4 source never reaches an IPv6 destination).
// - Destinations: a device's own address; an address no device has, through the routers whose
//   approved (`enabledRoutes`) route covers it with the longest prefix, else through any
//   approved exit node; an exit node takes a rule's prefix only if it lies inside
//   autogroup:internet or touches the node's own addresses or routes (so `*` reaches private
//   addresses through an exit node, autogroup:internet does not). HA routers: any one admitting
//   is enough. autogroup:self admits the source's own untagged devices.
// - Protocols as wgengine/filter checks them on the receiving node: TCP, UDP and SCTP by
//   protocol and port; ICMP (1, or 58 for IPv6) wherever any rule admits the source to the
//   address, whatever its ports; other protocols only through a rule open on every port.
//   Multicast and link-local destinations never.
// - Postures: a rule's `srcPosture` (any listed posture admits), else `defaultSrcPosture`; an
//   empty `srcPosture: []` counts as absent, so the default applies (the docs are silent; the
//   package's engine reads it so too, and the README says so).
//   Devices behind subnet routers and shared-in devices are exempt (docs). A device with no entry
//   in `attributes` makes a posture-gated verdict indeterminate; a key missing from an entry is
//   unset.
// - Roles from `users` (autogroup:admin is admins and the owner, as SaaS resolved it in capture
//   nodeattrs-target-a10; owner, it-admin, network-admin, billing-admin, auditor are exact);
//   without `users`, role autogroups are indeterminate. A login `users` does not list is a member.
//
// Where the docs are silent (ACCESS.md's UNKNOWNs), answered as the research recommends:
// - `via` grants: indeterminate when they would decide (the captures suggest how subnet
//   `via` works but not exit nodes, nor a `via` grant beside a plain one).
// - SCIM groups (`group:x@domain`, not defined in the file): membership unknown, indeterminate.
// - `svc:` destinations: their addresses are unknown, indeterminate.
// - autogroup:shared: the devices of shared users, shown as shared-in (`isExternal`) devices.
//   Such devices are matched by `*`, their login and autogroup:shared, never by
//   autogroup:member; as destinations they are judged by this file (their own tailnet's file,
//   which also applies, is out of sight).
// - An address in the tailnet's range that no device has: judged by the rules alone (SaaS's
//   tests pass for one, capture policytest-…-host-alias-non-topology-dst).
// - A device reaching itself is judged by the rules like any other pair.
// - `user:*@domain`: members whose login is in that domain (the tailnet's associated domains are
//   not in the API, so any domain is taken).

import { parseHujson } from "./hujson.mjs";
import { parseCondition, conditionReason } from "./posture.mjs";
import * as ip from "./ip.mjs";
import { compileRules, protocolNumber, selectorKind, loginOf } from "./rules.mjs";
import { policyIssues } from "./refusals.mjs";
import { runPolicyTests } from "./access-tests.mjs";

// Three-valued answers: a rule admits, does not, or depends on what the model was not given.
export const NO = 0;
export const MAYBE = 1;
export const YES = 2;
const and = (...xs) => Math.min(...xs);
const or = (...xs) => Math.max(NO, ...xs);

const PORTED = new Set([6, 17, 132]);
const ICMP = new Set([1, 58]);
const ROLE_AUTOGROUPS = { "autogroup:owner": ["owner"], "autogroup:admin": ["admin", "owner"], "autogroup:it-admin": ["it-admin"], "autogroup:network-admin": ["network-admin"], "autogroup:billing-admin": ["billing-admin"], "autogroup:auditor": ["auditor"] };

/** An evaluator over one snapshot of a tailnet. `policy` is the file's text (HuJSON, which
 *  gives rules their lines) or its parsed value. */
export function createAccessEvaluator({ policy, devices = [], users, attributes = {} } = {}) {
  if (typeof policy !== "string" && (policy === null || typeof policy !== "object" || Array.isArray(policy))) throw new TypeError("policy must be the file's text or its parsed object");
  if (!Array.isArray(devices)) throw new TypeError("devices must be an array");
  if (users !== undefined && !Array.isArray(users)) throw new TypeError("users must be an array");
  const parsed = typeof policy === "string" ? parseHujson(policy) : { value: policy };
  const file = parsed.value;
  const rules = compileRules(file, { root: parsed.root, text: typeof policy === "string" ? policy : undefined });
  const world = createWorld(file, devices, users, attributes);
  const ev = createEvaluation(world, rules, file);
  const model = {
    rules,
    get issues() {
      return policyIssues(file);
    },
    reach: (q) => ev.reach(q),
    whoCanReach: (q) => ev.whoCanReach(q),
    runTests: (tests = file.tests ?? []) => runPolicyTests(ev, tests),
  };
  return model;
}

// ---- the tailnet: devices, users, names --------------------------------------------------

/** Devices, users and the file's names, and what each selector stands for. */
function createWorld(file, devices, users, attributes) {
  const nodes = devices.map((d) => toNode(d, attributes));
  const usersByLogin = new Map((users ?? []).map((u) => [u.loginName, u]));
  const groups = isMap(file.groups) ? file.groups : {};
  const hosts = isMap(file.hosts) ? file.hosts : {};
  const ipsets = isMap(file.ipsets) ? file.ipsets : {};
  const routes = nodes.flatMap((n) => n.routes);

  const userOf = (login) => usersByLogin.get(login);
  const typeOf = (p) => (p.external ? "shared" : userOf(p.user)?.type ?? "member");
  const isMember = (p) => p.tags.length === 0 && !p.external && typeOf(p) !== "shared";

  /** Whether principal `p` (a device or a stand-in for one) is what `sel` names, by identity. */
  function identity(name, p) {
    if (p.addressOnly) return NO;
    // The legacy spelling (kb/1396) means the same.
    const sel = name === "autogroup:members" ? "autogroup:member" : name;
    const untagged = p.tags.length === 0;
    if (sel === "*" || sel === "autogroup:danger-all") return YES;
    if (sel === "autogroup:member") return isMember(p) ? YES : NO;
    if (sel === "autogroup:tagged") return untagged ? NO : YES;
    if (sel === "autogroup:shared") return untagged && (p.external || typeOf(p) === "shared") ? YES : NO;
    if (ROLE_AUTOGROUPS[sel]) {
      if (!isMember(p)) return NO;
      if (users === undefined) return MAYBE;
      return ROLE_AUTOGROUPS[sel].includes(userOf(p.user)?.role ?? "member") ? YES : NO;
    }
    const kind = selectorKind(sel);
    if (kind === "tag") return p.tags.includes(sel) ? YES : NO;
    if (kind === "group") {
      if (!untagged) return NO;
      if (Object.hasOwn(groups, sel)) return (Array.isArray(groups[sel]) ? groups[sel] : []).some((m) => typeof m === "string" && memberMatches(m, p)) ? YES : NO;
      // A SCIM-synced group is spelled group:name@domain and lives outside the file.
      return sel.includes("@") && !p.external ? MAYBE : NO;
    }
    if (kind === "domain") return isMember(p) && p.user?.endsWith(sel.slice("user:*".length)) ? YES : NO;
    if (kind === "user") return untagged && p.user === loginOf(sel) ? YES : NO;
    return NO;
  }

  const memberMatches = (m, p) => (m.startsWith("user:*@") ? isMember(p) && p.user?.endsWith(m.slice(6)) : p.user === loginOf(m));

  /** The address ranges a name stands for in a rule (`side`: "src" or "dst"): `{ sure, maybe }`,
   *  each a list of prefixes (kept apart: an exit node takes or leaves each one whole). */
  const cache = new Map();
  function addressesOf(sel, side) {
    const key = `${side} ${sel}`;
    if (!cache.has(key)) cache.set(key, resolve(sel, side));
    return cache.get(key);
  }
  function resolve(sel, side) {
    const prefixes = (set) => set.flatMap(ip.toPrefixes);
    if (sel === "*") return { sure: side === "src" ? [...prefixes(ip.STAR_SOURCES), ...routes] : ip.EVERYTHING, maybe: [] };
    if (sel === "autogroup:danger-all") return { sure: ip.EVERYTHING, maybe: [] };
    if (sel === "autogroup:internet") return { sure: prefixes(ip.INTERNET), maybe: [] };
    const kind = selectorKind(sel);
    if (kind === "ipset") return { sure: prefixes(ipsetRanges(sel, [])), maybe: [] };
    if (kind === "host" || kind === "alias" || kind === "address") {
      const r = addressRange(sel);
      return { sure: r ? prefixes([r]) : [], maybe: [] };
    }
    const sure = [];
    const maybe = [];
    for (const n of nodes) {
      const m = identity(sel, n);
      if (m === YES) sure.push(...n.addrs.map(ip.single));
      if (m === MAYBE) maybe.push(...n.addrs.map(ip.single));
    }
    return { sure, maybe };
  }

  /** A host alias (`name` or `host:name`), an IP or a CIDR -> its range, or null. */
  function addressRange(sel) {
    const name = sel.startsWith("host:") ? sel.slice(5) : sel;
    if (Object.hasOwn(hosts, name) && typeof hosts[name] === "string") return ip.parseRange(hosts[name]);
    return ip.parseRange(sel);
  }

  /** An IP set's ranges: its entries in order, each `add` (the default) or `remove` of an IP,
   *  CIDR, host, autogroup:internet or another IP set (Tailscale's blog, Jul 2024: "Operations
   *  are evaluated in-order"). A cycle or an unknown entry adds nothing (the checks refuse it). */
  function ipsetRanges(name, seen) {
    if (seen.includes(name) || !Array.isArray(ipsets[name])) return [];
    let set = [];
    for (const entry of ipsets[name]) {
      if (typeof entry !== "string") continue;
      const m = /^(add|remove)\s+(.+)$/.exec(entry.trim());
      const [op, target] = m ? [m[1], m[2].trim()] : ["add", entry.trim()];
      let ranges;
      if (target === "autogroup:internet") ranges = ip.INTERNET;
      else if (target.startsWith("ipset:")) ranges = ipsetRanges(target, [...seen, name]);
      else ranges = [addressRange(target)].filter(Boolean);
      set = op === "add" ? ip.union(set, ranges) : ip.subtract(set, ranges);
    }
    return set;
  }

  const deviceByAddress = (a) => nodes.find((n) => n.addrs.some((x) => x.v === a.v && x.n === a.n));
  const deviceById = (id) => nodes.find((n) => n.nodeId === id);
  /** Devices a name stands for by identity (tests resolve their sources and destinations so). */
  const devicesNamed = (sel) => nodes.filter((n) => identity(sel, n) === YES);

  return { nodes, groups, hosts, ipsets, usersByLogin, users, identity, addressesOf, addressRange, ipsetRanges, deviceByAddress, deviceById, devicesNamed, isMember };
}

const isMap = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** A device as the evaluator sees it: addresses, tags, owner, approved routes, attributes. */
function toNode(d, attributes) {
  const enabled = (Array.isArray(d.enabledRoutes) ? d.enabledRoutes : []).map(ip.parsePrefix).filter(Boolean);
  return {
    nodeId: d.nodeId,
    name: d.name,
    ref: { nodeId: d.nodeId, name: d.name },
    addrs: (d.addresses ?? []).map(ip.parseAddress).filter(Boolean),
    tags: Array.isArray(d.tags) ? d.tags : [],
    user: d.user,
    external: d.isExternal === true,
    routes: enabled.filter((r) => !ip.isExitRoute(r)),
    exit: { 4: enabled.some((r) => r.v === 4 && ip.isExitRoute(r)), 6: enabled.some((r) => r.v === 6 && ip.isExitRoute(r)) },
    // Absent: not given, so a posture on this device is unknown.
    attributes: Object.hasOwn(attributes, d.nodeId) ? attributes[d.nodeId] : undefined,
  };
}

// ---- evaluation --------------------------------------------------------------------------

function createEvaluation(world, rules, file) {
  const postures = isMap(file.postures) ? file.postures : {};

  /** Whether the rule's gate admits principal `p`: `{ ok, failed }` (failed conditions, in
   *  words, when it does not). */
  function postureGate(rule, p) {
    const gate = Array.isArray(rule.srcPosture) && rule.srcPosture.length > 0 ? rule.srcPosture : Array.isArray(file.defaultSrcPosture) ? file.defaultSrcPosture : [];
    if (gate.length === 0 || p.addressOnly || p.external) return { ok: YES, failed: [] };
    if (p.attributes === undefined) return { ok: MAYBE, failed: [], reason: `the posture attributes of ${p.ref?.name ?? "the source"} were not given` };
    const failed = [];
    for (const name of gate) {
      const conditions = Array.isArray(postures[name]) ? postures[name] : null;
      if (!conditions) {
        failed.push({ posture: name, condition: null, reason: `${name} is not defined` });
        continue;
      }
      const reasons = conditions.map((c) => ({ posture: name, condition: c, reason: safeReason(c, p.attributes) })).filter((r) => r.reason !== null);
      if (reasons.length === 0) return { ok: YES, failed: [] };
      failed.push(...reasons);
    }
    return { ok: NO, failed };
  }

  /** Whether the rule's sources hold principal `p` sending from `a` (its address of the
   *  destination's family; none for a stand-in device of a test). */
  function srcMatch(rule, p, a) {
    return or(...rule.src.map((sel) => selectorHolds(sel, "src", p, a)));
  }

  function selectorHolds(sel, side, p, a) {
    if (sel === "autogroup:self") return NO;
    if (a) {
      const { sure, maybe } = world.addressesOf(sel, side);
      return ip.contains(sure, a) ? YES : ip.contains(maybe, a) ? MAYBE : NO;
    }
    // A stand-in device has no address: names match by identity, address ranges only if they
    // hold the whole tailnet (its address, whatever it is, is in there).
    const kind = selectorKind(sel);
    if (["ipset", "host", "alias", "address"].includes(kind) || sel === "autogroup:internet") {
      return ip.covers(ip.normalize(world.addressesOf(sel, side).sure), ip.TAILNET.filter((r) => r.v === 4)) ? YES : NO;
    }
    return world.identity(sel, p);
  }

  /** The addresses `autogroup:self` opens to principal `p`: its user's untagged devices. */
  function selfAddresses(p) {
    if (p.addressOnly || p.tags.length || !p.user) return [];
    return world.nodes.filter((n) => n.tags.length === 0 && n.user === p.user).flatMap((n) => n.addrs.map(ip.single));
  }

  /** Whether protocol `proto` to `port` passes a rule target (client-side semantics). */
  function fits(target, proto, port) {
    if (ICMP.has(proto)) return true;
    if (PORTED.has(proto)) return target.protos.includes(proto) && target.ranges.some(([lo, hi]) => port >= lo && port <= hi);
    return target.protos.includes(proto) && target.ranges.some(([lo, hi]) => lo === 0 && hi === 65535);
  }

  /** The prefixes a rule target opens at `receiver` for source `p`: `{ sure, maybe }`. */
  function opened(target, p, receiver) {
    if (target.selector === "autogroup:self") return { sure: selfAddresses(p), maybe: [] };
    const { sure, maybe } = world.addressesOf(target.selector, "dst");
    const keep = (prefixes) => prefixes.filter((pre) => delivered(pre, receiver));
    return { sure: keep(sure), maybe: keep(maybe) };
  }

  /** Whether a rule's destination prefix reaches `receiver`'s filter: everywhere but at an exit
   *  node, which takes it only inside autogroup:internet or touching its own addresses or routes. */
  function delivered(prefix, receiver) {
    if (!receiver?.exit) return true;
    const n = receiver.node;
    return ip.covers(ip.INTERNET, [prefix]) || ip.overlaps([prefix], n.addrs.map(ip.single)) || ip.overlaps([prefix], n.routes);
  }

  /** How far a rule's targets cover destination `dst` at `receiver`: for an address, YES, MAYBE
   *  or NO; for a stand-in device (no address), by identity. */
  function dstMatch(rule, p, dst, receiver, proto, port) {
    let best = NO;
    for (const t of rule.targets) {
      if (!fits(t, proto, port)) continue;
      if (dst.standIn) {
        if (t.selector === "autogroup:self") best = or(best, p.user && !p.tags.length && dst.standIn.user === p.user && !dst.standIn.tags.length ? YES : NO);
        else best = or(best, selectorHolds(t.selector, "dst", dst.standIn, null));
        continue;
      }
      const { sure, maybe } = opened(t, p, receiver);
      best = or(best, ip.contains(sure, dst.addr) ? YES : ip.contains(maybe, dst.addr) ? MAYBE : NO);
    }
    return best;
  }

  /** One rule's answer for a packet: `{ admit, blocked?, reason? }`. */
  function judge(rule, p, srcAddr, dst, receiver, proto, port) {
    const dstOk = dstMatch(rule, p, dst, receiver, proto, port);
    if (dstOk === NO) return { admit: NO };
    const srcOk = srcMatch(rule, p, srcAddr);
    if (srcOk === NO) return { admit: NO };
    const gate = postureGate(rule, p);
    const reasons = [];
    if (srcOk === MAYBE || dstOk === MAYBE) reasons.push(`${ruleName(rule)} names a group or role whose members are not known`);
    if (rule.via) reasons.push(`${ruleName(rule)} is routed via ${rule.via.join(", ")}, which the model does not follow`);
    if (gate.ok === MAYBE) reasons.push(gate.reason);
    if (gate.ok === NO) return { admit: NO, blocked: srcOk === YES && dstOk === YES && !rule.via ? gate.failed : undefined };
    return { admit: and(srcOk, dstOk, rule.via ? MAYBE : YES, gate.ok), reason: reasons.join("; ") || undefined };
  }

  /** Every rule at every receiver, folded into a verdict. */
  function verdictAt(p, srcAddr, dst, receivers, proto, port) {
    const admitting = new Map();
    const blocked = new Map();
    const unknown = [];
    for (const receiver of receivers) {
      for (const rule of rules) {
        const j = judge(rule, p, srcAddr, dst, receiver, proto, port);
        if (j.admit === YES) admitting.set(rule, refOf(rule));
        else if (j.admit === MAYBE) unknown.push(j.reason);
        else if (j.blocked) blocked.set(rule, { ...refOf(rule), failed: j.blocked });
      }
    }
    if (admitting.size) return { verdict: "accept", rules: sortRefs([...admitting.values()]) };
    const out = { verdict: unknown.length ? "indeterminate" : "drop", rules: [] };
    if (blocked.size) out.blockedBy = sortRefs([...blocked.values()]);
    if (unknown.length) out.reason = [...new Set(unknown)].join("; ");
    return out;
  }

  /** Who receives a packet for address `a`: its device; else (in the tailnet's range) the rules
   *  alone; else the routers with the longest approved route holding it; else exit nodes. */
  function receiversFor(a) {
    const owner = world.deviceByAddress(a);
    if (owner) return [{ node: owner, exit: false }];
    if (ip.contains(ip.TAILNET, a)) return [{ node: null, exit: false }];
    let best = -1n;
    let routers = [];
    for (const n of world.nodes) {
      for (const r of n.routes) {
        if (r.v !== a.v || a.n < r.lo || a.n > r.hi) continue;
        const size = r.hi - r.lo;
        if (best < 0n || size < best) [best, routers] = [size, [n]];
        else if (size === best && !routers.includes(n)) routers.push(n);
      }
    }
    if (routers.length) return routers.map((node) => ({ node, exit: false }));
    return world.nodes.filter((n) => n.exit[a.v]).map((node) => ({ node, exit: true }));
  }

  /** The verdict for principal `p` to address `a`, `proto`/`port`. */
  function toAddress(p, a, proto, port) {
    if (ip.contains(ip.NEVER, a)) return { verdict: "drop", rules: [], reason: `${ip.formatAddress(a)} is multicast or link-local` };
    const srcAddr = p.standIn ? null : p.addrs.find((x) => x.v === a.v);
    if (!p.standIn && !srcAddr) return { verdict: "drop", rules: [], reason: `the source has no IPv${a.v} address` };
    // An exit node's own traffic to the internet leaves by its own uplink, not through itself:
    // no policy rule decides it (the package's engine answers "no route" likewise).
    const receivers = receiversFor(a).filter((r) => !(r.exit && r.node === p));
    if (!receivers.length) return { verdict: "drop", rules: [], reason: `no device, approved route or exit node takes ${ip.formatAddress(a)}` };
    const q = ICMP.has(proto) ? (a.v === 6 ? 58 : 1) : proto;
    return verdictAt(p, srcAddr, { addr: a }, receivers, q, port);
  }

  /** The verdict to a stand-in device (a test destination no real device matches). */
  function toStandIn(p, standIn, proto, port) {
    const srcAddr = p.standIn ? null : p.addrs.find((x) => x.v === 4) ?? p.addrs[0];
    return verdictAt(p, srcAddr, { standIn }, [{ node: null, exit: false }], proto, port);
  }

  /** The verdict from `p` to device `n`: accepted on either address family. */
  function toDevice(p, n, proto, port) {
    const answers = n.addrs.filter((a) => p.standIn || p.addrs.some((x) => x.v === a.v)).map((a) => toAddress(p, a, proto, port));
    if (!answers.length) return { verdict: "drop", rules: [], reason: "the source and destination share no address family" };
    return answers.find((v) => v.verdict === "accept") ?? answers.find((v) => v.verdict === "indeterminate") ?? mergeDrops(answers);
  }

  // ---- the public questions --------------------------------------------------------------

  function principalFor(src) {
    const node = typeof src === "object" && src !== null ? world.deviceById(src.nodeId) : world.deviceById(src);
    if (node) return node;
    const a = ip.parseAddress(src);
    if (!a) throw new TypeError(`src must be a device's nodeId or an address: ${JSON.stringify(src)}`);
    return world.deviceByAddress(a) ?? addressPrincipal(a);
  }

  function reach({ src, dst, proto = "tcp", port } = {}) {
    const p = protocolNumber(proto);
    if (p === null) throw new TypeError(`proto must be tcp, udp, icmp or a protocol number: ${JSON.stringify(proto)}`);
    if (PORTED.has(p) && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new TypeError(`port must be an integer from 0 to 65535: ${JSON.stringify(port)}`);
    const from = principalFor(src);
    if (typeof dst === "string" && dst.startsWith("svc:")) return { verdict: "indeterminate", rules: [], reason: `${dst} is a Tailscale Service, whose addresses the model does not know` };
    const node = typeof dst === "object" && dst !== null ? world.deviceById(dst.nodeId) : world.deviceById(dst);
    if (node) return toDevice(from, node, p, port ?? 0);
    const a = ip.parseAddress(dst);
    if (!a) throw new TypeError(`dst must be a device's nodeId or an address: ${JSON.stringify(dst)}`);
    return toAddress(from, a, p, port ?? 0);
  }

  function whoCanReach({ dst, proto = "tcp", port } = {}) {
    const target = typeof dst === "object" && dst !== null ? dst.nodeId : dst;
    const out = [];
    for (const n of world.nodes) {
      if (n.nodeId === target) continue;
      const v = reach({ src: n.nodeId, dst, proto, port });
      if (v.verdict === "accept") out.push({ device: n.ref, rules: v.rules });
    }
    return out;
  }

  return { world, rules, file, reach, whoCanReach, toAddress, toDevice, toStandIn, verdictAt, fits, opened, judge, receiversFor, selfAddresses, postureGate, srcMatch };
}

/** A source that is only an address: a host behind a subnet router, or the internet. */
export const addressPrincipal = (a) => ({ addrs: [a], tags: [], user: undefined, external: false, addressOnly: true, attributes: {} });

const refOf = (rule) => ({ section: rule.section, index: rule.index, line: rule.line });
const ruleName = (rule) => `${rule.section}[${rule.index}]`;
const sortRefs = (refs) => refs.sort((a, b) => (a.section === b.section ? a.index - b.index : a.section < b.section ? -1 : 1));

function mergeDrops(answers) {
  const blocked = answers.flatMap((v) => v.blockedBy ?? []);
  const out = { verdict: "drop", rules: [] };
  if (blocked.length) out.blockedBy = sortRefs([...new Map(blocked.map((b) => [`${b.section}${b.index}`, b])).values()]);
  const reasons = [...new Set(answers.map((v) => v.reason).filter(Boolean))];
  if (reasons.length) out.reason = reasons.join("; ");
  return out;
}

/** A condition's reason, or null when it holds; a condition that does not parse never holds. */
function safeReason(text, attributes) {
  try {
    return conditionReason(parseCondition(text), attributes);
  } catch {
    return `"${text}" does not parse`;
  }
}

