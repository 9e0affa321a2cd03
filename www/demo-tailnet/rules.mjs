// The syntax of the policy file's `acls` and `grants` as the demo tailnet reads it: ports,
// protocols, `host:ports` destinations, grant `ip` entries and selectors, each error in the words
// Tailscale SaaS answers where they are known (research/tests/messages.md, from the headscale
// captures of SaaS), in plain JS. Shared by the access evaluator (./access.mjs) and the checks
// (./refusals.mjs).
//
// Facts (research/captures/semantics.md §3): an ACL without `proto` opens TCP, UDP, ICMP and
// ICMPv6 (6, 17, 1, 58); `proto: "icmp"` is 1 only; a grant's `*` and a bare port or range open
// 6, 17, 1 and 58 on those ports (a bare "47" is port 47, not GRE); `tcp:443` is TCP only.
// Where the research has no SaaS wording the message is the demo's own, and says so in a comment.

/** IANA protocol names the docs list for `acls` `proto` (kb/1337), and ipv6-icmp. */
export const PROTOCOLS = { icmp: 1, igmp: 2, ipv4: 4, "ip-in-ip": 4, tcp: 6, egp: 8, igp: 9, udp: 17, gre: 47, esp: 50, ah: 51, "ipv6-icmp": 58, sctp: 132 };
export const DEFAULT_PROTOS = [6, 17, 1, 58];
export const ALL_PORTS = [[0, 65535]];

/** A protocol name (any case) or number (1 to 255, as a number or a decimal string) -> its
 *  number, or null. */
export function protocolNumber(p) {
  if (typeof p === "number") return Number.isInteger(p) && p >= 1 && p <= 255 ? p : null;
  if (typeof p !== "string") return null;
  if (/^[0-9]{1,3}$/.test(p)) return protocolNumber(Number(p));
  return PROTOCOLS[p.toLowerCase()] ?? null;
}

/** "*", "22", "80,443", "1000-2000" -> `{ ranges }` or `{ error }` (SaaS's words for a first
 *  port that is not a number, and for port 0). */
export function parsePorts(spec) {
  if (spec === "*") return { ranges: ALL_PORTS };
  const ranges = [];
  for (const part of spec.split(",")) {
    const [first, last, extra] = part.split("-");
    const number = (s) => (/^[0-9]{1,5}$/.test(s) ? Number(s) : NaN);
    const lo = number(first);
    const hi = last === undefined ? lo : number(last);
    if (Number.isNaN(lo)) return { error: `port range "${part}": invalid first integer` };
    if (lo === 0) return { error: `port range "${part}": first port must be >0, or use '*' for wildcard` };
    // The demo's own words from here: the research found none of SaaS's.
    if (Number.isNaN(hi) || extra !== undefined) return { error: `port range "${part}": invalid last integer` };
    if (hi > 65535) return { error: `port range "${part}": ports go up to 65535` };
    if (hi < lo) return { error: `port range "${part}": the first port is above the last` };
    ranges.push([lo, hi]);
  }
  return { ranges };
}

/** "host:ports" split at the last colon, brackets taken off an IPv6 host; null without a colon. */
export function splitHostPort(entry) {
  const at = entry.lastIndexOf(":");
  if (at < 0) return null;
  return { host: entry.slice(0, at).replace(/^\[(.*)\]$/, "$1"), ports: entry.slice(at + 1) };
}

/** An `acls` dst entry -> `{ host, ranges }` or `{ error }`, in SaaS's words (the whole entry
 *  quoted after `dst=`, as captures acl-err03 and acl-err07 show). */
export function parseAclDst(entry) {
  const hp = splitHostPort(entry);
  if (!hp || hp.host === "") return { error: `dst="${entry}": hostport must contain a colon (":")` };
  const ports = parsePorts(hp.ports);
  if (ports.error) return { error: `dst="${entry}": ${ports.error}` };
  return { host: hp.host, ranges: ports.ranges };
}

/** A grant `ip` entry -> `{ protos, ranges }` or `{ error }`. */
export function parseIpEntry(entry) {
  if (entry === "*") return { protos: DEFAULT_PROTOS, ranges: ALL_PORTS };
  const at = entry.indexOf(":");
  if (at < 0) {
    const ports = parsePorts(entry);
    return ports.error ? { error: ports.error } : { protos: DEFAULT_PROTOS, ranges: ports.ranges };
  }
  const proto = protocolNumber(entry.slice(0, at));
  // The demo's own words: no capture names an unknown protocol.
  if (proto === null) return { error: `ip "${entry}": unknown protocol "${entry.slice(0, at)}"` };
  const ports = parsePorts(entry.slice(at + 1));
  return ports.error ? { error: ports.error } : { protos: [proto], ranges: ports.ranges };
}

/** The protocols an `acls` rule opens, or `{ error }` for a `proto` that names none. */
export function aclProtos(rule) {
  if (rule.proto === undefined || rule.proto === "") return DEFAULT_PROTOS;
  const p = protocolNumber(rule.proto);
  return p === null ? { error: `proto="${rule.proto}": not a protocol name or number from 1 to 255` } : [p];
}

/** What a selector is: "*", "autogroup", "group", "tag", "ipset", "svc", "host", "user",
 *  "domain" (`user:*@domain`), "address" (an IP or CIDR) or "alias" (a word: a hosts name, or
 *  nothing at all). */
export function selectorKind(s) {
  if (s === "*") return "*";
  for (const kind of ["autogroup", "group", "tag", "ipset", "svc", "host"]) if (s.startsWith(`${kind}:`)) return kind;
  if (s.startsWith("user:*@")) return "domain";
  if (s.includes("@")) return "user";
  if (/^[0-9.]+(\/[0-9]+)?$/.test(s) || (s.includes(":") && /^\[?[0-9A-Fa-f:.]+\]?(\/[0-9]+)?$/.test(s))) return "address";
  return "alias";
}

/** A user selector's login: `user:alice@example.com` or `alice@example.com`. */
export const loginOf = (s) => (s.startsWith("user:") ? s.slice(5) : s);

/**
 * The file's acls and grants in one shape, with what the evaluator needs: `{ section, index,
 * line, src, srcPosture, via, targets: [{ selector, protos, ranges }], app }`. Entries that do
 * not parse are left out (the checks report them). `root` and `text` (from ./hujson.mjs) give
 * each rule's 1-based line; without them `line` is null.
 */
export function compileRules(policy, { root, text } = {}) {
  const elements = (section) => root?.members?.find((m) => m.name === section)?.node.elements ?? [];
  const lineOf = (section, k) => {
    const el = elements(section)[k];
    return el && text !== undefined ? lineAt(text, el.start) : null;
  };
  const list = (v) => (Array.isArray(v) ? v.filter((s) => typeof s === "string").map((s) => s.trim()) : []);
  const rules = [];
  (Array.isArray(policy.acls) ? policy.acls : []).forEach((r, index) => {
    if (!r || typeof r !== "object") return;
    const protos = aclProtos(r);
    const targets = [];
    for (const d of list(r.dst ?? r.ports)) {
      const parsed = parseAclDst(d);
      if (!parsed.error && !protos.error) targets.push({ selector: parsed.host, protos, ranges: parsed.ranges });
    }
    rules.push({ section: "acls", index, line: lineOf("acls", index), src: list(r.src ?? r.users), srcPosture: r.srcPosture, via: undefined, targets, app: false });
  });
  (Array.isArray(policy.grants) ? policy.grants : []).forEach((g, index) => {
    if (!g || typeof g !== "object") return;
    const specs = list(g.ip).map(parseIpEntry).filter((p) => !p.error);
    const targets = list(g.dst).flatMap((selector) => specs.map((p) => ({ selector, ...p })));
    const via = Array.isArray(g.via) && g.via.length ? g.via : undefined;
    rules.push({ section: "grants", index, line: lineOf("grants", index), src: list(g.src), srcPosture: g.srcPosture, via, targets, app: g.app !== undefined });
  });
  return rules;
}

function lineAt(text, offset) {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
