// The demo tailnet's policy file (its access policy, HuJSON), written from the OpenAPI spec's
// getPolicyFile, setPolicyFile, validateAndTestPolicyFile and previewRuleMatches and Tailscale's
// policy syntax and device posture pages, in plain JS (the README's "Gate access on attributes"
// says what they leave open):
//
// - GET /tailnet/{t}/acl: the text exactly as last written, `application/hujson` (with
//   `Accept: application/hujson`, no Accept, `*/*` or anything without `application/json`), or
//   standardized (comments and trailing commas turned into spaces) as `application/json`.
//   `?details=true` (only `true`; the Accept header is then ignored) answers JSON
//   `{acl: <base64 text>, warnings: [...], errors: null}`.
// - POST /tailnet/{t}/acl replaces the text; `If-Match` guards the write (412
//   `{"message": "precondition failed, invalid old hash"}`, nothing written). The new file is
//   checked as validate checks it and its `tests` run: a problem refuses the write (400
//   `{message, data?}`). The answer is the new file, as GET would give it.
// - POST /tailnet/{t}/acl/validate: a JSON array is a list of tests run against the current
//   file; an object is a candidate file, checked with its own tests. Nothing is saved.
// - POST /tailnet/{t}/acl/preview?type=user|ipport&previewFor=...: the candidate's `acls` and
//   `grants` that apply to a user (by their sources) or to an `ip:port` (by their destinations),
//   each with the 1-based line where its object starts.
// - Scopes: `policy_file:read` to read, validate and preview, `policy_file` to write.
//
// The checks: HuJSON syntax (./hujson.mjs), with no member name twice in one object; the types
// of the sections rules and tests use (`groups`, `hosts`, `tagOwners`, `ipsets`, `postures`,
// `defaultSrcPosture`, `acls`, `grants`, `ssh`, `tests`); posture names (`posture:` and a
// non-empty list of conditions); every condition by ./posture.mjs; every `srcPosture` (in
// `acls`, `grants` and `ssh`) and `defaultSrcPosture` entry naming a defined posture; then what
// SaaS refuses in the rules, in its words where they are known (./refusals.mjs: undefined tags,
// autogroup:self misuse, ports, `ip`/`app`, `via`...). Tests run on the access evaluator
// (./access.mjs, ./access-tests.mjs), postures included.
//
// Where the docs are silent, the demo chooses (and the README's caveats follow):
// - The ETag is the SHA-256 of the stored text, in hex, in double quotes (gitops-pusher hashes the
//   formatted file the same way; the real server's input is not documented).
// - The `?details=true` answer carries the ETag too: a reader of the details can write back.
// - If-Match: one pair of surrounding double quotes is taken off, then the value must be the
//   current hash, or `ts-default` while the file is still the untouched default (the spec shows
//   `ts-default` both with and without quotes). Anything else, `*` and an ETag quoted twice
//   included, is 412. "Untouched" means never written: a write that restores the seed text still
//   counts as a write.
// - The body is checked before If-Match (RFC 9110 §13.2.1: a request that fails anyway gets its
//   own error, not 412).
// - A body sent as `application/json` is read as strict JSON (400, with line and column, if it
//   is not); any other content type (`application/hujson`, none, curl's form default) as HuJSON.
//   The stored text is the body exactly as sent, JSON included. An empty body is refused (400),
//   never read as "reset to the default".
// - validate: a pass is `{}`. A file that does not parse or check is 200
//   `{message, data: [{errors: [...]}]}` (message: the first error, and how many more); failing
//   tests are 200 `{message: "test(s) failed", data: [{user: <src>, errors}]}`, one entry per
//   failing test, with warnings appended; warnings alone are "warning(s) found". A body that is
//   malformed JSON, or neither an object nor an array, or an array whose tests are malformed, is
//   400. A JSON string body is read as the file's text (the spec's `oneOf` lists a string).
// - A failed test reads `[acl test error]: address "tag:prod:443" (protocol "tcp"): want:
//   Accept, got: Drop`, SaaS's line (research/tests/validate-shape.md §3.1); how tests resolve
//   their sources and destinations is in ./access-tests.mjs. A test the evaluator cannot decide
//   (`via`, SCIM groups, `svc:`) is a warning `indeterminate: ...`, not a failure.
// - Warnings: a group member (a login) the tailnet knows neither as a user nor as a device's
//   owner: `"group:x": user not found: "bob@example.com"` (the spec's example).
// - Malformed tests stay what they were before the access evaluator: 400 in array mode, file
//   errors in file mode (SaaS answers "test(s) failed" for them; the demo keeps the stricter
//   answer its tests rely on). So do the legacy `user` and `allow` test fields: refused.
// - Posture conditions: keywords (operators, `true`, `false`) in any case; spaces optional around
//   `==`-style operators; namespaces limited to the documented ones (`node:` and `ip:` to their
//   documented names); ordering operators take a number, or a quoted version for `node:osVersion`
//   and `node:tsVersion` only; `==`, `!=`, `IN` and `NOT IN` compare within a type.
// - Preview: `ports` of a grant are each `dst` with each `ip` entry's ports (the protocol
//   dropped); `ssh` rules are not listed; matches come in the order they appear in the file.
// - Sections the demo does not model (`nodeAttrs`, `autoApprovers`, ...) are allowed as they are.

import { createHash } from "node:crypto";
import { HttpError, bad, isObject, ipv4, cidr, isIPv6 } from "./shared.mjs";
import { parseHujson, HujsonError, position, standardize } from "./hujson.mjs";
import { ConditionError, parseCondition, conditionMatches, compareVersions } from "./posture.mjs";
import { createAccessEvaluator } from "./access.mjs";
import { policyIssues } from "./refusals.mjs";
import { parseRange } from "./ip.mjs";

/** The file the tailnet starts with (its "default" until the first write). Its tests pass; its
 *  hosts match the seeded devices' addresses (devices.mjs). */
export const SEED_POLICY = `// The demo tailnet's access policy. The API stores this text exactly as it
// was last written, comments included: tools that edit it should keep them.
{
    // Who is who: groups of people, by login.
    "groups": {
        "group:admins": ["demo@example.com"],
        "group:eng": ["demo@example.com", "amelie@example.com"], // everyone, for now
    },

    // Names for addresses, usable in rules and tests.
    "hosts": {
        "build-box": "100.64.0.5",
        "lab-net": "10.0.0.0/24", // routed by lab-router
    },

    // Who may apply each tag (and mint auth keys that carry it).
    "tagOwners": {
        "tag:ci": ["group:admins"],
        "tag:router": ["group:admins"],
        "tag:edge": ["group:admins"],
        "tag:prod": ["group:admins"],
    },

    /* Device postures: conditions on a device's attributes, ANDed.
       A device provisioned through the device-provisioner app carries
       custom:provisioned = true (its allowed node attribute). */
    "postures": {
        "posture:provisioned": ["custom:provisioned == true"],
        "posture:latest": [
            "node:tsVersion >= '1.60'",
            "node:tsReleaseTrack == 'stable'",
        ],
    },

    // Grants, the newer rule syntax. Production is reached only from provisioned devices.
    "grants": [
        {
            "src": ["autogroup:member"],
            "dst": ["tag:prod"],
            "ip": ["tcp:443"],
            "srcPosture": ["posture:provisioned"], // any listed posture admits
        },
        // CI deploys to production over SSH.
        {"src": ["tag:ci"], "dst": ["tag:prod"], "ip": ["tcp:22"]},
    ],

    // ACLs, the older rule syntax, still honoured next to grants.
    "acls": [
        // Admins reach the lab network and its router on any port.
        {"action": "accept", "src": ["group:admins"], "dst": ["lab-net:*", "tag:router:*"]},
        // Engineers use build-box from an up-to-date client.
        {
            "action": "accept",
            "src": ["group:eng"],
            "dst": ["build-box:22,3389"],
            "srcPosture": ["posture:latest"],
        },
    ],

    // Tailscale SSH into production: admins, as root, from an up-to-date client.
    "ssh": [
        {
            "action": "check",
            "src": ["group:admins"],
            "dst": ["tag:prod"],
            "users": ["root"],
            "srcPosture": ["posture:latest"],
        },
    ],

    // Tests run on every write: a failing test refuses the change.
    "tests": [
        {
            "src": "amelie@example.com",
            "srcPostureAttrs": {"custom:provisioned": true},
            "accept": ["tag:prod:443"],
            "deny": ["tag:prod:22"],
        },
        {"src": "amelie@example.com", "deny": ["tag:prod:443"]}, // not provisioned
        {
            "src": "demo@example.com",
            "srcPostureAttrs": {"node:tsVersion": "1.90.2", "node:tsReleaseTrack": "stable"},
            "accept": ["build-box:22"],
        },
        {"src": "tag:ci", "accept": ["tag:prod:22"], "deny": ["10.0.0.1:22"]}, // lab-router's subnet
    ],
}
`;

// Posture conditions live in ./posture.mjs; tests import them from here.
export { ConditionError, parseCondition, conditionMatches, compareVersions };

// ---- addresses and ports ----------------------------------------------------------------

/** Whether `addr` (an IP or an IPv4 CIDR) contains the IP `ip`. */
function inside(addr, ip) {
  if (addr === ip) return true;
  const range = cidr(addr);
  const v = ipv4(ip);
  if (!range || v === null) return false;
  const size = 2 ** (32 - range.bits);
  return Math.floor(range.base / size) === Math.floor(v / size);
}

/** "22", "80,443", "1000-2000" or "*" -> [[lo, hi], ...], or an error message. */
function portRanges(spec) {
  if (spec === "*") return [[0, 65535]];
  const out = [];
  for (const part of spec.split(",")) {
    const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(part);
    if (!m) return `"${spec}" is not a port, a port range, a list of them or *`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi > 65535 || lo > hi) return `port range "${part}" is reversed or beyond 65535`;
    out.push([lo, hi]);
  }
  return out;
}

/** An acls `dst` entry, "host:ports" -> { host, ranges }, or an error message. */
function hostPorts(entry) {
  const at = entry.lastIndexOf(":");
  if (at <= 0) return `"${entry}" needs ports: host:22, host:80,443, host:1000-2000 or host:*`;
  const ranges = portRanges(entry.slice(at + 1));
  if (typeof ranges === "string") return `"${entry}": ${ranges}`;
  return { host: entry.slice(0, at).replace(/^\[(.*)\]$/, "$1"), ranges };
}

/** A grants `ip` entry ("*", "443", "tcp:443", "udp:1000-2000") -> { proto, ranges }, or an
 *  error message. */
function ipEntry(entry) {
  if (entry === "*") return { proto: null, ranges: [[0, 65535]] };
  const at = entry.indexOf(":");
  const proto = at < 0 ? null : entry.slice(0, at).toLowerCase();
  if (proto !== null && !/^[a-z0-9-]+$/.test(proto)) return `"${entry}": unknown protocol`;
  const ranges = portRanges(at < 0 ? entry : entry.slice(at + 1));
  return typeof ranges === "string" ? `"${entry}": ${ranges}` : { proto, ranges };
}

/** A test's destination, "host:port" with one numeric port -> { host, port }, or an error. */
function destination(entry) {
  const at = typeof entry === "string" ? entry.lastIndexOf(":") : -1;
  const port = at > 0 && /^[0-9]{1,5}$/.test(entry.slice(at + 1)) ? Number(entry.slice(at + 1)) : -1;
  if (port < 0 || port > 65535) return `${JSON.stringify(entry)} is not host:port with one numeric port`;
  const host = entry.slice(0, at).replace(/^\[(.*)\]$/, "$1");
  if (host.includes("*")) return `${JSON.stringify(entry)}: tests name specific destinations, not wildcards`;
  return { host, port };
}

// ---- checking a file --------------------------------------------------------------------

const strings = (v) => Array.isArray(v) && v.every((s) => typeof s === "string");
const TEST_FIELDS = ["src", "srcPostureAttrs", "proto", "accept", "deny"];

/** Problems with one ACL test, each naming `where`. */
function checkTest(t, where) {
  if (!isObject(t)) return [`${where}: a test is an object`];
  const errors = [];
  for (const k of Object.keys(t)) if (!TEST_FIELDS.includes(k)) errors.push(`${where}: unknown field "${k}"`);
  if (typeof t.src !== "string" || t.src === "" || t.src.includes("*")) errors.push(`${where}.src: a user, group, tag, host or IP (no wildcards)`);
  if (t.proto !== undefined && typeof t.proto !== "string") errors.push(`${where}.proto: a protocol name such as tcp`);
  if (t.srcPostureAttrs !== undefined) {
    if (!isObject(t.srcPostureAttrs)) errors.push(`${where}.srcPostureAttrs: an object of attribute values`);
    else {
      for (const [k, v] of Object.entries(t.srcPostureAttrs)) {
        if (!/^[A-Za-z][A-Za-z0-9]*:./.test(k)) errors.push(`${where}.srcPostureAttrs: "${k}" is not an attribute name such as node:os`);
        if (!["string", "number", "boolean"].includes(typeof v)) errors.push(`${where}.srcPostureAttrs["${k}"]: a string, a number or a boolean`);
      }
    }
  }
  for (const field of ["accept", "deny"]) {
    if (t[field] === undefined) continue;
    if (!strings(t[field])) errors.push(`${where}.${field}: a list of host:port`);
    else t[field].forEach((d, k) => {
      const dest = destination(d);
      if (typeof dest === "string") errors.push(`${where}.${field}[${k}]: ${dest}`);
    });
  }
  return errors;
}

/** Every problem that makes `policy` (a parsed file) unacceptable, as "where: what". */
export function checkPolicy(policy) {
  if (!isObject(policy)) return ["the policy file is a JSON object"];
  const errors = [];
  const err = (where, what) => errors.push(`${where}: ${what}`);
  const names = (section, prefix, check) => {
    if (policy[section] === undefined) return;
    if (!isObject(policy[section])) return err(section, "must be an object");
    for (const [name, v] of Object.entries(policy[section])) {
      const where = `${section}["${name}"]`;
      if (prefix && (!name.startsWith(prefix) || name.length === prefix.length)) err(where, `a name in ${section} starts with "${prefix}"`);
      check(v, where, name);
    }
  };
  names("groups", "group:", (v, where) => strings(v) || err(where, "must be a list of logins"));
  names("hosts", null, (v, where) => (typeof v === "string" && parseRange(v) !== null) || err(where, "must be an IP address or a CIDR range"));
  names("tagOwners", "tag:", (v, where) => strings(v) || err(where, "must be a list of owners"));
  const postures = new Set();
  names("postures", "posture:", (v, where, name) => {
    postures.add(name);
    if (!strings(v) || v.length === 0) return err(where, "must be a non-empty list of conditions");
    v.forEach((c, k) => {
      try {
        parseCondition(c);
      } catch (e) {
        if (!(e instanceof ConditionError)) throw e;
        err(`${where}[${k}]`, `${JSON.stringify(c)}: ${e.message}`);
      }
    });
  });
  const references = (list, where) => {
    if (list === undefined) return;
    if (!strings(list)) return err(where, "must be a list of posture names");
    list.forEach((name, k) => postures.has(name) || err(`${where}[${k}]`, `"${name}" is not defined in postures`));
  };
  references(policy.defaultSrcPosture, "defaultSrcPosture");
  const rules = (section, check) => {
    if (policy[section] === undefined) return;
    if (!Array.isArray(policy[section])) return err(section, "must be a list");
    policy[section].forEach((r, k) => (isObject(r) ? check(r, `${section}[${k}]`) : err(`${section}[${k}]`, "must be an object")));
  };
  const nonEmpty = (v, where) => (strings(v) && v.length > 0) || err(where, "must be a non-empty list of strings");
  // The shapes here; what SaaS refuses in the rules themselves, in its words, below.
  rules("acls", (r, where) => {
    nonEmpty(r.src ?? r.users, `${where}.src`);
    nonEmpty(r.dst ?? r.ports, `${where}.dst`);
    if (r.proto !== undefined && typeof r.proto !== "string" && typeof r.proto !== "number") err(`${where}.proto`, "must be a protocol name such as tcp, or its number");
    references(r.srcPosture, `${where}.srcPosture`);
  });
  rules("grants", (g, where) => {
    nonEmpty(g.src, `${where}.src`);
    nonEmpty(g.dst, `${where}.dst`);
    if (g.ip !== undefined && !strings(g.ip)) err(`${where}.ip`, "must be a list of strings");
    if (g.app !== undefined && !isObject(g.app)) err(`${where}.app`, "must be an object of capabilities");
    if (g.via !== undefined && !strings(g.via)) err(`${where}.via`, "must be a list of tags");
    references(g.srcPosture, `${where}.srcPosture`);
  });
  rules("ssh", (r, where) => references(r.srcPosture, `${where}.srcPosture`));
  if (policy.tests !== undefined) {
    if (!Array.isArray(policy.tests)) err("tests", "must be a list");
    else policy.tests.forEach((t, k) => errors.push(...checkTest(t, `tests[${k}]`)));
  }
  if (policy.ipsets !== undefined && !isObject(policy.ipsets)) err("ipsets", "must be an object");
  errors.push(...policyIssues(policy).map((i) => i.message));
  return errors;
}

/** [group, message] for each group member who is not a known user of the tailnet. */
function warningsOf(policy, users) {
  const out = [];
  for (const [group, members] of Object.entries(policy.groups ?? {})) {
    for (const m of members) if (m.includes("@") && !users.has(m)) out.push([group, `user not found: "${m}"`]);
  }
  return out;
}

// ---- evaluating rules -------------------------------------------------------------------

/** The file's acls and grants in one shape, in file order: sources, srcPosture, targets
 *  ({ host, ranges, proto }), and what preview shows (users, ports, the object's offset). */
function compileRules(policy, root) {
  const elements = (section) => root.members.find((m) => m.name === section)?.node.elements ?? [];
  const rules = [];
  (policy.acls ?? []).forEach((r, k) => {
    const dst = r.dst ?? r.ports;
    const proto = typeof r.proto === "string" ? r.proto.toLowerCase() : null;
    rules.push({ src: r.src ?? r.users, srcPosture: r.srcPosture, targets: dst.map((d) => ({ ...hostPorts(d), proto })), users: r.src ?? r.users, ports: dst, start: elements("acls")[k].start });
  });
  (policy.grants ?? []).forEach((g, k) => {
    const ips = (g.ip ?? []).map(ipEntry);
    const ports = g.ip === undefined ? [...g.dst] : g.dst.flatMap((d) => g.ip.map((e) => `${d}:${e === "*" ? "*" : e.slice(e.indexOf(":") + 1)}`));
    rules.push({ src: g.src, srcPosture: g.srcPosture, targets: g.dst.flatMap((host) => ips.map((ip) => ({ host, ...ip }))), users: g.src, ports, start: elements("grants")[k].start });
  });
  return rules.sort((a, b) => a.start - b.start);
}

/** For preview: who and what the file's names stand for, through its groups and hosts and the tailnet's
 *  devices (`{ addresses, tags?, user }`). */
function world(policy, devices) {
  const hosts = policy.hosts ?? {};
  const groups = policy.groups ?? {};
  const members = (g) => (Object.hasOwn(groups, g) ? groups[g] : []);
  const alias = (name) => (Object.hasOwn(hosts, name) ? hosts[name] : name);
  const untagged = (d) => !(d.tags?.length > 0);

  /** The addresses a test's source or destination stands for. */
  function addressesOf(name) {
    if (ipv4(name) !== null || isIPv6(name)) return [name];
    if (Object.hasOwn(hosts, name)) return cidr(hosts[name]) ? [] : [hosts[name]];
    if (name.startsWith("tag:")) return devices.filter((d) => d.tags?.includes(name)).flatMap((d) => d.addresses);
    if (name.includes("@")) return devices.filter((d) => untagged(d) && d.user === name).flatMap((d) => d.addresses);
    return [];
  }

  /** Whether a rule's entry (src, or dst host) covers the address `ip`. */
  function covers(entry, ip) {
    if (entry === "*" || inside(alias(entry), ip)) return true;
    const holders = devices.filter((d) => d.addresses.includes(ip));
    if (entry.startsWith("tag:")) return holders.some((d) => d.tags?.includes(entry));
    const users = holders.filter(untagged).map((d) => d.user);
    if (entry === "autogroup:member") return users.length > 0;
    if (entry.startsWith("group:")) return users.some((u) => members(entry).includes(u));
    return users.includes(entry);
  }

  /** Whether a rule's src entry admits a test's src. */
  function admits(entry, src) {
    if (entry === "*" || entry === src) return true;
    if (src.startsWith("group:")) return entry === "autogroup:member";
    const byAddress = () => addressesOf(src).some((ip) => inside(alias(entry), ip));
    if (src.startsWith("tag:")) return byAddress();
    if (src.includes("@")) return entry === "autogroup:member" || (entry.startsWith("group:") && members(entry).includes(src)) || byAddress();
    return addressesOf(src).some((ip) => covers(entry, ip));
  }

  return { covers, admits };
}

// ---- the routes -------------------------------------------------------------------------

const etagOf = (text) => `"${createHash("sha256").update(text).digest("hex")}"`;
const NOT_A_BODY = "request body must be a policy file (an object) or a list of tests (an array)";

/** The policy file lives in `state.policy` ({ text, isDefault }). `devices()` lists the
 *  tailnet's devices, `users()` its users (the users API's objects: roles, shared users) and
 *  `logins()` the logins it knows (for warnings). */
export function createPolicy({ state, tailnetName, requireScope, devices, users, logins }) {
  const policy = (state.policy = { text: SEED_POLICY, isDefault: true });

  /** `{ failed, warnings }` of `tests` run against the file (text or value) by the access
   *  evaluator (./access.mjs): each test's source carries only its srcPostureAttrs. */
  const testRun = (file, tests) => createAccessEvaluator({ policy: file, devices: devices(), users: users() }).runTests(tests);

  /** Whether the request goes to a policy route: those read their own bodies (HuJSON). */
  function owns(pathname) {
    let segments;
    try {
      segments = pathname.split("/").map(decodeURIComponent);
    } catch {
      return false;
    }
    return segments.length >= 6 && segments.length <= 7 && segments[1] === "api" && segments[2] === "v2" && isPolicyPath(segments.slice(3));
  }
  const isPolicyPath = (segments) =>
    segments[0] === "tailnet" && segments[2] === "acl" && (segments.length === 3 || (segments.length === 4 && ["validate", "preview"].includes(segments[3])));

  /** `{ text, value, root }` of a body, or `{ text, syntaxError }` for a HuJSON syntax error.
   *  A body sent as JSON must be JSON (400 otherwise). */
  function parseBody(raw, req, emptyMessage) {
    if (raw.trim() === "") throw bad(emptyMessage);
    const json = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase() === "application/json";
    try {
      return { text: raw, ...parseHujson(raw, { hujson: !json, uniqueNames: true }) };
    } catch (e) {
      if (!(e instanceof HujsonError)) throw e;
      if (json) throw bad(`request body is not valid JSON: ${e.message}`);
      return { text: raw, syntaxError: e.message };
    }
  }

  /** A candidate file's verdict: errors (it cannot be used), failed tests, warnings (unknown
   *  group members, and tests the evaluator could not decide). */
  function examine({ text, value, root }) {
    const errors = checkPolicy(value);
    if (errors.length) return { errors, failed: [], warnings: [] };
    const rules = compileRules(value, root);
    const names = world(value, devices());
    const run = testRun(text ?? value, value.tests ?? []);
    return { errors, failed: run.failed, warnings: [...warningsOf(value, logins()), ...undecided(run)], rules, names };
  }

  /** Tests the evaluator could not decide, as [src, warning] pairs like warningsOf's. */
  const undecided = (run) => run.warnings.flatMap(({ user, warnings }) => warnings.map((w) => [user, w]));

  const fileErrors = (errors) => ({ message: errors.length === 1 ? errors[0] : `${errors[0]} (and ${errors.length - 1} more)`, data: [{ errors }] });

  function warningData(warnings) {
    const byGroup = new Map();
    for (const [group, w] of warnings) byGroup.set(group, [...(byGroup.get(group) ?? []), w]);
    return [...byGroup].map(([user, list]) => ({ user, warnings: list }));
  }

  function current() {
    const parsed = parseHujson(policy.text);
    return { ...parsed, text: policy.text };
  }

  /** The stored file, as GET and a successful POST answer it. */
  function fileAnswer(req) {
    const accept = (req.headers.accept ?? "").toLowerCase();
    const json = accept.includes("application/json") && !accept.includes("application/hujson");
    return { status: 200, headers: { "content-type": json ? "application/json" : "application/hujson", etag: etagOf(policy.text) }, body: json ? standardize(policy.text) : policy.text };
  }

  function get(req, query) {
    if (query.get("details") !== "true") return fileAnswer(req);
    const warnings = warningsOf(current().value, logins()).map(([group, w]) => `"${group}": ${w}`);
    const body = JSON.stringify({ acl: Buffer.from(policy.text, "utf8").toString("base64"), warnings, errors: null });
    return { status: 200, headers: { "content-type": "application/json", etag: etagOf(policy.text) }, body };
  }

  function set(req, raw) {
    const body = parseBody(raw, req, "request body is empty: send the whole policy file");
    if (body.syntaxError) throw bad(body.syntaxError);
    const verdict = examine(body);
    if (verdict.errors.length) throw new HttpError(400, fileErrors(verdict.errors).message, fileErrors(verdict.errors));
    if (verdict.failed.length) throw new HttpError(400, "test(s) failed", { message: "test(s) failed", data: verdict.failed });
    const ifMatch = req.headers["if-match"];
    if (ifMatch !== undefined) {
      const bare = ifMatch.trim().replace(/^"(.*)"$/, "$1");
      const ok = bare === "ts-default" ? policy.isDefault : `"${bare}"` === etagOf(policy.text);
      if (!ok) throw new HttpError(412, "precondition failed, invalid old hash");
    }
    policy.text = raw;
    policy.isDefault = false;
    return fileAnswer(req);
  }

  function validate(req, raw) {
    let body = parseBody(raw, req, NOT_A_BODY);
    if (!body.syntaxError && typeof body.value === "string") {
      // The spec's other form: the file's text as a JSON string.
      const text = body.value;
      try {
        body = { text, ...parseHujson(text, { uniqueNames: true }) };
      } catch (e) {
        if (!(e instanceof HujsonError)) throw e;
        body = { text, syntaxError: e.message };
      }
    }
    if (body.syntaxError) return [200, fileErrors([body.syntaxError])];
    if (Array.isArray(body.value)) {
      const problems = body.value.flatMap((t, k) => checkTest(t, `[${k}]`));
      if (problems.length) throw bad(problems.length === 1 ? problems[0] : `${problems[0]} (and ${problems.length - 1} more)`);
      const run = testRun(policy.text, body.value);
      const warnings = warningData(undecided(run));
      if (run.failed.length) return [200, { message: "test(s) failed", data: [...run.failed, ...warnings] }];
      return [200, warnings.length ? { message: "warning(s) found", data: warnings } : {}];
    }
    if (!isObject(body.value)) throw bad(NOT_A_BODY);
    const verdict = examine(body);
    if (verdict.errors.length) return [200, fileErrors(verdict.errors)];
    const warnings = warningData(verdict.warnings);
    if (verdict.failed.length) return [200, { message: "test(s) failed", data: [...verdict.failed, ...warnings] }];
    if (warnings.length) return [200, { message: "warning(s) found", data: warnings }];
    return [200, {}];
  }

  function preview(req, raw, query) {
    const type = query.get("type");
    const previewFor = query.get("previewFor");
    if (type !== "user" && type !== "ipport") throw bad('type must be "user" or "ipport"');
    if (!previewFor) throw bad("previewFor is required: a user's login, or an IP address and port");
    const target = type === "ipport" ? destination(previewFor) : null;
    if (target && (typeof target === "string" || (ipv4(target.host) === null && !isIPv6(target.host)))) throw bad("previewFor must be an IP address and a port, such as 100.64.0.1:80");
    const body = parseBody(raw, req, "request body must be a policy file");
    if (body.syntaxError) throw bad(body.syntaxError);
    if (!isObject(body.value)) throw bad("request body must be a policy file (an object)");
    const verdict = examine(body);
    if (verdict.errors.length) throw new HttpError(400, fileErrors(verdict.errors).message, fileErrors(verdict.errors));
    const { rules, names } = verdict;
    const applies = (r) =>
      target
        ? r.targets.some((x) => names.covers(x.host, target.host) && x.ranges.some(([lo, hi]) => target.port >= lo && target.port <= hi))
        : r.src.some((e) => names.admits(e, previewFor));
    const matches = rules.filter(applies).map((r) => ({ users: r.users, ports: r.ports, lineNumber: position(body.text, r.start).line }));
    return [200, { matches, type, previewFor }];
  }

  /** Routes /tailnet/{t}/acl[/validate|/preview]; null for any other path. An answer is
   *  `[status, json]` or `{ status, headers, body }` (text). */
  function route(method, segments, query, req, raw, authenticate) {
    if (!isPolicyPath(segments)) return null;
    const caller = authenticate();
    if (segments[1] !== "-" && segments[1] !== tailnetName) throw new HttpError(404, "tailnet not found");
    const sub = segments[3];
    if (sub === undefined && method === "GET") {
      requireScope(caller, "policy_file", false);
      return get(req, query);
    }
    if (method !== "POST") throw new HttpError(405, "method not allowed");
    requireScope(caller, "policy_file", sub === undefined);
    if (sub === undefined) return set(req, raw);
    if (sub === "validate") return validate(req, raw);
    return preview(req, raw, query);
  }

  return { owns, route };
}
