// The demo tailnet's users endpoints and its access evaluator (www/demo-tailnet/access.mjs):
// each selector kind, postures, routes and exit nodes, protocols, the `tests` runner behind
// /acl/validate with SaaS's failure lines and refusals, and the generator of random tailnets.
// The verdicts here are worked out by hand from the docs and research/captures/semantics.md. It
// imports no package, so it runs before `make test-js` installs one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createDemoTailnet, SEED_POLICY } from "../../www/demo-tailnet.mjs";
import { createAccessEvaluator } from "../../www/demo-tailnet/access.mjs";
import { generateTailnet, probesFor } from "../../www/demo-tailnet/generate.mjs";
import { validator } from "./spec.mjs";

/** A fresh demo tailnet on loopback, closed after the test; `api` calls it with the demo's key. */
async function start(t, opts) {
  const tailnet = createDemoTailnet(opts);
  const base = await tailnet.listen();
  t.after(() => tailnet.close());
  const api = async (path, { method = "GET", token = tailnet.credentials.apiKey, body, headers = {} } = {}) => {
    const r = await fetch(`${base}/api/v2${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers }, body });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  const token = async (scope) => {
    const form = new URLSearchParams({ client_id: tailnet.credentials.oauth.clientId, client_secret: tailnet.credentials.oauth.clientSecret, grant_type: "client_credentials", scope });
    return (await (await fetch(`${base}/api/v2/oauth/token`, { method: "POST", body: form })).json()).access_token;
  };
  const validate = (body) => api("/tailnet/-/acl/validate", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { tailnet, base, api, token, validate };
}

// ---- users -------------------------------------------------------------------------------

test("users: the seed, by type and role, each in the spec's User shape", async (t) => {
  const { api } = await start(t);
  const logins = async (query) => {
    const r = await api(`/tailnet/-/users${query}`);
    assert.equal(r.status, 200, query);
    return r.body.users.map((u) => u.loginName);
  };
  assert.deepEqual(await logins(""), ["demo@example.com", "amelie@example.com", "noor@example.com"], "members by default");
  assert.deepEqual(await logins("?type=member&role=all"), await logins(""));
  assert.deepEqual(await logins("?type=shared"), ["sasha@partner.example"]);
  assert.deepEqual(await logins("?type=all"), ["demo@example.com", "amelie@example.com", "noor@example.com", "sasha@partner.example"]);
  assert.deepEqual(await logins("?role=owner"), ["demo@example.com"]);
  assert.deepEqual(await logins("?role=it-admin"), ["noor@example.com"]);
  assert.deepEqual(await logins("?type=all&role=member"), ["amelie@example.com", "sasha@partner.example"]);
  assert.deepEqual(await logins("?role=auditor"), []);
  const user = validator("/components/schemas/User");
  const { body } = await api("/tailnet/-/users?type=all");
  for (const u of body.users) {
    assert.ok(user(u), `${u.loginName}: ${JSON.stringify(user.errors)}`);
    assert.deepEqual(Object.keys(u).sort(), ["created", "currentlyConnected", "deviceCount", "displayName", "id", "lastSeen", "loginName", "profilePicUrl", "role", "status", "tailnetId", "type"]);
  }
  const by = Object.fromEntries(body.users.map((u) => [u.loginName, u]));
  // demo owns build-box and lab-workstation; its tagged devices belong to their tags.
  assert.deepEqual([by["demo@example.com"].deviceCount, by["demo@example.com"].currentlyConnected, by["demo@example.com"].status], [2, true, "active"]);
  assert.deepEqual([by["amelie@example.com"].deviceCount, by["amelie@example.com"].currentlyConnected, by["amelie@example.com"].status], [1, false, "active"]);
  assert.ok(Date.now() - Date.parse(by["amelie@example.com"].lastSeen) > 2 * 3600e3, "her laptop's lastSeen");
  assert.deepEqual([by["noor@example.com"].deviceCount, by["noor@example.com"].status], [0, "idle"]);
  assert.deepEqual([by["sasha@partner.example"].type, by["sasha@partner.example"].tailnetId, by["sasha@partner.example"].deviceCount], ["shared", "partner.example", 1]);
  assert.equal(by["demo@example.com"].id, "uDEMO11CNTRL", "the id keys carry as userId");
});

test("users: every device's owner is a user; the shared user's device is shared in", async (t) => {
  const { api } = await start(t);
  const { body } = await api("/tailnet/-/devices");
  const users = new Set((await api("/tailnet/-/users?type=all")).body.users.map((u) => u.loginName));
  for (const d of body.devices) assert.ok(users.has(d.user), `${d.hostname}: ${d.user}`);
  const nas = body.devices.find((d) => d.hostname === "sasha-nas");
  assert.deepEqual([nas.isExternal, nas.user, nas.addresses[0]], [true, "sasha@partner.example", "100.101.102.103"]);
  assert.ok(body.devices.filter((d) => d !== nas).every((d) => d.isExternal === false));
});

test("users: get by id, 400 for other filter values, 404, 405, and the users:read scope", async (t) => {
  const { api, token } = await start(t);
  const { body } = await api("/tailnet/-/users?type=all");
  for (const u of body.users) assert.deepEqual((await api(`/users/${u.id}`)).body, u);
  for (const query of ["?type=admin", "?type=", "?role=superuser", "?role=Owner", "?type=all&role=x"]) {
    const r = await api(`/tailnet/-/users${query}`);
    assert.equal(r.status, 400, query);
    assert.equal(typeof r.body.message, "string");
  }
  assert.equal((await api("/users/uNOPECNTRL")).status, 404);
  assert.equal((await api("/tailnet/other.example/users")).status, 404);
  assert.equal((await api("/tailnet/-/users", { method: "POST" })).status, 405);
  assert.equal((await api("/tailnet/-/users", { token: "tskey-api-nope" })).status, 401);
  const reader = await token("users:read");
  assert.equal((await api("/tailnet/-/users", { token: reader })).status, 200);
  assert.equal((await api(`/users/${body.users[0].id}`, { token: reader })).status, 200);
  const other = await token("devices:core");
  const denied = await api("/tailnet/-/users", { token: other });
  assert.equal(denied.status, 403);
  assert.match(denied.body.message, /users:read/);
  assert.equal((await api(`/users/${body.users[0].id}`, { token: other })).status, 403);
});

test("users: a login's first device makes it a member; a key's device keeps its owner", async (t) => {
  const { tailnet, api } = await start(t);
  const device = tailnet.registerDevice({ login: "zoe@example.com", hostname: "zoe-laptop", os: "macOS" });
  assert.equal(device.user, "zoe@example.com");
  const zoe = (await api("/tailnet/-/users")).body.users.find((u) => u.loginName === "zoe@example.com");
  assert.deepEqual([zoe.type, zoe.role, zoe.deviceCount, zoe.currentlyConnected], ["member", "member", 1, true]);
  assert.equal((await api(`/users/${zoe.id}`)).body.loginName, "zoe@example.com");
  tailnet.registerDevice({ login: "zoe@example.com", hostname: "zoe-phone" });
  assert.equal((await api("/tailnet/-/users?type=all")).body.users.length, 5, "one user, two devices");
  assert.throws(() => tailnet.registerDevice({ login: "not-a-login", hostname: "x" }), /login/);
  // Without the seed, the demo user (the owner) still exists.
  const bare = createDemoTailnet({ seed: false });
  assert.deepEqual([...bare.state.users.values()].map((u) => [u.loginName, u.role]), [["demo@example.com", "owner"]]);
});

// ---- the evaluator, on a small tailnet worked out by hand ---------------------------------

const USERS = [
  { id: "u1", loginName: "owner@ex.com", role: "owner", type: "member" },
  { id: "u2", loginName: "admin@ex.com", role: "admin", type: "member" },
  { id: "u3", loginName: "it@ex.com", role: "it-admin", type: "member" },
  { id: "u4", loginName: "mem@ex.com", role: "member", type: "member" },
  { id: "u5", loginName: "ghost@ex.com", role: "auditor", type: "member" },
  { id: "u6", loginName: "pal@partner.example", role: "member", type: "shared" },
];
const dev = (nodeId, v4, user, fields = {}) => ({ nodeId, name: `${nodeId}.ex-com.ts.net`, addresses: [v4, `fd7a:115c:a1e0::${v4.split(".").at(-1)}`], user, enabledRoutes: [], advertisedRoutes: [], isExternal: false, ...fields });
const DEVICES = [
  dev("o1", "100.64.0.1", "owner@ex.com"),
  dev("a1", "100.64.0.2", "admin@ex.com"),
  dev("m1", "100.64.0.3", "mem@ex.com"),
  dev("m2", "100.64.0.4", "mem@ex.com"),
  dev("i1", "100.64.0.5", "it@ex.com"),
  dev("web", "100.64.0.10", "owner@ex.com", { tags: ["tag:web"] }),
  dev("db", "100.64.0.11", "owner@ex.com", { tags: ["tag:web", "tag:db"] }),
  dev("r1", "100.64.0.20", "owner@ex.com", { tags: ["tag:router"], advertisedRoutes: ["10.1.0.0/16", "10.2.0.0/16"], enabledRoutes: ["10.1.0.0/16"] }),
  dev("r2", "100.64.0.21", "owner@ex.com", { tags: ["tag:router"], advertisedRoutes: ["10.1.2.0/24"], enabledRoutes: ["10.1.2.0/24"] }),
  dev("x1", "100.64.0.30", "owner@ex.com", { tags: ["tag:exit"], advertisedRoutes: ["0.0.0.0/0", "::/0"], enabledRoutes: ["0.0.0.0/0", "::/0"] }),
  dev("s1", "100.99.0.1", "pal@partner.example", { isExternal: true, addresses: ["100.99.0.1", "fd7a:115c:a1e0::99:1"] }),
];
const ALL_ATTRIBUTES = Object.fromEntries(DEVICES.map((d) => [d.nodeId, { "node:os": "linux" }]));
const BASE = {
  groups: { "group:eng": ["mem@ex.com", "it@ex.com"] },
  tagOwners: { "tag:web": [], "tag:db": [], "tag:router": [], "tag:exit": [] },
  hosts: { dbhost: "100.64.0.11", lab: "10.1.2.0/24", far: "172.20.0.0/16" },
  ipsets: { "ipset:lab": ["add 10.1.0.0/16", "remove 10.1.3.0/24"], "ipset:both": ["add ipset:lab", "add host:far"] },
};

/** A model over the hand-made tailnet with `rules` (grants, unless an acl is given as such). */
function model(extra, options = {}) {
  const { attributes = ALL_ATTRIBUTES, devices = DEVICES } = options;
  return createAccessEvaluator({ policy: { ...BASE, ...extra }, devices, users: "users" in options ? options.users : USERS, attributes });
}
const grant = (src, dst, ip = ["*"], more = {}) => ({ grants: [{ src, dst, ip, ...more }] });

/** The sources (device ids) the model admits to `dst`, in DEVICES order. */
function admitted(m, dst, proto = "tcp", port = 22) {
  return DEVICES.filter((d) => d.nodeId !== dst && m.reach({ src: d.nodeId, dst, proto, port }).verdict === "accept").map((d) => d.nodeId);
}
const verdict = (m, src, dst, proto = "tcp", port = 22) => m.reach({ src, dst, proto, port }).verdict;

test("selectors as sources: *, users, groups, tags, autogroups, roles, addresses", () => {
  const everyone = DEVICES.map((d) => d.nodeId).filter((id) => id !== "web");
  assert.deepEqual(admitted(model(grant(["*"], ["tag:web"])), "web"), everyone, "* is every device, shared ones too");
  // A user is their untagged devices: owner@ex.com tagged web, db, r1, r2 and x1, yet owns only o1.
  assert.deepEqual(admitted(model(grant(["owner@ex.com"], ["tag:db"])), "db"), ["o1"]);
  assert.deepEqual(admitted(model(grant(["user:mem@ex.com"], ["tag:db"])), "db"), ["m1", "m2"]);
  assert.deepEqual(admitted(model(grant(["group:eng"], ["tag:db"])), "db"), ["m1", "m2", "i1"]);
  assert.deepEqual(admitted(model(grant(["tag:web"], ["owner@ex.com"])), "o1"), ["web", "db"], "a device with two tags is in each");
  assert.deepEqual(admitted(model(grant(["autogroup:member"], ["tag:db"])), "db"), ["o1", "a1", "m1", "m2", "i1"], "not tagged, not shared in");
  assert.deepEqual(admitted(model(grant(["autogroup:tagged"], ["owner@ex.com"])), "o1"), ["web", "db", "r1", "r2", "x1"]);
  assert.deepEqual(admitted(model(grant(["autogroup:admin"], ["tag:db"])), "db"), ["o1", "a1"], "admins and the owner");
  assert.deepEqual(admitted(model(grant(["autogroup:owner"], ["tag:db"])), "db"), ["o1"]);
  assert.deepEqual(admitted(model(grant(["autogroup:it-admin"], ["tag:db"])), "db"), ["i1"]);
  assert.deepEqual(admitted(model(grant(["autogroup:auditor"], ["tag:db"])), "db"), [], "ghost@ex.com has no device");
  assert.deepEqual(admitted(model(grant(["autogroup:shared"], ["tag:db"])), "db"), ["s1"]);
  assert.deepEqual(admitted(model(grant(["pal@partner.example"], ["tag:db"])), "db"), ["s1"]);
  assert.deepEqual(admitted(model(grant(["user:*@ex.com"], ["tag:db"])), "db"), ["o1", "a1", "m1", "m2", "i1"]);
  // Addresses: a /30 holds .0 to .3; a v4 prefix never covers a device's IPv6 address.
  const slash30 = model(grant(["100.64.0.0/30"], ["tag:db"]));
  assert.deepEqual(admitted(slash30, "db"), ["o1", "a1", "m1"]);
  assert.equal(verdict(slash30, "m1", "fd7a:115c:a1e0::11"), "drop", "v4 prefix, v6 destination");
  assert.equal(verdict(slash30, "m1", "100.64.0.11"), "accept");
  assert.deepEqual(admitted(model(grant(["dbhost"], ["tag:web"])), "web"), ["db"], "a host alias is its address");
});

test("hosts behind routes and the internet as sources: *, CIDRs, danger-all", () => {
  const star = model(grant(["*"], ["tag:db"]));
  assert.equal(verdict(star, "10.1.5.5", "db"), "accept", "* holds every approved route");
  assert.equal(verdict(star, "10.2.0.5", "db"), "drop", "an advertised, unapproved route is not in *");
  assert.equal(verdict(star, "203.0.113.7", "db"), "drop");
  assert.equal(verdict(star, "100.64.0.3", "db"), "accept", "an address of a device is that device");
  const danger = model(grant(["autogroup:danger-all"], ["tag:db"]));
  assert.equal(verdict(danger, "203.0.113.7", "db"), "accept");
  assert.equal(verdict(danger, "2001:db8::7", "fd7a:115c:a1e0::11"), "accept");
  assert.equal(verdict(model(grant(["ipset:lab"], ["tag:db"])), "10.1.3.5", "db"), "drop", "removed from the set");
  assert.equal(verdict(model(grant(["ipset:lab"], ["tag:db"])), "10.1.4.5", "db"), "accept");
  // Posture does not apply to hosts behind routers: they pass a gated rule.
  const gated = model({ postures: { "posture:mac": ["node:os == 'macos'"] }, ...grant(["*"], ["tag:db"], ["*"], { srcPosture: ["posture:mac"] }) });
  assert.equal(verdict(gated, "10.1.5.5", "db"), "accept");
  assert.equal(verdict(gated, "m1", "db"), "drop");
});

test("selectors as destinations: devices, self, hosts, CIDRs, IP sets, routes and exit nodes", () => {
  const self = model(grant(["autogroup:member"], ["autogroup:self"]));
  assert.equal(verdict(self, "m1", "m2"), "accept", "the same user's other device");
  assert.equal(verdict(self, "m1", "o1"), "drop");
  assert.equal(verdict(self, "web", "o1"), "drop", "a tagged device has no self");
  assert.deepEqual(admitted(self, "m2"), ["m1"]);
  const acl = { acls: [{ action: "accept", src: ["*"], dst: ["autogroup:self:22"] }] };
  assert.deepEqual(admitted(model(acl), "m1"), ["m2"], "in acls, * with self: each user's own devices");
  // Subnet routes: approved only, longest prefix first, and the rule's prefix kept whole.
  const lab = model(grant(["group:eng"], ["10.1.0.0/16"]));
  assert.equal(verdict(lab, "m1", "10.1.2.9"), "accept", "through r2, whose /24 overlaps the rule's /16");
  assert.equal(verdict(lab, "m1", "10.1.200.1"), "accept", "through r1");
  assert.equal(verdict(lab, "m1", "10.2.0.9"), "drop", "the unapproved route carries nothing");
  assert.equal(verdict(lab, "o1", "10.1.2.9"), "drop", "not in group:eng");
  assert.equal(verdict(model(grant(["group:eng"], ["lab"])), "m1", "10.1.2.9"), "accept", "a host alias that is a prefix");
  assert.equal(verdict(model(grant(["group:eng"], ["tag:router"])), "m1", "10.1.2.9"), "drop", "reaching the router is not reaching its subnet");
  const set = model(grant(["group:eng"], ["ipset:lab"]));
  assert.deepEqual(["10.1.3.9", "10.1.4.9"].map((a) => verdict(set, "m1", a)), ["drop", "accept"]);
  assert.equal(verdict(model(grant(["group:eng"], ["dbhost"])), "m1", "db"), "accept", "by its address");
  // Exit nodes: autogroup:internet is public space only; * also reaches private addresses.
  const internet = model(grant(["autogroup:member"], ["autogroup:internet"]));
  assert.equal(verdict(internet, "m1", "8.8.8.8", "tcp", 443), "accept");
  assert.equal(verdict(internet, "m1", "2001:4860:4860::8888", "tcp", 443), "accept");
  assert.equal(verdict(internet, "m1", "192.168.254.1", "tcp", 443), "drop");
  assert.equal(verdict(internet, "web", "8.8.8.8", "tcp", 443), "drop");
  assert.equal(verdict(internet, "m1", "10.1.2.9", "tcp", 443), "drop", "a routed subnet is not the internet");
  const anything = model(grant(["autogroup:member"], ["*"]));
  assert.equal(verdict(anything, "m1", "192.168.254.1", "tcp", 443), "accept", "* lets the exit node forward anything");
  assert.equal(verdict(anything, "m1", "224.0.0.251", "udp", 5353), "drop", "never multicast");
  assert.equal(verdict(model(grant(["autogroup:member"], ["far"])), "m1", "172.20.0.5"), "drop", "a private prefix outside the internet is not delivered to the exit node");
  assert.equal(verdict(model(grant(["autogroup:member"], ["8.8.8.0/24"])), "m1", "8.8.8.8"), "accept", "a public prefix is");
  const noExit = model(grant(["autogroup:member"], ["autogroup:internet"]), { devices: DEVICES.filter((d) => d.nodeId !== "x1") });
  assert.equal(verdict(noExit, "m1", "8.8.8.8"), "drop");
  assert.match(noExit.reach({ src: "m1", dst: "8.8.8.8", port: 22 }).reason, /no device, approved route or exit node/);
});

test("protocols and ports: tcp:22 also pings; other protocols need every port", () => {
  const ssh = model(grant(["group:eng"], ["tag:db"], ["tcp:22"]));
  assert.deepEqual([verdict(ssh, "m1", "db", "tcp", 22), verdict(ssh, "m1", "db", "tcp", 23), verdict(ssh, "m1", "db", "udp", 22)], ["accept", "drop", "drop"]);
  assert.equal(verdict(ssh, "m1", "db", "icmp"), "accept", "ICMP wherever any port is open");
  assert.equal(verdict(ssh, "m1", "fd7a:115c:a1e0::11", "icmp"), "accept", "ICMPv6 too");
  const bare = model(grant(["group:eng"], ["tag:db"], ["53"]));
  assert.deepEqual([verdict(bare, "m1", "db", "tcp", 53), verdict(bare, "m1", "db", "udp", 53), verdict(bare, "m1", "db", 47, 0)], ["accept", "accept", "drop"]);
  assert.equal(verdict(model(grant(["group:eng"], ["tag:db"], ["*"])), "m1", "db", "gre"), "drop", "a grant's * is TCP, UDP and ICMP only");
  assert.equal(verdict(model(grant(["group:eng"], ["tag:db"], ["47"])), "m1", "db", "gre"), "drop", "47 is a port");
  assert.equal(verdict(model(grant(["group:eng"], ["tag:db"], ["gre:*"])), "m1", "db", "gre"), "accept");
  const acl = (dst, proto) => model({ acls: [{ action: "accept", src: ["group:eng"], dst: [dst], ...(proto ? { proto } : {}) }] });
  assert.deepEqual([verdict(acl("tag:db:*"), "m1", "db", "tcp", 0), verdict(acl("tag:db:1-65535"), "m1", "db", "tcp", 0)], ["accept", "drop"], "* includes port 0");
  assert.deepEqual([verdict(acl("tag:db:80,443", "udp"), "m1", "db", "udp", 443), verdict(acl("tag:db:80,443", "udp"), "m1", "db", "tcp", 443)], ["accept", "drop"]);
  assert.deepEqual([verdict(acl("tag:db:*", "gre"), "m1", "db", 47), verdict(acl("tag:db:22", "gre"), "m1", "db", 47)], ["accept", "drop"]);
  assert.equal(verdict(acl("tag:db:*", "sctp"), "m1", "db", "sctp", 9), "accept");
  assert.throws(() => ssh.reach({ src: "m1", dst: "db", proto: "tcp" }), /port/);
  assert.throws(() => ssh.reach({ src: "m1", dst: "db", proto: "bogus", port: 1 }), /proto/);
  assert.throws(() => ssh.reach({ src: "nope", dst: "db", port: 1 }), /src/);
});

test("rules add up: a union with no order; acls and grants together; the admitting rules named", () => {
  const m = createAccessEvaluator({
    policy: `{
  "tagOwners": {"tag:db": []},
  "grants": [
    {"src": ["mem@ex.com"], "dst": ["tag:db"], "ip": ["tcp:22"]},
    {"src": ["group:none@scim.example"], "dst": ["tag:db"], "ip": ["tcp:5432"]},
  ],
  "acls": [
    {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:db:22,5432"]},
  ],
}`,
    devices: DEVICES,
    users: USERS,
    attributes: ALL_ATTRIBUTES,
  });
  assert.deepEqual(m.reach({ src: "m1", dst: "db", port: 22 }), { verdict: "accept", rules: [{ section: "acls", index: 0, line: 8 }, { section: "grants", index: 0, line: 4 }] });
  assert.deepEqual(m.reach({ src: "o1", dst: "db", port: 5432 }).rules, [{ section: "acls", index: 0, line: 8 }]);
  assert.equal(verdict(m, "web", "db", "tcp", 22), "drop");
  // A SCIM group's members are not known: it may admit the tagged device? Never (groups are users).
  assert.equal(verdict(m, "web", "db", "tcp", 5432), "drop");
  const deny = createAccessEvaluator({ policy: { grants: [] }, devices: DEVICES });
  assert.equal(verdict(deny, "m1", "m2"), "drop", `"grants": [] denies everything`);
});

test("postures: srcPosture, else defaultSrcPosture; reasons in words; unknown attributes", () => {
  const postures = { "posture:mac": ["node:os == 'macos'"], "posture:tier": ["custom:tier >= 2"] };
  const attributes = { ...ALL_ATTRIBUTES, m1: { "node:os": "macos" }, m2: { "node:os": "linux", "custom:tier": 3 } };
  const m = model({ postures, defaultSrcPosture: ["posture:mac"], grants: [{ src: ["group:eng"], dst: ["tag:db"], ip: ["tcp:22"] }, { src: ["group:eng"], dst: ["tag:db"], ip: ["tcp:443"], srcPosture: ["posture:tier"] }, { src: ["group:eng"], dst: ["tag:db"], ip: ["tcp:80"], srcPosture: [] }] }, { attributes });
  assert.deepEqual([verdict(m, "m1", "db", "tcp", 22), verdict(m, "m2", "db", "tcp", 22)], ["accept", "drop"], "the default applies");
  assert.deepEqual([verdict(m, "m1", "db", "tcp", 443), verdict(m, "m2", "db", "tcp", 443)], ["drop", "accept"], "srcPosture replaces the default");
  assert.deepEqual([verdict(m, "m1", "db", "tcp", 80), verdict(m, "m2", "db", "tcp", 80)], ["accept", "drop"], "an empty [] counts as absent: the default applies");
  assert.deepEqual(m.reach({ src: "m1", dst: "db", port: 443 }).blockedBy, [{ section: "grants", index: 1, line: null, failed: [{ posture: "posture:tier", condition: "custom:tier >= 2", reason: "custom:tier is not set" }] }]);
  assert.match(JSON.stringify(m.reach({ src: "m2", dst: "db", port: 22 }).blockedBy), /node:os is 'linux', not == 'macos'/);
  // Any listed posture admits.
  const either = model({ postures, ...grant(["group:eng"], ["tag:db"], ["*"], { srcPosture: ["posture:tier", "posture:mac"] }) }, { attributes });
  assert.deepEqual(["m1", "m2", "i1"].map((s) => verdict(either, s, "db")), ["accept", "accept", "drop"]);
  // A device with no attributes given: indeterminate, never a guess; shared-in devices are exempt.
  const partial = model({ postures, ...grant(["*"], ["tag:db"], ["*"], { srcPosture: ["posture:mac"] }) }, { attributes: { m1: { "node:os": "macos" } } });
  assert.equal(verdict(partial, "m1", "db"), "accept");
  const unknown = partial.reach({ src: "m2", dst: "db", port: 22 });
  assert.equal(unknown.verdict, "indeterminate");
  assert.match(unknown.reason, /posture attributes of m2\.ex-com\.ts\.net were not given/);
  assert.equal(verdict(partial, "s1", "db"), "accept", "postures do not apply to shared-in devices");
});

test("what the model cannot know is indeterminate: via, SCIM groups, roles without users, svc:", () => {
  const via = model(grant(["group:eng"], ["10.1.0.0/16"], ["*"], { via: ["tag:router"] }));
  assert.equal(verdict(via, "m1", "10.1.2.9"), "indeterminate");
  assert.match(via.reach({ src: "m1", dst: "10.1.2.9", port: 22 }).reason, /via tag:router/);
  assert.equal(verdict(via, "o1", "10.1.2.9"), "drop", "not in the grant's sources anyway");
  const both = model({ grants: [{ src: ["group:eng"], dst: ["10.1.0.0/16"], ip: ["*"], via: ["tag:router"] }, { src: ["mem@ex.com"], dst: ["10.1.0.0/16"], ip: ["tcp:22"] }] });
  assert.equal(verdict(both, "m1", "10.1.2.9"), "accept", "a plain grant decides it");
  const scim = model(grant(["group:eng@scim.example"], ["tag:db"]));
  assert.equal(verdict(scim, "m1", "db"), "indeterminate");
  assert.equal(verdict(scim, "web", "db"), "drop", "a group never holds tagged devices");
  const roles = model(grant(["autogroup:admin"], ["tag:db"]), { users: undefined });
  assert.deepEqual([verdict(roles, "a1", "db"), verdict(roles, "web", "db")], ["indeterminate", "drop"]);
  assert.equal(model(grant(["*"], ["svc:db"])).reach({ src: "m1", dst: "svc:db", port: 5432 }).verdict, "indeterminate");
});

test("whoCanReach lists every device admitted, with the rules", () => {
  const m = model({ grants: [{ src: ["group:eng"], dst: ["tag:db"], ip: ["tcp:22"] }, { src: ["tag:web"], dst: ["tag:db"], ip: ["*"] }] });
  assert.deepEqual(m.whoCanReach({ dst: "db", proto: "tcp", port: 22 }).map((e) => [e.device.nodeId, e.rules.map((r) => r.index)]), [["m1", [0]], ["m2", [0]], ["i1", [0]], ["web", [1]]]);
  assert.deepEqual(m.whoCanReach({ dst: "db", proto: "udp", port: 22 }).map((e) => e.device.nodeId), ["web"]);
  assert.deepEqual(m.whoCanReach({ dst: "10.1.2.9", proto: "tcp", port: 22 }), []);
});

// ---- the demo tailnet as it is -------------------------------------------------------------

test("the issue's example: an acls rule still admits demo@example.com to tag:router:22 after a posture-gated grant", async (t) => {
  const { tailnet, base } = await start(t);
  const file = SEED_POLICY.replace(`        {"src": ["tag:ci"], "dst": ["tag:prod"], "ip": ["tcp:22"]},`, `        {"src": ["tag:ci"], "dst": ["tag:prod"], "ip": ["tcp:22"]},
        {"src": ["autogroup:member"], "dst": ["tag:router"], "ip": ["tcp:22"], "srcPosture": ["posture:provisioned"]},`);
  assert.notEqual(file, SEED_POLICY);
  const written = await fetch(`${base}/api/v2/tailnet/-/acl`, { method: "POST", headers: { authorization: `Bearer ${tailnet.credentials.apiKey}`, "content-type": "application/hujson" }, body: file });
  assert.equal(written.status, 200, await written.text());
  const m = tailnet.access();
  const id = (host) => [...tailnet.state.devices.values()].find((d) => d.hostname === host).nodeId;
  // build-box is demo@example.com's, with custom:provisioned false: the grant refuses it, the acl admits it.
  const box = m.reach({ src: id("build-box"), dst: id("lab-router"), proto: "tcp", port: 22 });
  assert.equal(box.verdict, "accept");
  assert.deepEqual(box.rules.map((r) => `${r.section}[${r.index}]`), ["acls[0]"]);
  assert.equal(box.rules[0].line, file.split("\n").findIndex((l) => l.includes('"src": ["group:admins"], "dst": ["lab-net:*"')) + 1);
  // lab-workstation passes the posture too: both rules admit it.
  assert.deepEqual(m.reach({ src: id("lab-workstation"), dst: id("lab-router"), port: 22 }).rules.map((r) => r.section), ["acls", "grants"]);
  // amelie is no admin and not provisioned: refused, and told why.
  const amelie = m.reach({ src: id("amelie-laptop"), dst: id("lab-router"), port: 22 });
  assert.equal(amelie.verdict, "drop");
  assert.deepEqual(amelie.blockedBy.map((b) => [b.section, b.index, b.failed[0].reason]), [["grants", 2, "custom:provisioned is not set"]]);
  assert.equal(m.reach({ src: id("ci-runner-1"), dst: id("lab-router"), port: 22 }).verdict, "drop", "tagged: not a member");
});

test("the seeded tailnet: who reaches prod-api, the lab network and build-box", async (t) => {
  const { tailnet } = await start(t);
  const m = tailnet.access();
  const id = (host) => [...tailnet.state.devices.values()].find((d) => d.hostname === host).nodeId;
  const names = (list) => list.map((e) => e.device.name.split(".")[0]);
  assert.deepEqual(names(m.whoCanReach({ dst: id("prod-api"), proto: "tcp", port: 443 })), ["lab-workstation"], "only the provisioned device");
  assert.deepEqual(names(m.whoCanReach({ dst: id("prod-api"), proto: "tcp", port: 22 })), ["ci-runner-1"]);
  assert.deepEqual(names(m.whoCanReach({ dst: "10.0.0.7", proto: "tcp", port: 8080 })), ["build-box", "lab-workstation"], "group:admins, through lab-router");
  assert.deepEqual(names(m.whoCanReach({ dst: id("build-box"), proto: "tcp", port: 22 })), ["lab-workstation"], "posture:latest; build-box itself is left out");
  assert.equal(m.reach({ src: id("amelie-laptop"), dst: id("build-box"), port: 22 }).blockedBy[0].failed[0].reason, "node:tsVersion is '1.58.2', not >= '1.60'");
  assert.equal(m.reach({ src: id("sasha-nas"), dst: id("prod-api"), port: 443 }).verdict, "drop", "a shared-in device is no member");
  assert.deepEqual(m.issues, []);
  assert.deepEqual(m.runTests(), { failed: [], warnings: [] }, "the seed's own tests pass");
});

// ---- /acl/validate: tests and refusals ------------------------------------------------------

test("validate: failing tests in SaaS's words, one entry per failing test", async (t) => {
  const { validate } = await start(t);
  const r = await validate([
    { src: "amelie@example.com", accept: ["tag:prod:443", "tag:prod:22"], deny: ["build-box:3389"] },
    { src: "tag:ci", proto: "udp", accept: ["tag:prod:22"] },
    { src: "demo@example.com", deny: ["10.0.0.1:80"] },
  ]);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, {
    message: "test(s) failed",
    data: [
      { user: "amelie@example.com", errors: ['[acl test error]: address "tag:prod:443" (protocol "tcp"): want: Accept, got: Drop', '[acl test error]: address "tag:prod:22" (protocol "tcp"): want: Accept, got: Drop'] },
      { user: "tag:ci", errors: ['[acl test error]: address "tag:prod:22" (protocol "udp"): want: Accept, got: Drop'] },
      { user: "demo@example.com", errors: ['[acl test error]: address "10.0.0.1:80" (protocol "tcp"): want: Drop, got: Accept'] },
    ],
  });
});

test("validate: test semantics from SaaS's recorded verdicts", async (t) => {
  const { validate } = await start(t);
  const file = (tests, extra = {}) => ({
    hosts: { webserver: "100.64.0.5", prodbox: "100.103.8.15", internal: "10.0.0.0/8", lab: "10.0.0.0/24", one: "100.64.0.7/32" },
    tagOwners: { "tag:ci": [], "tag:prod": [], "tag:router": [] },
    grants: [{ src: ["tag:ci"], dst: ["prodbox", "100.64.0.5", "fd7a:115c:a1e0::7", "internal"], ip: ["tcp:22"] }, { src: ["amelie@example.com"], dst: ["webserver"], ip: ["tcp:80"] }],
    acls: [{ action: "accept", src: ["demo@example.com"], dst: ["tag:prod:443"], proto: "tcp" }],
    tests,
    ...extra,
  });
  const outcome = async (tests, extra) => {
    const r = await validate(file(tests, extra));
    assert.equal(r.status, 200);
    return r.body.message ?? "pass";
  };
  // An address no device has passes on the rules alone (…-host-alias-non-topology-dst).
  assert.equal(await outcome([{ src: "tag:ci", accept: ["prodbox:22", "[fd7a:115c:a1e0::7]:22", "100.64.0.5:22"] }]), "pass");
  // A CIDR, even a /32, is no test destination (…-prefix32-dst, …-cidr-dst).
  const cidr = await validate(file([{ src: "tag:ci", accept: ["100.64.0.5/32:22"] }]));
  assert.deepEqual(cidr.body.data[0].errors, ['[acl test error]: address "100.64.0.5/32:22": a test destination is one address, not a range (name it by a host, tag or user instead)']);
  // A host alias for a range is no test destination either, even where a rule admits all of it
  // (…-host-alias-cidr-dst); a /32 host alias is one address.
  assert.equal(await outcome([{ src: "tag:ci", accept: ["internal:22"] }]), "test(s) failed");
  const range = await validate(file([{ src: "tag:ci", deny: ["lab:23"] }]));
  assert.deepEqual(range.body.data[0].errors, ['[acl test error]: address "lab:23": "lab" is a host alias for a range of addresses, not one host']);
  assert.equal(await outcome([{ src: "tag:ci", accept: ["10.0.0.1:22"], deny: ["10.0.0.1:23", "one:22"] }]), "pass");
  // No proto: TCP will do (allpass-acls-and-grants-mixed); an explicit proto is honoured.
  assert.equal(await outcome([{ src: "amelie@example.com", accept: ["webserver:80"] }, { src: "amelie@example.com", proto: "udp", deny: ["webserver:80"] }]), "pass");
  assert.equal(await outcome([{ src: "demo@example.com", proto: "17", accept: ["tag:prod:443"] }]), "test(s) failed");
  assert.equal(await outcome([{ src: "demo@example.com", proto: "6", accept: ["tag:prod:443"] }]), "pass");
  // A test with neither accept nor deny fails (…-missing-accept-and-deny).
  const empty = await validate(file([{ src: "demo@example.com" }]));
  assert.deepEqual(empty.body.data, [{ user: "demo@example.com", errors: ["[acl test error]: the test has neither accept nor deny entries"] }]);
  // Undefined groups, tags and hosts fail, as sources and as destinations (src-unknown-*, dst-unknown-*).
  for (const [src, dst] of [["group:phantom", "tag:prod:443"], ["tag:phantom", "webserver:80"], ["phantomhost", "tag:prod:443"], ["ghost@nowhere.invalid", "tag:prod:443"], ["autogroup:bogus", "tag:prod:443"], ["demo@example.com", "tag:phantom:443"], ["demo@example.com", "phantomhost:443"], ["demo@example.com", "group:nonexistent:443"]]) {
    assert.equal(await outcome([{ src, accept: [dst] }]), "test(s) failed", `${src} -> ${dst}`);
  }
  // A user with no device is tested as a stand-in for one; so is a tag no device carries.
  assert.equal(await outcome([{ src: "noor@example.com", accept: ["tag:router:1"] }], { acls: [{ action: "accept", src: ["autogroup:it-admin"], dst: ["tag:router:*"] }] }), "pass");
  // autogroup:self: the source's own devices (deny-fail-autogroup-self-dst).
  assert.equal(await outcome([{ src: "demo@example.com", deny: ["autogroup:self:22"] }], { acls: [{ action: "accept", src: ["demo@example.com"], dst: ["autogroup:self:22"] }] }), "test(s) failed");
  // An IP source is the device that has it (accept-fail-ip-literal-src-host-dst): 100.64.0.4 is ci-runner-1.
  assert.equal(await outcome([{ src: "100.64.0.4", accept: ["prodbox:22"] }, { src: "100.64.0.3", deny: ["prodbox:22"] }]), "pass");
});

test("validate: a test the evaluator cannot decide is a warning, not a failure", async (t) => {
  const { validate } = await start(t);
  const r = await validate({
    tagOwners: { "tag:router": [] },
    grants: [{ src: ["autogroup:member"], dst: ["10.0.0.0/24"], ip: ["*"], via: ["tag:router"] }],
    tests: [{ src: "amelie@example.com", accept: ["10.0.0.9:22"] }],
  });
  assert.equal(r.body.message, "warning(s) found");
  assert.equal(r.body.data[0].user, "amelie@example.com");
  assert.match(r.body.data[0].warnings[0], /^indeterminate: address "10\.0\.0\.9:22": grants\[0\] is routed via tag:router/);
});

test("validate: what SaaS refuses, in its words", async (t) => {
  const { validate } = await start(t);
  const tags = { "tag:server": [], "tag:client": [] };
  const refusals = [
    [{ tagOwners: tags, acls: [{ action: "accept", src: ["tag:nonexistent"], dst: ["*:*"] }] }, 'src=tag not found: "tag:nonexistent"'],
    [{ tagOwners: tags, grants: [{ src: ["tag:nonexistent"], dst: ["*"], ip: ["*"] }] }, 'src=tag not found: "tag:nonexistent"'],
    [{ tagOwners: tags, acls: [{ action: "accept", src: ["*"], dst: ["tag:nonexistent:22"] }] }, 'dst="tag:nonexistent": tag not found: "tag:nonexistent"'],
    [{ acls: [{ action: "accept", src: ["autogroup:self"], dst: ["*:*"] }] }, '"autogroup:self" not valid on the src side of a rule'],
    [{ tagOwners: tags, acls: [{ action: "accept", src: ["autogroup:member", "tag:client"], dst: ["autogroup:self:*"] }] }, "autogroup:self can only be used with users, groups, or supported autogroups"],
    [{ grants: [{ src: ["*"], dst: ["autogroup:self"], ip: ["*"] }] }, "autogroup:self can only be used with users, groups, or supported autogroups"],
    [{ grants: [{ src: ["*"], dst: ["autogroup:danger-all"], ip: ["tcp:22"] }] }, "cannot use autogroup:danger-all as a dst"],
    [{ grants: [{ src: ["*"], dst: ["autogroup:internet"], app: { "example.com/cap/x": [{}] } }] }, "cannot use app grants with autogroup:internet"],
    [{ grants: [{ src: ["*"], dst: ["0.0.0.0/0"], ip: ["*"] }] }, 'dst "0.0.0.0/0": to allow all IP addresses, use "*" or "autogroup:internet"'],
    [{ grants: [{ src: ["*"], dst: ["::/0"], ip: ["*"] }] }, 'dst "::/0": to allow all IP addresses, use "*" or "autogroup:internet"'],
    [{ acls: [{ action: "accept", src: ["*"], dst: ["autogroup:self"] }] }, 'dst="autogroup:self": port range "self": invalid first integer'],
    [{ tagOwners: tags, acls: [{ action: "accept", src: ["*"], dst: ["tag:server:ssh"] }] }, 'dst="tag:server:ssh": port range "ssh": invalid first integer'],
    [{ acls: [{ action: "accept", src: ["*"], dst: ["100.64.0.1"] }] }, 'dst="100.64.0.1": hostport must contain a colon (":")'],
    [{ acls: [{ action: "accept", src: ["*"], dst: ["100.64.0.1:0"] }] }, `dst="100.64.0.1:0": port range "0": first port must be >0, or use '*' for wildcard`],
    [{ grants: [{ src: ["*"], dst: ["*"], ip: ["icmp"] }] }, 'port range "icmp": invalid first integer'],
    [{ grants: [{ src: ["*"], dst: ["*"], ip: ["tcp:0"] }] }, `port range "0": first port must be >0, or use '*' for wildcard`],
    [{ grants: [{ src: ["*"], dst: ["*"] }] }, "ip and app can not both be empty"],
    [{ grants: [{ src: ["*"], dst: ["*"], ip: [], app: {} }] }, "ip and app can not both be empty"],
    [{ grants: [{ src: ["*"], dst: ["10.0.0.0/8"], ip: ["*"], via: ["autogroup:tagged"] }] }, "via can only be a tag"],
    [{ grants: [{ src: ["*"], dst: ["10.0.0.0/8"], ip: ["*"], via: ["tag:nowhere"] }] }, 'tag "tag:nowhere" not found'],
    [{ grants: [{ src: ["*"], dst: ["*"], app: { "https://tailscale.com/cap/ingress": [{}] } }] }, "capability name must have the form {domain}/{path}"],
    [{ grants: [{ src: ["*"], dst: ["*"], app: { "tailscale.com/cap/funnel": [{}] } }] }, "capability name must not be in the tailscale.com domain"],
    [{ acls: [{ action: "deny", src: ["*"], dst: ["*:*"] }] }, 'action="deny" is not supported'],
    [{ groups: { "group:a": ["group:b"], "group:b": ["x@example.com"] } }, 'groups["group:a"]: "group:b": group members cannot be recursive'],
    [{ tagOwners: { "tag:сервер": [] } }, `tagOwners["tag:сервер"]: tag names must start with a letter, after 'tag:'`],
    [{ ssh: [{ action: "", src: ["*"], dst: ["autogroup:self"], users: ["root"] }] }, "action must be specified"],
    [{ ssh: [{ action: "ACCEPT", src: ["*"], dst: ["autogroup:self"], users: ["root"] }] }, '"ACCEPT" is not a valid action'],
    [{ ssh: [{ action: "accept", src: ["*"], dst: ["autogroup:self"], users: [] }] }, "users must be specified"],
    [{ ssh: [{ action: "accept", src: ["*"], dst: ["autogroup:self"], users: ["*"] }] }, 'user "*" is not valid'],
    [{ hosts: { srv: "100.64.0.5" }, ssh: [{ action: "accept", src: ["*"], dst: ["srv"], users: ["root"] }] }, 'invalid dst "srv"'],
    [{ ssh: [{ action: "check", src: ["*"], dst: ["autogroup:self"], users: ["root"], checkPeriod: "200h" }] }, "checkPeriod 200h0m0s is above the max (168h)"],
    [{ ssh: [{ action: "check", src: ["*"], dst: ["autogroup:self"], users: ["root"], checkPeriod: "-1m" }] }, "checkPeriod -1m0s must be a positive duration"],
    [{ ssh: [{ action: "check", src: ["*"], dst: ["autogroup:self"], users: ["root"], checkPeriod: "soon" }] }, 'time: invalid duration "soon"'],
  ];
  for (const [body, message] of refusals) {
    const r = await validate(body);
    assert.equal(r.status, 200);
    assert.equal(r.body.message, message, JSON.stringify(body));
  }
  // The demo's own words, where SaaS's are unknown, start with the field.
  const own = [
    [{ grants: [{ src: ["group:nope"], dst: ["*"], ip: ["*"] }] }, 'grants[0].src[0]: group "group:nope" is not defined'],
    [{ acls: [{ action: "accept", src: ["*"], dst: ["phantomhost:22"] }] }, 'acls[0].dst[0]: "phantomhost" is not a user, group, tag, host, IP set or address this file defines'],
    [{ grants: [{ src: ["*"], dst: ["ipset:nope"], ip: ["*"] }] }, 'grants[0].dst[0]: IP set "ipset:nope" is not defined'],
    [{ ipsets: { "ipset:a": ["add ipset:b"], "ipset:b": ["add ipset:a"] } }, 'ipsets["ipset:a"]: IP sets cannot refer to themselves, directly or through others'],
    [{ tagOwners: { "tag:x": [] }, ipsets: { "ipset:a": ["add tag:x"] } }, 'ipsets["ipset:a"][0]: "tag:x": an IP set holds addresses, CIDRs, hosts, other IP sets and autogroup:internet, not tags, users, groups or other autogroups'],
    [{ grants: [{ src: ["autogroup:internet"], dst: ["*"], ip: ["*"] }] }, "grants[0].src[0]: autogroup:internet is not valid as a src"],
  ];
  // (A cycle is reported at each IP set on it, so "(and 1 more)" follows.)
  for (const [body, message] of own) assert.ok((await validate(body)).body.message.startsWith(message), JSON.stringify(body));
  // Accepted: acls take * with autogroup:self; SaaS accepts a grant to an undefined tag's devices (unknown), the demo too.
  for (const body of [
    { acls: [{ action: "accept", src: ["*"], dst: ["autogroup:self:*"] }] },
    { grants: [{ src: ["*"], dst: ["tag:nobody"], ip: ["*"] }] },
    { grants: [{ src: ["autogroup:danger-all"], dst: ["*"], ip: ["tcp:22"] }] },
    { grants: [{ src: ["*"], dst: ["*"], app: { "tailscale.com/cap/drive": [{}] } }] },
    { ipsets: { "ipset:web": ["add autogroup:internet", "remove 8.8.8.0/24"] }, grants: [{ src: ["*"], dst: ["ipset:web"], ip: ["*"] }] },
    { ssh: [{ action: "check", src: ["*"], dst: ["autogroup:self"], users: ["root"], checkPeriod: "168h" }] },
  ]) {
    assert.deepEqual((await validate(body)).body, {}, JSON.stringify(body));
  }
});

// ---- the generator -------------------------------------------------------------------------

test("generated tailnets: deterministic, valid, their own tests pass, every probe answered", () => {
  assert.equal(generateTailnet(7).text, generateTailnet(7).text, "same seed, same tailnet");
  assert.notEqual(generateTailnet(7).text, generateTailnet(8).text);
  const seen = { accept: 0, drop: 0, indeterminate: 0 };
  for (let seed = 1; seed <= 12; seed++) {
    const t = generateTailnet(seed, { missingAttributes: seed % 3 === 0, via: seed % 4 === 0 });
    const m = createAccessEvaluator(t);
    assert.deepEqual(m.issues, [], `seed ${seed}`);
    assert.deepEqual(m.runTests().failed, [], `seed ${seed}: the tests were chosen to pass`);
    assert.ok(t.file.tests.length > 0 && t.file.acls.length > 0 && t.file.grants.length > 0, `seed ${seed}`);
    for (const q of probesFor(t)) seen[m.reach(q).verdict]++;
  }
  assert.ok(seen.accept > 1000 && seen.drop > 1000 && seen.indeterminate > 0, JSON.stringify(seen));
});

test("generated tailnets cover every selector kind across seeds", () => {
  const used = new Set();
  for (let seed = 1; seed <= 40; seed++) {
    const { file } = generateTailnet(seed);
    for (const r of [...file.acls, ...file.grants]) {
      for (const s of r.src) used.add(kind(s));
      for (const d of r.dst) used.add(kind(r.action ? d.slice(0, d.lastIndexOf(":")) : d));
      if (r.srcPosture) used.add("srcPosture");
    }
    if (file.defaultSrcPosture) used.add("defaultSrcPosture");
  }
  for (const k of ["*", "user", "group", "tag", "host", "cidr", "ipset", "autogroup:member", "autogroup:tagged", "autogroup:self", "autogroup:internet", "autogroup:admin", "autogroup:shared", "autogroup:danger-all", "user:*@", "srcPosture", "defaultSrcPosture"]) assert.ok(used.has(k), k);
});

function kind(s) {
  if (s.startsWith("autogroup:")) return ["autogroup:owner", "autogroup:it-admin"].includes(s) ? "autogroup:admin" : s;
  if (s.startsWith("user:*@")) return "user:*@";
  if (s.includes("@")) return "user";
  for (const k of ["group", "tag", "ipset"]) if (s.startsWith(`${k}:`)) return k;
  if (s === "*") return "*";
  return /^[0-9.:/a-f]+$/.test(s) && /[0-9]/.test(s) ? "cidr" : "host";
}
