// The access engine from the packed package: AccessModel built by hand and through
// client.policy.access(), its answers' shapes and words on the demo tailnet, update's dry run,
// what happens without the scope to read users or attributes, and bad arguments.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TailscaleClient, TailscaleValidationError } from "tailscale-wasm";
import { AccessModel, PolicyDocument } from "tailscale-wasm/policy";
import { startTailnet } from "./helpers.mjs";

let tailnet, baseUrl, client, devices, byName;

before(async () => {
  ({ tailnet, baseUrl } = await startTailnet());
  client = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
  devices = await client.devices.list({ fields: "all" });
  byName = Object.fromEntries(devices.map((d) => [d.hostname, d]));
});
after(() => tailnet.close());

const policyText = () => tailnet.state.policy.text;

test("client.policy.access() models the tailnet as it is, with no request it need not make", async () => {
  const before = tailnet.requests.length;
  const model = await client.policy.access();
  const paths = tailnet.requests.slice(before).map((r) => r.path);
  assert.ok(paths.includes("/api/v2/tailnet/-/acl") && paths.includes("/api/v2/tailnet/-/devices") && paths.includes("/api/v2/tailnet/-/users"), paths.join(" "));
  assert.equal(paths.filter((p) => p.endsWith("/attributes")).length, devices.length, "one attribute read per device");
  assert.equal(tailnet.requests.slice(before).filter((r) => r.method !== "GET").length, 0, "reads only");
  assert.deepEqual(model.issues, []);
  assert.ok(model instanceof AccessModel);
});

test("the seeded file: an acls rule still admits an admin's untagged device to tag:router:22, so it is not gated", async () => {
  const model = await client.policy.access();
  const box = byName["build-box"], router = byName["lab-router"];
  const verdict = model.reach({ src: box.nodeId, dst: router.nodeId, port: 22 });
  assert.equal(verdict.verdict, "accept");
  assert.ok(verdict.rules.length > 0 && verdict.rules.every((r) => ["grants", "acls"].includes(r.section) && r.line > 0), JSON.stringify(verdict));
  const line = policyText().split("\n")[verdict.rules[0].line - 1];
  assert.match(line, /\{/, `the rule's line is where it starts: ${line}`);
  const gate = model.gated({ dst: router.nodeId, posture: "posture:provisioned", port: 22 });
  assert.equal(gate.gated, "drop");
  assert.ok(gate.leaks.some((l) => l.src.nodeId === box.nodeId), JSON.stringify(gate));
  const who = model.whoCanReach({ dst: router.nodeId, port: 22 });
  assert.ok(who.some((w) => w.device.nodeId === box.nodeId && w.verdict === "accept"), JSON.stringify(who));
  // Every address of a device names it as well as its nodeId does.
  const byAddress = model.reach({ src: box.addresses[0], dst: router.addresses[0], port: 22 });
  assert.equal(byAddress.verdict, "accept");
});

test("a posture gate says which conditions a source fails, in words", async () => {
  const text = PolicyDocument.parse(policyText());
  text.setPosture("posture:gold", ["custom:tier == 'gold'"]);
  text.append("/grants", { src: ["autogroup:member"], dst: ["tag:prod"], ip: ["tcp:9443"], srcPosture: ["posture:gold"] });
  const model = await client.policy.access({ text: text.toString() });
  const laptop = byName["amelie-laptop"], prod = byName["prod-api"];
  const verdict = model.reach({ src: laptop.nodeId, dst: prod.nodeId, port: 9443 });
  assert.equal(verdict.verdict, "drop");
  assert.equal(verdict.blockedBy?.length, 1, JSON.stringify(verdict));
  assert.match(verdict.blockedBy[0].failed[0].reason, /custom:tier is not set/);
  assert.equal(model.reach({ src: laptop.nodeId, dst: prod.nodeId, port: 9444 }).verdict, "drop");
});

test("runTests answers as policy.test does, in the server's shape and words", async () => {
  const model = await client.policy.access();
  const router = byName["lab-router"];
  const tests = [{ src: "amelie@example.com", accept: ["tag:router:22"] }];
  const local = model.runTests(tests);
  const server = await client.policy.test(tests);
  assert.equal(local.ok, server.ok, JSON.stringify({ local, server }));
  if (!local.ok) assert.deepEqual(local.data.map((d) => d.errors), server.data.map((d) => d.errors));
  const failing = model.runTests([{ src: "amelie@example.com", deny: ["tag:router:22"], accept: ["tag:prod:65000"] }]);
  assert.equal(failing.ok, false);
  assert.equal(failing.message, "test(s) failed");
  assert.ok(failing.data[0].errors.some((e) => /want: Accept, got: Drop/.test(e)), JSON.stringify(failing));
  void router;
});

test("diff: a model against itself changes nothing, and an edit's change is grouped by destination", async () => {
  const a = await client.policy.access();
  assert.deepEqual(AccessModel.diff(a, a), []);
  const doc = PolicyDocument.parse(policyText());
  doc.append("/grants", { src: ["autogroup:member"], dst: ["tag:prod"], ip: ["tcp:8443"] });
  const b = await client.policy.access({ text: doc.toString() });
  const gained = AccessModel.diff(a, b);
  assert.ok(gained.length > 0 && gained.every((c) => c.change === "gained"), JSON.stringify(gained));
  const tcp = gained.find((c) => c.proto === "tcp");
  assert.equal(tcp.ports, "8443");
  assert.ok(tcp.src.length >= 2, "one change for every member device");
  const lost = AccessModel.diff(b, a);
  assert.deepEqual(lost.map((c) => ({ ...c, change: "gained" })), gained);
  // The same edit over the same tailnet, with no request: withPolicy.
  const requests = tailnet.requests.length;
  assert.deepEqual(AccessModel.diff(a, a.withPolicy(doc)), gained);
  assert.deepEqual(AccessModel.diff(a, a.withPolicy(doc.toString())), gained);
  assert.equal(tailnet.requests.length, requests, "withPolicy sends nothing");
});

test("update(edit, { dryRun: true }) answers the text and the access it would change, and writes nothing", async () => {
  const writes = () => tailnet.requests.filter((r) => r.method === "POST" && r.path === "/api/v2/tailnet/-/acl").length;
  const before = writes();
  const stored = policyText();
  const dry = await client.policy.update((doc) => doc.append("/grants", { src: ["autogroup:member"], dst: ["tag:prod"], ip: ["tcp:7443"] }), { dryRun: true });
  assert.equal(dry.changed, true);
  assert.match(dry.text, /7443/);
  assert.ok(dry.access.some((c) => c.change === "gained" && c.ports === "7443"), JSON.stringify(dry.access));
  assert.equal(writes(), before, "nothing written");
  assert.equal(policyText(), stored);
  // What was previewed is what a write with its etag stores, unless the file changed since.
  assert.equal(dry.etag, (await client.policy.get()).etag);
  await client.policy.set(dry.text, { ifMatch: dry.etag });
  assert.equal(policyText(), dry.text);
  await client.policy.set(stored, { overwrite: true });
  const same = await client.policy.update(() => {}, { dryRun: true });
  assert.deepEqual([same.changed, same.access], [false, []]);
});

test("without the scope to read users or attributes, the model goes on without them and says indeterminate where they decide", async () => {
  const narrow = new TailscaleClient({ oauth: { ...tailnet.credentials.oauth, scopes: ["policy_file:read", "devices:core:read"] }, baseUrl });
  const doc = PolicyDocument.parse(policyText());
  doc.setPosture("posture:gold", ["custom:tier == 'gold'"]);
  doc.append("/grants", { src: ["autogroup:admin"], dst: ["tag:prod"], ip: ["tcp:6443"] });
  doc.append("/grants", { src: ["autogroup:member"], dst: ["tag:prod"], ip: ["tcp:6444"], srcPosture: ["posture:gold"] });
  const model = await narrow.policy.access({ text: doc.toString() });
  const box = byName["build-box"], prod = byName["prod-api"];
  const role = model.reach({ src: box.nodeId, dst: prod.nodeId, port: 6443 });
  assert.equal(role.verdict, "indeterminate", JSON.stringify(role));
  assert.ok(role.reason, "with the reason");
  assert.equal(model.reach({ src: box.nodeId, dst: prod.nodeId, port: 6444 }).verdict, "indeterminate");
});

test("bad arguments are TailscaleValidationErrors listing every problem; a policy that does not parse is a model whose issues say so", async () => {
  const invalid = (f) => {
    try {
      f();
    } catch (e) {
      return e;
    }
    assert.fail("no error");
  };
  const missing = invalid(() => AccessModel.build({}));
  assert.ok(missing instanceof TailscaleValidationError);
  assert.deepEqual(missing.issues.map((i) => i.field).sort(), ["devices", "policy"]);
  const wrong = invalid(() => AccessModel.build({ policy: 5, devices: "x", extra: 1 }));
  assert.ok(wrong.issues.length >= 2, JSON.stringify(wrong.issues));
  assert.ok(invalid(() => AccessModel.build(null)) instanceof TailscaleValidationError);
  // A device's attributes given as undefined are refused, not read as "not given" (so a lost
  // read shows); only a device left out of the object was not described.
  const undefinedAttrs = invalid(() => AccessModel.build({ policy: "{}", devices, attributes: { [devices[0].nodeId]: undefined } }));
  assert.deepEqual(undefinedAttrs.issues.map((i) => i.field.startsWith("attributes") && /must be an object/.test(i.message)), [true]);
  const model = AccessModel.build({ policy: "{", devices });
  assert.ok(model.issues.length > 0);
  const unparsed = model.reach({ src: devices[0].nodeId, dst: devices[1].nodeId });
  assert.equal(unparsed.verdict, "indeterminate");
  assert.match(unparsed.reason, /does not parse/);
  // Which sources reach a destination, and whether it is gated, are refused, not answered "none".
  for (const ask of [() => model.whoCanReach({ dst: devices[1].nodeId }), () => model.gated({ dst: devices[1].nodeId, posture: "posture:x" })]) {
    const refused = invalid(ask);
    assert.ok(refused instanceof TailscaleValidationError);
    assert.deepEqual(refused.issues.map((i) => [i.field, i.line]), [["policy", 1]], JSON.stringify(refused.issues));
  }
  const good = AccessModel.build({ policy: PolicyDocument.parse(policyText()), devices });
  for (const query of [{}, { src: 1, dst: devices[0].nodeId }, { src: devices[0].nodeId, dst: devices[1].nodeId, port: 70000 }, { src: devices[0].nodeId, dst: devices[1].nodeId, proto: "nope" }]) {
    assert.ok(invalid(() => good.reach(query)) instanceof TailscaleValidationError, JSON.stringify(query));
  }
  assert.ok(invalid(() => good.runTests("tests")) instanceof TailscaleValidationError);
  // diff does not read a file that does not parse as every rule removed: it refuses, with the
  // parse issue under the side it is on.
  const refused = invalid(() => AccessModel.diff(good, model));
  assert.ok(refused instanceof TailscaleValidationError, String(refused));
  assert.deepEqual(refused.issues.map((i) => i.field), ["after"]);
  assert.match(refused.issues[0].message, /does not parse/);
  assert.deepEqual(invalid(() => AccessModel.diff(model, good)).issues.map((i) => i.field), ["before"]);
  assert.deepEqual(AccessModel.diff(good, good), []);
});

test("whoCanReach lists, in device order, each source with the answer reach gives it: names, rules, blockedBy with every failed condition, reasons", async () => {
  // whoCanReach's list is built in JS from a compact form the wasm writes (pkg/answers.js);
  // reach's answer comes through serde. A generated tailnet (make bench's generator, smaller)
  // has every part of an answer: postures failing in many words, devices with no attributes,
  // routes, exit nodes, names outside ASCII.
  const { generateTailnet, generatePolicy } = await import("../../scripts/bench/access.mjs");
  const t = generateTailnet(2000, 5);
  const policy = generatePolicy(t, 300, 9);
  const build = () => AccessModel.build({ policy, devices: t.devices, users: t.users, attributes: t.attributes });
  const order = new Map(t.devices.map((d, i) => [d.nodeId, i]));
  const tagged = t.devices.find((d, i) => i > 30 && d.tags?.[0]?.startsWith("tag:t"));
  // A source's name outside ASCII (its length in the compact form is in UTF-16 units).
  const first = { dst: tagged.nodeId, proto: "tcp", port: 443 };
  t.devices[order.get(build().whoCanReach(first)[0].device.nodeId)].name = "café-ünïcode-☕.tail4f2c9.ts.net";
  const model = build();
  assert.deepEqual(model.issues, []);
  const seen = { blocked: 0, failed: 0, reason: 0, listed: 0, unicode: false };
  for (const query of [
    first,
    { dst: t.devices[3].nodeId },
    { dst: t.devices[200].addresses[0], proto: "udp", port: 53 },
    { dst: "10.3.7.9", port: 22 },
    { dst: "8.8.4.4", proto: "tcp", port: 443 },
    { dst: "8.8.4.4", proto: "icmp" },
  ]) {
    const who = model.whoCanReach(query);
    const places = who.map((w) => order.get(w.device.nodeId));
    assert.deepEqual(places, [...places].sort((a, b) => a - b), "in device order");
    const listed = new Set(who.map((w) => w.device.nodeId));
    for (const w of who) {
      const d = t.devices[order.get(w.device.nodeId)];
      const reach = model.reach({ ...query, src: d.nodeId });
      // The same members in the same order, as JSON shows them.
      assert.equal(JSON.stringify(w), JSON.stringify({ device: { nodeId: d.nodeId, name: d.name }, ...reach }), JSON.stringify(query));
      seen.blocked += w.blockedBy?.length ?? 0;
      seen.failed += (w.blockedBy ?? []).reduce((n, b) => n + b.failed.length, 0);
      seen.reason += w.reason ? 1 : 0;
      seen.unicode ||= w.device.name.startsWith("café");
    }
    seen.listed += who.length;
    // Whoever it leaves out, reach drops with no posture to blame (or the traffic never
    // crosses the tailnet, or it is the destination itself).
    for (const d of t.devices) {
      if (listed.has(d.nodeId) || d.nodeId === query.dst) continue;
      const reach = model.reach({ ...query, src: d.nodeId });
      assert.ok((reach.verdict === "drop" && !reach.blockedBy) || /never crosses|itself/.test(reach.reason ?? ""), `${d.nodeId} ${JSON.stringify(reach)}`);
    }
  }
  // Each model names devices from its own list: a second model over the same devices in the
  // opposite order (its indices all differ) gives each source the same answer and name, and the
  // first still does after it.
  const byId = (who) => new Map(who.map((w) => [w.device.nodeId, JSON.stringify(w)]));
  const before = byId(model.whoCanReach(first));
  const reversed = AccessModel.build({ policy, devices: [...t.devices].reverse(), users: t.users, attributes: t.attributes });
  assert.deepEqual(byId(reversed.whoCanReach(first)), before);
  assert.deepEqual(byId(model.whoCanReach(first)), before);
  reversed.free();
  // The checks above saw every part of an answer.
  assert.ok(seen.listed > 1000 && seen.blocked > 100 && seen.failed > seen.blocked && seen.reason > 50 && seen.unicode, JSON.stringify(seen));
});
