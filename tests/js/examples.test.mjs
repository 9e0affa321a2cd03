// Runs each script in examples/ against the demo tailnet, with the packed package resolving
// from tests/js/node_modules, so that none of them can rot.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { cpSync, mkdirSync, readFileSync, statSync, existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TailscaleClient } from "tailscale-wasm";
import { startTailnet, federatedCredentials, gate, until } from "./helpers.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const work = `${here}.work/examples`;
mkdirSync(work, { recursive: true });
// Copied next to tests/js/node_modules so that `import "tailscale-wasm"` finds the tarball.
for (const f of ["connect.mjs", "rotate-auth-keys.mjs", "provision-oauth-app.mjs", "ci-federated.mjs", "tag-devices.mjs", "provision-device.mjs", "gate-provisioned.mjs", "who-can-reach.mjs"]) cpSync(`${here}../../examples/${f}`, `${work}/${f}`);

const { tailnet, baseUrl } = await startTailnet();
after(() => tailnet.close());
const env = { ...process.env, TAILSCALE_API_KEY: tailnet.credentials.apiKey, TAILSCALE_BASE_URL: baseUrl };
const example = (file, args, extraEnv = {}) => promisify(execFile)(process.execPath, [`${work}/${file}`, ...args], { env: { ...env, ...extraEnv }, cwd: work });
const authKeys = () => [...tailnet.state.keys.values()].filter((k) => k.keyType === "auth");

test("rotate-auth-keys: a dry run changes nothing, a real run replaces the keys due", async () => {
  const before = authKeys().map((k) => ({ ...k }));
  const dry = await example("rotate-auth-keys.mjs", ["--days", "14", "--dry-run"]);
  assert.match(dry.stdout, /would rotate .*edge routers/);
  assert.match(dry.stdout, /would rotate .*office laptop/);
  assert.doesNotMatch(dry.stdout, /ci runners/);
  assert.match(dry.stdout, /summary: .* 2 auth keys expire within 14 days, would rotate 2, failed 0/);
  assert.deepEqual(authKeys(), before);

  const { stdout } = await example("rotate-auth-keys.mjs", ["--days", "14", "--secrets-file", `${work}/rotated.json`]);
  assert.match(stdout, /rotated 2, failed 0/);
  const secrets = JSON.parse(readFileSync(`${work}/rotated.json`, "utf8"));
  assert.equal(statSync(`${work}/rotated.json`).mode & 0o777, 0o600);
  for (const old of before.filter((k) => ["edge routers", "office laptop"].includes(k.description))) {
    assert.ok(tailnet.state.keys.get(old.id).revoked, `${old.description} was revoked`);
    const fresh = tailnet.state.keys.get(secrets[old.id].id);
    assert.deepEqual(fresh.capabilities, old.capabilities, "same capabilities");
    assert.equal(fresh.description, old.description);
    assert.equal(fresh.expirySeconds, old.expirySeconds);
    assert.equal(secrets[old.id].key, fresh.key);
  }
  assert.ok(!stdout.includes("tskey-auth-"), "no secret on stdout");
});

test("rotate-auth-keys refuses to mint keys whose secrets would be lost", async () => {
  await assert.rejects(example("rotate-auth-keys.mjs", ["--days", "14"]), /--secrets-file/);
});

test("provision-oauth-app creates an app with allowedNodeAttributes", async () => {
  const { stdout } = await example("provision-oauth-app.mjs", ["--name", "lab-provisioner", "--redirect-uri", "https://lab.example/cb", "--attribute", "custom:provisioned", "--attribute", "custom:rack", "--secret-file", `${work}/app.json`]);
  assert.match(stdout, /created OAuth app lab-provisioner .*custom:provisioned, custom:rack/);
  const saved = JSON.parse(readFileSync(`${work}/app.json`, "utf8"));
  const app = tailnet.state.apps.get(saved.id);
  assert.deepEqual(app.allowedNodeAttributes, ["custom:provisioned", "custom:rack"]);
  assert.equal(saved.clientSecret, app.clientSecret);
  const bad = await example("provision-oauth-app.mjs", ["--name", "x", "--attribute", "provisioned"]).catch((e) => e);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /allowedNodeAttributes\[0\]: must start with "custom:"/);
});

test("ci-federated exchanges an ID token from the environment and mints an ephemeral key", async () => {
  const admin = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
  const fed = await federatedCredentials(admin);
  const { stdout } = await example("ci-federated.mjs", ["--tag", "tag:ci", "--auth-key-file", `${work}/ci-key`], { TAILSCALE_API_KEY: "", TS_FEDERATED_CLIENT_ID: fed.clientId, TS_ID_TOKEN: fed.idToken, GITHUB_RUN_ID: "42" });
  assert.match(stdout, /minted ephemeral auth key k\w+ for tag:ci/);
  const secret = readFileSync(`${work}/ci-key`, "utf8");
  const key = [...tailnet.state.keys.values()].find((k) => k.key === secret);
  assert.deepEqual(key.capabilities.devices.create, { reusable: false, ephemeral: true, preauthorized: true, tags: ["tag:ci"] });
  assert.equal(key.description, "ci job 42");
  assert.ok(tailnet.requests.some((r) => r.path === "/api/v2/oauth/token-exchange"));
  assert.ok(existsSync(`${work}/ci-key`) && !stdout.includes(secret));
});

test("tag-devices: a dry run shows the patch and sends nothing; a real run sets attributes in one batch", async () => {
  const patches = () => tailnet.requests.filter((r) => r.method === "PATCH").length;
  const before = patches();
  const dry = await example("tag-devices.mjs", ["--tag", "tag:ci", "--os", "linux", "--set", "custom:pool=blue", "--set", "custom:tier=2", "--dry-run"]);
  assert.match(dry.stdout, /matched ci-runner-1/);
  assert.match(dry.stdout, /"custom:pool": \{\s+"value": "blue"/);
  assert.match(dry.stdout, /summary: 1 devices matched .*would set 2 and would delete 0 attributes on each/);
  assert.equal(patches(), before, "a dry run sends no patch");

  const { stdout } = await example("tag-devices.mjs", ["--tag", "tag:ci", "--set", "custom:pool=blue", "--set", "custom:canary=true", "--expires-in-hours", "24", "--comment", "from the example"]);
  assert.match(stdout, /summary: 1 devices matched .*set 2 and deleted 0/);
  assert.equal(patches(), before + 1, "one batch call");
  const patch = JSON.parse(tailnet.requests.filter((r) => r.method === "PATCH").at(-1).body);
  assert.equal(patch.comment, "from the example");
  const [id] = Object.keys(patch.nodes);
  assert.deepEqual(Object.keys(patch.nodes[id]), ["custom:pool", "custom:canary"]);
  assert.equal(patch.nodes[id]["custom:canary"].value, true);
  assert.ok(Date.parse(patch.nodes[id]["custom:pool"].expiry) > Date.now() + 23 * 3_600_000);

  await example("tag-devices.mjs", ["--tag", "tag:ci", "--delete", "custom:pool"]);
  const last = JSON.parse(tailnet.requests.filter((r) => r.method === "PATCH").at(-1).body);
  assert.deepEqual(last.nodes[id], { "custom:pool": null });

  const bad = await example("tag-devices.mjs", ["--set", "pool=a b"]).catch((e) => e);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--set pool=a b: key must start with "custom:"/);
  assert.match(bad.stderr, /value may hold only letters/);
});

/** A free loopback port for the example's callback server. */
const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

/** Runs provision-device.mjs until it prints the consent URL; `answer(url)` plays the browser. */
async function provisionDevice(port, args, answer) {
  const admin = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
  const app = await admin.oauthApps.create({ name: `cli-${port}`, redirectURIs: [`http://127.0.0.1:${port}/callback`], scopes: ["auth_keys:create:once"], allowedNodeAttributes: ["custom:provisioned"] });
  const child = spawn(process.execPath, [`${work}/provision-device.mjs`, "--port", String(port), ...args], {
    cwd: work,
    env: { ...env, TAILSCALE_API_KEY: "", TS_APP_CLIENT_ID: app.id, TS_APP_CLIENT_SECRET: app.clientSecret, TAILSCALE_LOGIN_URL: baseUrl },
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      stdout += d;
      const m = stdout.match(/^(http\S+oauth_authorize\S+)$/m);
      if (m) resolve(m[1]);
    });
    child.on("exit", () => reject(new Error(`exited early: ${stdout}${stderr}`)));
  });
  try {
    await answer(url);
  } catch (err) {
    throw new Error(`answering ${url} failed (${err.cause?.message ?? err.message}); the example said: ${stdout}${stderr}`);
  }
  const code = await new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on("exit", resolve)));
  return { code, stdout, stderr, app, secret: app.clientSecret };
}

/** The consent screen, answered by a scripted request instead of a person. */
async function consent(url, choice) {
  const html = await (await fetch(url)).text();
  const link = html.match(new RegExp(`id="${choice}" href="([^"]+)"`))[1];
  const answer = await fetch(new URL(link, url), { redirect: "manual" });
  // The browser follows the redirect to the example's loopback callback server.
  await fetch(answer.headers.get("location"));
}

test("gate-provisioned: a dry run shows the diff and what it would change, and writes nothing; it never calls a destination gated that an acls rule still opens; once that rule is narrowed it gates, proves it with the engine and the server, and a second run changes nothing", async () => {
  const acl = "/api/v2/tailnet/-/acl";
  const writes = () => tailnet.requests.filter((r) => r.method === "POST" && r.path === acl);
  const original = tailnet.state.policy.text;
  const line = (needle) => original.split("\n").findIndex((l) => l.includes(needle)) + 1;
  const dry = await example("gate-provisioned.mjs", ["--dst", "tag:router", "--dry-run"]).catch((e) => e);
  assert.equal(dry.code, 3, "not gated: exit 3");
  assert.match(dry.stdout, /posture:provisioned: already defined/);
  assert.match(dry.stdout, /tag:router: added a grant from autogroup:member requiring posture:provisioned/);
  assert.match(dry.stdout, /dry run: would write, with If-Match "[0-9a-f]{64}":/);
  assert.match(dry.stdout, /^\+ .*"dst": \["tag:router"\]/m);
  assert.match(dry.stdout, /access it would change: none/);
  // The seeded acls[0] admits admins to tag:router on any port: build-box (an admin's, not
  // provisioned) still gets in, and the example says so rather than "gated".
  assert.match(dry.stdout, /tag:router \(lab-router\) port 22: NOT gated by posture:provisioned/);
  // The line is the rule's in the edited file: the new grant (6 lines) sits above it.
  assert.match(dry.stdout, new RegExp(`build-box\\S* still gets in without it, through acls\\[0\\] \\(line ${line('"src": ["group:admins"], "dst": ["lab-net:*"') + 6}\\)`));
  assert.match(dry.stdout, /fail {2}build-box.*custom:provisioned is false/);
  assert.equal(writes().length, 0, "the dry run writes nothing");
  assert.equal(tailnet.state.policy.text, original);
  // The server's own test runner agrees: a device without the posture still reaches it.
  const admin = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
  const open = await admin.policy.test([{ src: "demo@example.com", srcPostureAttrs: {}, deny: ["tag:router:22"] }]);
  assert.equal(open.ok, false, JSON.stringify(open));

  // Gating tag:prod on every grant would cut CI off, and the file's own tests say so: the write
  // is refused and nothing changes.
  const refused = await example("gate-provisioned.mjs", ["--dst", "tag:prod"]).catch((e) => e);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /tag:prod: grants\[1\] now requires posture:provisioned/);
  assert.match(refused.stderr, /TailscaleApiError: .*test\(s\) failed/);
  assert.match(refused.stderr, /tag:ci: .*tag:prod:22/);
  assert.equal(tailnet.state.policy.text, original);

  // Written, and still truthful: the grant landed, the destination is not gated.
  const written = await example("gate-provisioned.mjs", ["--dst", "tag:router"]).catch((e) => e);
  assert.equal(written.code, 3);
  assert.match(written.stdout, /changed: true/);
  assert.match(written.stdout, /NOT gated/);
  assert.equal(writes().filter((w) => w.status === 200).length, 1);

  // A person narrows acls[0] to the lab network: now nothing without the posture gets in.
  const current = await admin.policy.get();
  await admin.policy.set(current.text.replace('"dst": ["lab-net:*", "tag:router:*"]', '"dst": ["lab-net:*"]'), { ifMatch: current.etag });
  const run = await example("gate-provisioned.mjs", ["--dst", "tag:router"]);
  assert.match(run.stdout, /changed: false/);
  assert.match(run.stdout, /tag:router \(lab-router\) port 22: gated by posture:provisioned/);
  assert.match(run.stdout, /proof \(amelie@example.com without posture:provisioned refused, with \{"custom:provisioned":true\} admitted\): engine pass; server pass/);
  assert.match(run.stdout, /summary: 1 of 7 devices pass posture:provisioned/);
  assert.ok(writes().every((w) => w.headers["if-match"]), "If-Match on every write");
  const comments = (t) => t.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g);
  assert.deepEqual(comments(tailnet.state.policy.text), comments(original));

  const sent = writes().length;
  const again = await example("gate-provisioned.mjs", ["--dst", "tag:router"]);
  assert.match(again.stdout, /changed: false/);
  assert.equal(writes().length, sent, "the second run writes nothing");
  const bad = await example("gate-provisioned.mjs", []).catch((e) => e);
  assert.equal(bad.code, 2);
  await admin.policy.set(original, { overwrite: true });
});

test("who-can-reach lists who reaches a destination with each rule's line, and who only a posture stops, with the reason", async () => {
  const stored = tailnet.state.policy.text;
  const lineOf = (needle) => stored.split("\n").findIndex((l) => l.includes(needle)) + 1;
  const router = await example("who-can-reach.mjs", ["--dst", "tag:router", "--port", "22"]);
  assert.match(router.stdout, new RegExp(`reaches {6}build-box\\S* through acls\\[0\\] \\(line ${lineOf('"src": ["group:admins"]')}\\)`));
  const prod = await example("who-can-reach.mjs", ["--dst", "tag:prod", "--port", "443"]);
  assert.match(prod.stdout, /stopped {6}amelie-laptop\S* at grants\[0\] \(line \d+\): custom:provisioned is not set/);
  assert.match(prod.stdout, /1 reaches, 0 may, \d+ stopped by a posture/);
  // Behind the lab router: an address of its approved route, by ICMP.
  const lab = await example("who-can-reach.mjs", ["--dst", "10.0.0.7", "--proto", "icmp"]);
  assert.match(lab.stdout, /reaches {6}build-box/);
  // A file not saved yet: with acls[0] narrowed to the lab network, nobody reaches tag:router.
  const file = `${work}/next.hujson`;
  writeFileSync(file, stored.replace('"dst": ["lab-net:*", "tag:router:*"]', '"dst": ["lab-net:*"]'));
  const next = await example("who-can-reach.mjs", ["--dst", "tag:router", "--port", "22", "--policy", file]);
  assert.match(next.stdout, /0 reach, 0 may, 0 stopped by a posture/);
  const bad = await example("who-can-reach.mjs", []).catch((e) => e);
  assert.equal(bad.code, 2);
});

test("gate-provisioned next to a person editing the file: both changes land", async () => {
  const acl = "/api/v2/tailnet/-/acl";
  const admin = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
  const before = await admin.policy.get();
  // The example's write is held at the server until a person has saved an edit of their own.
  const posts = () => tailnet.requests.filter((r) => r.method === "POST" && r.path === acl).length;
  const sent = posts();
  const held = gate();
  tailnet.fault({ method: "POST", path: acl, pass: true, until: held.promise });
  const running = example("gate-provisioned.mjs", ["--dst", "tag:edge"]);
  await until(() => posts() > sent);
  await admin.policy.set(before.text.replace("// Names for addresses", "// Names for addresses (a person's edit)"), { ifMatch: before.etag });
  held.open();
  const { stdout } = await running;
  assert.match(stdout, /changed: true/);
  assert.match(stdout, /\(2 attempts\)/);
  const final = tailnet.state.policy.text;
  assert.ok(final.includes("(a person's edit)"), "the person's edit stays");
  assert.ok(final.includes('"dst": ["tag:edge"]'), "the example's grant landed");
});

test("provision-device: consent, exchange, a 0600 key file, and a device that joins with it", async () => {
  const port = await freePort();
  const keyFile = `${work}/provisioned-key`;
  const run = await provisionDevice(port, ["--key-file", keyFile, "--timeout", "30"], (url) => consent(url, "allow"));
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`tailscale up --auth-key=file:${keyFile}`));
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const key = readFileSync(keyFile, "utf8").trim();
  assert.match(key, /^tskey-auth-/);
  assert.ok(!run.stdout.includes(key) && !run.stdout.includes(run.secret), "neither the key nor the secret is printed");
  const device = tailnet.registerDevice({ authKey: key, hostname: "cli-provisioned" });
  assert.equal(device.user, "demo@example.com");
  const admin = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
  assert.equal((await admin.devices.getAttributes(device.nodeId)).attributes["custom:provisioned"], true);
});

// A forged callback (any web page can send one to a loopback port) is ignored: neither a forged
// code nor a forged denial ends the run, and the real consent that follows does.
test("provision-device ignores forged callbacks and goes on to the real one", async () => {
  const port = await freePort();
  const keyFile = `${work}/after-forgery-key`;
  const run = await provisionDevice(port, ["--key-file", keyFile, "--timeout", "30"], async (url) => {
    for (const query of ["code=stolen&state=forged", "error=access_denied&error_description=call+555-0100", "code=stolen", "error=access_denied&state=forged"]) {
      assert.equal((await fetch(`http://127.0.0.1:${port}/callback?${query}`)).status, 400, query);
    }
    await consent(url, "allow");
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Ignored a request to the callback that did not come from this run's consent screen/);
  assert.doesNotMatch(run.stderr, /access_denied|555/);
  assert.match(readFileSync(keyFile, "utf8"), /^tskey-auth-/);
});

test("provision-device says so plainly on Deny and on a timeout", async () => {
  const denied = await provisionDevice(await freePort(), ["--key-file", `${work}/denied-key`], (url) => consent(url, "deny"));
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /Not approved: access_denied/);
  assert.ok(!existsSync(`${work}/denied-key`));

  const slow = await provisionDevice(await freePort(), ["--key-file", `${work}/slow-key`, "--timeout", "1"], () => {});
  assert.equal(slow.code, 1);
  assert.match(slow.stderr, /no answer from the consent screen within 1 s/);
});
