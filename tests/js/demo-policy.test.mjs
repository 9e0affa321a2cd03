// The demo tailnet's policy file (www/demo-tailnet/policy.mjs) over plain fetch: the stored text
// and its ETag, If-Match, Accept, details, validate with real ACL tests and posture conditions,
// preview with line numbers, scopes, and the after-handling drop fault. It imports no package,
// so it runs before `make test-js` installs one.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createDemoTailnet, SEED_POLICY } from "../../www/demo-tailnet.mjs";
import { parseCondition, conditionMatches, compareVersions } from "../../www/demo-tailnet/policy.mjs";
import { parseHujson, standardize } from "../../www/demo-tailnet/hujson.mjs";

/** A fresh tailnet on loopback, closed after the test; `api` calls it with the demo's key. */
async function start(t) {
  const tailnet = createDemoTailnet();
  const base = await tailnet.listen();
  t.after(() => tailnet.close());
  const api = (path, { method = "GET", headers = {}, body, token = tailnet.credentials.apiKey } = {}) =>
    fetch(`${base}/api/v2${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers }, body });
  const hujson = { "content-type": "application/hujson" };
  const json = { "content-type": "application/json" };
  const get = async (headers = {}) => {
    const r = await api("/tailnet/-/acl", { headers });
    return { status: r.status, type: r.headers.get("content-type"), etag: r.headers.get("etag"), text: await r.text() };
  };
  const set = async (body, headers = {}) => {
    const r = await api("/tailnet/-/acl", { method: "POST", headers: { ...hujson, ...headers }, body });
    return { status: r.status, type: r.headers.get("content-type"), etag: r.headers.get("etag"), text: await r.text() };
  };
  const validate = async (body, headers = hujson) => {
    const r = await api("/tailnet/-/acl/validate", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, text, body: text ? JSON.parse(text) : undefined };
  };
  return { tailnet, base, api, get, set, validate, hujson, json };
}

/** A small valid file that differs from the seed. */
const OTHER = `// another policy
{
    "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}], // open
}
`;

test("GET answers the seeded text as stored, with a quoted ETag, by Accept", async (t) => {
  const { get, api } = await start(t);
  const plain = await get();
  assert.equal(plain.status, 200);
  assert.equal(plain.type, "application/hujson");
  assert.equal(plain.text, SEED_POLICY);
  assert.match(plain.etag, /^"[0-9a-f]{64}"$/);
  for (const accept of ["*/*", "application/hujson", "application/hujson, application/json"]) {
    const r = await get({ accept });
    assert.deepEqual([r.type, r.text, r.etag], ["application/hujson", SEED_POLICY, plain.etag], accept);
  }
  const asJson = await get({ accept: "application/json" });
  assert.equal(asJson.type, "application/json");
  assert.equal(asJson.etag, plain.etag, "one ETag per text, whatever the form");
  assert.equal(asJson.text.length, SEED_POLICY.length, "standardized: offsets hold");
  assert.equal(asJson.text.split("\n").length, SEED_POLICY.split("\n").length, "and lines");
  assert.deepEqual(JSON.parse(asJson.text), parseHujson(SEED_POLICY).value);
  assert.ok(!asJson.text.includes("//") && !asJson.text.includes("/*"), "no comment left");
  assert.equal((await api("/tailnet/other.example/acl")).status, 404);
  assert.equal((await api("/tailnet/-/acl", { method: "PUT" })).status, 405);
});

test("the seeded file is commented HuJSON, and every comment is in what GET answers", async (t) => {
  const { get } = await start(t);
  const comments = SEED_POLICY.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g);
  assert.ok(comments.length >= 10, `${comments.length} comments`);
  assert.ok(comments.some((c) => c.startsWith("/*") && c.includes("\n")), "a block comment over several lines");
  assert.ok(SEED_POLICY.split("\n").some((l) => /^\s+[{"[].*\/\/ /.test(l)), "a trailing comment after a value");
  assert.match(SEED_POLICY, /,\s*\n\s*[}\]]/, "trailing commas");
  assert.match(SEED_POLICY, /\n {4}"groups"/, "four-space indentation");
  const { text } = await get();
  for (const c of comments) assert.ok(text.includes(c), c);
  const seed = parseHujson(SEED_POLICY).value;
  assert.deepEqual(Object.keys(seed.tagOwners), ["tag:ci", "tag:router", "tag:edge", "tag:prod"]);
  assert.deepEqual(seed.postures["posture:provisioned"], ["custom:provisioned == true"]);
  assert.ok(seed.grants.some((g) => g.srcPosture?.includes("posture:provisioned")));
  assert.ok(seed.acls.length >= 1 && seed.tests.length >= 1);
});

test("the seeded devices split the seeded postures: some pass, some fail", async (t) => {
  const { api } = await start(t);
  const postures = parseHujson(SEED_POLICY).value.postures;
  const { devices } = await (await api("/tailnet/-/devices")).json();
  const passing = {};
  for (const d of devices) {
    const { attributes } = await (await api(`/device/${d.nodeId}/attributes`)).json();
    for (const [name, conditions] of Object.entries(postures)) {
      if (conditions.every((c) => conditionMatches(parseCondition(c), attributes))) (passing[name] ??= []).push(d.hostname);
    }
  }
  assert.deepEqual(passing["posture:provisioned"], ["lab-workstation"]);
  assert.deepEqual(passing["posture:latest"], ["lab-router", "ci-runner-1", "build-box", "lab-workstation", "prod-api"]);
});

test("details=true: the stored text in base64, warnings and errors, and the ETag", async (t) => {
  const { api, get, set } = await start(t);
  const r = await api("/tailnet/-/acl?details=true");
  assert.equal(r.headers.get("content-type"), "application/json");
  const body = await r.json();
  assert.equal(Buffer.from(body.acl, "base64").toString("utf8"), SEED_POLICY);
  assert.deepEqual(body.warnings, []);
  assert.equal(body.errors, null);
  assert.equal(r.headers.get("etag"), (await get()).etag);
  // Any other value is false: the plain text.
  assert.equal(await (await api("/tailnet/-/acl?details=1")).text(), SEED_POLICY);
  // A group naming someone the tailnet does not know is a warning, as in the spec's example.
  const unknown = `{"groups": {"group:x": ["nobody@example.com", "amelie@example.com"]}} // é\n`;
  assert.equal((await set(unknown)).status, 200);
  const after = await (await api("/tailnet/-/acl?details=true")).json();
  assert.equal(Buffer.from(after.acl, "base64").toString("utf8"), unknown, "UTF-8 round trip");
  assert.deepEqual(after.warnings, ['"group:x": user not found: "nobody@example.com"']);
});

test("the ETag changes with the text, and only with it", async (t) => {
  const { get, set } = await start(t);
  const first = await get();
  assert.equal((await get()).etag, first.etag, "stable across reads");
  const written = await set(OTHER, { "if-match": first.etag });
  assert.equal(written.status, 200);
  assert.notEqual(written.etag, first.etag);
  assert.equal((await get()).etag, written.etag);
  // The same text written again keeps the ETag; a one-space change does not.
  assert.equal((await set(OTHER, { "if-match": written.etag })).etag, written.etag);
  const spaced = await set(OTHER + " ");
  assert.notEqual(spaced.etag, written.etag);
  assert.equal((await set(SEED_POLICY)).etag, first.etag, "the seed's text has the seed's ETag");
});

test("If-Match: the current ETag writes, a stale one is 412 and nothing is written", async (t) => {
  const { get, set } = await start(t);
  const { etag } = await get();
  const ok = await set(OTHER, { "if-match": etag });
  assert.equal(ok.status, 200);
  const stale = await set(SEED_POLICY, { "if-match": etag });
  assert.equal(stale.status, 412);
  assert.deepEqual(JSON.parse(stale.text), { message: "precondition failed, invalid old hash" });
  assert.equal((await get()).text, OTHER, "nothing written");
  // An ETag quoted twice is not the ETag (tailscale-client-go-v2#27); unquoted, it is.
  assert.equal((await set(SEED_POLICY, { "if-match": `"${ok.etag}"` })).status, 412);
  assert.equal((await set(SEED_POLICY, { "if-match": "*" })).status, 412);
  assert.equal((await set(SEED_POLICY, { "if-match": ok.etag.slice(1, -1) })).status, 200);
  // No If-Match: unconditional.
  assert.equal((await set(OTHER)).status, 200);
  assert.equal((await get()).text, OTHER);
});

test('If-Match "ts-default" writes only over the untouched default', async (t) => {
  const { get, set } = await start(t);
  const first = await set(OTHER, { "if-match": '"ts-default"' });
  assert.equal(first.status, 200);
  assert.equal((await get()).text, OTHER);
  const second = await set(SEED_POLICY, { "if-match": '"ts-default"' });
  assert.equal(second.status, 412);
  assert.equal(JSON.parse(second.text).message, "precondition failed, invalid old hash");
  // Writing the seed's text back is still a write: the file is no longer untouched.
  assert.equal((await set(SEED_POLICY)).status, 200);
  assert.equal((await set(OTHER, { "if-match": '"ts-default"' })).status, 412);
  assert.equal((await get()).text, SEED_POLICY);

  const { set: setUnquoted } = await start(t);
  assert.equal((await setUnquoted(OTHER, { "if-match": "ts-default" })).status, 200, "the spec shows it unquoted too");
  assert.equal((await setUnquoted(OTHER, { "if-match": "ts-default" })).status, 412);
});

test("POST stores the body as sent, answers it by Accept with its ETag, and refuses bad files", async (t) => {
  const { get, set, json, tailnet } = await start(t);
  const asJson = '{\n  "acls": [ {"action": "accept", "src": ["*"], "dst": ["*:22"]} ]\n}';
  const written = await set(asJson, { ...json, accept: "application/json" });
  assert.equal(written.status, 200);
  assert.equal(written.type, "application/json");
  assert.equal(written.text, asJson);
  assert.equal((await get()).text, asJson, "the JSON text as sent, spacing included");
  const hu = await set(OTHER, { accept: "application/json" });
  assert.equal(hu.text, standardize(OTHER), "the answer is the new file, standardized for JSON");
  const plain = await set(OTHER);
  assert.deepEqual([plain.type, plain.text], ["application/hujson", OTHER]);
  // curl's default content type is a form: the body is still read as HuJSON.
  assert.equal((await set(OTHER, { "content-type": "application/x-www-form-urlencoded" })).status, 200);

  const before = (await get()).etag;
  const refused = async (body, headers, why) => {
    const r = await set(body, headers);
    assert.equal(r.status, 400, body);
    assert.match(JSON.parse(r.text).message, why, body);
    return JSON.parse(r.text);
  };
  await refused("{\n  \"acls\": [,]\n}", {}, /^line 2, column 12: unexpected ","/);
  await refused('// a comment\n{"acls": []}', json, /not valid JSON: line 1, column 1/);
  await refused('{"acls": [],}', json, /line 1, column 12: trailing comma/);
  await refused('{"acls": [],\n "acls": []}', {}, /^line 2, column 2: duplicate member name "acls"/);
  await refused('{"acls": [], "acls": []}', json, /line 1, column 14: duplicate member name "acls"/);
  await refused('{"acls": []} // no line break', {}, /^line 1, column 14: unterminated \/\/ comment/);
  await refused("", {}, /empty/);
  await refused("[]", {}, /JSON object/);
  await refused('{"postures": {"posture:x": ["custom:x === 1"]}}', {}, /postures\["posture:x"\]\[0\]/);
  await refused('{"grants": [{"src": ["*"], "dst": ["*"], "ip": ["*"], "srcPosture": ["posture:nope"]}]}', {}, /grants\[0\]\.srcPosture\[0\]: "posture:nope" is not defined/);
  const failing = await refused('{"acls": [], "tests": [{"src": "a@example.com", "accept": ["tag:prod:443"]}]}', {}, /^test\(s\) failed$/);
  assert.deepEqual(failing.data, [{ user: "a@example.com", errors: ['[acl test error]: address "tag:prod:443" (protocol "tcp"): want: Accept, got: Drop'] }]);
  assert.equal((await get()).etag, before, "nothing written");
  // A refused body wins over a stale If-Match (RFC 9110 §13.2.1).
  assert.equal((await set("{", { "if-match": '"stale"' })).status, 400);
  assert.ok(tailnet.requests.every((r) => r.path === "/api/v2/tailnet/-/acl"), "every request logged");
});

test("validate: a good file passes; a syntax error names its line and column", async (t) => {
  const { validate, get } = await start(t);
  const before = (await get()).etag;
  const good = await validate(SEED_POLICY);
  assert.deepEqual([good.status, good.body], [200, {}]);
  // A body that starts with a comment is fine as HuJSON (tailscale/tailscale#9910 was not).
  assert.deepEqual((await validate("// hello\n" + OTHER)).body, {});
  // As JSON: standardized text, and the object itself.
  assert.deepEqual((await validate(standardize(SEED_POLICY), { "content-type": "application/json" })).body, {});
  assert.deepEqual((await validate(parseHujson(OTHER).value, { "content-type": "application/json" })).body, {});
  // The spec's other form: the file's text as a JSON string.
  assert.deepEqual((await validate(JSON.stringify(OTHER), { "content-type": "application/json" })).body, {});
  const syntax = await validate('{\n    "groups": {},\n    "acls": [\n        {"action": "accept" "src": ["*"]},\n    ],\n}');
  assert.equal(syntax.status, 200);
  assert.equal(syntax.body.message, 'line 4, column 29: expected "," or "}", found "\\""');
  assert.deepEqual(syntax.body.data, [{ errors: [syntax.body.message] }]);
  const inString = await validate(JSON.stringify("{\n  'x': 1\n}"), { "content-type": "application/json" });
  assert.match(inString.body.message, /^line 2, column 3: /);
  assert.equal((await get()).etag, before, "nothing saved");
});

test("validate: a body that is neither a file nor tests, or malformed JSON, is 400", async (t) => {
  const { validate } = await start(t);
  for (const [body, headers] of [["42", {}], ['"42"', {}], ["null", {}], ["", {}], ["{", { "content-type": "application/json" }], ['{"a": 1,}', { "content-type": "application/json" }]]) {
    const r = await validate(body, { "content-type": "application/json", ...headers });
    assert.equal(r.status, 400, body);
    assert.equal(typeof r.body.message, "string");
  }
  assert.equal((await validate("42")).status, 400, "HuJSON that is a number");
});

test("validate: posture names, conditions and srcPosture references are checked", async (t) => {
  const { validate } = await start(t);
  const file = (postures, rest = {}) => ({ postures, ...rest });
  const refused = async (body, where, why) => {
    const r = await validate(body);
    assert.equal(r.status, 200);
    assert.ok(r.body.message, JSON.stringify(body));
    assert.ok(r.body.data[0].errors.some((e) => e.startsWith(where) && why.test(e)), `${where} ${why}: ${JSON.stringify(r.body)}`);
  };
  await refused(file({ provisioned: ["custom:x IS SET"] }), 'postures["provisioned"]', /starts with "posture:"/);
  await refused(file({ "posture:": ["custom:x IS SET"] }), 'postures["posture:"]', /starts with "posture:"/);
  await refused(file({ "posture:x": [] }), 'postures["posture:x"]', /non-empty list/);
  await refused(file({ "posture:x": "custom:x IS SET" }), 'postures["posture:x"]', /non-empty list/);
  await refused(file({ "posture:x": [1] }), 'postures["posture:x"]', /non-empty list/);
  for (const [condition, why] of [
    ["custom:tier", /column 12: expected an operator/],
    ["custom:tier ==", /column 15: expected a value/],
    [`custom:tier == "prod"`, /single quotes/],
    ["custom:tier == prod", /"prod": strings are in single quotes/],
    ["custom:tier == 'prod", /column 16: unterminated string/],
    ["custom:tier IN 'a'", /bracketed list/],
    ["custom:tier IN []", /empty list/],
    ["custom:tier IN ['a',]", /expected a value/],
    ["custom:tier == ['a']", /a list goes with IN and NOT IN/],
    ["custom:tier IS 'x'", /expected "SET" after "IS"/],
    ["custom:tier NOT 'x'", /expected "IN" or "SET" after "NOT"/],
    ["custom:tier LIKE 'a'", /unknown operator "LIKE"/],
    ["custom:tier == 'a' 'b'", /column 20: unexpected "'b'"/],
    ["custom:tier IS SET 1", /unexpected "1"/],
    ["node:os < 'x'", /versions, of node:osVersion and node:tsVersion/],
    ["custom:n >= true", /not true or false/],
    ["node:tsAutoUpdate == TRUE", /true and false are written in lower case/],
    ["node:tsVersion >= 1.6", /a version is quoted/],
    ["bogus:thing == 1", /column 1: unknown attribute namespace "bogus:"/],
    ["node:color == 'red'", /unknown node attribute/],
    ["ip:city == 'Paris'", /only ip:country/],
    ["custom:a-b == 1", /not a custom attribute key/],
    ["== 1", /column 1: expected an attribute/],
  ]) {
    await refused(file({ "posture:x": ["custom:ok IS SET", condition] }), 'postures["posture:x"][1]', why);
  }
  // Operators in any case, quoted strings, numbers, lists (tests/js/posture-grammar.test.mjs has the whole grammar).
  const fine = ["custom:x is set", "custom:x Not Set", "ip:country in ['CA', 'US']", "node:os NOT IN ['windows']", "falcon:ztaScore>=70", "node:tsAutoUpdate == true", "custom:n != -1.5", "node:osVersion < '15.1'", "fleetPolicy:disk-check == 'pass'"];
  assert.deepEqual((await validate(file({ "posture:x": fine }))).body, {});

  const refs = await validate(
    file(
      { "posture:ok": ["custom:x IS SET"] },
      {
        defaultSrcPosture: ["posture:ok", "posture:missing1"],
        grants: [{ src: ["*"], dst: ["*"], ip: ["*"], srcPosture: ["posture:missing2"] }],
        acls: [{ action: "accept", src: ["*"], dst: ["*:*"], srcPosture: ["posture:ok", "posture:missing3"] }],
        ssh: [{ action: "accept", src: ["*"], dst: ["autogroup:self"], users: ["root"], srcPosture: ["posture:missing4"] }],
      },
    ),
  );
  assert.equal(refs.status, 200);
  assert.deepEqual(refs.body.data[0].errors, [
    'defaultSrcPosture[1]: "posture:missing1" is not defined in postures',
    'acls[0].srcPosture[1]: "posture:missing3" is not defined in postures',
    'grants[0].srcPosture[0]: "posture:missing2" is not defined in postures',
    'ssh[0].srcPosture[0]: "posture:missing4" is not defined in postures',
  ]);
  assert.equal(refs.body.message, 'defaultSrcPosture[1]: "posture:missing1" is not defined in postures (and 3 more)');
});

test("validate: a group member the tailnet does not know is a warning, not an error", async (t) => {
  const { validate } = await start(t);
  const r = await validate({ groups: { "group:a": ["ghost@example.com", "demo@example.com", "ghost2@example.com"] } });
  assert.deepEqual(r.body, { message: "warning(s) found", data: [{ user: "group:a", warnings: ['user not found: "ghost@example.com"', 'user not found: "ghost2@example.com"'] }] });
});

test("validate with a list of tests runs them against the current file, postures included", async (t) => {
  const { validate, set } = await start(t);
  const json = { "content-type": "application/json" };
  const run = (tests) => validate(tests, json);
  const provisioned = { src: "amelie@example.com", srcPostureAttrs: { "custom:provisioned": true }, accept: ["tag:prod:443"] };
  assert.deepEqual((await run([provisioned])).body, {});
  const notProvisioned = await run([{ ...provisioned, srcPostureAttrs: { "custom:provisioned": false } }, { src: "amelie@example.com", accept: ["tag:prod:443"] }]);
  assert.equal(notProvisioned.body.message, "test(s) failed");
  assert.deepEqual(notProvisioned.body.data, [
    { user: "amelie@example.com", errors: ['[acl test error]: address "tag:prod:443" (protocol "tcp"): want: Accept, got: Drop'] },
    { user: "amelie@example.com", errors: ['[acl test error]: address "tag:prod:443" (protocol "tcp"): want: Accept, got: Drop'] },
  ]);
  // A string "true" is not the boolean true.
  assert.equal((await run([{ ...provisioned, srcPostureAttrs: { "custom:provisioned": "true" } }])).body.message, "test(s) failed");
  // A deny that the file accepts.
  const deny = await run([{ src: "tag:ci", deny: ["tag:prod:22", "10.0.0.1:22"] }]);
  assert.deepEqual(deny.body.data, [{ user: "tag:ci", errors: ['[acl test error]: address "tag:prod:22" (protocol "tcp"): want: Drop, got: Accept'] }]);
  // Versions by cmpver: 1.60 and 1.100 are >= '1.60'; 1.58.2 and 1.9 are not.
  const version = (v, want) => ({ src: "demo@example.com", srcPostureAttrs: { "node:tsVersion": v, "node:tsReleaseTrack": "stable" }, [want]: ["build-box:22"] });
  assert.deepEqual((await run([version("1.60", "accept"), version("1.100.0", "accept"), version("1.58.2", "deny"), version("1.9", "deny")])).body, {});
  assert.equal((await run([version("1.9", "accept")])).body.data.length, 1);
  // Sources and destinations by address: ci-runner-1 is 100.64.0.4 (tag:ci), prod-api 100.64.0.7 (tag:prod).
  assert.deepEqual((await run([{ src: "100.64.0.4", accept: ["tag:prod:22", "100.64.0.7:22"] }, { src: "tag:ci", accept: ["100.64.0.7:22"] }])).body, {});
  // A protocol the rule does not allow.
  assert.deepEqual((await run([{ src: "tag:ci", proto: "udp", deny: ["tag:prod:22"] }, { src: "tag:ci", proto: "tcp", accept: ["tag:prod:22"] }])).body, {});
  // Group membership, and a group as a source.
  assert.deepEqual((await run([{ src: "demo@example.com", accept: ["10.0.0.1:8080", "tag:router:1"] }, { src: "amelie@example.com", deny: ["10.0.0.1:8080"] }, { src: "group:admins", accept: ["10.0.0.9:1"] }])).body, {});
  // A host that stands for a range is not one destination: SaaS fails the test even where a rule
  // admits the range (capture policytest-allpass-grants-only-tag-src-host-alias-cidr-dst).
  assert.deepEqual((await run([{ src: "demo@example.com", accept: ["lab-net:8080"] }])).body.data, [
    { user: "demo@example.com", errors: ['[acl test error]: address "lab-net:8080": "lab-net" is a host alias for a range of addresses, not one host'] },
  ]);

  // Against the current file: after a write, the same tests answer differently.
  assert.equal((await set(OTHER)).status, 200);
  assert.deepEqual((await run([{ src: "amelie@example.com", accept: ["tag:prod:443"] }])).body, {});
  assert.equal((await run([provisioned, { src: "tag:ci", deny: ["tag:prod:22"] }])).body.data.length, 1);

  // Malformed tests are a bad request.
  for (const bad of [[{ accept: ["x:1"] }], [{ src: "a@example.com", accept: ["tag:prod"] }], [{ src: "a@example.com", deny: ["*:22"] }], [{ src: "a@example.com", allow: ["x:1"] }], [{ src: "a@example.com", srcPostureAttrs: { "custom:x": [1] } }], [5]]) {
    assert.equal((await run(bad)).status, 400, JSON.stringify(bad));
  }
});

test("posture semantics in a candidate's tests: cmpver, unset attributes, types, defaultSrcPosture", async (t) => {
  const { validate } = await start(t);
  const cases = [
    // [srcPostureAttrs, destination, accepted]
    [{ "node:tsVersion": "1.39.9" }, "tag:a:1", true],
    [{ "node:tsVersion": "1.40" }, "tag:a:1", true],
    [{ "node:tsVersion": "1.40.0" }, "tag:a:1", false], // '1.40' < '1.40.0'
    [{}, "tag:a:1", false],
    [{}, "tag:b:2", true], // NOT SET matches an absent attribute
    [{ "custom:tier": "dev" }, "tag:b:2", false],
    [{}, "tag:c:3", false], // != does not match an absent attribute
    [{ "custom:tier": "dev" }, "tag:c:3", true],
    [{ "custom:tier": "prod" }, "tag:c:3", false],
    [{ "custom:tier": 5 }, "tag:c:3", true], // a number is never the string 'prod'
    [{ "node:os": "linux" }, "tag:d:4", true],
    [{ "node:os": "windows" }, "tag:d:4", false],
    [{ "falcon:ztaScore": 70 }, "tag:e:5", true], // defaultSrcPosture applies
    [{ "falcon:ztaScore": 69 }, "tag:e:5", false],
    [{ "falcon:ztaScore": "70" }, "tag:e:5", false],
    [{}, "tag:f:6", false], // an empty [] counts as absent: the default applies
    [{ "falcon:ztaScore": 70 }, "tag:f:6", true],
    [{ "falcon:ztaScore": 90 }, "tag:g:7", true], // any listed posture admits
    [{ "node:os": "macos" }, "tag:g:7", true],
    [{ "node:os": "ios" }, "tag:g:7", false],
  ];
  const candidate = (invert) => ({
    postures: {
      "posture:old": ["node:tsVersion <= '1.40'"],
      "posture:notier": ["custom:tier NOT SET"],
      "posture:nonprod": ["custom:tier != 'prod'"],
      "posture:os": ["node:os in ['macos', 'linux']"],
      "posture:score": ["falcon:ztaScore >= 70"],
    },
    defaultSrcPosture: ["posture:score"],
    grants: [
      { src: ["*"], dst: ["tag:a"], ip: ["1"], srcPosture: ["posture:old"] },
      { src: ["*"], dst: ["tag:b"], ip: ["2"], srcPosture: ["posture:notier"] },
      { src: ["*"], dst: ["tag:c"], ip: ["3"], srcPosture: ["posture:nonprod"] },
      { src: ["*"], dst: ["tag:d"], ip: ["4"], srcPosture: ["posture:os"] },
      { src: ["*"], dst: ["tag:e"], ip: ["5"] },
      { src: ["*"], dst: ["tag:f"], ip: ["6"], srcPosture: [] },
      { src: ["*"], dst: ["tag:g"], ip: ["7"], srcPosture: ["posture:score", "posture:os"] },
    ],
    tests: cases.map(([attrs, dst, ok]) => ({ src: "u@example.com", srcPostureAttrs: attrs, [ok !== invert ? "accept" : "deny"]: [dst] })),
  });
  assert.deepEqual((await validate(candidate(false))).body, {});
  const inverted = await validate(candidate(true));
  assert.equal(inverted.body.message, "test(s) failed");
  assert.equal(inverted.body.data.length, cases.length, "every expectation can fail");
});

test("posture conditions and cmpver, directly", () => {
  assert.deepEqual(parseCondition("node:tsVersion >= '1.60'"), { attribute: "node:tsVersion", operator: ">=", value: "1.60" });
  assert.deepEqual(parseCondition("  ip:country not   in ['CA','US'] "), { attribute: "ip:country", operator: "NOT IN", value: ["CA", "US"] });
  assert.deepEqual(parseCondition("custom:x IS SET"), { attribute: "custom:x", operator: "IS SET", value: undefined });
  assert.equal(compareVersions("1.9", "1.86.2"), -1);
  assert.equal(compareVersions("1.40", "1.40.0"), -1);
  assert.equal(compareVersions("1.40.0", "1.40"), 1);
  assert.equal(compareVersions("1.60", "1.60"), 0);
  assert.equal(compareVersions("10.0.26100", "10.0.9999"), 1);
  assert.equal(compareVersions("1.2a", "1.2b"), -1);
  assert.equal(conditionMatches(parseCondition("custom:n < 10"), { "custom:n": 9.5 }), true);
  assert.equal(conditionMatches(parseCondition("custom:n < 10"), { "custom:n": "9" }), false);
});

test("preview: the candidate's rules for a user or an ip:port, with their line numbers", async (t) => {
  const { api, get } = await start(t);
  const candidate = [
    "{", // 1
    '    "hosts": {"web": "100.64.0.9"},',
    '    "groups": {"group:ops": ["ops@example.com"]},',
    '    "acls": [',
    '        {"action": "accept", "src": ["group:ops"], "dst": ["web:80"]}, // 5',
    "        {", // 6
    '            "action": "accept",',
    '            "src": ["*"],',
    '            "dst": ["100.64.0.0/24:22"],',
    "        },",
    "    ],",
    '    "grants": [',
    "        /* a comment */",
    '        {"src": ["ops@example.com"], "dst": ["tag:prod"], "ip": ["tcp:443", "8080-8090"]}, // 14',
    '        {"src": ["autogroup:member"], "dst": ["*"], "ip": ["udp:53"]}, // 15',
    "    ],",
    "}",
  ].join("\n");
  const preview = async (query, body = candidate, headers = { "content-type": "application/hujson" }) => {
    const r = await api(`/tailnet/-/acl/preview?${query}`, { method: "POST", headers, body });
    return { status: r.status, body: await r.json() };
  };
  const lines = async (type, previewFor) => {
    const r = await preview(new URLSearchParams({ type, previewFor }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.type, r.body.previewFor], [type, previewFor]);
    return r.body.matches.map((m) => m.lineNumber);
  };
  const before = (await get()).etag;
  const ops = await preview("type=user&previewFor=ops%40example.com");
  assert.deepEqual(ops.body.matches, [
    { users: ["group:ops"], ports: ["web:80"], lineNumber: 5 },
    { users: ["*"], ports: ["100.64.0.0/24:22"], lineNumber: 6 },
    { users: ["ops@example.com"], ports: ["tag:prod:443", "tag:prod:8080-8090"], lineNumber: 14 },
    { users: ["autogroup:member"], ports: ["*:53"], lineNumber: 15 },
  ]);
  assert.deepEqual(await lines("user", "other@example.com"), [6, 15]);
  assert.deepEqual(await lines("ipport", "100.64.0.9:80"), [5], "a host alias resolves");
  assert.deepEqual(await lines("ipport", "100.64.0.9:22"), [6], "a CIDR covers");
  assert.deepEqual(await lines("ipport", "100.64.0.7:8085"), [14], "tag:prod is prod-api's tag");
  assert.deepEqual(await lines("ipport", "100.64.0.7:53"), [15], "* covers every address");
  assert.deepEqual(await lines("ipport", "100.64.0.9:81"), []);
  // As JSON too.
  const asJson = await preview("type=user&previewFor=other%40example.com", standardize(candidate), { "content-type": "application/json" });
  assert.deepEqual(asJson.body.matches.map((m) => m.lineNumber), [6, 15], "standardized text keeps line numbers");
  for (const query of ["", "type=user", "type=group&previewFor=x", "type=ipport&previewFor=web:80", "type=ipport&previewFor=100.64.0.9", "type=ipport&previewFor=100.64.0.9%3A99999"]) {
    assert.equal((await preview(query)).status, 400, query);
  }
  assert.equal((await preview("type=user&previewFor=a", "{")).status, 400, "a candidate that does not parse");
  assert.equal((await preview("type=user&previewFor=a", '{"acls": [{"action": "accept", "src": ["*"], "dst": ["web"]}]}')).status, 400, "a dst without a port");
  assert.equal((await get()).etag, before, "nothing saved");
});

test("scopes: policy_file:read reads, validates and previews; writing needs policy_file", async (t) => {
  const { tailnet, base, api } = await start(t);
  const token = async (scope) => {
    const form = new URLSearchParams({ client_id: tailnet.credentials.oauth.clientId, client_secret: tailnet.credentials.oauth.clientSecret, grant_type: "client_credentials", scope });
    const r = await fetch(`${base}/api/v2/oauth/token`, { method: "POST", body: form });
    return (await r.json()).access_token;
  };
  const reader = await token("policy_file:read");
  const writer = await token("policy_file");
  const other = await token("devices:core");
  const hu = { "content-type": "application/hujson" };
  const calls = {
    get: (tk) => api("/tailnet/-/acl", { token: tk }),
    validate: (tk) => api("/tailnet/-/acl/validate", { method: "POST", headers: hu, body: OTHER, token: tk }),
    preview: (tk) => api("/tailnet/-/acl/preview?type=user&previewFor=a%40example.com", { method: "POST", headers: hu, body: OTHER, token: tk }),
    set: (tk) => api("/tailnet/-/acl", { method: "POST", headers: hu, body: OTHER, token: tk }),
  };
  const status = async (name, tk) => (await calls[name](tk)).status;
  assert.deepEqual([await status("get", reader), await status("validate", reader), await status("preview", reader)], [200, 200, 200]);
  const denied = await calls.set(reader);
  assert.equal(denied.status, 403);
  assert.match((await denied.json()).message, /policy_file scope/);
  for (const name of ["get", "validate", "preview", "set"]) assert.equal(await status(name, other), 403, name);
  assert.equal(await status("set", writer), 200);
  assert.equal(await status("get", writer), 200, "policy_file covers reading");
  assert.equal((await api("/tailnet/-/acl", { token: "tskey-api-nope" })).status, 401);
});

test("the after-handling fault: the write happens, the client sees a dropped connection", async (t) => {
  const { tailnet, get, set } = await start(t);
  const before = await get();
  tailnet.fault({ method: "POST", path: "/acl", drop: "after-handling" });
  await assert.rejects(set(OTHER, { "if-match": before.etag }), TypeError, "no answer");
  const now = await get();
  assert.equal(now.text, OTHER, "the write took effect");
  assert.notEqual(now.etag, before.etag);
  const posted = tailnet.requests.filter((r) => r.method === "POST");
  assert.equal(posted.length, 1);
  assert.deepEqual([posted[0].fault, posted[0].status], [true, 200]);
  // Retrying with the old ETag now fails: the lost answer's write is visible to the next read.
  assert.equal((await set(OTHER, { "if-match": before.etag })).status, 412);
  assert.equal(tailnet.requests.at(-1).fault, undefined, "the fault was spent");
});

test("other routes still parse JSON bodies as before, and the body cap applies to the policy", async (t) => {
  const { api, tailnet } = await start(t);
  const r = await api("/tailnet/-/keys", { method: "POST", headers: { "content-type": "application/json" }, body: "// not json\n{}" });
  assert.equal(r.status, 400);
  assert.equal((await r.json()).message, "request body is not valid JSON");
  const big = await api("/tailnet/-/acl", { method: "POST", headers: { "content-type": "application/hujson" }, body: `{"groups": {}} //${"x".repeat(1024 * 1024)}` });
  assert.equal(big.status, 413);
  // A DELETE whose answer is lost still deleted the key.
  const created = await (await api("/tailnet/-/keys", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ capabilities: { devices: { create: { tags: ["tag:ci"] } } } }) })).json();
  tailnet.fault({ method: "DELETE", drop: "after-handling" });
  await assert.rejects(api(`/tailnet/-/keys/${created.id}`, { method: "DELETE" }), TypeError);
  assert.ok(tailnet.state.keys.get(created.id).revoked, "revoked although the answer was lost");
});

test("the HuJSON reader: strict, with line and column; standardize keeps bytes and lines", () => {
  const text = '[1, // é\n 2, /* ü\n */ ]';
  const std = standardize(text);
  assert.equal(Buffer.byteLength(std), Buffer.byteLength(text), "a comment's multi-byte characters become as many spaces");
  assert.equal(std.split("\n").length, 3);
  assert.deepEqual(JSON.parse(std), [1, 2]);
  assert.deepEqual(parseHujson('{"__proto__": 1}').value, JSON.parse('{"__proto__": 1}'));
  // A // comment ends at LF only, as in hujson: the 2 after a lone CR is commented out.
  assert.deepEqual(parseHujson("[1, // a\r2\n]").value, [1]);
  assert.equal(standardize("[1, /*\ta\r\n\t*/ 2,\t// \t\n]"), "[1,   \t \r\n\t   2 \t   \t\n]", "tabs, CRs and LFs in comments stay");
  // A name twice is HuJSON (the last is read, as JSON.parse reads it); the policy routes refuse it.
  assert.deepEqual(parseHujson('{"a": 1, "b": 0, "a": 2}').value, JSON.parse('{"a": 1, "b": 0, "a": 2}'));
  assert.throws(() => parseHujson('{"a": 1, "a": 2}', { uniqueNames: true }), /line 1, column 10: duplicate member name "a"/);
  for (const [bad, why] of [
    ["{'a': 1}", /line 1, column 2: expected a member name/],
    ["null//", /line 1, column 5: unterminated \/\/ comment/],
    ["[1,,2]", /line 1, column 4/],
    ["[0x10]", /line 1, column 3/],
    ["[NaN]", /line 1, column 2: unexpected "N"/],
    ["[1]\n/* open", /line 2, column 1: unterminated/],
    ['["a\nb"]', /control character/],
    ["[".repeat(2000), /nesting deeper/],
    ["", /end of input/],
  ]) {
    assert.throws(() => parseHujson(bad), why, bad);
  }
});
