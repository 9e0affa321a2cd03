// IPv4 and IPv6 addresses, prefixes and sets of ranges, for the demo tailnet's access evaluator
// (./access.mjs), in plain JS with BigInt: simple rather than fast.
//
// - An address is `{ v: 4 | 6, n: BigInt }`; a range is `{ v, lo, hi }` (inclusive); a set is an
//   array of ranges, kept sorted (v4 first) and merged by `normalize`.
// - The tailnet's own space is 100.64.0.0/10 and fd7a:115c:a1e0::/48 (Tailscale's CGNAT and ULA
//   ranges). `*` as a source leaves out 100.115.92.0/23, the ChromeOS VM range, as the packet
//   filters SaaS delivers do (research/captures/semantics.md §1).
// - autogroup:internet is every IPv4 address but 10/8, 100.64/10, 169.254/16, 172.16/12 and
//   192.168/16 (0/8, 127/8, multicast and 240/4 stay in), and only 2000::/3 of IPv6: what SaaS
//   delivers to exit nodes (captures routes-b17, routes-b18). Tailscale's docs give no list.

const BITS = { 4: 32, 6: 128 };

/** Dotted IPv4 (four decimal parts of 0 to 255, no leading zeros beyond one digit) -> BigInt. */
function parse4(s) {
  const parts = s.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256n + BigInt(p), 0n);
}

/** IPv6 text (with `::` and an optional trailing dotted IPv4) -> BigInt. */
function parse6(s) {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.split("::").length > 2) return null;
  // A trailing dotted IPv4 (`::ffff:1.2.3.4`) stands for the last two words.
  const dotted = /(^|:)([0-9]+\.[0-9.]+)$/.exec(s);
  if (dotted) {
    const v4 = parse4(dotted[2]);
    if (v4 === null) return null;
    s = s.slice(0, s.length - dotted[2].length) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const groups = (part) => (part === "" ? [] : part.split(":"));
  const [head, rest] = s.includes("::") ? s.split("::") : [s, null];
  const left = groups(head);
  const right = rest === null ? [] : groups(rest);
  const words = [...left, ...right];
  if (!words.every((w) => /^[0-9A-Fa-f]{1,4}$/.test(w))) return null;
  const count = words.length;
  if (rest === null ? count !== 8 : count > 7) return null;
  const zeros = rest === null ? [] : Array(8 - count).fill("0");
  const all = [...left, ...zeros, ...right].map((w) => parseInt(w, 16));
  return all.reduce((n, w) => (n << 16n) + BigInt(w), 0n);
}

/** An IPv4 or IPv6 address (IPv6 optionally in brackets) -> `{ v, n }`, or null. */
export function parseAddress(text) {
  if (typeof text !== "string") return null;
  const s = text.replace(/^\[(.*)\]$/, "$1");
  const v4 = parse4(s);
  if (v4 !== null) return { v: 4, n: v4 };
  const v6 = s.includes(":") ? parse6(s) : null;
  return v6 === null ? null : { v: 6, n: v6 };
}

/** `address/bits` -> the range it covers `{ v, lo, hi, bits }`, or null. The address need not
 *  be the network's first (`10.1.2.3/8` is 10/8), as Go's `ParsePrefix` then `Masked` reads it. */
export function parsePrefix(text) {
  if (typeof text !== "string") return null;
  const m = /^([^/]+)\/([0-9]{1,3})$/.exec(text);
  if (!m) return null;
  const a = parseAddress(m[1]);
  const bits = Number(m[2]);
  if (!a || m[1].startsWith("[") || bits > BITS[a.v]) return null;
  return { ...prefixRange(a, bits), bits };
}

/** The range of the `bits`-long prefix holding address `a`. */
export function prefixRange(a, bits) {
  const size = 1n << BigInt(BITS[a.v] - bits);
  const lo = (a.n / size) * size;
  return { v: a.v, lo, hi: lo + size - 1n };
}

/** An address or a prefix -> a range, or null. */
export function parseRange(text) {
  if (typeof text === "string" && text.includes("/")) return parsePrefix(text);
  const a = parseAddress(text);
  return a && { v: a.v, lo: a.n, hi: a.n };
}

export const single = (a) => ({ v: a.v, lo: a.n, hi: a.n });
export const whole = (v) => ({ v, lo: 0n, hi: (1n << BigInt(BITS[v])) - 1n });
const order = (a, b) => a.v - b.v || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0);

/** Sorted, with touching and overlapping ranges merged. */
export function normalize(ranges) {
  const out = [];
  for (const r of [...ranges].sort(order)) {
    const last = out.at(-1);
    if (last && last.v === r.v && r.lo <= last.hi + 1n) last.hi = r.hi > last.hi ? r.hi : last.hi;
    else out.push({ v: r.v, lo: r.lo, hi: r.hi });
  }
  return out;
}

export const union = (...sets) => normalize(sets.flat());

/** `a` without the addresses of `b`. */
export function subtract(a, b) {
  let out = normalize(a);
  for (const cut of normalize(b)) {
    out = out.flatMap((r) => {
      if (r.v !== cut.v || cut.hi < r.lo || cut.lo > r.hi) return [r];
      const pieces = [];
      if (cut.lo > r.lo) pieces.push({ v: r.v, lo: r.lo, hi: cut.lo - 1n });
      if (cut.hi < r.hi) pieces.push({ v: r.v, lo: cut.hi + 1n, hi: r.hi });
      return pieces;
    });
  }
  return out;
}

export function intersect(a, b) {
  const out = [];
  for (const x of normalize(a)) {
    for (const y of normalize(b)) {
      if (x.v !== y.v) continue;
      const lo = x.lo > y.lo ? x.lo : y.lo;
      const hi = x.hi < y.hi ? x.hi : y.hi;
      if (lo <= hi) out.push({ v: x.v, lo, hi });
    }
  }
  return normalize(out);
}

export const contains = (set, a) => set.some((r) => r.v === a.v && r.lo <= a.n && a.n <= r.hi);
export const covers = (outer, inner) => subtract(inner, outer).length === 0;
export const overlaps = (a, b) => intersect(a, b).length > 0;
export const isEmpty = (set) => set.length === 0;

/** A range as the fewest prefixes covering exactly it (Tailscale "translates everything in the
 *  IP set to a list of IP address ranges"; its filters carry prefixes). */
export function toPrefixes(range) {
  const out = [];
  let lo = range.lo;
  const top = BITS[range.v];
  while (lo <= range.hi) {
    let bits = top;
    // The largest aligned block starting at `lo` that stays inside the range.
    while (bits > 0) {
      const size = 1n << BigInt(top - bits + 1);
      if (lo % size !== 0n || lo + size - 1n > range.hi) break;
      bits--;
    }
    const size = 1n << BigInt(top - bits);
    out.push({ v: range.v, lo, hi: lo + size - 1n });
    lo += size;
  }
  return out;
}

export function formatAddress(a) {
  if (a.v === 4) return [24n, 16n, 8n, 0n].map((s) => String((a.n >> s) & 255n)).join(".");
  const words = [];
  for (let s = 112n; s >= 0n; s -= 16n) words.push(((a.n >> s) & 0xffffn).toString(16));
  // The longest run of zero words (two or more) becomes `::` (RFC 5952).
  let best = [-1, 0];
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === "0") j++;
    if (j - i > best[1] && j - i > 1) best = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best[0] < 0) return words.join(":");
  return `${words.slice(0, best[0]).join(":")}::${words.slice(best[0] + best[1]).join(":")}`;
}

const set = (...texts) => normalize(texts.map(parseRange));

/** The tailnet's address space: where a device's Tailscale addresses come from. */
export const TAILNET = set("100.64.0.0/10", "fd7a:115c:a1e0::/48");
/** What `*` as a source covers before subnet routes are added. */
export const STAR_SOURCES = subtract(TAILNET, set("100.115.92.0/23"));
/** autogroup:internet, as delivered to exit nodes. */
export const INTERNET = union(subtract([whole(4)], set("10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16")), set("2000::/3"));
/** Destinations no filter admits: multicast and link-local (wgengine/filter drops them). */
export const NEVER = set("224.0.0.0/4", "169.254.0.0/16", "ff00::/8", "fe80::/10");
/** `0.0.0.0/0` and `::/0`: exit routes, and `*` as a destination. */
export const EVERYTHING = [whole(4), whole(6)];
export const isExitRoute = (r) => r.lo === 0n && r.hi === whole(r.v).hi;
