// What Tailscale SaaS refuses in a policy file's rules, in its own words where they are known
// (research/tests/messages.md: the 85 refusals the headscale captures recorded), written in plain
// JS. `policyIssues(file)` lists `{ field, message }`, in file order: groups, tagOwners, hosts,
// ipsets, acls, grants, ssh.
//
// - A SaaS message is its exact text, with its own prefix (`src=`, `dst="…": `, `groups["…"]: `).
// - Where SaaS's words are not known (an undefined group or host, IP sets, unknown autogroups,
//   unknown protocols), the demo refuses in its own words, which start with the field path
//   (`acls[0].src[1]: group "group:x" is not defined`) so that nobody mistakes them for SaaS's.
// - Not refused, because SaaS's behaviour is unknown: an undefined tag in a grant's `dst` (its
//   message was never captured; the demo reads it as a tag no device carries).
// - SaaS answers one message; which one when a file has several is unknown (messages.md §0).

import { parseAclDst, parseIpEntry, aclProtos, selectorKind } from "./rules.mjs";
import { parseRange } from "./ip.mjs";

const isMap = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const strings = (v) => (Array.isArray(v) ? v.map((s, k) => [s, k]).filter(([s]) => typeof s === "string").map(([s, k]) => [s.trim(), k]) : []);
const AUTOGROUPS_SRC = new Set(["autogroup:member", "autogroup:members", "autogroup:tagged", "autogroup:danger-all", "autogroup:shared", "autogroup:admin", "autogroup:owner", "autogroup:it-admin", "autogroup:network-admin", "autogroup:billing-admin", "autogroup:auditor"]);
const AUTOGROUPS_DST = new Set(["autogroup:member", "autogroup:members", "autogroup:tagged", "autogroup:self", "autogroup:internet", "autogroup:admin", "autogroup:owner", "autogroup:it-admin", "autogroup:network-admin", "autogroup:billing-admin", "autogroup:auditor"]);
// Sources that may go with autogroup:self (acl-s*, acl-sf*: users, groups, member and roles).
const SELF_PARTNERS = new Set(["autogroup:member", "autogroup:members", "autogroup:admin", "autogroup:owner", "autogroup:it-admin", "autogroup:network-admin", "autogroup:billing-admin", "autogroup:auditor"]);
// tailscale.com capabilities SaaS accepts in `app` (grant-a3, a4, b3, k11); others are refused.
const TAILSCALE_CAPS = new Set(["tailscale.com/cap/webui", "tailscale.com/cap/relay", "tailscale.com/cap/drive", "tailscale.com/cap/kubernetes"]);

export function policyIssues(file) {
  if (!isMap(file)) return [];
  const issues = [];
  const add = (field, message) => issues.push({ field, message });
  const names = {
    groups: isMap(file.groups) ? file.groups : {},
    tags: isMap(file.tagOwners) ? file.tagOwners : {},
    hosts: isMap(file.hosts) ? file.hosts : {},
    ipsets: isMap(file.ipsets) ? file.ipsets : {},
  };
  checkGroups(names, add);
  checkTagOwners(names, add);
  checkHosts(names, add);
  checkIpsets(names, add);
  (Array.isArray(file.acls) ? file.acls : []).forEach((r, i) => isMap(r) && checkAcl(r, `acls[${i}]`, names, add));
  (Array.isArray(file.grants) ? file.grants : []).forEach((g, i) => isMap(g) && checkGrant(g, `grants[${i}]`, names, add));
  (Array.isArray(file.ssh) ? file.ssh : []).forEach((r, i) => isMap(r) && checkSsh(r, `ssh[${i}]`, names, add));
  return issues;
}

function checkGroups({ groups }, add) {
  for (const [g, members] of Object.entries(groups)) {
    // Any group inside a group, not only a cycle (ssh-group-nested-*).
    for (const [m, k] of strings(members)) if (m.startsWith("group:")) add(`groups["${g}"][${k}]`, `groups["${g}"]: "${m}": group members cannot be recursive`);
  }
}

function checkTagOwners({ tags }, add) {
  for (const tag of Object.keys(tags)) {
    if (tag.startsWith("tag:") && !/^[A-Za-z]/.test(tag.slice(4))) add(`tagOwners["${tag}"]`, `tagOwners["${tag}"]: tag names must start with a letter, after 'tag:'`);
  }
}

function checkHosts({ hosts }, add) {
  // The docs: a host name may not contain "@". The words are the demo's own.
  for (const name of Object.keys(hosts)) if (name.includes("@")) add(`hosts["${name}"]`, `hosts["${name}"]: a host name may not contain "@"`);
}

/** IP sets: the limits kb/1387 lists, in the demo's own words (SaaS's are unknown). */
function checkIpsets({ ipsets, hosts }, add) {
  const refs = new Map();
  for (const [name, entries] of Object.entries(ipsets)) {
    const where = `ipsets["${name}"]`;
    if (!name.startsWith("ipset:") || name.length === 6) add(where, `${where}: an IP set's name starts with "ipset:"`);
    if (!Array.isArray(entries)) {
      add(where, `${where}: an IP set is a list of "add <target>" and "remove <target>" entries`);
      continue;
    }
    refs.set(name, []);
    // kb/1387: "You must include the operation type before the target unless the named IP set
    // only uses add operations."
    const removes = entries.some((e) => typeof e === "string" && /^remove\s/.test(e.trim()));
    entries.forEach((entry, k) => {
      const m = typeof entry === "string" ? /^(?:(add|remove)\s+)?(\S+)$/.exec(entry.trim()) : null;
      if (!m) return add(`${where}[${k}]`, `${where}[${k}]: an entry is "add <target>" or "remove <target>"`);
      if (!m[1] && removes) add(`${where}[${k}]`, `${where}[${k}]: "${m[2]}" needs "add " before it: an IP set with a remove names the operation of each entry`);
      const target = m[2];
      const kind = selectorKind(target);
      if (kind === "ipset") {
        refs.get(name).push(target);
        if (!Object.hasOwn(ipsets, target)) add(`${where}[${k}]`, `${where}[${k}]: IP set "${target}" is not defined`);
      } else if (kind === "host" || kind === "alias") {
        // A host is written `host:<name>` or bare: kb/1387 says only that a target may be "a
        // host" and shows none, so both are read alike (as the package's engine reads them).
        const host = kind === "host" ? target.slice(5) : target;
        if (!Object.hasOwn(hosts, host)) add(`${where}[${k}]`, `${where}[${k}]: host "${host}" is not defined`);
      } else if (kind === "address") {
        if (!parseRange(target)) add(`${where}[${k}]`, `${where}[${k}]: "${target}" is not an IP address or CIDR`);
      } else if (target !== "autogroup:internet") {
        add(`${where}[${k}]`, `${where}[${k}]: "${target}": an IP set holds addresses, CIDRs, hosts, other IP sets and autogroup:internet, not tags, users, groups or other autogroups`);
      }
    });
  }
  for (const name of refs.keys()) if (cycles(refs, name, [])) add(`ipsets["${name}"]`, `ipsets["${name}"]: IP sets cannot refer to themselves, directly or through others`);
}

const cycles = (refs, name, path) => path.includes(name) || (refs.get(name) ?? []).some((next) => cycles(refs, next, [...path, name]));

/** Problems with one selector of a rule, SaaS's words first. */
function selectorIssue(sel, side, where, { groups, tags, hosts, ipsets }) {
  const kind = selectorKind(sel);
  if (side === "src" && sel === "autogroup:self") return `"autogroup:self" not valid on the src side of a rule`;
  if (kind === "tag") {
    if (Object.hasOwn(tags, sel)) return null;
    if (side === "src") return `src=tag not found: "${sel}"`;
    return where.startsWith("acls") ? `dst="${sel}": tag not found: "${sel}"` : null;
  }
  if (side === "dst" && sel === "autogroup:danger-all") return "cannot use autogroup:danger-all as a dst";
  if (kind === "address") {
    const r = parseRange(sel);
    if (!r) return `${where}: "${sel}" is not an IP address or CIDR`;
    if (r.lo === 0n && r.hi === (r.v === 4 ? 0xffffffffn : (1n << 128n) - 1n) && side === "dst") return `dst "${sel}": to allow all IP addresses, use "*" or "autogroup:internet"`;
    return null;
  }
  if (kind === "group") return Object.hasOwn(groups, sel) || sel.includes("@") ? null : `${where}: group "${sel}" is not defined`;
  if (kind === "ipset") return Object.hasOwn(ipsets, sel) ? null : `${where}: IP set "${sel}" is not defined`;
  if (kind === "host" || kind === "alias") {
    const host = kind === "host" ? sel.slice(5) : sel;
    return Object.hasOwn(hosts, host) ? null : `${where}: "${sel}" is not a user, group, tag, host, IP set or address this file defines`;
  }
  if (kind === "autogroup") return (side === "src" ? AUTOGROUPS_SRC : AUTOGROUPS_DST).has(sel) ? null : `${where}: ${sel} is not valid as a ${side}`;
  if (kind === "svc" && side === "src") return `${where}: a Tailscale Service is only a destination`;
  return null;
}

/** autogroup:self in a rule's dst needs users, groups, member or roles as sources; `*` too in
 *  acls, not in grants (acl-a04 against grant-p04-3). */
function selfIssue(src, dsts, acl) {
  if (!dsts.includes("autogroup:self")) return null;
  const ok = (s) => ["user", "group", "domain"].includes(selectorKind(s)) || SELF_PARTNERS.has(s) || (acl && s === "*");
  return src.every(ok) ? null : "autogroup:self can only be used with users, groups, or supported autogroups";
}

function checkAcl(r, where, names, add) {
  if (r.action !== "accept") add(`${where}.action`, `action="${r.action ?? ""}" is not supported`);
  const src = strings(r.src ?? r.users);
  for (const [s, k] of src) {
    const issue = selectorIssue(s, "src", `${where}.src[${k}]`, names);
    if (issue) add(`${where}.src[${k}]`, issue);
  }
  const hosts = [];
  for (const [d, k] of strings(r.dst ?? r.ports)) {
    const parsed = parseAclDst(d);
    if (parsed.error) {
      add(`${where}.dst[${k}]`, parsed.error);
      continue;
    }
    hosts.push(parsed.host);
    const issue = selectorIssue(parsed.host, "dst", `${where}.dst[${k}]`, names);
    if (issue) add(`${where}.dst[${k}]`, issue);
  }
  const protos = aclProtos(r);
  if (protos.error) add(`${where}.proto`, `${where}.${protos.error}`);
  const self = selfIssue(src.map(([s]) => s), hosts, true);
  if (self) add(`${where}.src`, self);
}

function checkGrant(g, where, names, add) {
  const ip = strings(g.ip);
  const app = isMap(g.app) ? Object.keys(g.app) : [];
  if (!ip.length && !app.length) add(where, "ip and app can not both be empty");
  for (const [e, k] of ip) {
    const parsed = parseIpEntry(e);
    if (parsed.error) add(`${where}.ip[${k}]`, parsed.error);
  }
  const src = strings(g.src);
  const dst = strings(g.dst);
  for (const [s, k] of src) {
    const issue = selectorIssue(s, "src", `${where}.src[${k}]`, names);
    if (issue) add(`${where}.src[${k}]`, issue);
  }
  for (const [d, k] of dst) {
    const issue = selectorIssue(d, "dst", `${where}.dst[${k}]`, names);
    if (issue) add(`${where}.dst[${k}]`, issue);
  }
  for (const name of app) {
    const field = `${where}.app["${name}"]`;
    if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\/\S+$/.test(name)) add(field, "capability name must have the form {domain}/{path}");
    else if (name.startsWith("tailscale.com/") && !TAILSCALE_CAPS.has(name)) add(field, "capability name must not be in the tailscale.com domain");
  }
  if (app.length && dst.some(([d]) => d === "autogroup:internet")) add(`${where}.app`, "cannot use app grants with autogroup:internet");
  for (const [v, k] of strings(g.via)) {
    if (!v.startsWith("tag:")) add(`${where}.via[${k}]`, "via can only be a tag");
    else if (!Object.hasOwn(names.tags, v)) add(`${where}.via[${k}]`, `tag "${v}" not found`);
  }
  const self = selfIssue(src.map(([s]) => s), dst.map(([d]) => d), false);
  if (self) add(`${where}.src`, self);
}

/** `ssh` rules: the refusals the captures show (the access evaluator does not judge SSH). */
function checkSsh(r, where, names, add) {
  const action = typeof r.action === "string" ? r.action.trim() : "";
  if (action === "") add(`${where}.action`, "action must be specified");
  else if (action !== "accept" && action !== "check") add(`${where}.action`, `"${r.action}" is not a valid action`);
  if (!Array.isArray(r.users) || r.users.length === 0) add(`${where}.users`, "users must be specified");
  for (const [u, k] of strings(r.users)) if (u === "*" || u === "") add(`${where}.users[${k}]`, `user "${u}" is not valid`);
  for (const [d, k] of strings(r.dst)) {
    // Host aliases and addresses are not SSH destinations (ssh-hosts-as-dst-*, tailscale#5084).
    const kind = selectorKind(d);
    if (kind === "address" || ((kind === "alias" || kind === "host") && Object.hasOwn(names.hosts, kind === "host" ? d.slice(5) : d))) add(`${where}.dst[${k}]`, `invalid dst "${d}"`);
  }
  if (typeof r.checkPeriod === "string" && r.checkPeriod !== "always") {
    const d = goDuration(r.checkPeriod);
    if (d === null) add(`${where}.checkPeriod`, `time: invalid duration "${r.checkPeriod}"`);
    else if (d < 0) add(`${where}.checkPeriod`, `checkPeriod ${formatDuration(d)} must be a positive duration`);
    else if (d > 168 * 3600) add(`${where}.checkPeriod`, `checkPeriod ${formatDuration(d)} is above the max (168h)`);
  }
}

/** Go's time.ParseDuration for h, m and s (what checkPeriod takes) -> seconds, or null. */
function goDuration(text) {
  const m = /^([-+]?)((?:[0-9]+(?:\.[0-9]*)?(?:h|m|s|ms|us|µs|ns))+)$/.exec(text);
  if (!m) return text === "0" ? 0 : null;
  const unit = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, ns: 1e-9 };
  let total = 0;
  for (const [, n, u] of m[2].matchAll(/([0-9]+(?:\.[0-9]*)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(n) * unit[u];
  return m[1] === "-" ? -total : total;
}

/** Go's Duration.String() for whole seconds: `200h0m0s`, `-1m0s`. */
function formatDuration(seconds) {
  const sign = seconds < 0 ? "-" : "";
  let s = Math.abs(Math.round(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h) return `${sign}${h}h${m}m${s}s`;
  if (m) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

