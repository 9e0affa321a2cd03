// DeviceProvisioning from the packed package against the demo tailnet's consent screen and
// token endpoint: the whole flow, every way it can go wrong (each counting the requests the
// server saw), and that the app's secret, the code and the minted key never leak.
import { test, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import util from "node:util";
import { TailscaleClient, DeviceProvisioning, TailscaleValidationError, TailscaleAuthorizationError, TailscaleApiError, TailscaleNetworkError, TailscaleTimeoutError } from "tailscale-wasm";
import { startTailnet, seen } from "./helpers.mjs";
import { recordStrings, findLeaks } from "./secrets-ledger.mjs";

const { tailnet, baseUrl } = await startTailnet();
after(() => tailnet.close());
beforeEach(() => tailnet.resetStats());

const admin = new TailscaleClient({ apiKey: tailnet.credentials.apiKey, baseUrl });
const redirectUri = "http://127.0.0.1:8765/callback";
const app = await admin.oauthApps.create({ name: "provisioner", redirectURIs: [redirectUri, "https://other.example/cb"], scopes: ["auth_keys"], allowedNodeAttributes: ["custom:provisioned", "custom:lab"] });
const flowFor = (extra = {}) => new DeviceProvisioning({ clientId: app.id, clientSecret: app.clientSecret, redirectUri, loginUrl: baseUrl, baseUrl, ...extra });
const exchanges = () => seen(tailnet, "/oauth/token", "POST");
const secrets = [app.clientSecret];

/** Plays the person at the consent screen: loads it, then follows Allow or Deny; returns the
 *  callback URL the browser would be sent to. */
async function consent(url, choice = "allow") {
  const page = await fetch(url);
  assert.equal(page.status, 200, await page.clone().text());
  const html = await page.text();
  const link = html.match(new RegExp(`id="${choice}" href="([^"]+)"`))[1];
  const answer = await fetch(new URL(link.replaceAll("&amp;", "&"), url), { redirect: "manual" });
  assert.equal(answer.status, 302);
  return answer.headers.get("location");
}

async function authorized(flow = flowFor()) {
  const { url, state } = flow.authorizationUrl();
  const { code } = flow.parseCallback(await consent(url), state);
  secrets.push(code);
  return { flow, code, state };
}

test("the whole flow: consent URL, callback, exchange, and a device that joins with the key", async () => {
  const flow = flowFor();
  const { url, state } = flow.authorizationUrl();
  assert.match(state, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
  assert.notEqual(flow.authorizationUrl().state, state, "a new state each time");
  const u = new URL(url);
  assert.equal(u.origin + u.pathname, `${baseUrl}/a/oauth_authorize`);
  assert.deepEqual([...u.searchParams.keys()], ["client_id", "redirect_uri", "response_type", "scope", "state"]);
  assert.deepEqual(Object.fromEntries(u.searchParams), { client_id: app.id, redirect_uri: redirectUri, response_type: "code", scope: "auth_keys:create:once", state });
  const html = await (await fetch(url)).text();
  assert.match(html, /provisioner/);
  assert.match(html, /auth_keys:create:once/);
  assert.match(html, /demo@example\.com/);
  const callback = await consent(url);
  assert.ok(callback.startsWith(`${redirectUri}?code=`), callback);
  const { code } = flow.parseCallback(new URL(callback), state);
  secrets.push(code);
  const grant = await flow.exchange(code);
  secrets.push(grant.authKey);
  assert.match(grant.authKey, /^tskey-auth-/);
  assert.deepEqual(grant.scopes, ["auth_keys:create:once"]);
  const minutes = (Date.parse(grant.expiresAt) - Date.now()) / 60000;
  assert.ok(minutes > 59 && minutes <= 60, `expires in ${minutes} minutes`);
  const sent = tailnet.requests.find((r) => r.path === "/api/v2/oauth/token");
  assert.deepEqual(Object.fromEntries(new URLSearchParams(sent.body)), { grant_type: "authorization_code", code, redirect_uri: redirectUri, client_id: app.id, client_secret: app.clientSecret });
  assert.equal(sent.headers.authorization, undefined, "the secret travels in the form body only");
  // The key is single-use, owned by the consenting user, and brings the app's attributes.
  const device = tailnet.registerDevice({ authKey: grant.authKey, hostname: "provisioned-1" });
  assert.equal(device.user, "demo@example.com");
  assert.equal(device.tags, undefined);
  const { attributes } = await admin.devices.getAttributes(device.nodeId);
  assert.equal(attributes["custom:provisioned"], true);
  assert.equal(attributes["custom:lab"], true);
  assert.throws(() => tailnet.registerDevice({ authKey: grant.authKey, hostname: "provisioned-2" }), /already been used/);
  recordStrings(flow);
});

test("a callback with error=access_denied is a TailscaleAuthorizationError, and nothing is sent", async () => {
  const flow = flowFor();
  const { url, state } = flow.authorizationUrl({ state: "my-own-state" });
  assert.equal(state, "my-own-state");
  const callback = await consent(url, "deny");
  tailnet.resetStats();
  const err = (() => {
    try {
      flow.parseCallback(callback, state);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof TailscaleAuthorizationError, String(err));
  assert.equal(err.error, "access_denied");
  assert.equal(err.description, "the user denied the request");
  assert.equal(tailnet.requests.length, 0);
  recordStrings(err);
});

test("a forged, replayed or missing state, or a missing code, is a validation error", async () => {
  const flow = flowFor();
  const { url, state } = flow.authorizationUrl();
  const callback = await consent(url);
  const first = flowFor().authorizationUrl().state;
  const fields = (cb, st) => {
    try {
      flow.parseCallback(cb, st);
    } catch (e) {
      assert.ok(e instanceof TailscaleValidationError, String(e));
      recordStrings(e);
      return e.issues.map((i) => i.field);
    }
    return [];
  };
  tailnet.resetStats();
  assert.deepEqual(fields(callback, first), ["state"], "a state from another flow");
  assert.deepEqual(fields(callback.replace(/state=[^&]+/, "state=forged"), state), ["state"]);
  assert.deepEqual(fields(callback.replace(/&state=[^&]+/, ""), state), ["state"]);
  assert.deepEqual(fields(callback.replace(/code=[^&]+&/, ""), state), ["code"]);
  assert.deepEqual(fields(callback, ""), ["state", "state"]);
  assert.deepEqual(fields(callback, state), [], "the right state passes");
  assert.equal(tailnet.requests.length, 0, "parseCallback sends nothing");
});

test("the state is checked first: a forged error with a wrong or missing state is never a denial", () => {
  const flow = flowFor();
  const { state } = flow.authorizationUrl();
  const forged = "https://provisioner.example.com/callback?error=access_denied&error_description=Your+account+is+locked%2C+call+555-0100";
  for (const callback of [forged, `${forged}&state=guessed`, `${forged}&state=`, new URL(`${forged}&state=${state}x`)]) {
    const err = (() => {
      try {
        flow.parseCallback(callback, state);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof TailscaleValidationError, `${callback}: ${err}`);
    assert.deepEqual(err.issues.map((i) => i.field), ["state"]);
    assert.ok(!err.message.includes("555"), "the forged text is not repeated");
  }
  // With this flow's state, the error is real.
  assert.throws(() => flow.parseCallback(`${forged}&state=${encodeURIComponent(state)}`, state), TailscaleAuthorizationError);
});

test("callbackUrl must be a string or a URL, and is refused by its type", () => {
  const flow = flowFor();
  const { state } = flow.authorizationUrl({ state: "s1" });
  const cases = [
    [42, "a number"],
    [undefined, "undefined"],
    [null, "null"],
    [true, "a boolean"],
    [{}, "an object"],
    [["https://p/cb?state=s1&code=c"], "an object"],
    [() => "https://p/cb?state=s1&code=c", "a function"],
    [Symbol("cb"), "a symbol"],
    [10n, "a bigint"],
  ];
  for (const [value, name] of cases) {
    assert.throws(() => flow.parseCallback(value, state), (e) => {
      assert.ok(e instanceof TailscaleValidationError, String(e));
      assert.deepEqual(e.issues, [{ field: "callbackUrl", message: `must be a string or a URL, got ${name}` }]);
      return true;
    });
  }
  // A URL, a string, and anything with a string href (a Location).
  assert.deepEqual(flow.parseCallback(new URL("https://p/cb?state=s1&code=c1"), state), { code: "c1" });
  assert.deepEqual(flow.parseCallback("/cb?state=s1&code=c2", state), { code: "c2" });
  assert.deepEqual(flow.parseCallback({ href: "https://p/cb?state=s1&code=c3" }, state), { code: "c3" });
});

test("a reused code, another redirect URI, a wrong secret and an expired code are refused", async () => {
  const { flow, code } = await authorized();
  const grant = await flow.exchange(code);
  secrets.push(grant.authKey);
  tailnet.resetStats();
  const reused = await flow.exchange(code).catch((e) => e);
  assert.ok(reused instanceof TailscaleApiError, String(reused));
  assert.equal(reused.status, 400);
  assert.match(reused.message, /invalid_grant: .*already used/);

  const other = await authorized();
  const elsewhere = await flowFor({ redirectUri: "https://other.example/cb" }).exchange(other.code).catch((e) => e);
  assert.equal(elsewhere.status, 400);
  assert.match(elsewhere.message, /redirect_uri/);

  const wrong = await authorized();
  const badSecret = await flowFor({ clientSecret: "tskey-app-wrong-secret" }).exchange(wrong.code).catch((e) => e);
  assert.equal(badSecret.status, 401);
  assert.match(badSecret.message, /invalid_client/);

  const late = await authorized();
  tailnet.expireCodes();
  const expired = await late.flow.exchange(late.code).catch((e) => e);
  assert.equal(expired.status, 400);
  assert.match(expired.message, /expired/);
  for (const e of [reused, elsewhere, badSecret, expired]) recordStrings(e);
  assert.equal(exchanges(), 4, "one request each, none retried");
});

test("429 with Retry-After is retried; 500, 502 and a dropped connection are not", async () => {
  const retried = await authorized();
  tailnet.resetStats();
  tailnet.fault({ method: "POST", path: "/oauth/token", status: 429, retryAfter: "0" });
  const grant = await retried.flow.exchange(retried.code);
  secrets.push(grant.authKey);
  assert.equal(exchanges(), 2);
  for (const [fault, cls] of [[{ status: 500 }, TailscaleApiError], [{ status: 502 }, TailscaleApiError], [{ drop: "before-response" }, TailscaleNetworkError]]) {
    const { flow, code } = await authorized();
    tailnet.resetStats();
    tailnet.fault({ method: "POST", path: "/oauth/token", ...fault });
    const err = await flow.exchange(code).catch((e) => e);
    assert.ok(err instanceof cls, `${JSON.stringify(fault)}: ${err}`);
    assert.equal(exchanges(), 1, `${JSON.stringify(fault)} is not retried: a code works once`);
    recordStrings(err);
  }
});

test("an odd token answer is a typed result or a typed error, never a crash", async () => {
  const { flow, code } = await authorized();
  tailnet.fault({ method: "POST", path: "/oauth/token", body: JSON.stringify({ access_token: "tskey-auth-odd", token_type: "Bearer", expires_in: 1e300, scope: "" }) });
  const grant = await flow.exchange(code);
  assert.ok(Date.parse(grant.expiresAt) > Date.now(), grant.expiresAt);
  assert.deepEqual(grant.scopes, []);
  tailnet.fault({ method: "POST", path: "/oauth/token", body: JSON.stringify({ token_type: "Bearer" }) });
  const missing = await flow.exchange(code).catch((e) => e);
  assert.equal(missing.name, "TailscaleResponseError");
  // The module is still sound: the next flow works.
  const next = await authorized();
  secrets.push((await next.flow.exchange(next.code)).authKey);
});

// Both exchanges are held until the client gives up (`Infinity`): its timer or the abort ends them.
test("a timeout and an abort reject with the usual errors", { timeout: 60_000 }, async () => {
  const slow = await authorized(flowFor({ timeoutMs: 100 }));
  tailnet.resetStats();
  tailnet.fault({ method: "POST", path: "/oauth/token", delayMs: Infinity });
  const timeout = await slow.flow.exchange(slow.code).catch((e) => e);
  assert.ok(timeout instanceof TailscaleTimeoutError, String(timeout));
  assert.equal(exchanges(), 1);
  const { flow, code } = await authorized();
  tailnet.fault({ method: "POST", path: "/oauth/token", delayMs: Infinity });
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 50);
  await assert.rejects(flow.exchange(code, { signal: ctl.signal }), { name: "AbortError" });
  tailnet.resetStats();
  await assert.rejects(flow.exchange(code, { signal: AbortSignal.abort() }), { name: "AbortError" });
  assert.equal(tailnet.requests.length, 0, "a pre-aborted exchange sends nothing");
  recordStrings(timeout);
});

test("the constructor lists every problem at once, and follows the transport rules", async () => {
  const fields = (options) => {
    try {
      new DeviceProvisioning(options);
    } catch (e) {
      assert.ok(e instanceof TailscaleValidationError, String(e));
      recordStrings(e);
      return e.issues.map((i) => i.field);
    }
    return [];
  };
  assert.deepEqual(fields({}), ["clientId", "clientSecret", "redirectUri"]);
  assert.deepEqual(
    fields({ clientId: "", clientSecret: "", redirectUri: "http://example.com/cb", scopes: ["Bad"], loginUrl: "http://login.example.com", baseUrl: "https://user:pw@api.example.com", extra: 1 }),
    ["scopes[0]", "clientId", "clientSecret", "redirectUri", "baseUrl", "loginUrl", "extra"],
  );
  assert.deepEqual(fields({ clientId: "a", clientSecret: "s", redirectUri, loginUrl: "http://login.corp", baseUrl: "http://api.corp", allowInsecureHttp: true }), []);
  assert.deepEqual(fields({ clientId: "a", clientSecret: "s", redirectUri, scopes: [] }), ["scopes"]);
  assert.throws(() => flowFor().authorizationUrl({ state: "" }), TailscaleValidationError);
  tailnet.resetStats();
  await assert.rejects(flowFor().exchange(""), TailscaleValidationError);
  assert.equal(tailnet.requests.length, 0);
});

test("the secret, the codes and the keys never appear in JSON, inspect or any error", async () => {
  const flow = flowFor();
  assert.deepEqual(JSON.parse(JSON.stringify(flow)), { clientId: app.id, redirectUri, scopes: ["auth_keys:create:once"], loginUrl: baseUrl, baseUrl });
  recordStrings(flow);
  recordStrings(util.inspect(flow, { showHidden: true, depth: 5 }));
  assert.ok(secrets.length >= 8, `${secrets.length} secrets tracked`);
  assert.deepEqual(findLeaks(secrets), []);
});
