// The policy file from the packed package against the demo tailnet: reads and writes that never
// lose a comment or a concurrent change, the checks, the preview, and postures evaluated on
// the tailnet's devices; each with the requests the server saw, so that "nothing was sent" and
// "never without If-Match" are facts, not hopes.
import { test, describe, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { TailscaleClient, TailscaleValidationError, TailscaleApiError } from "tailscale-wasm";
import { PolicyDocument } from "tailscale-wasm/policy";
import { SEED_POLICY } from "../../www/demo-tailnet.mjs";
import { startTailnet, federatedCredentials, clientFor } from "./helpers.mjs";

const env = await startTailnet();
const { tailnet, baseUrl } = env;
const admin = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
env.federated = await federatedCredentials(admin);
after(() => tailnet.close());

const ACL = "/api/v2/tailnet/-/acl";
const aclRequests = (method, path = ACL) => tailnet.requests.filter((r) => r.method === method && r.path === path);
/** Every comment of a HuJSON text, in order (a string never holds `//` in these files). */
const comments = (text) => text.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g) ?? [];
const fieldsOf = (err) => err.issues.map((i) => i.field);
/** Puts the seed file back, whoever wrote last. */
async function reset() {
  tailnet.resetStats(); // drops faults a test left unused
  await admin.policy.set(SEED_POLICY, { overwrite: true });
  tailnet.resetStats();
}
const addPosture = (name, condition) => (doc) => doc.setPosture(name, [condition]);

for (const mode of ["apiKey", "oauth", "federated"]) {
  describe(`policy with ${mode}`, () => {
    let client;
    before(() => {
      client = clientFor(mode, env);
    });
    beforeEach(reset);

    test("get: the file as stored, comments included, with its quoted ETag", async () => {
      const file = await client.policy.get();
      assert.equal(file.text, SEED_POLICY);
      assert.match(file.etag, /^"[0-9a-f]{64}"$/);
      const [read] = aclRequests("GET");
      assert.equal(read.headers.accept, "application/hujson");
      const details = await client.policy.get({ details: true });
      assert.equal(details.text, SEED_POLICY, "base64 decoded");
      assert.ok(Array.isArray(details.warnings));
      const second = aclRequests("GET")[1];
      assert.equal(second.query, "?details=true");
      assert.ok([undefined, "*/*"].includes(second.headers.accept), `no Accept of ours with details (the runtime may add */*): ${second.headers.accept}`);
    });

    test("update: edits in place, sends If-Match, keeps every comment", async () => {
      const { etag } = await client.policy.get();
      const result = await client.policy.update((doc) => {
        doc.setPosture("posture:linux", ["node:os == 'linux'"]);
      });
      assert.equal(result.changed, true);
      assert.equal(result.attempts, 1);
      assert.ok(result.text.includes(`"posture:linux": ["node:os == 'linux'"]`), result.text);
      assert.deepEqual(comments(result.text), comments(SEED_POLICY));
      assert.equal(tailnet.state.policy.text, result.text);
      const [write] = aclRequests("POST");
      assert.equal(write.headers["if-match"], etag, "the ETag it read, as it came");
      assert.equal(write.headers["content-type"], "application/hujson");
      assert.notEqual(result.etag, etag);
    });
  });
}

describe("policy.set", () => {
  beforeEach(reset);

  test("refuses to send without ifMatch or overwrite", async () => {
    for (const precondition of [undefined, {}, { overwrite: false }, { ifMatch: "" }, { ifMatch: "\"a\"", overwrite: true }, { ifMatch: 5 }, { etag: "x" }]) {
      await assert.rejects(admin.policy.set(SEED_POLICY, precondition), TailscaleValidationError, JSON.stringify(precondition));
    }
    assert.equal(tailnet.requests.length, 0, "nothing sent");
  });

  test("passes the ETag back exactly as it came, and a stale one is a 412 that says so", async () => {
    const { etag } = await admin.policy.get();
    const written = await admin.policy.set(SEED_POLICY.replace("everyone, for now", "everyone"), { ifMatch: etag });
    assert.equal(aclRequests("POST")[0].headers["if-match"], etag);
    assert.notEqual(written.etag, etag);
    assert.equal(written.text, tailnet.state.policy.text);
    const stale = await admin.policy.set(SEED_POLICY, { ifMatch: etag }).catch((e) => e);
    assert.ok(stale instanceof TailscaleApiError, String(stale));
    assert.equal(stale.status, 412);
    assert.match(stale.message, /changed since it was read/);
    assert.equal(tailnet.state.policy.text, written.text, "nothing written");
  });

  test("ts-default replaces only the untouched default", async () => {
    const fresh = await startTailnet();
    try {
      const client = new TailscaleClient({ apiKey: fresh.tailnet.credentials.apiKey, baseUrl: fresh.baseUrl });
      await client.policy.set(SEED_POLICY.replace("// Who is who", "// Who"), { ifMatch: "ts-default" });
      assert.equal(fresh.tailnet.requests.at(-1).headers["if-match"], '"ts-default"');
      await assert.rejects(client.policy.set(SEED_POLICY, { ifMatch: "ts-default" }), { name: "TailscaleApiError", status: 412 });
    } finally {
      await fresh.tailnet.close();
    }
  });

  test("overwrite sends no If-Match; an object goes as JSON", async () => {
    await admin.policy.set({ acls: [{ action: "accept", src: ["*"], dst: ["*:*"] }] }, { overwrite: true });
    const [write] = aclRequests("POST");
    assert.equal(write.headers["if-match"], undefined);
    assert.equal(write.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(tailnet.state.policy.text), { acls: [{ action: "accept", src: ["*"], dst: ["*:*"] }] });
  });

  test("a PolicyDocument is sent as its text, comments included", async () => {
    const { text, etag } = await admin.policy.get();
    const doc = PolicyDocument.parse(text);
    doc.setPosture("posture:mac", ["node:os == 'macos'"]);
    await admin.policy.set(doc, { ifMatch: etag });
    assert.equal(tailnet.state.policy.text, doc.toString());
    assert.deepEqual(comments(tailnet.state.policy.text), comments(SEED_POLICY));
  });

  test("is never retried after a 503 or a lost answer: the write may have landed", async () => {
    const { etag } = await admin.policy.get();
    tailnet.fault({ method: "POST", path: ACL, status: 503 });
    await assert.rejects(admin.policy.set(SEED_POLICY, { ifMatch: etag }), { name: "TailscaleApiError", status: 503 });
    assert.equal(aclRequests("POST").length, 1);
    tailnet.fault({ method: "POST", path: ACL, drop: "after-handling" });
    await assert.rejects(admin.policy.set(SEED_POLICY.replace("for now", "now"), { ifMatch: etag }), { name: "TailscaleNetworkError" });
    assert.equal(aclRequests("POST").length, 2);
  });
});

describe("policy.update", () => {
  beforeEach(reset);

  test("sends nothing when the edit changes nothing", async () => {
    const result = await admin.policy.update(() => {});
    assert.deepEqual({ changed: result.changed, attempts: result.attempts }, { changed: false, attempts: 1 });
    assert.equal(result.text, SEED_POLICY);
    const same = await admin.policy.update((doc) => doc.toString());
    assert.equal(same.changed, false);
    assert.equal(aclRequests("POST").length, 0);
  });

  test("takes a returned string, or a Promise of one", async () => {
    const result = await admin.policy.update(async (doc) => doc.toString().replace("everyone, for now", "everyone, still"));
    assert.equal(result.changed, true);
    assert.ok(tailnet.state.policy.text.includes("everyone, still"));
  });

  test("two updates racing both land, and no write goes without If-Match", async () => {
    const [a, b] = await Promise.all([admin.policy.update(addPosture("posture:a", "custom:a == 1")), admin.policy.update(addPosture("posture:b", "custom:b == 2"))]);
    const final = PolicyDocument.parse(tailnet.state.policy.text);
    assert.deepEqual(final.get("/postures/posture:a"), ["custom:a == 1"]);
    assert.deepEqual(final.get("/postures/posture:b"), ["custom:b == 2"]);
    assert.deepEqual(comments(final.toString()), comments(SEED_POLICY));
    assert.ok(a.attempts + b.attempts >= 3, `attempts ${a.attempts} and ${b.attempts}: one of them met a 412`);
    const writes = aclRequests("POST");
    assert.ok(writes.every((w) => /^"[0-9a-f]{64}"$/.test(w.headers["if-match"] ?? "")), "every write carries If-Match");
  });

  test("a write whose answer was lost is recognised on the re-read, not sent twice", async () => {
    tailnet.fault({ method: "POST", path: ACL, drop: "after-handling" });
    const result = await admin.policy.update(addPosture("posture:once", "custom:once IS SET"));
    assert.equal(result.changed, true, "the lost write landed");
    assert.equal(result.attempts, 2);
    assert.equal(aclRequests("POST").length, 1, "one write");
    assert.equal(tailnet.state.policy.text.split("posture:once").length - 1, 1);
    assert.ok(aclRequests("POST").every((w) => w.headers["if-match"]));
  });

  test("gives up after maxAttempts rounds of 412 with the 412", async () => {
    tailnet.fault({ method: "POST", path: ACL, status: 412, body: JSON.stringify({ message: "precondition failed, invalid old hash" }), times: 10 });
    const err = await admin.policy.update(addPosture("posture:x", "custom:x == 1"), { maxAttempts: 3 }).catch((e) => e);
    assert.ok(err instanceof TailscaleApiError, String(err));
    assert.equal(err.status, 412);
    assert.match(err.message, /changed since it was read/);
    assert.equal(aclRequests("GET").length, 3);
    assert.equal(aclRequests("POST").length, 3);
  });

  test("an edit that throws rejects with its error; bad text or a bad return value is refused before sending", async () => {
    const boom = new Error("boom");
    await assert.rejects(admin.policy.update(() => { throw boom; }), (e) => e === boom);
    const bad = await admin.policy.update(() => "{ 'single': 1 }").catch((e) => e);
    assert.ok(bad instanceof TailscaleValidationError);
    assert.equal(bad.issues[0].line, 1);
    assert.equal(bad.issues[0].column, 3);
    await assert.rejects(admin.policy.update(() => 42), TailscaleValidationError);
    await assert.rejects(admin.policy.update("not a function"), TailscaleValidationError);
    await assert.rejects(admin.policy.update(() => {}, { maxAttempts: 0 }), TailscaleValidationError);
    assert.equal(aclRequests("POST").length, 0);
  });
});

describe("policy.validate, test and preview", () => {
  beforeEach(reset);

  test("validate sends the file standardized and reads the 200 answer", async () => {
    const good = await admin.policy.validate(SEED_POLICY);
    assert.deepEqual(good, { ok: true, data: [] });
    const [sent] = aclRequests("POST", `${ACL}/validate`);
    assert.equal(sent.headers["content-type"], "application/json");
    assert.equal(sent.body.length, SEED_POLICY.length, "same offsets");
    assert.ok(!sent.body.includes("//"), "no comment left");
    JSON.parse(sent.body);
    const badPosture = SEED_POLICY.replace("custom:provisioned == true", "custom:provisioned =! true");
    const check = await admin.policy.validate(badPosture);
    assert.equal(check.ok, false);
    assert.ok(check.message.length > 0);
    const unknown = SEED_POLICY.replace(`"srcPosture": ["posture:provisioned"]`, `"srcPosture": ["posture:nope"]`);
    assert.equal((await admin.policy.validate(unknown)).ok, false);
    const obj = await admin.policy.validate(PolicyDocument.parse(SEED_POLICY).toJSON());
    assert.equal(obj.ok, true);
  });

  test("validate refuses text that does not parse, with its line and column, before sending", async () => {
    const err = await admin.policy.validate("{\n  \"acls\": [,]\n}").catch((e) => e);
    assert.ok(err instanceof TailscaleValidationError);
    assert.deepEqual([err.issues[0].line, err.issues[0].column], [2, 12]);
    assert.equal(tailnet.requests.length, 0);
  });

  test("test runs tests against the current file, with posture attributes", async () => {
    const pass = await admin.policy.test([{ src: "amelie@example.com", srcPostureAttrs: { "custom:provisioned": true }, accept: ["tag:prod:443"] }]);
    assert.equal(pass.ok, true);
    const fail = await admin.policy.test([{ src: "amelie@example.com", accept: ["tag:prod:443"] }]);
    assert.equal(fail.ok, false);
    assert.equal(fail.data[0].user, "amelie@example.com");
    assert.ok(fail.data[0].errors.length > 0);
    const err = await admin.policy.test([{ accept: ["x:1"] }, { src: "a", extra: 1 }]).catch((e) => e);
    assert.deepEqual(fieldsOf(err), ["tests[0].src", "tests[1].extra"]);
  });

  test("preview lists the matching rules with their lines", async () => {
    const preview = await admin.policy.preview(SEED_POLICY, { type: "user", previewFor: "amelie@example.com" });
    assert.equal(preview.type, "user");
    assert.equal(preview.previewFor, "amelie@example.com");
    const lines = SEED_POLICY.split("\n");
    for (const m of preview.matches) assert.match(lines[m.lineNumber - 1], /\{/, `line ${m.lineNumber}`);
    assert.ok(preview.matches.length >= 1);
    const [sent] = aclRequests("POST", `${ACL}/preview`);
    assert.equal(sent.query, "?type=user&previewFor=amelie%40example.com");
    await assert.rejects(admin.policy.preview(SEED_POLICY, { type: "group", previewFor: "" }), (e) => e instanceof TailscaleValidationError && fieldsOf(e).join() === "type,previewFor");
  });

  test("validate, test and preview only read, so a 503 is retried; set is not", async () => {
    tailnet.fault({ method: "POST", path: `${ACL}/validate`, status: 503 });
    assert.equal((await admin.policy.validate(SEED_POLICY)).ok, true);
    assert.equal(aclRequests("POST", `${ACL}/validate`).length, 2);
    tailnet.fault({ method: "POST", path: `${ACL}/validate`, status: 503 });
    assert.equal((await admin.policy.test([{ src: "tag:ci", accept: ["tag:prod:22"] }])).ok, true);
    assert.equal(aclRequests("POST", `${ACL}/validate`).length, 4);
    tailnet.fault({ method: "POST", path: `${ACL}/preview`, status: 503 });
    await admin.policy.preview(SEED_POLICY, { type: "ipport", previewFor: "100.64.0.5:22" });
    assert.equal(aclRequests("POST", `${ACL}/preview`).length, 2);
    const { etag } = await admin.policy.get();
    tailnet.fault({ method: "POST", path: ACL, status: 503 });
    await assert.rejects(admin.policy.set(SEED_POLICY, { ifMatch: etag }), { name: "TailscaleApiError", status: 503, retryable: false });
    assert.equal(aclRequests("POST").length, 1, "set: one attempt");
  });

  test("a check with warnings only is ok; one with failures is not", async () => {
    const warned = await admin.policy.validate(SEED_POLICY.replace(`"group:admins": ["demo@example.com"]`, `"group:admins": ["demo@example.com", "bob@example.com"]`));
    assert.equal(warned.ok, true, JSON.stringify(warned));
    assert.match(warned.message, /warning/);
    assert.match(warned.data[0].warnings[0], /bob@example\.com/);
  });
});

describe("policy.evaluatePostures", () => {
  beforeEach(reset);

  test("which devices each posture admits, and why the others are refused", async () => {
    const report = await admin.policy.evaluatePostures();
    assert.deepEqual(report.postures.map((p) => p.name), ["posture:provisioned", "posture:latest"]);
    assert.deepEqual(report.defaultSrcPosture, []);
    const provisioned = report.postures[0];
    const verdict = (name) => provisioned.devices.find((d) => d.name.startsWith(name));
    assert.equal(verdict("lab-workstation").matches, true);
    assert.deepEqual(verdict("lab-workstation").failed, []);
    assert.equal(verdict("build-box").matches, false);
    assert.match(verdict("build-box").failed[0].reason, /custom:provisioned is false/);
    assert.match(verdict("lab-router").failed[0].reason, /custom:provisioned is not set/);
    const latest = report.postures[1].devices.find((d) => d.name.startsWith("amelie-laptop"));
    assert.match(latest.failed.map((f) => f.reason).join(), /1\.58\.2/);
  });

  test("a posture that does not parse is reported with its error, and the others are evaluated", async () => {
    const text = SEED_POLICY.replace(`"posture:provisioned": ["custom:provisioned == true"],`, `"posture:provisioned": ["custom:provisioned == true"],\n        "posture:broken": ["node:os == 'linux'", "node:os = 'linux'"],`);
    const report = await admin.policy.evaluatePostures({ text });
    assert.deepEqual(report.postures.map((p) => p.name), ["posture:provisioned", "posture:broken", "posture:latest"]);
    const [provisioned, broken, latest] = report.postures;
    assert.equal(broken.error, "conditions[1] does not parse at column 9: expected an operator such as == or IN (equality is ==)");
    assert.deepEqual(broken.devices, []);
    assert.deepEqual(broken.conditions, ["node:os == 'linux'", "node:os = 'linux'"]);
    for (const p of [provisioned, latest]) {
      assert.equal("error" in p, false, p.name);
      assert.ok(p.devices.length > 0, p.name);
    }
  });

  test("a device that went away between the list and its read is left out", async () => {
    const [gone] = await admin.devices.list({ filter: { hostname: "build-box" } });
    tailnet.fault({ method: "GET", path: `/device/${gone.nodeId}/attributes`, status: 404, body: JSON.stringify({ message: "device not found" }) });
    const report = await admin.policy.evaluatePostures();
    const names = report.postures[0].devices.map((d) => d.name);
    assert.ok(!names.some((n) => n.startsWith("build-box")), names.join());
    assert.ok(names.some((n) => n.startsWith("lab-workstation")), names.join());
  });

  test("fetches attributes under maxConcurrency, and takes a text and device ids", async () => {
    const capped = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl, maxConcurrency: 2 });
    const devices = await capped.devices.list();
    tailnet.resetStats();
    const text = SEED_POLICY.replace(`"posture:provisioned": ["custom:provisioned == true"],`, `"posture:provisioned": ["custom:provisioned == true"],\n        "posture:mac": ["node:os == 'macOS'"],`);
    const report = await capped.policy.evaluatePostures({ text, deviceIds: devices.slice(0, 3).map((d) => d.nodeId) });
    assert.equal(report.postures.length, 3);
    assert.equal(report.postures[0].devices.length, 3);
    assert.equal(aclRequests("GET").length, 0, "the text was given");
    assert.ok(tailnet.maxInFlight <= 2, `max in flight ${tailnet.maxInFlight}`);
    const err = await capped.policy.evaluatePostures({ deviceIds: ["nNOSUCHCNTRL"] }).catch((e) => e);
    assert.deepEqual(fieldsOf(err), ["deviceIds[0]"]);
  });
});

describe("PolicyDocument", () => {
  test("round-trips byte for byte and edits only what it changes", () => {
    const doc = PolicyDocument.parse(SEED_POLICY);
    assert.equal(doc.toString(), SEED_POLICY);
    assert.equal(String(doc), SEED_POLICY);
    const value = doc.toJSON();
    assert.deepEqual(JSON.parse(doc.standardize()), value);
    assert.equal(doc.standardize().length, SEED_POLICY.length);
    assert.deepEqual(doc.get("/postures/posture:provisioned"), ["custom:provisioned == true"]);
    assert.equal(doc.get("/nope"), undefined);
    doc.set("/groups/group:eng", ["demo@example.com"]);
    assert.ok(doc.toString().includes(`"group:eng": ["demo@example.com"], // everyone, for now`));
    doc.append("/tests", { src: "tag:ci", accept: ["tag:prod:22"] });
    assert.equal(doc.get("/tests").length, 5);
    // A missing parent is made only for a name: a '-' or an index could mean an array.
    assert.throws(() => doc.set("/autoApprovers/routes/-", "10.0.0.0/8"), (e) => e instanceof TailscaleValidationError && e.issues[0].field === "pointer" && e.message.includes('"/autoApprovers/routes/-"'));
    assert.throws(() => doc.set("/nope/0/srcPosture", ["posture:provisioned"]), TailscaleValidationError);
    doc.append("/autoApprovers/routes", "10.0.0.0/8");
    assert.deepEqual(doc.get("/autoApprovers"), { routes: ["10.0.0.0/8"] }, "append makes the missing array");
    assert.equal(doc.remove("/autoApprovers"), true);
    assert.equal(doc.remove("/hosts/lab-net"), true);
    assert.equal(doc.remove("/hosts/lab-net"), false);
    assert.ok(!doc.toString().includes("routed by lab-router"), "its own comment went with it");
    const rest = comments(SEED_POLICY).filter((c) => c !== "// routed by lab-router");
    assert.deepEqual(comments(doc.toString()), rest);
  });

  test("pointers as names: an array of tokens needs no escaping of ~ and /", () => {
    const doc = PolicyDocument.parse(SEED_POLICY);
    const name = "posture:a/b~c";
    doc.set(["postures", name], ["custom:x == 1"]);
    assert.ok(doc.toString().includes(`"posture:a/b~c": ["custom:x == 1"]`));
    assert.deepEqual(doc.get(["postures", name]), ["custom:x == 1"]);
    assert.deepEqual(doc.get("/postures/posture:a~1b~0c"), ["custom:x == 1"], "the same member by RFC 6901 text");
    doc.append(["postures", name], "custom:y == 2");
    assert.deepEqual(doc.get(["postures", name]), ["custom:x == 1", "custom:y == 2"]);
    assert.equal(doc.remove(["postures", name]), true);
    assert.equal(doc.get(["postures", name]), undefined);
    assert.deepEqual(doc.get([]), doc.toJSON(), "[] is the root");
    assert.deepEqual(doc.get(["grants", "0", "dst"]), ["tag:prod"]);
    for (const bad of [["postures", 1], [null], "postures", 42]) {
      assert.throws(() => doc.get(bad), TailscaleValidationError, JSON.stringify(bad));
    }
    const err = (() => {
      try {
        doc.set(["postures", 1], []);
      } catch (e) {
        return e;
      }
    })();
    assert.deepEqual(fieldsOf(err), ["pointer[1]"]);
  });

  test("remove takes the comment block directly above the element", () => {
    const doc = PolicyDocument.parse(SEED_POLICY);
    assert.equal(doc.remove("/grants/1"), true);
    assert.ok(!doc.toString().includes("// CI deploys to production over SSH."), "the rule's comment went with it");
    const rest = comments(SEED_POLICY).filter((c) => c !== "// CI deploys to production over SSH.");
    assert.deepEqual(comments(doc.toString()), rest);
    assert.equal(doc.get("/grants").length, 1);
  });

  test("setPosture checks the conditions first, and changes nothing unless all pass", () => {
    const doc = PolicyDocument.parse(SEED_POLICY);
    const err = (() => {
      try {
        doc.setPosture("provisioned", ["custom:x ==", "custom:y == 1", "bogus:z IS SET"]);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof TailscaleValidationError);
    assert.deepEqual(fieldsOf(err), ["name", "conditions[0]", "conditions[2]"]);
    assert.equal(doc.toString(), SEED_POLICY);
  });

  test("check() reports what the contract lists, each at its place", () => {
    const text = `{
  "postures": {
    "posture:ok": ["custom:tier == 'gold'"],
    "bad": ["node:os == 'linux'"],
    "posture:empty": [],
    "posture:broken": ["custom:tier = 'gold'", "weird:x IS SET", "custom:bad-name == 1", "custom:tier >= 'gold'"],
  },
  "defaultSrcPosture": ["posture:missing"],
  "grants": [{"src": ["*"], "dst": ["*"], "ip": ["*"], "srcPosture": ["posture:ok", "posture:gone"]}],
  "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"], "srcPosture": ["posture:nope"]}],
  "ssh": [{"action": "check", "src": ["*"], "dst": ["*"], "users": ["root"], "srcPosture": ["posture:none"]}],
  "hosts": {"a": "1.2.3.4", "a": "5.6.7.8"},
}`;
    const issues = PolicyDocument.parse(text).check();
    assert.deepEqual(issues.map((i) => i.field), [
      "hosts.a",
      "postures.bad",
      'postures["posture:empty"]',
      'postures["posture:broken"][0]',
      'postures["posture:broken"][1]',
      'postures["posture:broken"][2]',
      'postures["posture:broken"][3]',
      "defaultSrcPosture[0]",
      "grants[0].srcPosture[1]",
      "acls[0].srcPosture[0]",
      "ssh[0].srcPosture[0]",
    ]);
    assert.deepEqual(PolicyDocument.parse(SEED_POLICY).check(), []);
  });

  test("syntax errors give line and column; JSON5 is not HuJSON", () => {
    for (const [text, line, column] of [
      ["{'a': 1}", 1, 2],
      ["{a: 1}", 1, 2],
      ["[0x10]", 1, 2],
      ["[NaN]", 1, 2],
      ["{\n  \"a\": 1,,\n}", 2, 10],
      ["/* open", 1, 1],
      ["", 1, 1],
    ]) {
      const err = (() => {
        try {
          PolicyDocument.parse(text);
        } catch (e) {
          return e;
        }
      })();
      assert.ok(err instanceof TailscaleValidationError, JSON.stringify(text));
      assert.equal(err.issues[0].line, line, JSON.stringify(text));
      assert.equal(err.issues[0].column, column, JSON.stringify(text));
      assert.match(err.message, /line|column|expected/);
    }
  });

  test("huge, deep and ill-formed inputs are typed errors, never a trap", () => {
    const deep = "[".repeat(10_000) + "]".repeat(10_000);
    assert.throws(() => PolicyDocument.parse(deep), TailscaleValidationError);
    assert.throws(() => PolicyDocument.parse("{\"a\": \"\uD800\"}"), TailscaleValidationError, "lone surrogate");
    assert.throws(() => PolicyDocument.parse(42), TailscaleValidationError);
    const big = `{"tests": [\n${Array.from({ length: 250_000 }, (_, i) => `{"src": "user${i}@example.com"}, // ${i}`).join("\n")}\n]}`;
    assert.ok(big.length > 10_000_000);
    const doc = PolicyDocument.parse(big);
    assert.equal(doc.toString().length, big.length);
    assert.throws(() => doc.set("/tests/-x", 1), TailscaleValidationError);
    assert.throws(() => doc.set("no-slash", 1), TailscaleValidationError);
    assert.throws(() => doc.set("/a", undefined), TailscaleValidationError);
    // The module is still sound.
    assert.equal(PolicyDocument.parse("{}").toString(), "{}");
  });
});

describe("posture functions", () => {
  test("parsePostureCondition and evaluatePosture", async () => {
    const { parsePostureCondition, evaluatePosture } = await import("tailscale-wasm/policy");
    assert.deepEqual(parsePostureCondition("node:tsVersion >= '1.60'"), { attribute: "node:tsVersion", operator: ">=", value: "1.60" });
    assert.deepEqual(parsePostureCondition("node:os in ['macos', 'linux']"), { attribute: "node:os", operator: "IN", value: ["macos", "linux"] });
    assert.deepEqual(parsePostureCondition("custom:x IS SET"), { attribute: "custom:x", operator: "IS SET" });
    const err = (() => {
      try {
        parsePostureCondition("custom:x == \"a\"");
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof TailscaleValidationError);
    assert.equal(err.issues[0].column, 13);
    const result = evaluatePosture(["node:tsVersion >= '1.60'", "custom:tier != 'prod'"], { "node:tsVersion": "1.58.2" });
    assert.equal(result.matches, false);
    assert.deepEqual(result.conditions.map((c) => c.matches), [false, false]);
    assert.match(result.conditions[0].reason, /1\.58\.2/);
    assert.match(result.conditions[1].reason, /custom:tier is not set/);
    assert.equal(evaluatePosture(["custom:tier NOT SET"], {}).matches, true);
    assert.throws(() => evaluatePosture(["x"], {}), TailscaleValidationError);
    assert.throws(() => evaluatePosture("custom:x IS SET", {}), TailscaleValidationError);
    // A value that is no string, number or boolean is refused, undefined included (read as
    // unset, it would turn a lost value into a verdict).
    for (const value of [undefined, null, {}, ["a"]]) {
      assert.throws(() => evaluatePosture(["custom:x NOT SET"], { "custom:x": value }), TailscaleValidationError, String(value));
    }
  });
});
