// The demo page in Debian's Chromium, driven by playwright-core: every flow the demo promises,
// plus the security rules (text-only rendering, no storage, CSP, a proxy that forwards only
// /api/v2). Takes the README's screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { startServer } from "../../www/server.mjs";
import { createDemoTailnet, SEED_POLICY } from "../../www/demo-tailnet.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let browser, server, page;
const logLines = [];
const problems = [];
const dialogs = [];

before(async () => {
  server = await startServer({ port: 0, log: (line) => logLines.push(line) });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const rowsText = (table) => page.locator(`${table} tbody tr`).allInnerTexts();
/** Every comment of a HuJSON text, in order. */
const comments = (text) => text.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g) ?? [];
const postureCell = (host, posture) => page.locator(`#postures-table tbody tr:has-text('${host}') td[data-posture="${posture}"]`);
const apiRequests = () => server.demo.requests.length;
/** The 1-based line of `text` that holds `needle`. */
const lineOf = (text, needle) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;
/** The seeded acls[0]: admins reach the lab network and its router on any port. */
const ACLS0 = '"src": ["group:admins"], "dst": ["lab-net:*", "tag:router:*"]';
/** The seeded grant that lets CI deploy to production over SSH. */
const CI_SSH = '        {"src": ["tag:ci"], "dst": ["tag:prod"], "ip": ["tcp:22"]},\n';
/** Runs ACL tests against the stored file on the demo server's own evaluator (`{}` is a pass). */
async function serverTests(tests) {
  const response = await fetch(`${server.url}/api/v2/tailnet/-/acl/validate`, { method: "POST", headers: { authorization: `Bearer ${server.demo.credentials.apiKey}`, "content-type": "application/json" }, body: JSON.stringify(tests) });
  assert.equal(response.status, 200);
  return response.json();
}

test("the page loads with no console errors and lists the demo keys", async () => {
  const response = await page.goto(server.url + "/");
  assert.match(response.headers()["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval'/);
  await page.waitForSelector("body[data-ready=true]");
  await page.click("#connect");
  await page.waitForSelector("#keys-table tbody tr");
  const rows = await rowsText("#keys-table");
  assert.ok(rows.some((r) => r.includes("ci runners")), rows.join("\n"));
  assert.ok(rows.some((r) => r.includes("OAuth client")) && rows.some((r) => r.includes("Federated identity")));
  assert.ok(rows.some((r) => /in \d+ (days|months)/.test(r)), "expiry is shown relative");
  await page.waitForSelector("#apps-table tbody tr");
  assert.deepEqual(problems, []);
});

test("typing the tag `server` shows the validation message before any request", async () => {
  const before = apiRequests();
  await page.fill("#auth-key-form [name=tags]", "server");
  const message = page.locator('#auth-key-form .field-error[data-for="tags"]');
  await message.waitFor();
  assert.match(await message.innerText(), /tag:/);
  await page.click("#auth-key-form button[type=submit]");
  assert.equal(apiRequests(), before, "nothing was sent");
  await page.fill("#auth-key-form [name=tags]", "tag:ci");
  assert.equal(await message.innerText(), "");
});

test("an auth key is created, its secret shown once, and it appears in the table", async () => {
  await page.check("#auth-key-form [name=reusable]");
  await page.fill("#auth-key-form [name=expiry]", "12");
  await page.fill("#auth-key-form [name=description]", "e2e runner");
  await page.click("#auth-key-form button[type=submit]");
  await page.waitForSelector("#secret-overlay:not([hidden])");
  const secret = await page.inputValue("#secret-value");
  assert.match(secret, /^tskey-auth-/);
  assert.match(await page.innerText("#secret-overlay"), /cannot be retrieved again/);
  assert.equal(await page.locator("#copy-secret").count(), 1);
  await page.click("#dismiss-secret");
  await page.waitForSelector("#secret-overlay", { state: "hidden" });
  await page.waitForSelector("#keys-table tbody tr:has-text('e2e runner')");
  const row = await page.locator("#keys-table tbody tr:has-text('e2e runner')").innerText();
  assert.match(row, /in 12 days/);
  assert.match(row, /reusable/);
  assert.equal(await page.evaluate((s) => document.documentElement.outerHTML.includes(s) || [...document.querySelectorAll("input,textarea")].some((i) => i.value.includes(s)), secret), false, "the secret is gone once dismissed");
});

test("a key is revoked after a confirm step", async () => {
  const row = page.locator("#keys-table tbody tr:has-text('e2e runner')");
  const id = await row.getAttribute("data-key-id");
  await row.getByRole("button", { name: "Revoke" }).click();
  assert.equal(server.demo.state.keys.get(id).revoked, undefined, "nothing happens before the confirm");
  await row.getByRole("button", { name: "Confirm revoke" }).click();
  await page.waitForSelector(`#keys-table tr[data-key-id="${id}"] .state.revoked`);
  assert.ok(server.demo.state.keys.get(id).revoked);
});

test("an OAuth client and a federated identity are created and edited", async () => {
  await page.fill("#trust-form [name=scopes]", "auth_keys");
  await page.fill("#trust-form [name=tags]", "tag:ci");
  await page.fill("#trust-form [name=description]", "e2e robot");
  await page.click("#trust-form button[type=submit]");
  await page.waitForSelector("#secret-overlay:not([hidden])");
  assert.match(await page.inputValue("#secret-value"), /^tskey-client-/);
  await page.click("#dismiss-secret");
  const row = page.locator("#keys-table tbody tr:has-text('e2e robot')");
  await row.waitFor();
  await row.getByRole("button", { name: "Edit" }).click();
  await page.fill("#trust-form [name=description]", "e2e robot two");
  await page.click("#trust-form button[type=submit]");
  await page.waitForSelector("#keys-table tbody tr:has-text('e2e robot two')");

  await page.selectOption("#trust-form [name=kind]", "federated");
  await page.fill("#trust-form [name=scopes]", "all:read");
  await page.fill("#trust-form [name=tags]", "");
  await page.fill("#trust-form [name=issuer]", "http://insecure.example");
  assert.match(await page.innerText('#trust-form .field-error[data-for="issuer"]'), /https/);
  await page.fill("#trust-form [name=issuer]", "https://token.example");
  await page.fill("#trust-form [name=subject]", "repo:acme/*");
  await page.fill("#trust-form [name=claims]", "repository_owner=acme");
  await page.fill("#trust-form [name=description]", "e2e federated");
  await page.click("#trust-form button[type=submit]");
  await page.waitForSelector("#keys-table tbody tr:has-text('e2e federated')");
  const created = [...server.demo.state.keys.values()].find((k) => k.description === "e2e federated");
  assert.deepEqual(created.customClaimRules, { repository_owner: "acme" });
});

test("an OAuth app with allowedNodeAttributes is created, listed, edited and deleted", async () => {
  await page.fill("#app-form [name=name]", "e2e-provisioner");
  await page.fill("#app-form [name=redirectURIs]", "https://prov.example/callback");
  await page.fill("#app-form [name=scopes]", "devices:core");
  await page.fill("#app-form [name=allowedNodeAttributes]", "provisioned");
  assert.match(await page.innerText('#app-form .field-error[data-for="allowedNodeAttributes"]'), /custom:/);
  await page.fill("#app-form [name=allowedNodeAttributes]", "custom:provisioned");
  await page.click("#app-form button[type=submit]");
  await page.waitForSelector("#secret-overlay:not([hidden])");
  assert.ok((await page.inputValue("#secret-value")).length > 0);
  await page.click("#dismiss-secret");
  const row = page.locator("#apps-table tbody tr:has-text('e2e-provisioner')");
  await row.waitFor();
  assert.match(await row.innerText(), /custom:provisioned/);
  await row.getByRole("button", { name: "Edit" }).click();
  await page.fill("#app-form [name=name]", "e2e-provisioner-2");
  await page.click("#app-form button[type=submit]");
  const renamed = page.locator("#apps-table tbody tr:has-text('e2e-provisioner-2')");
  await renamed.waitFor();
  await renamed.getByRole("button", { name: "Delete" }).click();
  await renamed.getByRole("button", { name: "Confirm delete" }).click();
  await renamed.waitFor({ state: "detached" });
});

test("the Devices section lists the seeded devices with their custom attributes", async () => {
  await page.waitForSelector("#devices-table tbody tr");
  const router = page.locator("#devices-table tbody tr:has-text('lab-router')");
  assert.match(await router.innerText(), /tag:router/);
  assert.match(await router.innerText(), /linux/);
  assert.equal(await router.locator(".chip.attr").count(), 2);
  assert.deepEqual((await router.locator(".chip.attr").allInnerTexts()).map((t) => t.replace("×", "").trim()).sort(), ["custom:rack=a1", "custom:tier=2"]);
  const laptop = await page.locator("#devices-table tbody tr:has-text('amelie-laptop')").innerText();
  assert.match(laptop, /amelie@example\.com/);
  assert.match(laptop, /3 hours ago/);
  assert.match(laptop, /custom:diskEncryption=true/);
  assert.ok(!laptop.includes("node:os"), "only custom attributes are listed");
});

test("a custom attribute is checked as you type, set, and deleted after a confirm step", async () => {
  const deviceId = await page.locator("#devices-table tbody tr:has-text('build-box')").getAttribute("data-node-id");
  await page.selectOption("#attribute-form [name=deviceId]", deviceId);
  const before = apiRequests();
  await page.fill("#attribute-form [name=key]", "pool");
  assert.match(await page.innerText('#attribute-form .field-error[data-for="key"]'), /custom:/);
  await page.fill("#attribute-form [name=value]", "deep blue");
  assert.match(await page.innerText('#attribute-form .field-error[data-for="value"]'), /letters, digits/);
  await page.click("#attribute-form button[type=submit]");
  assert.equal(apiRequests(), before, "nothing was sent");
  await page.fill("#attribute-form [name=key]", "custom:pool");
  await page.fill("#attribute-form [name=value]", "blue");
  await page.fill("#attribute-form [name=comment]", "set from the demo page");
  assert.equal(await page.innerText('#attribute-form .field-error[data-for="value"]'), "");
  await page.click("#attribute-form button[type=submit]");
  const row = page.locator("#devices-table tbody tr:has-text('build-box')");
  await row.locator(".chip.attr", { hasText: "custom:pool=blue" }).waitFor();
  await row.getByRole("button", { name: "Delete custom:pool" }).click();
  await row.getByRole("button", { name: "Confirm delete" }).waitFor();
  assert.ok(await row.locator(".chip.attr", { hasText: "custom:pool=blue" }).count(), "nothing happens before the confirm");
  await row.getByRole("button", { name: "Confirm delete" }).click();
  await page.locator("#devices-table tbody tr:has-text('build-box') .chip.attr", { hasText: "custom:pool" }).waitFor({ state: "detached" });
  const sent = server.demo.requests.filter((r) => r.path.endsWith("/attributes/custom%3Apool")).map((r) => r.method);
  assert.deepEqual(sent, ["POST", "DELETE"]);
});

test("a demo device registers with a freshly created auth key and appears with the key's tags", async () => {
  await page.fill("#auth-key-form [name=tags]", "tag:edge");
  await page.fill("#auth-key-form [name=description]", "e2e edge key");
  await page.click("#auth-key-form button[type=submit]");
  await page.waitForSelector("#secret-overlay:not([hidden])");
  await page.click("#dismiss-secret");
  const keyRow = page.locator("#keys-table tbody tr:has-text('e2e edge key')");
  await keyRow.getByRole("button", { name: "Register device" }).click();
  await page.fill("#register-form [name=hostname]", "e2e-node");
  await page.click("#register-form button[type=submit]");
  const row = page.locator("#devices-table tbody tr:has-text('e2e-node')");
  await row.waitFor();
  assert.match(await row.innerText(), /tag:edge/);
  // The key was single-use: a second device is refused, and says why.
  await page.fill("#register-form [name=hostname]", "e2e-node-2");
  await page.click("#register-form button[type=submit]");
  await page.locator('#register-form .field-error[data-for="authKey"]', { hasText: "already been used" }).waitFor();
  const secret = [...server.demo.state.keys.values()].find((k) => k.description === "e2e edge key").key;
  assert.equal(await page.evaluate((s) => document.documentElement.outerHTML.includes(s), secret), false, "the key's secret is not in the page");
  // Chromium reports the deliberate 401 as a failed resource load; that one is expected.
  const expected = problems.findIndex((p) => /status of 401/.test(p));
  if (expected >= 0) problems.splice(expected, 1);
});

test("a device is provisioned through an OAuth app: consent, exchange, registration, custom:provisioned", async () => {
  // The page is never reloaded in this story: the posture table must follow on its own.
  await page.evaluate(() => (window.__sameDocument = true));
  await page.fill("#app-form [name=name]", "e2e-provisioning");
  await page.fill("#app-form [name=redirectURIs]", `${server.url}/callback.html`);
  await page.fill("#app-form [name=scopes]", "auth_keys:create:once");
  await page.fill("#app-form [name=allowedNodeAttributes]", "custom:provisioned");
  await page.click("#app-form button[type=submit]");
  await page.waitForSelector("#secret-overlay:not([hidden])");
  await page.click("#dismiss-secret");
  await page.locator("#apps-table tbody tr:has-text('e2e-provisioning')").waitFor();
  await page.selectOption("#provision-form [name=appId]", { label: "e2e-provisioning" });
  assert.match(await page.innerText("#secret-source"), /kept/, "the page holds the secret it was shown");
  assert.equal(await page.isHidden("#add-redirect"), true, "the app lists this page's redirect URI");

  const [consent] = await Promise.all([page.waitForEvent("popup"), page.click("#authorize")]);
  await consent.waitForSelector("#allow");
  const screen = await consent.innerText("body");
  assert.match(screen, /Authorize e2e-provisioning/);
  assert.match(screen, /auth_keys:create:once/);
  assert.match(screen, /demo@example\.com/);
  assert.match(screen, /custom:provisioned/);
  assert.equal((await consent.evaluate(() => document.querySelectorAll("script").length)), 0, "the consent screen runs no script");
  await consent.click("#allow");
  await page.waitForSelector("#secret-overlay:not([hidden])");
  const key = await page.inputValue("#secret-value");
  assert.match(key, /^tskey-auth-/);
  // The advice keeps the key out of shell history: a file only its owner reads.
  const command = await page.innerText("#secret-command");
  assert.match(command, /tailscale up --auth-key=file:tailscale-auth-key/);
  assert.match(command, /rm -f tailscale-auth-key; \(umask 077; cat > tailscale-auth-key\)/);
  assert.ok(!command.includes(key), "the key is not on any command line");
  const exchanged = server.demo.requests.filter((r) => r.path === "/api/v2/oauth/token" && r.body.includes("grant_type=authorization_code"));
  assert.equal(exchanged.length, 1, "one exchange");
  await page.click("#secret-action");
  await page.locator("#devices-table tbody tr:has-text('provisioned-1')").waitFor();
  await page.click("#dismiss-secret");
  const row = await page.locator("#devices-table tbody tr:has-text('provisioned-1')").innerText();
  assert.match(row, /demo@example\.com/, "owned by the consenting user");
  assert.match(row, /custom:provisioned=true/);
  assert.equal(await page.evaluate((k) => document.documentElement.outerHTML.includes(k), key), false, "the key is gone once dismissed");

  // Deny: the page says so, and nothing is exchanged.
  const [denied] = await Promise.all([page.waitForEvent("popup"), page.click("#authorize")]);
  await denied.click("#deny");
  await page.locator("#provision-status", { hasText: "access_denied" }).waitFor();
  assert.equal(server.demo.requests.filter((r) => r.body.includes("grant_type=authorization_code")).length, 1);
});

test("the access policy shows the file with its comments, and the provisioned device passes without a reload", async () => {
  await page.locator("#policy-text", { hasText: "Device postures" }).waitFor();
  const shown = await page.locator("#policy-text").textContent();
  assert.equal(shown, server.demo.state.policy.text);
  assert.deepEqual(comments(shown), comments(SEED_POLICY));
  const cell = postureCell("provisioned-1", "posture:provisioned");
  await page.locator(`#postures-table tbody tr:has-text('provisioned-1') td[data-posture="posture:provisioned"][data-verdict="pass"]`).waitFor();
  assert.equal(await cell.innerText(), "pass");
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload since the device was provisioned");
  const box = postureCell("build-box", "posture:provisioned");
  assert.equal(await box.getAttribute("data-verdict"), "fail");
  assert.match(await box.innerText(), /custom:provisioned is false/);
  const router = postureCell("lab-router", "posture:provisioned");
  assert.match(await router.innerText(), /custom:provisioned is not set/);
});

test("the Access policy card spans the main grid at 1280 px, and every postures column shows", async () => {
  assert.equal(page.viewportSize().width, 1280);
  const box = await page.evaluate(() => {
    const main = document.querySelector("main");
    const style = getComputedStyle(main);
    const m = main.getBoundingClientRect();
    const card = document.querySelector("#policy").getBoundingClientRect();
    const wrap = document.querySelector("#postures-table").parentElement;
    const columns = [...document.querySelectorAll("#postures-table thead th, #postures-table tbody td")].map((c) => c.getBoundingClientRect().right);
    return { left: m.left + parseFloat(style.paddingLeft), right: m.right - parseFloat(style.paddingRight), card: [card.left, card.right], wrapRight: wrap.getBoundingClientRect().right, columns, scroll: wrap.scrollWidth, client: wrap.clientWidth };
  });
  assert.ok(Math.abs(box.card[0] - box.left) < 1 && Math.abs(box.card[1] - box.right) < 1, `the card spans the grid: ${JSON.stringify(box)}`);
  assert.ok(box.right - box.left > 1100, "the grid is the page's width");
  assert.ok(box.scroll <= box.client, `the postures table needs no sideways scroll: ${box.scroll} > ${box.client}`);
  assert.ok(box.columns.every((r) => r <= box.wrapRight + 0.5), "no verdict column is cut off");
});

test("who can reach tag:router on tcp:22 lists build-box admitted by acls[0] and its line; a posture's refusal is in words; no request", async () => {
  // The engine's inventory includes the device provisioned above.
  await page.locator("#reach-form [name=device] option", { hasText: "provisioned-1" }).waitFor({ state: "attached" });
  const text = server.demo.state.policy.text;
  const line = lineOf(text, ACLS0);
  assert.ok(line > 0);
  const before = apiRequests();
  await page.fill("#reach-form [name=target]", "tag:router");
  await page.selectOption("#reach-form [name=proto]", "tcp");
  await page.fill("#reach-form [name=port]", "22");
  await page.click("#reach-ask");
  const box = page.locator("#reach-result tbody tr:has-text('build-box')");
  await box.waitFor();
  assert.match(await page.innerText("#reach-result h4"), /^lab-router .*tcp:22/);
  assert.equal(await box.getAttribute("data-verdict"), "accept");
  const ref = box.locator(".rule-ref", { hasText: "acls[0]" });
  assert.equal(await ref.innerText(), `acls[0], line ${line}`);
  // The line is clickable: it is shown in the file.
  await ref.click();
  const shown = page.locator("#policy-text .line.hl");
  assert.equal(await shown.getAttribute("data-line"), String(line));
  assert.match(await shown.innerText(), /group:admins.*tag:router:\*/);
  assert.equal(await page.locator("#reach-result tbody tr:has-text('amelie-laptop')").count(), 0, "a non-admin is not listed");

  // A device from the select; the grant to tag:prod:443 requires posture:provisioned.
  await page.selectOption("#reach-form [name=device]", { label: "prod-api (tag:prod)" });
  assert.equal(await page.inputValue("#reach-form [name=target]"), "", "the typed destination gives way");
  await page.fill("#reach-form [name=port]", "443");
  await page.click("#reach-ask");
  const laptop = page.locator("#reach-result tbody tr:has-text('amelie-laptop')");
  await laptop.waitFor();
  assert.equal(await laptop.getAttribute("data-verdict"), "drop");
  const grantLine = lineOf(text, '"dst": ["tag:prod"],') - 2;
  assert.match(await laptop.innerText(), new RegExp(`stopped by a posture\\s+grants\\[0\\], line ${grantLine} would admit it, but posture:provisioned: custom:provisioned is not set`));
  assert.equal(await page.locator("#reach-result tbody tr:has-text('provisioned-1')").getAttribute("data-verdict"), "accept");
  assert.equal(apiRequests(), before, "answered locally: no request");
});

test("Gate on provisioned devices: a dry run first, NOT gated while acls[0] admits admins, then the write, and both proofs agree", async () => {
  const before = server.demo.state.policy.text;
  const writes = () => server.demo.requests.filter((r) => r.method === "POST" && r.path === "/api/v2/tailnet/-/acl");
  const sent = writes().length;
  await page.fill("#policy-gate-form [name=dst]", "tag:router");
  await page.fill("#policy-gate-form [name=port]", "22");
  await page.click("#policy-gate");
  await page.locator("#gate-verdict[data-gated=drop]").waitFor();
  assert.equal(writes().length, sent, "the preview writes nothing");
  assert.equal(server.demo.state.policy.text, before);
  assert.match(await page.innerText("#policy-diff"), /\+ .*tag:router/);
  const preview = await page.innerText("#gate-verdict");
  assert.match(preview, /^NOT gated/);
  assert.match(await page.innerText("#policy-gate-write"), /anyway \(still NOT gated\)/);
  // The server's own evaluator agrees: an admin's device without the posture reaches tag:router:22.
  assert.deepEqual(await serverTests([{ src: "demo@example.com", srcPostureAttrs: {}, accept: ["tag:router:22"] }]), {});

  await page.click("#policy-gate-write");
  await page.locator("#gate-proof[data-agree=true]").waitFor();
  const after = server.demo.state.policy.text;
  assert.notEqual(after, before);
  assert.deepEqual(comments(after), comments(before), "every original comment, in order");
  assert.match(await page.innerText("#policy-diff"), /\+ .*tag:router/);
  assert.equal(await page.locator("#policy-text").textContent(), after);
  assert.equal(writes().length, sent + 1);
  assert.ok(writes().every((w) => /^".+"$/.test(w.headers["if-match"] ?? "")), "never a write without If-Match");
  // Still not gated, and the page says which rule lets which device in, at its line.
  const line = lineOf(after, ACLS0);
  assert.ok(preview.includes(`acls[0], line ${line} admits build-box`), preview);
  assert.equal(await page.getAttribute("#gate-verdict", "data-gated"), "drop");
  assert.match(await page.innerText("#gate-verdict li[data-rule='acls[0]']"), new RegExp(`^acls\\[0\\], line ${line} admits build-box.* to lab-router`));
  // The proof: the engine and the server both fail the deny test for the admin.
  const deny = page.locator("#gate-proof tr[data-test=deny][data-src='demo@example.com']");
  assert.equal(await deny.locator("td[data-by=engine]").getAttribute("data-ok"), "false");
  assert.equal(await deny.locator("td[data-by=server]").getAttribute("data-ok"), "false");
  assert.match(await deny.locator("td[data-by=server]").innerText(), /want: Drop, got: Accept/);
  const accept = page.locator("#gate-proof tr[data-test=accept][data-src='demo@example.com']");
  assert.deepEqual([await accept.locator("td[data-by=engine]").getAttribute("data-ok"), await accept.locator("td[data-by=server]").getAttribute("data-ok")], ["true", "true"]);
  assert.match(await page.innerText("#gate-proof"), /Both agree: NOT gated/);
  // Gated already in the file: nothing to change, nothing sent.
  await page.click("#policy-gate");
  await page.locator("#toast", { hasText: "nothing was sent" }).waitFor();
  await page.locator("#gate-proof[data-agree=true]").waitFor();
  assert.equal(writes().length, sent + 1);
  assert.equal(await page.getAttribute("#gate-verdict", "data-gated"), "drop");
});

test("before you save: the impact panel shows what an edit loses, marks Save, and lists what the server would refuse; no request", async () => {
  const current = server.demo.state.policy.text;
  assert.ok(current.includes(CI_SSH));
  const before = apiRequests();
  await page.fill("#policy-editor", current.replace(CI_SSH, ""));
  await page.locator("#policy-impact[data-state=loses]").waitFor();
  const lost = await page.locator("#policy-impact li[data-change=lost]").allInnerTexts();
  assert.ok(lost.some((l) => /^1 device loses prod-api \(tag:prod\) tcp:22\s+ci-runner-1$/.test(l)), lost.join("\n"));
  assert.equal(await page.innerText("#policy-save"), "Save (locks devices out)");
  assert.equal(await page.locator("#policy-save.warn").count(), 1);
  assert.match(await page.innerText("#policy-save-warning"), /^Locks devices out: saving takes access away from 1 device \(ci-runner-1\)/);
  assert.equal(await page.isVisible("#policy-save-warning"), true);
  // A grant gated on a posture the file does not define: the engine's issues are shown.
  await page.fill("#policy-editor", current.replace('"srcPosture": ["posture:provisioned"], // any', '"srcPosture": ["posture:missing"], // any'));
  await page.locator("#policy-impact .issues", { hasText: "posture:missing" }).waitFor();
  // Text that does not parse is not read as "every rule removed".
  await page.fill("#policy-editor", "{ 'acls': [] }");
  await page.locator("#policy-impact", { hasText: "does not parse" }).waitFor();
  assert.equal(await page.innerText("#policy-save"), "Save");
  // Back to the stored file: nothing to report, Save is plain again.
  await page.fill("#policy-editor", current);
  await page.locator("#policy-impact[data-state=idle]").waitFor();
  assert.equal(await page.innerText("#policy-save"), "Save");
  assert.equal(await page.locator("#policy-save.warn").count(), 0);
  assert.equal(await page.isVisible("#policy-save-warning"), false);
  assert.equal(apiRequests(), before, "computed locally: no request");
});

test("once acls[0] no longer reaches tag:router, the gate says gated, with the engine's and the server's proofs side by side", async () => {
  const current = server.demo.state.policy.text;
  const edited = current.replace(ACLS0, '"src": ["group:admins"], "dst": ["lab-net:*"]');
  assert.notEqual(edited, current);
  await page.fill("#policy-editor", edited);
  await page.locator("#policy-impact[data-state=loses]").waitFor();
  assert.match(await page.innerText("#policy-impact"), /build-box/);
  await page.click("#policy-save");
  await page.locator("#toast", { hasText: "Saved the policy file" }).waitFor();
  assert.equal(server.demo.state.policy.text, edited);
  const writes = server.demo.requests.filter((r) => r.method === "POST" && r.path === "/api/v2/tailnet/-/acl").length;
  await page.click("#policy-gate");
  await page.locator("#gate-proof[data-gated=true]").waitFor();
  assert.equal(await page.getAttribute("#gate-verdict", "data-gated"), "accept");
  assert.match(await page.innerText("#gate-verdict"), /^Gated: no device without posture:provisioned reaches tag:router/);
  assert.equal(await page.locator("#gate-verdict li").count(), 0, "no rule lets anyone in");
  const rows = page.locator("#gate-proof tbody tr");
  assert.ok((await rows.count()) >= 2);
  for (const by of ["engine", "server"]) {
    assert.deepEqual(new Set(await page.locator(`#gate-proof td[data-by=${by}]`).evaluateAll((cells) => cells.map((c) => c.dataset.ok))), new Set(["true"]), by);
  }
  assert.equal(await page.locator("#gate-proof tr[data-test=deny][data-src='demo@example.com']").count(), 1, "the admin's test is among them");
  assert.match(await page.innerText("#gate-proof"), /Both agree: tag:router:22 is gated on posture:provisioned/);
  assert.equal(server.demo.requests.filter((r) => r.method === "POST" && r.path === "/api/v2/tailnet/-/acl").length, writes, "nothing to write");
  // And the server says so on its own.
  assert.deepEqual(await serverTests([{ src: "demo@example.com", srcPostureAttrs: {}, deny: ["tag:router:22"] }]), {});
});

test("the policy editor checks as you type, validates, and refuses to save over a change made meanwhile", async () => {
  await page.fill("#policy-editor", "{ 'acls': [] }");
  await page.locator("#policy-local", { hasText: "line 1, column 3" }).waitFor();
  // The location is said once (the message carries it; the page adds none of its own).
  assert.equal((await page.textContent("#policy-local")).match(/line 1, column 3/g).length, 1);
  const current = server.demo.state.policy.text;
  const edited = current.replace("everyone, for now", "everyone, edited here");
  await page.fill("#policy-editor", edited);
  await page.locator("#policy-local", { hasText: "local checks pass" }).waitFor();
  await page.click("#policy-validate");
  await page.locator("#policy-verdict", { hasText: "accepts" }).waitFor();
  // Someone else writes the file meanwhile.
  const elsewhere = current.replace("// Who is who", "// Who is who (edited elsewhere)");
  const response = await fetch(`${server.url}/api/v2/tailnet/-/acl`, { method: "POST", headers: { authorization: `Bearer ${server.demo.credentials.apiKey}`, "content-type": "application/hujson" }, body: elsewhere });
  assert.equal(response.status, 200);
  await page.click("#policy-save");
  await page.locator("#policy-verdict", { hasText: "changed since you loaded it" }).waitFor();
  assert.equal(server.demo.state.policy.text, elsewhere, "nothing was overwritten");
  await page.click("#policy-reload");
  await page.waitForFunction(() => document.querySelector("#policy-editor").value.includes("edited elsewhere"));
  // Chromium reports the 412 as a failed resource load; that one is expected.
  const expected = problems.findIndex((p) => /status of 412/.test(p));
  if (expected >= 0) problems.splice(expected, 1);
});

test("API data is rendered as text and runs no script", async () => {
  const payload = "<img src=x onerror=alert(1)>";
  await page.fill("#app-form [name=name]", "xss-probe");
  await page.fill("#app-form [name=description]", payload);
  await page.fill("#app-form [name=redirectURIs]", "https://xss.example/cb");
  await page.fill("#app-form [name=scopes]", "all");
  await page.fill("#app-form [name=allowedNodeAttributes]", "");
  await page.click("#app-form button[type=submit]");
  await page.waitForSelector("#secret-overlay:not([hidden])");
  await page.click("#dismiss-secret");
  const cell = page.locator("#apps-table tbody tr:has-text('xss-probe') td.description");
  await cell.waitFor();
  assert.equal(await cell.innerText(), payload);
  assert.equal(await page.locator("#apps-table img").count(), 0);
  await page.waitForTimeout(200);
  assert.deepEqual(dialogs, []);
});

test("API errors show their status and message", async () => {
  server.demo.fault({ method: "GET", path: "/oauth-apps", status: 403, body: JSON.stringify({ message: "calling this endpoint requires the oauth_apps:read scope" }) });
  await page.click("#refresh-apps");
  // An earlier toast may still be up: wait for this one.
  const toast = page.locator("#toast", { hasText: "403" });
  await toast.waitFor();
  assert.match(await toast.innerText(), /403: calling this endpoint requires the oauth_apps:read scope/);
  const log = await page.locator("#log-list li").first().innerText();
  assert.match(log, /GET\s+\/api\/v2\/tailnet\/-\/oauth-apps\s+403\s+\d+ ms/);
  // The log comes through the client's `fetch` option: the page leaves the global one alone.
  assert.equal(await page.evaluate(() => Function.prototype.toString.call(globalThis.fetch).includes("[native code]")), true);
  // Chromium reports the deliberate 403 as a failed resource load; that one is expected.
  const expected = problems.findIndex((p) => /status of 403/.test(p));
  if (expected >= 0) problems.splice(expected, 1);
});

test("nothing was written to browser storage, cookies or the URL", async () => {
  const stored = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    cookie: document.cookie,
    idb: (await indexedDB.databases()).length,
    caches: (await caches.keys()).length,
    url: location.href,
  }));
  assert.deepEqual({ ...stored, url: undefined }, { local: 0, session: 0, cookie: "", idb: 0, caches: 0, url: undefined });
  assert.equal(stored.url, server.url + "/");
  const key = server.demo.credentials.apiKey;
  assert.ok(!logLines.join("\n").includes(key), "the server log holds no credential");
  assert.ok(logLines.some((l) => /^POST \/api\/v2\/tailnet\/-\/keys 200 [\d.]+ms$/.test(l)), logLines.join("\n"));
});

test("the screenshot for the README, and a phone-width layout with no sideways scroll", async () => {
  await page.click("#refresh-keys");
  // The Access policy card at work: who can reach tag:router, and the gate with its proof.
  await page.fill("#reach-form [name=target]", "tag:router");
  await page.fill("#reach-form [name=port]", "22");
  await page.click("#reach-ask");
  await page.locator("#reach-result tbody tr").first().waitFor();
  await page.click("#policy-gate");
  await page.locator("#gate-proof[data-agree=true]").waitFor();
  await page.waitForTimeout(300);
  if (await page.isVisible("#toast")) await page.click("#toast");
  await page.locator("#policy .policy-tools").evaluate((e) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 16));
  // The README's copy changes only when asked (UPDATE_SCREENSHOT=1), so a test run leaves the clone clean.
  const shot = new URL(process.env.UPDATE_SCREENSHOT ? "../../docs/demo.png" : "../../target/e2e/demo.png", import.meta.url);
  mkdirSync(new URL(".", shot), { recursive: true });
  await page.screenshot({ path: shot.pathname, fullPage: false });
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(server.url + "/");
  await phone.waitForSelector("body[data-ready=true]");
  await phone.click("#connect");
  await phone.waitForSelector("#keys-table tbody tr");
  assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), "no page-wide horizontal scroll");
  await phone.close();
  assert.deepEqual(problems, []);
});

test("proxy mode forwards only /api/v2/ to the configured upstream", async () => {
  const upstream = createDemoTailnet();
  const upstreamUrl = await upstream.listen();
  const lines = [];
  const proxy = await startServer({ port: 0, upstream: upstreamUrl, log: (l) => lines.push(l) });
  try {
    const p = await browser.newPage();
    await p.goto(proxy.url + "/");
    await p.waitForSelector("body[data-ready=true]");
    assert.equal(await p.isDisabled("input[value=demo]"), true, "no demo credential against a real API");
    await p.fill("#connect-form [name=apiKey]", upstream.credentials.apiKey);
    await p.click("#connect");
    await p.waitForSelector("#keys-table tbody tr");
    assert.equal(await p.inputValue("#connect-form [name=apiKey]"), "", "the form lets go of the key");
    assert.ok(upstream.requests.some((r) => r.path === "/api/v2/tailnet/-/keys" && r.query === "?all=true"));
    // The page's reads on connect (the access engine's inventory last) are over before it
    // closes: one still in flight would reach the upstream after `before` is taken.
    await p.waitForFunction(() => document.querySelectorAll("#reach-form [name=device] option").length > 1);
    for (let seen = -1; seen !== upstream.requests.length; await new Promise((r) => setTimeout(r, 300))) seen = upstream.requests.length;
    assert.ok(upstream.requests.every((r) => r.headers.cookie === undefined && r.headers.origin === undefined));
    await p.close();
    const before = upstream.requests.length;
    for (const path of ["/api/v1/keys", "/apiv2/x", "/demo/config.json", "/pkg/package.json"]) await fetch(proxy.url + path);
    assert.equal(upstream.requests.length, before, "nothing outside /api/v2/ reaches the upstream");
    assert.ok(!lines.join("\n").includes(upstream.credentials.apiKey));
  } finally {
    await proxy.close();
    await upstream.close();
  }
});
