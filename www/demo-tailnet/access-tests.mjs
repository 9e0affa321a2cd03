// The policy file's `tests`, run on the access evaluator (./access.mjs) as Tailscale SaaS runs
// them on `/acl/validate`, written from the docs (kb/1337 "tests") and
// research/tests/policytests.md (SaaS's verdicts on 57 recorded test files) in plain JS.
//
// What it models:
// - A test passes when every `accept` entry is accepted and every `deny` entry dropped; tests are
//   independent (no state shared between tests with the same src). A test with neither fails.
// - The source carries only the test's `srcPostureAttrs` (none when absent), never a real
//   device's attributes (tailscale#16688: `defaultSrcPosture` fails attribute-less tests).
// - `proto` omitted: the entry is accepted if TCP or UDP is (the docs' "either TCP or UDP";
//   SaaS's failure lines then say `(protocol "tcp")`); an explicit proto is honoured, `icmp`
//   ignoring the port.
// - Failure lines in SaaS's words (research/tests/validate-shape.md §3.1):
//   `[acl test error]: address "tag:prod:443" (protocol "tcp"): want: Accept, got: Drop`.
//   One `{ user: <src as written>, errors }` per failing test, in order.
//
// Where SaaS's behaviour is not known, the demo answers strictly and says so:
// - A source or destination naming several devices (a user's, a group's members', a tag's)
//   passes an `accept` only if every one is accepted and a `deny` only if every one is dropped
//   (headscale: "a partial allow is a fail").
// - A user, group member or tag with no device stands for one stand-in device of that identity,
//   matched by name (`*`, the login, its groups, autogroup:member, the tag) but by no address:
//   the docs' own examples test users that need not have devices.
// - A host alias naming a range, an `ipset:` and autogroup:internet as destinations stand for
//   every address in them (through the routers and exit nodes that carry them); a literal CIDR
//   fails (SaaS fails even `100.64.0.16/32:22`, capture …-prefix32-dst).
// - What the evaluator cannot decide (`via`, SCIM groups, `svc:`) is a warning
//   `indeterminate: …`, not a failure (validate-shape.md §5's suggestion).
// - Wording for malformed entries is the demo's own (SaaS's is unknown):
//   `[acl test error]: address "<entry>": <reason>`.

import * as ip from "./ip.mjs";
import { protocolNumber, selectorKind, loginOf } from "./rules.mjs";

const YES = 2;
const MAYBE = 1;
const NO = 0;
const and = (...xs) => Math.min(...xs);

/** `{ failed: [{ user, errors }], warnings: [{ user, warnings }] }` for `tests`. */
export function runPolicyTests(ev, tests) {
  const failed = [];
  const warnings = [];
  for (const t of Array.isArray(tests) ? tests : []) {
    const src = typeof t?.src === "string" ? t.src : typeof t?.user === "string" ? t.user : "";
    const { errors, notes } = runOne(ev, t ?? {}, src);
    if (errors.length) failed.push({ user: src, errors });
    if (notes.length) warnings.push({ user: src, warnings: notes });
  }
  return { failed, warnings };
}

function runOne(ev, t, src) {
  const errors = [];
  const notes = [];
  const accept = listOf(t.accept ?? t.allow);
  const deny = listOf(t.deny);
  if (src === "") errors.push("[acl test error]: the test has no src");
  if (!accept.length && !deny.length) errors.push("[acl test error]: the test has neither accept nor deny entries");
  const protoName = typeof t.proto === "string" && t.proto !== "" ? t.proto : typeof t.proto === "number" ? String(t.proto) : null;
  const proto = protoName === null ? null : protocolNumber(protoName);
  if (protoName !== null && proto === null) errors.push(`[acl test error]: proto "${protoName}" is not a protocol name or number`);
  if (errors.length) return { errors, notes };
  const attrs = t.srcPostureAttrs !== null && typeof t.srcPostureAttrs === "object" ? t.srcPostureAttrs : {};
  const sources = testSources(ev.world, src, attrs);
  for (const [entries, want] of [[accept, "accept"], [deny, "drop"]]) {
    for (const entry of entries) {
      const line = (text) => `[acl test error]: address "${entry}"${text}`;
      if (sources.error) {
        errors.push(line(`: src "${src}" ${sources.error}`));
        continue;
      }
      if (sources.unknown) {
        notes.push(`indeterminate: address "${entry}": ${sources.unknown}`);
        continue;
      }
      const d = parseTestDst(entry);
      if (d.error) {
        errors.push(line(`: ${d.error}`));
        continue;
      }
      const outcome = judgeEntry(ev, sources.principals, d, proto, protoName);
      if (outcome.error) errors.push(line(`: ${outcome.error}`));
      else if (outcome.unknown) notes.push(`indeterminate: address "${entry}": ${outcome.unknown}`);
      else if (want === "accept" && outcome.all !== YES) {
        if (outcome.all === NO) errors.push(line(` (protocol "${outcome.acceptProto}"): want: Accept, got: Drop`));
        else notes.push(`indeterminate: address "${entry}": ${outcome.reason}`);
      } else if (want === "drop" && outcome.any !== NO) {
        if (outcome.any === YES) errors.push(line(` (protocol "${outcome.denyProto}"): want: Drop, got: Accept`));
        else notes.push(`indeterminate: address "${entry}": ${outcome.reason}`);
      }
    }
  }
  return { errors, notes };
}

const listOf = (v) => (Array.isArray(v) ? v.filter((s) => typeof s === "string") : []);

/** A test's destination, `host:port` with one port from 0 to 65535 (`[v6]:port` for IPv6). */
function parseTestDst(entry) {
  const at = entry.lastIndexOf(":");
  const port = entry.slice(at + 1);
  if (at <= 0 || !/^[0-9]{1,5}$/.test(port) || Number(port) > 65535) return { error: "a test destination is host:port, with one port from 0 to 65535" };
  const host = entry.slice(0, at).replace(/^\[(.*)\]$/, "$1");
  if (host.includes("/")) return { error: "a test destination is one address, not a range (name it by a host, tag or user instead)" };
  if (host.includes("*")) return { error: "a test destination names one host, not a wildcard" };
  return { host, port: Number(port) };
}

// ---- sources and destinations ------------------------------------------------------------

const standIn = (fields, attributes, name) => ({ standIn: true, addrs: [], tags: [], user: undefined, external: false, ...fields, attributes, ref: { name } });
const withAttributes = (node, attributes) => ({ ...node, attributes });

/** The devices a test's `src` runs from: `{ principals }`, `{ error }` or `{ unknown }`. */
function testSources(world, src, attrs) {
  const kind = selectorKind(src);
  const user = (login) => {
    const own = world.nodes.filter((n) => !n.tags.length && n.user === login);
    return own.length ? own.map((n) => withAttributes(n, attrs)) : [standIn({ user: login }, attrs, login)];
  };
  if (kind === "address" || kind === "host" || kind === "alias") {
    const name = src.startsWith("host:") ? src.slice(5) : src;
    const text = kind === "address" ? src : Object.hasOwn(world.hosts, name) ? world.hosts[name] : null;
    if (text === null) return { error: "is not a user, group, tag, host or IP" };
    const r = ip.parseRange(text);
    if (!r) return { error: "is not an address" };
    if (r.lo !== r.hi) return { error: "names a range of addresses, not one source" };
    const a = { v: r.v, n: r.lo };
    const node = world.deviceByAddress(a);
    return { principals: [node ? withAttributes(node, attrs) : { addrs: [a], tags: [], user: undefined, external: false, addressOnly: true, attributes: attrs }] };
  }
  if (kind === "tag") {
    const tagged = world.nodes.filter((n) => n.tags.includes(src));
    return { principals: tagged.length ? tagged.map((n) => withAttributes(n, attrs)) : [standIn({ tags: [src] }, attrs, src)] };
  }
  if (kind === "user") return { principals: user(loginOf(src)) };
  if (kind === "group") {
    const members = groupMembers(world, src);
    return members.error || members.unknown ? members : { principals: members.logins.flatMap(user) };
  }
  if (kind === "domain" || ["autogroup:member", "autogroup:members", "autogroup:tagged", "autogroup:shared", "autogroup:admin", "autogroup:owner", "autogroup:it-admin", "autogroup:network-admin", "autogroup:billing-admin", "autogroup:auditor"].includes(src)) {
    const named = world.devicesNamed(src);
    return named.length ? { principals: named.map((n) => withAttributes(n, attrs)) } : { error: "names no device" };
  }
  return { error: "is not a user, group, tag, host or IP" };
}

/** A group's logins: `{ logins }`, or `{ error }` (undefined or empty), or `{ unknown }` (SCIM). */
function groupMembers(world, name) {
  if (!Object.hasOwn(world.groups, name)) return name.includes("@") ? { unknown: `${name} is synced by SCIM; its members are not known` } : { error: "is not a defined group" };
  const logins = (Array.isArray(world.groups[name]) ? world.groups[name] : []).filter((m) => typeof m === "string" && !m.startsWith("user:*@")).map(loginOf);
  return logins.length ? { logins } : { error: "has no members" };
}

/** What a destination host stands for, seen from source `p`: `{ targets }` (each `{ node }`,
 *  `{ addr }`, `{ standIn }` or `{ region }`), `{ error }` or `{ unknown }`. */
function testTargets(world, host, p) {
  const kind = selectorKind(host);
  const user = (login) => {
    const own = world.nodes.filter((n) => !n.tags.length && n.user === login);
    return own.length ? own.map((node) => ({ node })) : [{ standIn: standIn({ user: login }, {}, login) }];
  };
  if (kind === "address") {
    const a = ip.parseAddress(host);
    if (!a) return { error: "is not an address" };
    const node = world.deviceByAddress(a);
    return { targets: [node ? { node, addr: a } : { addr: a }] };
  }
  if (kind === "host" || kind === "alias") {
    const name = host.startsWith("host:") ? host.slice(5) : host;
    if (!Object.hasOwn(world.hosts, name)) return { error: "is not a host, user, group or tag this file defines" };
    const r = ip.parseRange(world.hosts[name]);
    if (!r) return { error: "is not an address" };
    // SaaS fails a test toward a host that stands for a range, even one a rule admits
    // (capture policytest-allpass-grants-only-tag-src-host-alias-cidr-dst).
    if (r.lo !== r.hi) return { error: "is a host alias for a range of addresses, not one host" };
    const a = { v: r.v, n: r.lo };
    const node = world.deviceByAddress(a);
    return { targets: [node ? { node, addr: a } : { addr: a }] };
  }
  if (kind === "tag") {
    const tagged = world.nodes.filter((n) => n.tags.includes(host));
    return { targets: tagged.length ? tagged.map((node) => ({ node })) : [{ standIn: standIn({ tags: [host] }, {}, host) }] };
  }
  if (kind === "user") return { targets: user(loginOf(host)) };
  if (kind === "group") {
    const members = groupMembers(world, host);
    return members.error || members.unknown ? members : { targets: members.logins.flatMap(user) };
  }
  if (host === "autogroup:self") {
    if (p.addressOnly || p.tags.length || !p.user) return { error: "autogroup:self needs a user as the test's src" };
    return { targets: user(p.user) };
  }
  if (host === "autogroup:internet") return { targets: [{ region: ip.INTERNET.filter((r) => r.v === 4) }] };
  if (kind === "ipset") {
    if (!Object.hasOwn(world.ipsets, host)) return { error: "is not a defined IP set" };
    return { targets: [{ region: world.ipsetRanges(host, []) }] };
  }
  if (kind === "svc") return { unknown: `${host} is a Tailscale Service, whose addresses are not known` };
  if (kind === "domain" || kind === "autogroup") {
    const named = world.devicesNamed(host);
    return named.length ? { targets: named.map((node) => ({ node })) } : { error: "names no device" };
  }
  return { error: "is not a host, user, group or tag this file defines" };
}

// ---- verdicts ----------------------------------------------------------------------------

/** The verdict of one entry from every source to every destination it stands for, as
 *  `{ all, any }` (whether every, and whether any, of those pairs is accepted: YES, NO or MAYBE),
 *  with the protocol a failure line names; or `{ error }`, or `{ unknown }`. */
function judgeEntry(ev, principals, d, proto, protoName) {
  let all = YES;
  let any = NO;
  let deniedProto = null;
  const reasons = [];
  for (const p of principals) {
    const targets = testTargets(ev.world, d.host, p);
    if (targets.error) return { error: `"${d.host}" ${targets.error}` };
    if (targets.unknown) return { unknown: targets.unknown };
    for (const target of targets.targets) {
      // Without a proto, TCP or UDP will do.
      const protos = proto === null ? [6, 17] : [proto];
      let pairAll = NO;
      let pairAny = NO;
      for (const q of protos) {
        const v = verdictTo(ev, p, target, q, d.port);
        pairAll = Math.max(pairAll, v.all);
        pairAny = Math.max(pairAny, v.any);
        if (v.any === YES) deniedProto ??= q;
        if (v.reason && (v.all === MAYBE || v.any === MAYBE)) reasons.push(v.reason);
      }
      all = Math.min(all, pairAll);
      any = Math.max(any, pairAny);
    }
  }
  const named = protoName ?? "tcp";
  // A deny that UDP alone breaks names udp; everything else names the test's proto, or tcp.
  const denyProto = protoName === null && deniedProto === 17 ? "udp" : named;
  return { all, any, acceptProto: named, denyProto, reason: [...new Set(reasons)].join("; ") || "it depends on what the model was not given" };
}

/** `{ all, any, reason? }` for one source and one destination. */
function verdictTo(ev, p, target, proto, port) {
  if (target.region) return regionVerdict(ev, p, target.region, proto, port);
  let v;
  if (target.standIn) v = ev.toStandIn(p, target.standIn, proto, port);
  else if (target.node && !target.addr) v = ev.toDevice(p, target.node, proto, port);
  else v = ev.toAddress(p, target.addr, proto, port);
  const level = v.verdict === "accept" ? YES : v.verdict === "drop" ? NO : MAYBE;
  return { all: level, any: level, reason: v.reason };
}

/**
 * Whether `p` reaches every address of `region` (`all`) and any of them (`any`). The region is
 * cut where different nodes take it: the tailnet's own range (the rules alone), each approved
 * route (its routers, longest prefix first), the rest (exit nodes, or nothing).
 */
function regionVerdict(ev, p, region, proto, port) {
  let all = YES;
  let any = NO;
  for (const piece of pieces(ev, ip.subtract(region, ip.NEVER))) {
    const s = pieceStatus(ev, p, piece, proto, port);
    all = Math.min(all, s.all);
    any = Math.max(any, s.any);
  }
  return { all, any, reason: "a rule that covers part of it depends on what the model was not given" };
}

function pieces(ev, region) {
  const out = [];
  const tailnet = ip.intersect(region, ip.TAILNET);
  if (tailnet.length) out.push({ ranges: tailnet, receivers: [{ node: null, exit: false }] });
  let rest = ip.subtract(region, ip.TAILNET);
  const routes = ev.world.nodes.flatMap((n) => n.routes).sort((a, b) => (a.hi - a.lo < b.hi - b.lo ? -1 : a.hi - a.lo > b.hi - b.lo ? 1 : 0));
  for (const r of routes) {
    const piece = ip.intersect(rest, [r]);
    if (!piece.length) continue;
    const routers = ev.world.nodes.filter((n) => n.routes.some((x) => x.v === r.v && x.lo === r.lo && x.hi === r.hi));
    out.push({ ranges: piece, receivers: routers.map((node) => ({ node, exit: false })) });
    rest = ip.subtract(rest, piece);
  }
  for (const v of [4, 6]) {
    const part = rest.filter((r) => r.v === v);
    if (part.length) out.push({ ranges: part, receivers: ev.world.nodes.filter((n) => n.exit[v]).map((node) => ({ node, exit: true })) });
  }
  return out;
}

/** `{ all, any }`: whether some receiver admits every address of `piece`, and any. */
function pieceStatus(ev, p, piece, proto, port) {
  const v = piece.ranges[0].v;
  const srcAddr = p.standIn ? null : p.addrs.find((x) => x.v === v);
  const out = { all: NO, any: NO };
  if (!p.standIn && !srcAddr) return out;
  const q = proto === 1 || proto === 58 ? (v === 6 ? 58 : 1) : proto;
  for (const receiver of piece.receivers) {
    const sure = [];
    const maybe = [];
    for (const rule of ev.rules) {
      const gate = ev.postureGate(rule, p);
      const ok = and(ev.srcMatch(rule, p, srcAddr), gate.ok, rule.via ? MAYBE : YES);
      if (ok === NO) continue;
      for (const t of rule.targets) {
        if (!ev.fits(t, q, port)) continue;
        const o = ev.opened(t, p, receiver);
        (ok === YES ? sure : maybe).push(...o.sure);
        maybe.push(...o.maybe);
      }
    }
    const possible = ip.union(sure, maybe);
    out.all = Math.max(out.all, ip.covers(ip.normalize(sure), piece.ranges) ? YES : ip.covers(possible, piece.ranges) ? MAYBE : NO);
    out.any = Math.max(out.any, ip.overlaps(sure, piece.ranges) ? YES : ip.overlaps(possible, piece.ranges) ? MAYBE : NO);
  }
  return out;
}
